#!/usr/bin/env python
"""SupplyGraph forecasting benchmark: the multi-output Chinchilla against reference forecasters.

Data: SupplyGraph (``SUPPLYPILOT_DATA``/forecasting/supplygraph, see its SOURCES.md), 41 product
columns × 221 days (2023-01-01 … 2023-08-09) of sales orders, production and deliveries to
distributors. The wide unit files are read directly, all 41 columns kept (``POP001L12P`` and
``POP001L12P.1`` stay two series), because the published reference numbers in SOURCES.md use
them that way; ``supplygraph.load_supplygraph`` merges the pair for the store.

Protocol (as in SOURCES.md): train on the first 193 days, forecast the last 28 days
(2023-07-13 … 2023-08-09) once, WAPE = Σ|error| / Σ actual over all products, per target.
The files end in days that are zero for every product — 2023-08-08/09 for sales orders,
2023-08-09 for production and deliveries — which look like where the extract was cut off
(a Tuesday and Wednesday, days that otherwise always have sales). Every WAPE is reported with
those days ("with") and without them ("w/o"); the forecasts are the same, only the scored days
differ. Those trailing all-zero days are found from the data, not hard-coded.

Rows, each measured in its own fresh Python process (this script re-run with ``--one NAME``)
so that train time and peak memory are the row's own:

1. SeasonalNaive(7): the last week repeated (the reference: 0.539 on sales, 0.456 w/o);
2. statsforecast AutoETS and AutoTheta (season 7), for context (skipped with ``--quick``);
3. Chinchilla, multi-output (sales, production, deliveries jointly): the mean of the point
   forecasts of several seeds (``--seeds``), plus the mean ± sd of the single-seed WAPEs.

Usage::

    python benchmarks/forecast_supplygraph.py                 # full run, table saved to results/
    python benchmarks/forecast_supplygraph.py --quick --json  # 1 seed, 2 epochs (used by tests)
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _measure as measure  # noqa: E402

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "forecast_supplygraph.md"
UNIT = "forecasting/supplygraph/Raw Dataset/Homogenoeus/Temporal Data/Unit"
FILES = {"y": "Sales Order.csv", "production": "Production .csv",
         "delivery": "Delivery To distributor.csv"}
LABELS = {"y": "sales", "production": "production", "delivery": "delivery"}
TRAIN_DAYS, H = 193, 28
SEEDS = (0, 1, 2, 3, 4)
REFERENCE = {"snaive_sales_with": 0.539, "snaive_sales_without": 0.456}
GOALS = {"with": 0.43, "without": 0.36}

CHINCHILLA = {
    "input_size": 56, "patch_len": 7, "stride": 7, "h": H, "targets": ["y", "production", "delivery"],
    "quantiles": (0.1, 0.9), "point": "median", "closed_days": "mask", "val_size": 56,
    "early_stopping_patience": 20, "max_epochs": 100, "batch_size": 64, "lr": 3e-3,
}
"""Why these settings: weekly patches (``patch_len = stride = 7``) over 8 weeks of context; the
median head as point forecast because WAPE is an absolute-error metric and sales orders are
intermittent (the median of a day with frequent zero orders sits below its mean); the two Eid
shutdowns (2023-04-22…24, 06-28…07-01), zero for every product and target, masked as missing
(``closed_days="mask"``) instead of teaching the model random zero days; a 56-day validation
window (29 forecast origins per series) for a steadier early-stopping signal than one origin."""
QUICK = {"max_epochs": 2, "early_stopping_patience": None}

ROWS: dict[str, str] = {
    "snaive": "SeasonalNaive(7)",
    "autoets": "AutoETS(season 7)",
    "autotheta": "AutoTheta(season 7)",
    "chinchilla": "Chinchilla multi-output",
}
RUN_ORDER = ("snaive", "autoets", "autotheta", "chinchilla")
QUICK_ROWS = ("snaive", "chinchilla")

MEMORY_METHOD = (
    "each row runs in its own fresh process; just before training the process resets its peak-RSS "
    "mark (`/proc/self/clear_refs` ← 5, Linux) and reads `VmHWM` after forecasting: the highest "
    "RSS reached while fitting and predicting (imports and data loading excluded)."
)


# --------------------------------------------------------------------------- data


def data_root() -> Path:
    from supplypilot import config

    return config.data_dir() / UNIT


def load_long() -> Any:
    """``unique_id, ds, y, production, delivery`` for all 41 product columns and 221 days."""
    import pandas as pd

    root = data_root()
    long = None
    for target, name in FILES.items():
        path = root / name
        if not path.is_file():
            raise SystemExit(f"SupplyGraph file not found: {path} (set SUPPLYPILOT_DATA)")
        wide = pd.read_csv(path)
        wide["Date"] = pd.to_datetime(wide["Date"])
        part = wide.melt(id_vars="Date", var_name="unique_id", value_name=target)
        part = part.rename(columns={"Date": "ds"})
        long = part if long is None else long.merge(part, on=["unique_id", "ds"])
    assert long is not None
    return long.sort_values(["unique_id", "ds"]).reset_index(drop=True)


def split(long: Any) -> tuple[Any, Any]:
    dates = sorted(long["ds"].unique())
    cut = dates[TRAIN_DAYS]
    return long[long["ds"] < cut].reset_index(drop=True), long[long["ds"] >= cut].reset_index(drop=True)


def cutoff_days(long: Any) -> dict[str, list[str]]:
    """Per target, the trailing run of days that are zero for every product."""
    out = {}
    for target in FILES:
        total = long.groupby("ds")[target].sum().sort_index()
        days = []
        for day, v in total[::-1].items():
            if v != 0:
                break
            days.append(str(day.date()))
        out[target] = sorted(days)
    return out


# --------------------------------------------------------------------------- one row








def _seasonal_naive(train: Any) -> Any:
    import numpy as np
    import pandas as pd

    rows = []
    last = train["ds"].max()
    dates = pd.date_range(last + pd.Timedelta(days=1), periods=H, freq="D")
    for uid, g in train.groupby("unique_id", sort=True):
        g = g.sort_values("ds")
        block = {t: np.tile(g[t].to_numpy()[-7:], H // 7 + 1)[:H] for t in FILES}
        rows.append(pd.DataFrame({"unique_id": uid, "ds": dates, **block}))
    return pd.concat(rows, ignore_index=True)


def _statsforecast(train: Any, name: str) -> Any:
    from statsforecast import StatsForecast
    from statsforecast.models import AutoETS, AutoTheta

    model = AutoETS(season_length=7) if name == "autoets" else AutoTheta(season_length=7)
    out = None
    for target in FILES:
        df = train[["unique_id", "ds", target]].rename(columns={target: "y"})
        sf = StatsForecast(models=[model], freq="D", n_jobs=1)
        fc = sf.forecast(df=df, h=H)
        if "unique_id" not in fc.columns:  # older statsforecast keeps the id in the index
            fc = fc.reset_index()
        fc = fc.rename(columns={repr(model): target, type(model).__name__: target})
        fc = fc[["unique_id", "ds", target]]
        fc[target] = fc[target].clip(lower=0)
        out = fc if out is None else out.merge(fc, on=["unique_id", "ds"])
    return out


def _chinchilla(train: Any, seeds: list[int], quick: bool) -> tuple[Any, dict[str, Any]]:
    import pandas as pd

    from supplypilot.forecast.models.chinchilla import Chinchilla

    params = {**CHINCHILLA, **(QUICK if quick else {})}
    frames, info = [], {"seeds": seeds, "per_seed_seconds": []}
    for seed in seeds:
        t0 = time.perf_counter()
        model = Chinchilla(seed=seed, **params).fit(train)
        info["per_seed_seconds"].append(round(time.perf_counter() - t0, 2))
        fc = model.predict(H, level=[80])
        ren = {}
        for target in FILES:
            col = model.column(target)
            ren[col] = f"{target}@{seed}"
            ren[f"{col}-lo-80"] = f"{target}-lo-80@{seed}"
            ren[f"{col}-hi-80"] = f"{target}-hi-80@{seed}"
        frames.append(fc.rename(columns=ren).set_index(["unique_id", "ds"]))
        report = model.sizing_report()
        info.update(n_params=model.n_params_, n_tokens=model.n_tokens_, compute_flops=model.compute_flops_,
                    shape=f"d_model={report.d_model}, n_layers={report.n_layers}, n_heads={report.n_heads}",
                    epochs=model.metrics_["epochs"], best_epoch=model.metrics_["best_epoch"],
                    closed_days=[str(d.date()) for d in model.closed_days_])
    out = pd.concat(frames, axis=1)
    for target in FILES:
        for suffix in ("", "-lo-80", "-hi-80"):
            out[f"{target}{suffix}"] = out[[f"{target}{suffix}@{s}" for s in seeds]].mean(axis=1)
    info["params"] = {k: (list(v) if isinstance(v, tuple) else v) for k, v in params.items()}
    return out.reset_index(), info


def run_one(name: str, work: Path, seeds: list[int], quick: bool) -> dict[str, Any]:
    """Fit and forecast one row in this process; forecasts go to ``work/NAME.csv``."""
    import gc

    import torch

    torch.set_num_threads(1)
    long = load_long()
    train, _ = split(long)
    gc.collect()
    method = measure.reset_peak()
    t0 = time.perf_counter()
    info: dict[str, Any] = {}
    if name == "snaive":
        fc = _seasonal_naive(train)
    elif name in ("autoets", "autotheta"):
        fc = _statsforecast(train, name)
    elif name == "chinchilla":
        fc, info = _chinchilla(train, seeds, quick)
    else:
        raise SystemExit(f"unknown row {name!r}; expected one of {', '.join(ROWS)}")
    seconds = time.perf_counter() - t0
    peak = measure.peak(method)
    path = work / f"{name}.csv"
    fc.to_csv(path, index=False)
    return {"name": name, "seconds": seconds, "peak_rss_mb": peak / 2**20, "memory_method": method,
            "forecasts": str(path), **info}


# --------------------------------------------------------------------------- scoring


def _wape(actual: Any, forecast: Any) -> float:
    import numpy as np

    denom = float(np.abs(actual).sum())
    return float(np.abs(actual - forecast).sum() / denom) if denom > 0 else float("nan")


def score(test: Any, fc: Any, cut: dict[str, list[str]], seeds: list[int] | None = None) -> dict[str, Any]:
    """WAPE per target with and without the cut-off days (+ per-seed spread, 80 % coverage)."""
    import pandas as pd

    j = test.merge(fc, on=["unique_id", "ds"], suffixes=("", "_fc"), how="left")
    out: dict[str, Any] = {"wape": {}, "coverage80": {}, "per_seed": {}}
    for target in FILES:
        keep = ~j["ds"].isin(pd.to_datetime(cut[target]))
        pred = j[f"{target}_fc"]
        out["wape"][target] = {"with": _wape(j[target], pred),
                               "without": _wape(j.loc[keep, target], pred[keep])}
        if f"{target}-lo-80" in j:
            inside = (j[target] >= j[f"{target}-lo-80"]) & (j[target] <= j[f"{target}-hi-80"])
            out["coverage80"][target] = {"with": float(inside.mean()), "without": float(inside[keep].mean())}
        if seeds and len(seeds) > 1:
            w = [_wape(j[target], j[f"{target}@{s}"]) for s in seeds]
            wo = [_wape(j.loc[keep, target], j.loc[keep, f"{target}@{s}"]) for s in seeds]
            out["per_seed"][target] = {"with_mean": statistics.mean(w), "with_sd": statistics.stdev(w),
                                       "without_mean": statistics.mean(wo), "without_sd": statistics.stdev(wo)}
    return out


# --------------------------------------------------------------------------- orchestration


def _spawn(name: str, work: Path, seeds: list[int], quick: bool) -> dict[str, Any]:
    result = work / f"{name}.result.json"
    result.unlink(missing_ok=True)
    cmd = [sys.executable, str(Path(__file__).resolve()), "--one", name, "--work", str(work),
           "--result", str(result), "--seeds", ",".join(map(str, seeds))]
    if quick:
        cmd.append("--quick")
    proc = subprocess.run(cmd, stdout=sys.stderr, stderr=sys.stderr, check=False)
    if proc.returncode != 0 or not result.exists():
        return {"name": name, "error": f"row process exited with status {proc.returncode}"}
    return json.loads(result.read_text())


def _versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for mod in ("numpy", "pandas", "torch", "statsforecast"):
        with contextlib.suppress(Exception):
            out[mod] = __import__(mod).__version__
    return out


def _machine() -> dict[str, Any]:
    cpu = platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {"cpu": cpu, "logical_cores": os.cpu_count()}




def _goals(results: list[dict[str, Any]]) -> dict[str, Any]:
    by = {r["name"]: r for r in results if not r.get("error")}
    goals: dict[str, Any] = {}
    sn = by.get("snaive")
    if sn:
        w = sn["wape"]["y"]
        goals["snaive_reproduced"] = (round(w["with"], 3) == REFERENCE["snaive_sales_with"]
                                      and round(w["without"], 3) == REFERENCE["snaive_sales_without"])
    ch = by.get("chinchilla")
    if ch:
        w = ch["wape"]["y"]
        goals["chinchilla_sales_with"] = round(w["with"], 4)
        goals["chinchilla_sales_without"] = round(w["without"], 4)
        goals["with_met"] = w["with"] <= GOALS["with"]
        goals["without_met"] = w["without"] <= GOALS["without"]
    return goals


HEADERS = ["model", "sales WAPE", "sales w/o", "production", "prod. w/o", "delivery", "deliv. w/o",
           "80% cov. sales", "train s", "peak MB", "N", "D", "C (FLOPs)"]


def _fmt_row(r: dict[str, Any]) -> list[str]:
    if r.get("error"):
        return [ROWS.get(r["name"], r["name"]), "failed"] + ["—"] * (len(HEADERS) - 2)
    label = ROWS[r["name"]]
    if r["name"] == "chinchilla":
        label += f", mean of {len(r['seeds'])} seed{'s' if len(r['seeds']) > 1 else ''}"
    cells = [label]
    for target in FILES:
        w = r["wape"][target]
        cells += [f"{w['with']:.3f}", f"{w['without']:.3f}"]
    cov = r.get("coverage80", {}).get("y")
    cells.append(f"{cov['without']:.0%}" if cov else "—")
    cells += [f"{r['seconds']:.1f}", f"{r['peak_rss_mb']:.0f}"]
    if "n_params" in r:
        cells += [f"{r['n_params']:,}", f"{r['n_tokens']:,}", f"{r['compute_flops']:.2e}"]
    else:
        cells += ["—", "—", "—"]
    return cells


def _seed_rows(r: dict[str, Any]) -> list[str] | None:
    ps = r.get("per_seed") or {}
    if not ps:
        return None
    cells = [f"  single seed (mean ± sd of {len(r['seeds'])})"]
    for target in FILES:
        p = ps[target]
        cells += [f"{p['with_mean']:.3f} ± {p['with_sd']:.3f}", f"{p['without_mean']:.3f} ± {p['without_sd']:.3f}"]
    per = r.get("per_seed_seconds") or []
    cells += ["—", f"{statistics.mean(per):.1f}" if per else "—", "—", "—", "—", "—"]
    return cells


def _settings_line(doc: dict[str, Any]) -> str:
    s = doc["settings"]
    vers = ", ".join(f"{k} {v}" for k, v in s["versions"].items())
    return (f"train {s['train_days']} days, test {H} days ({s['test_start']} … {s['test_end']}), "
            f"{s['n_series']} products × 3 targets · cut-off days {s['cutoff_days']} · seeds {s['seeds']} · "
            f"{s['machine']['cpu']}, {s['machine']['logical_cores']} logical cores, torch 1 thread, "
            f"1-min load {s['load_before']} before / {s['load_after']} after · {vers}")


def _footer_lines(doc: dict[str, Any]) -> list[str]:
    g = doc["goals"]
    lines = []
    if "snaive_reproduced" in g:
        lines.append(f"SeasonalNaive(7) sales WAPE reproduces the reference {REFERENCE['snaive_sales_with']} "
                     f"/ {REFERENCE['snaive_sales_without']} (with / without the cut-off days): "
                     f"{'yes' if g['snaive_reproduced'] else 'NO'}.")
    if "with_met" in g:
        lines.append(f"Goal Chinchilla sales WAPE ≤ {GOALS['with']} with the cut-off days: "
                     f"{g['chinchilla_sales_with']:.3f} — {'met' if g['with_met'] else 'NOT met'}.")
        lines.append(f"Goal Chinchilla sales WAPE ≤ {GOALS['without']} without them: "
                     f"{g['chinchilla_sales_without']:.3f} — {'met' if g['without_met'] else 'NOT met'}.")
    ch = next((r for r in doc["results"] if r["name"] == "chinchilla" and not r.get("error")), None)
    if ch:
        lines.append(f"Chinchilla: network {ch['shape']}, N = {ch['n_params']:,} parameters for "
                     f"D = {ch['n_tokens']:,} training tokens (D/20 = {ch['n_tokens'] / 20:,.0f}), "
                     f"C = 6·N·D = {ch['compute_flops']:.2e} FLOPs per pass; last seed stopped after "
                     f"{ch['epochs']} epochs (best {ch['best_epoch']}); train s = all seeds, fit + predict; "
                     f"closure days masked: {', '.join(ch['closed_days']) or 'none'}.")
        cov = ch.get("coverage80", {})
        if cov:
            lines.append("80 % intervals (quantile heads + split conformal on the validation window, "
                         "bounds averaged over seeds), measured coverage on the test days without the "
                         "cut-off: " + ", ".join(f"{LABELS[t]} {c['without']:.0%}" for t, c in cov.items()) + ".")
        lines.append("Chinchilla settings: " + json.dumps(ch["params"]))
    lines.append("WAPE = Σ|error| / Σ actual over all 41 products and the scored days; 'w/o' leaves out the "
                 "trailing all-zero days (the same forecasts, fewer days scored). Those days add nothing "
                 "to Σ actual but the whole forecast of those days to Σ|error|, so every row pays the "
                 "same kind of penalty; no row is told about them. The shutdowns inside the training "
                 "period (Eid) are a different matter: Chinchilla masks them (closed_days='mask').")
    lines.append("Memory: " + MEMORY_METHOD)
    return lines


def _rich_table(doc: dict[str, Any]) -> Any:
    from rich.table import Table

    table = Table(title="SupplyGraph forecasting benchmark (last 28 days)", caption=_settings_line(doc),
                  caption_justify="left")
    for i, h in enumerate(HEADERS):
        table.add_column(h, justify="left" if i == 0 else "right", min_width=30 if i == 0 else None)
    for r in doc["results"]:
        table.add_row(*_fmt_row(r))
        extra = _seed_rows(r)
        if extra:
            table.add_row(*extra)
    return table


def _markdown(doc: dict[str, Any]) -> str:
    s = doc["settings"]
    out = ["# SupplyGraph forecasting benchmark", "",
           f"Generated by `benchmarks/forecast_supplygraph.py` on {s['date']}"
           + (" (`--quick`)" if s["quick"] else "") + ".", "",
           "| " + " | ".join(HEADERS) + " |",
           "| " + " | ".join(["---"] + ["---:"] * (len(HEADERS) - 1)) + " |"]
    for r in doc["results"]:
        out.append("| " + " | ".join(_fmt_row(r)) + " |")
        extra = _seed_rows(r)
        if extra:
            out.append("| " + " | ".join(extra) + " |")
    out += ["", "**Settings:** " + _settings_line(doc), ""]
    out += [f"- {line}" for line in _footer_lines(doc)]
    out.append("")
    return "\n".join(out)


def run_all(args: argparse.Namespace) -> int:
    import pandas as pd
    from rich.console import Console

    console = Console(stderr=args.json, width=None if sys.stderr.isatty() else 170)
    seeds = [0] if args.quick else [int(s) for s in args.seeds.split(",")]
    names = [n for n in RUN_ORDER if (n in QUICK_ROWS or not args.quick) and
             not (args.no_stats and n in ("autoets", "autotheta"))]
    long = load_long()
    train, test = split(long)
    cut = cutoff_days(long)
    work = Path(tempfile.mkdtemp(prefix="supplypilot-sg-bench-"))
    load_before = measure.loadavg()
    results = []
    status = 0
    for name in names:
        console.print(f"· {ROWS[name]} …", highlight=False)
        r = _spawn(name, work, seeds if name == "chinchilla" else [], args.quick)
        if not r.get("error"):
            fc = pd.read_csv(r["forecasts"], parse_dates=["ds"])
            r.update(score(test, fc, cut, r.get("seeds")))
        else:
            status = 1
            console.print(f"[red]{ROWS[name]}: {r['error']}[/red]")
        results.append(r)
    doc = {
        "settings": {
            "quick": bool(args.quick), "seeds": seeds, "train_days": TRAIN_DAYS, "h": H,
            "n_series": int(long["unique_id"].nunique()),
            "test_start": str(test["ds"].min().date()), "test_end": str(test["ds"].max().date()),
            "cutoff_days": cut, "date": dt.datetime.now().isoformat(timespec="seconds"),
            "load_before": load_before, "load_after": measure.loadavg(), "machine": _machine(),
            "versions": _versions(), "data": str(data_root()),
        },
        "reference": REFERENCE, "goals_set": GOALS,
        "results": results,
        "goals": _goals(results),
        "memory_method": MEMORY_METHOD,
    }
    console.print(_rich_table(doc))
    for line in _footer_lines(doc):
        console.print(line, highlight=False, markup=False)
    if not args.no_save and not args.quick:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(_markdown(doc), encoding="utf-8")
        console.print(f"saved {RESULTS}", highlight=False)
    if args.json:
        print(json.dumps(doc, indent=2, default=str))
    return status


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="SeasonalNaive + Chinchilla with 1 seed, 2 epochs")
    p.add_argument("--seeds", default=",".join(map(str, SEEDS)), help="Chinchilla seeds (comma-separated)")
    p.add_argument("--no-stats", action="store_true", help="skip the AutoETS and AutoTheta rows")
    p.add_argument("--json", action="store_true", help="JSON on stdout (the table goes to stderr)")
    p.add_argument("--no-save", action="store_true", help=f"do not write {RESULTS.relative_to(HERE.parent)}")
    p.add_argument("--one", help=argparse.SUPPRESS)
    p.add_argument("--work", help=argparse.SUPPRESS)
    p.add_argument("--result", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.one:
        out = run_one(args.one, Path(args.work), [int(s) for s in args.seeds.split(",") if s], args.quick)
        Path(args.result).write_text(json.dumps(out, default=str))
        return 0
    return run_all(args)


if __name__ == "__main__":
    sys.exit(main())
