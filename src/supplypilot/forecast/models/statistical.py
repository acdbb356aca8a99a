"""Local statistical models: statsforecast's, re-exported, plus the M4 ``Naive2`` benchmark.

These are statsforecast model objects, not :class:`~supplypilot.forecast.models.base.ForecastModel`
subclasses, on purpose: the :class:`~supplypilot.forecast.Forecaster` hands all of them to
**one** statsforecast call, which packs the series into arrays once and loops over them in
compiled code. Importing them from here keeps user code on SupplyPilot's public path.

Textbook names: ``AutoETS`` (exponential smoothing state space), ``AutoTheta``, ``AutoARIMA``,
``Naive``/``SeasonalNaive``, and for intermittent demand ``CrostonClassic``,
``CrostonOptimized``, ``CrostonSBA``, ``TSB``, ``ADIDA``, ``IMAPA`` (these have no interval
formula; the Forecaster gives them conformal intervals).

Examples
--------
>>> from supplypilot.forecast.models.statistical import AutoETS, Naive2
>>> AutoETS(season_length=7), Naive2(season_length=12)
(AutoETS, Naive2)
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from statsforecast.models import ADIDA as ADIDA
from statsforecast.models import ARIMA as ARIMA
from statsforecast.models import IMAPA as IMAPA
from statsforecast.models import MSTL as MSTL
from statsforecast.models import TSB as TSB
from statsforecast.models import AutoARIMA as AutoARIMA
from statsforecast.models import AutoCES as AutoCES
from statsforecast.models import AutoETS as AutoETS
from statsforecast.models import AutoTheta as AutoTheta
from statsforecast.models import CrostonClassic as CrostonClassic
from statsforecast.models import CrostonOptimized as CrostonOptimized
from statsforecast.models import CrostonSBA as CrostonSBA
from statsforecast.models import DynamicOptimizedTheta as DynamicOptimizedTheta
from statsforecast.models import DynamicTheta as DynamicTheta
from statsforecast.models import HistoricAverage as HistoricAverage
from statsforecast.models import Holt as Holt
from statsforecast.models import HoltWinters as HoltWinters
from statsforecast.models import Naive as Naive
from statsforecast.models import OptimizedTheta as OptimizedTheta
from statsforecast.models import RandomWalkWithDrift as RandomWalkWithDrift
from statsforecast.models import SeasonalNaive as SeasonalNaive
from statsforecast.models import SeasonalWindowAverage as SeasonalWindowAverage
from statsforecast.models import SimpleExponentialSmoothing as SimpleExponentialSmoothing
from statsforecast.models import (
    SimpleExponentialSmoothingOptimized as SimpleExponentialSmoothingOptimized,
)
from statsforecast.models import Theta as Theta
from statsforecast.models import WindowAverage as WindowAverage
from statsforecast.utils import ConformalIntervals as ConformalIntervals

__all__ = [
    "ADIDA", "ARIMA", "AutoARIMA", "AutoCES", "AutoETS", "AutoTheta", "ConformalIntervals",
    "CrostonClassic", "CrostonOptimized", "CrostonSBA", "DynamicOptimizedTheta", "DynamicTheta",
    "HistoricAverage", "Holt", "HoltWinters", "IMAPA", "MSTL", "Naive", "Naive2", "OptimizedTheta",
    "RandomWalkWithDrift", "SeasonalNaive", "SeasonalWindowAverage", "SimpleExponentialSmoothing",
    "SimpleExponentialSmoothingOptimized", "TSB", "Theta", "WindowAverage", "seasonality_test",
    "seasonal_indices",
]

_Z_90_ONE_SIDED = 1.645


def seasonality_test(y: np.ndarray, season_length: int) -> bool:
    """The M4 test for seasonality: is the autocorrelation at lag ``m`` significant at 90 %?

    Follows the M4 benchmarks' R code: ``|acf(m)| > 1.645 / sqrt(n) * sqrt(1 + 2 * sum(acf(k)^2,
    k < m))``, and only for series with at least three full seasons — below that the
    classical decomposition is too noisy to help.
    """
    y = np.asarray(y, dtype=float)
    n, m = y.size, int(season_length)
    if m <= 1 or n < 3 * m:
        return False
    d = y - y.mean()
    denom = float(d @ d)
    if denom == 0:
        return False
    acf = np.array([float(d[k:] @ d[:-k]) / denom for k in range(1, m + 1)])
    limit = _Z_90_ONE_SIDED / np.sqrt(n) * np.sqrt(1 + 2 * np.sum(acf[:-1] ** 2))
    return bool(abs(acf[-1]) > limit)


def seasonal_indices(y: np.ndarray, season_length: int) -> np.ndarray:
    """Classical multiplicative decomposition (R ``decompose``): one index per observation.

    A centred moving average of order ``m`` (2 x m for even ``m``) gives the trend-cycle; the
    ratio of the series to it, averaged by position in the season and normalised to mean 1,
    gives the seasonal index. Returns an array the length of ``y`` (position ``i % m``).
    """
    y = np.asarray(y, dtype=float)
    m = int(season_length)
    if m % 2 == 0:
        w = np.r_[0.5, np.ones(m - 1), 0.5] / m
    else:
        w = np.ones(m) / m
    trend = np.full(y.size, np.nan)
    half = (w.size - 1) // 2
    trend[half:y.size - half] = np.convolve(y, w, mode="valid")
    ratio = y / trend
    pos = np.arange(y.size) % m
    idx = np.array([np.nanmean(ratio[pos == p]) for p in range(m)])
    idx = idx / idx.mean()
    return idx[pos]


class Naive2:
    """Naive on the seasonally adjusted series: the M4 competition's reference (OWA = 1).

    When :func:`seasonality_test` finds seasonality, the series is divided by its classical
    multiplicative seasonal indices, the last value is carried forward and the forecasts are
    multiplied back by the indices of the last season, repeated. Without seasonality (or with
    ``season_length=1``, as M4 used for weekly data) it is the plain naive forecast. It is a
    statsforecast-style model, so it runs inside the Forecaster's single statsforecast call.

    Parameters
    ----------
    season_length
        Observations per season (M4: 12 monthly, 4 quarterly, 24 hourly, 1 otherwise).
    alias
        Output column name.
    """

    uses_exog = False

    def __init__(self, season_length: int = 1, alias: str = "Naive2") -> None:
        self.season_length = season_length
        self.alias = alias
        self.prediction_intervals = None

    def __repr__(self) -> str:
        return self.alias

    def new(self) -> Naive2:
        b = type(self).__new__(type(self))
        b.__dict__.update(self.__dict__)
        return b

    def _decompose(self, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Seasonal indices of the history and of the last full season."""
        m = int(self.season_length)
        if not seasonality_test(y, m):
            return np.ones(y.size), np.ones(max(m, 1))
        si = seasonal_indices(y, m)
        return si, si[-m:]

    def forecast(self, y: np.ndarray, h: int, X: np.ndarray | None = None,
                 X_future: np.ndarray | None = None, level: Sequence[int | float] | None = None,
                 fitted: bool = False) -> dict[str, np.ndarray]:
        """Forecast ``h`` steps (statsforecast's memory-light interface)."""
        return self.fit(y).predict(h, level=level) | (
            {"fitted": self.fitted_} if fitted else {})

    def fit(self, y: np.ndarray, X: np.ndarray | None = None) -> Naive2:
        """Decompose ``y`` and keep the last adjusted value and the in-sample errors."""
        y = np.asarray(y, dtype=float)
        if y.size < 1:
            raise ValueError("Naive2 needs at least one observation.")
        si, last_season = self._decompose(y)
        adjusted = y / si
        self.last_ = float(adjusted[-1])
        self.last_season_ = last_season
        self.fitted_ = np.r_[np.nan, adjusted[:-1]] * si
        resid = np.diff(adjusted)
        self.sigma_ = float(np.sqrt(np.mean(resid ** 2))) if resid.size else np.nan
        return self

    def predict(self, h: int, X: np.ndarray | None = None,
                level: Sequence[int | float] | None = None) -> dict[str, np.ndarray]:
        """Carry the last adjusted value forward and re-apply the seasonal indices."""
        from scipy.stats import norm

        si = np.resize(self.last_season_, h)
        mean = self.last_ * si
        res = {"mean": mean}
        if level:
            lv = sorted(level)
            spread = self.sigma_ * np.sqrt(np.arange(1, h + 1)) * si
            z = {v: norm.ppf(0.5 + v / 200) for v in lv}
            res.update({f"lo-{v}": mean - z[v] * spread for v in reversed(lv)})
            res.update({f"hi-{v}": mean + z[v] * spread for v in lv})
        return res
