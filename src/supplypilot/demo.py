"""``make demo``: the main job on the embedded default store.

Generates the electronics sample company, imports it (validated, one transaction), cleans it
(loss correction, outliers, gaps, multi-source stock fusion), prints a data-quality summary
and writes a demand-history plot per product family to ``out/``; then forecasts demand per
family (model chosen by cross-validation, intervals, plots), runs one planning cycle (stock
policies, purchase orders, production schedule with a Gantt chart, delivery routes with route
maps) and, when the language layer is installed, asks it the seed's instructions.
"""

from __future__ import annotations

import sys
import time

from rich.console import Console
from rich.table import Table

from supplypilot import config
from supplypilot.cli import progress_bar
from supplypilot.tools import REGISTRY, Context

console = Console()


def main() -> int:
    out = config.out_dir()
    console.rule("[bold]SupplyPilot demo — electronics sample company")
    with progress_bar(True) as progress:
        ctx = Context(user="demo", progress=progress)
        t0 = time.perf_counter()
        REGISTRY.get("init_store").run({"force": True}, ctx)
        sample = REGISTRY.get("generate_sample").run(
            {"dataset": "electronics", "scale": "small", "seed": 7, "out": str(out / "sample")}, ctx)
        t_import = time.perf_counter() - t0
        cleaned = REGISTRY.get("clean_data").run({"loss_rate": ["RFID=0.05"]}, ctx)
        status = REGISTRY.get("data_status").run({}, ctx)
    console.print(f"Store: {status.store} — imported {sum(sample.tables.values()):,} rows "
                  f"in {t_import:.1f} s from {sample.folder}")

    t = Table(title="Data quality per source (after cleaning)")
    for c, j in (("entity", "left"), ("source", "left"), ("rows", "right"), ("faults", "right"),
                 ("systematic", "right"), ("imputed", "right"), ("quality", "right")):
        t.add_column(c, justify=j)  # type: ignore[arg-type]
    for s in status.sources:
        t.add_row(s.entity, s.source.split("/")[-1], f"{s.rows:,}", f"{s.faults:,}", f"{s.systematic:,}", f"{s.imputed:,}",
                  "—" if s.quality is None else f"{s.quality:.1f}")
    console.print(t)

    c = Table(title="Cleaning")
    for col in ("kind", "rows", "corrections", "imputed", "fused estimates"):
        c.add_column(col, justify="right" if col != "kind" else "left")
    for k in cleaned.kinds:
        c.add_row(k.kind, f"{k.rows:,}", f"{k.corrections:,}", f"{k.imputed:,}",
                  "" if k.estimates is None else f"{k.estimates:,}")
    console.print(c)

    from supplypilot.data.plotting import save_family_plots

    paths = save_family_plots(ctx.store, out)
    for p in paths:
        console.print(f"plot: {p}")

    plan = _plan(ctx)
    _ask(ctx, plan)
    return 0


def _plan(ctx: Context) -> object:
    """Forecast and one planning cycle, printed as the tables a planner reads first."""
    from supplypilot.plan.cycle import run_planning_cycle

    console.rule("[bold]Forecast and plan")
    with console.status("planning cycle: forecast → policies → purchasing → schedule → routes …"):
        plan = run_planning_cycle(ctx, horizon_days=28, top_items=3)
    f = Table(title=f"Demand forecast, next {plan.horizon_days} days, per family")
    for col in ("family", "model", "forecast", "last period", "change"):
        f.add_column(col, justify="left" if col in ("family", "model") else "right")
    for s in plan.forecast.get("series", []):
        chg = "—" if s["change_pct"] is None else f"{s['change_pct']:+.1f}%"
        f.add_row(s["unique_id"], s["model"], f"{s['total']:,.0f}", f"{s['last_period_actual']:,.0f}", chg)
    console.print(f)
    for s in plan.forecast.get("series", []):
        if s.get("plot"):
            console.print(f"plot: {s['plot']}")
    pol = Table(title="Stock policies (top items)")
    for col in ("item", "policy", "reorder point", "order qty", "safety stock", "service"):
        pol.add_column(col, justify="left" if col in ("item", "policy") else "right")
    for p in plan.policies:
        prm = p["parameters"]
        pol.add_row(p["item"], p["policy"], f"{prm.get('reorder_point', float('nan')):,.0f}",
                    f"{prm.get('order_quantity', float('nan')):,.0f}", f"{p['safety_stock']:,.0f}",
                    "—" if p["service_level"] is None else f"{p['service_level']:.1%}")
    console.print(pol)
    if plan.purchasing:
        po = Table(title=f"Purchase orders to place ({len(plan.purchasing['purchase_orders'])}; first 12)")
        for col in ("order date", "item", "supplier", "qty", "unit price", "cost", "due"):
            po.add_column(col, justify="right" if col in ("qty", "unit price", "cost") else "left")
        for o in sorted(plan.purchasing["purchase_orders"], key=lambda o: o["order_date"])[:12]:
            po.add_row(o["order_date"], o["item"], o["supplier"], f"{o['qty']:,.0f}", f"{o['unit_price']:,.2f}",
                       f"{o['cost']:,.2f}", o["due_date"])
        console.print(po)
    if plan.production and plan.production.get("gantt_png"):
        console.print(f"Gantt chart: {plan.production['gantt_png']} ({plan.production['status']}, "
                      f"{plan.production['batches']} batches, {len(plan.production['late_orders'])} late)")
    if plan.routes:
        for d in plan.routes["depots"]:
            console.print(f"routes {d['depot']}: {d['trucks_used']} trucks, {d['distance_km']:,.1f} km, "
                          f"{d['stops']} stores — map: {d['map']}")
    k = Table(title="Plan KPIs")
    k.add_column("KPI")
    k.add_column("value", justify="right")
    for name, v in plan.kpis.items():
        k.add_row(name, f"{v:,.2f}")
    console.print(k)
    return plan


def _ask(ctx: Context, plan: object) -> None:
    """The seed's instructions, answered by the language layer from tool results."""
    from supplypilot.nlp import run_demo_questions

    console.rule("[bold]Questions")
    run_demo_questions(ctx, console)


if __name__ == "__main__":
    sys.exit(main())
