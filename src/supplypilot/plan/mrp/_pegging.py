"""Pegging: which demand each supply serves, traced through the BOM levels.

Within an item, supplies (free stock, open orders, planned orders) are matched first-in,
first-out to its requirements (independent demands and the dependent demand of parent
orders). Two passes over the levels then give:

* bottom-up, when each supply is really *available*: a planned make order can start only when
  its components are there, so a late component makes the parent late, and the delay reaches
  the sales order it serves (which is how service is measured);
* top-down, which demand references each supply serves: a component order inherits the
  references of the parent orders its quantity goes into, in proportion.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

from supplypilot.plan.mrp._model import MrpData

_TOL = 1e-7
ON_HAND = "on-hand"


@dataclass(frozen=True)
class Order:
    """A planned order: released in ``release``, received in ``due`` (1-based periods)."""

    id: str
    item: str
    release: int
    due: int
    qty: float
    kind: str


@dataclass
class Pegging:
    """The outcome of :func:`peg`.

    ``pieces`` are ``(item, supply, demand_key, qty)`` with ``demand_key`` either
    ``("demand", position in data.demands)`` or ``("order", parent_order_id)``; ``available`` is
    the period each supply can really be used (``inf`` when its components never arrive);
    ``refs`` maps a supply to ``{demand ref: qty}`` in the supply item's units.
    """

    pieces: list[tuple[str, str, tuple[str, str], float]] = field(default_factory=list)
    supply_kind: dict[str, str] = field(default_factory=dict)
    available: dict[str, float] = field(default_factory=dict)
    refs: dict[str, dict[str, float]] = field(default_factory=dict)
    demand_status: list[dict] = field(default_factory=list)


Key = tuple[str, str]


def _fifo(supplies: list[tuple[str, int, float]],
          demands: list[tuple[Key, int, float]]) -> list[tuple[str, Key, float]]:
    """Match demands to supplies, both in period order; demand left over stays unmatched."""
    out = []
    sup = [[sid, qty] for sid, _, qty in sorted(supplies, key=lambda s: s[1])]
    k = 0
    for key, _, qty in sorted(demands, key=lambda d: d[1]):
        need = qty
        while need > _TOL and k < len(sup):
            take = min(need, sup[k][1])
            if take > _TOL:
                out.append((sup[k][0], key, take))
            need -= take
            sup[k][1] -= take
            if sup[k][1] <= _TOL:
                k += 1
    return out


def peg(data: MrpData, orders: list[Order], dependent: list[tuple[str, int, float, str]],
        lead: dict[str, int], llc: dict[str, int]) -> Pegging:
    """Peg every supply to the demands it serves and date when each supply is really available."""
    result = Pegging()
    supplies: dict[str, list[tuple[str, int, float]]] = defaultdict(list)
    demands: dict[str, list[tuple[tuple[str, str], int, float]]] = defaultdict(list)
    for item in data.items:
        if item.available > _TOL:
            sid = f"{item.code}@{ON_HAND}"
            supplies[item.code].append((sid, 0, item.available))
            result.supply_kind[sid] = ON_HAND
            result.available[sid] = 0.0
    for r in data.receipts:
        supplies[r.item].append((r.ref, r.period, r.qty))
        result.supply_kind[r.ref] = "scheduled receipt"
        result.available[r.ref] = float(r.period)
    by_id = {o.id: o for o in orders}
    for o in orders:
        supplies[o.item].append((o.id, o.due, o.qty))
        result.supply_kind[o.id] = f"planned {o.kind}"
    for k, d in enumerate(data.demands):  # keyed by position: two lines may share a ref
        demands[d.item].append((("demand", str(k)), d.period, d.qty))
    for child, period, qty, parent in dependent:
        demands[child].append((("order", parent), period, qty))
    for code in (i.code for i in data.items):
        for sid, key, qty in _fifo(supplies[code], demands[code]):
            result.pieces.append((code, sid, key, qty))

    # bottom-up: a make order is available when its last component is, plus its lead time
    feeds: dict[str, list[tuple[str, float]]] = defaultdict(list)  # parent order -> (supply, qty)
    for _, sid, (kind, key), qty in result.pieces:
        if kind == "order":
            feeds[key].append((sid, qty))
    needed: dict[str, float] = defaultdict(float)
    for _, _, qty, parent in dependent:
        needed[parent] += qty
    for level in sorted(set(llc.values()), reverse=True):
        for o in (o for o in orders if llc[o.item] == level):
            start = float(o.release)
            covered = sum(q for _, q in feeds[o.id])
            if covered < needed[o.id] - 1e-6 * max(1.0, needed[o.id]):
                start = math.inf
            for sid, _ in feeds[o.id]:
                start = max(start, result.available[sid])
            result.available[o.id] = start + lead[o.item] if o.kind == "make" else float(o.due)

    # top-down: references flow from parent orders to the component supplies feeding them
    refs: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    pieces_by_item: dict[str, list] = defaultdict(list)
    for piece in result.pieces:
        pieces_by_item[piece[0]].append(piece)
    for level in sorted(set(llc.values())):
        for code in (c for c in llc if llc[c] == level):
            for _, sid, (kind, key), qty in pieces_by_item[code]:
                if kind == "demand":
                    refs[sid][data.demands[int(key)].ref] += qty
                else:
                    parent = by_id[key]
                    for ref, q in refs[key].items():
                        refs[sid][ref] += qty * q / parent.qty
    result.refs = {sid: dict(r) for sid, r in refs.items()}

    got_by: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for _, sid, (kind, key), q in result.pieces:
        if kind == "demand":
            got_by[key].append((sid, q))
    for k, d in enumerate(data.demands):
        got = got_by[str(k)]
        covered = sum(q for _, q in got)
        on_time = sum(q for sid, q in got if result.available[sid] <= d.period)
        avail = max((result.available[sid] for sid, _ in got), default=math.inf)
        if covered < d.qty - 1e-6 * max(1.0, d.qty):
            avail = math.inf
        result.demand_status.append({"ref": d.ref, "item": d.item, "period": d.period, "qty": d.qty,
                                     "on_time_qty": on_time, "available_period": avail,
                                     "on_time": on_time >= d.qty - 1e-6 * max(1.0, d.qty)})
    return result
