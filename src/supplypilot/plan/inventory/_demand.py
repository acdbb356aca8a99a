"""One small interface over the ways a user can describe demand.

A newsvendor or base-stock decision needs only the quantile, the cdf and the two loss
expectations of demand. :func:`as_demand` accepts the forms planners actually have (a mean and
standard deviation, any frozen scipy distribution, a pmf, or raw samples such as forecast
residuals) and returns an object with exactly those four operations.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats
from scipy.special import ndtr, ndtri

from supplypilot.errors import InputError
from supplypilot.plan.inventory._loss import normal_loss
from supplypilot.plan.inventory._validate import check_number, nonneg


class Demand:
    """What every single-period model needs to know about demand."""

    mean: float
    discrete: bool = False

    def quantile(self, q: float) -> float:
        raise NotImplementedError

    def cdf(self, x: float) -> float:
        raise NotImplementedError

    def shortage(self, x: float) -> float:
        """``E[(D - x)+]``."""
        raise NotImplementedError

    def leftover(self, x: float) -> float:
        """``E[(x - D)+] = x - mean + E[(D - x)+]``."""
        return x - self.mean + self.shortage(x)


@dataclass
class NormalDemand(Demand):
    mean: float
    sd: float

    def quantile(self, q: float) -> float:
        return float(self.mean + self.sd * ndtri(q)) if self.sd > 0 else self.mean

    def cdf(self, x: float) -> float:
        if self.sd <= 0:
            return float(x >= self.mean)
        return float(ndtr((x - self.mean) / self.sd))

    def shortage(self, x: float) -> float:
        return float(normal_loss(x, self.mean, self.sd))


@dataclass
class ContinuousDemand(Demand):
    dist: Any

    def __post_init__(self) -> None:
        self.mean = float(self.dist.mean())

    def quantile(self, q: float) -> float:
        return float(self.dist.ppf(q))

    def cdf(self, x: float) -> float:
        return float(self.dist.cdf(x))

    def shortage(self, x: float) -> float:
        lo = max(x, float(self.dist.support()[0]))
        return float(self.dist.expect(lambda d: d - x, lb=lo, epsabs=1e-13, epsrel=1e-12,
                                      limit=200))


@dataclass
class DiscreteDemand(Demand):
    values: np.ndarray
    probs: np.ndarray

    def __post_init__(self) -> None:
        order = np.argsort(self.values)
        self.values = np.asarray(self.values, float)[order]
        self.probs = np.asarray(self.probs, float)[order]
        self.probs = self.probs / self.probs.sum()
        self._cum = np.cumsum(self.probs)
        self.mean = float(np.dot(self.values, self.probs))
        self.discrete = True

    def quantile(self, q: float) -> float:
        """Smallest support value ``x`` with ``F(x) >= q`` (tolerant to rounding in the pmf)."""
        idx = int(np.searchsorted(self._cum, q - 1e-12, side="left"))
        return float(self.values[min(idx, len(self.values) - 1)])

    def cdf(self, x: float) -> float:
        return float(self.probs[self.values <= x + 1e-12].sum())

    def shortage(self, x: float) -> float:
        return float(np.dot(np.maximum(self.values - x, 0.0), self.probs))


def as_demand(func: str, demand_mean: float | None = None, demand_std: float | None = None, *,
              distribution: Any = None, demand_pmf: Mapping[float, float] | None = None,
              samples: Sequence[float] | np.ndarray | None = None) -> Demand:
    """Build a :class:`Demand` from exactly one description, checking it first.

    ``distribution`` is any frozen scipy distribution (``scipy.stats.lognorm(0.3, 0, 403)``);
    a discrete one (Poisson, binomial...) is expanded to its pmf so that optimal levels are
    integers. ``samples`` gives the empirical distribution (each observation weight ``1/n``).
    """
    given = [n for n, v in (("demand_mean", demand_mean), ("distribution", distribution),
                            ("demand_pmf", demand_pmf), ("samples", samples)) if v is not None]
    if len(given) != 1:
        raise InputError(f"{func} needs exactly one of 'demand_mean' (with 'demand_std'), "
                         f"'distribution', 'demand_pmf' or 'samples'. Got "
                         f"{', '.join(map(repr, given)) or 'none'} instead.", where="demand_mean")
    if demand_mean is not None:
        mean = nonneg(demand_mean, "demand_mean", func)
        sd = nonneg(0.0 if demand_std is None else demand_std, "demand_std", func)
        return NormalDemand(mean, sd)
    if distribution is not None:
        if not hasattr(distribution, "ppf") or not hasattr(distribution, "cdf"):
            raise InputError(f"The 'distribution' parameter of {func} must be a frozen scipy.stats "
                             f"distribution. Got {distribution!r} instead.", where="distribution")
        if hasattr(distribution, "pmf"):
            lo, hi = distribution.ppf(1e-15), distribution.isf(1e-15)
            k = np.arange(int(max(lo, distribution.support()[0])), int(hi) + 2)
            return DiscreteDemand(k.astype(float), distribution.pmf(k))
        return ContinuousDemand(distribution)
    if demand_pmf is not None:
        if not isinstance(demand_pmf, Mapping) or not demand_pmf:
            raise InputError(f"The 'demand_pmf' parameter of {func} must be a non-empty mapping "
                             f"value -> probability. Got {demand_pmf!r} instead.",
                             where="demand_pmf")
        vals = [check_number(float(k), "demand_pmf key", func) for k in demand_pmf]
        probs = [check_number(v, f"demand_pmf[{k!r}]", func, low=0.0, high=1.0)
                 for k, v in demand_pmf.items()]
        total = sum(probs)
        if abs(total - 1.0) > 1e-6:
            raise InputError(f"The 'demand_pmf' parameter of {func} must sum to 1. Got "
                             f"{total:g} instead.", where="demand_pmf")
        return DiscreteDemand(np.array(vals), np.array(probs))
    arr = np.asarray(samples, dtype=float).ravel()
    if arr.size == 0 or not np.all(np.isfinite(arr)):
        raise InputError(f"The 'samples' parameter of {func} must be a non-empty array of finite "
                         f"numbers. Got {arr.size} values instead.", where="samples")
    return DiscreteDemand(arr, np.full(arr.size, 1.0 / arr.size))


def poisson_demand(mean: float) -> DiscreteDemand:
    """Poisson demand as a :class:`DiscreteDemand` (support cut where the tail is below 1e-15)."""
    d = stats.poisson(mean)
    k = np.arange(0, int(d.isf(1e-15)) + 2)
    return DiscreteDemand(k.astype(float), d.pmf(k))
