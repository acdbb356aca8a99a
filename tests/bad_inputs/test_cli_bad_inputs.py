"""The CLI on bad input: exit code 2, the file and row named, a JSON report with --json."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from tests.bad_inputs.bad_input_helpers import write_csv
from typer.testing import CliRunner

from supplypilot.cli import app
from supplypilot.data.store import Store

PAST = (dt.date.today() - dt.timedelta(days=5)).isoformat()
HEADER = ["item_code", "location_code", "date", "qty"]


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run in tmp_path so files are named by short relative paths (no table folding)."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _bad_demand(folder: Path) -> Path:
    write_csv(folder / "demand.csv", HEADER,
              [["FG-100", "DC-SH", PAST, "4"], ["FG-100", "DC-SH", "2025-13-45", "5"]])
    return Path("demand.csv")


def test_cli_bad_file_exit_2_names_file_and_row(store: Store, db_url: str, in_tmp: Path) -> None:
    """`supplypilot import` of a bad file exits 2 and prints the file, row 3 and the column."""
    f = _bad_demand(in_tmp)
    before = store.counts()
    res = CliRunner().invoke(app, ["import", str(f), "--db", db_url])
    assert res.exit_code == 2, res.output
    assert "demand.csv" in res.output
    assert "nothing was written" in res.output
    line = next(ln for ln in res.output.splitlines() if "2025-13-45" in ln)
    assert "3" in line.split("│")[2] and "date" in line  # the row cell, then the column
    assert store.counts() == before


def test_cli_json_report(store: Store, db_url: str, in_tmp: Path) -> None:
    """`import --json` on a bad file exits 2 and prints a JSON report listing file,row,column,value,reason."""
    f = _bad_demand(in_tmp)
    before = store.counts()
    res = CliRunner().invoke(app, ["import", str(f), "--json", "--db", db_url])
    assert res.exit_code == 2, res.output
    report = json.loads(res.stdout)
    assert report["ok"] is False
    assert report["problems"] == [{"file": "demand.csv", "row": 3, "column": "date",
                                   "value": "2025-13-45",
                                   "reason": "not a date (expected YYYY-MM-DD)"}]
    assert report["problems_total"] == 1
    assert store.counts() == before


def test_cli_missing_file_exit_2(store: Store, db_url: str, in_tmp: Path) -> None:
    """`import` of a file that does not exist exits 2 and names the file."""
    res = CliRunner().invoke(app, ["import", "items.csv", "--db", db_url])
    assert res.exit_code == 2, res.output
    assert "items.csv" in res.output and "no such file" in res.output


def test_cli_unknown_entity_exit_2(store: Store, db_url: str, in_tmp: Path) -> None:
    """`import --entity gizmos` exits 2 and names the unknown entity."""
    write_csv(in_tmp / "items.csv", ["code", "name", "kind", "unit_cost"], [["C-1", "c", "component", "1"]])
    res = CliRunner().invoke(app, ["import", "items.csv", "--entity", "gizmos", "--db", db_url])
    assert res.exit_code == 2, res.output
    assert "gizmos" in res.output
    assert store.counts()["items"] == 4


def test_cli_binary_file_exit_2(store: Store, db_url: str, in_tmp: Path) -> None:
    """`import` of a binary file named items.csv exits 2 and names it, without a traceback."""
    (in_tmp / "items.csv").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00garbage")
    res = CliRunner().invoke(app, ["import", "items.csv", "--db", db_url])
    assert res.exit_code == 2, res.output
    assert "items.csv" in res.output and "Traceback" not in res.output


def test_cli_wrong_encoding_exit_2(store: Store, db_url: str, in_tmp: Path) -> None:
    """`import --encoding utf-8` of a GBK file exits 2 and names the file."""
    (in_tmp / "items.csv").write_bytes("code,name,kind,unit_cost\nZ-1,螺丝,component,1\n".encode("gbk"))
    res = CliRunner().invoke(app, ["import", "items.csv", "--encoding", "utf-8", "--db", db_url])
    assert res.exit_code == 2, res.output
    assert "items.csv" in res.output


def test_cli_missing_unnamed_file_says_missing(store: Store, db_url: str, in_tmp: Path) -> None:
    """A missing file whose name is no entity is reported as missing, not as an unknown entity."""
    res = CliRunner().invoke(app, ["import", "export.csv", "--db", db_url])
    assert res.exit_code == 2
    assert "no such file" in res.output
