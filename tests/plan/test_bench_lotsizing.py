"""The lot-sizing benchmark runs end to end in --quick mode and reaches the proven optima."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "benchmarks" / "plan_lotsizing.py"


@pytest.fixture(scope="module")
def bench() -> dict:
    proc = subprocess.run([sys.executable, str(SCRIPT), "--quick", "--json", "--time-limit", "120"],
                          cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, f"exit {proc.returncode}\n{proc.stderr[-4000:]}"
    return json.loads(proc.stdout)


def test_quick_run_reaches_every_reference_optimum(bench: dict) -> None:
    """Each quick instance is proven optimal with the objective of the reference optimum."""
    assert [r["instance"] for r in bench["results"]] == ["F19", "F12"]
    for r in bench["results"]:
        assert r["status"] == "optimal", r
        assert r["objective"] == pytest.approx(r["reference"], abs=0.5)
        assert r["capacity_ok"]
    assert bench["summary"]["optimal"] == bench["summary"]["instances"] == 2


def test_quick_run_does_not_overwrite_saved_results(bench: dict) -> None:
    """--quick never writes the results file, whose table comes from the full run."""
    assert bench["settings"]["quick"] is True
    saved = ROOT / "benchmarks" / "results" / "plan_lotsizing.md"
    if saved.exists():
        assert "(`--quick`)" not in saved.read_text()
