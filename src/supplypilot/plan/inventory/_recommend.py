"""The friendly entry: one recommended policy per item and location, with a reason.

A planner knows demand (mean and forecast error), the supplier's lead time, what holding stock
and placing an order cost, and either what a stockout costs or the service target. From that
:func:`recommend_policy` picks the right model:

* no review period (stock is watched continuously) -> an (r, Q) policy, or a base-stock policy
  when ordering is free;
* a review period -> an (s, S) policy when orders cost money and a stockout cost is known,
  otherwise an order-up-to level for the review period.

:func:`policies_table` does the same for a whole table, computing the closed-form cases on whole
columns at once and only looping where an exact search is needed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import ndtr, ndtri

from supplypilot.errors import InputError
from supplypilot.plan.inventory._loss import Lattice, normal_lattice, normal_loss
from supplypilot.plan.inventory._rq import _exact_cost, _exact_optimum
from supplypilot.plan.inventory._safety import lead_time_demand_std
from supplypilot.plan.inventory._ss import _SSModel
from supplypilot.plan.inventory._types import InventoryPolicy
from supplypilot.plan.inventory._validate import exactly_one, nonneg, positive, probability

OUTPUT_COLUMNS = ["policy", "method", "reorder_point", "order_quantity", "order_up_to_level",
                  "safety_stock", "expected_cost", "service_level", "fill_rate", "reason"]
INPUT_COLUMNS = ["demand_mean", "demand_std", "lead_time_mean", "lead_time_std", "holding_cost",
                 "ordering_cost", "stockout_cost", "service_level", "fill_rate", "review_period"]


def recommend_policy(demand_mean: float, demand_std: float, lead_time_mean: float,
                     lead_time_std: float = 0.0, holding_cost: float | None = None,
                     ordering_cost: float = 0.0, stockout_cost: float | None = None,
                     service_level: float | None = None, fill_rate: float | None = None,
                     review_period: float | None = None) -> InventoryPolicy:
    """Recommend an inventory policy for one item at one location.

    Parameters
    ----------
    demand_mean, demand_std
        Forecast demand per period and the standard deviation of its one-period error.
    lead_time_mean, lead_time_std
        Supplier lead time in periods and its standard deviation; lead-time demand then has
        standard deviation ``sqrt(L sigma_d^2 + d^2 sigma_L^2)``.
    holding_cost
        Cost of holding one unit for one period (required; it sets the scale of every trade-off).
    ordering_cost
        Fixed cost of placing one order (0: order whenever needed).
    stockout_cost, service_level, fill_rate
        Exactly one: the cost of one unit backordered for one period, a cycle service level, or
        a fill rate. With a cost the policy minimises total cost; with a target it meets the
        target at least holding cost.
    review_period
        Periods between inventory reviews; ``None`` means continuous review.

    Returns
    -------
    InventoryPolicy
        The policy (``rQ``, ``base_stock``, ``sS`` or ``order_up_to``) with its parameters,
        expected cost per period, achieved service level and fill rate, and a one-sentence
        reason.

    Examples
    --------
    >>> pol = recommend_policy(100, 20, 4, holding_cost=0.5, ordering_cost=50, service_level=0.95)
    >>> pol.kind, round(pol["order_quantity"], 1), round(pol["reorder_point"], 1)
    ('rQ', 141.4, 465.8)
    """
    row = _Row.checked("recommend_policy", demand_mean, demand_std, lead_time_mean, lead_time_std,
                       holding_cost, ordering_cost, stockout_cost, service_level, fill_rate,
                       review_period)
    return _solve_rows([row])[0]


def policies_table(frame: pd.DataFrame, id_columns: list[str] | None = None) -> pd.DataFrame:
    """Recommend a policy for every row (item x location) of ``frame``.

    ``frame`` has the columns of :func:`recommend_policy`'s parameters (``demand_mean``,
    ``demand_std``, ``lead_time_mean``, ``holding_cost`` required; ``lead_time_std``,
    ``ordering_cost``, ``review_period`` optional; one of ``stockout_cost``, ``service_level``,
    ``fill_rate`` set on each row). Every row is checked before any is solved, and the first bad
    value is reported with its row and column.

    Parameters
    ----------
    frame
        One row per item x location.
    id_columns
        Columns copied to the output to identify rows (default: ``item`` and ``location`` when
        present).

    Returns
    -------
    pandas.DataFrame
        The id columns followed by ``policy``, ``method``, ``reorder_point``, ``order_quantity``,
        ``order_up_to_level``, ``safety_stock``, ``expected_cost``, ``service_level``,
        ``fill_rate`` and ``reason``; same row order and index as ``frame``.
    """
    if not isinstance(frame, pd.DataFrame):
        raise InputError(f"The 'frame' parameter of policies_table must be a pandas DataFrame. "
                         f"Got {type(frame).__name__} instead.", where="frame")
    missing = [c for c in ("demand_mean", "demand_std", "lead_time_mean", "holding_cost")
               if c not in frame.columns]
    if missing:
        raise InputError(f"policies_table needs the column(s) {', '.join(map(repr, missing))}. "
                         f"Got {list(frame.columns)!r} instead.", where=missing[0])
    if id_columns is None:
        id_columns = [c for c in ("item", "location") if c in frame.columns]
    for c in id_columns:
        if c not in frame.columns:
            raise InputError(f"The id column {c!r} is not in the frame.", where=c)
    rows = []
    for pos, (_, rec) in enumerate(frame.iterrows()):
        values = [_cell(rec, c) for c in INPUT_COLUMNS]
        try:
            rows.append(_Row.checked("policies_table", *values))
        except InputError as exc:
            column = exc.where or "?"
            raise InputError(f"frame, row {pos}, column {column!r}: {exc.message}",
                             where=f"frame:{pos}:{column}") from None
    policies = _solve_rows(rows)
    out = frame[id_columns].copy() if id_columns else pd.DataFrame(index=frame.index)
    table = pd.DataFrame([_flat(p) for p in policies], index=frame.index, columns=OUTPUT_COLUMNS)
    return pd.concat([out, table], axis=1)


def _cell(rec: pd.Series, column: str) -> Any:
    if column not in rec.index:
        return {"lead_time_std": 0.0, "ordering_cost": 0.0}.get(column)
    v = rec[column]
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return {"lead_time_std": 0.0, "ordering_cost": 0.0}.get(column)
    return v.item() if hasattr(v, "item") else v


def _flat(p: InventoryPolicy) -> dict[str, Any]:
    g = p.parameters.get
    return {"policy": p.kind, "method": p.method,
            "reorder_point": g("reorder_point", g("s", np.nan)),
            "order_quantity": g("order_quantity", np.nan),
            "order_up_to_level": g("order_up_to_level", g("S", g("base_stock_level", np.nan))),
            "safety_stock": g("safety_stock", np.nan), "expected_cost": p.expected_cost,
            "service_level": p.service_level, "fill_rate": p.fill_rate, "reason": p.reason}


@dataclass(frozen=True)
class _Row:
    d: float
    sd: float
    lt: float
    lt_sd: float
    h: float
    k: float
    target: str
    value: float
    review: float | None

    @staticmethod
    def checked(func: str, demand_mean: Any, demand_std: Any, lead_time_mean: Any,
                lead_time_std: Any, holding_cost: Any, ordering_cost: Any, stockout_cost: Any,
                service_level: Any, fill_rate: Any, review_period: Any) -> _Row:
        if holding_cost is None:
            raise InputError(f"{func} needs 'holding_cost': the cost of holding one unit for one "
                             f"period. Got None instead.", where="holding_cost")
        d = positive(demand_mean, "demand_mean", func)
        sd = nonneg(demand_std, "demand_std", func)
        lt = nonneg(lead_time_mean, "lead_time_mean", func)
        lt_sd = nonneg(lead_time_std, "lead_time_std", func)
        h = positive(holding_cost, "holding_cost", func)
        k = nonneg(ordering_cost, "ordering_cost", func)
        target = exactly_one(func, stockout_cost=stockout_cost, service_level=service_level,
                             fill_rate=fill_rate)
        if target == "stockout_cost":
            value = positive(stockout_cost, "stockout_cost", func)
        else:
            value = probability(service_level if target == "service_level" else fill_rate,
                                target, func)
        review = None if review_period is None else positive(review_period, "review_period",
                                                             func)
        return _Row(d, sd, lt, lt_sd, h, k, target, value, review)

    @property
    def exact_search(self) -> bool:
        """Rows that need a per-row search: exact (r, Q) and exact (s, S)."""
        return self.target == "stockout_cost" and self.k > 0


def _solve_rows(rows: list[_Row]) -> list[InventoryPolicy]:
    out: list[InventoryPolicy | None] = [None] * len(rows)
    closed = [i for i, r in enumerate(rows) if not r.exact_search]
    if closed:
        for i, pol in zip(closed, _closed_form([rows[i] for i in closed]), strict=True):
            out[i] = pol
    for i, r in enumerate(rows):
        if r.exact_search:
            out[i] = _rq_exact(r) if r.review is None else _ss_exact(r)
    return [p for p in out if p is not None]


def _closed_form(rows: list[_Row]) -> list[InventoryPolicy]:
    """Every case with a closed form or a monotone 1-D root, on whole columns at once."""
    a = {f: np.array([getattr(r, f) for r in rows], dtype=float)
         for f in ("d", "sd", "lt", "lt_sd", "h", "k", "value")}
    periodic = np.array([r.review is not None for r in rows])
    rp = np.array([r.review or 0.0 for r in rows])
    target = np.array([r.target for r in rows])
    d, h, k, val = a["d"], a["h"], a["k"], a["value"]
    span = a["lt"] + rp
    mu_p = d * span
    sig_p = lead_time_demand_std(d, a["sd"], span, a["lt_sd"])
    mu_l = d * a["lt"]
    sig_l = lead_time_demand_std(d, a["sd"], a["lt"], a["lt_sd"])
    # continuous review lot size: EOQ when ordering costs money, else one-for-one (Q -> 0)
    q = np.where(~periodic & (k > 0), np.sqrt(2 * k * d / h), 0.0)
    q = np.where(periodic, d * rp, q)
    z = np.full(len(rows), np.nan)
    is_cost, is_alpha, is_beta = (target == "stockout_cost", target == "service_level",
                                  target == "fill_rate")
    z = np.where(is_cost, ndtri(np.where(is_cost, val / (val + h), 0.5)), z)
    z = np.where(is_alpha, ndtri(np.where(is_alpha, val, 0.5)), z)
    level = mu_p + z * sig_p
    # fill-rate targets: solve the exact fill-rate equation by vectorised bisection
    beta_rows = is_beta & ((~periodic & (q > 0)) | periodic)
    if np.any(beta_rows):
        level = np.where(beta_rows, _bisect_fill(val, q, mu_p, sig_p, mu_l, sig_l, periodic),
                         level)
    base_beta = is_beta & ~periodic & (q == 0)
    level = np.where(base_beta, mu_p + ndtri(np.where(base_beta, val, 0.5)) * sig_p, level)
    short_p = normal_loss(level, mu_p, sig_p)
    left_p = level - mu_p + short_p
    alpha = np.where(sig_p > 0, ndtr((level - mu_p) / np.where(sig_p > 0, sig_p, 1.0)),
                     (level >= mu_p).astype(float))
    p_cost = np.where(is_cost, val, 0.0)
    # expected cost per period
    rq_rows = ~periodic & (q > 0)
    safe_q = np.where(q > 0, q, 1.0)
    n2 = normal_loss2_vec(level, mu_p, sig_p) - normal_loss2_vec(level + q, mu_p, sig_p)
    cost_rq = k * d / safe_q + h * (level - mu_p + q / 2) + (h + p_cost) * n2 / safe_q
    cost_bs = h * left_p + p_cost * short_p
    cost_ut = np.where(k > 0, k / np.where(rp > 0, rp, 1.0), 0.0) + h * (
        left_p + d * np.maximum(rp - 1, 0) / 2) + p_cost * short_p
    cost = np.where(rq_rows, cost_rq, np.where(periodic, cost_ut, cost_bs))
    fill_rq = 1 - (short_p - normal_loss(level + q, mu_p, sig_p)) / safe_q
    fill_ut = 1 - (short_p - normal_loss(level, mu_l, sig_l)) / np.where(d * rp > 0, d * rp, 1.0)
    fill = np.where(rq_rows, fill_rq, np.where(periodic, fill_ut, alpha))
    out = []
    for i, r in enumerate(rows):
        out.append(_policy_from_numbers(r, float(level[i]), float(q[i]), float(mu_p[i]),
                                        float(sig_p[i]), float(cost[i]), float(alpha[i]),
                                        float(np.clip(fill[i], 0.0, 1.0))))
    return out


def normal_loss2_vec(x: np.ndarray, mean: np.ndarray, sd: np.ndarray) -> np.ndarray:
    safe = np.where(sd > 0, sd, 1.0)
    z = (x - mean) / safe
    val = safe * safe * 0.5 * ((z * z + 1.0) * ndtr(-z) - z * np.exp(-0.5 * z * z)
                               / math.sqrt(2 * math.pi))
    return np.where(sd > 0, val, 0.5 * np.square(np.maximum(mean - x, 0.0)))


def _bisect_fill(beta: np.ndarray, q: np.ndarray, mu_p: np.ndarray, sig_p: np.ndarray,
                 mu_l: np.ndarray, sig_l: np.ndarray, periodic: np.ndarray) -> np.ndarray:
    """Level whose exact fill rate equals ``beta`` (fill rate increases with the level)."""
    lo = mu_p - 40 * sig_p - q
    hi = mu_p + 40 * sig_p + q
    safe_q = np.where(q > 0, q, 1.0)

    def fill(x: np.ndarray) -> np.ndarray:
        short = normal_loss(x, mu_p, sig_p)
        rq = 1 - (short - normal_loss(x + q, mu_p, sig_p)) / safe_q
        ut = 1 - (short - normal_loss(x, mu_l, sig_l)) / safe_q
        return np.where(periodic, ut, rq)

    for _ in range(100):
        mid = 0.5 * (lo + hi)
        ok = fill(mid) >= beta
        hi = np.where(ok, mid, hi)
        lo = np.where(ok, lo, mid)
    return hi


def _policy_from_numbers(r: _Row, level: float, q: float, mu_p: float, sig_p: float, cost: float,
                         alpha: float, fill: float) -> InventoryPolicy:
    goal = {"stockout_cost": f"balancing holding ({r.h:g}) against backorder ({r.value:g}) cost",
            "service_level": f"for a {r.value:.1%} cycle service level",
            "fill_rate": f"for a {r.value:.1%} fill rate"}[r.target]
    ss = level - mu_p
    if r.review is not None:
        why_k = (f"; each review places an order (fixed cost {r.k:g} every {r.review:g} periods)"
                 if r.k > 0 else "")
        reason = (f"Periodic review every {r.review:g} periods: order up to {level:,.1f}, which "
                  f"covers mean demand over lead time + review period ({mu_p:,.1f}) plus "
                  f"{ss:,.1f} safety stock {goal}{why_k}.")
        return InventoryPolicy("order_up_to", {"order_up_to_level": level, "safety_stock": ss,
                                               "review_period": r.review}, cost, alpha, fill,
                               reason, method="order-up-to (normal)")
    if q > 0:
        reason = (f"Continuous review: order {q:,.1f} units (the EOQ) whenever stock on hand "
                  f"plus on order falls to {level:,.1f}; the {ss:,.1f} units above mean "
                  f"lead-time demand ({mu_p:,.1f}) cover its spread ({sig_p:,.1f}) {goal}.")
        return InventoryPolicy("rQ", {"reorder_point": level, "order_quantity": q,
                                      "safety_stock": ss}, cost, alpha, fill, reason,
                               method="EOQ + safety stock")
    reason = (f"Continuous review with free ordering: replace every unit sold, keeping stock on "
              f"hand plus on order at {level:,.1f} (mean lead-time demand {mu_p:,.1f} plus "
              f"{ss:,.1f} safety stock) {goal}.")
    return InventoryPolicy("base_stock", {"base_stock_level": level, "safety_stock": ss}, cost,
                           alpha, fill, reason, method="newsvendor on lead-time demand")


def _rq_exact(r: _Row) -> InventoryPolicy:
    mu = r.d * r.lt
    sig = float(lead_time_demand_std(r.d, r.sd, r.lt, r.lt_sd))
    rp, q = _exact_optimum(r.h, r.value, r.k, r.d, mu, sig)
    cost = _exact_cost(rp, q, r.h, r.value, r.k, r.d, mu, sig)
    short = float(normal_loss(rp, mu, sig) - normal_loss(rp + q, mu, sig))
    alpha = float(ndtr((rp - mu) / sig)) if sig > 0 else float(rp >= mu)
    reason = (f"Continuous review: order {q:,.1f} units whenever stock on hand plus on order "
              f"falls to {rp:,.1f}; this pair minimises ordering ({r.k:g} per order), holding "
              f"({r.h:g}) and backorder ({r.value:g}) cost exactly for lead-time demand "
              f"N({mu:,.1f}, {sig:,.1f}^2).")
    return InventoryPolicy("rQ", {"reorder_point": rp, "order_quantity": q,
                                  "safety_stock": rp - mu}, cost, alpha,
                           max(0.0, 1 - short / q), reason, method="exact")


def _ss_exact(r: _Row) -> InventoryPolicy:
    assert r.review is not None
    per_mean, per_sd = r.d * r.review, r.sd * math.sqrt(r.review)
    prot_sd = float(lead_time_demand_std(r.d, r.sd, r.lt + r.review, r.lt_sd))
    before_sd = float(lead_time_demand_std(r.d, r.sd, r.lt, r.lt_sd))
    step = (per_sd / 20 if per_sd > 0 else per_mean / 100)
    period = normal_lattice(per_mean, per_sd, step)
    if period.start < 0:
        first = int(round(period.start / step))
        pmf = period.pmf.copy()
        pmf[-first] += pmf[:-first].sum()
        period = Lattice(0.0, step, pmf[-first:])
    model = _SSModel(period, normal_lattice(r.d * (r.lt + r.review), prot_sd, step),
                     normal_lattice(r.d * r.lt, before_sd, step), r.h * r.review,
                     r.value * r.review, r.k)
    s, big_s, cost = model.zheng_federgruen()
    alpha, beta = model.service(s, big_s)
    lo, hi = s * step, big_s * step
    ss = lo - r.d * (r.lt + r.review)
    reason = (f"Periodic review every {r.review:g} periods: when stock on hand plus on order is at "
              f"or below {lo:,.1f}, order up to {hi:,.1f}; with a fixed cost of {r.k:g} per order "
              f"this (s, S) pair minimises expected cost exactly (Zheng-Federgruen on normal "
              f"demand).")
    return InventoryPolicy("sS", {"s": lo, "S": hi, "safety_stock": ss,
                                  "review_period": r.review}, cost / r.review, alpha, beta, reason,
                           method="exact (Zheng-Federgruen)")
