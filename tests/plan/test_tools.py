"""Planning tools on the stored electronics sample: policies, network, what-if."""

from __future__ import annotations

import pytest

from supplypilot.errors import InputError, UnknownEntityError
from supplypilot.tools import REGISTRY, Context


@pytest.fixture
def ctx(sample_store) -> Context:
    return Context(store_url=sample_store.url)


def test_inventory_policy_from_forecast_and_lead_time(ctx):
    """The policy of a phone uses its forecast error and lane lead time; reorder point = lead-time demand + safety stock."""
    r = REGISTRY.get("inventory_policy").run({"item": "PH001-256", "service_level": 0.95}, ctx)
    assert r.policy in {"rQ", "base_stock", "sS", "order_up_to"}
    assert r.demand_per_day > 0 and r.demand_std_per_day > 0 and r.lead_time_days > 0
    if r.policy == "rQ":
        ltd = r.demand_per_day * r.lead_time_days
        assert r.parameters["reorder_point"] == pytest.approx(ltd + r.safety_stock, rel=1e-3)
    assert r.service_level == pytest.approx(0.95, abs=1e-3)
    assert "forecast" in r.reason


def test_higher_service_needs_more_safety_stock(ctx):
    """Raising the target service level from 90 % to 99 % raises the safety stock."""
    low = REGISTRY.get("inventory_policy").run({"item": "PH001-256", "service_level": 0.90}, ctx)
    high = REGISTRY.get("inventory_policy").run({"item": "PH001-256", "service_level": 0.99}, ctx)
    assert high.safety_stock > low.safety_stock


def test_inventory_policy_rejects_unknown_item_and_impossible_service(ctx):
    """An unknown item is named; a service level of 1 is refused with the standard message."""
    with pytest.raises(UnknownEntityError, match="NOPE"):
        REGISTRY.get("inventory_policy").run({"item": "NOPE"}, ctx)
    with pytest.raises(InputError, match=r"The 'service_level' parameter of inventory_policy"):
        REGISTRY.get("inventory_policy").run({"item": "PH001-256", "service_level": 1.0}, ctx)


def test_network_serves_all_recent_demand(ctx):
    """The baseline network is solved to optimality and meets all of the last 28 days' demand."""
    r = REGISTRY.get("plan_network").run({"period_days": 28}, ctx)
    assert r.status == "optimal"
    assert r.service_pct == pytest.approx(100.0)
    assert r.cost == pytest.approx(sum(r.cost_breakdown.values()), rel=1e-6)


def test_closing_a_plant_costs_more_and_is_explained(ctx):
    """Closing the Shenzhen plant raises cost against the baseline and the summary says so in both languages."""
    r = REGISTRY.get("what_if").run({"edits": [{"kind": "node_closed", "node": "PLT-SZ"}]}, ctx)
    assert r.scenario.status in {"optimal", "feasible"}
    assert r.cost_delta is not None and r.cost_delta > 0
    assert r.cost_delta == pytest.approx(r.scenario.cost - r.baseline.cost, abs=0.02)
    assert r.summary_en and r.summary_zh


def test_what_if_with_unknown_node_is_refused(ctx):
    """An edit naming a node that is not in the network is refused before solving."""
    with pytest.raises((InputError, UnknownEntityError), match="DC-NOWHERE"):
        REGISTRY.get("what_if").run({"edits": [{"kind": "node_closed", "node": "DC-NOWHERE"}]}, ctx)


def test_routes_serve_reachable_stores_within_capacity(ctx, tmp_path):
    """Each DC's daily run serves every reachable store once, within truck capacity; far stores are listed as line-haul."""
    r = REGISTRY.get("plan_routes").run({"depot": "DC-EAST", "time_limit_s": 2}, ctx)
    d = r.depots[0]
    assert d.status == "feasible" and d.trucks_used >= 1
    visited = [s.stop for route in d.routes for s in route.stops]
    assert len(visited) == len(set(visited)) == d.stops
    assert all(route.load_kg <= route.capacity_kg for route in d.routes)
    assert all(route.departure >= "06:00" and route.back <= "22:00" for route in d.routes)
    assert d.distance_km == pytest.approx(sum(route.distance_km for route in d.routes), abs=0.1)
    assert any("line-haul" in u for u in d.unserved)
    assert d.map and d.map.endswith(".png")


def test_routes_refuse_a_truck_smaller_than_one_drop(ctx):
    """A truck capacity below the largest single delivery is refused with the store named."""
    with pytest.raises(InputError, match="vehicle_capacity"):
        REGISTRY.get("plan_routes").run({"depot": "DC-EAST", "vehicle_capacity": 1}, ctx)


def test_purchasing_plan_pegs_orders_to_forecast_and_splits_suppliers(ctx):
    """Purchase orders serve forecast demand, follow supplier lead times and add up to the supplier split."""
    r = REGISTRY.get("plan_purchasing").run({"horizon_days": 28}, ctx)
    assert r.weeks == 4 and r.purchase_orders and r.production_orders
    assert all(po.serves.startswith("FC:") for po in r.purchase_orders)
    assert all(po.order_date <= po.due_date for po in r.purchase_orders)
    assert r.purchase_cost == pytest.approx(sum(po.cost for po in r.purchase_orders), abs=0.05)
    split = {(s["item"], s["supplier"]) for s in r.supplier_split}
    assert {(po.item, po.supplier) for po in r.purchase_orders} <= split
    assert 0 < r.service_pct <= 100


def test_purchasing_with_impossible_budget_explains_the_conflict(ctx):
    """A budget far below the cheapest possible purchase is infeasible and the conflict names the budget."""
    r = REGISTRY.get("plan_purchasing").run({"horizon_days": 28, "budget": 1.0}, ctx)
    assert r.status == "infeasible"
    assert r.purchase_orders == []
    assert any("budget" in b.lower() for b in r.binding)


def test_production_schedule_respects_calendars_and_routing(ctx):
    """Every batch runs inside its line's working hours, on a line that has made the item, and a Gantt chart is written."""
    r = REGISTRY.get("plan_production").run({"plant": "PLT-CD", "horizon_days": 7, "time_limit_s": 5}, ctx)
    assert r.status in {"optimal", "feasible"}
    assert r.orders > 0 and r.batches >= r.orders
    assert all(op.machine.startswith("CD-") for op in r.operations)
    for op in r.operations:  # lines run from 06:00 for at most 20 h: nothing in 02:00-06:00
        for stamp in (op.start, op.end):
            hhmm = stamp[-5:]
            assert not ("02:00" < hhmm < "06:00"), op
        assert op.start < op.end
    assert all(0 < u <= 100 for u in r.utilisation.values())
    assert r.gantt_png and r.gantt_html


def test_production_schedule_rejects_unknown_plant(ctx):
    """A plant code that is not a plant is refused and named."""
    with pytest.raises(UnknownEntityError, match="PLT-XX"):
        REGISTRY.get("plan_production").run({"plant": "PLT-XX"}, ctx)
