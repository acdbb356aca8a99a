"""Planning operations in the tool registry: policies, network, what-if, purchasing, schedule, routes.

Each tool reads the store, builds the engine's model from it (the adapters live in
:mod:`supplypilot.plan.from_store`), solves with a time limit, and returns a typed result that
states its status (optimal / feasible / infeasible) and the reasons a planner asks for next.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from supplypilot import config
from supplypilot.plan.cycle import PlanCycleResult, run_planning_cycle
from supplypilot.plan.scenario import Edit
from supplypilot.tools import Context, tool


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --------------------------------------------------------------------------- inventory policy


class PolicyRequest(_Request):
    item: str = Field(description="Item code.")
    location: str | None = Field(default=None, description="Location code; empty: demand of all locations together.")
    service_level: float = Field(default=0.95, gt=0, lt=1, description="Target cycle service level, in (0, 1).")
    fill_rate: float | None = Field(default=None, gt=0, lt=1,
                                    description="Target fill rate in (0, 1); replaces service_level when given.")
    review_period_days: int | None = Field(default=None, ge=1, le=90,
                                           description="Days between reviews; empty: continuous review.")
    ordering_cost: float = Field(default=100.0, ge=0, description="Fixed cost of one order (CNY).")
    holding_rate: float = Field(default=0.25, gt=0, le=2, description="Yearly holding cost as a share of unit cost.")


class PolicyResult(BaseModel):
    item: str = Field(description="Item code.")
    location: str | None = Field(description="Location code, or all locations.")
    policy: str = Field(description="Policy kind: rQ, base_stock, sS or order_up_to.")
    parameters: dict[str, float] = Field(description="Policy parameters (reorder point, order quantity, levels).")
    safety_stock: float = Field(description="Safety stock (units).")
    expected_cost_per_day: float = Field(description="Expected holding + ordering + shortage cost per day.")
    service_level: float | None = Field(description="Achieved cycle service level.")
    fill_rate: float | None = Field(description="Achieved fill rate.")
    demand_per_day: float = Field(description="Forecast mean demand per day.")
    demand_std_per_day: float = Field(description="Standard deviation of the daily forecast error.")
    lead_time_days: float = Field(description="Replenishment lead time (days).")
    lead_time_std_days: float = Field(description="Standard deviation of the lead time (days).")
    lead_time_source: str = Field(description="Where the lead time comes from (supplier or lane).")
    forecast_model: str = Field(description="Forecast model behind the demand figures.")
    reason: str = Field(description="Why this policy and these numbers.")


@tool("inventory_policy", en="Recommend an inventory policy (reorder point, order quantity, safety stock) for an item.",
      zh="为物料推荐库存策略（再订货点、订货批量、安全库存）。", group="plan", cli="policy", arguments=("item",))
def inventory_policy(req: PolicyRequest, ctx: Context) -> PolicyResult:
    from supplypilot.plan.from_store import policy_for_item

    return PolicyResult(**policy_for_item(ctx.store, **req.model_dump()))


# --------------------------------------------------------------------------- network and what-if


class NetworkRequest(_Request):
    period_days: int = Field(default=28, ge=1, le=365, description="Days of recent demand the network must serve.")
    time_limit_s: float = Field(default=30.0, gt=0, le=600, description="Solver time limit in seconds.")


class FlowOut(BaseModel):
    src: str = Field(description="From node.")
    dst: str = Field(description="To node.")
    product: str = Field(description="Product.")
    qty: float = Field(description="Units moved in the period.")
    cost: float = Field(description="Transport cost of this flow.")


class NetworkOut(BaseModel):
    status: str = Field(description="optimal, feasible, infeasible or none.")
    cost: float | None = Field(description="Total cost of the period.")
    service_pct: float | None = Field(description="Share of demand met, percent.")
    cost_breakdown: dict[str, float] = Field(description="Cost by kind (purchase, transport, production, holding...).")
    binding: list[str] = Field(description="Capacities at their limit, with their shadow prices.")
    conflicts: list[str] = Field(description="When infeasible: the constraints that cannot hold together.")
    top_flows: list[FlowOut] = Field(description="Largest flows of the plan.")
    runtime_s: float = Field(description="Solve time in seconds.")


def _network_out(res: Any, top: int = 15) -> NetworkOut:
    flows = res.flows if res.flows is not None else None
    top_flows: list[FlowOut] = []
    if flows is not None and len(flows):
        f = flows.sort_values("qty", ascending=False).head(top)
        for r in f.itertuples(index=False):
            top_flows.append(FlowOut(src=str(r.src), dst=str(r.dst), product=str(r.product),
                                     qty=round(float(r.qty), 3), cost=round(float(getattr(r, "cost", 0.0)), 3)))
    service = res.service if not callable(getattr(res, "service", None)) else res.service()
    return NetworkOut(
        status=res.status.value, cost=None if res.objective is None else round(float(res.objective), 2),
        service_pct=None if service is None else round(100 * float(service), 2),
        cost_breakdown={str(k): round(float(v), 2) for k, v in (res.cost_breakdown or {}).items()},
        binding=list(res.binding), conflicts=list(res.conflicts), top_flows=top_flows,
        runtime_s=round(float(res.runtime), 3))


@tool("plan_network", en="Solve the supply network (suppliers, plants, DCs, customers) at least cost for recent demand.",
      zh="以最低成本求解供应网络（供应商、工厂、配送中心、客户）的流量方案。", group="plan", cli="network")
def plan_network(req: NetworkRequest, ctx: Context) -> NetworkOut:
    from supplypilot.plan.from_store import store_network

    model = store_network(ctx.store, req.period_days)
    return _network_out(model.solve(req.time_limit_s))


class WhatIfRequest(_Request):
    edits: list[Edit] = Field(min_length=1, description="Typed scenario edits applied to the baseline network.")
    name: str | None = Field(default=None, max_length=80, description="Name to save the scenario under; empty: not saved.")
    period_days: int = Field(default=28, ge=1, le=365, description="Days of recent demand the network must serve.")
    time_limit_s: float = Field(default=30.0, gt=0, le=600, description="Solver time limit in seconds per solve.")


class WhatIfResult(BaseModel):
    name: str = Field(description="Scenario name.")
    edits: list[dict[str, Any]] = Field(description="The edits applied.")
    baseline: NetworkOut = Field(description="The baseline plan.")
    scenario: NetworkOut = Field(description="The plan under the scenario.")
    cost_delta: float | None = Field(description="Scenario cost minus baseline cost.")
    cost_delta_pct: float | None = Field(description="Cost change in percent of the baseline.")
    service_delta_pct: float | None = Field(description="Change of demand met, percentage points.")
    flow_changes: list[dict[str, Any]] = Field(description="Flows that changed most (baseline, scenario, delta).")
    summary_en: list[str] = Field(description="What changed, in English.")
    summary_zh: list[str] = Field(description="What changed, in Chinese.")
    saved_as: str | None = Field(description="File the scenario was saved to.")


@tool("what_if", en="Apply what-if edits (demand, lanes, suppliers, closures) to the network, re-solve, compare.",
      zh="对供应网络进行情景分析（需求、线路、供应商、关停），重新求解并与基准比较。",
      group="plan", cli="what-if", writes=False)
def what_if(req: WhatIfRequest, ctx: Context) -> WhatIfResult:
    from supplypilot.plan.from_store import store_network
    from supplypilot.plan.scenario import Scenario, ScenarioStore, apply, compare

    base_model = store_network(ctx.store, req.period_days)
    scenario = Scenario(name=req.name or "what-if", edits=req.edits)
    base = base_model.solve(req.time_limit_s)
    scen = apply(base_model, scenario).solve(req.time_limit_s)
    diff = compare(base, scen)
    saved = str(ScenarioStore(config.home() / "scenarios").save(scenario, overwrite=True)) if req.name else None
    b, s = _network_out(base), _network_out(scen)
    changes = []
    fc = getattr(diff, "flow_changes", None)
    if fc is not None and len(fc):
        for r in fc.head(15).to_dict("records"):
            changes.append({k: (round(v, 3) if isinstance(v, float) else v) for k, v in r.items()})
    delta = None if b.cost is None or s.cost is None else round(s.cost - b.cost, 2)
    return WhatIfResult(
        name=scenario.name, edits=[e.model_dump() for e in req.edits], baseline=b, scenario=s,
        cost_delta=delta, cost_delta_pct=None if delta is None or not b.cost else round(100 * delta / b.cost, 2),
        service_delta_pct=None if b.service_pct is None or s.service_pct is None
        else round(s.service_pct - b.service_pct, 2),
        flow_changes=changes, summary_en=list(diff.sentences_en), summary_zh=list(diff.sentences_zh),
        saved_as=saved)


# --------------------------------------------------------------------------- delivery routes


class RoutesRequest(_Request):
    depot: str | None = Field(default=None, description="DC code the trucks leave from; empty: every DC.")
    date: str | None = Field(default=None, pattern=r"^\d{4}-\d{2}-\d{2}$",
                             description="Delivery day (YYYY-MM-DD): volumes are the mean daily demand of the 7 days "
                                         "before it; empty: the day after the last day of history.")
    vehicles: int | None = Field(default=None, ge=1, le=200, description="Trucks available per DC; empty: as many as needed.")
    vehicle_capacity: float | None = Field(default=None, gt=0, le=40000, description="Truck capacity in kg (default 1500).")
    time_limit_s: float = Field(default=10.0, gt=0, le=600, description="Search time per DC in seconds.")
    plot: bool = Field(default=True, description="Write a route map PNG per DC to the out folder.")


class StopOut(BaseModel):
    stop: str = Field(description="Store code.")
    arrival: str = Field(description="Arrival time (HH:MM).")
    kg: float = Field(description="Kilograms delivered.")


class RouteOut(BaseModel):
    depot: str = Field(description="DC the truck leaves from.")
    vehicle: str = Field(description="Truck.")
    departure: str = Field(description="Departure time (HH:MM).")
    back: str = Field(description="Return time (HH:MM).")
    distance_km: float = Field(description="Route length (km).")
    load_kg: float = Field(description="Total load (kg).")
    capacity_kg: float = Field(description="Truck capacity (kg).")
    stops: list[StopOut] = Field(description="Stops in order.")


class DepotRoutes(BaseModel):
    depot: str = Field(description="DC code.")
    status: str = Field(description="feasible or none (PyVRP does not prove optimality).")
    trucks_used: int = Field(description="Trucks used.")
    distance_km: float = Field(description="Total distance (km).")
    cost: float = Field(description="Fixed + distance cost (CNY).")
    stops: int = Field(description="Stores served.")
    unserved: list[str] = Field(description="Stores not served, with the reason.")
    based_on: str = Field(description="What the delivery quantities are.")
    map: str | None = Field(description="Route map PNG.")
    routes: list[RouteOut] = Field(description="One entry per truck used.")


class RoutesResult(BaseModel):
    depots: list[DepotRoutes] = Field(description="Routes per DC.")
    distance_km: float = Field(description="Total distance over all DCs (km).")
    trucks_used: int = Field(description="Trucks used over all DCs.")


def _hhmm(minutes: float) -> str:
    m = int(round(minutes))
    return f"{m // 60:02d}:{m % 60:02d}"


@tool("plan_routes", en="Plan optimised delivery routes from each DC to its stores for today's delivery volumes.",
      zh="根据当前配送量，生成从配送中心到门店的最优配送路线。", group="plan", cli="routes")
def plan_routes(req: RoutesRequest, ctx: Context) -> RoutesResult:
    from sqlalchemy import select as _select

    from supplypilot.data.model import Location
    from supplypilot.plan.from_store import routing_model
    from supplypilot.plan.route_map import plot_routes

    if req.depot:
        depots = [req.depot]
    else:
        with ctx.store.engine.connect() as conn:
            depots = list(conn.execute(_select(Location.code).where(Location.kind == "dc")
                                       .order_by(Location.code)).scalars())
    out = []
    for d in depots:
        model, loads = routing_model(ctx.store, d, req.vehicles, req.vehicle_capacity, until=req.date)
        res = model.solve(req.time_limit_s, seed=0)
        path = None
        if req.plot:
            folder = config.out_dir() / "routes"
            folder.mkdir(parents=True, exist_ok=True)
            path = str(folder / f"routes_{d}.png")
            plot_routes(res, model, path=path)
        routes = [RouteOut(depot=d, vehicle=r.vehicle, departure=_hhmm(r.start_time), back=_hhmm(r.end_time),
                           distance_km=round(r.distance, 2), load_kg=float(r.load), capacity_kg=float(r.capacity),
                           stops=[StopOut(stop=v.stop, arrival=_hhmm(v.arrival), kg=float(v.quantity))
                                  for v in r.visits])
                  for r in res.routes if r.visits]
        out.append(DepotRoutes(
            depot=d, status=res.status.value, trucks_used=len(routes), distance_km=round(res.total_distance, 2),
            cost=round(float(res.objective or 0.0), 2), stops=sum(len(r.stops) for r in routes),
            unserved=[f"{u.stop}: {u.reason}" for u in res.unserved] + list(loads.attrs.get("line_haul", [])),
            based_on=(f"mean daily demand of the 7 days up to {loads.attrs.get('as_of', '?')} at each store, "
                      f"in kg (item weights)"), map=path, routes=routes))
    return RoutesResult(depots=out, distance_km=round(sum(x.distance_km for x in out), 2),
                        trucks_used=sum(x.trucks_used for x in out))


# --------------------------------------------------------------------------- purchasing (MRP + sourcing)


class PurchasingRequest(_Request):
    items: list[str] = Field(default_factory=list, description="Finished goods to plan; empty: all with demand.")
    horizon_days: int = Field(default=56, ge=7, le=364, description="Planning horizon in days (weekly buckets).")
    lot_sizing: Literal["lot_for_lot", "fixed", "poq", "eoq", "wagner_whitin"] = Field(
        default="wagner_whitin",
        description="Lot-sizing rule; fixed: one quantity per item (its EOQ), ordered in multiples.")
    budget: float | None = Field(default=None, gt=0, description="Purchase budget over the horizon (CNY); empty: none.")
    time_limit_s: float = Field(default=30.0, gt=0, le=600, description="Solver time limit in seconds.")


class PurchaseOrderOut(BaseModel):
    item: str = Field(description="Item to buy.")
    supplier: str = Field(description="Supplier chosen.")
    order_date: str = Field(description="Date to place the order (YYYY-MM-DD).")
    due_date: str = Field(description="Date it is needed (YYYY-MM-DD).")
    qty: float = Field(description="Units to order (rounded up).")
    unit_price: float = Field(description="Unit price at this supplier's price break.")
    cost: float = Field(description="qty x unit_price.")
    serves: str = Field(description="Demand it is pegged to (forecast references).")


class ProductionOrderOut(BaseModel):
    item: str = Field(description="Item to make.")
    start_date: str = Field(description="Week the order is released (YYYY-MM-DD, Monday of the bucket).")
    due_date: str = Field(description="Date it is due (YYYY-MM-DD).")
    qty: float = Field(description="Units to make (rounded up).")
    serves: str = Field(description="Demand it is pegged to.")


class PurchasingResult(BaseModel):
    status: str = Field(description="optimal, feasible, infeasible or none (supplier choice).")
    horizon_start: str = Field(description="First day of the plan.")
    weeks: int = Field(description="Weekly buckets planned.")
    purchase_orders: list[PurchaseOrderOut] = Field(description="Orders to place with suppliers.")
    production_orders: list[ProductionOrderOut] = Field(description="Orders to make in the plants.")
    purchase_cost: float = Field(description="Cost of the purchase orders (CNY).")
    service_pct: float = Field(description="Forecast demand covered on time, percent.")
    ending_inventory_value: float = Field(description="Projected inventory value at the horizon end (CNY).")
    supplier_split: list[dict[str, Any]] = Field(description="Units and cost per item and supplier, with the reason.")
    binding: list[str] = Field(description="Binding constraints and exceptions (capacity, past-due, budget).")
    forecast_basis: str = Field(description="What demand the plan covers.")


def _date(start: Any, week: int) -> str:
    import pandas as pd

    return str((start + pd.Timedelta(days=7 * (int(week) - 1))).date())


@tool("plan_purchasing", en="Plan purchasing and production (MRP with BOM, stock, open orders, supplier choice).",
      zh="制定采购与生产计划（物料需求计划：BOM展开、库存与在途净算、供应商选择）。", group="plan", cli="purchasing")
def plan_purchasing(req: PurchasingRequest, ctx: Context) -> PurchasingResult:
    import math

    import pandas as pd

    from supplypilot.plan.from_store import mrp_model, sourcing_model

    if req.lot_sizing == "fixed":
        from supplypilot.plan.from_store import fixed_lots

        model, info = mrp_model(ctx.store, req.items or None, req.horizon_days, lot_sizing="lot-for-lot")
        rules = fixed_lots(model.solve(req.time_limit_s), {it.code: it for it in model.data().items})
        model, info = mrp_model(ctx.store, req.items or None, req.horizon_days, lot_sizing=rules)
    else:
        model, info = mrp_model(ctx.store, req.items or None, req.horizon_days,
                                lot_sizing=req.lot_sizing.replace("_", "-"))
    mrp = model.solve(req.time_limit_s)
    start, weeks = info["start"], info["weeks"]
    orders = mrp.planned_orders
    buys = orders[orders["kind"] == "buy"]
    split: list[dict[str, Any]] = []
    status = mrp.status.value
    shares: dict[str, list[tuple[str, float, float]]] = {}
    binding = list(mrp.binding)
    if len(buys):
        totals = buys.groupby("item", as_index=False)["qty"].sum()
        src = sourcing_model(ctx.store, totals, weeks, req.budget).solve(req.time_limit_s)
        status = src.status.value if src.status.value != "optimal" else status
        binding += list(src.binding) + list(src.conflicts)
        if src.is_feasible():
            for r in src.allocation.itertuples(index=False):
                shares.setdefault(r.item, []).append((r.supplier, float(r.qty), float(r.unit_price)))
                split.append({"item": r.item, "supplier": r.supplier, "qty": round(float(r.qty), 2),
                              "unit_price": round(float(r.unit_price), 4), "cost": round(float(r.cost), 2),
                              "reason": str(r.reason)})
    pos: list[PurchaseOrderOut] = []
    for r in buys.itertuples(index=False):
        total = sum(q for _, q, _ in shares.get(r.item, [])) or 1.0
        for sup, q, price in shares.get(r.item, []):
            qty = math.ceil(float(r.qty) * q / total - 1e-9)
            if qty > 0:
                pos.append(PurchaseOrderOut(item=r.item, supplier=sup, order_date=_date(start, r.release),
                                            due_date=_date(start, r.due), qty=float(qty), unit_price=round(price, 4),
                                            cost=round(qty * price, 2), serves=", ".join(r.pegging)))
    mos = [ProductionOrderOut(item=r.item, start_date=_date(start, r.release), due_date=_date(start, r.due),
                              qty=float(math.ceil(float(r.qty) - 1e-9)), serves=", ".join(r.pegging))
           for r in orders[orders["kind"] == "make"].itertuples(index=False)]
    fc = info["forecast"]
    return PurchasingResult(
        status=status, horizon_start=str(pd.Timestamp(start).date()), weeks=weeks, purchase_orders=pos,
        production_orders=mos, purchase_cost=round(sum(p.cost for p in pos), 2),
        service_pct=round(100 * float(mrp.kpis.get("service_level", 0.0)), 2),
        ending_inventory_value=round(float(mrp.kpis.get("ending_inventory_value", 0.0)), 2),
        supplier_split=split, binding=binding,
        forecast_basis=(f"{fc.horizon}-day AutoETS forecast of {fc.forecasts['unique_id'].nunique()} finished goods "
                        f"from demand history {str(fc.history['ds'].min())[:10]}..{str(fc.history['ds'].max())[:10]}"))


# --------------------------------------------------------------------------- production schedule


class ProductionRequest(_Request):
    plant: str | None = Field(default=None, description="Plant code; empty: every plant.")
    horizon_days: int = Field(default=14, ge=1, le=56, description="Days of production orders to schedule.")
    objective: Literal["makespan", "weighted_tardiness"] = Field(
        default="weighted_tardiness", description="What to minimise: finish time of all work, or weighted lateness.")
    time_limit_s: float = Field(default=20.0, gt=0, le=600, description="CP-SAT time limit in seconds.")
    plot: bool = Field(default=True, description="Write a Gantt chart (PNG and HTML) to the out folder.")
    from_plan: bool = Field(
        default=True,
        description="Run the MRP first and schedule its planned production orders (net of stock and open orders, "
                    "each pegged to the demand it serves) together with the open orders; false: open orders only.")
    mrp_horizon_days: int | None = Field(
        default=None, ge=7, le=364,
        description="MRP horizon in days when from_plan is true; empty: 28 days or the schedule horizon plus a week, "
                    "whichever is longer.")
    warm_start: bool = Field(
        default=False,
        description="Start from the schedule the last planning cycle saved, so unchanged orders keep their slots; "
                    "the result lists the operations that moved.")


class OperationOut(BaseModel):
    job: str = Field(description="Order (or order/batch).")
    op: int = Field(description="Position in the order's routing: 0 on the line, 1 on the test station.")
    item: str = Field(description="Item made.")
    machine: str = Field(description="Line or test station.")
    start: str = Field(description="Start (YYYY-MM-DD HH:MM).")
    end: str = Field(description="End (YYYY-MM-DD HH:MM).")
    qty: float = Field(description="Units in this batch.")
    source: str = Field(description="Where the order comes from: the stored order, or the MRP planned order and the "
                                    "demand it is pegged to.")


class ProductionResult(BaseModel):
    status: str = Field(description="optimal, feasible, infeasible or none.")
    objective: str = Field(description="Objective minimised.")
    objective_value: float | None = Field(description="Its value (minutes).")
    bound: float | None = Field(description="Best proven bound (minutes).")
    orders: int = Field(description="Production orders scheduled (open and MRP planned).")
    planned_orders: int = Field(description="Of these, MRP planned production orders.")
    batches: int = Field(description="Batches (orders split into shifts).")
    late_orders: list[str] = Field(description="Orders finishing after their due date, with the delay.")
    unscheduled: list[str] = Field(description="Orders left out of the schedule (no line can make the item), and why.")
    utilisation: dict[str, float] = Field(description="Busy share of each machine's working hours up to the makespan, percent.")
    binding: list[str] = Field(description="Bottlenecks and other binding facts.")
    warm_start: str | None = Field(description="The saved schedule CP-SAT started from; empty: a cold start.")
    warm_start_objective: float | None = Field(
        description="Objective of that saved schedule carried into this model (what the solver had to beat).")
    moves: list[str] = Field(description="After a warm start: operations that moved, changed machine, are new or "
                                         "were dropped, compared with the saved schedule.")
    gantt_png: str | None = Field(description="Gantt chart PNG.")
    gantt_html: str | None = Field(description="Gantt chart HTML.")
    operations: list[OperationOut] = Field(description="Every operation, by start time.")


MAX_MOVES = 30


def _moves(changes: Any, at: Any) -> list[str]:
    """The warm-start changes table in words, one line per operation (at most :data:`MAX_MOVES`)."""
    if changes is None or changes.empty:
        return []
    out = []
    for r in changes.itertuples(index=False):
        if r.change in ("moved", "machine"):
            out.append(f"{r.job} op {r.op} {r.change}: {r.machine_before} {at(r.start_before)} → "
                       f"{r.machine_after} {at(r.start_after)}")
        elif r.change == "new":
            out.append(f"{r.job} op {r.op} new: {r.machine_after} {at(r.start_after)}")
        else:
            out.append(f"{r.job} op {r.op} dropped (was {r.machine_before} {at(r.start_before)})")
    return out[:MAX_MOVES] + ([f"... and {len(out) - MAX_MOVES} more"] if len(out) > MAX_MOVES else [])


@tool("plan_production", en="Schedule open and MRP-planned production orders on the lines (CP-SAT) with calendars, "
                            "changeovers and due dates.",
      zh="在产线上排程在制与MRP计划生产订单（考虑日历、换线与交期），输出甘特图。", group="plan", cli="schedule")
def plan_production(req: ProductionRequest, ctx: Context) -> ProductionResult:
    """Schedule the production orders of the horizon with CP-SAT.

    With ``from_plan`` the MRP of :func:`~supplypilot.plan.from_store.mrp_model` (Wagner-Whitin, as
    ``plan_purchasing`` plans by default) runs first, and its planned production orders join the
    open ones (:func:`~supplypilot.plan.from_store.schedule_model`); every operation names its
    source. With ``warm_start`` the schedule saved by the last planning cycle
    (:func:`~supplypilot.plan.cycle.saved_schedule`) is CP-SAT's starting point.
    """
    import pandas as pd

    from supplypilot.errors import InputError
    from supplypilot.plan.cycle import saved_schedule
    from supplypilot.plan.from_store import (check_plant, mrp_model, planned_production, schedule_model,
                                             schedule_warm_start)
    from supplypilot.plan.gantt import gantt_html, plot_gantt

    notes: list[str] = []
    planned = None
    if req.plant:
        check_plant(ctx.store, req.plant)  # before the MRP: a wrong plant code is refused at once
    if req.from_plan:
        try:
            mrp, mrp_info = mrp_model(ctx.store, None, req.mrp_horizon_days or max(28, req.horizon_days + 7),
                                      lot_sizing="wagner-whitin")
            planned = planned_production(mrp.solve(req.time_limit_s), mrp_info)
        except InputError as exc:  # no forecast to plan from: the open orders can still be scheduled
            notes.append(f"MRP not run, open orders only: {exc}")
    model, info = schedule_model(ctx.store, req.plant, req.horizon_days, planned)
    start, batches = info["start"], info["batches"].set_index("job")

    def at(minute: float) -> str:
        return str((start + pd.Timedelta(minutes=float(minute))).strftime("%Y-%m-%d %H:%M"))

    warm, warm_note = None, None
    saved = saved_schedule() if req.warm_start else None
    if saved and saved.get("operations"):
        try:
            warm = schedule_warm_start(saved["operations"], start)
            warm_note = (f"schedule saved {saved.get('saved_at', '?')} by the last planning cycle "
                         f"({len(saved['operations'])} operations from {saved.get('first_start', '?')})")
        except (ValueError, KeyError) as exc:
            notes.append(f"saved schedule not usable as a warm start: {exc}")
    res = model.solve(objective=req.objective, stop=req.time_limit_s, workers=2, seed=0, warm_start=warm)

    ops, late, util = [], [], {}
    png = html = None
    if res.is_feasible():
        sched = res.schedule.sort_values(["start", "machine"])
        for r in sched.itertuples(index=False):
            b = batches.loc[r.job]
            ops.append(OperationOut(job=r.job, op=int(r.op), item=b["item"], machine=r.machine, start=at(r.start),
                                    end=at(r.end), qty=round(float(b["qty"]), 2), source=str(b["source"])))
        for r in res.tardiness.itertuples(index=False):
            if r.tardiness > 0:
                late.append(f"{r.job}: {r.tardiness / 60:.1f} h late (due {batches.loc[r.job, 'due']})")
        span = max(1, int(sched["end"].max()))
        calendars = {mc.name: mc.calendar for mc in model.machines}
        for mach, g in sched.groupby("machine"):
            work = sum(e - s for s, e in calendars[mach].windows(span))
            util[str(mach)] = round(100 * float((g["end"] - g["start"]).sum()) / max(work, 1), 1)
        if req.plot:
            folder = config.out_dir() / "schedule"
            folder.mkdir(parents=True, exist_ok=True)
            png = str(folder / "gantt.png")
            plot_gantt(res, path=png)
            html = str(gantt_html(res, folder / "gantt.html"))
    hint = res.extra.get("hint_objective") if warm is not None else None
    return ProductionResult(
        status=res.status.value, objective=req.objective,
        objective_value=None if res.objective is None else float(res.objective),
        bound=None if res.bound is None else float(res.bound), orders=int(batches["order"].nunique()),
        planned_orders=int(info["planned"]), batches=len(batches), late_orders=late,
        unscheduled=list(info["unscheduled"]), utilisation=util,
        binding=list(res.binding) + list(res.conflicts) + list(res.reasons) + notes, warm_start=warm_note,
        warm_start_objective=None if hint is None else float(hint),
        moves=_moves(res.changes, at) if warm is not None else [],
        gantt_png=png, gantt_html=html, operations=ops)


# --------------------------------------------------------------------------- the whole cycle


class CycleRequest(_Request):
    horizon_days: int = Field(default=28, ge=7, le=182, description="Days to plan.")
    top_items: int = Field(default=5, ge=1, le=50, description="Items (largest forecast) that get a stock policy.")


@tool("plan_cycle", en="Run the whole planning cycle: forecast, stock policies, purchasing, production schedule, routes.",
      zh="运行完整计划周期：需求预测、库存策略、采购、生产排程、配送路线。", group="plan", cli="cycle", writes=True,
      roles=("planner", "admin"))
def plan_cycle(req: CycleRequest, ctx: Context) -> PlanCycleResult:

    return run_planning_cycle(ctx, req.horizon_days, req.top_items)
