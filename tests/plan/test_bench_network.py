"""The network benchmark runs end to end in --quick mode (no timing thresholds asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "benchmarks" / "plan_network.py"
EDIT_KINDS = {"demand_change", "lane_prohibited", "lane_capacity", "lane_cost",
              "supplier_capacity", "supplier_lead_time", "new_supplier", "new_lane",
              "node_closed"}


@pytest.fixture(scope="module")
def bench() -> dict:
    proc = subprocess.run([sys.executable, str(SCRIPT), "--quick", "--no-save", "--json"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, f"exit {proc.returncode}\n{proc.stderr[-4000:]}"
    return json.loads(proc.stdout)


def test_coffee_baseline_matches_the_reference(bench: dict) -> None:
    """The benchmark's coffee baseline (LP and integer) is the published 2470."""
    c = bench["coffee"]
    assert c["objective"] == pytest.approx(2470.0)
    assert c["integer_objective"] == pytest.approx(2470.0)
    assert c["gap"] == pytest.approx(0.0)


def test_every_edit_kind_appears_in_the_scenario_table(bench: dict) -> None:
    """The scenario table covers every edit kind, each row with a status and a time."""
    rows = bench["scenarios"]
    assert len(rows) >= 12
    assert {k for r in rows for k in r["edits"]} == EDIT_KINDS
    assert all(r["seconds"] > 0 and r["status"] in ("optimal", "infeasible") for r in rows)


def test_infeasible_scenarios_carry_their_conflicts(bench: dict) -> None:
    """Each infeasible scenario names its conflicting constraints and explains them."""
    bad = [r for r in bench["scenarios"] if r["status"] == "infeasible"]
    assert {r["name"] for r in bad} == {"roastery2 closed + cafe3 lane 50", "supplier1 closed"}
    assert all(r["conflicts"] and r["reason"].startswith("Demand at") for r in bad)


def test_generated_network_solves_as_lp_and_milp(bench: dict) -> None:
    """The generated network solves to optimality as an LP and as a MILP with DC choices."""
    lp, milp, _ = bench["large"]
    assert lp["status"] == milp["status"] == "optimal"
    assert milp["binaries"] == bench["settings"]["dims"][2]
    assert milp["objective"] <= lp["objective"] + 1e-6  # closing DCs can only save here


def test_generated_network_with_too_few_dcs_explains_its_conflict(bench: dict) -> None:
    """Closing most DCs of the generated network is infeasible and blames the DCs left open."""
    closed = bench["large"][2]
    assert closed["status"] == "infeasible"
    assert closed["conflicts"] > 0
    assert "exceeds the" in closed["reason"] and "capacity of DC" in closed["reason"]
