"""The whole planning cycle on the stored sample, and what a re-plan reports."""

from __future__ import annotations

from supplypilot.plan.cycle import _changes, run_planning_cycle
from supplypilot.tools import Context


def test_cycle_runs_every_step_and_reports_kpis(sample_store):
    """Forecast, policies, purchasing, schedule and routes all run; KPIs and reasons come from their results."""
    res = run_planning_cycle(Context(store_url=sample_store.url), horizon_days=14, top_items=1)
    assert [s.step for s in res.steps] == ["forecast_demand", "forecast_demand", "inventory_policy",
                                           "plan_purchasing", "plan_production", "plan_routes"]
    assert all(s.status == "ok" for s in res.steps), [s.status for s in res.steps]
    assert res.kpis["forecast_units"] == round(sum(s["total"] for s in res.forecast["series"]), 2)
    assert res.kpis["purchase_orders"] == len(res.purchasing["purchase_orders"])
    assert res.kpis["trucks"] == res.routes["trucks_used"]
    assert res.reasons and res.changes == ["First planning cycle: nothing to compare with."]

    moved = res.model_copy(deep=True)
    moved.kpis["purchase_cost"] = res.kpis["purchase_cost"] + 100.0
    moved.purchasing["purchase_orders"] = moved.purchasing["purchase_orders"][1:]
    changes = _changes(res.model_dump(mode="json"), moved)
    assert any(c.startswith("purchase_cost:") and "+100.00" in c for c in changes)
    assert any("dropped or moved" in c for c in changes) or not res.purchasing["purchase_orders"]
