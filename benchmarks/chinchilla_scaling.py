#!/usr/bin/env python
"""Chinchilla scaling sweep: validation loss against network size around the rule's ``N ≈ D/20``.

The Chinchilla rule picks the parameter count from the number of training tokens. This sweep
checks that choice on real data: the SupplyGraph setting of ``benchmarks/forecast_supplygraph.py``
(41 products × sales, production, deliveries; first 193 days for training, of which the last 56
are the validation window) is trained at several fixed sizes around ``D/20`` — smaller and up
to ~60× larger — with everything else equal, and each size's best validation loss (the training
objective's task loss on the validation window, the early-stopping criterion) is recorded, with
the test WAPE on sales (last 28 days, without the cut-off days) beside it for context. No refit:
the validation window stays unseen, so the loss is a held-out measure for every size.

Usage::

    python benchmarks/chinchilla_scaling.py            # table + results/chinchilla_scaling.{md,png}
    python benchmarks/chinchilla_scaling.py --quick --json --no-save
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
RESULTS_MD = HERE / "results" / "chinchilla_scaling.md"
RESULTS_PNG = HERE / "results" / "chinchilla_scaling.png"

# (d_model, n_layers, n_heads); None = the rule's own choice
SIZES: list[tuple[int, int, int] | None] = [None, (4, 1, 1), (8, 1, 1), (16, 1, 2), (16, 2, 2),
                                            (32, 2, 4), (64, 2, 4)]
QUICK_SIZES: list[tuple[int, int, int] | None] = [None, (4, 1, 1), (16, 2, 2)]
"""The rule's own choice (None) runs first; a fixed size equal to it is not run twice."""
SEEDS = (0, 1)


def _bench_module() -> Any:
    spec = importlib.util.spec_from_file_location("forecast_supplygraph", HERE / "forecast_supplygraph.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def run_size(size: tuple[int, int, int] | None, seed: int, train: Any, test: Any, cut: dict[str, list[str]],
             quick: bool, bench: Any) -> dict[str, Any]:
    from supplypilot.forecast.models.chinchilla import Chinchilla

    params = {**bench.CHINCHILLA, "refit": False, "seed": seed}
    if quick:
        params.update(max_epochs=3, early_stopping_patience=None)
    if size is not None:
        params.update(d_model=size[0], n_layers=size[1], n_heads=size[2])
    t0 = time.perf_counter()
    model = Chinchilla(**params).fit(train)
    seconds = time.perf_counter() - t0
    fc = model.predict(bench.H).rename(columns={model.column(t): t for t in bench.FILES})
    scores = bench.score(test, fc, cut)
    r = model.sizing_report()
    val = model.metrics_["val_loss"]
    return {
        "rule": size is None, "d_model": r.d_model, "n_layers": r.n_layers, "n_heads": r.n_heads,
        "seed": seed, "n_params": model.n_params_, "n_tokens": model.n_tokens_,
        "compute_flops": model.compute_flops_, "val_loss": min(val) if val else float("nan"),
        "best_epoch": model.metrics_["best_epoch"], "epochs": model.metrics_["epochs"],
        "sales_wape_without": scores["wape"]["y"]["without"], "sales_wape_with": scores["wape"]["y"]["with"],
        "seconds": seconds,
    }


def summarise(runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    groups: dict[tuple[int, int, int], list[dict[str, Any]]] = {}
    for r in runs:
        groups.setdefault((r["d_model"], r["n_layers"], r["n_heads"]), []).append(r)
    out = []
    for (d, layers, heads), rs in groups.items():
        vl = [r["val_loss"] for r in rs]
        out.append({
            "d_model": d, "n_layers": layers, "n_heads": heads, "rule": any(r["rule"] for r in rs),
            "n_params": rs[0]["n_params"], "n_tokens": rs[0]["n_tokens"],
            "tokens_per_param": rs[0]["n_tokens"] / rs[0]["n_params"],
            "compute_flops": rs[0]["compute_flops"], "val_loss": statistics.mean(vl),
            "val_loss_sd": statistics.stdev(vl) if len(vl) > 1 else 0.0,
            "sales_wape_without": statistics.mean(r["sales_wape_without"] for r in rs),
            "sales_wape_with": statistics.mean(r["sales_wape_with"] for r in rs),
            "best_epoch": statistics.mean(r["best_epoch"] or r["epochs"] for r in rs),
            "seconds": statistics.mean(r["seconds"] for r in rs), "seeds": len(rs),
        })
    return sorted(out, key=lambda r: r["n_params"])


HEADERS = ["d_model × layers (heads)", "N", "D/N", "C = 6ND", "val loss (mean ± sd)", "sales WAPE w/o",
           "sales WAPE", "best epoch", "s / fit"]


def _fmt(r: dict[str, Any]) -> list[str]:
    return [f"{r['d_model']} × {r['n_layers']} ({r['n_heads']})" + (" ← rule" if r["rule"] else ""),
            f"{r['n_params']:,}", f"{r['tokens_per_param']:.1f}", f"{r['compute_flops']:.2e}",
            f"{r['val_loss']:.4f} ± {r['val_loss_sd']:.4f}", f"{r['sales_wape_without']:.3f}",
            f"{r['sales_wape_with']:.3f}", f"{r['best_epoch']:.0f}", f"{r['seconds']:.1f}"]


def _verdict(rows: list[dict[str, Any]]) -> str:
    best = min(rows, key=lambda r: r["val_loss"])
    rule = next((r for r in rows if r["rule"]), None)
    if rule is None:
        return "The rule's size was not in the sweep."
    if best is rule:
        return (f"The rule's size (N = {rule['n_params']:,}) has the lowest validation loss of the sweep.")
    gap = (rule["val_loss"] - best["val_loss"]) / best["val_loss"]
    return (f"Lowest validation loss at N = {best['n_params']:,} ({best['d_model']} × {best['n_layers']}); "
            f"the rule's N = {rule['n_params']:,} is {gap:.1%} above it "
            f"(within one sd: {'yes' if rule['val_loss'] - best['val_loss'] <= max(rule['val_loss_sd'], best['val_loss_sd']) else 'no'}).")


def plot(rows: list[dict[str, Any]], n_tokens: int, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 4.0))
    n = [r["n_params"] for r in rows]
    ax.errorbar(n, [r["val_loss"] for r in rows], yerr=[r["val_loss_sd"] for r in rows], marker="o",
                capsize=3, label="validation loss (mean over seeds)")
    ax.axvline(n_tokens / 20, color="grey", linestyle="--", label=f"D/20 = {n_tokens / 20:,.0f}")
    for r in rows:
        if r["rule"]:
            ax.scatter([r["n_params"]], [r["val_loss"]], s=120, facecolors="none", edgecolors="red",
                       label="rule's choice", zorder=3)
    ax.set_xscale("log")
    ax.set_xlabel("parameters N")
    ax.set_ylabel("validation loss (MSE + pinball, normalised)")
    ax.set_title(f"Chinchilla on SupplyGraph: loss vs size (D = {n_tokens:,} tokens)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="3 sizes, 1 seed, 3 epochs")
    p.add_argument("--seeds", default=",".join(map(str, SEEDS)))
    p.add_argument("--json", action="store_true", help="JSON on stdout (the table goes to stderr)")
    p.add_argument("--no-save", action="store_true", help="do not write results/chinchilla_scaling.{md,png}")
    args = p.parse_args(argv)

    import torch
    from rich.console import Console
    from rich.table import Table

    torch.set_num_threads(1)
    console = Console(stderr=args.json, width=None if sys.stderr.isatty() else 150)
    bench = _bench_module()
    long = bench.load_long()
    train, test = bench.split(long)
    cut = bench.cutoff_days(long)
    seeds = [0] if args.quick else [int(s) for s in args.seeds.split(",")]
    sizes = QUICK_SIZES if args.quick else SIZES
    runs: list[dict[str, Any]] = []
    for size in sizes:
        if size is not None and any(r["rule"] and (r["d_model"], r["n_layers"], r["n_heads"]) == size
                                    for r in runs):
            continue
        for seed in seeds:
            console.print(f"· size {size or 'rule'} seed {seed} …", highlight=False)
            runs.append(run_size(size, seed, train, test, cut, args.quick, bench))
    rows = summarise(runs)
    n_tokens = rows[0]["n_tokens"]
    table = Table(title=f"Chinchilla scaling sweep on SupplyGraph (D = {n_tokens:,} tokens, D/20 = "
                        f"{n_tokens / 20:,.0f})", caption=_verdict(rows), caption_justify="left")
    for i, h in enumerate(HEADERS):
        table.add_column(h, justify="left" if i == 0 else "right")
    for r in rows:
        table.add_row(*_fmt(r))
    console.print(table)
    doc = {"date": dt.datetime.now().isoformat(timespec="seconds"), "quick": bool(args.quick),
           "seeds": seeds, "n_tokens": n_tokens, "rows": rows, "runs": runs, "verdict": _verdict(rows),
           "settings": {k: (list(v) if isinstance(v, tuple) else v) for k, v in bench.CHINCHILLA.items()}}
    if not args.no_save and not args.quick:
        plot(rows, n_tokens, RESULTS_PNG)
        md = ["# Chinchilla scaling sweep", "",
              f"Generated by `benchmarks/chinchilla_scaling.py` on {doc['date']}; seeds {seeds}; SupplyGraph, "
              "first 193 days (last 56 = validation window), no refit. Validation loss = the training "
              "objective's task loss (weighted MSE + pinball, in each window's normalised units) on the "
              "validation window, best epoch; sales WAPE on the 28 test days.", "",
              "| " + " | ".join(HEADERS) + " |", "| " + " | ".join(["---"] + ["---:"] * (len(HEADERS) - 1)) + " |"]
        md += ["| " + " | ".join(_fmt(r)) + " |" for r in rows]
        md += ["", f"- {doc['verdict']}", f"- Plot: `{RESULTS_PNG.name}` (loss vs N, log scale).",
               "- Settings: " + json.dumps(doc["settings"]), ""]
        RESULTS_MD.write_text("\n".join(md), encoding="utf-8")
        console.print(f"saved {RESULTS_MD} and {RESULTS_PNG}", highlight=False)
    if args.json:
        print(json.dumps(doc, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
