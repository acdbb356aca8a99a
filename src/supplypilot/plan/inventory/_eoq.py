"""Deterministic lot sizing: EOQ and its variants, Wagner-Whitin, joint replenishment.

These are the models to use when demand is (nearly) constant or known: they trade the fixed cost
of ordering against the cost of holding stock, and their answers are the starting point of every
stochastic policy (the ``Q`` of an (r, Q) policy, the ``S - s`` of an (s, S) policy).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from supplypilot.errors import InputError
from supplypilot.plan.inventory._types import InventoryPolicy
from supplypilot.plan.inventory._validate import (
    check_number,
    check_sequence,
    nonneg,
    positive,
)


def eoq(fixed_cost: float, holding_cost: float, demand_rate: float,
        order_quantity: float | None = None) -> InventoryPolicy:
    """Economic order quantity: the lot size that balances ordering and holding costs.

    Parameters
    ----------
    fixed_cost
        Cost per order ``K`` (independent of its size).
    holding_cost
        Cost of holding one unit for one unit of time ``h``.
    demand_rate
        Units demanded per unit of time ``lambda`` (same time unit as ``h``).
    order_quantity
        Evaluate this lot size instead of optimising (to price a supplier's fixed pack size).

    Returns
    -------
    InventoryPolicy
        ``order_quantity`` and ``cycle_time``; ``expected_cost`` is ordering plus holding cost per
        unit of time, ``K lambda / Q + h Q / 2``.

    Examples
    --------
    >>> round(eoq(8, 0.225, 1300)["order_quantity"], 4)
    304.0468
    """
    f = "eoq"
    k, h, lam = nonneg(fixed_cost, "fixed_cost", f), positive(holding_cost, "holding_cost", f), \
        positive(demand_rate, "demand_rate", f)
    q = math.sqrt(2 * k * lam / h) if order_quantity is None else \
        positive(order_quantity, "order_quantity", f)
    cost = (k * lam / q if q > 0 else 0.0) + h * q / 2
    why = ("Order {q:,.1f} units every {t:.4g} time units: at this lot size the ordering cost "
           "({o:,.2f}) equals the holding cost ({hh:,.2f}) per unit of time, which minimises "
           "their sum." if order_quantity is None else
           "Ordering {q:,.1f} units every {t:.4g} time units costs {o:,.2f} in orders and "
           "{hh:,.2f} in holding per unit of time.")
    return InventoryPolicy(
        "eoq", {"order_quantity": q, "cycle_time": q / lam}, cost,
        reason=why.format(q=q, t=q / lam, o=k * lam / q if q else 0.0, hh=h * q / 2),
        method="closed form", details={"ordering_cost": k * lam / q if q else 0.0,
                                       "holding_cost": h * q / 2})


def eoq_with_backorders(fixed_cost: float, holding_cost: float, stockout_cost: float,
                        demand_rate: float) -> InventoryPolicy:
    """EOQ with planned backorders (EOQB): let a fraction of each cycle run short on purpose.

    Worth it when a backorder is cheap compared to holding stock: the optimal fraction of each
    cycle spent out of stock is ``h / (h + p)``.

    Parameters
    ----------
    fixed_cost, holding_cost, demand_rate
        As in :func:`eoq`.
    stockout_cost
        Cost of one unit backordered for one unit of time ``p``.

    Returns
    -------
    InventoryPolicy
        ``order_quantity``, ``backorder_fraction`` (of the cycle), ``max_backorders``.
    """
    f = "eoq_with_backorders"
    k, h = nonneg(fixed_cost, "fixed_cost", f), positive(holding_cost, "holding_cost", f)
    p, lam = positive(stockout_cost, "stockout_cost", f), positive(demand_rate, "demand_rate", f)
    q = math.sqrt(2 * k * lam * (h + p) / (h * p))
    x = h / (h + p)
    cost = math.sqrt(2 * k * lam * h * p / (h + p))
    return InventoryPolicy(
        "eoq", {"order_quantity": q, "backorder_fraction": x, "max_backorders": x * q,
                "cycle_time": q / lam}, cost, service_level=None, fill_rate=1 - x,
        reason=(f"Order {q:,.1f} units and let {x:.1%} of each cycle run on backorders: a unit "
                f"short costs {p:g} against {h:g} to hold, so a small planned shortage is cheaper "
                f"than carrying the stock."),
        method="closed form")


def epq(fixed_cost: float, holding_cost: float, demand_rate: float,
        production_rate: float) -> InventoryPolicy:
    """Economic production quantity: EOQ when a batch arrives at a finite rate ``mu > lambda``.

    Stock builds up at ``mu - lambda`` during production, so the average stock is lower than in
    EOQ and the best batch is larger by ``1 / sqrt(1 - lambda / mu)``.
    """
    f = "epq"
    k, h = nonneg(fixed_cost, "fixed_cost", f), positive(holding_cost, "holding_cost", f)
    lam = positive(demand_rate, "demand_rate", f)
    mu = check_number(production_rate, "production_rate", f, low=lam, low_open=True)
    rho = 1 - lam / mu
    q = math.sqrt(2 * k * lam / (h * rho))
    cost = math.sqrt(2 * k * lam * h * rho)
    return InventoryPolicy(
        "eoq", {"order_quantity": q, "cycle_time": q / lam, "production_time": q / mu,
                "max_inventory": q * rho}, cost,
        reason=(f"Produce batches of {q:,.1f} units: production at {mu:g} per unit of time "
                f"against demand {lam:g} keeps average stock at {q * rho / 2:,.1f}, so batches can "
                f"be larger than the plain EOQ."),
        method="closed form")


def eoq_all_units_discount(fixed_cost: float, holding_cost_rate: float, demand_rate: float,
                           breakpoints: Sequence[float],
                           unit_costs: Sequence[float]) -> InventoryPolicy:
    """EOQ when a larger order lowers the unit price of *all* units (all-units discount).

    The holding cost is ``holding_cost_rate * unit price``, so each price region has its own EOQ;
    the best order is either a region's EOQ (if it falls inside the region) or a region's lower
    breakpoint. Total cost includes the purchase cost, since it now depends on ``Q``.

    Parameters
    ----------
    fixed_cost, demand_rate
        As in :func:`eoq`.
    holding_cost_rate
        Holding cost per unit of money per unit of time ``i`` (so ``h = i c``).
    breakpoints
        Lower limits of the price regions, starting at 0 and increasing.
    unit_costs
        Unit price in each region (same length as ``breakpoints``).

    Returns
    -------
    InventoryPolicy
        ``order_quantity``, ``region`` (0-based), ``unit_cost``; ``expected_cost`` is purchase +
        ordering + holding cost per unit of time.
    """
    f = "eoq_all_units_discount"
    k, i = nonneg(fixed_cost, "fixed_cost", f), positive(holding_cost_rate, "holding_cost_rate", f)
    lam = positive(demand_rate, "demand_rate", f)
    b = check_sequence(breakpoints, "breakpoints", f)
    c = check_sequence(unit_costs, "unit_costs", f, length=len(b), low=0.0, low_open=True)
    if b[0] != 0 or any(b2 <= b1 for b1, b2 in zip(b, b[1:], strict=False)):
        raise InputError(f"The 'breakpoints' parameter of {f} must start at 0 and increase. "
                         f"Got {list(breakpoints)!r} instead.", where="breakpoints")
    best: tuple[float, int, float] | None = None
    for j, cj in enumerate(c):
        upper = b[j + 1] if j + 1 < len(b) else math.inf
        q = math.sqrt(2 * k * lam / (i * cj))
        if q >= upper:
            continue  # this region's EOQ lies above it: a cheaper region does better
        q = max(q, b[j])
        cost = cj * lam + k * lam / q + i * cj * q / 2
        if best is None or cost < best[2] - 1e-12:
            best = (q, j, cost)
    assert best is not None  # the last region is unbounded, so it always yields a candidate
    q, j, cost = best
    return InventoryPolicy(
        "eoq", {"order_quantity": q, "region": j, "unit_cost": c[j], "cycle_time": q / lam}, cost,
        reason=(f"Order {q:,.1f} units at the price {c[j]:g} of region {j}: the discount on "
                f"every unit outweighs the extra holding cost of the larger lot."),
        method="region enumeration")


def wagner_whitin(demand: Sequence[float], fixed_cost: float | Sequence[float],
                  holding_cost: float | Sequence[float],
                  purchase_cost: float | Sequence[float] = 0.0) -> InventoryPolicy:
    """Wagner-Whitin: optimal order quantities for known, time-varying demand.

    An optimal plan orders only when stock runs out and each order covers a whole number of
    periods, so a shortest-path recursion over "order in period i covers i..j" is exact.
    Ending inventory of each period is charged ``holding_cost``; periods with zero demand never
    force an order.

    Parameters
    ----------
    demand
        Demand of each period 1..T.
    fixed_cost, holding_cost, purchase_cost
        A number for every period or a list of length T.

    Returns
    -------
    InventoryPolicy
        ``order_quantities`` (list, one per period) and ``order_periods`` (1-based);
        ``expected_cost`` is the total cost over the horizon, purchase cost included.
    """
    f = "wagner_whitin"
    d = np.array(check_sequence(demand, "demand", f))
    t_len = len(d)
    k = _per_period(fixed_cost, "fixed_cost", f, t_len)
    h = _per_period(holding_cost, "holding_cost", f, t_len)
    c = _per_period(purchase_cost, "purchase_cost", f, t_len)
    best = np.full(t_len + 1, math.inf)
    best[0] = 0.0
    choice = [-1] * (t_len + 1)
    # hold[i] = holding cost of ordering in period i for periods i..j, updated as j grows
    hold = np.zeros(t_len + 1)
    h_sum = np.zeros(t_len + 1)  # h[i-1] + ... + h[j-2]: holding rate of a unit kept i -> j
    qty = np.zeros(t_len + 1)
    for j in range(1, t_len + 1):
        if j >= 2:
            h_sum[1:j] += h[j - 2]
            hold[1:j] += d[j - 1] * h_sum[1:j]
        qty[1:j + 1] += d[j - 1]
        if d[j - 1] == 0 and best[j - 1] < best[j]:
            best[j], choice[j] = best[j - 1], 0  # nothing to cover: no order needed
        for i in range(1, j + 1):
            if qty[i] == 0:
                continue
            cost = best[i - 1] + k[i - 1] + c[i - 1] * qty[i] + hold[i]
            if cost < best[j] - 1e-12:
                best[j], choice[j] = cost, i
    orders = [0.0] * t_len
    j = t_len
    while j > 0:
        i = choice[j]
        if i == 0:
            j -= 1
            continue
        orders[i - 1] = float(d[i - 1:j].sum())
        j = i - 1
    periods = [t + 1 for t, q in enumerate(orders) if q > 0]
    return InventoryPolicy(
        "lot_sizing", {"order_quantities": orders, "order_periods": periods}, float(best[t_len]),
        reason=(f"Order in periods {', '.join(map(str, periods))}: each order covers demand up to "
                f"the next order, the cheapest split between setups and holding over "
                f"{t_len} periods."),
        method="Wagner-Whitin dynamic programming")


def joint_replenishment(shared_fixed_cost: float, individual_fixed_costs: Sequence[float],
                        holding_costs: Sequence[float],
                        demand_rates: Sequence[float]) -> InventoryPolicy:
    """Joint replenishment problem (JRP) by Silver's (1976) heuristic.

    Items ordered together share the fixed cost ``K0``; item ``i`` is ordered every ``m_i``-th
    joint order. Silver's rule gives the item with the smallest ``K_i / (h_i lambda_i)`` a
    multiple of 1, rounds the other multiples, then optimises the base cycle ``T`` in closed form.

    Returns
    -------
    InventoryPolicy
        ``base_cycle_time``, ``order_multiples`` and ``order_quantities`` (lists);
        ``expected_cost`` per unit of time.
    """
    f = "joint_replenishment"
    k0 = nonneg(shared_fixed_cost, "shared_fixed_cost", f)
    k = np.array(check_sequence(individual_fixed_costs, "individual_fixed_costs", f))
    n = len(k)
    h = np.array(check_sequence(holding_costs, "holding_costs", f, length=n, low_open=True))
    lam = np.array(check_sequence(demand_rates, "demand_rates", f, length=n, low_open=True))
    ratio = k / (h * lam)
    first = int(np.argmin(ratio))
    m = np.floor(np.sqrt(ratio * h[first] * lam[first] / (k0 + k[first])) + 0.5).astype(int)
    m = np.maximum(m, 1)
    m[first] = 1
    num = k0 + float(np.sum(k / m))
    den = float(np.sum(h * m * lam))
    t = math.sqrt(2 * num / den)
    q = m * t * lam
    cost = num / t + t * den / 2
    return InventoryPolicy(
        "joint_replenishment",
        {"base_cycle_time": t, "order_multiples": m.tolist(), "order_quantities": q.tolist()},
        cost,
        reason=(f"Place a joint order every {t:.4g} time units and include item i every m_i-th "
                f"time (m = {m.tolist()}): sharing the fixed cost {k0:g} beats ordering each "
                f"item on its own cycle."),
        method="Silver (1976) heuristic")


def _per_period(value: float | Sequence[float], name: str, func: str, t_len: int) -> np.ndarray:
    if isinstance(value, Sequence | np.ndarray) and not isinstance(value, str):
        return np.array(check_sequence(value, name, func, length=t_len))
    return np.full(t_len, nonneg(value, name, func))
