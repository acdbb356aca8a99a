"""One planning cycle: forecast → inventory policies → MRP and purchasing → schedule → routes.

Each step is a registered tool, run in order on the same store; the cycle collects their typed
results into one :class:`PlanCycleResult` with KPIs and the reasons a planner reads first. The
language copilot writes dispatch instructions and reports from this object, and
``ChinchillaModel.optimize_supply_chain`` returns it.

The production step schedules the MRP's planned production orders (net of stock and open
orders, each pegged to the demand it serves) together with the open production orders, so the
schedule follows the purchasing plan's MRP (same horizon, same lot sizing).

Re-planning (rolling horizon): the previous cycle's result is kept (``last_cycle.json`` under
``SUPPLYPILOT_HOME/plans``) with its schedule in calendar time (``last_schedule.json``, see
:func:`saved_schedule`). The next cycle warm-starts CP-SAT from that schedule, so orders whose
data did not change keep their slots unless the solver finds a strictly better plan, and
reports what changed: KPI deltas, purchase orders added or dropped, and schedule operations
that moved, changed machine, are new or were dropped.
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
    warm_start: str | None = Field(default=None, description="The saved schedule the production step started "
                                                             "from; empty: a cold start.")
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


def schedule_path() -> Path:
    """Where the last cycle's schedule is kept: ``SUPPLYPILOT_HOME/plans/last_schedule.json``."""
    return config.home() / "plans" / "last_schedule.json"


def saved_schedule() -> dict[str, Any] | None:
    """The schedule the last planning cycle saved, or None.

    A dict with ``saved_at``, ``first_start``, ``objective``, ``objective_value`` and
    ``operations`` (``job, op, machine, start, end, item, source``; times as
    ``"YYYY-MM-DD HH:MM"``), which :func:`supplypilot.plan.from_store.schedule_warm_start`
    turns into a warm start. A missing or unreadable file gives None (a cold start).
    """
    path = schedule_path()
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        log.warning("planning cycle: %s is not readable (%s); the schedule starts cold", path, exc)
        return None
    return data if isinstance(data, dict) else None


def save_schedule(production: dict[str, Any]) -> Path:
    """Keep ``production`` (a ``plan_production`` result) as the next cycle's warm start."""
    from datetime import datetime

    ops = production.get("operations", [])
    path = schedule_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({
        "saved_at": datetime.now().isoformat(timespec="seconds"),
        "first_start": min((o["start"] for o in ops), default=None),
        "objective": production.get("objective"), "objective_value": production.get("objective_value"),
        "operations": [{k: o.get(k) for k in ("job", "op", "machine", "start", "end", "item", "source")}
                       for o in ops],
    }, ensure_ascii=False), encoding="utf-8")
    return path


MAX_LISTED = 5


def _schedule_changes(prev: dict[str, Any] | None, cur: dict[str, Any] | None) -> list[str]:
    """Schedule operations that moved (start or machine), are new or were dropped, in words."""
    if not prev or not cur:
        return []

    def ops(d: dict[str, Any]) -> dict[tuple[str, int], dict[str, Any]]:
        return {(o["job"], int(o.get("op", 0))): o for o in d.get("operations", [])}

    before, after = ops(prev), ops(cur)
    moved = sorted(k for k in after.keys() & before.keys()
                   if (after[k]["machine"], after[k]["start"]) != (before[k]["machine"], before[k]["start"]))
    other = [k for k in moved if after[k]["machine"] != before[k]["machine"]]
    new, dropped = sorted(after.keys() - before.keys()), sorted(before.keys() - after.keys())
    out = []
    if moved:
        v0, v1 = prev.get("objective_value"), cur.get("objective_value")
        if v0 is None or v1 is None or prev.get("objective") != cur.get("objective"):
            why = ""
        elif v1 < v0:
            why = f"; {cur['objective']} improves {v0:,.0f} → {v1:,.0f} min"
        else:
            why = f"; {cur['objective']} {v0:,.0f} → {v1:,.0f} min"
        shown = "; ".join(f"{j} op {k}: {before[j, k]['machine']} {before[j, k]['start']} → "
                          f"{after[j, k]['machine']} {after[j, k]['start']}" for j, k in moved[:MAX_LISTED])
        more = f"; and {len(moved) - MAX_LISTED} more" if len(moved) > MAX_LISTED else ""
        out.append(f"{len(moved)} schedule operations moved ({len(other)} to another machine){why}: {shown}{more}")
    for keys, what in ((new, "new"), (dropped, "dropped")):
        if keys:
            shown = ", ".join(f"{j} op {k}" for j, k in keys[:MAX_LISTED])
            more = f" and {len(keys) - MAX_LISTED} more" if len(keys) > MAX_LISTED else ""
            out.append(f"{len(keys)} schedule operations {what}: {shown}{more}")
    return out


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
    out += _schedule_changes(prev.get("production"), cur.production)
    return out or ["No change since the previous cycle."]


def run_planning_cycle(ctx: Context | None = None, horizon_days: int = 28, top_items: int = 5,
                       save: bool = True, time_limit_s: float | None = None) -> PlanCycleResult:
    """Run the whole cycle on the store of ``ctx`` and return the plan with its KPIs and reasons.

    The MRP runs over ``max(horizon_days, 28)`` days; the production schedule covers the first
    ``min(horizon_days, 14)`` days with the open orders and the MRP's planned production orders,
    warm-started from the previous cycle's schedule when one was saved. With ``save`` the
    result and its schedule are kept for the next cycle's comparison and warm start.
    ``time_limit_s`` caps each solver step (purchasing, schedule, routes per DC); None keeps
    each tool's default.
    """
    ctx = ctx or Context()
    steps: list[StepOut] = []
    forecast = _run("forecast_demand", {"by": "family", "horizon": horizon_days, "level": [80, 95]}, ctx, steps) or {}
    items = _run("forecast_demand", {"by": "item", "horizon": horizon_days, "level": [80], "model": "AutoETS",
                                     "plot": False}, ctx, steps) or {}
    top = sorted(items.get("series", []), key=lambda s: -s["total"])[:top_items]
    policies = [p for s in top if (p := _run("inventory_policy", {"item": s["unique_id"]}, ctx, steps))]
    limit = {} if time_limit_s is None else {"time_limit_s": time_limit_s}
    mrp_days = max(horizon_days, 28)
    purchasing = _run("plan_purchasing", {"horizon_days": mrp_days, **limit}, ctx, steps)
    production = _run("plan_production", {"horizon_days": min(horizon_days, 14), "from_plan": True,
                                          "mrp_horizon_days": mrp_days, "warm_start": True, **limit}, ctx, steps)
    routes = _run("plan_routes", {"time_limit_s": min(5, time_limit_s or 5)}, ctx, steps)
    kpis: dict[str, float] = {}
    if forecast.get("series"):
        kpis["forecast_units"] = round(sum(s["total"] for s in forecast["series"]), 2)
    if purchasing:
        kpis.update(purchase_cost=purchasing["purchase_cost"], purchase_orders=len(purchasing["purchase_orders"]),
                    production_orders=len(purchasing["production_orders"]),
                    mrp_service_pct=purchasing["service_pct"])
    if production:
        kpis.update(late_batches=len(production["late_orders"]), batches=production["batches"],
                    planned_production_scheduled=production["planned_orders"])
    if routes:
        kpis.update(route_km=routes["distance_km"], trucks=routes["trucks_used"])
    reasons = [s["reason"] for s in forecast.get("series", [])]
    reasons += [p["reason"] for p in policies]
    if purchasing:
        reasons += purchasing["binding"][:5]
    if production:
        reasons += production["binding"][:3] + production["unscheduled"]
    result = PlanCycleResult(horizon_days=horizon_days, kpis=kpis, forecast=forecast, policies=policies,
                             purchasing=purchasing, production=production, routes=routes, changes=[],
                             reasons=reasons, steps=steps,
                             warm_start=production.get("warm_start") if production else None)
    path = _previous_path()
    prev = json.loads(path.read_text(encoding="utf-8")) if path.exists() else None
    result.changes = _changes(prev, result)
    if save:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(result.model_dump_json(), encoding="utf-8")
        if production and production.get("operations"):
            save_schedule(production)
    return result
