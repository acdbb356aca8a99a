"""Whole files that cannot be read: each refused with the file named, and nothing written."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from tests.bad_inputs.bad_input_helpers import assert_file_error, assert_problem, refused, write_csv
from openpyxl import Workbook

from supplypilot.data.ingest import import_paths
from supplypilot.data.model import Item
from supplypilot.data.store import Store

PNG_MAGIC = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
ITEM_HEADER = ["code", "name", "kind", "unit_cost"]


def _items_frame() -> pd.DataFrame:
    return pd.DataFrame({"code": [f"NEW-{i}" for i in range(50)], "name": ["n"] * 50,
                         "kind": ["component"] * 50, "unit_cost": [1.0] * 50})


# --------------------------------------------------------------------------- empty and garbage


def test_empty_file(store: Store, tmp_path: Path) -> None:
    """A zero-byte CSV is refused as empty, naming the file."""
    f = tmp_path / "items.csv"
    f.write_bytes(b"")
    assert_file_error(refused(store, [f]), f, "empty")


def test_whitespace_only_file(store: Store, tmp_path: Path) -> None:
    """A CSV holding only blanks and newlines is refused as empty, naming the file."""
    f = tmp_path / "items.csv"
    f.write_text("  \n\t\n   \r\n")
    assert_file_error(refused(store, [f]), f, "empty")


def test_header_only_file(store: Store, tmp_path: Path) -> None:
    """A CSV with a header and no rows is refused as having no rows, naming the file."""
    f = write_csv(tmp_path / "items.csv", ITEM_HEADER)
    err = refused(store, [f])
    assert_problem(err, f, reason="no rows")


def test_binary_garbage_with_nul(store: Store, tmp_path: Path) -> None:
    """Random bytes including NUL named .csv are refused as not text."""
    f = tmp_path / "items.csv"
    f.write_bytes(os.urandom(2048) + b"\x00\x00\x00" + os.urandom(512))
    assert_file_error(refused(store, [f]), f, "NUL")


def test_png_renamed_csv(store: Store, tmp_path: Path) -> None:
    """A PNG image renamed to .csv is refused as binary, naming the file."""
    f = tmp_path / "items.csv"
    f.write_bytes(PNG_MAGIC + os.urandom(256))
    assert_file_error(refused(store, [f]), f, "not a text file")


def test_zip_renamed_csv(store: Store, tmp_path: Path) -> None:
    """A zip archive renamed to .csv is refused as binary, naming the file."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("items.csv", "code,name\nA,B\n")
    f = tmp_path / "items.csv"
    f.write_bytes(buf.getvalue())
    assert_file_error(refused(store, [f]), f, "not a text file")


# --------------------------------------------------------------------------- parquet


def test_truncated_parquet(store: Store, tmp_path: Path) -> None:
    """A valid Parquet file cut in half is refused as unreadable Parquet, naming the file."""
    good = tmp_path / "good.parquet"
    _items_frame().to_parquet(good)
    raw = good.read_bytes()
    f = tmp_path / "items.parquet"
    f.write_bytes(raw[: len(raw) // 2])
    assert_file_error(refused(store, [f]), f, "Parquet")


def test_not_parquet_bytes(store: Store, tmp_path: Path) -> None:
    """Plain CSV text named .parquet is refused as unreadable Parquet, naming the file."""
    f = tmp_path / "items.parquet"
    f.write_text("code,name,kind,unit_cost\nX,Y,component,1\n")
    assert_file_error(refused(store, [f]), f, "Parquet")


# --------------------------------------------------------------------------- encodings


def test_gbk_bytes_forced_utf8(store: Store, tmp_path: Path) -> None:
    """GBK bytes imported with encoding='utf-8' are refused with a decoding error naming the file, nothing stored as mojibake."""
    f = tmp_path / "items.csv"
    f.write_bytes("code,name,name_zh,kind,unit_cost\nZH-1,Widget,螺丝钉,component,1\n".encode("gbk"))
    err = refused(store, [f], encoding="utf-8")
    assert_file_error(err, f, "utf-8")


def test_gbk_jsonl_forced_utf8(store: Store, tmp_path: Path) -> None:
    """GBK bytes in a JSON-lines file imported with encoding='utf-8' are refused naming the file."""
    f = tmp_path / "items.jsonl"
    f.write_bytes('{"code": "ZH-1", "name": "螺丝钉", "kind": "component", "unit_cost": 1}\n'.encode("gbk"))
    assert_file_error(refused(store, [f], encoding="utf-8"), f, "utf-8")


def test_unknown_encoding_name(store: Store, tmp_path: Path) -> None:
    """encoding='klingon-8' is refused as an unknown encoding, naming the value."""
    f = write_csv(tmp_path / "items.csv", ITEM_HEADER, [["N-1", "x", "component", "1"]])
    err = refused(store, [f], encoding="klingon-8")
    assert "klingon-8" in str(err)


def test_gbk_detected_positive(store: Store, tmp_path: Path) -> None:
    """A GBK file without an encoding is detected as gb18030 and its Chinese names stored intact."""
    f = tmp_path / "items.csv"
    text = "code,name,name_zh,kind,unit_cost\n" + "".join(
        f"ZH-{i},Part {i},{zh},component,{i + 1}\n"
        for i, zh in enumerate(["螺丝钉", "电路板", "显示屏", "电池组", "外壳", "充电器"])
    )
    f.write_bytes(text.encode("gbk"))
    report = import_paths(store, [f])
    assert report.ok and report.files[0].encoding == "gb18030"
    with store.session() as s:
        got = {i.code: i.name_zh for i in s.query(Item).filter(Item.code.like("ZH-%"))}
    assert got == {"ZH-0": "螺丝钉", "ZH-1": "电路板", "ZH-2": "显示屏", "ZH-3": "电池组",
                   "ZH-4": "外壳", "ZH-5": "充电器"}


def test_utf8_bom_positive(store: Store, tmp_path: Path) -> None:
    """A UTF-8 file with a BOM has its first header read as 'code', not '\\ufeffcode'."""
    f = tmp_path / "items.csv"
    f.write_bytes(b"\xef\xbb\xbf" + "code,name,name_zh,kind,unit_cost\nBOM-1,Lid,盖子,component,2\n".encode())
    before = store.counts()["items"]
    report = import_paths(store, [f])
    assert report.ok and report.files[0].encoding == "utf-8-sig"
    assert store.counts()["items"] == before + 1
    with store.session() as s:
        assert s.get(Item, "BOM-1").name_zh == "盖子"


# --------------------------------------------------------------------------- headers


def test_missing_required_column(store: Store, tmp_path: Path) -> None:
    """An items file without the required 'kind' column names the file and the missing column."""
    f = write_csv(tmp_path / "items.csv", ["code", "name", "unit_cost"], [["N-1", "x", "1"]])
    assert_problem(refused(store, [f]), f, column="kind", reason="required column missing")


def test_extra_unknown_column_refused(store: Store, tmp_path: Path) -> None:
    """An unknown column 'colour' is refused by default, naming the file and the column."""
    f = write_csv(tmp_path / "items.csv", [*ITEM_HEADER, "colour"], [["N-1", "x", "component", "1", "red"]])
    assert_problem(refused(store, [f]), f, column="colour", reason="unexpected column")


def test_extra_unknown_column_allowed(store: Store, tmp_path: Path) -> None:
    """With allow_extra=True the unknown column is ignored and the row imported."""
    f = write_csv(tmp_path / "items.csv", [*ITEM_HEADER, "colour"], [["N-1", "x", "component", "1", "red"]])
    before = store.counts()["items"]
    assert import_paths(store, [f], allow_extra=True).ok
    assert store.counts()["items"] == before + 1


def test_duplicate_header_names(store: Store, tmp_path: Path) -> None:
    """A header that repeats 'name' is refused, naming the file and the repeated column."""
    f = write_csv(tmp_path / "items.csv", ["code", "name", "kind", "unit_cost", "name"],
                  [["N-1", "x", "component", "1", "y"]])
    assert_file_error(refused(store, [f]), f, "repeats", "'name'")


def test_empty_header_name(store: Store, tmp_path: Path) -> None:
    """A header with an empty column name is refused, naming the file and the position."""
    f = write_csv(tmp_path / "items.csv", ["code", "", "kind", "unit_cost"], [["N-1", "x", "component", "1"]])
    assert_file_error(refused(store, [f]), f, "empty column name", "[2]")


def test_ragged_row_too_many_fields(store: Store, tmp_path: Path) -> None:
    """A row with more fields than the header is refused as malformed CSV, naming the file and line."""
    f = tmp_path / "items.csv"
    f.write_text("code,name,kind,unit_cost\nN-1,x,component,1\nN-2,y,component,2,EXTRA,MORE\n")
    assert_file_error(refused(store, [f]), f, "malformed CSV", "line 3")


# --------------------------------------------------------------------------- excel


def test_excel_merged_header(store: Store, tmp_path: Path) -> None:
    """An .xlsx whose header cells A1:B1 are merged is refused, naming the file and the range."""
    wb = Workbook()
    ws = wb.active
    ws.append(["code", None, "kind", "unit_cost"])
    ws.append(["N-1", "x", "component", 1])
    ws.merge_cells("A1:B1")
    f = tmp_path / "items.xlsx"
    wb.save(f)
    assert_file_error(refused(store, [f]), f, "merged", "A1:B1")


def test_corrupt_xlsx(store: Store, tmp_path: Path) -> None:
    """A valid workbook with its bytes cut short is refused as unreadable .xlsx, naming the file."""
    wb = Workbook()
    wb.active.append(ITEM_HEADER)
    wb.active.append(["N-1", "x", "component", 1])
    good = tmp_path / "good.xlsx"
    wb.save(good)
    f = tmp_path / "items.xlsx"
    f.write_bytes(good.read_bytes()[:300])
    assert_file_error(refused(store, [f]), f, "xlsx")


def test_excel_bad_cell_names_row(store: Store, tmp_path: Path) -> None:
    """A text cell in unit_cost on the third sheet row is reported at row 3 of the .xlsx."""
    wb = Workbook()
    ws = wb.active
    ws.append(ITEM_HEADER)
    ws.append(["N-1", "x", "component", 1])
    ws.append(["N-2", "y", "component", "cheap"])
    f = tmp_path / "items.xlsx"
    wb.save(f)
    assert_problem(refused(store, [f]), f, row=3, column="unit_cost", reason="not a number", value="cheap")


# --------------------------------------------------------------------------- json lines


def test_jsonl_broken_line(store: Store, tmp_path: Path) -> None:
    """A JSON-lines file whose second line is cut off is refused, naming the file and line 2."""
    f = tmp_path / "items.jsonl"
    f.write_text('{"code": "J-1", "name": "a", "kind": "component", "unit_cost": 1}\n'
                 '{"code": "J-2", "name": "b", "kind": "comp\n'
                 '{"code": "J-3", "name": "c", "kind": "component", "unit_cost": 3}\n')
    assert_file_error(refused(store, [f]), f, "line 2", "JSON")


def test_jsonl_line_not_object(store: Store, tmp_path: Path) -> None:
    """A JSON-lines record that is an array instead of an object is refused, naming the line."""
    f = tmp_path / "items.jsonl"
    f.write_text('{"code": "J-1", "name": "a", "kind": "component", "unit_cost": 1}\n[1, 2, 3]\n')
    assert_file_error(refused(store, [f]), f, "line 2", "not a JSON object")


# --------------------------------------------------------------------------- paths and names


def test_file_does_not_exist(store: Store, tmp_path: Path) -> None:
    """A path that does not exist is refused as 'no such file', naming it."""
    f = tmp_path / "items.csv"
    assert_file_error(refused(store, [f]), f, "no such file")


def test_folder_without_data_files(store: Store, tmp_path: Path) -> None:
    """A folder holding only non-data files is refused as 'nothing to import', naming the folder."""
    d = tmp_path / "exports"
    d.mkdir()
    (d / "README.md").write_text("no data here")
    (d / ".hidden.csv").write_text("code\nX\n")
    err = refused(store, [d])
    assert_file_error(err, d, "no data files")


def test_unknown_file_suffix(store: Store, tmp_path: Path) -> None:
    """A .docx file is refused as an unknown file type, naming the file."""
    f = tmp_path / "items.docx"
    f.write_bytes(b"PK\x03\x04 not really")
    assert_file_error(refused(store, [f]), f, "unknown file type", ".docx")


def test_entity_not_derivable_from_name(store: Store, tmp_path: Path) -> None:
    """A file named after no entity (export.csv) is refused, asking for --entity."""
    f = write_csv(tmp_path / "export.csv", ITEM_HEADER, [["N-1", "x", "component", "1"]])
    assert_file_error(refused(store, [f]), f, "--entity")


def test_unknown_entity_option(store: Store, tmp_path: Path) -> None:
    """entity='gizmos' is refused as an unknown entity, naming the value."""
    f = write_csv(tmp_path / "items.csv", ITEM_HEADER, [["N-1", "x", "component", "1"]])
    err = refused(store, [f], entity="gizmos")
    assert "unknown entity 'gizmos'" in str(err)
