"""Adapters from the store to the planning engines.

The engines (inventory, MRP, schedule, routing, network) take plain numbers and small builder
objects; this module reads what they need from the foundation's tables — forecasts, lead times,
costs, capacities, coordinates — so that the tools, the planning cycle and the copilot build
their models the same way.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import select

from supplypilot.data.model import Item, Lane, Location, Supplier, SupplierItem
from supplypilot.data.store import Store
from supplypilot.errors import InputError, UnknownEntityError

Z80 = 1.2815515655446004  # standard normal quantile of 0.90: half-width of an 80 % interval


def _item(store: Store, code: str) -> Item:
    with store.session() as s:
        item = s.get(Item, code)
        if item is None:
            raise UnknownEntityError("item", code, "Use `supplypilot data items` to list the codes.")
        s.expunge(item)
        return item


def lead_time_of(store: Store, item: str, location: str | None) -> tuple[float, float, str]:
    """Replenishment lead time (mean, std, source) of ``item`` into ``location``.

    Purchased items use their primary supplier (the item-specific lead time if the supplier
    quotes one); made or distributed items use the slowest lane into the location, or, without
    a location, the mean lane time from plants to DCs.
    """
    with store.engine.connect() as conn:
        sup = conn.execute(
            select(SupplierItem.supplier_code, SupplierItem.lead_time_days, Supplier.lead_time_days,
                   Supplier.lead_time_std_days, SupplierItem.is_primary)
            .join(Supplier, Supplier.code == SupplierItem.supplier_code)
            .where(SupplierItem.item_code == item)
            .order_by(SupplierItem.is_primary.desc(), SupplierItem.unit_price)).first()
        if sup is not None:
            lt = float(sup[1] if sup[1] is not None else sup[2])
            return lt, float(sup[3] or 0.0), f"supplier {sup[0]}"
        q = select(Lane.origin_code, Lane.lead_time_days)
        if location:
            q = q.where(Lane.destination_code == location)
        else:
            dcs = select(Location.code).where(Location.kind == "dc")
            q = q.where(Lane.destination_code.in_(dcs))
        lanes = conn.execute(q).all()
    if not lanes:
        return 1.0, 0.0, "default of 1 day (no supplier or lane into this location)"
    times = np.array([float(r[1]) for r in lanes])
    if location:
        return float(times.max()), float(times.std()), f"lane {lanes[int(times.argmax())][0]}→{location}"
    return float(times.mean()), float(times.std()), "mean plant→DC lane"


def policy_for_item(store: Store, item: str, location: str | None = None, service_level: float = 0.95,
                    fill_rate: float | None = None, review_period_days: int | None = None,
                    ordering_cost: float = 100.0, holding_rate: float = 0.25) -> dict[str, Any]:
    """An inventory policy for one item (at one location) from its forecast and lead time.

    Demand per day is the mean of a 28-day forecast; its error standard deviation comes from the
    forecast's 80 % interval (half-width / z₀.₉₀), i.e. from the forecasting model's own error
    distribution, not from the raw variability of the history.
    """
    from supplypilot.forecast.service import forecast_store
    from supplypilot.plan.inventory import recommend_policy

    it = _item(store, item)
    fc = forecast_store(store, [item], [location] if location else None, level="item", horizon=28,
                        levels=[80])
    f = fc.forecasts
    mean = float(f["forecast"].mean())
    std = float(((f["forecast-hi-80"] - f["forecast-lo-80"]) / (2 * Z80)).mean())
    if not mean > 0:
        raise InputError(f"Item {item!r}{' at ' + location if location else ''} has no forecast demand "
                         "(the forecast is zero); no stock policy is needed.", where="item")
    lt, lt_std, source = lead_time_of(store, item, location)
    holding = float(it.unit_cost) * holding_rate / 365.0
    target = {"fill_rate": fill_rate} if fill_rate is not None else {"service_level": service_level}
    pol = recommend_policy(demand_mean=mean, demand_std=max(std, 1e-6), lead_time_mean=lt, lead_time_std=lt_std,
                           holding_cost=max(holding, 1e-9), ordering_cost=ordering_cost,
                           review_period=review_period_days, **target)
    params = {k: round(float(v), 3) for k, v in pol.parameters.items() if isinstance(v, (int, float))}
    ss = float(pol.parameters.get("safety_stock", params.get("reorder_point", 0.0) - mean * lt))
    model = str(fc.choice["model"].iloc[0])
    reason = (f"{pol.reason} Demand {mean:.1f}/day (±{std:.1f}) from the {model} forecast; lead time "
              f"{lt:.1f} days (±{lt_std:.1f}) from {source}; holding cost {holding:.4f}/unit/day "
              f"({holding_rate:.0%} a year of unit cost {float(it.unit_cost):.2f}).")
    return {
        "item": item, "location": location, "policy": pol.kind, "parameters": params,
        "safety_stock": round(ss, 3), "expected_cost_per_day": round(float(pol.expected_cost or 0.0), 4),
        "service_level": None if pol.service_level is None else round(float(pol.service_level), 4),
        "fill_rate": None if pol.fill_rate is None else round(float(pol.fill_rate), 4),
        "demand_per_day": round(mean, 3), "demand_std_per_day": round(std, 3), "lead_time_days": round(lt, 3),
        "lead_time_std_days": round(lt_std, 3), "lead_time_source": source, "forecast_model": model,
        "reason": reason,
    }


def store_network(store: Store, period_days: int = 28) -> Any:
    """The supply network serving the last ``period_days`` of stored demand."""
    from supplypilot.plan.network import NetworkModel

    with store.engine.connect() as conn:
        from supplypilot.data.model import Demand
        from sqlalchemy import func

        last = conn.execute(select(func.max(Demand.date))).scalar_one()
    if last is None:
        raise InputError("The store holds no demand; import or generate data first.", where="demand")
    end = pd.Timestamp(last)
    start = end - pd.Timedelta(days=period_days - 1)
    return NetworkModel.from_store(store, start.date(), end.date(), allow_shortage=True)


def ceil_int(x: float) -> int:
    return int(math.ceil(x - 1e-9))


# --------------------------------------------------------------------------- delivery routes

DEPOT_OPEN, DEPOT_CLOSE = 6 * 60, 22 * 60  # minutes since midnight
STORE_OPEN, STORE_CLOSE = 7 * 60, 19 * 60
SERVICE_MINUTES = 15.0
SPEED_KMH = 50.0


def delivery_loads(store: Store, depot: str, days: int = 7, until: str | None = None) -> pd.DataFrame:
    """What ``depot`` delivers to each store it serves in one day: recent mean daily demand.

    Quantities are in units and in kilograms (item weights); the stores served are the
    destinations of the depot's lanes. The figures are the mean over the last ``days`` days of
    cleaned demand, the volume a daily replenishment run has to carry.
    """
    from sqlalchemy import func

    from supplypilot.data.model import Demand

    with store.engine.connect() as conn:
        dep = conn.execute(select(Location).where(Location.code == depot)).scalars().first()
        if dep is None:
            raise UnknownEntityError("location", depot, "Give a DC code (see `supplypilot data status`).")
        dests = [r[0] for r in conn.execute(
            select(Lane.destination_code).join(Location, Location.code == Lane.destination_code)
            .where(Lane.origin_code == depot, Location.kind.in_(["store", "customer"]))).all()]
        if not dests:
            raise InputError(f"Location {depot!r} has no lanes to stores or customers; it delivers nothing.",
                             where="depot")
        last = conn.execute(select(func.max(Demand.date)).where(Demand.location_code.in_(dests))).scalar_one()
        if until is not None and last is not None:  # the delivery day: volumes from the 7 days before it
            last = min(pd.Timestamp(last), pd.Timestamp(until) - pd.Timedelta(days=1)).date()
        if last is None:
            raise InputError(f"The stores served by {depot!r} have no demand history.", where="depot")
        start = pd.Timestamp(last) - pd.Timedelta(days=days - 1)
        value = func.coalesce(Demand.qty_clean, Demand.qty)
        rows = pd.read_sql(
            select(Demand.location_code, func.sum(value).label("units"),
                   func.sum(value * func.coalesce(Item.weight_kg, 0.5)).label("kg"))
            .join(Item, Item.code == Demand.item_code)
            .where(Demand.location_code.in_(dests), Demand.date >= start.date(), Demand.date <= last)
            .group_by(Demand.location_code), conn)
        locs = pd.read_sql(select(Location.code, Location.name, Location.lat, Location.lon)
                           .where(Location.code.in_([*dests, depot])), conn)
    rows[["units", "kg"]] = rows[["units", "kg"]] / days
    out = locs[locs.code != depot].merge(rows, left_on="code", right_on="location_code", how="left").fillna(
        {"units": 0.0, "kg": 0.0})
    out.attrs["depot"] = locs[locs.code == depot].iloc[0].to_dict()
    out.attrs["as_of"] = str(pd.Timestamp(last).date())
    return out[["code", "name", "lat", "lon", "units", "kg"]]


def routing_model(store: Store, depot: str, vehicles: int | None = None, vehicle_capacity_kg: float | None = None,
                  days: int = 7, until: str | None = None) -> tuple[Any, pd.DataFrame]:
    """A CVRP with time windows for one depot's daily run (capacity in kilograms)."""
    from supplypilot.plan.routing import RoutingModel

    loads = delivery_loads(store, depot, days, until)
    loads = loads[loads.kg > 0].reset_index(drop=True)
    if loads.empty:
        raise InputError(f"No store served by {depot!r} has recent demand to deliver.", where="depot")
    # stores a truck cannot reach within their receiving hours go by line-haul, not on this run
    from supplypilot.plan._routing_geo import haversine_matrix

    dep0 = loads.attrs["depot"]
    km = haversine_matrix([float(dep0["lat"]), *loads.lat.astype(float)],
                          [float(dep0["lon"]), *loads.lon.astype(float)])[0, 1:]
    reach_km = 0.95 * SPEED_KMH * min((STORE_CLOSE - DEPOT_OPEN) / 60,  # there before closing,
                                      (DEPOT_CLOSE - DEPOT_OPEN - SERVICE_MINUTES) / 120)  # and back
    far = km > reach_km
    loads.attrs["line_haul"] = [f"{c}: {d:.0f} km from {depot}, beyond a same-day truck ({reach_km:.0f} km); "
                                "ship by line-haul" for c, d in zip(loads.code[far], km[far], strict=True)]
    attrs = dict(loads.attrs)
    loads = loads[~far].reset_index(drop=True)
    loads.attrs.update(attrs)
    if loads.empty:
        raise InputError(f"Every store served by {depot!r} is beyond a same-day truck run.", where="depot")
    cap = float(vehicle_capacity_kg or 1500.0)
    biggest = float(loads.kg.max())
    if biggest > cap:
        raise InputError(f"The 'vehicle_capacity' parameter of plan_routes must be at least the largest drop "
                         f"({biggest:.0f} kg at {loads.code[int(loads.kg.idxmax())]}). Got {cap:g} instead.",
                         where="vehicle_capacity")
    count = vehicles or max(1, ceil_int(loads.kg.sum() / cap) + 2)
    dep = loads.attrs["depot"]
    m = RoutingModel()
    m.add_depot(depot, lat=float(dep["lat"]), lon=float(dep["lon"]), tw_early=DEPOT_OPEN, tw_late=DEPOT_CLOSE)
    for r in loads.itertuples(index=False):
        m.add_stop(r.code, lat=float(r.lat), lon=float(r.lon), demand=ceil_int(r.kg), service_time=SERVICE_MINUTES,
                   tw_early=STORE_OPEN, tw_late=STORE_CLOSE)
    m.add_vehicle_type("truck", capacity=ceil_int(cap), count=count, depot=depot, fixed_cost=300.0,
                       unit_distance_cost=3.5, speed_kmh=SPEED_KMH, tw_early=DEPOT_OPEN, tw_late=DEPOT_CLOSE)
    return m, loads


# --------------------------------------------------------------------------- MRP and purchasing

WEEK = 7


def _days_to_weeks(days: float) -> int:
    return max(0, ceil_int(float(days) / WEEK))


def mrp_model(store: Store, items: list[str] | None = None, horizon_days: int = 56,
              lot_sizing: Any = "wagner-whitin", ordering_cost: float = 100.0, setup_cost: float = 500.0,
              holding_rate: float = 0.25, forecast_model: str = "AutoETS") -> tuple[Any, dict[str, Any]]:
    """A weekly MRP model of the stored company: forecast demand, BOM, stock, open orders, lines.

    Period 1 is the week after the last day of demand history. Independent demand is the
    forecast of each finished good (all locations), summed per week, with reference
    ``FC:<item>:W<k>``; on-hand is the latest fused stock estimate (or snapshot) summed over
    locations; open purchase and production orders due in the horizon are scheduled receipts;
    purchased items take their primary supplier's lead time, made items one week; each made item
    loads the line it was last produced on (hours = qty / rate).

    The context returned with the model holds ``start`` (first day of period 1), ``weeks``, the
    ``forecast``, the suppliers, and ``plant_of`` / ``line_of`` (item → plant, item → line) that
    :func:`planned_production` uses to place the planned production orders.
    """
    from sqlalchemy import func

    from supplypilot.data.model import (BomLine, InventoryEstimate, InventorySnapshot, ProductionOrder,
                                        ProductionRecord, PurchaseOrderLine, Resource)
    from supplypilot.forecast.service import forecast_store
    from supplypilot.plan.mrp import MrpModel

    weeks = max(1, ceil_int(horizon_days / WEEK))
    fc = forecast_store(store, items or None, level="item", horizon=weeks * WEEK, levels=[80], model=forecast_model)
    start = fc.history["ds"].max() + pd.Timedelta(days=1)
    f = fc.forecasts.assign(week=lambda d: ((d["ds"] - start).dt.days // WEEK + 1).astype(int))
    weekly = f.groupby(["unique_id", "week"], as_index=False)["forecast"].sum()
    with store.engine.connect() as conn:
        item_rows = pd.read_sql(select(Item.code, Item.kind, Item.unit_cost), conn).set_index("code")
        bom = pd.read_sql(select(BomLine.parent_code, BomLine.child_code, BomLine.qty_per, BomLine.scrap_rate), conn)
        sup = pd.read_sql(select(SupplierItem.item_code, SupplierItem.supplier_code, SupplierItem.unit_price,
                                 SupplierItem.lead_time_days, Supplier.lead_time_days.label("sup_lt"),
                                 SupplierItem.is_primary)
                          .join(Supplier, Supplier.code == SupplierItem.supplier_code), conn)
        est_last = conn.execute(select(func.max(InventoryEstimate.date))).scalar_one()
        if est_last is not None:
            stock = pd.read_sql(select(InventoryEstimate.item_code, func.sum(InventoryEstimate.on_hand).label("on_hand"))
                                .where(InventoryEstimate.date == est_last).group_by(InventoryEstimate.item_code), conn)
        else:
            snap_last = conn.execute(select(func.max(InventorySnapshot.date))).scalar_one()
            stock = pd.read_sql(select(InventorySnapshot.item_code, func.sum(InventorySnapshot.on_hand).label("on_hand"))
                                .where(InventorySnapshot.date == snap_last, InventorySnapshot.source == "ERP")
                                .group_by(InventorySnapshot.item_code), conn)
        po = pd.read_sql(select(PurchaseOrderLine.item_code, PurchaseOrderLine.due_date, PurchaseOrderLine.qty,
                                PurchaseOrderLine.received_qty, PurchaseOrderLine.po_number)
                         .where(PurchaseOrderLine.status.in_(["open", "partial"])), conn)
        mo = pd.read_sql(select(ProductionOrder.item_code, ProductionOrder.due_date, ProductionOrder.qty,
                                ProductionOrder.order_number)
                         .where(ProductionOrder.status.in_(["planned", "released", "in_progress"])), conn)
        lines = pd.read_sql(select(ProductionRecord.item_code, ProductionRecord.resource_code,
                                   func.max(ProductionRecord.date).label("last"))
                            .group_by(ProductionRecord.item_code, ProductionRecord.resource_code), conn)
        res = pd.read_sql(select(Resource.code, Resource.capacity_per_hour, Resource.hours_per_day, Resource.kind,
                                 Resource.plant_code), conn)
        mo_plants = pd.read_sql(select(ProductionOrder.item_code, ProductionOrder.plant_code)
                                .order_by(ProductionOrder.due_date), conn)
    # which items to plan: the finished goods forecast and everything below them in the BOM
    plan_items: set[str] = set(weekly["unique_id"])
    frontier = list(plan_items)
    children = bom.groupby("parent_code")
    while frontier:
        p = frontier.pop()
        if p in children.groups:
            for c in children.get_group(p)["child_code"]:
                if c not in plan_items:
                    plan_items.add(c)
                    frontier.append(c)
    primary = sup.sort_values(["is_primary", "unit_price"], ascending=[False, True]).drop_duplicates("item_code")
    primary = primary.set_index("item_code")
    stock = stock.set_index("item_code")["on_hand"] if len(stock) else pd.Series(dtype=float)
    made = set(bom["parent_code"])
    m = MrpModel(horizon=weeks)
    for code in sorted(plan_items):
        cost = float(item_rows.loc[code, "unit_cost"]) if code in item_rows.index else 0.0
        buy = code in primary.index and code not in made
        if buy:
            p = primary.loc[code]
            lt = _days_to_weeks(p["lead_time_days"] if pd.notna(p["lead_time_days"]) else p["sup_lt"])
        else:
            lt = 1
        rule = lot_sizing.get(code, "lot-for-lot") if isinstance(lot_sizing, dict) else lot_sizing
        m.add_item(code, lead_time=lt, on_hand=max(0.0, float(stock.get(code, 0.0))), lot_sizing=rule,
                   unit_cost=cost, setup_cost=ordering_cost if buy else setup_cost,
                   holding_cost=cost * holding_rate / 52, make_or_buy="buy" if buy else "make")
    for r in bom.itertuples(index=False):
        if r.parent_code in plan_items:
            m.add_bom_line(r.parent_code, r.child_code, float(r.qty_per), scrap=float(r.scrap_rate or 0.0))
    for r in weekly.itertuples(index=False):
        if r.forecast > 0 and 1 <= r.week <= weeks:
            m.add_demand(r.unique_id, int(r.week), float(r.forecast), ref=f"FC:{r.unique_id}:W{int(r.week)}")

    def week_of(d: Any) -> int:
        return max(1, int((pd.Timestamp(d) - start).days // WEEK + 1))

    for r in po.itertuples(index=False):
        left = float(r.qty) - float(r.received_qty or 0.0)
        if r.item_code in plan_items and left > 0 and week_of(r.due_date) <= weeks:
            m.add_scheduled_receipt(r.item_code, week_of(r.due_date), left, ref=f"PO:{r.po_number}")
    for r in mo.itertuples(index=False):
        if r.item_code in plan_items and week_of(r.due_date) <= weeks:
            m.add_scheduled_receipt(r.item_code, week_of(r.due_date), float(r.qty), ref=f"MO:{r.order_number}")
    # where each made item is produced: the plant of the line it was last made on, else of the resource
    # of another kind it was last made on (items made only on module assembly & test cells have no
    # line), else the plant of its latest production order
    plant_of: dict[str, str] = {r.item_code: r.plant_code for r in mo_plants.itertuples(index=False)
                                if isinstance(r.plant_code, str)}
    line_of: dict[str, str] = {}
    if len(lines):
        lines = lines.merge(res, left_on="resource_code", right_on="code")
        for r in lines.sort_values("last").drop_duplicates("item_code", keep="last").itertuples(index=False):
            if isinstance(r.plant_code, str):
                plant_of[r.item_code] = r.plant_code
        last_line = lines[lines.kind == "line"].sort_values("last").drop_duplicates("item_code", keep="last")
        used = set()
        for r in last_line.itertuples(index=False):
            line_of[r.item_code] = r.resource_code
            if isinstance(r.plant_code, str):
                plant_of[r.item_code] = r.plant_code
            if r.item_code in plan_items and r.item_code in made:
                if r.resource_code not in used:
                    m.add_resource(r.resource_code, float(r.hours_per_day) * 6)  # hours a week, 6 shifts
                    used.add(r.resource_code)
                m.add_usage(r.item_code, r.resource_code, per_unit=1.0 / float(r.capacity_per_hour))
    context = {"start": start, "weeks": weeks, "forecast": fc, "primary": primary, "suppliers": sup,
               "plant_of": plant_of, "line_of": line_of}
    return m, context


def planned_production(mrp: Any, context: dict[str, Any]) -> pd.DataFrame:
    """The MRP's planned production orders as dated orders a schedule can take.

    One row per ``make`` order of ``mrp.planned_orders``: ``order`` (the MRP's id), ``item``,
    ``plant`` (from :func:`mrp_model`'s context: the plant of the line the item was last made
    on, else of the cell it was last made on, else of its latest production order; None when
    none exists), ``qty`` (rounded up),
    ``release_date`` (first day of the release week), ``due_date`` (first day of the week the
    receipt is needed) and ``pegging`` (the demand references it serves, comma-separated).

    These orders are the MRP's *net* requirements: stock and the open production orders due in
    the MRP horizon are scheduled receipts in :func:`mrp_model`, so scheduling the open orders
    together with these counts nothing twice.
    """
    cols = ["order", "item", "plant", "qty", "release_date", "due_date", "pegging"]
    orders = mrp.planned_orders
    if orders is None or orders.empty:
        return pd.DataFrame(columns=cols)
    start = pd.Timestamp(context["start"])
    plant_of = context.get("plant_of", {})
    rows = []
    for r in orders[orders["kind"] == "make"].itertuples(index=False):
        peg = r.pegging if isinstance(r.pegging, (list, tuple)) else [str(r.pegging)]
        rows.append({"order": str(r.order), "item": str(r.item), "plant": plant_of.get(r.item),
                     "qty": float(ceil_int(float(r.qty))),
                     "release_date": (start + pd.Timedelta(days=WEEK * (int(r.release) - 1))).date(),
                     "due_date": (start + pd.Timedelta(days=WEEK * (int(r.due) - 1))).date(),
                     "pegging": ", ".join(map(str, peg))})
    return pd.DataFrame(rows, columns=cols)


def sourcing_model(store: Store, buys: pd.DataFrame, weeks: int, budget: float | None = None) -> Any:
    """Supplier choice for the planned buys (``item, qty`` over the horizon) as a MILP.

    Offers come from ``supplier_item`` (price breaks, MOQ, item lead time); suppliers bring their
    reliability and weekly capacity (times the horizon). Expected shortfall ``(1 − r)·qty`` costs
    half the unit cost, so a cheap but unreliable supplier pays for its risk.
    """
    import json

    from supplypilot.plan.sourcing import SourcingModel

    with store.engine.connect() as conn:
        offers = pd.read_sql(select(SupplierItem.supplier_code, SupplierItem.item_code, SupplierItem.unit_price,
                                    SupplierItem.price_breaks, SupplierItem.lead_time_days, SupplierItem.moq,
                                    Supplier.lead_time_days.label("sup_lt"), Supplier.moq.label("sup_moq"),
                                    Supplier.reliability, Supplier.capacity_per_week)
                             .join(Supplier, Supplier.code == SupplierItem.supplier_code)
                             .where(SupplierItem.item_code.in_(list(buys["item"]))), conn)
        costs = dict(conn.execute(select(Item.code, Item.unit_cost)).all())
    m = SourcingModel()
    for r in offers.drop_duplicates("supplier_code").itertuples(index=False):
        cap = None if pd.isna(r.capacity_per_week) else float(r.capacity_per_week) * weeks
        m.add_supplier(r.supplier_code, reliability=float(r.reliability), capacity=cap)
    for b in buys.itertuples(index=False):
        m.add_item(b.item, float(b.qty), shortfall_penalty=0.5 * float(costs.get(b.item, 0.0)))
    for r in offers.itertuples(index=False):
        breaks = json.loads(r.price_breaks) if isinstance(r.price_breaks, str) and r.price_breaks else None
        price: Any = [(float(q), float(p)) for q, p in breaks] if breaks else float(r.unit_price)
        if isinstance(price, list) and price and price[0][0] > 0:
            price = [(0.0, float(r.unit_price)), *price] if price[0][1] != float(r.unit_price) else \
                [(0.0, price[0][1]), *price[1:]]
        moq = r.moq if pd.notna(r.moq) else r.sup_moq
        lt = r.lead_time_days if pd.notna(r.lead_time_days) else r.sup_lt
        m.add_offer(r.supplier_code, r.item_code, price, moq=float(moq or 0.0), lead_time=_days_to_weeks(lt))
    if budget is not None:
        m.set_budget(budget)
    return m


# --------------------------------------------------------------------------- production schedule

SHIFT_START = 6 * 60  # lines start at 06:00 and run their hours_per_day from there
CHANGEOVER_MIN = 45   # minutes to switch a line between product families
MAX_SPARE_DAYS = 120  # at most this many calendar days past the horizon for late work


def check_plant(store: Store, plant: str) -> None:
    """Refuse ``plant`` unless it is a location of kind ``plant`` (raises UnknownEntityError)."""
    with store.engine.connect() as conn:
        if conn.execute(select(Location.code).where(Location.code == plant, Location.kind == "plant")).first() is None:
            raise UnknownEntityError("plant", plant, "Plants are locations of kind 'plant'.")


def schedule_model(store: Store, plant: str | None = None, horizon_days: int = 14,
                   planned: pd.DataFrame | None = None) -> tuple[Any, dict[str, Any]]:
    """A CP-SAT scheduling model of the production orders in the next ``horizon_days``.

    The orders are the open production orders of the store (planned, released, in progress)
    and, when ``planned`` is given, the MRP's planned production orders (the frame of
    :func:`planned_production`: ``order, item, plant, qty, release_date, due_date, pegging``)
    released in the horizon. Planned orders are the MRP's net requirements after the open
    orders, so the two sets together count nothing twice.

    Time is in minutes from 00:00 of the first day after the demand history. Each order runs
    on its assigned line (or any line of the plant that has made the item) and then, for
    families that are tested, on the plant's test station. An item that no line has made but
    that a resource of another kind has (the module assembly & test cells, kind ``test``, that
    make the display modules and battery packs; a ``machine`` or ``labour`` cell) runs on the
    cells of the plant that have made it, or on its assigned cell, in one operation that both
    makes and tests it, at the cell's own rate. Orders longer than a day's shift are split into
    batches of at most one shift, because an operation cannot run through the night.
    Calendars come from ``resource_calendar`` (available hours per day, maintenance) and run
    two weeks past the horizon, longer when a machine's work needs it (at most
    :data:`MAX_SPARE_DAYS`), so late work still has somewhere to go; family changeovers on a line
    (or on a cell making items) take :data:`CHANGEOVER_MIN` minutes.

    Returns
    -------
    tuple
        The :class:`~supplypilot.plan.schedule.ScheduleModel` and a context: ``start`` (time 0),
        ``batches`` (``job, order, item, qty, plant, due, source`` per job; ``source`` says
        where the order comes from: the stored order or the MRP order and its pegging),
        ``orders`` (the orders considered), ``planned`` (MRP planned orders scheduled) and
        ``unscheduled`` (orders that no line or cell can make, with the reason).

    Raises
    ------
    InputError
        When no order falls in the horizon, or none of them can be made on a line or cell.
    """
    from sqlalchemy import func

    from supplypilot.data.model import Demand, ProductionOrder, ProductionRecord, Resource, ResourceCalendar
    from supplypilot.plan.schedule import Calendar, ScheduleModel

    with store.engine.connect() as conn:
        last = conn.execute(select(func.max(Demand.date))).scalar_one()
        if last is None:
            raise InputError("The store holds no demand history; nothing to anchor a schedule on.", where="store")
        start = pd.Timestamp(last) + pd.Timedelta(days=1)
        end = start + pd.Timedelta(days=horizon_days)
        q = select(ProductionOrder).where(ProductionOrder.status.in_(["planned", "released", "in_progress"]),
                                          ProductionOrder.release_date < end.date(),
                                          ProductionOrder.due_date >= (start - pd.Timedelta(days=7)).date())
        if plant:
            check_plant(store, plant)
            q = q.where(ProductionOrder.plant_code == plant)
        orders = pd.read_sql(q, conn)
        res = pd.read_sql(select(Resource), conn).set_index("code")
        made_on = pd.read_sql(select(ProductionRecord.item_code, ProductionRecord.resource_code).distinct(), conn)
        cal = pd.read_sql(select(ResourceCalendar.resource_code, ResourceCalendar.date,
                                 ResourceCalendar.available_hours, ResourceCalendar.reason)
                          .where(ResourceCalendar.date >= start.date(), ResourceCalendar.date < end.date()), conn)
        families = dict(conn.execute(select(Item.code, Item.family)).all())
    orders = orders.assign(source=[f"stored order {o} ({s})" for o, s in zip(orders.order_number, orders.status,
                                                                          strict=True)], mrp_order=None)
    n_planned = 0
    if planned is not None and len(planned):
        p = planned[(pd.to_datetime(planned["release_date"]) < end)
                    & (pd.to_datetime(planned["due_date"]) >= start - pd.Timedelta(days=7))]
        if plant:
            p = p[p["plant"] == plant]
        if len(p):
            due = pd.to_datetime(p["due_date"])
            orders = pd.concat([orders, pd.DataFrame({
                "order_number": [f"PLN-{i}-{d.date()}" for i, d in zip(p["item"], due, strict=True)],
                "item_code": p["item"].to_numpy(), "plant_code": p["plant"].to_numpy(),
                "resource_code": None, "qty": p["qty"].astype(float).to_numpy(),
                "release_date": pd.to_datetime(p["release_date"]).dt.date.to_numpy(), "due_date": due.dt.date.to_numpy(),
                "status": "mrp_planned",
                "source": [f"MRP planned {o}, pegged to {g}" for o, g in zip(p["order"], p["pegging"], strict=True)],
                "mrp_order": p["order"].to_numpy(),
            })], ignore_index=True)
            n_planned = len(p)
    if orders.empty:
        raise InputError(f"No open or planned production orders between {start.date()} and {end.date()}"
                         f"{' at ' + plant if plant else ''}.", where="horizon_days")
    m = ScheduleModel()
    cal["date"] = pd.to_datetime(cal["date"])
    used = sorted(set(made_on.resource_code[made_on.item_code.isin(orders.item_code)])
                  | set(orders.resource_code.dropna()))
    used = [r for r in used if r in res.index and (not plant or res.loc[r, "plant_code"] == plant)]
    hours_of = {rc: float(res.loc[rc, "hours_per_day"]) for rc in used}
    rate = {rc: float(res.loc[rc, "capacity_per_hour"]) for rc in used}
    lines = [r for r in used if res.loc[r, "kind"] == "line"]
    # resources of another kind (module assembly & test cells, machines, crews) make the items no line
    # has made, at their own rate; one without a rate or working hours cannot take an order
    cells = [r for r in used if r not in lines and rate[r] > 0 and hours_of[r] > 0]
    tests = {p: [r for r in used if res.loc[r, "kind"] == "test" and res.loc[r, "plant_code"] == p]
             for p in set(orders.plant_code.dropna())}
    tested_items = set(made_on.item_code[made_on.resource_code.map(lambda r: r in res.index and res.loc[r, "kind"] == "test")])
    # each order's candidate lines (or cells), batches and test stations; their work sizes the calendars
    work: list[tuple[Any, list[str], list[float], list[str]]] = []
    skipped: dict[tuple[str, str | None], list[Any]] = {}
    load = dict.fromkeys(used, 0.0)  # hours, as if every batch ran on each of its candidates
    making: set[str] = set(lines)  # machines that make items, so change over between families
    for o in orders.itertuples(index=False):
        made = [r for r in made_on.resource_code[made_on.item_code == o.item_code]
                if r in res.index and res.loc[r, "plant_code"] == o.plant_code]
        cand = [r for r in made if r in lines]
        if isinstance(o.resource_code, str) and o.resource_code in lines:
            cand = sorted(set(cand) | {o.resource_code})
        # a tested item made on a line goes on to the plant's test station afterwards
        tst = tests.get(o.plant_code, []) if o.item_code in tested_items else []
        if not cand:  # no line has made it: the cells that have, which make and test it in one step
            cand = sorted({r for r in made if r in cells}
                          | ({o.resource_code} if isinstance(o.resource_code, str) and o.resource_code in cells
                             else set()))
            tst = []
            making.update(cand)
        if not cand:
            skipped.setdefault((o.item_code, o.plant_code if isinstance(o.plant_code, str) else None), []).append(o)
            continue
        per_batch = max(1.0, math.floor(min(hours_of[r] for r in cand) * min(rate[r] for r in cand) * 0.95))
        n = max(1, math.ceil(float(o.qty) / per_batch))
        qtys = [min(per_batch, float(o.qty) - b * per_batch) for b in range(n)]
        work.append((o, cand, qtys, tst))
        for r in cand:
            load[r] += float(o.qty) / rate[r] + n * CHANGEOVER_MIN / 60
        for r in tst:
            load[r] += float(o.qty) / rate[r]
    # calendars run past the horizon so that late work still has somewhere to go: two spare weeks,
    # or as many more days as the most loaded machine needs to finish everything, plus a week
    need = max((ceil_int(h / hours_of[r]) for r, h in load.items() if hours_of[r] > 0), default=0)
    days = horizon_days + min(MAX_SPARE_DAYS, max(14, need + 7 - horizon_days))
    for rc in used:
        shifts = []
        rcal = cal[cal.resource_code == rc].set_index("date")["available_hours"]
        for d in range(days):
            day = start + pd.Timedelta(days=d)
            hours = float(rcal.get(day, res.loc[rc, "hours_per_day"]))
            if hours > 0:
                shifts.append((d * 1440 + SHIFT_START, d * 1440 + SHIFT_START + int(hours * 60)))
        m.add_machine(rc, Calendar.from_shifts(shifts) if shifts else Calendar([(0, None)]))  # never open
    fams = sorted({families.get(i) or "other" for i in orders.item_code})
    for rc in sorted(making):
        m.set_setup_times(rc, {a: {b: 0 if a == b else CHANGEOVER_MIN for b in fams} for a in fams})
    batches = []
    for o, cand, qtys, tst in work:
        fam = families.get(o.item_code) or "other"
        rel = max(0, int((pd.Timestamp(o.release_date) - start).days) * 1440)
        due = int((pd.Timestamp(o.due_date) - start).days + 1) * 1440
        for b, qty in enumerate(qtys):
            name = o.order_number if len(qtys) == 1 else f"{o.order_number}/{b + 1}"
            m.add_job(name, release=rel, due=max(due, rel + 1),
                      weight=2 if o.status not in ("planned", "mrp_planned") else 1)
            m.add_operation(name, {r: ceil_int(qty / rate[r] * 60) for r in cand}, family=fam)
            if tst:
                m.add_operation(name, {r: ceil_int(qty / rate[r] * 60) for r in tst})
            batches.append({"job": name, "order": o.order_number, "item": o.item_code, "qty": qty,
                            "plant": o.plant_code, "due": str(pd.Timestamp(o.due_date).date()), "source": o.source})
    unscheduled = [_unschedulable(item, where, group, made_on, res) for (item, where), group in skipped.items()]
    if not batches:
        raise InputError(f"None of the {len(orders)} production orders between {start.date()} and {end.date()} "
                         f"can be scheduled on a line or cell: {'; '.join(unscheduled[:5])}.", where="plant")
    scheduled_planned = sum(1 for o in {b["order"] for b in batches} if o.startswith("PLN-"))
    return m, {"start": start, "batches": pd.DataFrame(batches), "orders": orders, "planned": scheduled_planned,
               "planned_in_horizon": n_planned, "unscheduled": unscheduled}


def _unschedulable(item: str, plant: str | None, group: list[Any], made_on: pd.DataFrame, res: pd.DataFrame) -> str:
    """Why the orders of ``item`` at ``plant`` are left out of the schedule, in one line."""
    labels = sorted((f"MRP planned {o.mrp_order}" if isinstance(o.mrp_order, str) else o.order_number for o in group),
                    key=lambda t: not t.startswith("MRP"))  # the MRP's orders first: they are new to the planner
    units = sum(float(o.qty) for o in group)
    what = (f"{len(group)} order{'s' if len(group) > 1 else ''} of {item} ({units:,.0f} units: "
            f"{', '.join(labels[:4])}{', ...' if len(labels) > 4 else ''})")
    if plant is None:
        return f"{what} not scheduled: no plant has made {item} (no production record or order names one)"
    cells = [r for r in made_on.resource_code[made_on.item_code == item]
             if r in res.index and res.loc[r, "plant_code"] == plant]
    # cells that made it are scheduled; those left here have no rate or no working hours
    on = (f"; it is made on {', '.join(sorted(cells))} ({'/'.join(sorted({str(res.loc[r, 'kind']) for r in cells}))}), "
          "which has no capacity per hour or no working hours") if cells else ""
    return f"{what} not scheduled: no production line at {plant} has made {item}{on}"


def schedule_warm_start(operations: pd.DataFrame | list[dict[str, Any]], start: Any) -> Any:
    """A warm start for :meth:`ScheduleModel.solve` from a schedule saved in calendar time.

    ``operations`` has one row per operation with ``job, op, machine, start, end``, where
    ``start`` and ``end`` are timestamps (``"YYYY-MM-DD HH:MM"``), as a planning cycle saves
    them; ``start`` is time 0 of the new model. Times become minutes from it (earlier work gets
    negative minutes, which only orders it first), so a plan made on an earlier day still maps
    onto the same clock. Returns a :class:`~supplypilot.plan.schedule.ScheduleResult` built with
    :meth:`~supplypilot.plan.schedule.ScheduleResult.from_table`.
    """
    from supplypilot.plan.schedule import ScheduleResult

    table = pd.DataFrame(operations)
    if "op" not in table:
        table["op"] = table.groupby("job").cumcount()
    t0 = pd.Timestamp(start)

    def minutes(column: str) -> pd.Series:
        return ((pd.to_datetime(table[column]) - t0) / pd.Timedelta(minutes=1)).round().astype(int)

    table = table.assign(start=minutes("start"), end=minutes("end"))
    return ScheduleResult.from_table(table[["job", "op", "machine", "start", "end"]])


def fixed_lots(first: Any, model_items: dict[str, Any]) -> dict[str, Any]:
    """A fixed order quantity per item: its EOQ from the net requirements of a lot-for-lot plan.

    ERPs call this "fixed lot size": one quantity per item, ordered in multiples. Taking it from
    the EOQ of each item's own planned requirements (weekly mean, setup and holding cost of the
    item) keeps the rule meaningful for components whose demand is only known after explosion.
    """
    from supplypilot.plan.lotsizing import FixedOrderQuantity, economic_order_quantity

    rules: dict[str, Any] = {}
    weeks = max(1, int(first.records["period"].max())) if len(first.records) else 1
    for code, g in first.planned_orders.groupby("item"):
        it = model_items[code]
        demand = float(g["qty"].sum()) / weeks
        if it.holding_cost > 0 and it.setup_cost > 0 and demand > 0:
            q = economic_order_quantity(demand, it.setup_cost, it.holding_cost)
        else:
            q = float(g["qty"].max())
        rules[code] = FixedOrderQuantity(max(1.0, float(math.ceil(q))))
    return rules
