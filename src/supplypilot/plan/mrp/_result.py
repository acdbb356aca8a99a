"""What :meth:`MrpModel.solve` returns: the orders to release and why, in tables a planner reads."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from supplypilot.plan.lotsizing import (
    CapacitatedLotSizing, ClspSolution, HighsParams, LotForLot, WagnerWhitin,
)
from supplypilot.plan.result import PlanResult, SolveStatus

if TYPE_CHECKING:
    from supplypilot.plan.mrp._model import MrpData
    from supplypilot.plan.mrp._pegging import Order, Pegging

_TOL = 1e-7
RECORD_ROWS = ("gross", "scheduled_receipts", "projected_on_hand", "net", "planned_receipts",
               "planned_releases")


def _periods(ps: list[int]) -> str:
    """``[1, 2, 3, 5, 7, 8]`` as ``"periods 1-3,5,7,8"``: runs of three or more are shortened."""
    runs: list[list[int]] = []
    for p in sorted(set(ps)):
        if runs and p == runs[-1][-1] + 1:
            runs[-1].append(p)
        else:
            runs.append([p])
    text = ",".join(f"{r[0]}-{r[-1]}" if len(r) > 2 else ",".join(map(str, r)) for r in runs)
    return ("period " if len(set(ps)) == 1 else "periods ") + text


@dataclass
class MrpResult(PlanResult):
    """An MRP plan: planned orders with pegging, the MRP records, loads, KPIs and exceptions.

    Attributes
    ----------
    planned_orders
        One row per planned order: ``order, item, kind (make/buy), release, due, qty,
        available`` (when it can really be used, later than ``due`` if a component is late)
        and ``pegging`` (the demand references it serves).
    records
        The classic MRP record, long: ``item, period, gross, scheduled_receipts,
        projected_on_hand, net, planned_receipts, planned_releases``. See :meth:`record`.
    pegging
        ``supply, supply_kind, item, ref, qty``: every supply (stock, open and planned orders)
        against the top-level demand references it serves.
    demand_status
        Per independent demand: quantity covered on time and the period it is available.
    loads
        ``resource, period, capacity, load, utilisation`` (load falls in release periods).
    exceptions
        ``item, kind, periods, qty, message``: past-due requirements and overloads.
    kpis
        ``total_cost`` (= setup + holding + purchase), ``service_level`` (share of demand
        quantity available on time), ``ending_inventory_value`` and counts.
    """

    planned_orders: pd.DataFrame = field(default_factory=pd.DataFrame)
    records: pd.DataFrame = field(default_factory=pd.DataFrame)
    pegging: pd.DataFrame = field(default_factory=pd.DataFrame)
    demand_status: pd.DataFrame = field(default_factory=pd.DataFrame)
    loads: pd.DataFrame = field(default_factory=pd.DataFrame)
    exceptions: pd.DataFrame = field(default_factory=pd.DataFrame)
    kpis: dict[str, float] = field(default_factory=dict)

    def record(self, item: str) -> pd.DataFrame:
        """The MRP grid of one item: rows gross ... planned_releases, one column per period."""
        rec = self.records[self.records["item"] == item]
        if rec.empty:
            from supplypilot.plan.mrp._data import unknown

            raise unknown("item", item, "MrpResult.record", "it is not in the solved model")
        return rec.set_index("period")[list(RECORD_ROWS)].T

    def summary(self) -> str:
        """The solve block of :class:`PlanResult` followed by the cost and service KPIs."""
        lines = [super().summary()]
        k = self.kpis
        if k:
            rows = [("total cost", f"{k['total_cost']:,.2f}"),
                    ("  setup", f"{k['setup_cost']:,.2f}"),
                    ("  holding", f"{k['holding_cost']:,.2f}"),
                    ("  purchase", f"{k['purchase_cost']:,.2f}"),
                    ("service", f"{k['service_level']:.1%} of demand on time"),
                    ("ending inventory", f"{k['ending_inventory_value']:,.2f}"),
                    ("planned orders", f"{int(k['planned_orders'])}")]
            width = max(len(a) for a, _ in rows)
            lines += [f"{a:<{width}}  {b}" for a, b in rows]
        return "\n".join(lines)

    def __repr__(self) -> str:
        # the default dataclass repr would print every table in full
        return (f"MrpResult(status={self.status.value!r}, objective={self.objective!r}, "
                f"planned_orders={len(self.planned_orders)}, binding={len(self.binding)}, "
                f"solver={self.solver!r}, seed={self.seed!r})")

    def __str__(self) -> str:
        text = self.summary()
        if not self.planned_orders.empty:
            shown = self.planned_orders.assign(
                pegging=self.planned_orders["pegging"].map(", ".join))
            text += "\n\nplanned orders\n" + shown.to_string(index=False)
        return text


def _status(data: MrpData, milps: list[tuple[int, ClspSolution]]) -> tuple[SolveStatus, list[str]]:
    """OPTIMAL only when the whole plan is one exact minimisation; otherwise FEASIBLE and why."""
    why = []
    if data.bom:
        why.append("items are planned level by level (MRP logic); the total cost is not "
                   "minimised across BOM levels")
    inexact = sorted({i.lot_sizing.name for i in data.items
                      if not isinstance(i.lot_sizing, (WagnerWhitin, CapacitatedLotSizing))
                      and not (isinstance(i.lot_sizing, LotForLot) and i.setup_cost == 0)})
    if inexact:
        why.append(f"lot sizes follow heuristic rules ({', '.join(inexact)}), not a minimum")
    for level, sol in milps:
        if sol.status != SolveStatus.OPTIMAL:
            why.append(f"capacitated lot sizing of level {level} stopped at the time limit "
                       f"(gap {sol.gap:.2%})" if sol.gap is not None else
                       f"capacitated lot sizing of level {level} stopped at the time limit")
    return (SolveStatus.FEASIBLE if why else SolveStatus.OPTIMAL), why


def build_result(data: MrpData, recs: dict[str, Any], orders: list[Order], pegging: Pegging,
                 capacity: dict[str, np.ndarray], load: dict[str, np.ndarray],
                 milps: list[tuple[int, ClspSolution]], reasons: list[str], seed: int,
                 runtime: float, params: HighsParams) -> MrpResult:
    """Assemble tables, KPIs, binding constraints and exceptions from a finished run."""
    t_len = data.horizon
    rows = []
    for code, rec in recs.items():
        for k in range(t_len):
            rows.append({"item": code, "period": k + 1, "gross": rec.gross[k],
                         "scheduled_receipts": rec.sched[k], "projected_on_hand": rec.poh[k],
                         "net": rec.net[k], "planned_receipts": rec.receipts[k],
                         "planned_releases": rec.releases[k]})
    records = pd.DataFrame(rows, columns=["item", "period", *RECORD_ROWS])
    order_rows = []
    for o in orders:
        refs = pegging.refs.get(o.id, {})
        order_rows.append({"order": o.id, "item": o.item, "kind": o.kind, "release": o.release,
                           "due": o.due, "qty": o.qty, "available": pegging.available[o.id],
                           "pegging": tuple(r for r, q in refs.items() if q > _TOL)})
    planned = pd.DataFrame(order_rows, columns=["order", "item", "kind", "release", "due", "qty",
                                                "available", "pegging"])
    peg_rows = [{"supply": sid, "supply_kind": pegging.supply_kind[sid], "item": item, "ref": ref,
                 "qty": q} for item, sid in dict.fromkeys((p[0], p[1]) for p in pegging.pieces)
                for ref, q in pegging.refs.get(sid, {}).items() if q > _TOL]
    loads = pd.DataFrame([{"resource": r, "period": k + 1, "capacity": capacity[r][k],
                           "load": load[r][k],
                           "utilisation": load[r][k] / capacity[r][k] if capacity[r][k] > 0 else
                           (math.inf if load[r][k] > _TOL else 0.0)}
                          for r in capacity for k in range(t_len)],
                         columns=["resource", "period", "capacity", "load", "utilisation"])
    binding, exceptions = _binding(recs, loads, t_len)

    setup = sum(recs[o.item].item.setup_cost for o in orders)
    holding = float(sum(rec.item.holding_cost * np.clip(rec.poh, 0, None).sum()
                        for rec in recs.values()))
    purchase = sum(o.qty * recs[o.item].item.unit_cost for o in orders)
    status_df = pd.DataFrame(pegging.demand_status,
                             columns=["ref", "item", "period", "qty", "on_time_qty",
                                      "available_period", "on_time"])
    total_demand = float(status_df["qty"].sum()) if not status_df.empty else 0.0
    kpis = {"total_cost": setup + holding + purchase, "setup_cost": float(setup),
            "holding_cost": holding, "purchase_cost": float(purchase),
            "service_level": float(status_df["on_time_qty"].sum() / total_demand)
            if total_demand > 0 else 1.0,
            "ending_inventory_value": float(sum(max(rec.poh[-1], 0.0) * rec.item.unit_cost
                                                for rec in recs.values())),
            "planned_orders": float(len(orders)),
            "late_demands": float((~status_df["on_time"]).sum()) if not status_df.empty else 0.0}
    status, why = _status(data, milps)
    late = int(kpis["late_demands"])
    if late:
        why.append(f"{late} of {len(status_df)} demands cannot be met on time (see binding and "
                   f"exceptions)")
    objective = kpis["total_cost"]
    bound = None
    if not data.bom and all(sol.bound is not None for _, sol in milps):
        exact = all(isinstance(i.lot_sizing, (WagnerWhitin, CapacitatedLotSizing))
                    or (isinstance(i.lot_sizing, LotForLot) and i.setup_cost == 0)
                    for i in data.items)
        if exact:
            bound = objective - sum(max(sol.objective - sol.bound, 0.0) for _, sol in milps)
    if milps:
        from supplypilot.plan.mrp._solve import _solver_name

        solver = _solver_name()
    else:
        solver = "MRP rules"
    return MrpResult(status=status, objective=objective, bound=bound, runtime=runtime,
                     solver=solver, seed=seed, binding=binding, reasons=reasons + why,
                     extra={"horizon": t_len, "threads": params.threads,
                            "milp_nodes": sum(s.nodes for _, s in milps)},
                     planned_orders=planned, records=records,
                     pegging=pd.DataFrame(peg_rows, columns=["supply", "supply_kind", "item", "ref",
                                                             "qty"]),
                     demand_status=status_df, loads=loads,
                     exceptions=pd.DataFrame(exceptions, columns=["item", "kind", "periods", "qty",
                                                                  "message"]),
                     kpis=kpis)


def _binding(recs: dict[str, Any], loads: pd.DataFrame, t_len: int) -> tuple[list[str], list[dict]]:
    """Full resources, overloads and past-due requirements, as sentences and exception rows."""
    binding: list[str] = []
    exceptions: list[dict] = []
    for r, grp in loads.groupby("resource", sort=False):
        full = grp[(grp["capacity"] > 0) & (grp["load"] >= grp["capacity"] * (1 - 1e-6))]
        over = grp[grp["load"] > grp["capacity"] * (1 + 1e-6) + _TOL]
        tight = full[~full["period"].isin(over["period"])]
        if not tight.empty:
            binding.append(f"resource {r} at 100% in {_periods(tight['period'].tolist())}")
        if not over.empty:
            shown = ", ".join(f"{int(p)} ({u:.0%})" for p, u in zip(over["period"],
                                                                    over["utilisation"]))
            label = "period" if len(over) == 1 else "periods"
            msg = (f"resource {r} over capacity in {label} {shown}: orders of items planned "
                   f"without the capacitated rule exceed it")
            binding.append(msg)
            exceptions.append({"item": "", "kind": "overload",
                               "periods": tuple(int(p) for p in over["period"]),
                               "qty": float((over["load"] - over["capacity"]).sum()),
                               "message": msg})
    for code, rec in recs.items():
        short = np.flatnonzero(rec.poh < -1e-6)
        if short.size == 0:
            continue
        lead = rec.item.lead_time
        periods = [int(k) + 1 for k in short]
        qty = float(-rec.poh[short].min())
        earliest = (f"the earliest receipt is period {lead + 1}" if lead < t_len else
                    f"no order released in period 1 or later arrives within the {t_len}-period "
                    f"horizon")
        msg = (f"past-due requirement for {code}: lead time {lead} exceeds horizon start "
               f"(short {qty:g} in {_periods(periods)}; {earliest}); expedite or re-plan")
        binding.append(msg)
        exceptions.append({"item": code, "kind": "past-due", "periods": tuple(periods),
                           "qty": qty, "message": msg})
    return binding, exceptions
