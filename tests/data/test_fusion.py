"""Tests for supplypilot.data.fusion."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from supplypilot.data.fusion import FusionResult, fuse
from supplypilot.errors import InputError

NOISE = {"ERP": 1.0, "WMS": 5.0, "RFID": 20.0}


def _simulate(
    seed: int = 0,
    n_dates: int = 1000,
    offset_source: bool = False,
    missing: float = 0.05,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Stock on hand of one item: a random-walk truth seen by ERP (sd 1), WMS (sd 5, with
    gross errors on 5% of dates) and RFID (sd 20); optionally a fourth source off by +50."""
    rng = np.random.default_rng(seed)
    ds = pd.date_range("2022-01-01", periods=n_dates)
    truth = 500 + np.cumsum(rng.normal(0, 2, n_dates))
    reads = {name: truth + rng.normal(0, sd, n_dates) for name, sd in NOISE.items()}
    gross = rng.random(n_dates) < 0.05
    reads["WMS"] = reads["WMS"] + gross * rng.choice([-1, 1], n_dates) * rng.uniform(
        50, 150, n_dates
    )
    if offset_source:
        reads["LEGACY"] = truth + 50 + rng.normal(0, 2, n_dates)
    parts = []
    for name, values in reads.items():
        keep = rng.random(n_dates) >= missing
        parts.append(
            pd.DataFrame({"unique_id": "SKU1@DC1", "ds": ds[keep], "source": name,
                          "y": values[keep]})
        )
    df = pd.concat(parts, ignore_index=True)
    truth_frame = pd.DataFrame(
        {"unique_id": "SKU1@DC1", "ds": ds, "truth": truth, "gross": gross}
    )
    return df, truth_frame


@pytest.fixture(scope="module")
def simulated() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Three sources with known noise and gross errors in WMS."""
    return _simulate()


@pytest.fixture(scope="module")
def fused(simulated: tuple[pd.DataFrame, pd.DataFrame]) -> FusionResult:
    """Inverse-variance fusion of the simulated sources."""
    return fuse(simulated[0])


def _errors(result: FusionResult, truth: pd.DataFrame) -> pd.DataFrame:
    merged = result.estimates.merge(truth, on=["unique_id", "ds"])
    return merged.assign(abs_err=(merged["y"] - merged["truth"]).abs())


# ------------------------------------------------------------------------------------------
# Inverse-variance fusion on simulated data
# ------------------------------------------------------------------------------------------


def test_inverse_variance_beats_plain_average(
    simulated: tuple[pd.DataFrame, pd.DataFrame], fused: FusionResult
) -> None:
    """Inverse-variance fusion has a clearly lower MAE than the plain average."""
    df, truth = simulated
    mae_iv = _errors(fused, truth)["abs_err"].mean()
    mae_mean = _errors(fuse(df, method="mean"), truth)["abs_err"].mean()
    assert mae_iv / mae_mean < 0.7


def test_weight_order_matches_true_noise_order(fused: FusionResult) -> None:
    """The estimated weights rank the sources as their true noise does."""
    weights = fused.weights.set_index("source")["weight"]
    assert weights["ERP"] > weights["WMS"] > weights["RFID"]
    assert weights.sum() == pytest.approx(1.0)


def test_estimated_variances_are_in_the_right_range(fused: FusionResult) -> None:
    """WMS and RFID variances are estimated near their true values despite gross errors."""
    var = fused.weights.set_index("source")["variance"]
    assert 15 < var["WMS"] < 40  # true 25
    assert 300 < var["RFID"] < 500  # true 400


def test_reported_std_is_roughly_calibrated(
    simulated: tuple[pd.DataFrame, pd.DataFrame], fused: FusionResult
) -> None:
    """About 95% of fused values lie within 1.96 reported standard deviations of the truth."""
    err = _errors(fused, simulated[1])
    coverage = (err["abs_err"] < 1.96 * err["y_std"]).mean()
    assert 0.85 <= coverage <= 1.0


def test_gross_errors_are_rejected(
    simulated: tuple[pd.DataFrame, pd.DataFrame], fused: FusionResult
) -> None:
    """Most WMS gross errors appear in the rejected list."""
    df, truth = simulated
    gross_dates = set(truth.loc[truth["gross"], "ds"])
    wms_dates = set(df.loc[df["source"] == "WMS", "ds"])
    rejected_wms = set(fused.rejected.loc[fused.rejected["source"] == "WMS", "ds"])
    present_gross = gross_dates & wms_dates
    assert len(rejected_wms & present_gross) / len(present_gross) >= 0.9
    assert (fused.rejected["z"] > 3.0).all()


def test_offset_source_is_rejected_at_most_points() -> None:
    """A source off by a constant +50 is rejected at nearly every date it reports."""
    df, truth = _simulate(seed=1, offset_source=True)
    result = fuse(df)
    n_legacy = (df["source"] == "LEGACY").sum()
    n_rejected = (result.rejected["source"] == "LEGACY").sum()
    assert n_rejected / n_legacy >= 0.9
    assert _errors(result, truth)["abs_err"].median() < 2.0


def test_debias_estimates_and_removes_constant_offset() -> None:
    """With debias=True the +50 offset is estimated and the source is used, not rejected."""
    df, truth = _simulate(seed=1, offset_source=True)
    result = fuse(df, debias=True)
    bias = result.weights.set_index("source")["bias"]
    assert bias["LEGACY"] == pytest.approx(50.0, abs=1.0)
    assert (result.rejected["source"] == "LEGACY").mean() < 0.1
    assert _errors(result, truth)["abs_err"].median() < 2.0
    assert any("debias" in n for n in result.notes)


def test_trailing_window_gives_per_date_weights(
    simulated: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    """With a window, weights vary by date and fusion still beats the plain average."""
    df, truth = simulated
    result = fuse(df, window=120)
    assert {"unique_id", "ds", "source", "variance", "weight"} <= set(result.weights.columns)
    assert len(result.weights) == 3 * len(result.estimates)
    mae_iv = _errors(result, truth)["abs_err"].mean()
    mae_mean = _errors(fuse(df, method="mean"), truth)["abs_err"].mean()
    assert mae_iv / mae_mean < 0.7


# ------------------------------------------------------------------------------------------
# Behaviour on small hand-made frames
# ------------------------------------------------------------------------------------------


def _long(rows: list[tuple[str, str, str, float]]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=["unique_id", "ds", "source", "y"])
    return df.assign(ds=pd.to_datetime(df["ds"]))


def test_mean_method_is_plain_average_of_sources_present() -> None:
    """method='mean' averages the sources present at each date, without rejection."""
    df = _long(
        [
            ("A", "2024-01-01", "ERP", 10.0),
            ("A", "2024-01-01", "WMS", 20.0),
            ("A", "2024-01-01", "RFID", 90.0),
            ("A", "2024-01-02", "ERP", 12.0),
            ("A", "2024-01-02", "RFID", 14.0),
        ]
    )
    est = fuse(df, method="mean").estimates
    assert est["y"].tolist() == [40.0, 13.0]
    assert est["n_sources"].tolist() == [3, 2]
    assert est["sources_rejected"].tolist() == ["", ""]
    assert (est["method"] == "mean").all()


def test_median_method() -> None:
    """method='median' takes the median of the sources present."""
    df = _long(
        [
            ("A", "2024-01-01", "ERP", 10.0),
            ("A", "2024-01-01", "WMS", 20.0),
            ("A", "2024-01-01", "RFID", 90.0),
        ]
    )
    assert fuse(df, method="median").estimates["y"].tolist() == [20.0]


def test_missing_source_uses_only_those_present(
    simulated: tuple[pd.DataFrame, pd.DataFrame], fused: FusionResult
) -> None:
    """At dates where a source did not report, it is neither used nor rejected."""
    df = simulated[0]
    reported = df.groupby("ds")["source"].agg(set)
    est = fused.estimates.set_index("ds")
    for ds in est.index[:200]:
        used = set(filter(None, est.at[ds, "sources_used"].split(",")))
        rejected = set(filter(None, est.at[ds, "sources_rejected"].split(",")))
        assert used | rejected == reported[ds]
        assert est.at[ds, "n_sources"] == len(used)


def test_two_sources_get_equal_weights_with_a_note() -> None:
    """With only two sources the variances are unidentifiable: equal weights and a note."""
    df, _ = _simulate(seed=2)
    result = fuse(df[df["source"].isin(["ERP", "WMS"])])
    weights = result.weights.set_index("source")["weight"]
    assert weights["ERP"] == pytest.approx(0.5)
    assert weights["WMS"] == pytest.approx(0.5)
    assert "two sources" in result.note


def test_two_disagreeing_sources_keep_the_more_precise_one() -> None:
    """When only two sources report and they disagree strongly, the lower-variance one stays."""
    df, _ = _simulate(seed=3, missing=0.0)
    day = df["ds"].iloc[500]
    wms_true = df.loc[(df["ds"] == day) & (df["source"] == "ERP"), "y"].iloc[0]
    df = df[~((df["ds"] == day) & (df["source"] == "RFID"))].copy()
    df.loc[(df["ds"] == day) & (df["source"] == "WMS"), "y"] = wms_true + 200.0
    est = fuse(df).estimates.set_index("ds").loc[day]
    assert est["sources_used"] == "ERP"
    assert est["sources_rejected"] == "WMS"
    assert est["y"] == pytest.approx(wms_true)


def test_never_rejects_every_source(fused: FusionResult) -> None:
    """Every estimate keeps at least one source."""
    assert (fused.estimates["n_sources"] >= 1).all()
    assert fused.estimates["y"].notna().all()


def test_single_source_series_falls_back_to_its_value() -> None:
    """A series reported by one source only gets that value, y_std NaN and a note."""
    df = _long([("A", f"2024-01-0{d}", "ERP", float(d)) for d in range(1, 8)])
    result = fuse(df)
    assert result.estimates["y"].tolist() == [float(d) for d in range(1, 8)]
    assert result.estimates["y_std"].isna().all()
    assert (result.estimates["method"] == "mean").all()
    assert "single source" in result.note


def test_estimates_have_the_documented_columns(fused: FusionResult) -> None:
    """The three result frames have the documented columns."""
    assert list(fused.estimates.columns) == [
        "unique_id", "ds", "y", "y_std", "n_sources", "sources_used", "sources_rejected",
        "method",
    ]
    assert {"unique_id", "source", "variance", "bias", "weight"} <= set(fused.weights.columns)
    assert list(fused.rejected.columns) == ["unique_id", "ds", "source", "y", "z"]


def test_fuse_does_not_mutate_input(simulated: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    """fuse leaves its input frame unchanged."""
    df = simulated[0]
    before = df.copy(deep=True)
    fuse(df, debias=True)
    pd.testing.assert_frame_equal(df, before)


# ------------------------------------------------------------------------------------------
# Validation
# ------------------------------------------------------------------------------------------


def test_missing_column_raises() -> None:
    """A frame without a source column raises InputError naming it."""
    df = _long([("A", "2024-01-01", "ERP", 1.0)]).drop(columns="source")
    with pytest.raises(InputError, match="'source'"):
        fuse(df)


def test_non_numeric_target_raises() -> None:
    """A text target raises InputError naming the column."""
    df = _long([("A", "2024-01-01", "ERP", 1.0)]).assign(y="lots")
    with pytest.raises(InputError, match="'y' must be numeric"):
        fuse(df)


def test_unknown_method_raises() -> None:
    """An unknown method raises InputError naming the parameter value."""
    df = _long([("A", "2024-01-01", "ERP", 1.0)])
    with pytest.raises(InputError, match="'kalman'"):
        fuse(df, method="kalman")  # type: ignore[arg-type]


def test_duplicate_source_reports_raise() -> None:
    """Two values from one source for the same series and date raise InputError."""
    df = _long([("A", "2024-01-01", "ERP", 1.0), ("A", "2024-01-01", "ERP", 2.0)])
    with pytest.raises(InputError, match="duplicate"):
        fuse(df)


@pytest.mark.parametrize(
    ("kwargs", "param"),
    [
        ({"reject_sigmas": 0}, "reject_sigmas"),
        ({"min_history": 1}, "min_history"),
        ({"window": 3}, "window"),
        ({"var_floor": -1.0}, "var_floor"),
    ],
)
def test_bad_parameters_raise(kwargs: dict[str, object], param: str) -> None:
    """Out-of-range parameters raise InputError naming the parameter."""
    df = _long([("A", "2024-01-01", "ERP", 1.0)])
    with pytest.raises(InputError, match=param):
        fuse(df, **kwargs)  # type: ignore[arg-type]
