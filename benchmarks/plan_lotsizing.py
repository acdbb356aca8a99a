#!/usr/bin/env python
"""Capacitated lot-sizing benchmark: SupplyPilot's CLSP MILP on the Trigeiro instances.

Each instance of Trigeiro, Thomas and McClain (1989) in
``$SUPPLYPILOT_DATA/optimization/lotsizing/trigeiro/`` is solved by
:func:`supplypilot.plan.lotsizing.solve_clsp` (facility-location reformulation, HiGHS) under a
hard time limit, and compared with the proven optimum in ``trigeiro_highs_optima.csv`` (30
instances; G53 and G57 also match the literature). An instance counts as *optimal* when HiGHS
proves optimality and the objective equals the reference optimum (within 0.5: all costs and
quantities are whole numbers). G73 has no proven optimum (its file has a defect) and is only run
with ``--with-g73``, outside the n/30 count.

Usage::

    python benchmarks/plan_lotsizing.py                  # the 30 instances, table saved to results/
    python benchmarks/plan_lotsizing.py --quick --json   # 2 small instances, JSON on stdout (tests)
    python benchmarks/plan_lotsizing.py --instances F3 G53 --time-limit 120 --no-save
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime as dt
import json
import os
import platform
import statistics
import sys
import time
import warnings
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "plan_lotsizing.md"
QUICK = ("F19", "F12")
MAX_THREADS = 2
FORMULATION = ("facility-location reformulation (z[i,s,t] = part of period t's demand made in s; "
               "z <= d_t y_s), setup big-M cut to (capacity - setup time) / unit time, capacity "
               "rows with setup times; with 2 threads it races, in a second process, the "
               "inventory-balance model (x <= M y, x <= d y + s) and keeps the first proof; "
               "HiGHS branch-and-cut, mip_rel_gap 0")


def _data_dir() -> Path:
    from supplypilot.config import data_dir

    return data_dir() / "optimization" / "lotsizing"


def reference(folder: Path) -> dict[str, dict[str, Any]]:
    """Reference optima by instance (only rows with a proven optimum count)."""
    with open(folder / "trigeiro_highs_optima.csv", newline="") as f:
        return {r["instance"]: r for r in csv.DictReader(f)}


def solve_one(path: Path, ref: dict[str, Any] | None, time_limit: float,
              threads: int) -> dict[str, Any]:
    """Solve one instance and compare it with its reference."""
    from supplypilot.plan.lotsizing import HighsParams, read_trigeiro, solve_clsp

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        inst = read_trigeiro(path)
    c0, w0 = _cpu(), time.perf_counter()
    sol = solve_clsp(inst, time_limit, params=HighsParams(threads=threads))
    wall, cpu = time.perf_counter() - w0, _cpu() - c0
    n, t = inst.shape
    proven = ref is not None and ref["status"] == "optimal"
    optimum = float(ref["objective"]) if ref is not None else None
    gap = None if sol.objective is None or optimum is None else (sol.objective - optimum) / optimum
    return {
        "instance": path.stem, "items": n, "periods": t, "reference": optimum,
        "reference_proven": proven, "objective": sol.objective, "bound": sol.bound,
        "gap_to_reference": gap, "solver_gap": sol.gap, "status": sol.status.value,
        "optimal": bool(proven and sol.status.value == "optimal" and sol.objective is not None
                        and abs(sol.objective - optimum) < 0.5),
        "seconds": wall, "cpu_seconds": cpu, "nodes": sol.nodes, "formulation": sol.formulation,
        "capacity_ok": bool((sol.load <= inst.capacity + 1e-6).all()),
        "warnings": [str(w.message) for w in caught], **sol.stats,
    }


def _cpu() -> float:
    """CPU seconds of this process and of its finished children (the raced HiGHS runs)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def _machine() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {"cpu": cpu, "logical_cores": os.cpu_count(), "platform": platform.platform(terse=True)}


def _load() -> float | None:
    try:
        return round(os.getloadavg()[0], 2)
    except (OSError, AttributeError):
        return None


def run(args: argparse.Namespace) -> dict[str, Any]:
    import highspy

    folder = _data_dir()
    refs = reference(folder)
    names = list(args.instances or (QUICK if args.quick else
                                    [k for k, r in refs.items() if r["status"] == "optimal"]))
    if args.with_g73 and "G73" not in names:
        names.append("G73")
    load_before = _load()
    results = []
    for name in names:
        path = folder / "trigeiro" / f"{name}.DAT"
        if not path.exists():
            raise SystemExit(f"no instance file {path}")
        r = solve_one(path, refs.get(name), args.time_limit, args.threads)
        results.append(r)
        print(f"{name}: {r['status']} {r['objective']} (ref {r['reference']}) in "
              f"{r['seconds']:.1f} s", file=sys.stderr, flush=True)
    h = highspy.Highs()
    counted = [r for r in results if r["reference_proven"]]
    times = [r["seconds"] for r in counted]
    return {
        "settings": {
            "date": dt.datetime.now().isoformat(timespec="seconds"), "quick": args.quick,
            "time_limit": args.time_limit, "threads": args.threads, "formulation": FORMULATION,
            "machine": _machine(), "load_average_1m": {"before": load_before, "after": _load()},
            "versions": {"python": platform.python_version(),
                         "highspy": f"{h.versionMajor()}.{h.versionMinor()}.{h.versionPatch()}"},
        },
        "results": results,
        "summary": {
            "instances": len(counted), "optimal": sum(r["optimal"] for r in counted),
            "mean_seconds": statistics.fmean(times) if times else None,
            "max_seconds": max(times) if times else None,
            "mean_cpu_seconds": (statistics.fmean(r["cpu_seconds"] for r in counted)
                                 if counted else None),
            "max_gap_to_reference": max((abs(r["gap_to_reference"]) for r in counted
                                         if r["gap_to_reference"] is not None), default=None),
        },
    }


HEADERS = ["instance", "items × periods", "optimum (ref)", "ours", "gap", "status", "time s",
           "CPU s", "nodes", "proved by"]


def _row(r: dict[str, Any]) -> list[str]:
    def num(v: float | None) -> str:
        return "—" if v is None else f"{v:,.0f}"

    ref = num(r["reference"]) + ("" if r["reference_proven"] else " (not proven)")
    gap = "—" if r["gap_to_reference"] is None else f"{r['gap_to_reference']:+.2%}"
    return [r["instance"], f"{r['items']} × {r['periods']}", ref, num(r["objective"]), gap,
            r["status"], f"{r['seconds']:.1f}", f"{r['cpu_seconds']:.1f}", str(r["nodes"]),
            r["formulation"] if r["status"] == "optimal" else "—"]


def _summary_line(doc: dict[str, Any]) -> str:
    s = doc["summary"]
    if not s["instances"]:
        return "No instance with a proven reference optimum was run."
    return (f"{s['optimal']}/{s['instances']} proven optimal and equal to the reference; "
            f"wall time mean {s['mean_seconds']:.1f} s, max {s['max_seconds']:.1f} s "
            f"(CPU mean {s['mean_cpu_seconds']:.1f} s); time limit "
            f"{doc['settings']['time_limit']:g} s each.")


def _settings_line(doc: dict[str, Any]) -> str:
    s = doc["settings"]
    m, load = s["machine"], s["load_average_1m"]
    return (f"{m['cpu']}, {m['logical_cores']} logical cores, 1-min load average {load['before']} "
            f"before / {load['after']} after (the machine is shared: wall times include waiting "
            f"for a core; CPU time counts both raced processes) · HiGHS "
            f"{s['versions']['highspy']} (highspy), {s['threads']} thread(s), Python "
            f"{s['versions']['python']} · model: {s['formulation']}")


def _markdown(doc: dict[str, Any]) -> str:
    s = doc["settings"]
    out = ["# Capacitated lot sizing benchmark (Trigeiro instances)", "",
           f"Generated by `benchmarks/plan_lotsizing.py` on {s['date']}"
           + (" (`--quick`)" if s["quick"] else "") + ".", "",
           "**" + _summary_line(doc) + "**", "",
           "| " + " | ".join(HEADERS) + " |",
           "| " + " | ".join(["---", "---", "---:", "---:", "---:", "---", "---:", "---:", "---:",
                              "---"])
           + " |"]
    out += ["| " + " | ".join(_row(r)) + " |" for r in doc["results"]]
    out += ["", "**Settings:** " + _settings_line(doc), "",
            "- Reference: `trigeiro_highs_optima.csv` (HiGHS 1.15.1 proofs, one thread; G53 = "
            "74,634 and G57 = 136,509 also match Belvaux and Wolsey 2000). "
            "Gap = (ours − optimum) / optimum.",
            "- Optimal = HiGHS proved optimality and the objective equals the reference within "
            "0.5. With whole-number data on one resource and unit times of 1 the optimum is an "
            "integer (with setups fixed the rest is a network flow), so a gap below 1 is a proof "
            "(`ClspInstance.integral_optimum`); otherwise mip_rel_gap is 0. Every plan's resource "
            "load was checked against capacity, setup times included.",
            "- Nodes: branch-and-bound nodes of the run(s) that reported; the run stopped when "
            "the other model won a race reports none. CPU s counts both raced processes.",
            "- G73 is left out of the count: its file has one malformed row and no proven optimum.",
            ""]
    return "\n".join(out)


def _rich_table(doc: dict[str, Any]) -> Any:
    from rich.markup import escape
    from rich.table import Table

    table = Table(title="SupplyPilot capacitated lot sizing (Trigeiro)",
                  caption=escape(_summary_line(doc) + "\n" + _settings_line(doc)),
                  caption_justify="left")
    for i, h in enumerate(HEADERS):
        table.add_column(h, justify="left" if i in (0, 1, 5, 9) else "right")
    for r in doc["results"]:
        table.add_row(*_row(r))
    return table


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help=f"only {', '.join(QUICK)} (tests)")
    p.add_argument("--instances", nargs="+", help="instance names, e.g. F1 G53")
    p.add_argument("--with-g73", action="store_true", help="also run G73 (no proven optimum)")
    p.add_argument("--time-limit", type=float, default=60.0,
                   help="seconds per instance (default 60)")
    p.add_argument("--threads", type=int, default=MAX_THREADS,
                   help=f"1: the facility-location model alone; 2 (default): raced against the "
                        f"inventory-balance model in a second process")
    p.add_argument("--json", action="store_true", help="JSON on stdout (the table goes to stderr)")
    p.add_argument("--no-save", action="store_true",
                   help=f"do not write {RESULTS.relative_to(HERE.parent)}")
    args = p.parse_args(argv)
    if not 1 <= args.threads <= MAX_THREADS:
        p.error(f"--threads must be in [1, {MAX_THREADS}]")
    if args.time_limit <= 0:
        p.error("--time-limit must be > 0")
    doc = run(args)
    from rich.console import Console

    Console(file=sys.stderr if args.json else sys.stdout, width=150).print(_rich_table(doc))
    if args.json:
        print(json.dumps(doc, default=str))
    if not args.quick and not args.no_save:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(_markdown(doc))
    counted = doc["summary"]
    return 0 if counted["optimal"] == counted["instances"] else 1


if __name__ == "__main__":
    sys.exit(main())
