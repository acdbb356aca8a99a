"""LightGBMForecaster: contract, exogenous features, conformal intervals, drivers and update."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from supplypilot.errors import InputError, NotFittedError
from supplypilot.forecast.models.ml import LightGBMForecaster, feature_label

FAST = {"n_estimators": 30, "num_leaves": 15}


def _model(**kw) -> LightGBMForecaster:
    """A small, quick model: few rounds and small trees keep each fit well under a second.

    One thread: on a busy machine LightGBM's threads wait on each other far longer than they
    compute for data this small.
    """
    base = {"n_estimators": FAST["n_estimators"], "params": {"num_leaves": FAST["num_leaves"]},
            "conformal_windows": 0, "lags": (1, 7, 14), "rolling_windows": (7,), "num_threads": 1}
    return LightGBMForecaster(**{**base, **kw})


def _panel(n_series: int = 12, days: int = 182, seed: int = 0,
           start: str = "2024-01-01") -> pd.DataFrame:
    """Daily demand with a weekend peak, a price response and a per-series level."""
    rng = np.random.default_rng(seed)
    ds = pd.date_range(start, periods=days, freq="D")
    frames = []
    for i in range(n_series):
        price = 10 + rng.choice([-2.0, 0.0, 0.0, 2.0], size=days)
        mean = (4 + i) * (1 + 0.6 * (ds.dayofweek >= 5)) * np.exp(-0.15 * (price - 10))
        frames.append(pd.DataFrame({"unique_id": f"P-{i:03d}", "ds": ds,
                                    "y": rng.poisson(mean).astype(float), "price": price,
                                    "family": "A" if i % 2 else "B"}))
    return pd.concat(frames, ignore_index=True)


def _demand(n_series: int = 6, days: int = 120, seed: int = 0) -> pd.DataFrame:
    """The same demand with only unique_id, ds and y: no exogenous columns to supply."""
    return _panel(n_series, days, seed).drop(columns=["price", "family"])


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    return _panel()


@pytest.fixture(scope="module")
def split(panel: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    cut = panel["ds"].max() - pd.Timedelta(days=14)
    return panel[panel["ds"] <= cut], panel[panel["ds"] > cut]


@pytest.fixture(scope="module")
def fitted(split) -> LightGBMForecaster:
    train, _ = split
    return _model(static_features=["family"], holidays="CN").fit(train)


def test_is_a_global_model() -> None:
    """The model learns across series, which the Forecaster uses to fit it once for all."""
    assert LightGBMForecaster.is_global is True


def test_predict_before_fit_raises_not_fitted() -> None:
    """predict on an unfitted model raises NotFittedError."""
    with pytest.raises(NotFittedError):
        _model().predict(7)


def test_predict_returns_one_row_per_series_and_step(fitted, split) -> None:
    """The forecast frame has h rows per series on the dates after each series' last date."""
    train, test = split
    out = fitted.predict(7, X_df=test)
    assert list(out.columns) == ["unique_id", "ds", "LightGBMForecaster"]
    assert len(out) == 7 * train["unique_id"].nunique()
    first = out.groupby("unique_id")["ds"].min()
    assert (first == train["ds"].max() + pd.Timedelta(days=1)).all()
    assert np.isfinite(out["LightGBMForecaster"]).all() and (out["LightGBMForecaster"] >= 0).all()


def test_fit_twice_with_same_seed_gives_identical_predictions(split) -> None:
    """Two fits with the same seed produce exactly the same forecasts."""
    train, test = split
    a = _model(seed=7).fit(train).predict(7, X_df=test)
    b = _model(seed=7).fit(train).predict(7, X_df=test)
    pd.testing.assert_frame_equal(a, b)


def test_missing_future_exogenous_values_raise(fitted) -> None:
    """A model fitted with a dynamic column needs its future values in X_df."""
    with pytest.raises(InputError, match=r"X_df is required: .*\['price'\]"):
        fitted.predict(7)


def test_incomplete_future_exogenous_values_raise(fitted, split) -> None:
    """X_df missing some forecast dates is refused, naming how many are missing."""
    _, test = split
    with pytest.raises(InputError, match=r"X_df has no row for 12 forecast date\(s\)"):
        fitted.predict(7, X_df=test[test["ds"] != test["ds"].min()])


def test_lower_future_price_raises_the_forecast(fitted, split) -> None:
    """The price response is learned: a price cut in X_df lifts the forecast."""
    _, test = split
    cheap = fitted.predict(7, X_df=test.assign(price=8.0))["LightGBMForecaster"].sum()
    dear = fitted.predict(7, X_df=test.assign(price=12.0))["LightGBMForecaster"].sum()
    assert cheap > 1.15 * dear


def test_calendar_and_holiday_features_reach_the_model(fitted) -> None:
    """With holidays='CN' the model sees the Chinese New Year distance and the calendar columns."""
    order = fitted.mlf_.ts.features_order_
    assert {"cny_offset", "is_double11", "day_of_week", "lag7", "price", "family"} <= set(order)


def test_interval_columns_follow_statsforecast_naming() -> None:
    """Each level adds '<name>-lo-<level>' and '<name>-hi-<level>' around the point forecast."""
    model = _model(conformal_windows=1, conformal_h=7, alias="gbm").fit(_demand())
    out = model.predict(7, level=[80, 95])
    assert list(out.columns) == ["unique_id", "ds", "gbm", "gbm-lo-80", "gbm-hi-80",
                                 "gbm-lo-95", "gbm-hi-95"]
    assert (out["gbm-lo-95"] <= out["gbm-lo-80"]).all() and (out["gbm-lo-80"] <= out["gbm"]).all()
    assert (out["gbm-hi-80"] <= out["gbm-hi-95"]).all() and (out["gbm-lo-95"] >= 0).all()


def test_conformal_80_interval_covers_70_to_90_percent_of_held_out_values() -> None:
    """Rolling-origin conformal intervals at 80% cover between 70% and 90% of unseen values."""
    df = _panel(n_series=30, days=196, seed=3)
    cut = df["ds"].max() - pd.Timedelta(days=14)
    train, test = df[df["ds"] <= cut], df[df["ds"] > cut]
    model = _model(conformal_windows=2, conformal_h=14).fit(train)
    out = model.predict(14, level=[80], X_df=test).merge(test, on=["unique_id", "ds"])
    lo, hi = out["LightGBMForecaster-lo-80"], out["LightGBMForecaster-hi-80"]
    inside = (out["y"] >= lo) & (out["y"] <= hi)
    assert 0.70 <= inside.mean() <= 0.90


def test_level_without_calibration_raises(fitted, split) -> None:
    """Intervals need calibration windows; asking for a level without them is refused."""
    with pytest.raises(InputError, match="conformal_windows"):
        fitted.predict(7, level=[80], X_df=split[1])


@pytest.mark.parametrize("transform", [None, "local_scale", "difference"])
def test_explain_contributions_sum_to_the_forecast(transform) -> None:
    """The baseline plus every feature's contribution equals the point forecast."""
    model = _model(target_transform=transform).fit(_demand())
    ex = model.explain(5)
    assert list(ex.columns) == ["unique_id", "ds", "feature", "contribution"]
    total = ex.groupby(["unique_id", "ds"])["contribution"].sum().reset_index()
    point = model.mlf_.predict(5, X_df=model._future(model.mlf_, 5, None))
    merged = total.merge(point, on=["unique_id", "ds"])
    assert len(merged) == 30
    np.testing.assert_allclose(merged["contribution"], merged["lgbm"], rtol=1e-6, atol=1e-6)


def test_explain_shows_the_weekend_effect(fitted, split) -> None:
    """On a Saturday the day-of-week and weekend contributions are positive on average."""
    ex = fitted.explain(7, X_df=split[1])
    weekend = ex[(ex["ds"].dt.dayofweek == 5) & ex["feature"].isin(["day_of_week", "is_weekend"])]
    assert weekend.groupby("unique_id")["contribution"].sum().mean() > 0


def test_reasons_give_one_sentence_per_forecast(fitted, split) -> None:
    """Each forecast gets a sentence with the amount, the series, the date and three drivers."""
    out = fitted.reasons(3, X_df=split[1], unit="cases")
    assert len(out) == 3 * 12
    driver = r"[^()]+ \([+\u2212]\d+\.\d\)"
    pattern = (rf"Forecast [\d.,]+ cases for P-\d{{3}} on \d{{4}}-\d\d-\d\d: "
               rf"{driver}, {driver}, {driver} are the main drivers\.")
    assert all(re.fullmatch(pattern, s) for s in out["reason"])
    point = fitted.predict(3, X_df=split[1])["LightGBMForecaster"].to_numpy()
    np.testing.assert_allclose(out["LightGBMForecaster"].to_numpy(), point, rtol=1e-6)


def test_feature_labels_read_as_plain_language() -> None:
    """Feature codes map to the words a planner uses, grouping the Chinese New Year distances."""
    assert feature_label("lag7") == "lag 7"
    assert feature_label("rolling_mean_lag1_window_size28", "day") == "28-day average"
    assert feature_label("rolling_std_lag28_window_size7", "day") == "7-day variability to lag 28"
    assert feature_label("days_to_cny") == "Chinese New Year proximity"
    assert feature_label("cny_offset") == "Chinese New Year proximity"
    assert feature_label("sell_price") == "sell price"


def test_update_adds_boosting_rounds_to_the_existing_trees() -> None:
    """update keeps the fitted trees and appends update_rounds more, rather than refitting."""
    df = _demand(days=150)
    train, new = df[df["ds"] < "2024-05-15"], df[df["ds"] >= "2024-05-15"]
    model = _model(update_rounds=12).fit(train)
    before = model.mlf_.models_["lgbm"].booster_.dump_model()["tree_info"][0]
    model.update(new)
    booster = model.mlf_.models_["lgbm"].booster_
    assert booster.num_trees() == FAST["n_estimators"] + 12
    assert booster.dump_model()["tree_info"][0] == before
    assert model.predict(3)["ds"].min() == df["ds"].max() + pd.Timedelta(days=1)


def test_update_beats_the_stale_model_after_a_level_shift() -> None:
    """After demand jumps, the updated model forecasts the next weeks better than the stale one."""
    df = _demand(n_series=10, days=210, seed=5)
    shift_from, eval_from = pd.Timestamp("2024-06-01"), pd.Timestamp("2024-07-01")
    df.loc[df["ds"] >= shift_from, "y"] *= 2.5
    train = df[df["ds"] < shift_from]
    new = df[(df["ds"] >= shift_from) & (df["ds"] < eval_from)]
    future = df[df["ds"] >= eval_from]
    h = future["ds"].nunique()
    model = _model(update_rounds=40).fit(train)
    stale = model.predict(h + new["ds"].nunique())
    stale = stale[stale["ds"] >= eval_from].merge(future, on=["unique_id", "ds"])
    fresh = model.update(new).predict(h).merge(future, on=["unique_id", "ds"])
    mae = {name: (f["y"] - f["LightGBMForecaster"]).abs().mean() for name, f in
           (("stale", stale), ("fresh", fresh))}
    assert len(fresh) == len(stale) == 10 * h
    assert mae["fresh"] < 0.6 * mae["stale"]


def test_update_refuses_rows_not_after_the_fitted_history(split) -> None:
    """Observations dated inside the fitted history are refused, naming the series."""
    train, _ = split
    model = _model().fit(train.drop(columns=["price", "family"]))
    old = train[train["ds"] == train["ds"].max()].drop(columns=["price", "family"])
    with pytest.raises(InputError, match=r"new_df, series 'P-000': date .* is not after"):
        model.update(old)


def test_bad_lags_raise_with_the_standard_message() -> None:
    """Invalid lags are refused at fit with the 'The ... parameter of ... must be' message."""
    with pytest.raises(InputError) as err:
        _model(lags=[0, 7]).fit(_demand(n_series=2, days=60))
    assert err.value.message == ("The 'lags' parameter of LightGBMForecaster must be a sequence of "
                                 "positive ints. Got [0, 7] instead.")
    assert err.value.where == "lags"


def test_tweedie_is_refused_for_negative_targets() -> None:
    """A log-link objective cannot model negative values, so it is refused up front."""
    df = _panel(n_series=2, days=60).assign(y=lambda d: d["y"] - 5)
    with pytest.raises(InputError, match="'objective' parameter"):
        _model(objective="tweedie").fit(df)


def test_objective_defaults_to_tweedie_for_demand_and_l2_otherwise() -> None:
    """Non-negative demand gets the tweedie objective; a transformed target gets squared loss."""
    df = _demand(n_series=3, days=80)
    assert _model().fit(df).objective_ == "tweedie"
    assert _model(target_transform="local_scale").fit(df).objective_ == "regression"


def test_duplicate_rows_are_refused() -> None:
    """Two rows for the same series and date are refused, naming the row."""
    df = _demand(n_series=2, days=60)
    with pytest.raises(InputError, match=r"row 60: duplicate \(unique_id, ds\)"):
        _model().fit(pd.concat([df.iloc[:60], df.iloc[59:60], df.iloc[60:]], ignore_index=True))
