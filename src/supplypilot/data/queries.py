"""Read-only look-ups over the store: status, lineage, items, demand, inventory, suppliers.

All queries are parameterised SQLAlchemy statements: user text is only ever a bound value,
never SQL.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import Date, DateTime, func, or_, select

from supplypilot.data.model import (
    ENTITY_MODELS,
    Correction,
    Demand,
    ImportBatch,
    InventoryEstimate,
    InventorySnapshot,
    Item,
    Location,
    Supplier,
    SupplierItem,
)
from supplypilot.data.store import Store
from supplypilot.data.validation import entity_spec
from supplypilot.errors import InputError, UnknownEntityError


def table_status(store: Store) -> list[dict[str, Any]]:
    """Rows and date range of every importable entity."""
    out = []
    with store.engine.connect() as conn:
        for entity, model in ENTITY_MODELS.items():
            table = model.__table__
            date_col = next(
                (c for c in table.columns if isinstance(c.type, (Date, DateTime))
                 and c.name in ("date", "ts", "order_date", "ship_date", "release_date")), None,
            )
            cols = [func.count()]
            if date_col is not None:
                cols += [func.min(date_col), func.max(date_col)]
            row = conn.execute(select(*cols).select_from(table)).one()
            out.append({
                "entity": entity, "rows": int(row[0]),
                "first": str(row[1])[:10] if date_col is not None and row[1] is not None else None,
                "last": str(row[2])[:10] if date_col is not None and row[2] is not None else None,
            })
    return out


SYSTEMATIC_RULES = ("loss_correction", "unit_conversion")
"""Corrections a source is known to need by design; they do not lower its quality score."""


def source_quality(store: Store) -> list[dict[str, Any]]:
    """Quality score per import source: share of its values that needed no correction.

    score = 100 · (1 − faults / rows) · rows / (rows + imputed), where *faults* counts values
    the cleaning had to repair or remove (outliers, duplicates, filled gaps in a reported value)
    and *imputed* counts rows it had to insert for missing periods. Systematic corrections that
    the source is known to need — the loss correction q = q′/(1 − p) of a lossy reader, unit
    conversion — are listed as ``systematic`` but are not faults: an RFID reader that loses 5 %
    of its reads by design and is corrected for it is not a bad source. A source that was never
    cleaned has no score yet.
    """
    with store.engine.connect() as conn:
        batches = pd.read_sql(
            select(ImportBatch.id, ImportBatch.entity, ImportBatch.source, ImportBatch.rows_in,
                   ImportBatch.started_at).where(ImportBatch.kind == "import"), conn,
        )
        corr = pd.read_sql(
            select(Correction.source_batch_id, Correction.entity, Correction.rule,
                   func.count().label("n"))
            .group_by(Correction.source_batch_id, Correction.entity, Correction.rule), conn,
        )
        cleaned = {r[0] for r in conn.execute(
            select(ImportBatch.entity).where(ImportBatch.kind == "clean"))}
    out = []
    for b in batches.itertuples(index=False):
        c = corr[corr.source_batch_id == b.id]
        gap = c.rule.str.startswith("gap").to_numpy(dtype=bool)
        systematic_rule = c.rule.isin(SYSTEMATIC_RULES).to_numpy(dtype=bool)
        imputed = int(c[gap].n.sum())
        systematic = int(c[systematic_rule].n.sum())
        faults = int(c[~gap & ~systematic_rule].n.sum())
        rows = int(b.rows_in)
        score = None
        if b.entity in cleaned or len(c):
            score = round(100 * (1 - faults / max(rows, 1)) * rows / max(rows + imputed, 1), 1)
        out.append({"batch_id": int(b.id), "entity": b.entity, "source": b.source, "rows": rows,
                    "corrected": faults + systematic, "faults": faults, "systematic": systematic,
                    "imputed": imputed, "quality": score})
    return out


def lineage(store: Store, ref: str, limit: int = 200) -> dict[str, Any]:
    """Where a value came from and every correction applied to it.

    ``ref`` is an item/location/supplier/resource code, or ``entity:id`` (``demand:42``).
    """
    with store.engine.connect() as conn:
        if ":" in ref and ref.split(":", 1)[0] in ENTITY_MODELS:
            entity, rid = ref.split(":", 1)
            model = ENTITY_MODELS[entity]
            pk = next(iter(model.__table__.primary_key.columns))
            row = conn.execute(select(model.__table__).where(pk == rid)).mappings().first()
            if row is None:
                raise UnknownEntityError(entity[:-1] if entity.endswith("s") else entity, rid)
            rows = [(entity, dict(row))]
        else:
            rows = []
            for entity in ("items", "locations", "suppliers", "resources"):
                model = ENTITY_MODELS[entity]
                row = conn.execute(select(model.__table__).where(model.code == ref)).mappings().first()
                if row is not None:
                    rows.append((entity, dict(row)))
            if not rows:
                raise UnknownEntityError("item, location, supplier or resource", ref,
                                         "Give a code, or entity:id such as demand:42.")
        records = []
        batch_ids = {r.get("batch_id") for _, r in rows if r.get("batch_id")}
        for entity, row in rows:
            spec = entity_spec(entity)
            key = "|".join(str(row[k])[:10] if "date" in k else str(row[k]) for k in spec.key)
            records.append({"entity": entity, "key": key, "values": {k: _plain(v) for k, v in row.items()}})
        # rows of transactional tables that reference the code, summarised per batch
        referencing = []
        if ":" not in ref:
            for entity, model in ENTITY_MODELS.items():
                fkcols = [c for c in model.__table__.columns if c.foreign_keys and c.name.endswith("_code")]
                if not fkcols or "batch_id" not in model.__table__.columns:
                    continue
                q = (select(model.batch_id, func.count()).where(or_(*[c == ref for c in fkcols]))
                     .group_by(model.batch_id))
                for bid, n in conn.execute(q):
                    referencing.append({"entity": entity, "batch_id": bid, "rows": int(n)})
                    batch_ids.add(bid)
        batches = [dict(r) for r in conn.execute(
            select(ImportBatch.id, ImportBatch.entity, ImportBatch.source, ImportBatch.source_sha256,
                   ImportBatch.encoding, ImportBatch.started_at, ImportBatch.user)
            .where(ImportBatch.id.in_([b for b in batch_ids if b is not None]))
        ).mappings()]
        conds = []
        for r in records:
            conds.append((Correction.entity == r["entity"]) & (Correction.row_key == r["key"]))
            conds.append(Correction.row_key.like(f"{r['key']}|%"))
        corrections = [dict(r) for r in conn.execute(
            select(Correction.entity, Correction.row_key, Correction.column, Correction.old_value,
                   Correction.new_value, Correction.rule, Correction.detail, Correction.batch_id)
            .where(or_(*conds)).order_by(Correction.id).limit(limit)
        ).mappings()]
    return {"ref": ref, "records": records, "referencing": referencing,
            "batches": [{k: _plain(v) for k, v in b.items()} for b in batches],
            "corrections": corrections}


def _plain(v: Any) -> Any:
    return v if v is None or isinstance(v, (int, float, str, bool)) else str(v)


def find_items(store: Store, text: str | None = None, family: str | None = None,
               kind: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
    q = select(Item.code, Item.name, Item.name_zh, Item.kind, Item.family, Item.unit,
               Item.unit_cost, Item.lifecycle)
    if text:
        like = f"%{text}%"
        q = q.where(or_(Item.code.ilike(like), Item.name.ilike(like), Item.name_zh.like(like)))
    if family:
        q = q.where(Item.family == family)
    if kind:
        q = q.where(Item.kind == kind)
    with store.engine.connect() as conn:
        return [dict(r) for r in conn.execute(q.order_by(Item.code).limit(limit)).mappings()]


def require(store: Store, model: Any, code: str, kind: str) -> None:
    with store.engine.connect() as conn:
        if conn.execute(select(model.code).where(model.code == code)).first() is None:
            raise UnknownEntityError(kind, code)


def demand_history(store: Store, item: str, location: str | None = None,
                   start: str | None = None, end: str | None = None, freq: str = "D",
                   cleaned: bool = True) -> pd.DataFrame:
    """Demand of an item (all locations summed unless one is given), at ``freq`` D/W/M."""
    require(store, Item, item, "item")
    if location:
        require(store, Location, location, "location")
    value = func.coalesce(Demand.qty_clean, Demand.qty) if cleaned else Demand.qty
    q = select(Demand.date, func.sum(value).label("qty")).where(Demand.item_code == item)
    if location:
        q = q.where(Demand.location_code == location)
    if start:
        q = q.where(Demand.date >= pd.Timestamp(start).date())
    if end:
        q = q.where(Demand.date <= pd.Timestamp(end).date())
    with store.engine.connect() as conn:
        df = pd.read_sql(q.group_by(Demand.date).order_by(Demand.date), conn)
    df["date"] = pd.to_datetime(df["date"])
    rule = {"D": "D", "W": "W-MON", "M": "MS"}.get(freq)
    if rule is None:
        raise InputError(f"freq must be D, W or M, got {freq!r}", "freq")
    if freq != "D" and len(df):
        df = df.set_index("date").resample(rule, label="left", closed="left").sum().reset_index()
    return df


def inventory_position(store: Store, item: str, location: str | None = None) -> list[dict[str, Any]]:
    """Latest stock per location and source, plus the fused estimate when there is one."""
    require(store, Item, item, "item")
    with store.engine.connect() as conn:
        q = select(InventorySnapshot).where(InventorySnapshot.item_code == item)
        if location:
            q = q.where(InventorySnapshot.location_code == location)
        snap = pd.read_sql(q, conn)
        qe = select(InventoryEstimate).where(InventoryEstimate.item_code == item)
        if location:
            qe = qe.where(InventoryEstimate.location_code == location)
        est = pd.read_sql(qe, conn)
    out = []
    if len(snap):
        last = snap.sort_values("date").groupby(["location_code", "source"]).tail(1)
        for r in last.itertuples(index=False):
            out.append({"location": r.location_code, "source": r.source, "date": str(r.date)[:10],
                        "on_hand": r.on_hand, "on_order": r.on_order, "allocated": r.allocated,
                        "std": None})
    if len(est):
        last = est.sort_values("date").groupby("location_code").tail(1)
        for r in last.itertuples(index=False):
            out.append({"location": r.location_code, "source": f"fused ({r.method})",
                        "date": str(r.date)[:10], "on_hand": round(r.on_hand, 1), "on_order": None,
                        "allocated": None, "std": None if r.on_hand_std is None else round(r.on_hand_std, 2)})
    return out


def suppliers_for(store: Store, item: str | None = None) -> list[dict[str, Any]]:
    q = select(Supplier.code, Supplier.name, Supplier.lead_time_days, Supplier.lead_time_std_days,
               Supplier.moq, Supplier.reliability)
    if item:
        require(store, Item, item, "item")
        q = (select(Supplier.code, Supplier.name,
                    func.coalesce(SupplierItem.lead_time_days, Supplier.lead_time_days).label("lead_time_days"),
                    Supplier.lead_time_std_days, func.coalesce(SupplierItem.moq, Supplier.moq).label("moq"),
                    Supplier.reliability, SupplierItem.unit_price, SupplierItem.is_primary)
             .join(SupplierItem, SupplierItem.supplier_code == Supplier.code)
             .where(SupplierItem.item_code == item))
    with store.engine.connect() as conn:
        return [dict(r) for r in conn.execute(q.order_by(Supplier.code)).mappings()]
