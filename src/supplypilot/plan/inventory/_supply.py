"""Supply uncertainty: disruptions and random yield (Snyder & Shen, chapter 9).

A supplier that sometimes stops shipping, or ships a random fraction of what was ordered, makes
the classic answers too lean. These models say how much larger orders and buffers should be.
"""

from __future__ import annotations

import math
from typing import Any

from scipy import optimize

from supplypilot.errors import InputError
from supplypilot.plan.inventory._demand import ContinuousDemand
from supplypilot.plan.inventory._types import InventoryPolicy
from supplypilot.plan.inventory._validate import check_number, nonneg, one_of, positive


def eoq_with_disruptions_cost(order_quantity: float, fixed_cost: float, holding_cost: float,
                              stockout_cost: float, demand_rate: float, disruption_rate: float,
                              recovery_rate: float, *, approximate: bool = False) -> float:
    """Cost per unit time of ordering ``Q`` from a supplier that fails and recovers at random.

    The supplier is up for exponential times (rate ``disruption_rate``) and down for
    exponential times (rate ``recovery_rate``). An order is placed when stock hits zero; if the
    supplier is down then, demand is lost (at ``stockout_cost`` per unit) until it recovers.
    The probability the supplier is down when a cycle of length ``Q/d`` ends is
    ``lambda/(lambda+mu) (1 - exp(-(lambda+mu) Q/d))``; ``approximate=True`` drops the
    exponential (a good approximation once ``Q/d`` is long compared to a disruption).
    """
    f = "eoq_with_disruptions_cost"
    q = positive(order_quantity, "order_quantity", f)
    k, h = nonneg(fixed_cost, "fixed_cost", f), nonneg(holding_cost, "holding_cost", f)
    p, d = nonneg(stockout_cost, "stockout_cost", f), positive(demand_rate, "demand_rate", f)
    lam, mu = nonneg(disruption_rate, "disruption_rate", f), positive(recovery_rate,
                                                                        "recovery_rate", f)
    return _eoqd_cost(q, k, h, p, d, lam, mu, approximate)


def _eoqd_cost(q: float, k: float, h: float, p: float, d: float, lam: float, mu: float,
               approximate: bool) -> float:
    down = lam / (lam + mu) if approximate else \
        lam / (lam + mu) * (1 - math.exp(-(lam + mu) * q / d))
    return (k + h * q * q / (2 * d) + p * d * down / mu) / (q / d + down / mu)


def eoq_with_disruptions(fixed_cost: float, holding_cost: float, stockout_cost: float,
                         demand_rate: float, disruption_rate: float, recovery_rate: float, *,
                         approximate: bool = False) -> InventoryPolicy:
    """Order quantity minimising :func:`eoq_with_disruptions_cost` (EOQD)."""
    f = "eoq_with_disruptions"
    k, h = nonneg(fixed_cost, "fixed_cost", f), positive(holding_cost, "holding_cost", f)
    p, d = nonneg(stockout_cost, "stockout_cost", f), positive(demand_rate, "demand_rate", f)
    lam, mu = nonneg(disruption_rate, "disruption_rate", f), positive(recovery_rate,
                                                                        "recovery_rate", f)
    q0 = math.sqrt(2 * max(k, 1e-12) * d / h)
    hi = 10 * q0 + 10 * p * d / (h * mu) + d / mu
    res = optimize.minimize_scalar(lambda q: _eoqd_cost(q, k, h, p, d, lam, mu, approximate),
                                   bounds=(1e-9 * hi, hi), method="bounded",
                                   options={"xatol": 1e-11 * hi, "maxiter": 1000})
    q = float(res.x)
    cost = _eoqd_cost(q, k, h, p, d, lam, mu, approximate)
    return InventoryPolicy(
        "eoq", {"order_quantity": q}, cost,
        reason=(f"Order {q:,.1f} units (the plain EOQ is {q0:,.1f}): larger lots cut how often "
                f"an order meets a supplier that is down {lam / (lam + mu):.1%} of the time."),
        method="EOQD " + ("approximation" if approximate else "exact"))


def newsvendor_with_disruptions(holding_cost: float, stockout_cost: float, demand: float,
                                disruption_prob: float, recovery_prob: float, *,
                                base_stock_level: float | None = None) -> InventoryPolicy:
    """Base-stock level for constant demand ``d`` per period from a Markov-disrupted supplier.

    Each period an up supplier goes down with probability ``disruption_prob`` and a down one
    recovers with probability ``recovery_prob``; while down nothing arrives. The stationary
    chance that the supplier has been down for exactly ``k`` periods is
    ``pi_up a (1 - r)^(k-1)``, so the cost of a level ``S`` is a sum over outage lengths, and the
    best ``S`` is a multiple of ``d`` (the cost is piecewise linear with kinks there).
    """
    f = "newsvendor_with_disruptions"
    h, p = positive(holding_cost, "holding_cost", f), positive(stockout_cost, "stockout_cost", f)
    d = positive(demand, "demand", f)
    a = check_number(disruption_prob, "disruption_prob", f, low=0.0, high=1.0, high_open=True)
    r = check_number(recovery_prob, "recovery_prob", f, low=0.0, high=1.0, low_open=True)
    up = r / (a + r)
    probs = [up]
    while probs[-1] > 1e-18 or len(probs) < 3:
        probs.append(up * a * (1 - r) ** (len(probs) - 1))
        if len(probs) > 100_000:
            break

    def cost(s: float) -> float:
        return sum(pk * (h * max(s - (k + 1) * d, 0.0) + p * max((k + 1) * d - s, 0.0))
                   for k, pk in enumerate(probs))

    if base_stock_level is None:
        best_k = min(range(1, len(probs) + 1), key=lambda m: cost(m * d))
        s = float(best_k * d)
    else:
        s = check_number(base_stock_level, "base_stock_level", f)
    c = cost(s)
    cover = s / d
    return InventoryPolicy(
        "base_stock", {"base_stock_level": s}, c,
        reason=(f"Keep {s:,.0f} units ({cover:g} periods of demand) on hand: the supplier is down "
                f"{1 - up:.1%} of periods and an outage lasts {1 / r:.1f} periods on average, so "
                f"this buffer balances holding ({h:g}) against lost service ({p:g})."),
        method="exact (Markov outages)")


def eoq_with_yield(fixed_cost: float, holding_cost: float, demand_rate: float, yield_mean: float,
                   yield_std: float, *, model: str = "additive",
                   order_quantity: float | None = None) -> InventoryPolicy:
    """EOQ when the quantity received is random.

    ``model="additive"``: receive ``Q + Y``; ``model="multiplicative"``: receive ``Z Q`` (``Z``
    the yield fraction). The cost per unit time is ``(K d + h E[R^2] / 2) / E[R]`` for the
    received amount ``R``, minimised in closed form.
    """
    f = "eoq_with_yield"
    one_of(model, "model", f, ("additive", "multiplicative"))
    k, h = nonneg(fixed_cost, "fixed_cost", f), positive(holding_cost, "holding_cost", f)
    d = positive(demand_rate, "demand_rate", f)
    sd = nonneg(yield_std, "yield_std", f)
    if model == "additive":
        m = check_number(yield_mean, "yield_mean", f)
        q_opt = math.sqrt(2 * k * d / h + sd * sd) - m
        q = q_opt if order_quantity is None else positive(order_quantity, "order_quantity", f)
        received = q + m
        if received <= 0:
            raise InputError(f"The order quantity {q:g} receives nothing on average "
                             f"(yield_mean {m:g}).", where="order_quantity")
        cost = (k * d + h * (received ** 2 + sd * sd) / 2) / received
    else:
        m = positive(yield_mean, "yield_mean", f)
        second = m * m + sd * sd
        q_opt = math.sqrt(2 * k * d / (h * second))
        q = q_opt if order_quantity is None else positive(order_quantity, "order_quantity", f)
        cost = (k * d + h * q * q * second / 2) / (q * m)
    return InventoryPolicy(
        "eoq", {"order_quantity": q}, cost,
        reason=(f"Order {q:,.1f} units: with {model} random yield (mean {yield_mean:g}, std "
                f"{yield_std:g}) the order must be sized on what arrives, not on what is "
                f"ordered."),
        method=f"EOQ with {model} yield uncertainty")


def newsvendor_with_yield(holding_cost: float, stockout_cost: float, demand: float,
                          yield_distribution: Any) -> InventoryPolicy:
    """Newsvendor with deterministic demand and additive random yield ``Q + Y``.

    Ending stock is ``Q + Y - d``, so the best ``Q`` puts ``d - Q`` at the ``h / (h + p)``
    quantile of ``Y``: ``Q = d - F_Y^{-1}(h / (h + p))``.
    """
    f = "newsvendor_with_yield"
    h, p = nonneg(holding_cost, "holding_cost", f), nonneg(stockout_cost, "stockout_cost", f)
    d = check_number(demand, "demand", f)
    if not hasattr(yield_distribution, "ppf"):
        raise InputError(f"The 'yield_distribution' parameter of {f} must be a frozen "
                         f"scipy.stats distribution. Got {yield_distribution!r} instead.",
                         where="yield_distribution")
    q = d - float(yield_distribution.ppf(h / (h + p)))
    # ending stock X = Q + Y - d; cost = h E[X+] + p E[X-]
    shifted = ContinuousDemand(yield_distribution)
    over = shifted.leftover(d - q)      # E[(d - q - Y)+]  = E[X-]
    under = shifted.shortage(d - q)     # E[(Y - (d - q))+] = E[X+]
    cost = h * under + p * over
    return InventoryPolicy(
        "newsvendor", {"order_quantity": q}, cost,
        reason=(f"Order {q:,.4g} for a demand of {d:g}: receiving is uncertain, so the order "
                f"leaves a {h / (h + p):.1%} chance of falling short."),
        method="exact (additive yield)")
