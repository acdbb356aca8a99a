"""Stored history as the long frame ``unique_id, ds, y`` that every forecasting model reads.

The store keeps demand per item × location × day (cleaned beside raw), production records,
shipments and inventory estimates; this module turns them into forecastable series at the level
a planner asks for — an item at one location, an item over all locations, a product family —
with the gaps the store does not hold (days without sales) filled explicitly with zeros.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import pandas as pd
from sqlalchemy import func, select

from supplypilot.data.model import Demand, InventoryEstimate, Item, Location, ProductionRecord, Shipment
from supplypilot.data.store import Store
from supplypilot.errors import InputError, UnknownEntityError

Level = Literal["item", "item_location", "family", "total"]
LEVELS: tuple[str, ...] = ("item", "item_location", "family", "total")
SEP = "|"
"""Separator of the parts of a ``unique_id`` (``PH-1|DC-N``); codes never contain it."""


def _check_codes(store: Store, model: type, codes: Sequence[str] | None, kind: str) -> None:
    if not codes:
        return
    with store.engine.connect() as conn:
        known = set(conn.execute(select(model.code).where(model.code.in_(list(codes)))).scalars())
    missing = [c for c in codes if c not in known]
    if missing:
        raise UnknownEntityError(kind, missing[0], "Use `supplypilot data items` to list the codes.")


def demand_frame(
    store: Store,
    items: Sequence[str] | None = None,
    locations: Sequence[str] | None = None,
    *,
    level: Level = "item",
    start: str | None = None,
    end: str | None = None,
    cleaned: bool = True,
    min_days: int = 1,
) -> pd.DataFrame:
    """Daily demand as a long frame, aggregated to ``level``.

    Parameters
    ----------
    items, locations
        Restrict to these codes (unknown codes raise :class:`UnknownEntityError`).
    level
        ``item`` sums over locations, ``item_location`` keeps each pair, ``family`` sums items of
        a product family, ``total`` sums everything.
    cleaned
        Use the cleaned quantity where cleaning produced one (the raw one otherwise).
    min_days
        Drop series with fewer observed days than this (too short to forecast).

    Returns
    -------
    ``unique_id, ds, y, price, promo`` with one row per series and day from its first sale to
    the last date in the store (days without a row are zero demand, price carried forward).
    """
    if level not in LEVELS:
        raise InputError(f"The 'level' parameter of demand_frame must be one of {list(LEVELS)}. "
                         f"Got {level!r} instead.", where="level")
    _check_codes(store, Item, items, "item")
    _check_codes(store, Location, locations, "location")
    value = func.coalesce(Demand.qty_clean, Demand.qty) if cleaned else Demand.qty
    q = select(Demand.item_code, Demand.location_code, Demand.date, value.label("y"), Demand.price,
               Demand.promo, Item.family).join(Item, Item.code == Demand.item_code)
    if items:
        q = q.where(Demand.item_code.in_(list(items)))
    if locations:
        q = q.where(Demand.location_code.in_(list(locations)))
    if start:
        q = q.where(Demand.date >= pd.Timestamp(start).date())
    if end:
        q = q.where(Demand.date <= pd.Timestamp(end).date())
    with store.engine.connect() as conn:
        raw = pd.read_sql(q, conn)
    if raw.empty:
        where = ", ".join(f"{k}={v}" for k, v in (("items", items), ("locations", locations)) if v)
        raise InputError(f"No demand history in the store{' for ' + where if where else ''}.", where="demand")
    raw["ds"] = pd.to_datetime(raw["date"])
    raw["promo"] = raw["promo"].fillna(False).astype(bool)
    key = {
        "item": raw["item_code"],
        "item_location": raw["item_code"] + SEP + raw["location_code"],
        "family": raw["family"].fillna("(no family)"),
        "total": pd.Series("total", index=raw.index),
    }[level]
    raw["unique_id"] = key
    raw["revenue"] = raw["price"] * raw["y"]
    g = raw.groupby(["unique_id", "ds"], sort=True)
    agg = g.agg(y=("y", "sum"), revenue=("revenue", "sum"),
                price=("price", "mean"), promo=("promo", "max")).reset_index()
    # a sales-weighted price where there were sales, the plain mean otherwise
    with_sales = agg["y"] > 0
    agg.loc[with_sales, "price"] = agg.loc[with_sales, "revenue"] / agg.loc[with_sales, "y"]
    agg = agg.drop(columns=["revenue"])
    return _fill_days(agg, end=raw["ds"].max(), min_days=min_days)


def _fill_days(df: pd.DataFrame, end: pd.Timestamp, min_days: int) -> pd.DataFrame:
    parts = []
    for uid, s in df.groupby("unique_id", sort=True):
        if len(s) < min_days:
            continue
        idx = pd.date_range(s["ds"].min(), end, freq="D")
        s = s.set_index("ds").reindex(idx)
        s.index.name = "ds"
        s["unique_id"] = uid
        s["y"] = s["y"].fillna(0.0)
        s["promo"] = s["promo"].astype("boolean").fillna(False).astype(bool)
        s["price"] = s["price"].ffill().bfill()
        parts.append(s.reset_index())
    if not parts:
        raise InputError(f"No series has at least {min_days} days of history.", where="min_days")
    out = pd.concat(parts, ignore_index=True)
    return out[["unique_id", "ds", "y", "price", "promo"]]


def flows_frame(store: Store, items: Sequence[str] | None = None, *, level: Level = "item") -> pd.DataFrame:
    """Sales, production, shipments and fused stock per day as extra target columns.

    The multi-output models (Chinchilla) predict these jointly: ``y`` is demand, and
    ``production``, ``shipments`` and ``inventory`` are the other targets, aligned on the same
    ``unique_id, ds`` grid (missing days: zero flows, stock carried forward).
    """
    if level not in ("item", "total"):
        raise InputError(f"The 'level' parameter of flows_frame must be 'item' or 'total'. Got {level!r} instead.",
                         where="level")
    base = demand_frame(store, items, level=level)[["unique_id", "ds", "y"]]
    with store.engine.connect() as conn:
        prod = pd.read_sql(select(ProductionRecord.item_code, ProductionRecord.date,
                                  func.sum(ProductionRecord.qty_good).label("production"))
                           .group_by(ProductionRecord.item_code, ProductionRecord.date), conn)
        ship = pd.read_sql(select(Shipment.item_code, Shipment.ship_date.label("date"),
                                  func.sum(Shipment.qty).label("shipments"))
                           .group_by(Shipment.item_code, Shipment.ship_date), conn)
        inv = pd.read_sql(select(InventoryEstimate.item_code, InventoryEstimate.date,
                                 func.sum(InventoryEstimate.on_hand).label("inventory"))
                          .group_by(InventoryEstimate.item_code, InventoryEstimate.date), conn)
    out = base
    for frame, col in ((prod, "production"), (ship, "shipments"), (inv, "inventory")):
        f = frame.rename(columns={"item_code": "unique_id", "date": "ds"})
        f["ds"] = pd.to_datetime(f["ds"])
        if level == "total":
            f = f.assign(unique_id="total").groupby(["unique_id", "ds"], as_index=False)[col].sum()
        out = out.merge(f, on=["unique_id", "ds"], how="left")
    # an empty table merges in as an all-NaN object column: make every quantity a float first
    out = out.astype({"production": "float64", "shipments": "float64", "inventory": "float64"})
    out[["production", "shipments"]] = out[["production", "shipments"]].fillna(0.0)
    out["inventory"] = out.groupby("unique_id")["inventory"].transform(lambda s: s.ffill().bfill()).fillna(0.0)
    return out
