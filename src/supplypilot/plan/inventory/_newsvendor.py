"""Single-period and base-stock decisions: the newsvendor and its periodic-review extension.

A base-stock (order-up-to) policy with lead time ``L`` under periodic review faces demand over
``L + 1`` periods before the next order can help, so it is a newsvendor on that demand: the
optimal level leaves a probability ``p / (p + h)`` of not running out.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from supplypilot.plan.inventory._demand import Demand, as_demand
from supplypilot.plan.inventory._types import InventoryPolicy
from supplypilot.plan.inventory._loss import normal_loss
from supplypilot.plan.inventory._validate import check_number, nonneg, one_of, positive


def _nv_numbers(demand: Demand, h: float, p: float,
                level: float | None) -> tuple[float, float, float, float]:
    ratio = p / (p + h)
    s = demand.quantile(ratio) if level is None else level
    short = demand.shortage(s)
    left = demand.leftover(s)
    return s, h * left + p * short, ratio, short


def newsvendor(holding_cost: float, stockout_cost: float, demand_mean: float | None = None,
               demand_std: float | None = None, *, distribution: Any = None,
               demand_pmf: Mapping[float, float] | None = None,
               samples: Sequence[float] | np.ndarray | None = None,
               base_stock_level: float | None = None) -> InventoryPolicy:
    """Newsvendor: the stock level that balances leftover against shortage for one period.

    Parameters
    ----------
    holding_cost
        Cost ``h`` of each unit left over at the end of the period.
    stockout_cost
        Cost ``p`` of each unit of demand not met.
    demand_mean, demand_std
        Normal demand (the usual case when a forecast gives a mean and an error).
    distribution
        Any frozen scipy distribution instead (lognormal, gamma, Poisson...).
    demand_pmf
        A discrete distribution ``{value: probability}``.
    samples
        Observed demands (or forecast plus residuals): the empirical distribution is used, so no
        shape has to be assumed.
    base_stock_level
        Evaluate this level instead of optimising.

    Returns
    -------
    InventoryPolicy
        ``base_stock_level`` and ``critical_ratio``; ``expected_cost`` is ``h E[(S-D)+] +
        p E[(D-S)+]``; ``service_level`` is ``P(D <= S)``; ``fill_rate`` is ``1 - E[(D-S)+]/E[D]``.

    Examples
    --------
    >>> round(newsvendor(0.18, 0.7, 50, 8)["base_stock_level"], 4)
    56.604
    """
    f = "newsvendor"
    h, p = nonneg(holding_cost, "holding_cost", f), nonneg(stockout_cost, "stockout_cost", f)
    if h + p == 0:
        check_number(p, "stockout_cost", f, low=0.0, low_open=True)
    demand = as_demand(f, demand_mean, demand_std, distribution=distribution,
                       demand_pmf=demand_pmf, samples=samples)
    level = None if base_stock_level is None else check_number(base_stock_level,
                                                                "base_stock_level", f)
    s, cost, ratio, short = _nv_numbers(demand, h, p, level)
    return _nv_policy("newsvendor", demand, s, cost, ratio, short, h, p, level is None, "period")


def newsvendor_explicit(revenue: float, purchase_cost: float, salvage_value: float,
                        demand_mean: float | None = None, demand_std: float | None = None, *,
                        holding_cost: float = 0.0, stockout_cost: float = 0.0,
                        distribution: Any = None, demand_pmf: Mapping[float, float] | None = None,
                        samples: Sequence[float] | np.ndarray | None = None,
                        base_stock_level: float | None = None) -> InventoryPolicy:
    """Newsvendor stated with prices: sell at ``r``, buy at ``c``, salvage leftovers at ``v``.

    It is the plain newsvendor with overage cost ``c - v + h`` and underage cost ``r - c + p``;
    the expected profit is ``(r - c) E[D]`` minus that newsvendor cost, and is returned in
    ``details["expected_profit"]``.
    """
    f = "newsvendor_explicit"
    r, c = nonneg(revenue, "revenue", f), nonneg(purchase_cost, "purchase_cost", f)
    v = check_number(salvage_value, "salvage_value", f, low=None, high=c)
    h, p = nonneg(holding_cost, "holding_cost", f), nonneg(stockout_cost, "stockout_cost", f)
    check_number(r, "revenue", f, low=c)
    demand = as_demand(f, demand_mean, demand_std, distribution=distribution,
                       demand_pmf=demand_pmf, samples=samples)
    over, under = c - v + h, r - c + p
    level = None if base_stock_level is None else check_number(base_stock_level,
                                                                "base_stock_level", f)
    s, cost, ratio, short = _nv_numbers(demand, over, under, level)
    pol = _nv_policy("newsvendor", demand, s, cost, ratio, short, over, under, level is None,
                     "period")
    profit = (r - c) * demand.mean - cost
    return InventoryPolicy(pol.kind, pol.parameters, pol.expected_cost, pol.service_level,
                           pol.fill_rate, pol.reason + f" Expected profit {profit:,.4f}.",
                           pol.method, {"expected_profit": profit, "overage_cost": over,
                                        "underage_cost": under})


def base_stock(holding_cost: float, stockout_cost: float, demand_mean: float | None = None,
               demand_std: float | None = None, lead_time: float = 0.0, *,
               review: str = "periodic", distribution: Any = None,
               base_stock_level: float | None = None) -> InventoryPolicy:
    """Order-up-to (base-stock) level for i.i.d. demand per period and a fixed lead time.

    Under periodic review an order placed now covers demand until the order placed next period
    arrives, i.e. over ``lead_time + 1`` periods; under continuous review (one-for-one
    replenishment) it covers the lead time only. Either way it is a newsvendor on that demand.

    Parameters
    ----------
    holding_cost, stockout_cost
        Per unit per period (``p`` is per unit backordered per period).
    demand_mean, demand_std
        Demand per period (normal; the protection-interval demand is ``N(mu T, sigma^2 T)``).
    lead_time
        Periods between ordering and receiving.
    review
        ``"periodic"`` or ``"continuous"``.
    distribution
        A frozen scipy distribution of the *protection-interval* demand instead of mean/std.
    base_stock_level
        Evaluate this level instead of optimising.
    """
    f = "base_stock"
    one_of(review, "review", f, ("periodic", "continuous"))
    h, p = nonneg(holding_cost, "holding_cost", f), positive(stockout_cost, "stockout_cost", f)
    lt = nonneg(lead_time, "lead_time", f)
    span = lt + 1.0 if review == "periodic" else lt
    mean = sd = 0.0
    if distribution is None:
        mean = nonneg(demand_mean, "demand_mean", f)
        sd = nonneg(0.0 if demand_std is None else demand_std, "demand_std", f)
        demand = as_demand(f, mean * span, sd * math.sqrt(span))
    else:
        demand = as_demand(f, distribution=distribution)
    level = None if base_stock_level is None else check_number(base_stock_level,
                                                                "base_stock_level", f)
    s, cost, ratio, short = _nv_numbers(demand, h, p, level)
    pol = _nv_policy("base_stock", demand, s, cost, ratio, short, h, p, level is None,
                     f"{span:g}-period protection interval")
    params = dict(pol.parameters)
    params["safety_stock"] = s - demand.mean
    fill = pol.fill_rate
    if distribution is None and review == "periodic" and mean > 0:
        # a period's new backorders are E[(D over span - S)+] - E[(D over span - 1 - S)+]
        before = float(normal_loss(s, mean * lt, sd * math.sqrt(lt)))
        fill = max(0.0, 1.0 - (short - before) / mean)
    elif review == "continuous":
        fill = pol.service_level  # unit demands: a demand is filled iff stock is positive
    return InventoryPolicy(pol.kind, params, pol.expected_cost, pol.service_level, fill,
                           pol.reason, pol.method, pol.details)


def _nv_policy(kind: str, demand: Demand, s: float, cost: float, ratio: float, short: float,
               h: float, p: float, optimised: bool, horizon: str) -> InventoryPolicy:
    service = demand.cdf(s)
    fill = 1.0 - short / demand.mean if demand.mean > 0 else None
    if optimised:
        reason = (f"Stock up to {s:,.4g}: a unit short costs {p:g} against {h:g} for a unit left "
                  f"over, so the best level covers demand over the {horizon} with probability "
                  f"{ratio:.1%} (critical ratio p/(p+h)).")
    else:
        reason = (f"Stocking up to {s:,.4g} covers demand over the {horizon} with probability "
                  f"{service:.1%} at an expected cost of {cost:,.4g}.")
    return InventoryPolicy(kind, {"base_stock_level": s, "critical_ratio": ratio}, cost,
                           service, fill, reason, "exact",
                           {"expected_shortage": short, "demand_mean": demand.mean})
