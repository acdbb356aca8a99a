"""The Forecaster: validation at the boundary, column names, shapes, intervals, CV, fallbacks."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import pytest

from supplypilot.errors import InputError, NotFittedError
from supplypilot.forecast import Forecaster, ForecastModel
from supplypilot.forecast.models.statistical import (
    AutoARIMA,
    AutoETS,
    CrostonOptimized,
    Naive,
    SeasonalNaive,
)

from .conftest import make_panel


class LastValue(ForecastModel):
    """A tiny global model: repeats each series' last value, gives no intervals."""

    is_global = True

    def fit(self, df: pd.DataFrame, freq: str = "D") -> LastValue:
        self.last_ = df.groupby("unique_id").tail(1).set_index("unique_id")
        self.freq_ = freq
        return self

    def predict(self, h: int, level: Sequence[int] | None = None,
                X_df: pd.DataFrame | None = None) -> pd.DataFrame:
        self._check_fitted()
        rows = []
        for uid, r in self.last_.iterrows():
            dates = pd.date_range(r["ds"], periods=h + 1, freq=self.freq_)[1:]
            rows.append(pd.DataFrame({"unique_id": uid, "ds": dates, self.name: r["y"]}))
        return pd.concat(rows, ignore_index=True)


def _fc(**kw) -> Forecaster:
    kw.setdefault("models", [SeasonalNaive(7), Naive()])
    return Forecaster(freq="D", **kw)


def test_fit_returns_self(panel: pd.DataFrame) -> None:
    """fit returns the Forecaster itself, so calls chain."""
    fc = _fc()
    assert fc.fit(panel) is fc


def test_predict_before_fit_raises_not_fitted() -> None:
    """predict on an unfitted Forecaster raises NotFittedError."""
    with pytest.raises(NotFittedError):
        _fc().predict(7)


def test_missing_column_is_named(panel: pd.DataFrame) -> None:
    """A frame without the target column is refused with the column's name and role."""
    with pytest.raises(InputError, match=r"column 'y' \(target_col\)") as err:
        _fc().fit(panel.drop(columns="y"))
    assert err.value.where == "column 'y'"


def test_non_numeric_target_names_row(panel: pd.DataFrame) -> None:
    """A text value in the target names its row and column."""
    bad = panel.astype({"y": object})
    bad.loc[5, "y"] = "n/a"
    with pytest.raises(InputError, match=r"row 5, column 'y'.*must be numeric.*'n/a'"):
        _fc().fit(bad)


def test_missing_target_names_row_and_series(panel: pd.DataFrame) -> None:
    """A NaN target names the row, the series and the date."""
    bad = panel.copy()
    bad.loc[75, "y"] = np.nan
    with pytest.raises(InputError, match=r"row 75, column 'y': must be a finite number, got nan "
                                         r"\(series 'P-002', 2024-01-06\)"):
        _fc().fit(bad)


def test_duplicate_date_names_both_rows(panel: pd.DataFrame) -> None:
    """Two rows for the same (series, date) are refused, naming both rows."""
    bad = pd.concat([panel, panel.iloc[[3]]], ignore_index=True)
    with pytest.raises(InputError, match=r"'P-001' has 2024-01-04 twice \(rows 3 and 210\)"):
        _fc().fit(bad)


def test_gap_in_dates_is_not_regular(panel: pd.DataFrame) -> None:
    """A missing day makes a series irregular at freq 'D' and the message says where."""
    with pytest.raises(InputError, match=r"row 11, column 'ds': series 'P-001' is not regular at "
                                         r"freq 'D': after 2024-01-10 \(row 9\) came 2024-01-12, "
                                         r"expected 2024-01-11"):
        _fc().fit(panel.drop(index=10))


def test_dates_off_the_weekly_anchor_are_refused() -> None:
    """Weekly dates on Wednesdays do not follow 'W' (Sunday weeks)."""
    df = make_panel(n_series=1, n_obs=20, freq="W-WED")
    with pytest.raises(InputError, match="not regular at freq 'W'"):
        Forecaster([Naive()], freq="W").fit(df)
    assert Forecaster([Naive()], freq="W-WED").fit(df).predict(2)["ds"].dt.dayofweek.eq(2).all()


def test_horizon_uses_the_standard_message(panel: pd.DataFrame) -> None:
    """A zero horizon gets the project's one message shape."""
    fc = _fc().fit(panel)
    with pytest.raises(InputError) as err:
        fc.predict(0)
    assert err.value.message == ("The 'horizon' parameter of Forecaster.predict must be an int in "
                                 "[1, 730]. Got 0 instead.")


def test_level_outside_0_100_is_refused(panel: pd.DataFrame) -> None:
    """Interval levels must lie strictly between 0 and 100."""
    with pytest.raises(InputError, match="'level' parameter"):
        _fc().fit(panel).predict(7, level=[80, 100])


def test_unknown_engine_is_refused(panel: pd.DataFrame) -> None:
    """Only pandas, dask, spark and ray are engines."""
    with pytest.raises(InputError, match=r"'engine' parameter of Forecaster.fit must be a str"):
        _fc(engine="polars").fit(panel)


def test_duplicate_model_names_are_refused(panel: pd.DataFrame) -> None:
    """Two models with the same name would overwrite each other's column."""
    with pytest.raises(InputError, match="'Naive' appears more than once"):
        _fc(models=[Naive(), Naive()]).fit(panel)


def test_user_column_names_round_trip(panel: pd.DataFrame) -> None:
    """A user's item/day/qty columns come back under the same names, with the same numbers."""
    user = panel.rename(columns={"unique_id": "item", "ds": "day", "y": "qty"})
    fc = _fc(id_col="item", time_col="day", target_col="qty")
    out = fc.fit(user).predict(7)
    ref = _fc().fit(panel).predict(7)
    assert list(out.columns[:2]) == ["item", "day"]
    np.testing.assert_allclose(out["SeasonalNaive"], ref["SeasonalNaive"])


def test_output_has_one_row_per_series_and_step(panel: pd.DataFrame) -> None:
    """h steps for each series, columns ordered model by model with the widest bounds outside."""
    out = _fc().fit(panel).predict(5, level=[95, 80])
    assert out.shape == (15, 12)
    assert list(out.columns[:7]) == ["unique_id", "ds", "SeasonalNaive", "SeasonalNaive-lo-95",
                                     "SeasonalNaive-lo-80", "SeasonalNaive-hi-80",
                                     "SeasonalNaive-hi-95"]
    assert out.groupby("unique_id")["ds"].min().eq(pd.Timestamp("2024-03-11")).all()


def test_intermittent_model_gets_conformal_intervals(panel: pd.DataFrame) -> None:
    """CrostonOptimized has no interval formula; asked for a level it still returns bounds."""
    df = panel.assign(y=np.where(np.arange(len(panel)) % 3 == 0, panel["y"], 0.0))
    out = Forecaster([CrostonOptimized()], freq="D").fit(df).predict(7, level=[80])
    assert out["CrostonOptimized-lo-80"].notna().all()
    assert (out["CrostonOptimized-lo-80"] < out["CrostonOptimized"]).all()
    assert (out["CrostonOptimized"] < out["CrostonOptimized-hi-80"]).all()


def test_user_models_are_not_modified(panel: pd.DataFrame) -> None:
    """Conformal settings go on copies; the user's model objects stay as they were built."""
    croston = CrostonOptimized()
    Forecaster([croston], freq="D").fit(panel).predict(7, level=[80])
    assert croston.prediction_intervals is None


def test_global_model_is_merged_and_given_intervals(panel: pd.DataFrame) -> None:
    """A ForecastModel runs beside statistical ones; lacking bounds, it gets conformal ones."""
    out = Forecaster([Naive(), LastValue()], freq="D").fit(panel).predict(7, level=[80])
    np.testing.assert_allclose(out["LastValue"], out["Naive"])
    assert (out["LastValue-hi-80"] > out["LastValue"]).all()


def test_cross_validation_cutoffs_step_back(panel: pd.DataFrame) -> None:
    """Three windows of 7 days stepping by 7 end at the last three week boundaries."""
    cv = _fc().cross_validation(7, panel, n_windows=3, step_size=7)
    cutoffs = sorted(cv["cutoff"].unique())
    assert cutoffs == list(pd.to_datetime(["2024-02-18", "2024-02-25", "2024-03-03"]))
    assert len(cv) == 3 * 3 * 7
    merged = cv.merge(panel, on=["unique_id", "ds"], suffixes=("", "_actual"))
    np.testing.assert_allclose(merged["y"], merged["y_actual"])


def test_cross_validation_forecasts_only_from_the_past(panel: pd.DataFrame) -> None:
    """At each cutoff, Naive repeats the value observed on the cutoff date."""
    cv = _fc().cross_validation(7, panel, n_windows=2, step_size=7)
    at_cutoff = cv.merge(panel.rename(columns={"ds": "cutoff", "y": "y_cut"}),
                         on=["unique_id", "cutoff"])
    np.testing.assert_allclose(at_cutoff["Naive"], at_cutoff["y_cut"])


def test_cross_validation_refuses_too_short_series(panel: pd.DataFrame) -> None:
    """Windows that do not fit in a series are refused before any model runs."""
    with pytest.raises(InputError, match=r"longer than h \+ step_size \* \(n_windows - 1\) = 77"):
        _fc().cross_validation(7, panel, n_windows=11, step_size=7)


def test_fallback_is_recorded_with_series_and_reason(panel: pd.DataFrame) -> None:
    """AutoETS fails on a 4-point series; Naive replaces it and the trace says which and why."""
    short = pd.DataFrame({"unique_id": "TINY", "ds": pd.date_range("2024-03-06", periods=4),
                          "y": [1.0, 2.0, 3.0, 4.0]})
    fc = Forecaster([AutoETS(season_length=7)], freq="D", fallback_model=Naive())
    out = fc.fit(pd.concat([panel, short], ignore_index=True)).predict(3)
    trace = fc.fallbacks_
    assert trace[["unique_id", "model", "fallback"]].values.tolist() == [
        ["TINY", "AutoETS", "Naive"]]
    assert trace["reason"].iloc[0] == "NotImplementedError: tiny datasets"
    assert out.loc[out["unique_id"] == "TINY", "AutoETS"].tolist() == [4.0, 4.0, 4.0]
    assert out.attrs["fallbacks"].equals(trace)


def test_failure_without_fallback_names_series_and_model(panel: pd.DataFrame) -> None:
    """Without a fallback model a failure is an InputError naming the model and the series."""
    short = pd.DataFrame({"unique_id": "TINY", "ds": pd.date_range("2024-03-06", periods=4),
                          "y": [1.0, 2.0, 3.0, 4.0]})
    fc = Forecaster([AutoETS(season_length=7)], freq="D").fit(pd.concat([panel, short]))
    with pytest.raises(InputError,
                       match="AutoETS failed on series 'TINY': NotImplementedError") as e:
        fc.predict(3)
    assert e.value.where == "series 'TINY'"


def test_forecast_keeps_no_state(panel: pd.DataFrame) -> None:
    """forecast equals fit + predict and leaves the Forecaster unfitted."""
    fc = _fc()
    out = fc.forecast(7, panel, level=[80])
    assert not hasattr(fc, "history_")
    pd.testing.assert_frame_equal(out, _fc().fit(panel).predict(7, level=[80]))


def test_repr_lists_models() -> None:
    """The repr shows how the Forecaster was built."""
    fc = Forecaster([AutoETS(), SeasonalNaive(7)], freq="W", fallback_model=Naive())
    assert repr(fc) == "Forecaster(models=[AutoETS, SeasonalNaive], freq='W', fallback_model=Naive)"


def test_integer_dates_with_integer_freq() -> None:
    """Integer time steps work with an integer freq (M4 style)."""
    df = pd.DataFrame({"unique_id": "a", "ds": np.arange(0, 40, 2), "y": np.arange(20.0)})
    out = Forecaster([Naive()], freq=2).fit(df).predict(3)
    assert out["ds"].tolist() == [40, 42, 44]


def test_exogenous_model_needs_future_values() -> None:
    """A model using exogenous columns asks for X_df, and uses it when given."""
    df = make_panel(n_series=1, n_obs=60)
    df["promo"] = (np.arange(60) % 5 == 0).astype(float)
    df["y"] += 10 * df["promo"]
    fc = Forecaster([AutoARIMA()], freq="D").fit(df)
    with pytest.raises(InputError, match="'X_df' parameter of Forecaster.predict must give future "
                                         r"values of \['promo'\]"):
        fc.predict(2)
    X = pd.DataFrame({"unique_id": "P-001", "ds": pd.date_range("2024-03-01", periods=2),
                      "promo": [1.0, 0.0]})
    out = fc.predict(2, X_df=X)
    assert out["AutoARIMA"].iloc[0] - out["AutoARIMA"].iloc[1] > 5
