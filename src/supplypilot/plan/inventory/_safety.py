"""Safety stock and reorder points from forecast errors and lead-time variability.

The stock needed to cover a lead time is the forecast demand over it plus a buffer for what the
forecast gets wrong. When the forecast error per period has standard deviation ``sigma_d`` and
the lead time has mean ``L`` and standard deviation ``sigma_L``, lead-time demand has standard
deviation ``sqrt(L sigma_d^2 + d^2 sigma_L^2)`` (independent errors and lead times). When the
past errors themselves are given, their empirical distribution is used instead, so skewed or
biased errors are covered as they are rather than as a normal curve.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from scipy import optimize
from scipy.special import ndtr, ndtri

from supplypilot.errors import InputError
from supplypilot.plan.inventory._loss import inverse_std_normal_loss, normal_loss, std_normal_loss
from supplypilot.plan.inventory._types import InventoryPolicy
from supplypilot.plan.inventory._validate import exactly_one, nonneg, positive, probability

MIN_WINDOWS = 30
"""Rolling lead-time sums of residuals are used only with at least this many windows; with
fewer, one-period residuals are scaled by sqrt(lead time), which assumes independent errors."""


def lead_time_demand_std(demand_mean: np.ndarray | float, demand_std: np.ndarray | float,
                         lead_time_mean: np.ndarray | float,
                         lead_time_std: np.ndarray | float = 0.0) -> np.ndarray | float:
    """``sqrt(L sigma_d^2 + d^2 sigma_L^2)``: spread of demand over a random lead time."""
    var = (np.asarray(lead_time_mean, float) * np.square(demand_std)
           + np.square(demand_mean) * np.square(lead_time_std))
    out = np.sqrt(var)
    return out if out.ndim else float(out)


def safety_stock(demand_mean: float, lead_time_mean: float, *, demand_std: float | None = None,
                 residuals: Sequence[float] | np.ndarray | None = None,
                 lead_time_std: float = 0.0, service_level: float | None = None,
                 fill_rate: float | None = None, order_quantity: float | None = None,
                 review_period: float = 0.0) -> InventoryPolicy:
    """Reorder point and safety stock for a cycle-service or fill-rate target.

    Parameters
    ----------
    demand_mean
        Forecast demand per period ``d``.
    lead_time_mean, lead_time_std
        Lead time in periods and its standard deviation.
    demand_std
        Standard deviation of the one-period forecast error (normal errors).
    residuals
        Past one-period forecast errors (actual minus forecast) instead of ``demand_std``: the
        lead-time error is their empirical distribution, from rolling sums over the lead time when
        there are enough of them (this keeps autocorrelation), else scaled by ``sqrt(L)``.
        A biased forecast (residual mean not zero) is corrected by the same quantile.
    service_level
        Target cycle service level ``alpha``: probability of no stockout in a replenishment
        cycle.
    fill_rate
        Target fill rate ``beta``: fraction of demand met from stock. Needs ``order_quantity``
        (units per replenishment) or a ``review_period`` (then ``Q = d R``).
    order_quantity
        Units per replenishment, used for the fill rate.
    review_period
        Periods between reviews (0 = continuous review); the buffer then covers ``L + R``.

    Returns
    -------
    InventoryPolicy
        ``reorder_point`` (order-up-to level under periodic review), ``safety_stock``,
        ``lead_time_demand_mean``, ``lead_time_demand_std`` and ``expected_backorders`` (per
        replenishment cycle); ``service_level`` and ``fill_rate`` are the values achieved.

    Examples
    --------
    >>> pol = safety_stock(100, 4, demand_std=20, lead_time_std=1, service_level=0.95)
    >>> round(pol["lead_time_demand_std"], 2), round(pol["safety_stock"], 1)
    (107.7, 177.2)
    """
    f = "safety_stock"
    d = nonneg(demand_mean, "demand_mean", f)
    lt = nonneg(lead_time_mean, "lead_time_mean", f)
    lt_sd = nonneg(lead_time_std, "lead_time_std", f)
    rp = nonneg(review_period, "review_period", f)
    target = exactly_one(f, service_level=service_level, fill_rate=fill_rate)
    level = probability(service_level if target == "service_level" else fill_rate, target, f)
    exactly_one(f, demand_std=demand_std, residuals=residuals)
    span = lt + rp
    q = None
    if order_quantity is not None:
        q = positive(order_quantity, "order_quantity", f)
    elif rp > 0:
        q = d * rp
    if target == "fill_rate" and not q:
        raise InputError(f"{f} needs 'order_quantity' or a positive 'review_period' for a "
                         f"fill-rate target: the fill rate depends on how many units each replenishment "
                         f"brings. Got neither instead.", where="order_quantity")
    mean = d * span
    if residuals is None:
        sd_d = nonneg(demand_std, "demand_std", f)
        sigma = float(lead_time_demand_std(d, sd_d, span, lt_sd))
        dist = _NormalError(sigma)
        source = f"normal forecast errors (sigma {sd_d:g} per period)"
    else:
        errors = _lead_time_errors(f, residuals, span)
        spread = d * lt_sd
        dist = _EmpiricalError(errors, spread)
        sigma = math.sqrt(float(np.var(errors)) + spread * spread)
        source = f"{len(np.asarray(residuals).ravel())} past forecast errors"
    if target == "service_level":
        buffer = dist.quantile(level)
    else:
        assert q is not None
        buffer = dist.inverse_loss((1 - level) * q)
    backorders = dist.loss(buffer)
    alpha = dist.cdf(buffer)
    beta = None if not q else max(0.0, 1 - backorders / q)
    what = "order-up-to level" if rp > 0 else "reorder point"
    goal = (f"a {level:.1%} cycle service level" if target == "service_level"
            else f"a {level:.1%} fill rate")
    reason = (f"Set the {what} to {mean + buffer:,.1f}: mean demand over the "
              f"{span:g}-period {'lead time + review period' if rp > 0 else 'lead time'} is "
              f"{mean:,.1f} and {buffer:,.1f} units of safety stock cover {source}"
              + (f" and lead-time variability (sigma_L {lt_sd:g})" if lt_sd > 0 else "")
              + f" for {goal}.")
    return InventoryPolicy(
        "order_up_to" if rp > 0 else "rQ",
        {"reorder_point": mean + buffer, "safety_stock": buffer, "lead_time_demand_mean": mean,
         "lead_time_demand_std": sigma, "expected_backorders": backorders}
        | ({"order_quantity": q} if q else {}),
        None, alpha, beta, reason, method="normal" if residuals is None else "empirical")


def _lead_time_errors(func: str, residuals: Sequence[float] | np.ndarray,
                      span: float) -> np.ndarray:
    e = np.asarray(residuals, dtype=float).ravel()
    if e.size < 2 or not np.all(np.isfinite(e)):
        raise InputError(f"The 'residuals' parameter of {func} must hold at least 2 finite "
                         f"numbers. Got {e.size} instead.", where="residuals")
    whole = int(round(span))
    if abs(span - whole) < 1e-9 and whole >= 1 and e.size - whole + 1 >= MIN_WINDOWS:
        return np.convolve(e, np.ones(whole), mode="valid")
    return e * math.sqrt(span)


class _NormalError:
    def __init__(self, sigma: float) -> None:
        self.sigma = sigma

    def quantile(self, a: float) -> float:
        return float(self.sigma * ndtri(a))

    def cdf(self, x: float) -> float:
        return float(ndtr(x / self.sigma)) if self.sigma > 0 else float(x >= 0)

    def loss(self, x: float) -> float:
        return float(normal_loss(x, 0.0, self.sigma))

    def inverse_loss(self, target: float) -> float:
        if self.sigma <= 0:
            return 0.0
        return float(self.sigma * inverse_std_normal_loss(target / self.sigma))


class _EmpiricalError:
    """Empirical errors, optionally blurred by a normal lead-time term (a normal mixture)."""

    def __init__(self, errors: np.ndarray, spread: float) -> None:
        self.e = np.sort(errors)
        self.s = spread

    def cdf(self, x: float) -> float:
        if self.s <= 0:
            return float(np.searchsorted(self.e, x, side="right") / self.e.size)
        return float(np.mean(ndtr((x - self.e) / self.s)))

    def quantile(self, a: float) -> float:
        if self.s <= 0:
            idx = int(np.ceil(a * self.e.size - 1e-12)) - 1
            return float(self.e[min(max(idx, 0), self.e.size - 1)])
        lo, hi = self.e[0] - 40 * self.s, self.e[-1] + 40 * self.s
        return float(optimize.brentq(lambda x: self.cdf(x) - a, lo, hi, xtol=1e-12))

    def loss(self, x: float) -> float:
        if self.s <= 0:
            return float(np.mean(np.maximum(self.e - x, 0.0)))
        return float(np.mean(self.s * std_normal_loss((x - self.e) / self.s)))

    def inverse_loss(self, target: float) -> float:
        lo, hi = self.e[0] - 40 * max(self.s, 1.0) - target, self.e[-1] + 40 * max(self.s, 1.0)
        if self.loss(hi) > target:
            return hi
        return float(optimize.brentq(lambda x: self.loss(x) - target, lo, hi, xtol=1e-12))
