"""Continuous-review (r, Q) policies: reorder ``Q`` units when the inventory position hits ``r``.

For normal lead-time demand the exact long-run cost per unit time is (Hadley-Whitin / Zipkin)::

    g(r, Q) = K lambda / Q + h (r - lambda L + Q/2) + (h + p)/Q [n2(r) - n2(r + Q)]

where ``n2`` is the second-order loss function of lead-time demand. It is jointly convex, so the
exact optimum is found by nesting two one-dimensional searches: for each ``Q`` the best ``r``
solves ``n(r) - n(r + Q) = h Q / (h + p)``, and the cost of ``(r(Q), Q)`` is convex in ``Q``.
The classic approximations (EIL, EOQB, EOQ + safety stock, loss function) are kept because
planners and textbooks quote them; their policies are always priced with the exact cost.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import optimize
from scipy.special import ndtr, ndtri

from supplypilot.plan.inventory._demand import poisson_demand
from supplypilot.plan.inventory._loss import normal_loss, normal_loss2
from supplypilot.plan.inventory._types import InventoryPolicy
from supplypilot.plan.inventory._validate import check_number, nonneg, one_of, positive

RQ_METHODS = ("exact", "eil", "eoqb", "eoqss", "loss_function")


def rq_cost(reorder_point: float, order_quantity: float, holding_cost: float, stockout_cost: float,
            fixed_cost: float, demand_mean: float, demand_std: float, lead_time: float) -> float:
    """Exact expected cost per unit time of an (r, Q) policy with normal lead-time demand.

    ``demand_mean`` and ``demand_std`` are per unit of time; lead-time demand is
    ``N(lambda L, sigma^2 L)``; ``stockout_cost`` is per unit backordered per unit of time.
    """
    f = "rq_cost"
    h, p = nonneg(holding_cost, "holding_cost", f), nonneg(stockout_cost, "stockout_cost", f)
    k, lam = nonneg(fixed_cost, "fixed_cost", f), positive(demand_mean, "demand_mean", f)
    sd, lt = nonneg(demand_std, "demand_std", f), nonneg(lead_time, "lead_time", f)
    r = check_number(reorder_point, "reorder_point", f)
    q = positive(order_quantity, "order_quantity", f)
    return _exact_cost(r, q, h, p, k, lam, lam * lt, sd * math.sqrt(lt))


def _exact_cost(r: float, q: float, h: float, p: float, k: float, lam: float, mu: float,
                sig: float) -> float:
    n2 = float(normal_loss2(r, mu, sig) - normal_loss2(r + q, mu, sig))
    return k * lam / q + h * (r - mu + q / 2) + (h + p) * n2 / q


def _best_r(q: float, h: float, p: float, mu: float, sig: float) -> float:
    """The reorder point minimising the exact cost for a given ``Q``."""
    target = h * q / (h + p)
    if sig <= 0:
        return mu - target  # deterministic: run short for a fraction h/(h+p) of the cycle

    def gap(r: float) -> float:
        return float(normal_loss(r, mu, sig) - normal_loss(r + q, mu, sig)) - target

    lo, hi = mu - q - 12 * sig, mu + 12 * sig
    while gap(lo) < 0:
        lo -= q + 12 * sig
    while gap(hi) > 0:
        hi += 12 * sig
    return float(optimize.brentq(gap, lo, hi, xtol=1e-12, rtol=1e-14, maxiter=500))


def rq_policy(holding_cost: float, stockout_cost: float, fixed_cost: float, demand_mean: float,
              demand_std: float | None = None, lead_time: float = 0.0, *, method: str = "exact",
              distribution: str = "normal") -> InventoryPolicy:
    """Optimal (or textbook-approximate) reorder point and order quantity.

    Parameters
    ----------
    holding_cost
        ``h`` per unit per unit of time.
    stockout_cost
        ``p`` per unit backordered per unit of time (for ``method="eil"`` the classic per-unit
        shortage penalty of the expected-inventory-level approximation).
    fixed_cost
        ``K`` per order.
    demand_mean, demand_std
        Demand rate ``lambda`` and its standard deviation per unit of time.
    lead_time
        ``L`` in the same time unit.
    method
        ``"exact"`` (default, nested 1-D convex searches), ``"eil"``, ``"eoqb"``, ``"eoqss"``
        (EOQ plus safety stock at the newsvendor ratio) or ``"loss_function"``.
    distribution
        ``"normal"`` or ``"poisson"`` (unit Poisson demand; exact integer optimisation).

    Returns
    -------
    InventoryPolicy
        ``reorder_point``, ``order_quantity``, ``safety_stock``; ``expected_cost`` is the exact
        cost of the returned policy; ``details["method_cost"]`` is the approximation's own
        objective when an approximation was asked for.

    Examples
    --------
    >>> pol = rq_policy(0.225, 7.5, 8, 1300, 150, 1 / 12, method="eil")
    >>> round(pol["reorder_point"], 2), round(pol["order_quantity"], 2)
    (213.97, 318.59)
    """
    f = "rq_policy"
    one_of(method, "method", f, RQ_METHODS)
    one_of(distribution, "distribution", f, ("normal", "poisson"))
    h, p = positive(holding_cost, "holding_cost", f), positive(stockout_cost, "stockout_cost", f)
    k, lam = nonneg(fixed_cost, "fixed_cost", f), positive(demand_mean, "demand_mean", f)
    lt = nonneg(lead_time, "lead_time", f)
    if distribution == "poisson":
        return _rq_poisson(h, p, k, lam, lt)
    sd = nonneg(0.0 if demand_std is None else demand_std, "demand_std", f)
    mu, sig = lam * lt, sd * math.sqrt(lt)
    method_cost = None
    if method == "exact":
        r, q = _exact_optimum(h, p, k, lam, mu, sig)
    elif method == "eoqss":
        q = math.sqrt(2 * k * lam / h)
        r = mu + sig * float(ndtri(p / (p + h)))
    elif method == "eoqb":
        q = math.sqrt(2 * k * lam * (h + p) / (h * p))
        r = _best_r(q, h, p, mu, sig)
    elif method == "eil":
        r, q, method_cost = _eil(h, p, k, lam, mu, sig)
    else:
        r, q, method_cost = _loss_function(h, p, k, lam, mu, sig)
    cost = _exact_cost(r, q, h, p, k, lam, mu, sig)
    short = float(normal_loss(r, mu, sig) - normal_loss(r + q, mu, sig))
    service = float(ndtr((r - mu) / sig)) if sig > 0 else float(r >= mu)
    names = {"exact": "exact", "eil": "EIL approximation", "eoqb": "EOQB approximation",
             "eoqss": "EOQ + safety stock", "loss_function": "loss-function approximation"}
    details = {"lead_time_demand_mean": mu, "lead_time_demand_std": sig}
    if method_cost is not None:
        details["method_cost"] = method_cost
    return InventoryPolicy(
        "rQ", {"reorder_point": r, "order_quantity": q, "safety_stock": r - mu}, cost,
        service, max(0.0, 1 - short / q),
        reason=(f"Order {q:,.1f} units whenever stock on hand plus on order falls to {r:,.1f}: "
                f"the {r - mu:,.1f} units above mean lead-time demand ({mu:,.1f}) protect against "
                f"its spread ({sig:,.2f}) at the balance of holding ({h:g}) and backorder "
                f"({p:g}) costs."),
        method=names[method], details=details)


def _exact_optimum(h: float, p: float, k: float, lam: float, mu: float,
                   sig: float) -> tuple[float, float]:
    if k == 0:
        # no ordering cost: one-for-one replenishment is optimal; keep Q tiny but positive
        q = max(1e-9, 1e-9 * max(mu, 1.0))
        return _best_r(q, h, p, mu, sig), q
    q_eoqb = math.sqrt(2 * k * lam * (h + p) / (h * p))

    def cost_of(q: float) -> float:
        return _exact_cost(_best_r(q, h, p, mu, sig), q, h, p, k, lam, mu, sig)

    hi = max(4 * q_eoqb, q_eoqb + 12 * sig)
    res = optimize.minimize_scalar(cost_of, bounds=(1e-9 * hi, hi), method="bounded",
                                   options={"xatol": 1e-10 * hi, "maxiter": 500})
    q = float(res.x)
    return _best_r(q, h, p, mu, sig), q


def _eil(h: float, p: float, k: float, lam: float, mu: float,
         sig: float) -> tuple[float, float, float]:
    q = math.sqrt(2 * k * lam / h)
    r = mu
    for _ in range(1000):
        tail = min(q * h / (p * lam), 1 - 1e-15)
        r_new = mu + sig * float(ndtri(1 - tail))
        q_new = math.sqrt(2 * lam * (k + p * float(normal_loss(r_new, mu, sig))) / h)
        done = abs(q_new - q) < 1e-12 * q and abs(r_new - r) < 1e-12 * max(1.0, abs(r))
        q, r = q_new, r_new
        if done:
            break
    cost = h * (r - mu + q / 2) + k * lam / q + p * lam * float(normal_loss(r, mu, sig)) / q
    return r, q, cost


def _loss_function(h: float, p: float, k: float, lam: float, mu: float,
                   sig: float) -> tuple[float, float, float]:
    def g(x: np.ndarray) -> float:
        r, q = float(x[0]), float(x[1])
        if q <= 0:
            return math.inf
        return h * (r - mu + q / 2) + k * lam / q + (h + p) * float(normal_loss2(r, mu, sig)) / q

    q0 = math.sqrt(2 * k * lam / h) if k > 0 else max(sig, 1.0)
    x0 = np.array([mu + sig, q0])
    res = optimize.minimize(g, x0, method="Nelder-Mead",
                            options={"xatol": 1e-10, "fatol": 1e-13, "maxiter": 20000,
                                     "maxfev": 40000})
    return float(res.x[0]), float(res.x[1]), float(res.fun)


def _rq_poisson(h: float, p: float, k: float, lam: float, lt: float) -> InventoryPolicy:
    """Exact (r, Q) for unit Poisson demand: the inventory position is uniform on r+1..r+Q.

    The best ``Q`` consecutive positions are those with the smallest one-period cost ``g``;
    growing the window from the minimiser of ``g`` by its cheaper end, and stopping when the
    next ``g`` exceeds the running average, is exact because ``g`` is convex (Federgruen-Zheng).
    """
    demand = poisson_demand(lam * lt)
    top = int(demand.values[-1])

    def g(y: int) -> float:
        return h * demand.leftover(y) + p * demand.shortage(y)

    ys = np.arange(-1, top + 2)
    gs = np.array([g(int(y)) for y in ys])
    y_star = int(ys[np.argmin(gs)])
    lo = hi = y_star
    total = g(y_star)
    cost = (k * lam + total) / 1
    while True:
        left, right = g(lo - 1), g(hi + 1)
        nxt = min(left, right)
        q_now = hi - lo + 1
        if nxt >= cost:
            break
        if left <= right:
            lo -= 1
        else:
            hi += 1
        total += nxt
        cost = (k * lam + total) / (q_now + 1)
    r, q = lo - 1, hi - lo + 1
    window = np.arange(r + 1, r + q + 1)
    service = demand.cdf(r)
    fill = float(np.mean([demand.cdf(y - 1) for y in window]))
    return InventoryPolicy(
        "rQ", {"reorder_point": float(r), "order_quantity": float(q),
               "safety_stock": float(r) - demand.mean}, float(cost), service, fill,
        reason=(f"Order {q} units whenever stock on hand plus on order falls to {r}: with "
                f"Poisson demand of {lam:g} per unit of time these are the {q} cheapest "
                f"inventory positions to cycle through."),
        method="exact (Poisson)", details={"lead_time_demand_mean": demand.mean})


def rq_cost_poisson(reorder_point: int, order_quantity: int, holding_cost: float,
                    stockout_cost: float, fixed_cost: float, demand_mean: float,
                    lead_time: float) -> float:
    """Exact cost per unit time of an (r, Q) policy with unit Poisson demand."""
    f = "rq_cost_poisson"
    r = check_number(reorder_point, "reorder_point", f, integer=True)
    q = check_number(order_quantity, "order_quantity", f, low=1, integer=True)
    h, p = nonneg(holding_cost, "holding_cost", f), nonneg(stockout_cost, "stockout_cost", f)
    k, lam = nonneg(fixed_cost, "fixed_cost", f), positive(demand_mean, "demand_mean", f)
    demand = poisson_demand(lam * nonneg(lead_time, "lead_time", f))
    total = sum(h * demand.leftover(y) + p * demand.shortage(y) for y in range(r + 1, r + q + 1))
    return (k * lam + total) / q
