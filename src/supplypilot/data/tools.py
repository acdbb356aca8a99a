"""The foundation's tools: import, validate, clean, status, lineage, sample data, look-ups."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from supplypilot.data import queries
from supplypilot.data.ingest import ImportReport, import_paths, import_query
from supplypilot.errors import InputError
from supplypilot.tools import Context, tool

# --------------------------------------------------------------------------- import


class ImportRequest(BaseModel):
    """Files, folders or a SQL query to import."""

    paths: list[str] = Field(default_factory=list, description="Files or folders to import (CSV, Parquet, .xlsx, JSON lines).")
    entity: str | None = Field(None, description="Entity the files hold (items, demand, purchase_orders...); default: from the file name.")
    mapping: str | None = Field(None, description="YAML column mapping for an ERP's own headers (e.g. Chinese headers).")
    encoding: str | None = Field(None, description="Text encoding, when detection should be overridden (e.g. gb18030).")
    sql_url: str | None = Field(None, description="SQLAlchemy URL of a database to import from (with query).")
    query: str | None = Field(None, description="SQL query to run on sql_url; its result is imported as entity.")
    dry_run: bool = Field(False, description="Validate only; write nothing.")
    allow_extra: bool = Field(False, description="Ignore columns the model does not know instead of refusing the file.")


class ValidateRequest(BaseModel):
    """Files or folders to check without importing."""

    paths: list[str] = Field(description="Files or folders to validate.")
    entity: str | None = Field(None, description="Entity the files hold; default: from the file name.")
    mapping: str | None = Field(None, description="YAML column mapping file.")
    encoding: str | None = Field(None, description="Text encoding override.")
    allow_extra: bool = Field(False, description="Ignore unknown columns.")


@tool("import_data", en="Import files, folders or a SQL query into the store, all rows or none.",
      zh="导入文件、文件夹或SQL查询结果（全部成功或全部不写入）", roles=("planner", "admin"),
      writes=True, cli="import", arguments=("paths",))
def import_data(req: ImportRequest, ctx: Context) -> ImportReport:
    if req.sql_url or req.query:
        if not (req.sql_url and req.query and req.entity):
            raise InputError("a SQL import needs sql_url, query and entity together", "query")
        return import_query(ctx.store, req.sql_url, req.query, req.entity, mapping=req.mapping,
                            dry_run=req.dry_run, progress=ctx.progress, user=ctx.user)
    if not req.paths:
        raise InputError("give at least one file or folder to import", "paths")
    return import_paths(ctx.store, req.paths, entity=req.entity, mapping=req.mapping,
                        encoding=req.encoding, dry_run=req.dry_run, allow_extra=req.allow_extra,
                        progress=ctx.progress, user=ctx.user)


@tool("validate_data", en="Check files against the data model without importing them.",
      zh="校验数据文件（不导入）", cli="validate", arguments=("paths",))
def validate_data(req: ValidateRequest, ctx: Context) -> ImportReport:
    return import_paths(ctx.store, req.paths, entity=req.entity, mapping=req.mapping,
                        encoding=req.encoding, dry_run=True, allow_extra=req.allow_extra,
                        progress=ctx.progress, user=ctx.user)


# --------------------------------------------------------------------------- cleaning


class CleanRequest(BaseModel):
    """What to clean."""

    kinds: list[Literal["demand", "sensor_readings", "inventory"]] = Field(
        default_factory=lambda: ["demand", "sensor_readings", "inventory"],
        description="Kinds of data to clean.")
    loss_rate: list[str] = Field(default_factory=list, description="Known loss rates as SOURCE=p, e.g. RFID=0.05 (sensor ids or inventory sources).")
    fusion: Literal["inverse_variance", "mean", "median"] = Field("inverse_variance", description="How to fuse stock reported by several sources.")


class CleanCount(BaseModel):
    kind: str = Field(description="Kind of data.")
    rows: int = Field(description="Rows after cleaning.")
    corrections: int = Field(description="Values changed, inserted or removed (each recorded).")
    imputed: int = Field(description="Rows inserted for gaps.")
    estimates: int | None = Field(None, description="Fused stock estimates written (inventory).")


class CleanReport(BaseModel):
    """Counts per kind of data."""

    kinds: list[CleanCount] = Field(description="One line per kind cleaned.")


def _parse_rates(pairs: list[str]) -> dict[str, float]:
    rates = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        try:
            rates[name.strip()] = float(value)
        except ValueError:
            sep = ""
        if not sep or not name.strip():
            raise InputError(f"loss rate must look like SOURCE=0.05, got {pair!r}", "loss_rate")
    return rates


@tool("clean_data", en="Clean stored data (loss correction, outliers, gaps) and fuse stock sources, recording every change.",
      zh="清洗数据（丢包校正、异常值、缺口）并融合多源库存，记录每一处修改", roles=("planner", "admin"),
      writes=True, cli="clean")
def clean_data(req: CleanRequest, ctx: Context) -> CleanReport:
    from supplypilot.data.clean_store import clean_store

    out = clean_store(ctx.store, req.kinds, loss_rates=_parse_rates(req.loss_rate),
                      fusion_method=req.fusion, progress=ctx.progress)
    return CleanReport(kinds=[CleanCount(kind=k, **v) for k, v in out.items()])


# --------------------------------------------------------------------------- status, lineage


class StatusRequest(BaseModel):
    """No arguments."""


class TableStatus(BaseModel):
    entity: str = Field(description="Entity.")
    rows: int = Field(description="Rows stored.")
    first: str | None = Field(description="Earliest date.")
    last: str | None = Field(description="Latest date.")


class SourceQuality(BaseModel):
    batch_id: int = Field(description="Import batch.")
    entity: str = Field(description="Entity imported.")
    source: str = Field(description="File or query.")
    rows: int = Field(description="Rows imported.")
    corrected: int = Field(description="Values cleaning changed or removed (faults + systematic).")
    faults: int = Field(description="Values repaired or removed: outliers, duplicates, filled gaps.")
    systematic: int = Field(description="Expected corrections (reader loss, unit conversion); not faults.")
    imputed: int = Field(description="Rows cleaning inserted for gaps.")
    quality: float | None = Field(description="Quality score 0-100: share of values without faults, less imputed rows.")


class StatusResult(BaseModel):
    """What the store holds."""

    store: str = Field(description="Store URL (password hidden).")
    schema_revision: str | None = Field(description="Alembic revision of the store.")
    tables: list[TableStatus] = Field(description="Rows and date range per entity.")
    sources: list[SourceQuality] = Field(description="Quality per import source.")


@tool("data_status", en="Row counts, date ranges and a quality score per source.",
      zh="数据概况：各表行数、日期范围、各来源质量评分", cli="status")
def data_status(req: StatusRequest, ctx: Context) -> StatusResult:
    st = ctx.store
    return StatusResult(store=repr(st), schema_revision=st.schema_revision(),
                        tables=[TableStatus(**t) for t in queries.table_status(st)],
                        sources=[SourceQuality(**s) for s in queries.source_quality(st)])


class LineageRequest(BaseModel):
    """A code or an ``entity:id`` reference."""

    ref: str = Field(min_length=1, max_length=200, description="Item/location/supplier/resource code, or entity:id such as demand:42.")
    limit: int = Field(200, ge=1, le=10_000, description="Most corrections to list.")


class LineageRecord(BaseModel):
    entity: str = Field(description="Entity of the record.")
    key: str = Field(description="Natural key.")
    values: dict[str, Any] = Field(description="Stored values, including batch_id and source_row.")


class LineageResult(BaseModel):
    """Where a value came from and what was done to it."""

    ref: str = Field(description="What was asked.")
    records: list[LineageRecord] = Field(description="The records found.")
    referencing: list[dict[str, Any]] = Field(description="Rows of other entities that refer to the code, per import batch.")
    batches: list[dict[str, Any]] = Field(description="Import batches involved (file, hash, time, user).")
    corrections: list[dict[str, Any]] = Field(description="Corrections applied (old, new, rule).")


@tool("lineage", en="Show where a record came from and every correction applied to it.",
      zh="追溯数据来源及所有修正记录", cli="lineage", arguments=("ref",))
def lineage(req: LineageRequest, ctx: Context) -> LineageResult:
    return LineageResult.model_validate(queries.lineage(ctx.store, req.ref, req.limit))


# --------------------------------------------------------------------------- look-ups


class FindItemsRequest(BaseModel):
    text: str | None = Field(None, max_length=100, description="Text in the code or the English/Chinese name.")
    family: str | None = Field(None, max_length=64, description="Product family, e.g. phone.")
    kind: Literal["finished", "subassembly", "component", "spare"] | None = Field(None, description="Item kind.")
    limit: int = Field(50, ge=1, le=1000, description="Most items to return.")


class ItemOut(BaseModel):
    code: str = Field(description="Item code.")
    name: str = Field(description="English name.")
    name_zh: str | None = Field(description="Chinese name.")
    kind: str = Field(description="Item kind.")
    family: str | None = Field(description="Product family.")
    unit: str = Field(description="Unit of measure.")
    unit_cost: float = Field(description="Unit cost.")
    lifecycle: str = Field(description="Lifecycle stage.")


class ItemsResult(BaseModel):
    items: list[ItemOut] = Field(description="Matching items.")


@tool("find_items", en="Find items by code, name (English or Chinese), family or kind.",
      zh="按编码、名称、产品族或类型查找物料", group="data", cli="items")
def find_items(req: FindItemsRequest, ctx: Context) -> ItemsResult:
    return ItemsResult(items=[ItemOut(**r) for r in queries.find_items(ctx.store, req.text, req.family, req.kind, req.limit)])


class DemandRequest(BaseModel):
    item: str = Field(min_length=1, max_length=64, description="Item code.")
    location: str | None = Field(None, max_length=64, description="Location code; all locations summed when empty.")
    start: str | None = Field(None, description="First date (YYYY-MM-DD).")
    end: str | None = Field(None, description="Last date (YYYY-MM-DD).")
    freq: Literal["D", "W", "M"] = Field("W", description="Daily, weekly or monthly totals.")


class DemandPoint(BaseModel):
    date: str = Field(description="Period start.")
    qty: float = Field(description="Demand in the period (cleaned values where cleaning ran).")


class DemandResult(BaseModel):
    item: str = Field(description="Item code.")
    location: str | None = Field(description="Location code or none for all.")
    total: float = Field(description="Total demand over the periods.")
    points: list[DemandPoint] = Field(description="Demand per period.")


@tool("demand_history", en="Demand history of an item, daily, weekly or monthly.",
      zh="查询物料的历史需求（日/周/月）", group="data", cli="demand", arguments=("item",))
def demand_history(req: DemandRequest, ctx: Context) -> DemandResult:
    df = queries.demand_history(ctx.store, req.item, req.location, req.start, req.end, req.freq)
    pts = [DemandPoint(date=str(d.date()), qty=float(q)) for d, q in zip(df["date"], df["qty"], strict=True)]
    return DemandResult(item=req.item, location=req.location, total=float(df["qty"].sum()), points=pts)


class InventoryRequest(BaseModel):
    item: str = Field(min_length=1, max_length=64, description="Item code.")
    location: str | None = Field(None, max_length=64, description="Location code; all when empty.")


class StockLine(BaseModel):
    location: str = Field(description="Location code.")
    source: str = Field(description="Reporting source, or the fused estimate.")
    date: str = Field(description="Date of the figure.")
    on_hand: float = Field(description="Units on hand.")
    on_order: float | None = Field(description="Units on order.")
    allocated: float | None = Field(description="Units allocated.")
    std: float | None = Field(description="Standard deviation of the fused estimate.")


class InventoryResult(BaseModel):
    item: str = Field(description="Item code.")
    lines: list[StockLine] = Field(description="Latest figure per location and source.")


@tool("inventory_position", en="Latest stock of an item per location and source, with the fused estimate.",
      zh="查询物料最新库存（各地点、各来源及融合估计）", group="data", cli="inventory", arguments=("item",))
def inventory_position(req: InventoryRequest, ctx: Context) -> InventoryResult:
    return InventoryResult(item=req.item, lines=[StockLine(**r) for r in queries.inventory_position(ctx.store, req.item, req.location)])


class SuppliersRequest(BaseModel):
    item: str | None = Field(None, max_length=64, description="Only suppliers of this item.")


class SupplierOut(BaseModel):
    code: str = Field(description="Supplier code.")
    name: str = Field(description="Supplier name.")
    lead_time_days: float = Field(description="Lead time in days.")
    lead_time_std_days: float = Field(description="Lead-time standard deviation in days.")
    moq: float = Field(description="Minimum order quantity.")
    reliability: float = Field(description="On-time reliability 0-1.")
    unit_price: float | None = Field(None, description="Price for the item.")
    is_primary: bool | None = Field(None, description="Primary source of the item.")


class SuppliersResult(BaseModel):
    suppliers: list[SupplierOut] = Field(description="Suppliers.")


@tool("list_suppliers", en="Suppliers, optionally of one item, with lead times, MOQ and price.",
      zh="查询供应商（可按物料），含交期、最小起订量和价格", group="data", cli="suppliers")
def list_suppliers(req: SuppliersRequest, ctx: Context) -> SuppliersResult:
    return SuppliersResult(suppliers=[SupplierOut(**r) for r in queries.suppliers_for(ctx.store, req.item)])


# --------------------------------------------------------------------------- sample, export, admin


class SampleRequest(BaseModel):
    dataset: Literal["electronics", "supplygraph"] = Field("electronics", description="electronics (generated, with ground truth) or supplygraph (real FMCG data).")
    scale: Literal["small", "medium", "large"] = Field("small", description="Size of the generated company.")
    seed: int = Field(0, ge=0, le=2**31 - 1, description="Random seed (same seed, same data).")
    out: str = Field("out/sample", description="Folder the generated files are written to.")
    load: bool = Field(True, description="Also import the files into the store.")


class SampleResult(BaseModel):
    dataset: str = Field(description="Data set.")
    folder: str | None = Field(description="Where the files are.")
    tables: dict[str, int] = Field(description="Rows per entity.")
    imported: bool = Field(description="Whether the rows were imported.")


@tool("generate_sample", en="Generate the electronics sample company (or load SupplyGraph) and import it.",
      zh="生成电子制造示例数据（或导入SupplyGraph真实数据）", roles=("planner", "admin"), writes=True,
      cli="sample", arguments=("dataset",))
def generate_sample(req: SampleRequest, ctx: Context) -> SampleResult:
    if req.dataset == "supplygraph":
        from supplypilot.data.supplygraph import import_supplygraph, load_supplygraph

        if req.load:
            rep = import_supplygraph(ctx.store, progress=ctx.progress)
            return SampleResult(dataset=req.dataset, folder=None, imported=True,
                                tables={f.entity: f.rows for f in rep.files})
        frames = load_supplygraph()
        return SampleResult(dataset=req.dataset, folder=None, imported=False,
                            tables={k: len(v) for k, v in frames.items()})
    from supplypilot.data.ingest import import_paths
    from supplypilot.data.sample import generate_electronics

    def stage(name: str, pct: int) -> None:
        if ctx.progress:
            ctx.progress(f"generate {name}", pct, 100)

    data = generate_electronics(req.scale, seed=req.seed, progress=stage)
    fmt = "parquet" if req.scale == "large" else "csv"
    written = data.write(Path(req.out), format=fmt)
    paths = [p for p in written if p.parent == Path(req.out)]  # truth/ is for tests, not import
    if req.load:
        import_paths(ctx.store, paths, progress=ctx.progress, user=ctx.user)
    return SampleResult(dataset=req.dataset, folder=req.out, imported=req.load,
                        tables={k: len(v) for k, v in data.tables.items()})


class ExportRequest(BaseModel):
    entity: str = Field(description="Entity to export, e.g. items.")
    path: str = Field(description="Target file (.csv or .xlsx).")


class ExportResult(BaseModel):
    path: str = Field(description="File written.")
    rows: int = Field(description="Rows written.")
    neutralised: int = Field(description="Cells prefixed so spreadsheets do not run them as formulas.")


@tool("export_data", en="Export an entity to CSV or Excel, safe against formula injection.",
      zh="导出数据为CSV或Excel（防公式注入）", cli="export", arguments=("entity", "path"))
def export_data(req: ExportRequest, ctx: Context) -> ExportResult:
    from supplypilot.data.export import export_entity

    rows, neutralised = export_entity(ctx.store, req.entity, Path(req.path))
    return ExportResult(path=req.path, rows=rows, neutralised=neutralised)


class UpgradeRequest(BaseModel):
    revision: str = Field("head", pattern=r"^[A-Za-z0-9_]+$", description="Target schema revision.")


class UpgradeResult(BaseModel):
    store: str = Field(description="Store URL (password hidden).")
    revision: str | None = Field(description="Schema revision after the upgrade.")


@tool("db_upgrade", en="Migrate the store's schema to the newest version.",
      zh="升级数据库结构到最新版本", roles=("admin",), writes=True, group="db", cli="upgrade")
def db_upgrade(req: UpgradeRequest, ctx: Context) -> UpgradeResult:
    st = ctx.store
    return UpgradeResult(store=repr(st), revision=st.upgrade(req.revision))


class InitRequest(BaseModel):
    force: bool = Field(False, description="Drop every table first (all data is lost).")


@tool("init_store", en="Create the store (embedded SQLite by default) at the newest schema.",
      zh="初始化数据存储", roles=("admin",), writes=True, cli="init")
def init_store(req: InitRequest, ctx: Context) -> UpgradeResult:
    st = ctx.store
    if req.force:
        st.drop_all()
    return UpgradeResult(store=repr(st), revision=st.upgrade())
