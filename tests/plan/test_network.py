"""NetworkModel: building, solving, costs, service, shadow prices and infeasibility."""

from __future__ import annotations

import pytest

from supplypilot.config import data_dir
from supplypilot.errors import InputError, UnknownEntityError
from supplypilot.plan.network import NetworkModel
from supplypilot.plan.result import SolveStatus

COFFEE = data_dir() / "nl" / "optiguide" / "coffee_instance.json"


@pytest.fixture
def coffee() -> NetworkModel:
    if not COFFEE.exists():
        pytest.skip(f"shared data not found at {COFFEE} (set SUPPLYPILOT_DATA)")
    return NetworkModel.from_optiguide(COFFEE)


def two_dc_model(**kwargs) -> NetworkModel:
    """One supplier, two candidate DCs (one cheap to run, one cheap to ship from), one customer."""
    m = NetworkModel(**kwargs)
    m.add_supplier("S", capacity={"widget": 1000})
    m.add_dc("DC-A", 500, fixed_cost=100.0, open=None)
    m.add_dc("DC-B", 500, fixed_cost=1000.0, open=None)
    m.add_customer("C", {"widget": 100})
    m.add_lane("S", "DC-A", cost=1.0)
    m.add_lane("S", "DC-B", cost=1.0)
    m.add_lane("DC-A", "C", cost=5.0)
    m.add_lane("DC-B", "C", cost=1.0)
    return m


def test_coffee_reproduces_optiguide_optimum(coffee):
    """The OptiGuide coffee network solves to its published optimum of 2470."""
    res = coffee.solve()
    assert res.status is SolveStatus.OPTIMAL
    assert res.objective == pytest.approx(2470.0)
    assert res.bound == pytest.approx(2470.0)


def test_coffee_integer_flows_give_the_same_optimum():
    """With whole units on every flow (OptiGuide's integer model) the optimum is still 2470."""
    if not COFFEE.exists():
        pytest.skip("shared data not found")
    res = NetworkModel.from_optiguide(COFFEE, integer_flows=True).solve()
    assert res.objective == pytest.approx(2470.0)
    assert "MILP" in res.solver


def test_cost_breakdown_sums_to_objective(coffee):
    """Transport and roasting costs of the coffee plan add up to the objective (1340 + 1130)."""
    res = coffee.solve()
    assert res.cost_breakdown["transport"] == pytest.approx(1340.0)
    assert res.cost_breakdown["production"] == pytest.approx(1130.0)
    assert sum(res.cost_breakdown.values()) == pytest.approx(res.objective)


def test_flows_conserve_beans_at_each_roastery(coffee):
    """Beans received by a roastery equal the roasts it ships."""
    res = coffee.solve()
    f = res.flows
    for r in ("roastery1", "roastery2"):
        assert f.loc[f["dst"] == r, "qty"].sum() == pytest.approx(f.loc[f["src"] == r, "qty"].sum())


def test_service_is_full_when_demand_is_hard(coffee):
    """Every cafe gets its full demand: 230 units, service 100 %."""
    res = coffee.solve()
    assert res.service == pytest.approx(1.0)
    assert res.service_table["delivered"].sum() == pytest.approx(230.0)


def test_binding_capacity_reports_its_shadow_price(coffee):
    """supplier2 is at capacity, and its shadow price (-1) is what one more unit saves."""
    res = coffee.solve()
    row = res.binding_table.set_index("node").loc["supplier2"]
    assert row["used"] == pytest.approx(50.0)
    assert row["shadow_price"] == pytest.approx(-1.0)
    assert any("supplier2" in b and "save 1" in b for b in res.binding)


def test_shadow_price_matches_resolving_with_one_more_unit(coffee):
    """Raising supplier2's capacity by one unit lowers the cost by exactly its shadow price."""
    base = coffee.solve()
    price = base.binding_table.set_index("node").loc["supplier2", "shadow_price"]
    coffee.replace_node("supplier2", product_capacity={"beans": 51.0})
    assert coffee.solve().objective - base.objective == pytest.approx(price)


def test_shortage_allowed_delivers_what_capacity_allows():
    """With allow_shortage, 100 demanded against 60 of supply delivers 60 and pays the penalty."""
    m = NetworkModel(allow_shortage=True, shortage_penalty=50.0)
    m.add_supplier("S", capacity={"p": 60})
    m.add_customer("C", {"p": 100})
    m.add_lane("S", "C", cost=2.0)
    res = m.solve()
    assert res.status is SolveStatus.OPTIMAL
    assert res.service == pytest.approx(0.6)
    assert res.cost_breakdown["shortage"] == pytest.approx(40 * 50.0)
    assert res.objective == pytest.approx(60 * 2.0 + 40 * 50.0)


def test_default_shortage_penalty_still_serves_expensive_demand():
    """The automatic penalty exceeds the costliest route, so a costly but possible unit ships."""
    m = NetworkModel(allow_shortage=True)
    m.add_supplier("S", capacity={"p": 100}, unit_cost=900.0)
    m.add_customer("C", {"p": 10})
    m.add_lane("S", "C", cost=100.0)
    res = m.solve()
    assert res.service == pytest.approx(1.0)
    assert res.objective == pytest.approx(10 * 1000.0)


def test_hard_demand_beyond_capacity_is_infeasible_with_conflicts():
    """Hard demand above supply is infeasible; the conflict names the customer and supplier."""
    m = NetworkModel()
    m.add_supplier("S", capacity={"p": 60})
    m.add_customer("C", {"p": 100})
    m.add_lane("S", "C", cost=2.0)
    res = m.solve()
    assert res.status is SolveStatus.INFEASIBLE
    assert set(res.conflict_table["node"]) == {"C", "S"}
    assert res.reasons == ["Demand at C (100 units of p) exceeds the capacity of supplier S "
                           "for p (60 units)."]
    assert "需求超过了" in res.extra["reasons_zh"][0]


def test_opening_decision_picks_the_cheaper_dc():
    """With open=None the MILP opens DC-A (100 + 600) rather than DC-B (1000 + 200)."""
    res = two_dc_model().solve()
    assert res.opened == {"DC-A": True, "DC-B": False}
    assert res.objective == pytest.approx(100.0 + 100 * 1.0 + 100 * 5.0)
    assert res.cost_breakdown["fixed"] == pytest.approx(100.0)


def test_milp_reports_shadow_prices_with_opening_fixed():
    """A MILP plan still reports duals: DC-B full at 70 units saves 4 per extra unit."""
    m = two_dc_model()
    m.replace_node("DC-A", capacity=60.0)  # neither DC alone can serve the 100 units
    m.replace_node("DC-B", capacity=70.0)
    res = m.solve()
    assert res.opened == {"DC-A": True, "DC-B": True}
    row = res.binding_table.set_index("node").loc["DC-B"]
    assert row["used"] == pytest.approx(70.0)
    assert row["shadow_price"] == pytest.approx(-4.0)


def test_dc_handling_cost_is_paid_per_unit_received():
    """Handling at a DC is charged on every unit that enters it."""
    m = NetworkModel()
    m.add_supplier("S", capacity={"p": 100})
    m.add_dc("D", handling_cost=0.5)
    m.add_customer("C", {"p": 40})
    m.add_lane("S", "D", cost=1.0)
    m.add_lane("D", "C", cost=1.0)
    res = m.solve()
    assert res.cost_breakdown["handling"] == pytest.approx(20.0)
    assert res.objective == pytest.approx(100.0)


def test_lead_time_is_priced_at_the_holding_cost():
    """Ten days of supplier lead time at 0.5 per unit-day cost 5 per unit."""
    m = NetworkModel(holding_cost_per_day=0.5)
    m.add_supplier("S", capacity={"p": 100}, lead_time=10.0)
    m.add_customer("C", {"p": 10})
    m.add_lane("S", "C", cost=1.0, lead_time=2.0)
    res = m.solve()
    assert res.cost_breakdown["lead_time"] == pytest.approx(10 * 0.5 * 12)


def test_max_delivery_days_forbids_slow_lanes():
    """A customer promised 3 days is not served by a 5-day lane, however cheap."""
    m = NetworkModel()
    m.add_supplier("S", capacity={"p": 100})
    m.add_customer("C", {"p": 10}, max_delivery_days=3)
    m.add_lane("S", "C", cost=1.0, lead_time=5.0, mode="sea")
    m.add_lane("S", "C", cost=4.0, lead_time=1.0, mode="air")
    res = m.solve()
    assert list(res.flows["mode"]) == ["air"]
    assert res.objective == pytest.approx(40.0)


def test_lane_capacity_is_shared_by_products():
    """A 50-unit lane carries at most 50 units of two products together."""
    m = NetworkModel(allow_shortage=True, shortage_penalty=100.0)
    m.add_supplier("S", capacity={"a": 100, "b": 100})
    m.add_customer("C", {"a": 40, "b": 40})
    m.add_lane("S", "C", cost=1.0, capacity=50.0)
    res = m.solve()
    assert res.flows["qty"].sum() == pytest.approx(50.0)
    assert res.service_table["short"].sum() == pytest.approx(30.0)


def test_products_that_cannot_reach_a_lane_get_no_variables(coffee):
    """Only beans ride supplier lanes and only roasts ride café lanes: 12 flow variables."""
    res = coffee.solve()
    assert res.size["variables"] == 6 + 12 + 4  # beans lanes, roast lanes, roasting
    assert set(res.flows.loc[res.flows["src"].str.startswith("supplier"), "product"]) == {"beans"}


def test_add_lane_names_an_unknown_node():
    """A lane to an unknown node is refused with the known nodes listed."""
    m = NetworkModel()
    m.add_supplier("S", capacity={"p": 1})
    with pytest.raises(UnknownEntityError, match=r"Unknown node 'DC-X' in add_lane: known nodes "
                                                 r"are S\."):
        m.add_lane("S", "DC-X")


def test_negative_capacity_is_refused_with_the_house_message():
    """A negative capacity says which parameter, of what, and the value received."""
    with pytest.raises(InputError, match=r"The 'capacity' parameter of add_dc must be a number "
                                         r">= 0\. Got -5 instead\."):
        NetworkModel().add_dc("D", -5)


def test_lane_out_of_a_customer_is_refused():
    """Customers are sinks: a lane leaving one is refused."""
    m = NetworkModel()
    m.add_customer("C", {"p": 1})
    m.add_dc("D")
    with pytest.raises(InputError, match="lanes leave suppliers, plants or DCs"):
        m.add_lane("C", "D")


def test_duplicate_node_name_is_refused():
    """Two nodes cannot share a name, whatever their kinds."""
    m = NetworkModel()
    m.add_dc("X")
    with pytest.raises(InputError, match="A node named 'X' already exists"):
        m.add_customer("X", {"p": 1})


def test_node_from_another_model_is_refused():
    """A Node object of another model is refused rather than matched by name."""
    a, b = NetworkModel(), NetworkModel()
    a.add_customer("C", {"p": 1})
    node = b.add_supplier("S", capacity={"p": 1})
    b2 = a.add_supplier("S", capacity={"p": 1})
    assert b2 is not node
    with pytest.raises(InputError, match="not in this model instance"):
        a.add_lane(node, "C")


def test_summary_shows_status_service_and_binding(coffee):
    """summary() is a readable block with the objective, service and binding capacities."""
    text = coffee.solve().summary()
    assert "2,470.0000" in text
    assert "service   100.0% of demand delivered" in text
    assert "binding: capacity of supplier supplier2 for beans (50 units) is fully used" in text


def test_missing_optiguide_file_is_an_input_error(tmp_path):
    """A missing instance file is reported with its path."""
    with pytest.raises(InputError, match="Cannot read the OptiGuide instance"):
        NetworkModel.from_optiguide(tmp_path / "none.json")


def test_conflict_with_many_customers_is_counted_not_listed():
    """Four customers in a conflict are counted, with a few names and the total demand."""
    m = NetworkModel()
    m.add_supplier("S", capacity={"p": 19})
    for i in range(1, 6):
        m.add_customer(f"C{i}", {"p": 5})
        m.add_lane("S", f"C{i}", cost=1.0)
    res = m.solve()
    assert res.extra["conflicts_irreducible"] is True
    assert res.reasons[0].endswith(", ...; 20 units in all) exceeds the capacity of supplier S "
                                   "for p (19 units).")
    assert res.reasons[0].startswith("Demand at 4 customers (C")
