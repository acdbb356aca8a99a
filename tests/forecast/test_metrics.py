"""Accuracy measures against values computed by hand from the competitions' definitions."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from supplypilot.errors import InputError
from supplypilot.forecast import evaluate
from supplypilot.forecast.metrics import (
    coverage,
    mae,
    mase,
    msis,
    owa,
    pinball,
    rmse,
    rmsse,
    smape,
    wape,
)


def test_smape_matches_m4_formula() -> None:
    """sMAPE = 200/h * sum |y - f| / (|y| + |f|): 100 * (10/210 + 20/380)."""
    assert smape([100, 200], [110, 180]) == pytest.approx(100 * (10 / 210 + 20 / 380))


def test_smape_counts_zero_over_zero_as_zero() -> None:
    """A step where actual and forecast are both 0 adds no error."""
    assert smape([0, 10], [0, 10]) == 0.0


def test_mase_scales_by_in_sample_naive_error() -> None:
    """MAE 1 over the in-sample one-step MAE 1.5 gives 2/3."""
    assert mase([3, 5], [4, 4], y_train=[1, 2, 4]) == pytest.approx(2 / 3)


def test_mase_uses_the_seasonal_lag() -> None:
    """With m = 2 the scale is mean(|4 - 1|, |8 - 2|) = 4.5."""
    assert mase([3, 5], [4, 4], y_train=[1, 2, 4, 8], season_length=2) == pytest.approx(1 / 4.5)


def test_rmsse_drops_leading_zeros_from_the_scale() -> None:
    """M5: history [0, 0, 1, 3, 2] is scaled from the first sale: mean(2², 1²) = 2.5."""
    assert rmsse([2, 4], [3, 3], y_train=[0, 0, 1, 3, 2]) == pytest.approx(math.sqrt(1 / 2.5))


def test_wape_mae_rmse() -> None:
    """Errors (2, -5) on actuals (10, 20): WAPE 7/30, MAE 3.5, RMSE sqrt(14.5)."""
    y, f = [10, 20], [12, 15]
    assert wape(y, f) == pytest.approx(7 / 30)
    assert mae(y, f) == pytest.approx(3.5)
    assert rmse(y, f) == pytest.approx(math.sqrt(14.5))


def test_pinball_weighs_under_and_over_forecasts() -> None:
    """At q = 0.9, under-forecasting by 2 costs 1.8 and over-forecasting by 2 costs 0.2."""
    assert pinball([10, 10], [8, 12], q=0.9) == pytest.approx(1.0)


def test_coverage_counts_bounds_as_inside() -> None:
    """Two of three actuals are inside (one on its upper bound)."""
    assert coverage([1, 5, 10], [0, 6, 9], [2, 7, 10]) == pytest.approx(2 / 3)


def test_msis_penalises_misses_by_two_over_alpha() -> None:
    """95 %: a miss by 1 costs 2/0.05 = 40 on top of the width 4; scale 1.5."""
    assert msis([10], [8], [12], y_train=[1, 2, 4], level=95) == pytest.approx(4 / 1.5)
    assert msis([13], [8], [12], y_train=[1, 2, 4], level=95) == pytest.approx(44 / 1.5)


def test_owa_averages_relative_smape_and_mase() -> None:
    """OWA of (9, 2.5) against Naive2's (10, 2.5) is (0.9 + 1) / 2."""
    assert owa(9.0, 2.5, 10.0, 2.5) == pytest.approx(0.95)


def _two_series() -> tuple[pd.DataFrame, pd.DataFrame]:
    train = pd.DataFrame({"unique_id": ["a"] * 3 + ["b"] * 3, "ds": [0, 1, 2] * 2,
                          "y": [1.0, 2.0, 4.0, 10.0, 10.0, 12.0]})
    fc = pd.DataFrame({"unique_id": ["a", "a", "b", "b"], "ds": [3, 4, 3, 4],
                       "y": [3.0, 5.0, 12.0, 12.0], "M1": [4.0, 4.0, 12.0, 14.0],
                       "M2": [3.0, 5.0, 11.0, 13.0]})
    return fc, train


def test_evaluate_averages_per_series_values() -> None:
    """MASE per model is the mean of per-series MASE: M1 = (1/1.5 + 1/1) / 2."""
    fc, train = _two_series()
    table = evaluate(fc, train, metrics=("mase", "mae"))
    assert list(table.index) == ["M1", "M2"]
    assert table.loc["M1", "mase"] == pytest.approx((1 / 1.5 + 1 / 1) / 2)
    assert table.loc["M2", "mae"] == pytest.approx((0 + 1) / 2)


def test_evaluate_adds_owa_against_a_baseline() -> None:
    """OWA against M1 is 1 for M1 and the mean of the two ratios for M2."""
    fc, train = _two_series()
    table = evaluate(fc, train, metrics=("smape", "mase"), baseline="M1")
    assert table.loc["M1", "owa"] == pytest.approx(1.0)
    expected = 0.5 * (table.loc["M2", "smape"] / table.loc["M1", "smape"]
                      + table.loc["M2", "mase"] / table.loc["M1", "mase"])
    assert table.loc["M2", "owa"] == pytest.approx(expected)


def test_evaluate_scales_cv_windows_with_history_up_to_cutoff() -> None:
    """A later jump in the history does not change the scale of an earlier cutoff."""
    train = pd.DataFrame({"unique_id": "a", "ds": range(6), "y": [1.0, 2.0, 3.0, 100.0, 1.0, 1.0]})
    cv = pd.DataFrame({"unique_id": "a", "ds": [3], "cutoff": [2], "y": [100.0], "M": [98.0]})
    table = evaluate(cv, train, metrics=("mase",))
    assert table.loc["M", "mase"] == pytest.approx(2.0)


def test_evaluate_interval_measures_per_level() -> None:
    """coverage-80 and pinball-80 columns come from the 80 % bounds."""
    fc, train = _two_series()
    fc = fc.assign(**{"M1-lo-80": fc["M1"] - 1, "M1-hi-80": fc["M1"] + 1})
    table = evaluate(fc, train, metrics=("coverage", "pinball"), models=["M1"], level=[80])
    assert table.loc["M1", "coverage-80"] == pytest.approx(0.75)
    # pinball-80 per step: 0.5 * (loss of lo at q=0.1 + loss of hi at q=0.9)
    # series a: (0 + 0.2)/2, (0.2 + 0)/2 -> 0.1; series b: (0.1 + 0.1)/2, (0.9 + 0.3)/2 -> 0.35
    assert table.loc["M1", "pinball-80"] == pytest.approx((0.1 + 0.35) / 2)


def test_evaluate_refuses_unknown_metric() -> None:
    """An unknown measure name is refused with the list of known ones."""
    fc, train = _two_series()
    with pytest.raises(InputError, match="Got 'mape' instead"):
        evaluate(fc, train, metrics=("mape",))
