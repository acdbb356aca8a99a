"""The routing benchmark runs end to end in --quick mode (gaps checked, no timing thresholds)."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from supplypilot.config import data_dir

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "benchmarks" / "plan_routing.py"

pytestmark = pytest.mark.skipif(
    not (data_dir() / "optimization" / "cvrp" / "X" / "X-n101-k25.vrp").is_file(),
    reason="shared benchmark data not found")


@pytest.fixture(scope="module")
def bench() -> dict:
    proc = subprocess.run([sys.executable, str(SCRIPT), "--quick", "--json"], cwd=ROOT,
                          capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, f"exit {proc.returncode}\n{proc.stderr[-4000:]}"
    return json.loads(proc.stdout)


def test_quick_run_solves_one_instance_of_each_set(bench: dict) -> None:
    """--quick gives X-n101-k25 and R101, each feasible, with their best-known values."""
    rows = {r["instance"]: r for r in bench["results"]}
    assert set(rows) == {"X-n101-k25", "R101"}
    assert (rows["X-n101-k25"]["bks"], rows["R101"]["bks"]) == (27591.0, 1637.7)
    assert all(r["feasible"] and r["n"] == 100 for r in rows.values())
    assert bench["settings"]["quick"] is True


def test_quick_gaps_are_finite_and_small(bench: dict) -> None:
    """Five seconds of search lands within 5 % of both best-known solutions."""
    for r in bench["results"]:
        assert math.isfinite(r["gap_pct"]) and -1e-9 <= r["gap_pct"] < 5.0, r


def test_x_bks_is_reproduced_by_our_distance_convention(bench: dict) -> None:
    """The .sol routes re-computed under our model cost exactly the BKS (like-for-like gap)."""
    x = next(r for r in bench["results"] if r["set"] == "x")
    assert x["bks_check"] is True
