"""The ingestion benchmark runs end to end in --quick mode (no timing thresholds asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "benchmarks" / "ingest.py"
QUICK_ROWS = 20_000
SQLITE_ROWS = ("read_csv", "tosql_sqlite", "sp_sqlite", "sp_sqlite_reimport")
PG_ROWS = ("tosql_pg", "sp_pg")


@pytest.fixture(scope="module")
def bench() -> dict:
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), "--quick", "--no-save", "--json"],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )
    assert proc.returncode == 0, f"exit {proc.returncode}\n{proc.stderr[-4000:]}"
    return json.loads(proc.stdout)


def test_quick_run_reports_every_sqlite_row(bench: dict) -> None:
    assert bench["settings"]["rows"] == QUICK_ROWS
    assert bench["settings"]["file_mb"] > 0
    by = {r["name"]: r for r in bench["results"]}
    for name in SQLITE_ROWS:
        r = by[name]
        assert not r.get("error"), r
        assert r["rows"] == QUICK_ROWS
        assert r["seconds"] > 0 and r["rows_per_s"] > 0
        assert r["peak_rss_mb"] > 0
    assert by["sp_sqlite"]["ratio_vs_ref"] > 0
    assert by["sp_sqlite_reimport"]["ratio_vs_ref"] > 0


def test_supplypilot_stores_every_generated_row_with_lineage(bench: dict) -> None:
    by = {r["name"]: r for r in bench["results"]}
    first, again = by["sp_sqlite"], by["sp_sqlite_reimport"]
    assert first["stored_rows"] == QUICK_ROWS
    assert first["inserted"] == QUICK_ROWS and first["updated"] == 0
    assert first["lineage_rows"] == QUICK_ROWS
    # the re-import upserts: same count, every row updated, none inserted
    assert again["stored_before"] == again["stored_rows"] == QUICK_ROWS
    assert again["inserted"] == 0 and again["updated"] == QUICK_ROWS


def test_postgres_rows_present_or_skip_explained(bench: dict) -> None:
    by = {r["name"]: r for r in bench["results"]}
    if not bench["postgres"]["available"]:
        assert bench["postgres"]["reason"]
        assert not any(name in by for name in PG_ROWS)
        return
    for name in PG_ROWS:
        assert not by[name].get("error"), by[name]
        assert by[name]["rows_per_s"] > 0
    assert by["sp_pg"]["stored_rows"] == QUICK_ROWS
