"""The job-shop benchmark runs end to end in --quick mode (no timing thresholds asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from supplypilot.config import data_dir

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "benchmarks" / "plan_jobshop.py"


@pytest.fixture(scope="module")
def bench() -> dict:
    if not (data_dir() / "optimization" / "jobshop").exists():
        pytest.skip(f"shared benchmark data not found under {data_dir()}")
    proc = subprocess.run([sys.executable, str(SCRIPT), "--quick", "--json"], cwd=ROOT,
                          capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, f"exit {proc.returncode}\n{proc.stderr[-4000:]}"
    return json.loads(proc.stdout)


def test_quick_run_reaches_the_ft06_optimum(bench: dict) -> None:
    """ft06's optimal makespan 55 is found and proven within the quick limit."""
    ft06 = next(r for r in bench["results"] if r["instance"] == "ft06")
    assert (ft06["makespan"], ft06["bks"], ft06["status"]) == (55, 55, "optimal")
    assert ft06["gap"] == 0


def test_quick_run_reports_every_quick_instance_with_gap(bench: dict) -> None:
    """Both quick instances have a makespan, a BKS and a gap that is never negative."""
    assert [r["instance"] for r in bench["results"]] == ["ft06", "la01"]
    for r in bench["results"]:
        assert r["makespan"] >= r["bks"] > 0
        assert r["gap"] == (r["makespan"] - r["bks"]) / r["bks"]
    assert bench["settings"]["quick"] is True and bench["settings"]["time_limit"] == 5.0


def test_quick_run_summarises_by_family(bench: dict) -> None:
    """The summary has one entry per instance family with its mean gap."""
    assert set(bench["summary"]["families"]) == {"ft", "la"}
    assert bench["summary"]["families"]["ft"]["mean_gap"] == 0
