"""The linear programme: columns and rows built from a model, each tagged with its meaning.

Separate from solving so that the rows' domain tags (``_Row``) are the one vocabulary the
solver, the duals and the conflict sentences share.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from supplypilot.plan.network.model import TOL, Lane, NetworkModel, Node

COST_PARTS = ("purchase", "transport", "production", "handling", "lead_time", "fixed", "shortage")
CAPACITY_KINDS = ("supply", "supply_product", "plant", "plant_product", "dc", "lane", "open")


@dataclass
class _Row:
    """What one row of the programme means, in the planner's terms."""

    kind: str  # demand | balance | one of CAPACITY_KINDS
    node: str
    product: str | None = None
    lane: Lane | None = None
    limit: float | None = None
    y_col: int | None = None  # the opening binary scaling this capacity, if any


@dataclass
class _Lp:
    """The assembled programme plus what each column and row means."""

    col_kind: list[str] = field(default_factory=list)  # flow | make | short | open
    col_ref: list[Any] = field(default_factory=list)
    col_cost: dict[str, list[float]] = field(default_factory=lambda: {k: [] for k in COST_PARTS})
    col_upper: list[float] = field(default_factory=list)
    col_integer: list[bool] = field(default_factory=list)
    rows: list[_Row] = field(default_factory=list)
    row_lo: list[float] = field(default_factory=list)
    row_hi: list[float] = field(default_factory=list)
    entries: tuple[list[int], list[int], list[float]] = field(default_factory=lambda: ([], [], []))
    fixed_offset: float = 0.0

    def add_col(self, kind: str, ref: Any, upper: float = math.inf, integer: bool = False,
                **costs: float) -> int:
        self.col_kind.append(kind)
        self.col_ref.append(ref)
        for k in COST_PARTS:
            self.col_cost[k].append(costs.get(k, 0.0))
        self.col_upper.append(upper)
        self.col_integer.append(integer)
        return len(self.col_kind) - 1

    def add_row(self, row: _Row, coefs: Iterable[tuple[int, float]], lo: float, hi: float,
                keep_empty: bool = False) -> int | None:
        coefs = list(coefs)
        if not coefs and not keep_empty:
            return None
        r = len(self.rows)
        self.rows.append(row)
        self.row_lo.append(lo)
        self.row_hi.append(hi)
        ri, ci, vv = self.entries
        for c, v in coefs:
            ri.append(r)
            ci.append(c)
            vv.append(v)
        return r


def _lane_products(lane: Lane, everything: set[str]) -> set[str]:
    return everything if lane.products is None else set(lane.products)


def _reach(m: NetworkModel, nodes: dict[str, Node], lanes: list[Lane]
           ) -> tuple[dict[str, set[str]], dict[str, set[str]], dict[str, set[str]]]:
    """Products that can leave each node (forward) and that each node needs (backward).

    A variable for product ``p`` on lane ``u → v`` is only created when ``p`` can leave ``u``
    and is needed at ``v``: on a 5-product network most lane-product pairs are useless, and
    leaving them out keeps the programme (and any infeasibility report) small.
    """
    everything = set(m.products)
    inn: dict[str, set[str]] = {n: set() for n in nodes}
    out: dict[str, set[str]] = {n: set(nd.products) if nd.kind == "supplier" else set()
                                for n, nd in nodes.items()}
    for n, nd in nodes.items():
        if nd.kind == "plant":
            out[n] |= {o for o, ins in nd.recipe.items() if not ins}
    for _ in range(len(nodes) + 1):
        changed = False
        for ln in lanes:
            new = (out[ln.src] & _lane_products(ln, everything)) - inn[ln.dst]
            if new:
                changed = True
                inn[ln.dst] |= new
                nd = nodes[ln.dst]
                if nd.kind in ("plant", "dc"):
                    out[ln.dst] |= inn[ln.dst]
                    out[ln.dst] |= {o for o, ins in nd.recipe.items() if set(ins) <= inn[ln.dst]}
        if not changed:
            break
    need_in: dict[str, set[str]] = {n: {p for p, q in nd.demand.items() if q > 0}
                                    if nd.kind == "customer" else set() for n, nd in nodes.items()}
    need_out: dict[str, set[str]] = {n: set() for n in nodes}
    for _ in range(len(nodes) + 1):
        changed = False
        for ln in lanes:
            new = (need_in[ln.dst] & _lane_products(ln, everything)) - need_out[ln.src]
            if new:
                changed = True
                need_out[ln.src] |= new
                nd = nodes[ln.src]
                if nd.kind in ("plant", "dc"):
                    need_in[ln.src] |= need_out[ln.src]
                    for o in need_out[ln.src] & set(nd.recipe):
                        need_in[ln.src] |= set(nd.recipe[o])
        if not changed:
            break
    return inn, out, need_in


def _holding(m: NetworkModel, product: str) -> float:
    own = m._products.get(product)
    return m.holding_cost_per_day if own is None else own


def _build(m: NetworkModel) -> _Lp:
    """Assemble the programme; closed nodes and lanes touching them get no variables."""
    nodes = {n: nd for n, nd in m._nodes.items() if nd.open is not False}
    lanes = [ln for ln in m._lanes.values() if ln.src in nodes and ln.dst in nodes
             and (nodes[ln.dst].max_delivery_days is None
                  or ln.lead_time <= nodes[ln.dst].max_delivery_days + TOL)]
    inn, out, need = _reach(m, nodes, lanes)
    everything = set(m.products)
    lp = _Lp()
    ints = m.integer_flows
    ins: dict[str, list[int]] = {n: [] for n in nodes}
    outs: dict[str, list[int]] = {n: [] for n in nodes}
    by_np_in: dict[tuple[str, str], list[int]] = {}
    by_np_out: dict[tuple[str, str], list[int]] = {}
    for ln in lanes:
        src, dst = nodes[ln.src], nodes[ln.dst]
        cols = []
        for p in sorted(out[ln.src] & need[ln.dst] & _lane_products(ln, everything)):
            hold = _holding(m, p)
            costs = {"transport": ln.cost_of(p), "lead_time": hold * ln.lead_time}
            if src.kind == "supplier":
                costs["purchase"] = src.unit_cost.get(p, 0.0)
                costs["lead_time"] += hold * src.lead_time
            if dst.kind == "dc":
                costs["handling"] = dst.unit_cost.get("*", 0.0)
            c = lp.add_col("flow", (ln, p), integer=ints, **costs)
            cols.append(c)
            outs[ln.src].append(c)
            ins[ln.dst].append(c)
            by_np_out.setdefault((ln.src, p), []).append(c)
            by_np_in.setdefault((ln.dst, p), []).append(c)
        if ln.capacity is not None:
            lp.add_row(_Row("lane", ln.src, lane=ln, limit=ln.capacity),
                       ((c, 1.0) for c in cols), -math.inf, ln.capacity)
    make: dict[tuple[str, str], int] = {}
    for n, nd in nodes.items():
        if nd.kind != "plant":
            continue
        for o, rec in nd.recipe.items():
            if o in need[n] and set(rec) <= inn[n]:
                make[(n, o)] = lp.add_col("make", (n, o), integer=ints,
                                          production=nd.unit_cost.get(o, 0.0))
    _balance_rows(lp, nodes, by_np_in, by_np_out, make)
    _demand_rows(m, lp, nodes, by_np_in)
    _capacity_rows(m, lp, nodes, ins, outs, by_np_out, make)
    return lp


def _balance_rows(lp: _Lp, nodes: dict[str, Node], by_np_in: dict[tuple[str, str], list[int]],
                  by_np_out: dict[tuple[str, str], list[int]],
                  make: dict[tuple[str, str], int]) -> None:
    keys = {k for k in (*by_np_in, *by_np_out, *make) if nodes[k[0]].kind in ("plant", "dc")}
    for n, nd in nodes.items():
        for o, rec in nd.recipe.items():
            if (n, o) in make:
                keys |= {(n, q) for q in rec}
    for n, p in sorted(keys):
        coefs = [(c, 1.0) for c in by_np_in.get((n, p), [])]
        coefs += [(c, -1.0) for c in by_np_out.get((n, p), [])]
        if (n, p) in make:
            coefs.append((make[(n, p)], 1.0))
        coefs += [(make[(n, o)], -q) for o, rec in nodes[n].recipe.items()
                  for q_in, q in rec.items() if q_in == p and (n, o) in make]
        lp.add_row(_Row("balance", n, p), coefs, 0.0, 0.0)


def _demand_rows(m: NetworkModel, lp: _Lp, nodes: dict[str, Node],
                 by_np_in: dict[tuple[str, str], list[int]]) -> None:
    penalty = _penalties(m, lp, nodes, by_np_in) if m.allow_shortage else {}
    for n, nd in nodes.items():
        for p, qty in nd.demand.items():
            if qty <= 0:
                continue
            coefs = [(c, 1.0) for c in by_np_in.get((n, p), [])]
            if m.allow_shortage:
                coefs.append((lp.add_col("short", (n, p), upper=qty, shortage=penalty[p]), 1.0))
            lp.add_row(_Row("demand", n, p, limit=qty), coefs, qty, qty, keep_empty=True)


def _penalties(m: NetworkModel, lp: _Lp, nodes: dict[str, Node],
               by_np_in: dict[tuple[str, str], list[int]]) -> dict[str, float]:
    """Shortage cost per product: the model's, or 10 × the costliest way to serve one unit.

    The costliest route is a longest-path pass over the flow variables (recipes multiply the
    cost of their inputs); it stops after as many passes as there are nodes, which bounds it
    on networks with loops.
    """
    given = m.shortage_penalty
    if isinstance(given, (int, float)):
        return dict.fromkeys(m.products, float(given))
    given = dict(given or {})
    total = [sum(lp.col_cost[k][c] for k in COST_PARTS) for c in range(len(lp.col_kind))]
    val_out: dict[tuple[str, str], float] = {}
    val_in: dict[tuple[str, str], float] = {}
    for _ in range(len(nodes) + 1):
        changed = False
        for c, kind in enumerate(lp.col_kind):
            if kind != "flow":
                continue
            ln, p = lp.col_ref[c]
            v = val_out.get((ln.src, p), 0.0) + total[c]
            if v > val_in.get((ln.dst, p), -1.0) + TOL:
                val_in[(ln.dst, p)] = v
                changed = True
                nd = nodes[ln.dst]
                best = v
                for o, rec in nd.recipe.items():
                    if p in rec:
                        made = nd.unit_cost.get(o, 0.0) + sum(
                            q * val_in.get((ln.dst, i), 0.0) for i, q in rec.items())
                        val_out[(ln.dst, o)] = max(val_out.get((ln.dst, o), 0.0), made)
                val_out[(ln.dst, p)] = max(val_out.get((ln.dst, p), 0.0), best)
        if not changed:
            break
    worst: dict[str, float] = {}
    for (n, p), v in val_in.items():
        if nodes[n].kind == "customer":
            worst[p] = max(worst.get(p, 0.0), v)
    return {p: given.get(p, 10.0 * worst.get(p, 0.0) + 1.0) for p in m.products}


def _capacity_rows(m: NetworkModel, lp: _Lp, nodes: dict[str, Node], ins: dict[str, list[int]],
                   outs: dict[str, list[int]], by_np_out: dict[tuple[str, str], list[int]],
                   make: dict[tuple[str, str], int]) -> None:
    big_m = sum(q for nd in nodes.values() for q in nd.demand.values()) * max(
        [1.0] + [sum(r.values()) for nd in nodes.values() for r in nd.recipe.values()])
    for n, nd in nodes.items():
        if nd.kind == "supplier":
            for p, cap in nd.product_capacity.items():
                lp.add_row(_Row("supply_product", n, p, limit=cap),
                           ((c, 1.0) for c in by_np_out.get((n, p), [])), -math.inf, cap)
            if nd.capacity is not None:
                lp.add_row(_Row("supply", n, limit=nd.capacity), ((c, 1.0) for c in outs[n]),
                           -math.inf, nd.capacity)
            continue
        if nd.kind == "customer":
            continue
        made = [c for (pl, _o), c in make.items() if pl == n]
        volume = made if nd.recipe else ins[n]
        kind = "plant" if nd.kind == "plant" else "dc"
        y = None
        if nd.open is None:
            y = lp.add_col("open", n, upper=1.0, integer=True, fixed=nd.fixed_cost)
        elif nd.fixed_cost:
            lp.fixed_offset += nd.fixed_cost
        cap = nd.capacity if nd.capacity is not None else (big_m if y is not None else None)
        if cap is not None:
            coefs = [(c, 1.0) for c in volume] + ([(y, -cap)] if y is not None else [])
            row_kind = kind if nd.capacity is not None else "open"
            lp.add_row(_Row(row_kind, n, limit=cap, y_col=y), coefs, -math.inf,
                       0.0 if y is not None else cap)
        for p, pcap in nd.product_capacity.items():
            if (n, p) in make:
                lp.add_row(_Row("plant_product", n, p, limit=pcap), [(make[(n, p)], 1.0)],
                           -math.inf, pcap)


def _to_highs(lp: _Lp, relax: bool = False) -> Any:
    import highspy
    from scipy.sparse import csc_matrix

    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    n, r = len(lp.col_kind), len(lp.rows)
    model = highspy.HighsLp()
    model.num_col_, model.num_row_ = n, r
    model.col_cost_ = np.sum([np.asarray(lp.col_cost[k], dtype=float) for k in COST_PARTS],
                             axis=0) if n else np.zeros(0)
    model.col_lower_ = np.zeros(n)
    model.col_upper_ = np.where(np.isinf(lp.col_upper), highspy.kHighsInf, lp.col_upper)
    model.row_lower_ = np.where(np.isinf(lp.row_lo), -highspy.kHighsInf, lp.row_lo)
    model.row_upper_ = np.where(np.isinf(lp.row_hi), highspy.kHighsInf, lp.row_hi)
    model.offset_ = lp.fixed_offset
    ri, ci, vv = lp.entries
    a = csc_matrix((vv, (ri, ci)), shape=(r, n))
    a.sum_duplicates()
    model.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    model.a_matrix_.num_col_, model.a_matrix_.num_row_ = n, r
    model.a_matrix_.start_ = a.indptr.astype(np.int32)
    model.a_matrix_.index_ = a.indices.astype(np.int32)
    model.a_matrix_.value_ = a.data.astype(float)
    if any(lp.col_integer) and not relax:
        model.integrality_ = [highspy.HighsVarType.kInteger if i else
                              highspy.HighsVarType.kContinuous for i in lp.col_integer]
    h.passModel(model)
    return h
