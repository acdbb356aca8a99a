"""Reading files of every format and encoding, with mappings, through the importer."""

from __future__ import annotations

import pandas as pd
import pytest

from supplypilot import load_supply_chain_data, preprocess_data
from supplypilot.data.ingest import import_frames, import_paths
from supplypilot.data.queries import lineage


@pytest.fixture
def catalog(sqlite_store, master_frames):
    import_frames(sqlite_store, master_frames, "catalog")
    return sqlite_store


PO_ZH = (
    "采购单号,行号,供应商编码,物料编码,下单日期,交货日期,数量,单价,状态\n"
    "PO-1,1,SUP-A,SOC-1,2025-01-05,2025年2月1日,\"1,200\",35.5,未结\n"
)
MAPPING = """entity: purchase_orders
columns: {采购单号: po_number, 行号: line_no, 供应商编码: supplier_code, 物料编码: item_code,
          下单日期: order_date, 交货日期: due_date, 数量: qty, 单价: unit_price, 状态: status}
values: {status: {未结: open, 已收货: received}}
"""


@pytest.mark.parametrize("encoding,expected", [("gb18030", "gb18030"), ("utf-8-sig", "utf-8-sig"), ("utf-8", "utf-8")])
def test_chinese_erp_export_with_mapping(catalog, tmp_path, encoding, expected):
    """A Chinese-header export maps onto the model in GBK, UTF-8 with BOM or UTF-8; the encoding is reported."""
    f = tmp_path / "po.csv"
    f.write_bytes(PO_ZH.encode(encoding))
    m = tmp_path / "po.yaml"
    m.write_text(MAPPING, encoding="utf-8")
    rep = import_paths(catalog, [f], mapping=m)
    assert rep.files[0].encoding == expected
    with catalog.engine.connect() as conn:
        row = conn.exec_driver_sql("SELECT qty, due_date, status FROM purchase_order_line").one()
    assert (row[0], str(row[1])[:10], row[2]) == (1200.0, "2025-02-01", "open")


@pytest.mark.parametrize("suffix", ["csv", "parquet", "xlsx", "jsonl"])
def test_every_file_format_imports(catalog, tmp_path, suffix):
    """CSV, Parquet, Excel and JSON lines all import to the same rows."""
    df = pd.DataFrame({"item_code": ["PH-1", "PH-1"], "location_code": ["ST-BJ", "ST-BJ"],
                       "date": ["2025-01-01", "2025-01-02"], "qty": [3, 4]})
    f = tmp_path / f"demand.{suffix}"
    {"csv": lambda: df.to_csv(f, index=False), "parquet": lambda: df.to_parquet(f),
     "xlsx": lambda: df.to_excel(f, index=False),
     "jsonl": lambda: df.to_json(f, orient="records", lines=True, force_ascii=False)}[suffix]()
    rep = import_paths(catalog, [f])
    assert rep.files[0].entity == "demand" and rep.files[0].inserted == 2


def test_sql_source_imports(catalog, tmp_path):
    """Rows from any SQLAlchemy URL and query import like a file."""
    import sqlite3

    erp = tmp_path / "erp.db"
    with sqlite3.connect(erp) as c:
        c.execute("CREATE TABLE sales (item TEXT, store TEXT, day TEXT, units INT)")
        c.execute("INSERT INTO sales VALUES ('PH-1', 'ST-BJ', '2025-01-03', 9)")
    from supplypilot.data.ingest import import_query

    rep = import_query(catalog, f"sqlite:///{erp}",
                       "SELECT item AS item_code, store AS location_code, day AS date, units AS qty FROM sales",
                       "demand")
    assert rep.files[0].inserted == 1


def test_dry_run_writes_nothing(catalog, tmp_path):
    """--dry-run validates and reports, and leaves the store as it was."""
    f = tmp_path / "demand.csv"
    f.write_text("item_code,location_code,date,qty\nPH-1,ST-BJ,2025-01-01,3\n")
    before = catalog.counts()
    rep = import_paths(catalog, [f], dry_run=True)
    assert rep.ok and rep.dry_run and catalog.counts() == before


def test_lineage_names_file_and_row(catalog, tmp_path):
    """Lineage of a stored row gives the source file and row number."""
    f = tmp_path / "demand.csv"
    f.write_text("item_code,location_code,date,qty\nPH-1,ST-BJ,2025-01-01,3\nPH-1,ST-BJ,2025-01-02,4\n")
    import_paths(catalog, [f])
    out = lineage(catalog, "demand:2")
    assert out["records"][0]["values"]["source_row"] == 3
    assert out["batches"][0]["source"] == str(f)


def test_seed_api_loads_and_preprocesses(tmp_path):
    """load_supply_chain_data types the columns; preprocess_data returns scaled numeric features."""
    f = tmp_path / "records.csv"
    f.write_text("date,product,region,units,price\n2025-01-01,phone,north,10,999\n"
                 "2025-01-02,laptop,south,4,\n2025-01-02,laptop,south,4,\n2025-01-04,phone,north,12,899\n")
    df = load_supply_chain_data(f)
    assert pd.api.types.is_datetime64_any_dtype(df["date"]) and df["units"].dtype == float
    X = preprocess_data(df, target="units")
    assert len(X) == 3 and X.drop(columns="units").abs().max().max() < 5
    assert "product_phone" in X.columns and X.isna().sum().sum() == 0
    assert abs(X["price"].mean()) < 1e-9
