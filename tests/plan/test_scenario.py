"""What-if scenarios: every edit kind, the baseline left alone, conflicts, comparisons."""

from __future__ import annotations

import pytest

from supplypilot.config import data_dir
from supplypilot.errors import InputError, UnknownEntityError
from supplypilot.plan.network import NetworkModel
from supplypilot.plan.result import SolveStatus
from supplypilot.plan.scenario import (
    DemandChange,
    LaneCapacity,
    LaneCost,
    LaneProhibited,
    NewLane,
    NewSupplier,
    NodeClosed,
    Scenario,
    SupplierCapacity,
    SupplierLeadTime,
    apply,
    compare,
)

COFFEE = data_dir() / "nl" / "optiguide" / "coffee_instance.json"
BASE_COST = 2470.0


@pytest.fixture(scope="module")
def coffee() -> NetworkModel:
    if not COFFEE.exists():
        pytest.skip(f"shared data not found at {COFFEE} (set SUPPLYPILOT_DATA)")
    # lead time priced at 1 per unit-day; coffee has no lead times, so the optimum stays 2470
    return NetworkModel.from_optiguide(COFFEE, holding_cost_per_day=1.0)


@pytest.fixture(scope="module")
def base(coffee):
    return coffee.solve()


def run(model: NetworkModel, *edits, name: str = "what-if"):
    scenario_model = apply(model, Scenario(name=name, edits=list(edits)))
    return scenario_model, scenario_model.solve()


def test_demand_change_scales_one_customer_and_raises_cost(coffee, base):
    """+20 % at cafe3 turns 40/100 into 48/120 units and costs more."""
    m, res = run(coffee, DemandChange(node="cafe3", pct=20))
    assert dict(m.node("cafe3").demand) == pytest.approx({"light": 48.0, "dark": 120.0})
    assert res.objective == pytest.approx(2798.0)
    assert res.objective > base.objective


def test_demand_change_without_node_scales_every_customer(coffee, base):
    """-30 % everywhere lowers total demand to 161 units and lowers cost."""
    m, res = run(coffee, DemandChange(pct=-30))
    assert sum(sum(m.node(c).demand.values()) for c in ("cafe1", "cafe2", "cafe3")) == \
        pytest.approx(161.0)
    assert res.objective < base.objective


def test_lane_prohibited_removes_the_lane_and_raises_cost(coffee, base):
    """Prohibiting supplier1→roastery2 removes it and costs 2760 (it carried 80 units)."""
    m, res = run(coffee, LaneProhibited(src="supplier1", dst="roastery2"))
    assert ("supplier1", "roastery2", "road") not in m.lanes
    assert res.objective == pytest.approx(2760.0)
    assert res.objective > base.objective


def test_lane_capacity_limits_flow_and_raises_cost(coffee, base):
    """roastery2→cafe3 capped at 60 carries 60 and the plan costs more."""
    m, res = run(coffee, LaneCapacity(src="roastery2", dst="cafe3", capacity=60))
    assert m.lanes[("roastery2", "cafe3", "road")].capacity == 60
    lane = res.lane_flows().set_index(["src", "dst"]).loc[("roastery2", "cafe3"), "qty"]
    assert lane == pytest.approx(60.0)
    assert res.objective > base.objective


def test_lane_cost_pct_raises_cost(coffee, base):
    """Tripling supplier3→roastery1 (+200 %) makes the lane cost 6 and the plan 2750."""
    m, res = run(coffee, LaneCost(src="supplier3", dst="roastery1", pct=200))
    assert m.lanes[("supplier3", "roastery1", "road")].cost == pytest.approx(6.0)
    assert res.objective == pytest.approx(2750.0)


def test_lane_cost_absolute_lowers_cost(coffee, base):
    """A cheaper roastery1→cafe2 (1 instead of 3) saves 2 on each of its 50 units."""
    _, res = run(coffee, LaneCost(src="roastery1", dst="cafe2", cost=1))
    assert res.objective == pytest.approx(base.objective - 100.0)


def test_supplier_capacity_cut_raises_cost(coffee, base):
    """Halving supplier3 (the cheapest) leaves it 50 units and the plan costs 2570."""
    m, res = run(coffee, SupplierCapacity(supplier="supplier3", pct=-50))
    assert m.node("supplier3").product_capacity["beans"] == pytest.approx(50.0)
    assert res.objective == pytest.approx(2570.0)


def test_supplier_capacity_set_replaces_every_limit(coffee, base):
    """Setting supplier2 to 120 units lifts its 50-unit beans limit and lowers cost."""
    m, res = run(coffee, SupplierCapacity(supplier="supplier2", capacity=120))
    assert m.node("supplier2").capacity == 120
    assert dict(m.node("supplier2").product_capacity) == {}
    assert res.objective < base.objective


def test_supplier_lead_time_is_priced_and_moves_volume(coffee, base):
    """Ten more days at supplier3 cost 10 per unit, so the plan costs more and buys less there."""
    m, res = run(coffee, SupplierLeadTime(supplier="supplier3", days=10))
    assert m.node("supplier3").lead_time == 10
    assert res.objective > base.objective
    assert res.cost_breakdown["lead_time"] > 0


def test_new_supplier_with_lanes_lowers_cost(coffee, base):
    """A cheap supplier4 with lanes to both roasteries takes volume and lowers cost."""
    m, res = run(coffee, NewSupplier(name="supplier4", capacity={"beans": 60}, unit_cost=1),
                 NewLane(src="supplier4", dst="roastery1", products=["beans"], cost=1),
                 NewLane(src="supplier4", dst="roastery2", products=["beans"], cost=2))
    assert m.node("supplier4").kind == "supplier"
    assert res.flows.loc[res.flows["src"] == "supplier4", "qty"].sum() == pytest.approx(60.0)
    assert res.objective < base.objective


def test_node_closed_stops_every_flow_through_it(coffee, base):
    """Closing roastery2 sends nothing through it and costs 3010."""
    m, res = run(coffee, NodeClosed(node="roastery2"))
    assert m.node("roastery2").open is False
    assert not ((res.flows["src"] == "roastery2") | (res.flows["dst"] == "roastery2")).any()
    assert res.objective == pytest.approx(3010.0)
    assert res.opened["roastery2"] is False


def test_apply_never_mutates_the_baseline(coffee):
    """After applying edits of every kind the baseline is unchanged and still solves to 2470."""
    before = (dict(coffee.nodes), dict(coffee.lanes), coffee.name)
    run(coffee, DemandChange(pct=50), LaneProhibited(src="supplier1", dst="roastery2"),
        LaneCapacity(src="roastery2", dst="cafe3", capacity=1),
        LaneCost(src="roastery1", dst="cafe1", pct=10), SupplierCapacity(supplier="supplier1",
                                                                         capacity=10),
        SupplierLeadTime(supplier="supplier2", days=3), NodeClosed(node="roastery1"),
        NewSupplier(name="s9", capacity=5, products=["beans"]),
        NewLane(src="s9", dst="roastery2", products=["beans"]))
    assert (dict(coffee.nodes), dict(coffee.lanes), coffee.name) == before
    assert coffee.changes == []
    assert coffee.solve().objective == pytest.approx(BASE_COST)


def test_infeasible_scenario_names_the_conflicting_nodes(coffee):
    """Closing roastery2 and capping roastery1→cafe3 at 50 cannot serve cafe3's 100 dark units."""
    _, res = run(coffee, NodeClosed(node="roastery2"),
                 LaneCapacity(src="roastery1", dst="cafe3", capacity=50), name="cafe3 squeeze")
    assert res.status is SolveStatus.INFEASIBLE
    assert sorted(res.conflicts) == ["capacity of lane roastery1→cafe3 by road (50 units)",
                                     "demand at cafe3 (100 units of dark)"]
    assert res.reasons[0] == (
        "Demand at cafe3 (100 units of dark) exceeds the capacity of lane roastery1→cafe3 by "
        "road (50 units), after closing roastery2 and limiting lane roastery1→cafe3 to 50 units.")


def test_infeasible_supply_shortfall_lists_every_supplier(coffee):
    """Without supplier1 the 150 units left cannot cover demand; the conflict says so."""
    _, res = run(coffee, NodeClosed(node="supplier1"))
    assert res.status is SolveStatus.INFEASIBLE
    kinds = res.conflict_table.groupby("kind")["node"].apply(set).to_dict()
    assert kinds["supply_product"] == {"supplier2", "supplier3"}
    assert "after closing supplier1" in res.reasons[0]


def test_scenario_parses_edits_by_kind():
    """Edits given as plain dicts become their typed classes through the 'kind' field."""
    s = Scenario(name="x", edits=[{"kind": "node_closed", "node": "roastery2"},
                                  {"kind": "lane_cost", "src": "a", "dst": "b", "pct": 5}])
    assert [type(e) for e in s.edits] == [NodeClosed, LaneCost]


def test_pct_at_or_below_minus_100_is_refused():
    """pct = -150 is refused with the house message."""
    with pytest.raises(InputError) as err:
        DemandChange(node="cafe1", pct=-150)
    assert err.value.message == ("The 'pct' parameter of DemandChange must be a number > -100. "
                                 "Got -150 instead.")


def test_bad_edit_inside_a_scenario_is_refused_with_the_same_message():
    """A bad edit given as a dict inside a Scenario gets the same message as a direct one."""
    with pytest.raises(InputError, match=r"The 'pct' parameter of DemandChange must be a number "
                                         r"> -100\. Got -100 instead\."):
        Scenario(name="x", edits=[{"kind": "demand_change", "pct": -100}])


def test_unknown_edit_kind_is_refused():
    """An unknown 'kind' lists the kinds there are."""
    with pytest.raises(InputError, match=r"The 'kind' parameter of an edit must be one of "
                                         r"\['demand_change'"):
        Scenario(name="x", edits=[{"kind": "close_everything"}])


def test_unknown_node_is_named_with_the_known_ones(coffee):
    """An edit naming a node that does not exist says so and lists the known nodes."""
    with pytest.raises(UnknownEntityError, match=r"Unknown node 'DC-X' in LaneProhibited: known "
                                                 r"nodes are cafe1, cafe2, cafe3, roastery1"):
        run(coffee, LaneProhibited(src="DC-X", dst="cafe1"))


def test_missing_lane_is_named_with_the_lanes_there_are(coffee):
    """A lane that does not exist is refused, naming the lanes out of its origin."""
    with pytest.raises(UnknownEntityError, match=r"Unknown lane 'supplier1→cafe1' in LaneCost"):
        run(coffee, LaneCost(src="supplier1", dst="cafe1", cost=1))


def test_edit_on_the_wrong_kind_of_node_is_refused(coffee):
    """SupplierCapacity on a roastery is refused, saying what the node is."""
    with pytest.raises(InputError, match=r"must name a supplier\. Got 'roastery1' \(a plant\)"):
        run(coffee, SupplierCapacity(supplier="roastery1", pct=10))


def test_lane_cost_needs_exactly_one_of_cost_and_pct():
    """LaneCost with neither cost nor pct is refused."""
    with pytest.raises(InputError, match="needs exactly one of 'cost' and 'pct'"):
        LaneCost(src="a", dst="b")


def test_lead_time_cannot_become_negative(coffee):
    """Shortening a 0-day lead time by 5 days is refused."""
    with pytest.raises(InputError, match="must leave a lead time >= 0"):
        run(coffee, SupplierLeadTime(supplier="supplier1", days=-5))


def test_compare_reports_cost_service_and_flow_changes(coffee, base):
    """Closing roastery2 costs 540 more; the diff says so in English and Chinese."""
    _, res = run(coffee, NodeClosed(node="roastery2"), name="no roastery2")
    diff = compare(base, res)
    assert diff.cost_delta == pytest.approx(540.0)
    assert diff.service_delta == pytest.approx(0.0)
    assert diff.sentences_en[0] == "Total cost rises by 540 (+21.9%), from 2,470 to 3,010."
    assert diff.sentences_zh[0] == "总成本从 2,470 上升到 3,010，增加 540（+21.9%）。"
    top = diff.flow_changes.iloc[0]
    assert (top["src"], top["dst"], top["change"]) == ("supplier1", "roastery1", 130.0)


def test_compare_explains_an_infeasible_scenario(coffee, base):
    """Comparing with an infeasible scenario gives its conflict, in both languages."""
    _, res = run(coffee, NodeClosed(node="supplier1"), name="no supplier1")
    diff = compare(base, res)
    assert diff.cost_delta is None
    assert diff.sentences_en[0].startswith("Scenario 'no supplier1' has no feasible plan")
    assert "关闭 supplier1之后" in diff.sentences_zh[0]
