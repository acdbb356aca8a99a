"""The MRP run: explode level by level, net, offset, size lots, load resources.

Arrays here are 0-based (index ``k`` is period ``k + 1``); records and messages are 1-based.

Capacity is allocated level by level, top first: the capacitated items of one BOM level are
planned together by one MILP (:func:`~supplypilot.plan.lotsizing.solve_clsp`) against the
capacity that higher levels left. That is the sequential logic of MRP; a monolithic
multi-level MILP could find plans this misses, and the result says so in its reasons.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field, replace

import numpy as np

from supplypilot.errors import InputError
from supplypilot.plan.lotsizing import (
    CapacitatedLotSizing, ClspInstance, ClspSolution, HighsParams, LotForLot, WagnerWhitin,
    solve_clsp,
)
from supplypilot.plan.mrp._data import Item, find_cycle, low_level_codes
from supplypilot.plan.mrp._model import MrpData
from supplypilot.plan.mrp._pegging import Order, peg
from supplypilot.plan.mrp._result import MrpResult, build_result
from supplypilot.plan.result import SolveStatus
from supplypilot.plan.stop import StoppingCriterion, time_limit_of

__all__ = ["capacity_conflicts", "solve_mrp"]

_TOL = 1e-7


@dataclass
class _Record:
    """One item's MRP record while it is being planned (0-based arrays over the horizon)."""

    item: Item
    kind: str
    gross: np.ndarray
    sched: np.ndarray
    net: np.ndarray = field(default_factory=lambda: np.zeros(0))
    receipts: np.ndarray = field(default_factory=lambda: np.zeros(0))
    releases: np.ndarray = field(default_factory=lambda: np.zeros(0))
    poh: np.ndarray = field(default_factory=lambda: np.zeros(0))

    @property
    def first(self) -> int:
        """Index of the first period an order released in period 1 or later can arrive."""
        return self.item.lead_time

    def netting(self) -> None:
        """Net requirements such that cumulative receipts >= them keeps stock >= safety stock.

        Before ``first`` nothing can arrive; a deficit there is carried into ``first`` (a late,
        past-due receipt) unless an open order arriving later covers it anyway.
        """
        t_len = self.gross.size
        base = self.item.available + np.cumsum(self.sched) - np.cumsum(self.gross) \
            - self.item.safety_stock
        need = np.zeros(t_len)
        if self.first < t_len:
            need[self.first:] = np.maximum.accumulate(np.maximum(-base[self.first:], 0.0))
        self.net = np.diff(need, prepend=0.0)
        self.net[np.abs(self.net) < _TOL] = 0.0

    def set_receipts(self, receipts: np.ndarray) -> None:
        self.receipts = np.where(receipts > _TOL, receipts, 0.0)
        self.releases = np.zeros_like(self.receipts)
        lead = self.item.lead_time
        if lead < self.receipts.size:
            self.releases[:self.receipts.size - lead] = self.receipts[lead:]
        self.poh = self.item.available + np.cumsum(self.sched + self.receipts - self.gross)


def _make_or_buy(item: Item, has_children: bool, has_usage: bool) -> str:
    if item.make_or_buy is not None:
        return item.make_or_buy
    return "make" if has_children or has_usage else "buy"


def solve_mrp(data: MrpData, stop: StoppingCriterion | float | None = None, seed: int = 0,
              params: HighsParams | None = None) -> MrpResult:
    """Plan ``data``; the functional core of :meth:`MrpModel.solve`.

    Parameters
    ----------
    data
        The snapshot from :meth:`MrpModel.data`.
    stop
        Time limit shared by the capacitated lot-sizing MILPs of all levels.
    seed
        HiGHS random seed, recorded in the result.
    params
        HiGHS settings (``seed`` replaces its seed).

    Raises
    ------
    InputError
        When the BOM has a cycle (the cycle is named), so that no partial plan is produced.
    """
    t0 = time.perf_counter()
    limit = time_limit_of(stop)
    params = replace(params or HighsParams(), seed=seed)
    run = _Run(data)
    for level in sorted(set(run.llc.values())):
        at_level = [c for c in run.codes if run.llc[c] == level]
        failed = run.plan_level(level, at_level, max(limit - (time.perf_counter() - t0), 0.01),
                                params)
        if failed is not None:
            return _no_plan(data, *failed, level, seed, t0, params)
        run.release(at_level)
    pegging = peg(data, run.orders, run.dependent,
                  {c: r.item.lead_time for c, r in run.recs.items()}, run.llc)
    return build_result(data, run.recs, run.orders, pegging, run.capacity, run.load, run.milps,
                        run.reasons, seed, time.perf_counter() - t0, params)


class _Run:
    """The state of one MRP run: records, loads, orders, and what was decided why."""

    def __init__(self, data: MrpData) -> None:
        t_len = data.horizon
        self.lines: dict[str, list] = defaultdict(list)
        for line in data.bom:
            self.lines[line.parent].append(line)
        children = {p: [ln.child for ln in ls] for p, ls in self.lines.items()}
        cycle = find_cycle(children)
        if cycle is not None:
            raise InputError(f"BOM cycle {' -> '.join(cycle)}: an item cannot be part of itself; "
                             f"remove one line of the cycle before solving.", where="bom")
        self.codes = [i.code for i in data.items]
        self.llc = low_level_codes(self.codes, children)
        self.usages: dict[str, list] = defaultdict(list)
        for u in data.usages:
            self.usages[u.item].append(u)
        self.capacity = {r.name: np.array([r.capacity_in(p) for p in range(1, t_len + 1)],
                                          dtype=float) for r in data.resources}
        self.load = {name: np.zeros(t_len) for name in self.capacity}
        self.recs: dict[str, _Record] = {}
        for item in data.items:
            kind = _make_or_buy(item, bool(self.lines.get(item.code)),
                                bool(self.usages.get(item.code)))
            self.recs[item.code] = _Record(item, kind, np.zeros(t_len), np.zeros(t_len))
            if kind == "buy":
                self.usages.pop(item.code, None)  # bought items load none of our resources
        for d in data.demands:
            self.recs[d.item].gross[d.period - 1] += d.qty
        for r in data.receipts:
            self.recs[r.item].sched[r.period - 1] += r.qty
        self.orders: list[Order] = []
        self.count: dict[str, int] = defaultdict(int)  # orders per item, for readable ids
        self.dependent: list[tuple[str, int, float, str]] = []  # child, period, qty, parent order
        self.reasons: list[str] = []
        self.milps: list[tuple[int, ClspSolution]] = []

    def plan_level(self, level: int, codes: list[str], time_left: float,
                   params: HighsParams) -> tuple[ClspSolution, ClspInstance] | None:
        """Net and size the lots of one level; returns the failed MILP when there is no plan."""
        for c in codes:
            self.recs[c].netting()
        clsp = [c for c in codes if isinstance(self.recs[c].item.lot_sizing, CapacitatedLotSizing)
                and self.usages.get(c) and self.recs[c].net.sum() > _TOL]
        for c in codes:
            if c not in clsp:
                self._size_by_rule(self.recs[c])
        if not clsp:
            return None
        sol, inst = _plan_capacitated([self.recs[c] for c in clsp], self.usages, self.capacity,
                                      self.load, time_left, params)
        self.milps.append((level, sol))
        return (sol, inst) if sol.status in (SolveStatus.INFEASIBLE, SolveStatus.NONE) else None

    def _size_by_rule(self, rec: _Record) -> None:
        rule = rec.item.lot_sizing or LotForLot()
        if isinstance(rule, CapacitatedLotSizing):
            if rec.net.sum() > _TOL:
                self.reasons.append(f"{rec.item.code} uses the capacitated rule but no resource; "
                                    f"planned with Wagner-Whitin instead.")
            rule = WagnerWhitin()
        receipts = np.zeros(rec.gross.size)
        if rec.first < rec.gross.size:
            receipts[rec.first:] = rule.lots(rec.net[rec.first:], rec.item.setup_cost,
                                             rec.item.holding_cost)
        rec.set_receipts(receipts)

    def release(self, codes: list[str]) -> None:
        """Turn planned receipts into orders; load resources and explode to the components."""
        for c in codes:
            rec = self.recs[c]
            for k in np.flatnonzero(rec.receipts):
                due = int(k) + 1
                self.count[c] += 1
                order = Order(id=f"{c}#{self.count[c]}", item=c,
                              release=due - rec.item.lead_time, due=due,
                              qty=float(rec.receipts[k]), kind=rec.kind)
                self.orders.append(order)
                for u in self.usages.get(c, []):
                    work = order.qty * u.per_unit + u.setup_time
                    self.load[u.resource][order.release - 1] += work
                if rec.kind != "make":
                    continue
                for ln in self.lines.get(c, []):
                    qty = order.qty * ln.gross_qty
                    self.recs[ln.child].gross[order.release - 1] += qty
                    self.dependent.append((ln.child, order.release, qty, order.id))


def _plan_capacitated(recs: list[_Record], usages: dict, capacity: dict[str, np.ndarray],
                      load: dict[str, np.ndarray], limit: float,
                      params: HighsParams) -> tuple[ClspSolution, ClspInstance]:
    """One MILP for the capacitated items of a level, indexed by release period.

    An item's requirement due in period ``t`` becomes a requirement released in ``t - lead``,
    so the capacity it takes falls in the release period; what arrives is then shifted back.
    """
    t_len = recs[0].gross.size
    names = sorted({u.resource for r in recs for u in usages[r.item.code]})
    n, m = len(recs), len(names)
    demand = np.zeros((n, t_len))
    usage, setup = np.zeros((n, m)), np.zeros((n, m))
    for i, rec in enumerate(recs):
        lead = rec.item.lead_time  # < t_len: items with nothing to plan never get here
        demand[i, :t_len - lead] = rec.net[lead:]
        for u in usages[rec.item.code]:
            usage[i, names.index(u.resource)] = u.per_unit
            setup[i, names.index(u.resource)] = u.setup_time
    cap = np.array([np.maximum(capacity[r] - load[r], 0.0) for r in names])
    inst = ClspInstance(demand=demand, capacity=cap, usage=usage, setup_time=setup,
                        setup_cost=[r.item.setup_cost for r in recs],
                        holding_cost=[r.item.holding_cost for r in recs],
                        items=tuple(r.item.code for r in recs), resources=tuple(names))
    sol = solve_clsp(inst, limit, params=params)
    if sol.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE):
        for i, rec in enumerate(recs):
            lead = rec.item.lead_time
            receipts = np.zeros(t_len)
            receipts[lead:] = sol.production[i, :t_len - lead]
            rec.set_receipts(receipts)
    return sol, inst


def capacity_conflicts(inst: ClspInstance) -> list[str]:
    """Why no lot plan fits: the first prefix of periods whose work exceeds its capacity.

    Work that must start by period ``t`` is every requirement released by ``t`` plus at least
    one setup per item with such a requirement; when that exceeds the capacity of periods
    ``1..t`` no plan exists, whatever the lot sizes.
    """
    out = []
    cum_d = np.cumsum(inst.demand, axis=1)
    for r, name in enumerate(inst.resources):
        cum_cap = np.cumsum(inst.capacity[r])
        for t in range(cum_cap.size):
            need = float(inst.usage[:, r] @ cum_d[:, t]
                         + inst.setup_time[:, r] @ (cum_d[:, t] > _TOL))
            if need > cum_cap[t] + 1e-6:
                uses = (inst.usage[:, r] > 0) | (inst.setup_time[:, r] > 0)
                who = [name_ for i, name_ in enumerate(inst.items)
                       if cum_d[i, t] > _TOL and uses[i]]
                span = f"periods 1-{t + 1} offer" if t else "period 1 offers"
                out.append(f"resource {name}: work that must start by period {t + 1} needs "
                           f"{need:g} (production plus one setup each for {', '.join(who)}) but "
                           f"{span} {cum_cap[t]:g} after higher BOM levels")
                break
    if not out:
        out.append(f"resources {', '.join(inst.resources)}: total work fits in every prefix of "
                   f"periods, but not once each period's setup times are counted; allow more "
                   f"capacity or shorter setups")
    return out


def _no_plan(data: MrpData, sol: ClspSolution, inst: ClspInstance, level: int, seed: int,
             t0: float, params: HighsParams) -> MrpResult:
    """The result when a level's capacitated MILP has no plan: status, conflicts, no orders."""
    if sol.status == SolveStatus.INFEASIBLE:
        conflicts = capacity_conflicts(inst)
        reasons = [f"capacitated lot sizing of level {level} ({', '.join(inst.items)}) is "
                   f"infeasible"]
    else:
        conflicts = []
        reasons = [f"capacitated lot sizing of level {level} found no plan within the time limit; "
                   f"give it more time"]
    return MrpResult(status=sol.status, runtime=time.perf_counter() - t0, solver=_solver_name(),
                     seed=seed, conflicts=conflicts, reasons=reasons,
                     extra={"horizon": data.horizon, "threads": params.threads})


def _solver_name() -> str:
    import highspy

    h = highspy.Highs()
    return f"HiGHS {h.versionMajor()}.{h.versionMinor()}.{h.versionPatch()}"


