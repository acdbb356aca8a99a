"""Stochastic-service serial systems: exact echelon base-stock levels (Clark-Scarf, Chen-Zheng).

In a serial line of stages (stage 1 serves customers, stage N buys from outside) under echelon
base-stock policies, stages do not promise service times: a stage that runs out simply delays
the one downstream. Clark and Scarf (1960) showed the optimal echelon levels can be found one
stage at a time, and Chen and Zheng (1994) gave the recursion used here:

    C_0(x) = (p + H_1) x-                    (H_1 = sum of echelon holding costs)
    C^_j(x) = h_j x + C_{j-1}(x)
    C~_j(y) = E[C^_j(y - D_j)]               (D_j = demand over stage j's lead time)
    S_j = argmin C~_j,   C_j(x) = C~_j(min(S_j, x))

and the optimal expected cost per unit of time is ``C~_N(S_N)``. The expectations are taken on a
lattice: exact for Poisson demand, a midpoint discretisation (error of order step^2) for normal.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.signal import fftconvolve

from supplypilot.errors import InputError
from supplypilot.plan.inventory._loss import Lattice, normal_lattice, poisson_lattice
from supplypilot.plan.inventory._validate import check_sequence, nonneg, one_of, positive
from supplypilot.plan.result import PlanResult, SolveStatus

MAX_POINTS = 400_000


@dataclass
class SerialResult(PlanResult):
    """Optimal echelon and local base-stock levels of a serial system (index 0 = customer side)."""

    echelon_base_stock: list[float] = field(default_factory=list)
    local_base_stock: list[float] = field(default_factory=list)

    def summary(self) -> str:
        """The common result head, then one line per stage (stage 1 serves customers)."""
        lines = [super().summary()]
        for j, (e, loc) in enumerate(zip(self.echelon_base_stock, self.local_base_stock,
                                         strict=True), start=1):
            lines.append(f"stage {j}: echelon base stock {e:,.2f}, local {loc:,.2f}")
        return "\n".join(lines)


def serial_base_stock(echelon_holding_cost: Sequence[float], lead_time: Sequence[float],
                      stockout_cost: float, demand_mean: float, demand_std: float | None = None,
                      *, distribution: str = "normal", step: float | None = None) -> SerialResult:
    """Optimal echelon base-stock levels of an N-stage serial system (Chen-Zheng algorithm).

    Parameters
    ----------
    echelon_holding_cost
        ``h_j`` for stage 1 (customer-facing) first: the extra holding cost per unit per unit
        of time added at stage ``j`` (local cost of ``j`` minus local cost of its supplier).
    lead_time
        Shipment lead time into each stage, same order.
    stockout_cost
        ``p`` per unit backordered per unit of time at stage 1.
    demand_mean, demand_std
        Customer demand per unit of time; demand over a lead time ``L`` is ``N(mu L, sigma^2 L)``
        or ``Poisson(mu L)``.
    distribution
        ``"normal"`` or ``"poisson"``.
    step
        Lattice spacing for normal demand (default: the smallest lead-time standard deviation
        / 50).

    Returns
    -------
    SerialResult
        ``echelon_base_stock`` and ``local_base_stock`` per stage and the optimal expected cost
        per unit of time as ``objective``.

    Examples
    --------
    >>> res = serial_base_stock([0.25] * 4, [0.25] * 4, 9, 16, distribution="poisson")
    >>> res.echelon_base_stock, round(res.objective, 3)
    ([8.0, 13.0, 18.0, 22.0], 12.688)
    """
    start = time.perf_counter()
    levels, cost, delta = _recursion(None, echelon_holding_cost, lead_time, stockout_cost,
                                     demand_mean, demand_std, distribution, step,
                                     "serial_base_stock")
    local = [levels[0]] + [levels[j] - levels[j - 1] for j in range(1, len(levels))]
    res = SerialResult(SolveStatus.OPTIMAL, objective=cost, bound=cost,
                       runtime=time.perf_counter() - start,
                       solver=f"supplypilot Chen-Zheng recursion ({distribution}, step {delta:g})",
                       echelon_base_stock=levels, local_base_stock=local)
    res.reasons.append("Each stage orders up to its echelon level (stock at or below it, "
                       "including what is in transit); the levels are optimal for the whole line, "
                       "not stage by stage.")
    return res


def _recursion(fixed: list[float] | None, echelon_holding_cost: Sequence[float],
               lead_time: Sequence[float], stockout_cost: float, demand_mean: float,
               demand_std: float | None, distribution: str, step: float | None,
               f: str) -> tuple[list[float], float, float]:
    """Run the Chen-Zheng recursion; with ``fixed`` levels, price them instead of optimising."""
    h = check_sequence(echelon_holding_cost, "echelon_holding_cost", f)
    lt = check_sequence(lead_time, "lead_time", f, length=len(h))
    if fixed is not None and len(fixed) != len(h):
        raise InputError(f"The 'echelon_base_stock' parameter of {f} must have {len(h)} elements. "
                         f"Got {len(fixed)} instead.", where="echelon_base_stock")
    p = positive(stockout_cost, "stockout_cost", f)
    one_of(distribution, "distribution", f, ("normal", "poisson"))
    mu = nonneg(demand_mean, "demand_mean", f)
    sd = 0.0 if demand_std is None else nonneg(demand_std, "demand_std", f)
    if sum(h) <= 0:
        raise InputError(f"The 'echelon_holding_cost' parameter of {f} must add up to a positive "
                         f"holding cost at stage 1. Got {list(h)!r} instead.",
                         where="echelon_holding_cost")
    if distribution == "poisson":
        lattices = [poisson_lattice(mu * L) for L in lt]
        delta = 1.0
    else:
        sds = [sd * math.sqrt(L) for L in lt if L > 0]
        delta = (min(sds) / 50 if sds and min(sds) > 0 else max(mu, 1.0) / 100) \
            if step is None else positive(step, "step", f)
        lattices = [normal_lattice(mu * L, sd * math.sqrt(L), delta) for L in lt]
    total_mean = mu * sum(lt)
    spread = sum(float(lat.values[-1] - lat.values[0]) for lat in lattices)
    top = max([total_mean] + ([max(fixed)] if fixed else []))
    lo = min([0.0] + [float(lat.values[0]) for lat in lattices] + (list(fixed) if fixed else [])) \
        - spread - 10 * delta
    hi = top + spread + 10 * delta
    n = int(math.ceil((hi - lo) / delta)) + 1
    if n > MAX_POINTS:
        raise InputError(f"The lattice for {f} would need {n:,} points; pass a larger 'step'.",
                         where="step")
    first = math.floor(lo / delta)
    x = (first + np.arange(n)) * delta
    carry = (p + sum(h)) * np.maximum(-x, 0.0)
    levels: list[float] = []
    cost = math.nan
    for j, lat in enumerate(lattices):
        c_tilde = _expect(h[j] * x + carry, lat, delta)
        if fixed is None:
            k = int(np.argmin(c_tilde))
            levels.append(float(x[k]))
            cost = float(c_tilde[k])
            carry = np.where(np.arange(n) <= k, c_tilde, c_tilde[k])
        else:
            levels.append(fixed[j])
            at = float(np.interp(fixed[j], x, c_tilde))
            cost = at
            carry = np.where(x <= fixed[j], c_tilde, at)
    return levels, cost, delta


def _expect(values: np.ndarray, lat: Lattice, delta: float) -> np.ndarray:
    """``E[values(x - D)]`` on the same grid; off-grid arguments use the linear tails."""
    off = int(round(lat.start / delta))
    m = len(lat.pmf)
    n = len(values)
    pad_left = max(off + m - 1, 0)
    pad_right = max(-off, 0)
    left_slope = values[1] - values[0]
    right_slope = values[-1] - values[-2]
    ext = np.concatenate([values[0] - left_slope * np.arange(pad_left, 0, -1), values,
                          values[-1] + right_slope * np.arange(1, pad_right + 1)])
    full = fftconvolve(ext, lat.pmf, mode="full") if m > 64 else np.convolve(ext, lat.pmf)
    # full[t] = sum_k pmf[k] ext[t - k]; we want sum_k pmf[k] values[i - off - k]
    idx = np.arange(n) + pad_left - off
    return full[idx]


def serial_expected_cost(echelon_base_stock: Sequence[float], echelon_holding_cost: Sequence[float],
                         lead_time: Sequence[float], stockout_cost: float, demand_mean: float,
                         demand_std: float | None = None, *, distribution: str = "normal",
                         step: float | None = None) -> float:
    """Expected cost per unit of time of given echelon base-stock levels (same model and lattice
    as :func:`serial_base_stock`), to price a policy in use or a heuristic."""
    f = "serial_expected_cost"
    levels = check_sequence(echelon_base_stock, "echelon_base_stock", f, low=None)
    res = _recursion(levels, echelon_holding_cost, lead_time, stockout_cost, demand_mean,
                     demand_std, distribution, step, f)
    return res[1]
