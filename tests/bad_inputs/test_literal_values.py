"""Hostile-looking but valid text: stored literally, exported safely, never executed."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from tests.bad_inputs.bad_input_helpers import assert_problem, refused, write_csv
from openpyxl import load_workbook
from sqlalchemy import inspect

from supplypilot.data.export import export_entity
from supplypilot.data.ingest import import_paths
from supplypilot.data.model import Base, Item
from supplypilot.data.store import Store

FORMULAS = {
    "dde_cmd": "=cmd|' /C calc'!A0",
    "plus": "+1+1",
    "at_sum": "@SUM(1)",
    "minus": "-2+3",
}
SQL_NAME = "Robert'); DROP TABLE item;--"


def _import_item(store: Store, tmp_path: Path, code: str, name: str) -> None:
    f = write_csv(tmp_path / "items.csv", ["code", "name", "kind", "unit_cost"],
                  [[code, name, "component", "1"]])
    assert import_paths(store, [f]).ok


def _stored_name(store: Store, code: str) -> str:
    with store.session() as s:
        return s.get(Item, code).name


@pytest.mark.parametrize("name", list(FORMULAS.values()), ids=list(FORMULAS))
def test_formula_text_stored_literally(store: Store, tmp_path: Path, name: str) -> None:
    """A formula-looking item name is valid data and stored exactly as given."""
    before = store.counts()["items"]
    _import_item(store, tmp_path, "F-1", name)
    assert _stored_name(store, "F-1") == name
    assert store.counts()["items"] == before + 1


@pytest.mark.parametrize("name", list(FORMULAS.values()), ids=list(FORMULAS))
def test_formula_text_exported_with_quote(store: Store, tmp_path: Path, name: str) -> None:
    """Exporting to CSV prefixes the formula-looking name with a single quote."""
    _import_item(store, tmp_path, "F-1", name)
    out = tmp_path / "out" / "items.csv"
    rows, neutralised = export_entity(store, "items", out)
    assert neutralised >= 1
    with out.open(encoding="utf-8-sig", newline="") as f:
        got = {r["code"]: r["name"] for r in csv.DictReader(f)}
    assert got["F-1"] == "'" + name
    assert got["FG-100"] == "Phone"  # ordinary text untouched


def test_formula_text_exported_to_xlsx_as_text(store: Store, tmp_path: Path) -> None:
    """Exporting to .xlsx writes the DDE payload as a quoted text cell, not a formula."""
    name = FORMULAS["dde_cmd"]
    _import_item(store, tmp_path, "F-1", name)
    out = tmp_path / "items.xlsx"
    export_entity(store, "items", out)
    ws = load_workbook(out).active
    header = [c.value for c in ws[1]]
    cells = {r[header.index("code")].value: r[header.index("name")] for r in ws.iter_rows(min_row=2)}
    assert cells["F-1"].data_type == "s"
    assert cells["F-1"].value == "'" + name


def test_sql_injection_name_stored_literally(store: Store, tmp_path: Path) -> None:
    """An SQL-injection-looking name and code are stored literally and every table still exists."""
    code = "X'); DROP TABLE item;--"
    _import_item(store, tmp_path, code, SQL_NAME)
    assert _stored_name(store, code) == SQL_NAME
    assert set(Base.metadata.tables) <= set(inspect(store.engine).get_table_names())
    assert store.counts()["items"] == 5


def test_sql_injection_header_refused(store: Store, tmp_path: Path) -> None:
    """A header 'name; DROP TABLE item' is refused as an unexpected column and the tables survive."""
    bad = "name; DROP TABLE item"
    f = write_csv(tmp_path / "items.csv", ["code", "name", "kind", "unit_cost", bad],
                  [["Q-1", "q", "component", "1", "x"]])
    assert_problem(refused(store, [f]), f, column=bad, reason="unexpected column")
    assert set(Base.metadata.tables) <= set(inspect(store.engine).get_table_names())


def test_unicode_names_roundtrip(store: Store, tmp_path: Path) -> None:
    """Names with CJK, emoji and RTL text are stored exactly (positive control)."""
    name = "螺丝 🔩 مسمار ÄÖÜ"
    _import_item(store, tmp_path, "U-1", name)
    assert _stored_name(store, "U-1") == name
