"""Periodic review with a fixed ordering cost: (s, S) policies and the finite-horizon DP.

When each order costs ``K``, ordering every period is wasteful: the optimal stationary policy
orders up to ``S`` only when the inventory position drops to ``s`` or below. For discrete demand
the Zheng-Federgruen (1991) algorithm finds the exact optimum by exploiting that the one-period
cost ``G`` is convex; for normal demand the demand is put on a fine lattice first, or the
Ehrhardt-Mosier power approximation gives a quick closed form.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from scipy.special import ndtr

from supplypilot.errors import InputError
from supplypilot.plan.inventory._eoq import eoq_with_backorders
from supplypilot.plan.inventory._loss import Lattice, normal_lattice, normal_loss, poisson_lattice
from supplypilot.plan.inventory._types import InventoryPolicy
from supplypilot.plan.inventory._validate import (
    check_number,
    check_sequence,
    nonneg,
    one_of,
    positive,
)


class _AlignedLoss:
    """``E[(D - x)+]`` for ``x`` on the lattice's own grid, from suffix sums (O(1) per point)."""

    def __init__(self, lat: Lattice) -> None:
        self.lat = lat
        v = lat.values
        self.tail_p = np.concatenate([np.cumsum(lat.pmf[::-1])[::-1], [0.0]])
        self.tail_vp = np.concatenate([np.cumsum((v * lat.pmf)[::-1])[::-1], [0.0]])
        self.mean = float(np.dot(v, lat.pmf))

    def __call__(self, x: np.ndarray) -> np.ndarray:
        k = np.rint((x - self.lat.start) / self.lat.step).astype(np.int64)
        nxt = np.clip(k + 1, 0, len(self.lat.pmf))
        out = self.tail_vp[nxt] - x * self.tail_p[nxt]
        return np.where(k < 0, self.mean - x, out)


class _SSModel:
    """Integer-indexed (s, S) model: positions ``y`` mean ``y * step`` units."""

    def __init__(self, period: Lattice, protection: Lattice, before: Lattice, h: float, p: float,
                 k: float) -> None:
        self.step = period.step
        self.h, self.p, self.k = h, p, k
        self.protection, self.before = protection, before
        self._prot_loss = _AlignedLoss(protection)
        q = period.pmf
        first = int(round(period.start / period.step))
        if first < 0:
            raise InputError("Demand per period must be non-negative for an (s, S) policy; the "
                             "demand distribution puts mass below 0.", where="demand_mean")
        self.p_idx = np.zeros(first + len(q))
        self.p_idx[first:] = q
        if self.p_idx[0] >= 1 - 1e-15:
            raise InputError("Demand per period is zero with certainty; no reorder is ever needed.",
                             where="demand_mean")
        self._m = np.empty(0)
        self._g_lo = 0
        self._g = np.empty(0)

    def _g_range(self, lo: int, hi: int) -> np.ndarray:
        """``G(y)`` for ``lo <= y <= hi``, extending the cached table by doubling."""
        if self._g.size == 0 or lo < self._g_lo or hi >= self._g_lo + self._g.size:
            span = max(hi - lo + 1, self._g.size, 64)
            new_lo = min(lo, self._g_lo if self._g.size else lo) - span
            new_hi = max(hi, self._g_lo + self._g.size - 1 if self._g.size else hi) + span
            x = np.arange(new_lo, new_hi + 1) * self.step
            short = self._prot_loss(x)
            self._g = self.h * (x - self._prot_loss.mean + short) + self.p * short
            self._g_lo = new_lo
        return self._g[lo - self._g_lo: hi - self._g_lo + 1]

    def g(self, y: int) -> float:
        """Expected holding and backorder cost at the end of the protection interval."""
        return float(self._g_range(y, y)[0])

    def m_array(self, n: int) -> np.ndarray:
        """Renewal densities ``m(0..n-1)``: expected periods spent ``j`` steps below S."""
        if self._m.size < n:
            old = self._m.size
            m = np.empty(max(n, 2 * old, 64))
            m[:old] = self._m
            p0 = self.p_idx[0]
            p = self.p_idx
            for i in range(old, m.size):
                if i == 0:
                    m[0] = 1.0 / (1 - p0)
                    continue
                top = min(i, len(p) - 1)
                m[i] = float(np.dot(p[1:top + 1], m[i - 1::-1][:top])) / (1 - p0)
            self._m = m
        return self._m[:n]

    def cost(self, s: int, big_s: int) -> float:
        n = big_s - s
        m = self.m_array(n)
        g = self._g_range(s + 1, big_s)[::-1]
        return float((self.k + np.dot(m, g)) / m.sum())

    def argmin_g(self) -> int:
        y = int(round(self.protection.mean / self.step))
        while self.g(y - 1) < self.g(y):
            y -= 1
        while self.g(y + 1) < self.g(y):
            y += 1
        return y

    def zheng_federgruen(self) -> tuple[int, int, float]:
        y_star = self.argmin_g()
        s, big_s = y_star - 1, y_star
        while self.cost(s, big_s) > self.g(s):
            s -= 1
        c0, best_s = self.cost(s, big_s), big_s
        cand = big_s + 1
        while self.g(cand) <= c0:
            if self.cost(s, cand) < c0:
                best_s = cand
                while self.cost(s, best_s) <= self.g(s + 1):
                    s += 1
                c0 = self.cost(s, best_s)
            cand += 1
        return s, best_s, c0

    def service(self, s: int, big_s: int) -> tuple[float, float]:
        """Cycle service level and fill rate from the stationary inventory position."""
        n = big_s - s
        w = self.m_array(n).copy()
        w /= w.sum()
        ys = (big_s - np.arange(n)) * self.step
        cdf = np.array([_cdf(self.protection, y) for y in ys])
        alpha = float(np.dot(w, cdf))
        mean = self.period_mean
        if mean <= 0:
            return alpha, 1.0
        new_bo = float(np.dot(w, self._prot_loss(ys) - _AlignedLoss(self.before)(ys)))
        return alpha, max(0.0, 1.0 - new_bo / mean)

    @property
    def period_mean(self) -> float:
        return float(np.dot(np.arange(len(self.p_idx)) * self.step, self.p_idx))


def _cdf(lat: Lattice, x: float) -> float:
    return float(lat.pmf[lat.values <= x + 1e-9 * lat.step].sum())


def _convolve(lat: Lattice, times: int) -> Lattice:
    if times == 0:
        return Lattice(0.0, lat.step, np.array([1.0]))
    pmf = lat.pmf
    for _ in range(times - 1):
        pmf = np.convolve(pmf, lat.pmf)
    return Lattice(lat.start * times, lat.step, pmf / pmf.sum())


def _period_lattice(func: str, demand_mean: float | None, demand_std: float | None,
                    distribution: str, demand_pmf: Mapping[int, float] | None,
                    step: float | None) -> Lattice:
    if demand_pmf is not None:
        keys = [check_number(k, "demand_pmf key", func, low=0.0, integer=True) for k in demand_pmf]
        pmf = np.zeros(max(keys) + 1)
        for key, v in zip(keys, demand_pmf.values(), strict=True):
            pmf[key] += check_number(v, f"demand_pmf[{key}]", func, low=0.0, high=1.0)
        if abs(pmf.sum() - 1) > 1e-6:
            raise InputError(f"The 'demand_pmf' parameter of {func} must sum to 1. Got "
                             f"{pmf.sum():g} instead.", where="demand_pmf")
        return Lattice(0.0, 1.0, pmf / pmf.sum())
    mean = positive(demand_mean, "demand_mean", func)
    if distribution == "poisson":
        return poisson_lattice(mean)
    sd = nonneg(0.0 if demand_std is None else demand_std, "demand_std", func)
    st = (sd / 20 if sd > 0 else mean / 100) if step is None else positive(step, "step", func)
    lat = normal_lattice(mean, sd, st)
    if lat.start < 0:  # demand cannot be negative: move the (tiny) negative mass to zero
        first = int(round(lat.start / st))
        pmf = lat.pmf.copy()
        pmf[-first] += pmf[:-first].sum()
        lat = Lattice(0.0, st, pmf[-first:])
    return lat


def ss_policy(holding_cost: float, stockout_cost: float, fixed_cost: float,
              demand_mean: float | None = None, demand_std: float | None = None,
              lead_time: int = 0, *, distribution: str = "poisson",
              demand_pmf: Mapping[int, float] | None = None, method: str = "exact",
              step: float | None = None) -> InventoryPolicy:
    """Optimal periodic-review (s, S) policy: order up to ``S`` once the position is ``<= s``.

    Parameters
    ----------
    holding_cost, stockout_cost
        ``h`` and ``p`` per unit per period, charged on the inventory level at the end of the
        period (backorders allowed).
    fixed_cost
        ``K`` per order.
    demand_mean, demand_std
        Demand per period (``demand_std`` only for ``distribution="normal"``).
    lead_time
        Whole periods between ordering and receiving; costs then fall on demand over
        ``lead_time + 1`` periods.
    distribution
        ``"poisson"`` or ``"normal"`` (put on a lattice of spacing ``step``, default ``sd / 20``).
    demand_pmf
        A discrete demand ``{units: probability}`` instead.
    method
        ``"exact"`` (Zheng-Federgruen on the discrete demand) or ``"power"`` (Ehrhardt-Mosier
        power approximation; normal demand; no cost is computed for it).

    Returns
    -------
    InventoryPolicy
        ``s`` and ``S``; ``expected_cost`` per period; service level and fill rate from the
        stationary distribution of the inventory position.

    Examples
    --------
    >>> pol = ss_policy(1, 4, 5, 6)
    >>> pol["s"], pol["S"], round(pol.expected_cost, 4)
    (4.0, 10.0, 8.0341)
    """
    f = "ss_policy"
    one_of(method, "method", f, ("exact", "power"))
    one_of(distribution, "distribution", f, ("poisson", "normal"))
    h, p = positive(holding_cost, "holding_cost", f), positive(stockout_cost, "stockout_cost", f)
    k = nonneg(fixed_cost, "fixed_cost", f)
    lt = check_number(lead_time, "lead_time", f, low=0, integer=True)
    if method == "power":
        mean = positive(demand_mean, "demand_mean", f)
        sd = nonneg(0.0 if demand_std is None else demand_std, "demand_std", f)
        return _power(h, p, k, mean, sd, lt)
    period = _period_lattice(f, demand_mean, demand_std, distribution, demand_pmf, step)
    model = _SSModel(period, _convolve(period, lt + 1), _convolve(period, lt), h, p, k)
    s, big_s, cost = model.zheng_federgruen()
    alpha, beta = model.service(s, big_s)
    st = model.step
    return InventoryPolicy(
        "sS", {"s": s * st, "S": big_s * st, "order_quantity_typical": (big_s - s) * st},
        cost, alpha, beta,
        reason=(f"Review every period and, when stock on hand plus on order is at or below "
                f"{s * st:,.4g}, order up to {big_s * st:,.4g}: the fixed cost {k:g} makes "
                f"ordering every period too dear, and this pair minimises average cost per "
                f"period exactly (Zheng-Federgruen)."),
        method="exact (Zheng-Federgruen)",
        details={"lattice_step": st, "protection_periods": lt + 1})


def ss_cost(s: float, big_s: float, holding_cost: float, stockout_cost: float, fixed_cost: float,
            demand_mean: float | None = None, demand_std: float | None = None, lead_time: int = 0,
            *, distribution: str = "poisson", demand_pmf: Mapping[int, float] | None = None,
            step: float | None = None) -> float:
    """Average cost per period of a given (s, S) policy (same model as :func:`ss_policy`)."""
    f = "ss_cost"
    one_of(distribution, "distribution", f, ("poisson", "normal"))
    h, p = nonneg(holding_cost, "holding_cost", f), nonneg(stockout_cost, "stockout_cost", f)
    k = nonneg(fixed_cost, "fixed_cost", f)
    lt = check_number(lead_time, "lead_time", f, low=0, integer=True)
    period = _period_lattice(f, demand_mean, demand_std, distribution, demand_pmf, step)
    model = _SSModel(period, _convolve(period, lt + 1), _convolve(period, lt), h, p, k)
    lo = check_number(s, "s", f)
    hi = check_number(big_s, "S", f, low=lo, low_open=True)
    return model.cost(int(round(lo / model.step)), int(round(hi / model.step)))


def _power(h: float, p: float, k: float, mean: float, sd: float, lt: int) -> InventoryPolicy:
    mu_l, sd_l = mean * (lt + 1), sd * math.sqrt(lt + 1)
    q_p = 1.30 * mean ** 0.494 * (k / h) ** 0.506 * (1 + sd_l ** 2 / mean ** 2) ** 0.116
    z = math.sqrt(q_p * h / (sd_l * p)) if sd_l > 0 else math.inf
    s_p = 0.973 * mu_l + (sd_l * (0.183 / z + 1.063 - 2.192 * z) if sd_l > 0 else 0.0)
    return InventoryPolicy(
        "sS", {"s": s_p, "S": s_p + q_p, "order_quantity_typical": q_p}, None,
        reason=(f"Order up to {s_p + q_p:,.1f} whenever the position falls to {s_p:,.1f} or "
                f"below (power approximation: a regression fit to exact (s, S) optima, within a "
                f"few percent of the optimal cost)."),
        method="power approximation (Ehrhardt-Mosier)")


def finite_horizon(num_periods: int, holding_cost: float | Sequence[float],
                   stockout_cost: float | Sequence[float], terminal_holding_cost: float,
                   terminal_stockout_cost: float, purchase_cost: float | Sequence[float],
                   fixed_cost: float | Sequence[float],
                   demand_mean: float | Sequence[float] | None = None,
                   demand_std: float | Sequence[float] | None = None,
                   discount_factor: float | Sequence[float] = 1.0,
                   initial_inventory_level: float = 0.0, *,
                   demand_pmfs: Sequence[Mapping[int, float]] | None = None,
                   demand_spread: float = 4.0, state_spread: float = 5.0) -> InventoryPolicy:
    """Optimal (s_t, S_t) policy over ``T`` periods by backward dynamic programming.

    Demand may change from period to period (seasonality, a promotion), so the best policy does
    too: with ``fixed_cost = 0`` it is a base-stock level ``S_t`` per period, otherwise an
    ``(s_t, S_t)`` pair. The recursion is

        theta_t(x) = min_{y >= x} { K 1[y > x] + c (y - x) + g_t(y)
                                    + gamma E[theta_{t+1}(y - D_t)] }

    with terminal cost ``h_T x+ + p_T x-``. Inventory and demand are on the integers (a normal
    demand is rounded to the nearest integer, truncated at ``mean +/- demand_spread * sd``); the
    one-period cost ``g_t`` uses the continuous loss function. The state range starts from the
    newsvendor and EOQB estimates widened by ``state_spread`` standard deviations and is doubled
    whenever an optimal order-up-to level touches its top.

    Returns
    -------
    InventoryPolicy
        ``reorder_points`` and ``order_up_to_levels`` (lists, period 1 first) and ``total_cost``
        (the optimal expected discounted cost from ``initial_inventory_level``), which is also
        ``expected_cost``.
    """
    f = "finite_horizon"
    t_len = check_number(num_periods, "num_periods", f, low=1, integer=True)
    h = _series(holding_cost, "holding_cost", f, t_len)
    p = _series(stockout_cost, "stockout_cost", f, t_len)
    c = _series(purchase_cost, "purchase_cost", f, t_len)
    k = _series(fixed_cost, "fixed_cost", f, t_len)
    gamma = np.array([check_number(v, f"discount_factor[{i}]", f, low=0.0, high=1.0,
                                   low_open=True) for i, v in
                      enumerate(_series(discount_factor, "discount_factor", f, t_len, low=None))])
    h_t, p_t = nonneg(terminal_holding_cost, "terminal_holding_cost", f), \
        nonneg(terminal_stockout_cost, "terminal_stockout_cost", f)
    x1 = check_number(initial_inventory_level, "initial_inventory_level", f, integer=True)
    if demand_pmfs is not None:
        if len(demand_pmfs) != t_len:
            raise InputError(f"The 'demand_pmfs' parameter of {f} must have {t_len} elements. "
                             f"Got {len(demand_pmfs)} instead.", where="demand_pmfs")
        lats = [_period_lattice(f, None, None, "poisson", pm, None) for pm in demand_pmfs]
        mu = np.array([lat.mean for lat in lats])
        sd = np.array([math.sqrt(max(float(np.dot((lat.values - lat.mean) ** 2, lat.pmf)), 0.0))
                       for lat in lats])
    else:
        if demand_mean is None:
            raise InputError(f"{f} needs 'demand_mean' (with 'demand_std') or 'demand_pmfs'. "
                             f"Got neither instead.", where="demand_mean")
        mu = _series(demand_mean, "demand_mean", f, t_len)
        sd = _series(0.0 if demand_std is None else demand_std, "demand_std", f, t_len)
        lats = None

    d_min = int(max(0, round(mu.min() - demand_spread * sd.max())))
    d_max = int(round(mu.max() + demand_spread * sd.max()))
    d_vals = np.arange(d_min, d_max + 1)
    if lats is None:
        probs = [ndtr((d_vals + 0.5 - mu[t]) / sd[t]) - ndtr((d_vals - 0.5 - mu[t]) / sd[t])
                 if sd[t] > 0 else (d_vals == round(mu[t])).astype(float) for t in range(t_len)]
    else:
        probs = [np.array([lat.pmf[int(d)] if 0 <= int(d) < len(lat.pmf) else 0.0
                           for d in d_vals]) for lat in lats]
    q_eoqb = [eoq_with_backorders(k[t], max(h[t], 1e-12), max(p[t], 1e-12),
                                  max(mu[t], 1e-12))["order_quantity"] for t in range(t_len)]
    x_min = int(round(mu.min() - mu.max() - sd.max() * (state_spread + demand_spread)))
    x_max = int(round(mu.max() + max(q_eoqb) + sd.max() * state_spread))
    x_min = min(x_min, x1)
    x_max = max(x_max, x1)
    while True:
        result = _fh_solve(t_len, h, p, c, k, gamma, h_t, p_t, mu, sd, lats, d_vals, probs,
                           x_min, x_max)
        if result is not None:
            break
        x_max = max(2 * x_max, x_max + 16)
    theta, oul = result
    xs = np.arange(x_min, x_max + 1)
    big_s = [float(oul[t][0]) for t in range(t_len)]
    small_s = []
    for t in range(t_len):
        i = 0
        while i + 1 < len(xs) and oul[t][i + 1] == oul[t][0]:
            i += 1
        small_s.append(float(xs[i]))
    total = float(theta[0][x1 - x_min])
    kind = "base-stock levels" if np.all(k == 0) else "(s, S) pairs"
    return InventoryPolicy(
        "sS", {"reorder_points": small_s, "order_up_to_levels": big_s, "total_cost": total},
        total,
        reason=(f"Use the period-specific {kind} shown: backward induction over {t_len} periods "
                f"gives the policy that minimises expected discounted cost from a starting "
                f"inventory of {x1}."),
        method="dynamic programming",
        details={"x_range": (x_min, x_max), "demand_range": (d_min, d_max)})


def _fh_solve(t_len: int, h: np.ndarray, p: np.ndarray, c: np.ndarray, k: np.ndarray,
              gamma: np.ndarray, h_t: float, p_t: float, mu: np.ndarray, sd: np.ndarray,
              lats: list[Lattice] | None, d_vals: np.ndarray, probs: list[np.ndarray],
              x_min: int, x_max: int) -> tuple[list[np.ndarray], list[np.ndarray]] | None:
    xs = np.arange(x_min, x_max + 1)
    n = len(xs)
    nxt = h_t * np.maximum(xs, 0) + p_t * np.maximum(-xs, 0)
    thetas: list[np.ndarray] = [np.empty(0)] * t_len
    ouls: list[np.ndarray] = [np.empty(0)] * t_len
    for t in range(t_len - 1, -1, -1):
        if lats is None:
            short = normal_loss(xs, mu[t], sd[t])
        else:
            short = lats[t].loss(xs.astype(float))
        left = xs - mu[t] + short
        # future cost: y - d clamped to the state range
        idx = np.clip(xs[:, None] - d_vals[None, :], x_min, x_max) - x_min
        big_h = h[t] * left + p[t] * short + gamma[t] * (nxt[idx] @ probs[t])
        # theta(x) = min(H(x), K - c x + min_{y > x} (c y + H(y))), smallest y on ties
        val = c[t] * xs + big_h
        best_val = np.empty(n)
        best_idx = np.empty(n, dtype=int)
        best_val[-1], best_idx[-1] = np.inf, n - 1
        for i in range(n - 2, -1, -1):
            if val[i + 1] <= best_val[i + 1]:
                best_val[i], best_idx[i] = val[i + 1], i + 1
            else:
                best_val[i], best_idx[i] = best_val[i + 1], best_idx[i + 1]
        order = k[t] - c[t] * xs + best_val
        take = order < big_h
        theta = np.where(take, order, big_h)
        y_idx = np.where(take, best_idx, np.arange(n))
        if np.any(y_idx[:-1] == n - 1):
            return None  # the best order-up-to level sits at the top of the range: widen it
        thetas[t] = theta
        ouls[t] = xs[y_idx]
        nxt = theta
    return thetas, ouls


def _series(value: Any, name: str, func: str, t_len: int, low: float | None = 0.0) -> np.ndarray:
    if isinstance(value, Sequence | np.ndarray) and not isinstance(value, str):
        return np.array(check_sequence(value, name, func, length=t_len, low=low), dtype=float)
    if low is None:
        return np.full(t_len, check_number(value, name, func))
    return np.full(t_len, check_number(value, name, func, low=low))
