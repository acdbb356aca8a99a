"""``make demo``: the main job on the embedded default store.

Generates the electronics sample company, imports it (validated, one transaction), cleans it
(loss correction, outliers, gaps, multi-source stock fusion), prints a data-quality summary
and writes a demand-history plot per product family to ``out/``.
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
