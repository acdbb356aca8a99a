#!/usr/bin/env python
"""Prediction-interval benchmark on M4 Weekly: coverage and MSIS, native beside conformal.

Data: the 359 M4 Weekly series (``$SUPPLYPILOT_DATA/forecasting/m4``), h = 13, the official
test weeks. Every model forecasts 80 % and 95 % intervals once; the table gives the share of
test values inside each (coverage, the goal is the nominal level) and M4's mean scaled interval
score at 95 % (MSIS: width plus 40 × each miss, scaled by the series' in-sample naive MAE; lower
is better), averaged over the series as M4 did.

Rows, all computed in the same run:

* references: statsforecast ``AutoETS`` (native, model-based intervals) — the reference row,
  costs are given as a ratio to it — and ``Naive`` (native, random-walk intervals);
* ours: ``LightGBMForecaster`` (M4 recipe of ``forecast_m4.py``, split-conformal over two
  rolling 13-week windows, errors scaled per series) and ``GlobalMLP`` (the M4 configuration,
  split-conformal over one window on log errors scaled per series, so intervals are
  multiplicative and follow each series' volatility; the scaling was chosen on the validation
  window — the last 13 training weeks — where it gave MSIS 22.57 against 59.32 unscaled).

Run: ``python benchmarks/forecast_intervals.py`` (about 6 minutes on 2 cores); ``--quick``
(20 series, short history, small nets) is run by the tests.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
import forecast_m4  # noqa: E402 — the M4 loader and recipes

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "forecast_intervals.md"
H = forecast_m4.H
LEVELS = (80, 95)
QUICK_SERIES = 20
REFERENCE = "AutoETS"


def models(quick: bool) -> dict[str, Any]:
    """The models by row name, each a fresh object."""
    from supplypilot.forecast.models import statistical as st
    from supplypilot.forecast.models.ml import LightGBMForecaster
    from supplypilot.forecast.models.neural import GlobalMLP

    mlp = dict(input_size=52, history=520, width=256, blocks=3, layers=2, batch=512, steps=2000,
               seeds=3)
    if quick:
        mlp |= dict(input_size=26, width=32, steps=50, seeds=1, batch=64)
    return {
        "AutoETS": st.AutoETS(season_length=1),
        "Naive": st.Naive(),
        "LightGBM": LightGBMForecaster(lags=list(range(1, 14)) + [26, 52], rolling_windows=(4, 13),
                                       target_transform="difference", calendar=False,
                                       n_estimators=100 if quick else 400, conformal_windows=2,
                                       conformal_h=H, num_threads=1, alias="LightGBM"),
        "GlobalMLP": GlobalMLP(h=H, conformal_windows=1, num_threads=1, **mlp),
    }


KIND = {"AutoETS": "native (statsforecast)", "Naive": "native (statsforecast)",
        "LightGBM": "split-conformal, 2 windows",
        "GlobalMLP": "split-conformal on scaled log errors, 1 window"}


def score(name: str, fc: pd.DataFrame, train: pd.DataFrame, test: pd.DataFrame) -> dict[str, Any]:
    """Coverage per level (pooled over series and steps) and mean MSIS at 95 %."""
    from supplypilot.forecast.metrics import msis

    both = fc.merge(test, on=["unique_id", "ds"], how="inner")
    if len(both) != len(test):
        raise RuntimeError(f"{name}: {len(both)} forecasts matched {len(test)} test values")
    out: dict[str, Any] = {}
    for lv in LEVELS:
        lo, hi = both[f"{name}-lo-{lv}"], both[f"{name}-hi-{lv}"]
        out[f"coverage{lv}"] = float(((both["y"] >= lo) & (both["y"] <= hi)).mean())
        out[f"width{lv}"] = float(((hi - lo) / both["y"].abs()).median())
    hist = {u: g["y"].to_numpy() for u, g in train.groupby("unique_id")}
    out["msis95"] = float(np.mean([msis(g["y"], g[f"{name}-lo-95"], g[f"{name}-hi-95"], hist[u])
                                   for u, g in both.groupby("unique_id")]))
    return out


def run(args: argparse.Namespace) -> dict[str, Any]:
    from supplypilot.forecast import Forecaster

    folder = forecast_m4.m4_dir(args.data)
    train, test = forecast_m4.load(folder, QUICK_SERIES if args.quick else None)
    if args.quick:
        train = train.groupby("unique_id").tail(forecast_m4.QUICK_HISTORY).reset_index(drop=True)
    # M4 dates are week numbers; LightGBM's calendar code wants datetimes, so all models get weeks
    for frame in (train, test):
        frame["ds"] = pd.Timestamp("1900-01-07") + pd.to_timedelta(7 * frame["ds"], unit="D")
    rows = []
    for name, model in models(args.quick).items():
        t0 = time.perf_counter()
        fc = Forecaster([model], freq="W-SUN").fit(train).predict(H, level=list(LEVELS))
        seconds = time.perf_counter() - t0
        rows.append({"model": name, "intervals": KIND[name], "seconds": seconds,
                     **score(name, fc, train, test)})
        print(f"{name}: {seconds:.1f} s", file=sys.stderr)
    ref = next(r["seconds"] for r in rows if r["model"] == REFERENCE)
    for r in rows:
        r["time_vs_reference"] = r["seconds"] / ref if ref > 0 else float("nan")
    return {"date": dt.datetime.now().isoformat(timespec="seconds"), "quick": args.quick,
            "series": int(train["unique_id"].nunique()), "test_values": len(test), "h": H,
            "cpu": f"{os.cpu_count()} cores, {platform.processor() or platform.machine()}",
            "python": platform.python_version(), "rows": rows}


def markdown(doc: dict[str, Any]) -> str:
    lines = ["| model | intervals | coverage 80 % | coverage 95 % | median width 95 % (÷ actual) | "
             "MSIS 95 % | seconds | time ÷ AutoETS |",
             "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for r in doc["rows"]:
        ref = " — reference" if r["model"] == REFERENCE else ""
        lines.append(f"| {r['model']}{ref} | {r['intervals']} | {100 * r['coverage80']:.1f} % | "
                     f"{100 * r['coverage95']:.1f} % | {r['width95']:.3f} | {r['msis95']:.2f} | "
                     f"{r['seconds']:.1f} | {r['time_vs_reference']:.2f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", help="M4 folder (default: $SUPPLYPILOT_DATA/forecasting/m4).")
    ap.add_argument("--quick", action="store_true",
                    help=f"{QUICK_SERIES} series, small models (tests).")
    ap.add_argument("--json", action="store_true", help="Print the results as JSON.")
    ap.add_argument("--no-save", action="store_true", help=f"Do not write {RESULTS.name}.")
    args = ap.parse_args(argv)
    doc = run(args)
    if args.json:
        sys.stdout.write(json.dumps(doc, indent=1) + "\n")
    else:
        print(markdown(doc))
    if not args.no_save and not args.quick:
        RESULTS.parent.mkdir(exist_ok=True)
        head = (f"# Prediction intervals — M4 Weekly ({doc['series']} series, h = {H})\n\n"
                f"Generated by `benchmarks/forecast_intervals.py` on {doc['date']} ({doc['cpu']}, "
                f"Python {doc['python']}); {doc['test_values']} test values. Coverage is the share "
                "of test values inside the interval (goal: the nominal level); MSIS is M4's mean "
                "scaled interval score at 95 % (lower is better).\n\n")
        RESULTS.write_text(head + markdown(doc) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
