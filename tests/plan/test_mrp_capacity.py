"""Capacitated MRP: lots fit resource capacity with setup times, and overloads are reported.

The single-item case is worked by hand: demand 60, 60, 60, 70 in periods 1-4, 100 hours per
period, 1 hour per unit plus a 10-hour setup (so at most 90 units per setup), setup cost 1000,
holding 1. Three setups are needed (250 > 2 x 90); producing 90, 90, 0, 70 holds 30 + 60 + 0 =
90 units-periods, the least of the feasible three-setup plans, for a total of 3,090.
"""

from __future__ import annotations

import pytest

from supplypilot.config import data_dir
from supplypilot.plan.lotsizing import read_trigeiro
from supplypilot.plan.mrp import MrpModel, MrpResult
from supplypilot.plan.result import SolveStatus

TRIGEIRO = data_dir() / "optimization" / "lotsizing" / "trigeiro"


def line_model(rule: str = "capacitated") -> MrpModel:
    m = MrpModel(horizon=4)
    m.add_resource("LINE-1", 100)
    m.add_item("A", lead_time=0, lot_sizing=rule, setup_cost=1000, holding_cost=1)
    m.add_usage("A", "LINE-1", per_unit=1, setup_time=10)
    for period, qty in enumerate([60, 60, 60, 70], start=1):
        m.add_demand("A", period, qty, ref=f"SO-{period}")
    return m


@pytest.fixture(scope="module")
def capacitated() -> MrpResult:
    return line_model().solve()


def test_capacitated_plan_is_the_hand_computed_optimum(capacitated: MrpResult) -> None:
    """The MILP finds the 3,090 plan: 90, 90, 0, 70."""
    assert capacitated.status == SolveStatus.OPTIMAL
    assert capacitated.objective == pytest.approx(3090.0)
    assert capacitated.bound == pytest.approx(3090.0)
    po = capacitated.planned_orders
    assert list(zip(po["due"], po["qty"])) == [(1, 90.0), (2, 90.0), (4, 70.0)]


def test_capacitated_plan_respects_capacity_with_setup_times(capacitated: MrpResult) -> None:
    """Load (units plus setup hours) never exceeds the 100 hours of any period."""
    loads = capacitated.loads
    assert loads["load"].tolist() == pytest.approx([100.0, 100.0, 0.0, 80.0])
    assert (loads["load"] <= loads["capacity"] + 1e-9).all()


def test_full_resource_is_listed_as_binding(capacitated: MrpResult) -> None:
    """Periods where the line is full are named in the binding constraints."""
    assert "resource LINE-1 at 100% in periods 1,2" in capacitated.binding


def test_uncapacitated_rule_overload_is_reported() -> None:
    """Wagner-Whitin ignores capacity; the 260-hour load in period 1 is flagged, not hidden."""
    r = line_model("wagner-whitin").solve()
    assert r.planned_orders["qty"].tolist() == [250.0]
    assert ("resource LINE-1 over capacity in period 1 (260%): orders of items planned without the "
            "capacitated rule exceed it") in r.binding
    assert r.exceptions.loc[0, "kind"] == "overload"


def test_infeasible_capacity_names_the_conflict() -> None:
    """A first-period need beyond capacity gives INFEASIBLE and a sentence with the numbers."""
    m = MrpModel(horizon=2)
    m.add_resource("LINE-1", 100)
    m.add_item("A", 0, lot_sizing="capacitated", setup_cost=10)
    m.add_usage("A", "LINE-1", per_unit=1, setup_time=10)
    m.add_demand("A", 1, 200)
    r = m.solve()
    assert r.status == SolveStatus.INFEASIBLE
    assert r.planned_orders.empty
    assert r.conflicts == [
        "resource LINE-1: work that must start by period 1 needs 210 (production plus one setup "
        "each for A) but period 1 offers 100 after higher BOM levels"]


def test_capacity_is_taken_in_the_release_period() -> None:
    """With lead time 1 and capacity only in period 2, the order is released in 2 for period 3."""
    m = MrpModel(horizon=3)
    m.add_resource("LINE-1", [0, 100, 0])
    m.add_item("A", 1, lot_sizing="capacitated", setup_cost=10)
    m.add_usage("A", "LINE-1", per_unit=1)
    m.add_demand("A", 3, 50)
    r = m.solve()
    po = r.planned_orders
    assert list(zip(po["release"], po["due"], po["qty"])) == [(2, 3, 50.0)]


def test_lower_level_gets_capacity_left_by_higher_level() -> None:
    """Parent and component share a line; together they stay within its capacity."""
    m = MrpModel(horizon=4)
    m.add_resource("LINE-1", 100)
    m.add_item("P", 1, lot_sizing="capacitated", setup_cost=100, holding_cost=1)
    m.add_item("C", 1, lot_sizing="capacitated", setup_cost=100, holding_cost=1)
    m.add_bom_line("P", "C", 1)
    m.add_usage("P", "LINE-1", per_unit=1, setup_time=5)
    m.add_usage("C", "LINE-1", per_unit=1, setup_time=5)
    m.add_demand("P", 4, 60)
    m.add_demand("P", 3, 30)
    r = m.solve()
    assert r.is_feasible()
    assert (r.loads["load"] <= r.loads["capacity"] + 1e-9).all()
    assert r.records.groupby("item")["projected_on_hand"].min().min() >= -1e-9


def test_trigeiro_instance_through_mrp_model_reaches_its_optimum() -> None:
    """Trigeiro F10 as an MRP model (lead time 0, one line) reaches the proven optimum 31,208."""
    inst = read_trigeiro(TRIGEIRO / "F10.DAT")
    n, t = inst.shape
    m = MrpModel(horizon=t)
    m.add_resource("LINE-1", inst.capacity[0].tolist())
    for i in range(n):
        code = f"I{i + 1}"
        m.add_item(code, 0, lot_sizing="capacitated", setup_cost=float(inst.setup_cost[i]),
                   holding_cost=float(inst.holding_cost[i]))
        m.add_usage(code, "LINE-1", per_unit=float(inst.usage[i, 0]),
                    setup_time=float(inst.setup_time[i, 0]))
        for p in range(t):
            if inst.demand[i, p] > 0:
                m.add_demand(code, p + 1, float(inst.demand[i, p]))
    r = m.solve(stop=120)
    assert r.status == SolveStatus.OPTIMAL
    assert r.objective == pytest.approx(31208, abs=0.5)
    assert r.kpis["service_level"] == pytest.approx(1.0)
