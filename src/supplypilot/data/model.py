"""The supply chain data model: one SQLAlchemy table per entity.

This module is the single source of truth for what a valid row is. Besides the SQL type
and nullability, each column's ``info`` declares the checks that the import validation
(:mod:`supplypilot.data.validation`) derives from it: ``ge``/``gt``/``le`` bounds, allowed
``choices``, ``history`` (an observation, so not in the future) and ``json`` (a JSON text).
Master data (items, locations, suppliers, resources) is keyed by its business code;
transactional tables have an integer id plus a unique *natural key*, so importing the same
file twice updates rows instead of duplicating them. Every row knows the import batch and
the source row it came from (lineage).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

ITEM_KINDS = ("finished", "subassembly", "component", "spare")
LIFECYCLES = ("launch", "active", "eol", "obsolete")
LOCATION_KINDS = ("supplier_site", "plant", "dc", "store", "customer")
TRANSPORT_MODES = ("road", "rail", "sea", "air", "parcel")
RESOURCE_KINDS = ("line", "machine", "labour", "test")
PO_STATUSES = ("draft", "open", "partial", "received", "cancelled")
ORDER_STATUSES = ("planned", "released", "in_progress", "done", "cancelled")
SHIPMENT_STATUSES = ("planned", "in_transit", "delivered", "delayed", "cancelled")
SALES_STATUSES = ("open", "shipped", "invoiced", "cancelled", "returned")
CHANNELS = ("store", "online", "b2b", "distributor")



def ref(target: str, nullable: bool = False, **info: Any) -> Any:
    """A foreign key to a master-data code, checked at import (referential integrity)."""
    return mapped_column(
        String(64), ForeignKey(target, ondelete="RESTRICT"), nullable=nullable, index=True,
        info=info,
    )


def amount(nullable: bool = False, default: float | None = None, **info: Any) -> Any:
    """A non-negative quantity unless ``info`` says otherwise."""
    info.setdefault("ge", 0)
    return mapped_column(Float, nullable=nullable, default=default, info=info)


class Base(DeclarativeBase):
    """Declarative base; subclasses set ``__entity__`` (the name used in files and the CLI)."""

    __entity__: ClassVar[str]
    __natural_key__: ClassVar[tuple[str, ...]]


class Lineage:
    """Columns every imported row carries: which batch wrote it and from which source row."""

    @declared_attr
    def batch_id(cls) -> Mapped[int | None]:  # noqa: N805
        return mapped_column(
            Integer, ForeignKey("import_batch.id"), nullable=True, index=True,
            info={"lineage": True},
        )

    source_row: Mapped[int | None] = mapped_column(Integer, info={"lineage": True})


class ImportBatch(Base):
    """One import (or cleaning run): the source, its hash, what it did. The root of lineage."""

    __tablename__ = "import_batch"
    __entity__ = "import_batches"
    __natural_key__ = ("id",)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    entity: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16), default="import")  # import | clean | fuse
    source: Mapped[str] = mapped_column(Text)
    source_format: Mapped[str | None] = mapped_column(String(16))
    source_sha256: Mapped[str | None] = mapped_column(String(64))
    encoding: Mapped[str | None] = mapped_column(String(32))
    mapping: Mapped[str | None] = mapped_column(Text)
    rows_in: Mapped[int] = mapped_column(Integer, default=0)
    rows_inserted: Mapped[int] = mapped_column(Integer, default=0)
    rows_updated: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16), default="committed")
    started_at: Mapped[dt.datetime] = mapped_column(DateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    user: Mapped[str | None] = mapped_column(String(64))


# --------------------------------------------------------------------------- master data


class Item(Lineage, Base):
    """A finished good, sub-assembly, component or spare part."""

    __tablename__ = "item"
    __entity__ = "items"
    __natural_key__ = ("code",)

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    name_zh: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16), info={"choices": ITEM_KINDS})
    family: Mapped[str | None] = mapped_column(String(64), index=True)
    unit: Mapped[str] = mapped_column(String(16), default="pcs", info={"unit": True})
    unit_cost: Mapped[float] = amount()
    price: Mapped[float | None] = amount(nullable=True)
    shelf_life_days: Mapped[float | None] = amount(nullable=True)
    lifecycle: Mapped[str] = mapped_column(
        String(16), default="active", info={"choices": LIFECYCLES}
    )
    launch_date: Mapped[dt.date | None] = mapped_column(Date)
    eol_date: Mapped[dt.date | None] = mapped_column(Date)
    weight_kg: Mapped[float | None] = amount(nullable=True)


class BomLine(Lineage, Base):
    """One line of a multi-level bill of materials: ``qty_per`` of child per parent."""

    __tablename__ = "bom_line"
    __entity__ = "bom"
    __natural_key__ = ("parent_code", "child_code")
    __table_args__ = (UniqueConstraint("parent_code", "child_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    parent_code: Mapped[str] = ref("item.code")
    child_code: Mapped[str] = ref("item.code")
    qty_per: Mapped[float] = amount(gt=0)
    scrap_rate: Mapped[float] = mapped_column(Float, default=0.0, info={"ge": 0, "lt": 1})


class Location(Lineage, Base):
    """A supplier site, plant, warehouse/DC, store or customer, with coordinates."""

    __tablename__ = "location"
    __entity__ = "locations"
    __natural_key__ = ("code",)

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16), info={"choices": LOCATION_KINDS})
    lat: Mapped[float | None] = mapped_column(Float, info={"ge": -90, "le": 90})
    lon: Mapped[float | None] = mapped_column(Float, info={"ge": -180, "le": 180})
    timezone: Mapped[str] = mapped_column(String(64), default="UTC", info={"timezone": True})
    city: Mapped[str | None] = mapped_column(String(100))
    region: Mapped[str | None] = mapped_column(String(100), index=True)
    country: Mapped[str | None] = mapped_column(String(64))


class Supplier(Lineage, Base):
    """A supplier with its default lead time (mean and spread), MOQ, capacity and reliability."""

    __tablename__ = "supplier"
    __entity__ = "suppliers"
    __natural_key__ = ("code",)

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    location_code: Mapped[str | None] = ref("location.code", nullable=True)
    lead_time_days: Mapped[float] = amount()
    lead_time_std_days: Mapped[float] = amount(default=0.0)
    moq: Mapped[float] = amount(default=0.0)
    capacity_per_week: Mapped[float | None] = amount(nullable=True)
    reliability: Mapped[float] = mapped_column(Float, default=1.0, info={"ge": 0, "le": 1})
    currency: Mapped[str] = mapped_column(String(3), default="CNY")


class SupplierItem(Lineage, Base):
    """What a supplier sells: price, price breaks ``[[min_qty, unit_price], ...]``, overrides."""

    __tablename__ = "supplier_item"
    __entity__ = "supplier_items"
    __natural_key__ = ("supplier_code", "item_code")
    __table_args__ = (UniqueConstraint("supplier_code", "item_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    supplier_code: Mapped[str] = ref("supplier.code")
    item_code: Mapped[str] = ref("item.code")
    unit_price: Mapped[float] = amount()
    price_breaks: Mapped[str | None] = mapped_column(Text, info={"json": "price_breaks"})
    lead_time_days: Mapped[float | None] = amount(nullable=True)
    moq: Mapped[float | None] = amount(nullable=True)
    is_primary: Mapped[bool] = mapped_column(Boolean, default=False)


class Lane(Lineage, Base):
    """A transport lane between two locations by one mode."""

    __tablename__ = "lane"
    __entity__ = "lanes"
    __natural_key__ = ("origin_code", "destination_code", "mode")
    __table_args__ = (UniqueConstraint("origin_code", "destination_code", "mode"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    origin_code: Mapped[str] = ref("location.code")
    destination_code: Mapped[str] = ref("location.code")
    mode: Mapped[str] = mapped_column(String(16), info={"choices": TRANSPORT_MODES})
    cost_per_unit: Mapped[float] = amount()
    fixed_cost: Mapped[float] = amount(default=0.0)
    lead_time_days: Mapped[float] = amount()
    capacity_per_day: Mapped[float | None] = amount(nullable=True)


class Resource(Lineage, Base):
    """A production line, machine or crew at a plant."""

    __tablename__ = "resource"
    __entity__ = "resources"
    __natural_key__ = ("code",)

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    plant_code: Mapped[str] = ref("location.code")
    kind: Mapped[str] = mapped_column(String(16), default="line", info={"choices": RESOURCE_KINDS})
    capacity_per_hour: Mapped[float] = amount(gt=0)
    hours_per_day: Mapped[float] = mapped_column(Float, default=16.0, info={"ge": 0, "le": 24})


class ResourceCalendar(Lineage, Base):
    """Hours a resource is available on a date (holidays, maintenance, shifts)."""

    __tablename__ = "resource_calendar"
    __entity__ = "resource_calendar"
    __natural_key__ = ("resource_code", "date")
    __table_args__ = (UniqueConstraint("resource_code", "date"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    resource_code: Mapped[str] = ref("resource.code")
    date: Mapped[dt.date] = mapped_column(Date)
    available_hours: Mapped[float] = mapped_column(Float, info={"ge": 0, "le": 24})
    reason: Mapped[str | None] = mapped_column(String(100))


# --------------------------------------------------------------------------- transactions


class PurchaseOrderLine(Lineage, Base):
    """One purchase-order line; header fields repeat on each line, as ERP exports write them."""

    __tablename__ = "purchase_order_line"
    __entity__ = "purchase_orders"
    __natural_key__ = ("po_number", "line_no")
    __table_args__ = (UniqueConstraint("po_number", "line_no"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    po_number: Mapped[str] = mapped_column(String(64), index=True)
    line_no: Mapped[int] = mapped_column(Integer, info={"ge": 1})
    supplier_code: Mapped[str] = ref("supplier.code")
    item_code: Mapped[str] = ref("item.code")
    destination_code: Mapped[str | None] = ref("location.code", nullable=True)
    order_date: Mapped[dt.date] = mapped_column(Date, info={"history": True})
    due_date: Mapped[dt.date] = mapped_column(Date)
    qty: Mapped[float] = amount(gt=0)
    unit_price: Mapped[float] = amount()
    received_qty: Mapped[float] = amount(default=0.0)
    received_date: Mapped[dt.date | None] = mapped_column(Date, info={"history": True})
    status: Mapped[str] = mapped_column(String(16), default="open", info={"choices": PO_STATUSES})


class ProductionOrder(Lineage, Base):
    """A production order for an item at a plant, optionally on a given resource."""

    __tablename__ = "production_order"
    __entity__ = "production_orders"
    __natural_key__ = ("order_number",)
    __table_args__ = (UniqueConstraint("order_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    order_number: Mapped[str] = mapped_column(String(64))
    item_code: Mapped[str] = ref("item.code")
    plant_code: Mapped[str] = ref("location.code")
    resource_code: Mapped[str | None] = ref("resource.code", nullable=True)
    qty: Mapped[float] = amount(gt=0)
    release_date: Mapped[dt.date] = mapped_column(Date)
    due_date: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(
        String(16), default="planned", info={"choices": ORDER_STATUSES}
    )


class ProductionRecord(Lineage, Base):
    """What a resource actually produced of an item on a date."""

    __tablename__ = "production_record"
    __entity__ = "production_records"
    __natural_key__ = ("resource_code", "item_code", "date")
    __table_args__ = (UniqueConstraint("resource_code", "item_code", "date"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    resource_code: Mapped[str] = ref("resource.code")
    item_code: Mapped[str] = ref("item.code")
    date: Mapped[dt.date] = mapped_column(Date, info={"history": True})
    qty_good: Mapped[float] = amount()
    qty_scrap: Mapped[float] = amount(default=0.0)
    hours_run: Mapped[float | None] = mapped_column(Float, info={"ge": 0, "le": 24})
    order_number: Mapped[str | None] = mapped_column(String(64))


class InventorySnapshot(Lineage, Base):
    """Stock of an item at a location on a date as reported by one source (ERP, WMS, RFID...).

    Several sources may report the same stock; :mod:`supplypilot.data.fusion` fuses them into
    :class:`InventoryEstimate`. ``on_hand_clean`` holds the cleaned value, the raw one stays.
    """

    __tablename__ = "inventory_snapshot"
    __entity__ = "inventory"
    __natural_key__ = ("item_code", "location_code", "date", "source")
    __table_args__ = (UniqueConstraint("item_code", "location_code", "date", "source"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    item_code: Mapped[str] = ref("item.code")
    location_code: Mapped[str] = ref("location.code")
    date: Mapped[dt.date] = mapped_column(Date, info={"history": True})
    source: Mapped[str] = mapped_column(String(32), default="ERP")
    on_hand: Mapped[float] = amount()
    on_order: Mapped[float] = amount(default=0.0)
    allocated: Mapped[float] = amount(default=0.0)
    on_hand_clean: Mapped[float | None] = mapped_column(Float, info={"derived": True})
    imputed: Mapped[bool] = mapped_column(Boolean, default=False, info={"derived": True})


class InventoryEstimate(Base):
    """The fused stock estimate of an item at a location on a date, with its uncertainty."""

    __tablename__ = "inventory_estimate"
    __entity__ = "inventory_estimates"
    __natural_key__ = ("item_code", "location_code", "date")
    __table_args__ = (UniqueConstraint("item_code", "location_code", "date"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    item_code: Mapped[str] = ref("item.code")
    location_code: Mapped[str] = ref("location.code")
    date: Mapped[dt.date] = mapped_column(Date)
    on_hand: Mapped[float] = mapped_column(Float)
    on_hand_std: Mapped[float | None] = mapped_column(Float)
    n_sources: Mapped[int] = mapped_column(Integer)
    sources_used: Mapped[str] = mapped_column(String(200))
    sources_rejected: Mapped[str | None] = mapped_column(String(200))
    method: Mapped[str] = mapped_column(String(32))
    batch_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("import_batch.id"))


class Shipment(Lineage, Base):
    """A shipment of an item between two locations, with its ETA and actual arrival."""

    __tablename__ = "shipment"
    __entity__ = "shipments"
    __natural_key__ = ("shipment_id", "item_code")
    __table_args__ = (UniqueConstraint("shipment_id", "item_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    shipment_id: Mapped[str] = mapped_column(String(64), index=True)
    item_code: Mapped[str] = ref("item.code")
    origin_code: Mapped[str] = ref("location.code")
    destination_code: Mapped[str] = ref("location.code")
    mode: Mapped[str] = mapped_column(String(16), default="road", info={"choices": TRANSPORT_MODES})
    carrier: Mapped[str | None] = mapped_column(String(100))
    qty: Mapped[float] = amount(gt=0)
    ship_date: Mapped[dt.date] = mapped_column(Date)
    eta: Mapped[dt.date] = mapped_column(Date)
    actual_arrival: Mapped[dt.date | None] = mapped_column(Date, info={"history": True})
    status: Mapped[str] = mapped_column(
        String(16), default="in_transit", info={"choices": SHIPMENT_STATUSES}
    )


class SalesOrderLine(Lineage, Base):
    """One sales-order line from the ERP."""

    __tablename__ = "sales_order_line"
    __entity__ = "sales_orders"
    __natural_key__ = ("order_number", "line_no")
    __table_args__ = (UniqueConstraint("order_number", "line_no"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    order_number: Mapped[str] = mapped_column(String(64))
    line_no: Mapped[int] = mapped_column(Integer, info={"ge": 1})
    item_code: Mapped[str] = ref("item.code")
    location_code: Mapped[str] = ref("location.code")
    customer_code: Mapped[str | None] = ref("location.code", nullable=True)
    order_date: Mapped[dt.date] = mapped_column(Date, info={"history": True})
    requested_date: Mapped[dt.date | None] = mapped_column(Date)
    qty: Mapped[float] = amount(gt=0)
    unit_price: Mapped[float] = amount()
    channel: Mapped[str] = mapped_column(String(16), default="store", info={"choices": CHANNELS})
    status: Mapped[str] = mapped_column(String(16), default="open", info={"choices": SALES_STATUSES})


class Demand(Lineage, Base):
    """Daily demand history of an item at a location (what forecasting reads)."""

    __tablename__ = "demand"
    __entity__ = "demand"
    __natural_key__ = ("item_code", "location_code", "date")
    __table_args__ = (UniqueConstraint("item_code", "location_code", "date"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    item_code: Mapped[str] = ref("item.code")
    location_code: Mapped[str] = ref("location.code")
    date: Mapped[dt.date] = mapped_column(Date, info={"history": True})
    qty: Mapped[float] = amount()
    price: Mapped[float | None] = amount(nullable=True)
    promo: Mapped[bool] = mapped_column(Boolean, default=False)
    qty_clean: Mapped[float | None] = mapped_column(Float, info={"derived": True})
    imputed: Mapped[bool] = mapped_column(Boolean, default=False, info={"derived": True})


class SensorReading(Lineage, Base):
    """One IoT reading: warehouse climate, line vibration, truck position, gate counts."""

    __tablename__ = "sensor_reading"
    __entity__ = "sensor_readings"
    __natural_key__ = ("sensor_id", "metric", "ts")
    __table_args__ = (UniqueConstraint("sensor_id", "metric", "ts"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    sensor_id: Mapped[str] = mapped_column(String(64), index=True)
    metric: Mapped[str] = mapped_column(String(32))
    ts: Mapped[dt.datetime] = mapped_column(DateTime, info={"history": True})
    value: Mapped[float | None] = mapped_column(Float)
    unit: Mapped[str | None] = mapped_column(String(16), info={"unit": True})
    seq: Mapped[int | None] = mapped_column(Integer, info={"ge": 0})
    location_code: Mapped[str | None] = ref("location.code", nullable=True)
    resource_code: Mapped[str | None] = ref("resource.code", nullable=True)
    value_clean: Mapped[float | None] = mapped_column(Float, info={"derived": True})
    imputed: Mapped[bool] = mapped_column(Boolean, default=False, info={"derived": True})


class Correction(Base):
    """One change made by cleaning: old value, new value, the rule. Nothing changes silently."""

    __tablename__ = "correction"
    __entity__ = "corrections"
    __natural_key__ = ("id",)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    batch_id: Mapped[int] = mapped_column(Integer, ForeignKey("import_batch.id"), index=True)
    source_batch_id: Mapped[int | None] = mapped_column(Integer, index=True)
    entity: Mapped[str] = mapped_column(String(64))
    row_key: Mapped[str] = mapped_column(String(300), index=True)
    column: Mapped[str] = mapped_column(String(64))
    old_value: Mapped[float | None] = mapped_column(Float)
    new_value: Mapped[float | None] = mapped_column(Float)
    rule: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str | None] = mapped_column(Text)
    extra: Mapped[dict[str, Any] | None] = mapped_column(JSON)


IMPORTABLE: tuple[type[Base], ...] = (
    Item,
    Location,
    BomLine,
    Supplier,
    SupplierItem,
    Lane,
    Resource,
    ResourceCalendar,
    PurchaseOrderLine,
    ProductionOrder,
    ProductionRecord,
    InventorySnapshot,
    Shipment,
    SalesOrderLine,
    Demand,
    SensorReading,
)
"""Entities a user can import, in dependency order (a referenced table comes first)."""

ENTITY_MODELS: dict[str, type[Base]] = {m.__entity__: m for m in IMPORTABLE}
