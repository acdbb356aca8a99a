#!/usr/bin/env python
"""Permutation flow-shop benchmark: NEH + CP-SAT against Taillard's best-known makespans.

Each Taillard instance is read with ``read_flowshop`` (one common job order on all machines,
``ScheduleModel.add_same_sequence``) and solved for makespan. The NEH heuristic (Nawaz, Enscore
and Ham 1983, with Taillard's acceleration), improved by iterated greedy for a quarter of the
time limit, gives CP-SAT its complete first solution; the table shows NEH alone, the hint and
the final result, each with its gap ``(makespan - BKS) / BKS`` to the best-known makespan of
``taillard_pfsp_bks.csv``.

Usage::

    python benchmarks/plan_flowshop.py                           # ta001-ta030 at 60 s
    python benchmarks/plan_flowshop.py --time-limit 10
    python benchmarks/plan_flowshop.py --quick --json            # ta001 at 5 s

Data: ``$SUPPLYPILOT_DATA/optimization/flowshop`` (default ``../shared/data``). Results are saved
to ``benchmarks/results/plan_flowshop.md`` unless ``--quick`` or ``--no-save``.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import shlex
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from plan_jobshop import (  # noqa: E402 - sibling benchmark module
    cpu_seconds,
    expand,
    fmt_gap,
    host_info,
    load_average,
    mean,
    parse_params,
)

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "plan_flowshop.md"
DEFAULT_INSTANCES = "ta001-ta030"
QUICK_INSTANCES = "ta001"
QUICK_LIMIT = 5.0


def data_root() -> Path:
    from supplypilot.config import data_dir

    return data_dir() / "optimization" / "flowshop"


def load_bks(root: Path) -> dict[str, dict[str, str]]:
    with (root / "taillard_pfsp_bks.csv").open(newline="") as f:
        return {row["instance"].lower(): row for row in csv.DictReader(f)}


def run_instance(name: str, root: Path, row: dict[str, str], limit: float, workers: int,
                 seed: int, params: dict[str, Any]) -> dict[str, Any]:
    from supplypilot.plan.schedule import read_flowshop
    from supplypilot.plan.stop import MaxRuntime

    model = read_flowshop(root / "taillard" / row["file"], name=name)
    t0, c0 = time.perf_counter(), cpu_seconds()
    result = model.solve(stop=MaxRuntime(limit), workers=workers, seed=seed,
                         solver_params=params or None)
    seconds, cpu = time.perf_counter() - t0, cpu_seconds() - c0
    neh_ms = int(result.extra["neh_makespan"])
    hint_ms = int(result.extra["hint_objective"])  # NEH improved by iterated greedy
    bks = int(row["best_known_makespan"])
    ms = result.makespan
    return {"instance": name, "size": f"{row['jobs']} x {row['machines']}", "bks": bks,
            "file_lower_bound": int(row["file_lower_bound"]), "neh": neh_ms,
            "neh_gap": (neh_ms - bks) / bks, "hint": hint_ms, "hint_gap": (hint_ms - bks) / bks,
            "hint_source": result.extra.get("hint"), "makespan": ms,
            "bound": None if result.bound is None else int(result.bound),
            "status": result.status.value, "gap": None if ms is None else (ms - bks) / bks,
            "seconds": round(seconds, 2), "cpu_seconds": round(cpu, 1), "limit": limit}


HEADERS = ["instance", "jobs x machines", "BKS", "NEH", "NEH gap", "NEH + IG (hint)", "hint gap",
           "ours (final)", "gap", "bound", "status", "time s", "CPU s"]


def row_cells(r: dict[str, Any]) -> list[str]:
    return [r["instance"], r["size"], f"{r['bks']:,}", f"{r['neh']:,}", fmt_gap(r["neh_gap"]),
            f"{r['hint']:,}", fmt_gap(r["hint_gap"]),
            "-" if r["makespan"] is None else f"{r['makespan']:,}", fmt_gap(r["gap"]),
            "-" if r["bound"] is None else f"{r['bound']:,}", r["status"], f"{r['seconds']:.1f}",
            f"{r['cpu_seconds']:.1f}"]


def summarise(results: list[dict[str, Any]]) -> dict[str, Any]:
    groups: dict[str, list[dict[str, Any]]] = {}
    for r in results:
        groups.setdefault(r["size"], []).append(r)
    by_size = {size: {"instances": len(rows), "neh_mean_gap": mean([r["neh_gap"] for r in rows]),
                      "hint_mean_gap": mean([r["hint_gap"] for r in rows]),
                      "mean_gap": mean([r["gap"] for r in rows if r["gap"] is not None]),
                      "at_bks": sum(r["gap"] == 0 for r in rows),
                      "optimal": sum(r["status"] == "optimal" for r in rows)}
               for size, rows in groups.items()}
    return {"sizes": by_size, "neh_mean_gap": mean([r["neh_gap"] for r in results]),
            "hint_mean_gap": mean([r["hint_gap"] for r in results]),
            "mean_gap": mean([r["gap"] for r in results if r["gap"] is not None]),
            "at_bks": sum(r["gap"] == 0 for r in results),
            "optimal": sum(r["status"] == "optimal" for r in results), "instances": len(results)}


def settings_line(s: dict[str, Any]) -> str:
    return (f"time limit {s['time_limit']:g} s, {s['workers']} workers, seed {s['seed']}"
            + (f", CP-SAT parameters {s['params']}" if s.get("params") else "")
            + f" · {s['cpu']}, {s['logical_cores']} logical cores (shared with other work; "
            f"1-min load {s['load_before']} before, {s.get('load_after')} after) · python "
            f"{s['python']}, OR-Tools {s['ortools']}")


def markdown(doc: dict[str, Any]) -> str:
    s, summary = doc["settings"], doc["summary"]
    lines = ["# Permutation flow-shop benchmark (Taillard, makespan)", "",
             f"Generated by `benchmarks/plan_flowshop.py` on {s['date']}: `{s['command']}`.", "",
             "| " + " | ".join(HEADERS) + " |",
             "| " + " | ".join(["---", "---"] + ["---:"] * 8 + ["---", "---:", "---:"]) + " |"]
    lines += ["| " + " | ".join(row_cells(r)) + " |" for r in doc["results"]]
    lines += ["", "| size | instances | NEH mean gap | NEH + IG mean gap | final mean gap | "
                  "at BKS | proven optimal |", "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for size, g in summary["sizes"].items():
        lines.append(f"| {size} | {g['instances']} | {fmt_gap(g['neh_mean_gap'])} | "
                     f"{fmt_gap(g['hint_mean_gap'])} | {fmt_gap(g['mean_gap'])} | "
                     f"{g['at_bks']} | {g['optimal']} |")
    lines += ["", f"Mean gap over {summary['instances']} instances: NEH "
                  f"{fmt_gap(summary['neh_mean_gap'])}, NEH + iterated greedy "
                  f"{fmt_gap(summary['hint_mean_gap'])}, final (after CP-SAT) "
                  f"{fmt_gap(summary['mean_gap'])}; at BKS {summary['at_bks']}, proven optimal "
                  f"{summary['optimal']}.", "",
              f"- Settings: {settings_line(s)}.",
              "- Model: `read_flowshop` → `ScheduleModel` with `add_same_sequence()` (one order "
              "literal per job pair, shared by every machine, plus NoOverlap per machine). NEH "
              "order, improved by iterated greedy (Ruiz & Stützle 2007) for 25 % of the time "
              "limit, → complete solution hint and horizon; CP-SAT (default subsolvers) gets "
              "the rest of the limit. The time column is the whole solve.",
              "- BKS = `best_known_makespan` of `taillard_pfsp_bks.csv` (Timefold benchmarks, "
              "equal to the upper bound in each file). gap = (makespan − BKS) / BKS.", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--instances", default=DEFAULT_INSTANCES)
    p.add_argument("--time-limit", type=float, default=60.0, help="seconds per instance")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--param", action="append", default=[], metavar="KEY=VALUE",
                   help="extra CP-SAT parameter, value as JSON (repeatable)")
    p.add_argument("--quick", action="store_true", help=f"{QUICK_INSTANCES} at {QUICK_LIMIT:g} s")
    p.add_argument("--json", action="store_true", help="JSON on stdout (table on stderr)")
    p.add_argument("--no-save", action="store_true", help="do not write the results file")
    args = p.parse_args(argv)
    if args.quick:
        args.instances, args.time_limit = QUICK_INSTANCES, QUICK_LIMIT
    root = data_root()
    bks = load_bks(root)
    params = parse_params(args.param)
    settings = {"date": dt.datetime.now().isoformat(timespec="seconds"),
                "command": "python benchmarks/plan_flowshop.py "
                           + shlex.join(argv if argv is not None else sys.argv[1:]),
                "time_limit": args.time_limit, "workers": args.workers, "seed": args.seed,
                "quick": args.quick, "params": params, **host_info()}
    results = []
    for name in expand(args.instances):
        row = bks.get(name.lower())
        if row is None:
            raise SystemExit(f"instance {name!r} not in {root / 'taillard_pfsp_bks.csv'}")
        r = run_instance(name, root, row, args.time_limit, args.workers, args.seed, params)
        results.append(r)
        print(f"{name}: NEH {r['neh']}, ours {r['makespan']} (BKS {r['bks']}, gap "
              f"{fmt_gap(r['gap'])}, {r['status']}, {r['seconds']:.1f} s)", file=sys.stderr,
              flush=True)
    settings["load_after"] = load_average()
    doc = {"settings": settings, "results": results, "summary": summarise(results)}
    from rich.console import Console
    from rich.table import Table

    table = Table(title="Permutation flow shop (Taillard)", caption=settings_line(settings))
    for i, h in enumerate(HEADERS):
        table.add_column(h, justify="left" if i in (0, 1, 8) else "right")
    for r in results:
        table.add_row(*row_cells(r))
    Console(file=sys.stderr if args.json else sys.stdout, width=160).print(table)
    if args.json:
        print(json.dumps(doc, default=str))
    if not (args.quick or args.no_save):
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(markdown(doc), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
