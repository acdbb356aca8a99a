#!/usr/bin/env python
"""Inventory benchmark: SupplyPilot's inventory solvers on stockpyl's 70 textbook instances.

Every instance of ``optimization/inventory/stockpyl_instances.json`` (under ``SUPPLYPILOT_DATA``,
default ``../shared/data``) is solved by the SupplyPilot solver for its kind (EOQ family,
Wagner-Whitin, joint replenishment, newsvendor, base stock, (r, Q), (s, S), finite-horizon DP,
serial stochastic-service, guaranteed-service trees, assembly and distribution networks, supply
uncertainty) and compared with its known answer: the values asserted by stockpyl's own test-suite
(LarrySnyder/stockpyl, ``tests/``), cited per instance in
``supplypilot/plan/inventory/_textbook_answers.py`` with the tolerance each source supports.

Usage::

    python benchmarks/plan_inventory.py               # all 70, table saved to results/
    python benchmarks/plan_inventory.py --quick --json  # a 14-instance subset, JSON (tests)
    python benchmarks/plan_inventory.py --instances example_3_1 example_6_5 --no-save
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "plan_inventory.md"
QUICK = ["example_3_1", "example_3_5", "example_3_9", "scmo_jrp_ex", "example_4_1",
         "problem_4_8a", "example_4_7", "problem_4_29", "example_5_1", "example_5_8",
         "shang_song_1", "example_6_5", "rosling_figure_1", "example_9_1"]
HEADERS = ["instance", "kind", "headline", "expected", "ours", "abs error", "rel error",
           "checks", "status", "seconds"]


def _fmt(v: Any) -> str:
    if v is None:
        return "—"
    if isinstance(v, dict):
        items = sorted(v.items(), key=lambda kv: str(kv[0]).zfill(12))
        body = ", ".join(f"{k}: {_fmt(x)}" for k, x in items[:4])
        return "{" + body + (", …" if len(items) > 4 else "") + "}"
    if isinstance(v, list | tuple):
        body = ", ".join(_fmt(x) for x in v[:5])
        return "[" + body + (", …" if len(v) > 5 else "") + "]"
    if isinstance(v, float):
        if v == int(v) and abs(v) < 1e15:
            return f"{int(v)}"
        return f"{v:.10g}"
    return str(v)


def _err(x: float) -> str:
    if x is None or math.isinf(x):
        return "—"
    return "0" if x == 0 else f"{x:.1e}"


def run(names: list[str] | None) -> dict[str, Any]:
    from supplypilot.config import data_dir
    from supplypilot.plan.inventory import run_textbook_check

    start = time.perf_counter()
    rows = run_textbook_check(names)
    total = time.perf_counter() - start
    results = []
    for r in rows:
        head = r["checks"][0] if r["checks"] else None
        results.append({
            "name": r["name"], "kind": r["kind"], "status": r["status"],
            "headline": head.label if head else None,
            "expected": head.expected if head else None,
            "ours": head.ours if head else None,
            "abs_error": head.abs_error if head else None,
            "rel_error": head.rel_error if head else None,
            "checks_passed": sum(c.ok for c in r["checks"]), "checks": len(r["checks"]),
            "seconds": r["seconds"], "message": r["message"], "source": r["source"],
            "note": r["note"]})
    matched = sum(r["status"] == "matched" for r in results)
    import numpy
    import pandas
    import scipy

    return {
        "summary": {"matched": matched, "total": len(results),
                    "refused": sum(r["status"] == "refused" for r in results),
                    "mismatch": sum(r["status"] == "mismatch" for r in results),
                    "seconds": total},
        "settings": {"date": dt.datetime.now().isoformat(timespec="seconds"),
                     "quick": names is not None and names == QUICK,
                     "data": str(data_dir()),
                     "machine": {"python": platform.python_version(),
                                 "cpu": platform.processor() or platform.machine(),
                                 "logical_cores": os.cpu_count()},
                     "versions": {"numpy": numpy.__version__, "scipy": scipy.__version__,
                                  "pandas": pandas.__version__}},
        "results": results,
    }


def _row(r: dict[str, Any]) -> list[str]:
    return [r["name"], r["kind"], r["headline"] or "—", _fmt(r["expected"]), _fmt(r["ours"]),
            _err(r["abs_error"]), _err(r["rel_error"]), f"{r['checks_passed']}/{r['checks']}",
            r["status"], f"{r['seconds']:.3f}"]


def _summary_line(doc: dict[str, Any]) -> str:
    s = doc["summary"]
    line = f"{s['matched']} / {s['total']} instances matched their known answer"
    extra = []
    if s["refused"]:
        extra.append(f"{s['refused']} refused as stored (inconsistent data, no reference optimum)")
    if s["mismatch"]:
        extra.append(f"{s['mismatch']} mismatched")
    return line + (f"; {'; '.join(extra)}" if extra else "") + f" — {s['seconds']:.2f} s in all."


def _rich_table(doc: dict[str, Any]) -> Any:
    from rich.table import Table

    table = Table(title="SupplyPilot inventory solvers on stockpyl's textbook instances",
                  caption=_summary_line(doc), caption_justify="left")
    for i, h in enumerate(HEADERS):
        table.add_column(h, justify="right" if i in (5, 6, 9) else "left")
    for r in doc["results"]:
        style = {"matched": None, "refused": "yellow"}.get(r["status"], "red")
        table.add_row(*_row(r), style=style)
    return table


def _markdown(doc: dict[str, Any]) -> str:
    s = doc["settings"]
    out = ["# Inventory benchmark: stockpyl textbook instances", "",
           f"Generated by `benchmarks/plan_inventory.py` on {s['date']}"
           + (" (`--quick`)" if s["quick"] else "") + ".", "",
           f"**{_summary_line(doc)}**", "",
           "| " + " | ".join(HEADERS) + " |",
           "| " + " | ".join(["---"] * 5 + ["---:", "---:", "---:", "---", "---:"]) + " |"]
    for r in doc["results"]:
        out.append("| " + " | ".join(c.replace("|", "/") for c in _row(r)) + " |")
    out += ["", "## How to read it", "",
            "- *headline* is the first value of each known answer (usually the optimal cost); "
            "*checks* counts every value compared (order quantities, reorder points, service "
            "times, ...). An instance is *matched* when all its checks pass.",
            "- Known answers are the values asserted by stockpyl's test-suite "
            "(github.com/LarrySnyder/stockpyl, `tests/`), cited per instance in "
            "`src/supplypilot/plan/inventory/_textbook_answers.py`; tolerances follow the "
            "precision of each source (7 decimals, `places=k`, or half a unit of the last "
            "published digit).",
            "- Serial stochastic-service instances with normal demand (example_6_1, problem_6_1, "
            "problem_6_2a, problem_6_16): stockpyl optimises on a 100-point grid with 10 demand "
            "points and overstates the optimal cost by 0.2–3 %; our Chen–Zheng recursion is exact "
            "on a fine lattice (converged to 1e-5), so the check is *not worse than stockpyl and "
            "within 3.5 %*. Priced with our exact evaluator, stockpyl's own optimum costs more "
            "than ours on all four.",
            "- problem_4_29 and problem_4_30 (finite horizon): stockpyl checks them against MATLAB "
            "files that are not in the data; the stored values come from our DP with stockpyl's "
            "discretisation, which reproduces stockpyl's documented `finite_horizon_dp` example "
            "(1558.6946467384012) to 12 digits.",
            "- assembly_3_stage: stockpyl has only a simulation for it; the check is the Rosling "
            "reduction (forward echelon and equivalent lead times), derived by hand.",
            "- problem_6_2a_adj and problem_6_2b_adj are refused: they store only local holding "
            "costs, rising from the customer stage to the source, so echelon holding costs are "
            "negative and the Clark–Scarf model does not apply (stockpyl cannot optimise them "
            "either; it only simulates them).", "",
            "**Settings:** " + f"data `{s['data']}` · python {s['machine']['python']} · "
            + ", ".join(f"{k} {v}" for k, v in s["versions"].items())
            + f" · {s['machine']['logical_cores']} logical cores · single process, no timing "
              "repeats (times are for orientation only).", ""]
    refused = [r for r in doc["results"] if r["status"] != "matched"]
    if refused:
        out += ["## Not matched", ""]
        out += [f"- `{r['name']}` ({r['status']}): {r['message'] or r['note']}" for r in refused]
        out.append("")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true",
                   help=f"only {len(QUICK)} instances, one or two per kind (tests)")
    p.add_argument("--instances", nargs="+", help="run only these instances")
    p.add_argument("--json", action="store_true", help="JSON on stdout (the table goes to stderr)")
    p.add_argument("--no-save", action="store_true",
                   help=f"do not write {RESULTS.relative_to(HERE.parent)}")
    args = p.parse_args(argv)
    names = QUICK if args.quick else args.instances
    doc = run(names)
    from rich.console import Console

    Console(stderr=args.json, width=200).print(_rich_table(doc))
    if args.json:
        print(json.dumps(doc, default=str))
    if not args.quick and not args.instances and not args.no_save:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(_markdown(doc))
        Console(stderr=args.json).print(f"saved {RESULTS}")
    return 0 if doc["summary"]["mismatch"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
