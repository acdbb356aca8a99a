#!/usr/bin/env python
"""Validation window for the M4 Weekly global models: choose configurations without the test.

The last 13 weeks of every *training* series are held out; models are fit on the rest and
scored there with M4's sMAPE, MASE (one-step naive scale on the shortened history) and OWA
(relative to Naive2, which for weekly data with m = 1 is the naive forecast). The test weeks
are never read. Forecasts are cached (``--cache``) so combinations cost nothing.

Usage::

    python benchmarks/m4_validation.py lgb260 lgb1000 mlp --combo lgb260+lgb1000+mlp
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import forecast_m4 as bench  # noqa: E402

H = bench.H
CONFIGS: dict[str, str] = {
    "lgb260": "GlobalLightGBM(history=260, seed=0)",
    "lgb1000": "GlobalLightGBM(history=1000, lags=[*range(1, 27), 52], seed=0)",
}


def split() -> tuple[object, np.ndarray, list[str]]:
    train, _ = bench.load(bench.m4_dir(None), None)
    ids = sorted(train["unique_id"].unique(), key=lambda s: int(s[1:]))
    pos = train.groupby("unique_id").cumcount(ascending=False)
    fit = train[pos >= H].reset_index(drop=True)
    held = train[pos < H].set_index("unique_id")["y"]
    y = np.stack([held.loc[u].to_numpy() for u in ids])
    return fit, y, ids


def scores(f: np.ndarray, y: np.ndarray, fit: object, ids: list[str]) -> dict[str, float]:
    g = fit.groupby("unique_id")["y"]
    scale = g.apply(lambda v: np.abs(np.diff(v.to_numpy())).mean()).reindex(ids).to_numpy()
    last = g.last().reindex(ids).to_numpy()[:, None]

    def sm(p: np.ndarray) -> float:
        return float(np.mean(200 * np.abs(y - p) / (np.abs(y) + np.abs(p))))

    def ma(p: np.ndarray) -> float:
        return float(np.mean(np.abs(y - p).mean(axis=1) / scale))

    naive = np.repeat(last, H, axis=1)
    s, m = sm(f), ma(f)
    return {"smape": s, "mase": m, "owa": 0.5 * (s / sm(naive) + m / ma(naive))}


def run(name: str, recipe: str, fit: object, ids: list[str]) -> np.ndarray:
    model = eval(recipe, {"GlobalLightGBM": bench.GlobalLightGBM,  # noqa: S307 — our recipes
                          "GlobalMLP": bench.GlobalMLP})
    t0 = time.perf_counter()
    model.fit(fit, freq=1)
    out = model.predict(H)
    col = [c for c in out.columns if c not in ("unique_id", "ds")][0]
    out = out.sort_values(["unique_id", "ds"]).set_index("unique_id")[col]
    print(f"  {name}: {time.perf_counter() - t0:.1f} s", file=sys.stderr, flush=True)
    return np.stack([out.loc[u].to_numpy() for u in ids])


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("names", nargs="*")
    p.add_argument("--recipe", action="append", default=[], help="NAME=RECIPE")
    p.add_argument("--combo", action="append", default=[], help="a+b+c or a*0.6+b*0.4")
    p.add_argument("--cache", default="/tmp/m4val")
    args = p.parse_args()
    configs = dict(CONFIGS)
    for r in args.recipe:
        k, v = r.split("=", 1)
        configs[k] = v
    cache = Path(args.cache)
    cache.mkdir(parents=True, exist_ok=True)
    fit, y, ids = split()
    preds: dict[str, np.ndarray] = {}
    for n in args.names:
        f = cache / f"{n}.npy"
        if f.exists() and n not in [r.split("=", 1)[0] for r in args.recipe]:
            preds[n] = np.load(f)
        else:
            preds[n] = run(n, configs[n], fit, ids)
            np.save(f, preds[n])
        print(f"{n:40s} " + "  ".join(f"{k} {v:.3f}" for k, v in
                                      scores(preds[n], y, fit, ids).items()), flush=True)
    for c in args.combo:
        parts = []
        for t in c.split("+"):
            n, _, w = t.partition("*")
            if n not in preds:
                preds[n] = np.load(cache / f"{n}.npy")
            parts.append((preds[n], float(w) if w else 1.0))
        tot = sum(w for _, w in parts)
        f = sum(p * w for p, w in parts) / tot
        print(f"{c:40s} " + "  ".join(f"{k} {v:.3f}" for k, v in scores(f, y, fit, ids).items()),
              flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
