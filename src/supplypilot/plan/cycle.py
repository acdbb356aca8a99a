"""One planning cycle: forecast → inventory policies → MRP and purchasing → schedule → routes.

Each step is a registered tool, run in order on the same store; the cycle collects their typed
results into one :class:`PlanCycleResult` with KPIs and the reasons a planner reads first. The
language copilot writes dispatch instructions and reports from this object, and
``ChinchillaModel.optimize_supply_chain`` returns it.

Re-planning: the previous cycle's result is kept (JSON under ``SUPPLYPILOT_HOME/plans``);
the next cycle reports what changed (orders added, removed or moved; KPI deltas).
"""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from supplypilot import config
from supplypilot.tools import REGISTRY, Context

log = logging.getLogger("supplypilot")


class StepOut(BaseModel):
    step: str = Field(description="Tool run.")
    args: dict[str, Any] = Field(description="Its arguments.")
    seconds: float = Field(description="Wall time of the step.")
    status: str = Field(description="ok, or the error message.")


class PlanCycleResult(BaseModel):
    horizon_days: int = Field(description="Days planned.")
    kpis: dict[str, float] = Field(description="Headline figures of the plan.")
    forecast: dict[str, Any] = Field(description="forecast_demand result (per family).")
    policies: list[dict[str, Any]] = Field(description="inventory_policy results for the top items.")
    purchasing: dict[str, Any] | None = Field(description="plan_purchasing result.")
    production: dict[str, Any] | None = Field(description="plan_production result.")
    routes: dict[str, Any] | None = Field(description="plan_routes result.")
    changes: list[str] = Field(description="What changed since the previous cycle.")
    reasons: list[str] = Field(description="Why the plan looks the way it does.")
    steps: list[StepOut] = Field(description="Tools run, with arguments and timings (traceability).")


def _run(name: str, args: dict[str, Any], ctx: Context, steps: list[StepOut]) -> dict[str, Any] | None:
    t0 = time.perf_counter()
    try:
        out = REGISTRY.get(name).run(args, ctx).model_dump(mode="json")
        status = "ok"
    except Exception as exc:  # one failing step must not hide the others; the step says why
        log.warning("planning cycle: %s failed: %s", name, exc)
        out, status = None, f"{type(exc).__name__}: {exc}"
    steps.append(StepOut(step=name, args=args, seconds=round(time.perf_counter() - t0, 2), status=status))
    return out


def _previous_path() -> Path:
    return config.home() / "plans" / "last_cycle.json"


def _changes(prev: dict[str, Any] | None, cur: PlanCycleResult) -> list[str]:
    if not prev:
        return ["First planning cycle: nothing to compare with."]
    out = []
    for k, v in cur.kpis.items():
        p = prev.get("kpis", {}).get(k)
        if p is not None and abs(v - p) > 1e-9:
            out.append(f"{k}: {p:,.2f} → {v:,.2f} ({v - p:+,.2f})")

    def po_keys(d: dict[str, Any] | None) -> set[tuple[str, str, str]]:
        pos = (d or {}).get("purchase_orders", [])
        return {(p["item"], p["supplier"], p["order_date"]) for p in pos}

    before, after = po_keys(prev.get("purchasing")), po_keys(cur.purchasing)
    if after - before:
        out.append(f"{len(after - before)} purchase orders added or moved")
    if before - after:
        out.append(f"{len(before - after)} purchase orders dropped or moved")
    return out or ["No change since the previous cycle."]


def run_planning_cycle(ctx: Context | None = None, horizon_days: int = 28, top_items: int = 5,
                       save: bool = True) -> PlanCycleResult:
    """Run the whole cycle on the store of ``ctx`` and return the plan with its KPIs and reasons."""
    ctx = ctx or Context()
    steps: list[StepOut] = []
    forecast = _run("forecast_demand", {"by": "family", "horizon": horizon_days, "level": [80, 95]}, ctx, steps) or {}
    items = _run("forecast_demand", {"by": "item", "horizon": horizon_days, "level": [80], "model": "AutoETS",
                                     "plot": False}, ctx, steps) or {}
    top = sorted(items.get("series", []), key=lambda s: -s["total"])[:top_items]
    policies = [p for s in top if (p := _run("inventory_policy", {"item": s["unique_id"]}, ctx, steps))]
    purchasing = _run("plan_purchasing", {"horizon_days": max(horizon_days, 28)}, ctx, steps)
    production = _run("plan_production", {"horizon_days": min(horizon_days, 14)}, ctx, steps)
    routes = _run("plan_routes", {"time_limit_s": 5}, ctx, steps)
    kpis: dict[str, float] = {}
    if forecast.get("series"):
        kpis["forecast_units"] = round(sum(s["total"] for s in forecast["series"]), 2)
    if purchasing:
        kpis.update(purchase_cost=purchasing["purchase_cost"], purchase_orders=len(purchasing["purchase_orders"]),
                    production_orders=len(purchasing["production_orders"]),
                    mrp_service_pct=purchasing["service_pct"])
    if production:
        kpis.update(late_batches=len(production["late_orders"]), batches=production["batches"])
    if routes:
        kpis.update(route_km=routes["distance_km"], trucks=routes["trucks_used"])
    reasons = [s["reason"] for s in forecast.get("series", [])]
    reasons += [p["reason"] for p in policies]
    if purchasing:
        reasons += purchasing["binding"][:5]
    if production:
        reasons += production["binding"][:3]
    result = PlanCycleResult(horizon_days=horizon_days, kpis=kpis, forecast=forecast, policies=policies,
                             purchasing=purchasing, production=production, routes=routes, changes=[],
                             reasons=reasons, steps=steps)
    path = _previous_path()
    prev = json.loads(path.read_text(encoding="utf-8")) if path.exists() else None
    result.changes = _changes(prev, result)
    if save:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(result.model_dump_json(), encoding="utf-8")
    return result
