"""The M4 Naive2 benchmark model and its seasonality test."""

from __future__ import annotations

import numpy as np
import pytest

from supplypilot.forecast.models.statistical import Naive2, seasonal_indices, seasonality_test

SEASON = np.array([0.8, 1.0, 1.2, 1.0])


def _seasonal(n_seasons: int = 10) -> np.ndarray:
    level = 100 + np.arange(4 * n_seasons, dtype=float)
    return level * np.tile(SEASON, n_seasons)


def test_seasonality_test_finds_a_strong_season() -> None:
    """A multiplicative quarterly pattern is significant at lag 4."""
    assert seasonality_test(_seasonal(), 4) is True


def test_seasonality_test_needs_three_seasons() -> None:
    """With fewer than three full seasons the test says no, as in M4's code."""
    assert seasonality_test(_seasonal()[:11], 4) is False


def test_seasonal_indices_recover_the_pattern() -> None:
    """Classical decomposition recovers indices close to the true ones, normalised to mean 1."""
    idx = seasonal_indices(_seasonal(), 4)[:4]
    np.testing.assert_allclose(idx, SEASON / SEASON.mean(), atol=0.01)


def test_naive2_without_season_is_naive() -> None:
    """With season_length 1 (M4 weekly) Naive2 repeats the last value."""
    out = Naive2().forecast(y=np.array([3.0, 5.0, 4.0]), h=3)
    assert out["mean"].tolist() == [4.0, 4.0, 4.0]


def test_naive2_reapplies_the_last_season() -> None:
    """Forecasts follow the seasonal pattern of the next positions around the adjusted level."""
    y = _seasonal()
    out = Naive2(season_length=4).forecast(y=y, h=4)["mean"]
    idx = seasonal_indices(y, 4)[-4:]
    np.testing.assert_allclose(out / idx, np.full(4, y[-1] / idx[-1]))
    assert out.argmax() == 2  # the third quarter is the high one


def test_naive2_intervals_widen_with_the_horizon() -> None:
    """80 % bounds bracket the forecast and widen step by step."""
    out = Naive2().forecast(y=np.array([3.0, 5.0, 4.0, 6.0, 5.0]), h=3, level=[80])
    width = out["hi-80"] - out["lo-80"]
    assert (out["lo-80"] < out["mean"]).all() and np.all(np.diff(width) > 0)
    sigma = np.sqrt(np.mean(np.diff([3, 5, 4, 6, 5.0]) ** 2))  # one-step naive errors
    assert width[0] == pytest.approx(2 * 1.2815515655 * sigma)
