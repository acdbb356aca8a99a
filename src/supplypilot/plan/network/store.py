"""A network built from the foundation's tables (the store), for a demand period."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import pandas as pd

from supplypilot.errors import InputError
from supplypilot.plan.network.model import NetworkModel, _number

logger = logging.getLogger("supplypilot.plan.network")


def _read(store: Any, sql: str, **params: Any) -> pd.DataFrame:
    from sqlalchemy import text

    with store.engine.connect() as conn:
        return pd.read_sql(text(sql), conn, params=params)


def _explode(item: str, qty: float, bom: dict[str, list[tuple[str, float]]], bought: set[str],
             leaves: dict[str, float], depth: int = 0) -> None:
    """Add the purchased parts of ``qty`` units of ``item`` to ``leaves`` (scrap included)."""
    for child, per in bom.get(item, []):
        if child in bought or child not in bom or depth > 20:
            leaves[child] = leaves.get(child, 0.0) + qty * per
        else:
            _explode(child, qty * per, bom, bought, leaves, depth + 1)


def network_from_store(store: Any, start: dt.date | str | None = None,
                       end: dt.date | str | None = None, *, holding_rate: float = 0.25,
                       model: NetworkModel | None = None) -> NetworkModel:
    """A network from the foundation's tables, for demand summed over ``[start, end]``.

    What becomes what:

    * **customers**: stores and customers with demand in the period (``qty_clean`` where
      cleaning set it, else ``qty``); demand recorded at a DC (spare parts) becomes a customer
      ``<DC>/local`` fed by a free lane from that DC;
    * **suppliers**: each supplier, named by its code, selling its ``supplier_items`` at their
      unit price, with ``capacity_per_week`` scaled to the period and its lead time; lanes from
      its site (``location_code``) start at the supplier;
    * **plants**: each plant can make every finished good whose bill of materials is in the
      store, from the purchased parts it explodes to (``qty_per / (1 - scrap_rate)`` per level);
      its capacity, in finished units, is the daily capacity of its production lines
      (resources of kind ``line``) over the period: a coarse aggregate, the scheduler sees the
      lines one by one. Products without a BOM (spare parts) pass through plants;
    * **DCs**: pass-through, no capacity (the store has none);
    * **lanes**: cost per unit, lead time, ``capacity_per_day`` over the period; a lane's
      fixed cost per shipment is left out (it is a shipment-size question, not a flow one);
    * **holding cost** per unit-day: the item's unit cost × ``holding_rate`` / 365, which
      prices lead times.

    ``start``/``end`` default to the last 28 days with demand.
    """
    m = model if model is not None else NetworkModel()
    _number(holding_rate, "holding_rate", "from_store")
    if end is None:
        last = _read(store, "SELECT MAX(date) AS d FROM demand")["d"].iloc[0]
        if last is None:
            raise InputError("The store has no demand to plan for: import demand first.",
                             where="demand")
        end = pd.Timestamp(last).date()
    end = pd.Timestamp(end).date()
    start = pd.Timestamp(start).date() if start is not None else end - dt.timedelta(days=27)
    if start > end:
        raise InputError(f"The 'start' parameter of from_store must be on or before 'end' "
                         f"({end}). Got {start} instead.", where="start")
    days = (end - start).days + 1
    demand = _read(store, "SELECT item_code, location_code, SUM(COALESCE(qty_clean, qty)) AS qty "
                   "FROM demand WHERE date >= :a AND date <= :b "
                   "GROUP BY item_code, location_code", a=start, b=end)
    demand = demand[demand["qty"] > 0]
    locs = _read(store, "SELECT code, kind FROM location").set_index("code")["kind"]
    items = _read(store, "SELECT code, unit_cost FROM item").set_index("code")["unit_cost"]
    sups = _read(store, "SELECT code, location_code, lead_time_days, capacity_per_week "
                        "FROM supplier")
    offers = _read(store, "SELECT supplier_code, item_code, unit_price FROM supplier_item")
    bom_rows = _read(store, "SELECT parent_code, child_code, qty_per, scrap_rate FROM bom_line")
    lanes = _read(store, "SELECT * FROM lane")
    res = _read(store, "SELECT plant_code, kind, capacity_per_hour, hours_per_day FROM resource")
    for code, cost in items.items():
        m.add_product(code, holding_cost_per_day=float(cost) * holding_rate / 365.0)
    bought = set(offers["item_code"])
    bom: dict[str, list[tuple[str, float]]] = {}
    for r in bom_rows.itertuples():
        bom.setdefault(r.parent_code, []).append(
            (r.child_code, float(r.qty_per) / (1.0 - float(r.scrap_rate or 0.0))))
    recipes = {}
    for item in sorted(set(demand["item_code"]) & set(bom)):
        leaves: dict[str, float] = {}
        _explode(item, 1.0, bom, bought, leaves)
        recipes[item] = leaves
    site_of: dict[str, list[str]] = {}
    for s in sups.itertuples():
        sold = offers[offers["supplier_code"] == s.code]
        if sold.empty:
            continue
        cap = None if pd.isna(s.capacity_per_week) else float(s.capacity_per_week) * days / 7.0
        m.add_supplier(s.code, cap, products=list(sold["item_code"]),
                       unit_cost=dict(zip(sold["item_code"], sold["unit_price"].astype(float),
                                          strict=True)),
                       lead_time=float(s.lead_time_days))
        site_of.setdefault(s.location_code or s.code, []).append(s.code)
    lines = res[res["kind"] == "line"]
    daily = (lines["capacity_per_hour"] * lines["hours_per_day"]).groupby(lines["plant_code"]).sum()
    for code, kind in locs.items():
        if kind == "plant":
            cap = float(daily[code]) * days if code in daily.index else None
            m.add_plant(code, cap, recipe=recipes)
        elif kind == "dc":
            m.add_dc(code)
    wanted = {loc: dict(zip(g["item_code"], g["qty"].astype(float), strict=True))
              for loc, g in demand.groupby("location_code")}
    for loc, dem in wanted.items():
        kind = locs.get(loc)
        if kind in ("store", "customer"):
            m.add_customer(loc, dem)
        elif kind == "dc":
            m.add_customer(f"{loc}/local", dem)
            m.add_lane(loc, f"{loc}/local", mode="local")
    for ln in lanes.itertuples():
        for src in site_of.get(ln.origin_code, [ln.origin_code]):
            if src in m._nodes and ln.destination_code in m._nodes:
                cap = None if pd.isna(ln.capacity_per_day) else float(ln.capacity_per_day) * days
                m.add_lane(src, ln.destination_code, cost=float(ln.cost_per_unit), capacity=cap,
                           lead_time=float(ln.lead_time_days), mode=ln.mode)
    logger.debug("network from store: %r over %s..%s", m, start, end)
    return m
