"""The inventory benchmark runs end to end in --quick mode (no timing thresholds asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from supplypilot.plan.inventory import textbook_instance_file

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "benchmarks" / "plan_inventory.py"


@pytest.fixture(scope="module")
def bench() -> dict:
    if not textbook_instance_file().is_file():
        pytest.skip(f"textbook instances not found at {textbook_instance_file()} "
                    f"(set SUPPLYPILOT_DATA)")
    proc = subprocess.run([sys.executable, str(SCRIPT), "--quick", "--json"], cwd=ROOT,
                          capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, f"exit {proc.returncode}\n{proc.stderr[-4000:]}"
    return json.loads(proc.stdout)


def test_quick_run_matches_every_instance_of_its_subset(bench: dict) -> None:
    """All 14 quick instances match their known answers."""
    assert bench["settings"]["quick"] is True
    assert bench["summary"]["total"] == 14
    assert bench["summary"]["matched"] == 14


def test_quick_run_reports_errors_and_times(bench: dict) -> None:
    """Each row carries its headline value, errors, check counts and a time."""
    by = {r["name"]: r for r in bench["results"]}
    eoq = by["example_3_1"]
    assert eoq["headline"] == "cost"
    assert eoq["ours"] == pytest.approx(68.410525505948272, rel=1e-12)
    assert eoq["checks_passed"] == eoq["checks"] == 2
    assert all(r["seconds"] >= 0 for r in bench["results"])


def test_quick_run_does_not_overwrite_saved_results(bench: dict) -> None:
    """--quick leaves benchmarks/results/plan_inventory.md untouched (it is the full-run record)."""
    saved = ROOT / "benchmarks" / "results" / "plan_inventory.md"
    if saved.exists():
        assert "(`--quick`)" not in saved.read_text()
