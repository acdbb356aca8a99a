#!/usr/bin/env python
"""M5 forecasting benchmark: SupplyPilot's LightGBM + GlobalMLP beside M5 references (280 series).

Data (``$SUPPLYPILOT_DATA/forecasting/m5``, see its SOURCES.md): 280 item × store series of
the M5 competition (28 items × 10 Walmart stores), daily unit sales d_1–d_1941
(2011-01-29 … 2016-05-22), forecast for the official 28-day evaluation window d_1942–d_1969
(2016-05-23 … 2016-06-19) and scored against the official test actuals.

Metric: RMSSE per series exactly as in the M5 guide — root of the mean squared error over the
28 days divided by the mean squared one-step naive difference of the training history, the
history starting at the series' first non-zero sale — then the plain mean over the series
(and, as a second column, the mean weighted by the official level-12 weights renormalised over
these series). These figures compare with each other only, not with the official all-series
WRMSSE.

Rows:

* references computed here: seasonal naive (7) — the reference —, naive, mean of the last 28
  days;
* three real top-50 submissions on the same series (ranks 10, 28, 46; their official scores
  from ``Scores and Ranks.xlsx`` are shown beside them);
* ours: 80 % of the LightGBM forecast + 20 % of a global N-BEATS-style MLP
  (``supplypilot.forecast.models.neural.GlobalMLP`` on the sales alone: 112-day input, windows
  from the last 730 days, log1p, median of 3 seeds; see ``MLP_MEMBER``). The LightGBM forecast
  (ours before the MLP, kept as a row) is 80 % of an ensemble of five ``LightGBMForecaster``
  configurations × seeds on the item × store series (calendar, M5 events, SNAP and price
  features; see ``MEMBERS``) plus 20 % of a hierarchical top-down forecast (one LightGBM on
  the 28 item-level sums, split to the stores by their share of the item's sales in the last
  28 days). Beside it: the LightGBM mix alone, the GlobalMLP alone, the bottom ensemble alone,
  the top-down alone, the previous two-member ensemble and each member. All of it was chosen
  on the validation window d_1914–d_1941 (``--window validation``) and two earlier rolling
  origins — by the mean over the three windows — never on the test window;
* optional statsforecast baselines (``--stats``, default on in full runs) for context.

What was tried (issue 4: goal mean RMSSE ≤ 0.83 on the test window). Every figure below is a
mean RMSSE over the 280 series on windows before the test window — V: d_1914–d_1941 (train to
d_1913, the validation window); C1: d_1886–d_1913; C2: d_1858–d_1885 — with seed 0 of each
member (the shipped ensemble uses 3 seeds). V / C1 / C2 / mean of the three:

========================================================  ======  ======  ======  ======
variant                                                   V       C1      C2      mean
========================================================  ======  ======  ======  ======
previous ensemble: recursive + lag28                      0.7777  0.7410  0.7055  0.7414
  recursive alone / lag28 alone                           0.7830  0.7541  0.7095  0.7489
                                                          0.7889  0.7431  0.7142  0.7487
lag7 alone (min lag 7, tweedie)                           0.7751  0.7421  0.7131  0.7434
recursive + lag7 + lag28                                  0.7742  0.7390  0.7057  0.7396
recursive + lag7 + lag14 + lag21 + lag28 (bottom, chosen) 0.7750  0.7350  0.7059  0.7387
recursive + spliced (week k from the lag-7k member)       0.7754  0.7377  0.7045  0.7392
top-down, item LightGBM (lag28 view) × 28-day shares      0.8001  0.7369  0.7196  0.7522
top-down as above, 91-day shares                          0.7931  0.7496  0.7194  0.7541
top-down, item AutoETS × 91-day shares                    0.7979  0.7974  0.7188  0.7714
top-down, item MSTL × 91-day shares                       0.7991  0.8065  0.7186  0.7747
bottom + 20 % top-down, 28-day shares (LightGBM mix)      0.7766  0.7296  0.7052  0.7371
bottom + 33 % top-down                                    0.7786  0.7272  0.7057  0.7372
previous + 50 % top-down (item LightGBM, 28-day shares)   0.7831  0.7284  0.7069  0.7395
previous + 50 % top-down (item AutoETS, 91-day shares)    0.7768  0.7582  0.7012  0.7454
previous + 50 % CrostonSBA / + 33 % mean of last 28 days  0.7881  0.7499  0.7221  0.7534
                                                          0.7849  0.7402  0.7037  0.7429
bottom × 0.95 / × 1.05 (level multiplier)                 0.7782  0.7343  0.7017  0.7381
                                                          0.7757  0.7393  0.7136  0.7429
mean of the last 28 days / CrostonSBA (references)        0.8213  0.7623  0.7215  0.7684
                                                          0.8150  0.7825  0.7594  0.7856
========================================================  ======  ======  ======  ======

GlobalMLP (issue: one more attempt with the global neural net). ``GlobalMLP(h=28,
transform="log1p")``, width 256, 3 blocks × 2 layers, 2000 steps of 512, sales only (no
calendar, prices or events); "LGB" = the LightGBM mix above (0.7371); mixes are
(1 − w) · LGB + w · MLP. 1-seed rows are seed 0 unless marked; 3 seeds = median of seeds 0–2
(what ``GlobalMLP(seeds=3)`` returns):

========================================================  ======  ======  ======  ======
variant                                                   V       C1      C2      mean
========================================================  ======  ======  ======  ======
MLP input 56, history 365, 1 seed, alone                  0.8281  0.7798  0.7220  0.7766
  seed 1 / seed 2 alone                                   0.8244  0.7788  0.7257  0.7763
                                                          0.8240  0.7768  0.7222  0.7743
  3 seeds alone                                           0.8231  0.7777  0.7209  0.7739
  LGB + 10 / 15 / 20 / 25 / 30 % (3 seeds)                0.7757  0.7290  0.7018  0.7355
                                                          0.7757  0.7292  0.7005  0.7351
                                                          0.7761  0.7297  0.6994  0.7351
                                                          0.7767  0.7305  0.6987  0.7353
                                                          0.7777  0.7316  0.6982  0.7358
  LGB + 50 % (seed 0)                                     0.7863  0.7396  0.6993  0.7417
MLP input 112, history 730, 1 seed, alone                 0.8229  0.7740  0.7230  0.7733
  3 seeds alone                                           0.8216  0.7726  0.7221  0.7721
  LGB + 10 / 15 % (3 seeds)                               0.7760  0.7285  0.7015  0.7353
                                                          0.7761  0.7284  0.7000  0.7348
  **LGB + 20 % (3 seeds) (ours)**                         0.7765  0.7286  0.6989  0.7347
  LGB + 25 / 30 % (3 seeds)                               0.7772  0.7291  0.6981  0.7348
                                                          0.7782  0.7299  0.6976  0.7352
  LGB + 50 % (seed 0)                                     0.7855  0.7370  0.6986  0.7404
========================================================  ======  ======  ======  ======

Alone the MLP is far behind LightGBM (0.77 vs 0.74: its L1 loss on the log scale aims at the
median, low for RMSSE on intermittent sales), but its errors differ: every mix from 10 to 30 %
beats the LightGBM mix on the three-window mean, the 20 % mix with the 112-day input best
(0.7347 vs 0.7371). The gain is small — V is unchanged (0.7765 vs 0.7766), C1 −0.0010, C2
−0.0063 — and of the order of the seed-to-seed spread of the MLP alone (±0.002), so it may
not carry over to the test window.

Also tried on V only (worse than or within noise of what they would replace, not kept):
per-series weights from the C1 + C2 errors (inverse squared RMSSE or the per-series best,
over {previous ensemble, mean-28, CrostonSBA, ADIDA, TSB, top-down}) 0.7859–0.8005, all worse
than the plain ensemble's 0.7777 — two windows per series are too few to choose on; item-level
and store × department rolling means at lag 28 as exogenous features (recursive 0.7825 vs
0.7830, lag28 0.7899 vs 0.7889, pair 0.7772 vs 0.7777); lag28 with tweedie power 1.3 0.7896,
poisson 0.7967, squared loss on standardised sales 0.7888, learning rate 0.02 × 900 trees
0.7875; recursive with untransformed tweedie 0.7850, 600 trees 0.7860, 31 leaves / 100 rows
per leaf 0.7814; lag7 with squared loss on standardised sales 0.7768 (vs 0.7751); 112- and
364-day rolling windows drop the one series with under a year of history. The 20 % top-down
mix has the best three-window mean (0.7371 vs 0.7387 for the bottom ensemble alone) but is
slightly worse on V alone (0.7766 vs 0.7750): the rule was the three-window mean, and the
margin is small against the spread between windows. With 3 seeds on V (this script,
``--window validation --no-stats``, before the MLP): LightGBM mix 0.7765, bottom ensemble of
15 0.7751, previous ensemble of 6 0.7766, top-down alone 0.7979, mean of the last 28 days
0.8213.

Each model runs in its own fresh Python process (this script with ``--one NAME``), so its
wall time and peak memory are its own.

Usage::

    python benchmarks/forecast_m5.py                 # 280 series, table saved to results/
    python benchmarks/forecast_m5.py --quick --json  # 20 series, few rounds (used by tests)
    python benchmarks/forecast_m5.py --seeds 1 --no-stats --no-save
    python benchmarks/forecast_m5.py --window validation --no-stats   # the selection window
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import gc
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _measure as measure  # noqa: E402

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "forecast_m5.md"
H = 28
ORIGINS = {
    "test": pd.Timestamp("2016-05-22"),        # d_1941: the official evaluation window follows
    "validation": pd.Timestamp("2016-04-24"),  # d_1913: the window used to choose the members
}
QUICK_SERIES = 20
GOAL = 0.83
STATIC = ["item_id", "dept_id", "cat_id", "store_id", "state_id"]
SUBMISSION_RANKS = {"DenisKokosinskiy_STU": 10, "Daniela A": 28, "YK": 46}

# The LightGBM members of our ensemble, chosen on the validation window (--window validation)
# and two earlier rolling origins (see the module docstring); each is fitted with every seed
# and the ensemble is the plain mean. Five views of the data that err differently:
# "recursive" uses lags from 1 day (its own forecasts fill the horizon) on per-series
# standardised sales with a squared loss, close to RMSSE's own scaling; "lag7", "lag14" and
# "lag21" only use values at least 7, 14 or 21 days old (recursive beyond that, a cheap stand-in
# for the M5 winners' one-model-per-horizon-week), and "lag28" only values at least 28 days old,
# so no forecast feeds another (M5 style), all four with the tweedie loss of intermittent
# retail demand.
COMMON: dict[str, Any] = {"static_features": STATIC, "calendar": True, "conformal_windows": 0,
                          "learning_rate": 0.05, "n_estimators": 300}
_TWEEDIE = {"objective": "tweedie", "rolling_windows": [7, 14, 28, 56],
            "params": {"tweedie_variance_power": 1.1, "num_leaves": 127, "min_child_samples": 50,
                       "colsample_bytree": 0.7}}


def _min_lag(k: int) -> dict[str, Any]:
    return {"lags": [k, k + 7, k + 14, k + 21, k + 28], "rolling_lags": [k], **_TWEEDIE}


MEMBERS: dict[str, dict[str, Any]] = {
    "recursive": {"lags": [1, 2, 3, 4, 5, 6, 7, 14, 21, 28], "rolling_lags": [1, 7],
                  "rolling_windows": [7, 14, 28, 56], "target_transform": "local_scale",
                  "objective": "regression"},
    "lag7": _min_lag(7),
    "lag14": _min_lag(14),
    "lag21": _min_lag(21),
    "lag28": _min_lag(28),
}
# The ensemble of the previous version of this benchmark (kept as a row for comparison).
PREVIOUS = ("recursive", "lag28")
# Hierarchical (top-down) part of ours: one LightGBM on the 28 item-level series (the sum over
# the 10 stores, far less noisy), split to the stores by each store's share of the item's sales
# over the last SHARE_DAYS days, mixed into the bottom-level ensemble with TOPDOWN_WEIGHT.
ITEM_STATIC = ["item_id", "dept_id", "cat_id"]
ITEM_MEMBER: dict[str, Any] = {
    **COMMON, "static_features": ITEM_STATIC, **_min_lag(28),
    "params": {"tweedie_variance_power": 1.1, "num_leaves": 31, "min_child_samples": 20,
               "colsample_bytree": 0.7}}
SHARE_DAYS = 28
TOPDOWN_WEIGHT = 0.2
# Global neural part of ours: supplypilot's N-BEATS-style GlobalMLP (no calendar, no prices:
# only the last MLP_MEMBER["input_size"] days of each series, log1p scale), one net per seed,
# the median over the seeds, mixed into the LightGBM forecast with MLP_WEIGHT.
MLP_MEMBER: dict[str, Any] = {"input_size": 112, "history": 730, "width": 256, "blocks": 3,
                              "layers": 2, "steps": 2000, "batch": 512, "transform": "log1p"}
MLP_WEIGHT = 0.2
QUICK_MLP_STEPS = 50
STOPPED_ITEM = "FOODS_3_702"
VALIDATION_NOTE = (
    "Chosen before the test window was scored (module docstring), by the mean RMSSE over the "
    "validation window d_1914–d_1941 and two earlier 28-day origins (LightGBM seed 0, GlobalMLP "
    "3 seeds): ours (80 % LightGBM + 20 % GlobalMLP) 0.7347 (V 0.7765), the LightGBM mix alone "
    "(ours before the MLP) 0.7371 (V 0.7766), GlobalMLP alone 0.7721 (V 0.8216), ensemble of 15 "
    "alone 0.7387, previous ensemble 0.7414, mean of the last 28 days 0.7684. With 3 LightGBM "
    "seeds on V (`--window validation`, before the MLP): LightGBM mix 0.7765, ensemble of 15 "
    "0.7751, previous ensemble of 6 0.7766, top-down alone 0.7979.")
QUICK_ROUNDS = 20
QUICK_LEARNING_RATE = 0.2  # 20 rounds at 0.05 would stop far short of the data's level
QUICK_HISTORY_DAYS = 730  # --quick trains on the last two years only (scores still use all history)
SEEDS = (0, 1, 2)


# --------------------------------------------------------------------------- data


def m5_dir() -> Path:
    from supplypilot.config import data_dir

    return data_dir() / "forecasting" / "m5"


def series_ids(quick: bool) -> list[str]:
    """All 280 series, or every 14th of the sorted ids (20 across categories and stores)."""
    ids = sorted(pd.read_parquet(m5_dir() / "derived" / "m5_tiny280_daily.parquet",
                                 columns=["unique_id"])["unique_id"].unique())
    return ids[:: len(ids) // QUICK_SERIES][:QUICK_SERIES] if quick else ids


def load_frames(ids: list[str], end: pd.Timestamp = ORIGINS["test"]
                ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(train, future exogenous, actuals) for the 28 days after ``end``.

    Features: the static ids; ``sell_price`` and relative prices; the SNAP flag of the series'
    state; M5 events (:func:`supplypilot.forecast.features.event_features`). The price file
    is known only up to d_1913 here (SOURCES.md), so prices are carried forward from the last
    known week — information available at the forecast origin. Each training series starts
    at its first sale, the same history the RMSSE scale uses (leading zeros before an item is
    stocked are not demand).
    """
    from supplypilot.forecast.features import event_features

    df = pd.read_parquet(m5_dir() / "derived" / "m5_tiny280_daily.parquet")
    df = df[df["unique_id"].isin(ids)].sort_values(["unique_id", "ds"]).reset_index(drop=True)
    df["ds"] = df["ds"].astype("datetime64[ns]")
    df["y"] = df["y"].astype(float)
    price = df.groupby("unique_id", sort=False)["sell_price"].ffill()
    known = df["ds"] <= end
    df["sell_price"] = price
    df["price_norm"] = price / price.where(known).groupby(df["unique_id"]).transform("max")
    df["price_rel_item"] = price / price.where(known).groupby(df["item_id"]).transform("mean")
    df["price_change_7"] = price / price.groupby(df["unique_id"]).shift(7)
    df["snap"] = np.select([df["state_id"] == "CA", df["state_id"] == "TX"],
                           [df["snap_CA"], df["snap_TX"]], df["snap_WI"]).astype("int8")
    cal = df[["ds", "event_name_1", "event_type_1", "event_name_2", "event_type_2"]]
    cal = cal.drop_duplicates("ds").reset_index(drop=True)
    events = event_features(cal, date_col="ds").assign(ds=cal["ds"])
    df = df.merge(events, on="ds", how="left")
    cols = ["unique_id", "ds", "y", *STATIC, "sell_price", "price_norm", "price_rel_item",
            "price_change_7", "snap", *[c for c in events.columns if c != "ds"]]
    df = df[cols]
    train = df[df["ds"] <= end]
    first_sale = train[train["y"] > 0].groupby("unique_id")["ds"].min()
    train = train[train["ds"] >= train["unique_id"].map(first_sale)].reset_index(drop=True)
    horizon = (df["ds"] > end) & (df["ds"] <= end + pd.Timedelta(days=H))
    future = df[horizon].reset_index(drop=True)
    return train, future.drop(columns="y"), future[["unique_id", "ds", "y"]]


def rmsse(train: pd.DataFrame, actual: pd.DataFrame, forecast: dict[str, list[float]]) -> pd.Series:
    """M5 RMSSE per series; ``train`` must start at each series' first non-zero sale."""
    scale = train.groupby("unique_id")["y"].agg(
        lambda s: float(np.mean(np.diff(s.to_numpy()) ** 2)))
    out = {}
    for uid, y in actual.groupby("unique_id")["y"]:
        f = np.asarray(forecast[uid], dtype=float)
        out[uid] = float(np.sqrt(np.mean((y.to_numpy() - f) ** 2) / scale[uid]))
    return pd.Series(out)


def level12_weights(ids: list[str]) -> pd.Series:
    """Official M5 level-12 weights of these series, renormalised to sum to one."""
    w = pd.read_csv(m5_dir() / "weights_evaluation.csv")
    w = w[w["Level_id"] == "Level12"]
    w.index = w["Agg_Level_1"] + "_" + w["Agg_Level_2"]
    w = w["weight"].reindex(ids).fillna(0.0)
    return w / w.sum()


def official_scores() -> dict[str, dict[str, Any]]:
    """Official all-series WRMSSE (average over 12 levels, and level 12) of teams and benchmarks."""
    path = m5_dir() / "Scores and Ranks.xlsx"
    out: dict[str, dict[str, Any]] = {}
    with contextlib.suppress(Exception):
        for sheet, ranked in (("Accuracy-Top50 (AL)", True), ("Accuracy-Benchmarks (AL)", False)):
            t = pd.read_excel(path, sheet_name=sheet, header=None).iloc[2:]
            for row in t.itertuples(index=False):
                if isinstance(row[0], str) and pd.notna(row[13]):
                    out[row[0].strip()] = {
                        "official_avg": float(row[13]), "official_l12": float(row[12]),
                        "official_rank": int(row[26]) if ranked else None}
    return out


# --------------------------------------------------------------------------- references


def reference_forecasts(train: pd.DataFrame) -> dict[str, dict[str, list[float]]]:
    """Seasonal naive (7), naive and the mean of the last 28 days, computed here."""
    out: dict[str, dict[str, list[float]]] = {"snaive7": {}, "naive": {}, "ma28": {}}
    for uid, y in train.groupby("unique_id")["y"]:
        v = y.to_numpy()
        out["snaive7"][uid] = np.tile(v[-7:], H // 7).tolist()
        out["naive"][uid] = [float(v[-1])] * H
        out["ma28"][uid] = [float(v[-28:].mean())] * H
    return out


def submission_forecasts(ids: list[str]) -> dict[str, dict[str, list[float]]]:
    sub = pd.read_csv(m5_dir() / "derived" / "m5_tiny280_top50_submissions_eval.csv")
    sub = sub[sub["unique_id"].isin(ids)]
    cols = [f"F{i}" for i in range(1, H + 1)]
    return {team: {r.unique_id: list(r[cols]) for _, r in g.iterrows()}
            for team, g in sub.groupby("team")}


# --------------------------------------------------------------------------- measured models


def _members(args: argparse.Namespace) -> list[tuple[str, int, dict[str, Any]]]:
    out = []
    for name, cfg in MEMBERS.items():
        kw = {**COMMON, **cfg, "num_threads": args.threads}
        if args.quick:
            kw.update(n_estimators=QUICK_ROUNDS, learning_rate=QUICK_LEARNING_RATE)
        for seed in range(args.seeds):
            out.append((name, seed, {**kw, "seed": seed}))
    return out


def _run_lightgbm(args: argparse.Namespace, train: pd.DataFrame,
                  future: pd.DataFrame) -> dict[str, Any]:
    from supplypilot.forecast.models.ml import LightGBMForecaster

    forecasts: dict[str, dict[str, list[float]]] = {}
    seconds: dict[str, float] = {}
    if args.quick:
        train = train[train["ds"] > ORIGINS[args.window] - pd.Timedelta(days=QUICK_HISTORY_DAYS)]
    for name, seed, kw in _members(args):
        t0 = time.perf_counter()
        fc = LightGBMForecaster(alias="f", **kw).fit(train, freq="D").predict(H, X_df=future)
        seconds[f"{name}/seed{seed}"] = time.perf_counter() - t0
        forecasts[f"{name}/seed{seed}"] = {u: g["f"].tolist() for u, g in fc.groupby("unique_id")}
    t0 = time.perf_counter()
    topdown = _topdown(args, train, future)
    seconds["topdown"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    mlp = _globalmlp(args, train)
    seconds["globalmlp"] = time.perf_counter() - t0
    return {"members": forecasts, "topdown": topdown, "mlp": mlp, "member_seconds": seconds}


def _globalmlp(args: argparse.Namespace, train: pd.DataFrame) -> dict[str, list[float]]:
    """GlobalMLP on the item × store sales alone (one net per seed, median of the seeds)."""
    from supplypilot.forecast.models.neural import GlobalMLP

    kw = {**MLP_MEMBER, **({"steps": QUICK_MLP_STEPS} if args.quick else {})}
    model = GlobalMLP(h=H, seeds=args.seeds, seed=0, num_threads=args.threads, alias="f", **kw)
    fc = model.fit(train[["unique_id", "ds", "y"]], freq="D").predict(H)
    return {u: g["f"].tolist() for u, g in fc.groupby("unique_id")}


def item_frames(train: pd.DataFrame, future: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The item-level series (sum over the stores) with item-level exogenous features.

    Price features are the mean over the stores, ``n_snap`` the number of stores on a SNAP day;
    events are shared by all stores. Each item's history starts at its first sale.
    """
    events = [c for c in train.columns if c.startswith(("event_", "days_"))]
    both = pd.concat([train, future.assign(y=np.nan)], ignore_index=True)
    agg = both.groupby(["item_id", "ds"], sort=True).agg(
        y=("y", lambda v: v.sum(min_count=1)), dept_id=("dept_id", "first"),
        cat_id=("cat_id", "first"), sell_price=("sell_price", "mean"),
        price_norm=("price_norm", "mean"), price_change_7=("price_change_7", "mean"),
        n_snap=("snap", "sum"), **{c: (c, "first") for c in events}).reset_index()
    agg.insert(0, "unique_id", agg["item_id"])
    end = train["ds"].max()
    tr = agg[agg["ds"] <= end]
    first = tr[tr["y"] > 0].groupby("unique_id")["ds"].min()
    tr = tr[tr["ds"] >= tr["unique_id"].map(first)].reset_index(drop=True)
    return tr, agg[agg["ds"] > end].drop(columns="y").reset_index(drop=True)


def store_shares(train: pd.DataFrame, days: int = SHARE_DAYS) -> pd.Series:
    """Each series' share of its item's sales over the last ``days`` days (0 when none sold)."""
    recent = train[train["ds"] > train["ds"].max() - pd.Timedelta(days=days)]
    sales = recent.groupby(["item_id", "unique_id"])["y"].sum()
    total = sales.groupby(level="item_id").transform("sum")
    share = (sales / total.where(total > 0)).fillna(0.0).droplevel("item_id")
    return share.reindex(train["unique_id"].unique(), fill_value=0.0)


def _topdown(args: argparse.Namespace, train: pd.DataFrame,
             future: pd.DataFrame) -> dict[str, list[float]]:
    """Item-level LightGBM (mean over the seeds), split to the stores by their recent shares."""
    from supplypilot.forecast.models.ml import LightGBMForecaster

    itr, ifu = item_frames(train, future)
    kw = {**ITEM_MEMBER, "num_threads": args.threads}
    if args.quick:
        kw.update(n_estimators=QUICK_ROUNDS, learning_rate=QUICK_LEARNING_RATE)
    item_fc = []
    for seed in range(args.seeds):
        fc = LightGBMForecaster(alias="f", **{**kw, "seed": seed}).fit(itr, freq="D")
        item_fc.append(fc.predict(H, X_df=ifu).set_index(["unique_id", "ds"])["f"])
    item = pd.concat(item_fc, axis=1).mean(axis=1)
    share = store_shares(train)
    item_of = train.groupby("unique_id")["item_id"].first()
    return {u: (item.loc[item_of[u]].to_numpy() * share[u]).tolist() for u in item_of.index}


STATS_MODELS = ("ADIDA", "CrostonSBA", "TSB", "AutoETS")


def _run_stats(name: str, train: pd.DataFrame) -> dict[str, Any]:
    from statsforecast import StatsForecast
    from statsforecast import models as sm

    model = {"ADIDA": sm.ADIDA(), "CrostonSBA": sm.CrostonSBA(),
             "TSB": sm.TSB(alpha_d=0.2, alpha_p=0.2), "AutoETS": sm.AutoETS(season_length=7)}[name]
    sf = StatsForecast(models=[model], freq="D", n_jobs=1)
    fc = sf.forecast(df=train[["unique_id", "ds", "y"]], h=H)
    col = [c for c in fc.columns if c not in ("unique_id", "ds")][0]
    return {"members": {name: {u: g[col].tolist() for u, g in fc.groupby("unique_id")}}}


def run_one(name: str, args: argparse.Namespace) -> dict[str, Any]:
    """One measured model in this (fresh) process: forecasts, wall time, peak memory."""
    ids = series_ids(args.quick)
    train, future, _ = load_frames(ids, ORIGINS[args.window])
    if name == "lightgbm":
        import lightgbm  # noqa: F401  (import cost is not part of the measurement)
        import mlforecast  # noqa: F401
    else:
        import statsforecast  # noqa: F401
    gc.collect()
    method = measure.reset_peak()
    rss_before = measure.rss()
    t0 = time.perf_counter()
    out = _run_lightgbm(args, train, future) if name == "lightgbm" else _run_stats(name, train)
    out["seconds"] = time.perf_counter() - t0
    out["peak_rss"] = measure.peak(method)
    out["peak_delta"] = max(0, out["peak_rss"] - rss_before)
    out["memory_method"] = method
    return out










def _spawn(name: str, args: argparse.Namespace, work: Path) -> dict[str, Any]:
    result = work / f"{name}.json"
    cmd = [sys.executable, str(Path(__file__).resolve()), "--one", name, "--result", str(result),
           "--seeds", str(args.seeds), "--threads", str(args.threads)]
    if args.quick:
        cmd.append("--quick")
    cmd += ["--window", args.window]
    proc = subprocess.run(cmd, stdout=sys.stderr, stderr=sys.stderr, check=False)
    if proc.returncode != 0 or not result.exists():
        return {"error": f"measurement process exited with status {proc.returncode}"}
    return json.loads(result.read_text())


# --------------------------------------------------------------------------- orchestration


def _row(name: str, label: str, kind: str, scores: pd.Series | None, weights: pd.Series,
         **extra: Any) -> dict[str, Any]:
    r: dict[str, Any] = {"name": name, "label": label, "kind": kind, **extra}
    if scores is not None:
        r["mean_rmsse"] = float(scores.mean())
        r["weighted_rmsse"] = float((scores * weights.reindex(scores.index)).sum())
        r["per_series"] = {k: round(v, 6) for k, v in scores.items()}
    return r


def run_all(args: argparse.Namespace) -> int:
    from rich.console import Console

    console = Console(stderr=args.json, width=None if sys.stderr.isatty() else 160)
    ids = series_ids(args.quick)
    end = ORIGINS[args.window]
    train, future, actual = load_frames(ids, end)
    weights = level12_weights(ids)
    official = official_scores() if args.window == "test" else {}
    console.print(f"M5 {args.window} window: 28 days after {end.date()}, {len(ids)} series "
                  f"({len(train):,} training rows)", highlight=False)
    rows = []
    refs = reference_forecasts(train)
    for key, label in (("snaive7", "Seasonal naive (7) — reference"), ("naive", "Naive"),
                       ("ma28", "Mean of the last 28 days")):
        extra = official.get({"snaive7": "sNaive", "naive": "Naive"}.get(key, ""), {})
        scores = rmsse(train, actual, refs[key])
        rows.append(_row(key, label, "reference", scores, weights, **extra))
    submissions = submission_forecasts(ids) if args.window == "test" else {}
    for team, fc in sorted(submissions.items(), key=lambda kv: SUBMISSION_RANKS.get(kv[0], 99)):
        rank = SUBMISSION_RANKS.get(team)
        rows.append(_row(f"m5_{rank}", f"M5 #{rank} {team} (submission)", "submission",
                         rmsse(train, actual, fc), weights, **official.get(team, {})))
    measured = ["lightgbm"] + ([] if not args.stats else list(STATS_MODELS))
    load_before = measure.loadavg()
    with tempfile.TemporaryDirectory(prefix="supplypilot-m5-") as tmp:
        for name in measured:
            console.print(f"· {name} …", highlight=False)
            res = _spawn(name, args, Path(tmp))
            timing = {k: res.get(k) for k in ("seconds", "peak_rss", "peak_delta", "memory_method")}
            if res.get("error"):
                kind = "ours" if name == "lightgbm" else "context"
                rows.append({"name": name, "label": name, "kind": kind, "error": res["error"]})
                continue
            if name == "lightgbm":
                rows.extend(_lightgbm_rows(res, train, actual, weights, timing))
            else:
                fc = res["members"][name]
                rows.append(_row(f"sf_{name}", f"statsforecast {name}", "context",
                                 rmsse(train, actual, fc), weights, **timing))
    doc = {
        "settings": {
            "series": len(ids), "quick": bool(args.quick), "seeds": args.seeds,
            "threads": args.threads,
            "members": {k: {**COMMON, **v, **({"n_estimators": QUICK_ROUNDS,
                                                  "learning_rate": QUICK_LEARNING_RATE}
                                                 if args.quick else {})}
                        for k, v in MEMBERS.items()},
            "topdown": {"item_member": ITEM_MEMBER, "share_days": SHARE_DAYS,
                        "mix_weight": TOPDOWN_WEIGHT},
            "globalmlp": {**MLP_MEMBER, **({"steps": QUICK_MLP_STEPS} if args.quick else {}),
                          "mix_weight": MLP_WEIGHT},
            "train_rows": len(train), "window": args.window, "train_end": str(end.date()),
            "horizon": H,
            "date": dt.datetime.now().isoformat(timespec="seconds"),
            "load_average_1m": {"before": load_before, "after": measure.loadavg()},
            "machine": _machine(), "versions": _versions(),
        },
        "results": rows,
        "goal": _goal(rows, len(ids), args.window),
    }
    console.print(_rich_table(doc))
    for line in _footer_lines(doc):
        console.print(line, highlight=False, markup=False)
    if not args.no_save and not args.quick and args.window == "test":
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(_markdown(doc), encoding="utf-8")
        console.print(f"saved {RESULTS}", highlight=False)
    if args.json:
        print(json.dumps(doc, indent=2, default=str))
    return 0 if all(not r.get("error") for r in rows) else 1


def _ensemble(members: dict[str, dict[str, list[float]]],
              names: list[str] | None = None) -> dict[str, list[float]]:
    names = list(members) if names is None else names
    uids = sorted(members[names[0]])
    return {u: np.mean([members[m][u] for m in names], axis=0).tolist() for u in uids}


def _lightgbm_rows(res: dict[str, Any], train: pd.DataFrame, actual: pd.DataFrame,
                   weights: pd.Series, timing: dict[str, Any]) -> list[dict[str, Any]]:
    members, topdown, secs = res["members"], res["topdown"], res["member_seconds"]
    mlp = res["mlp"]
    bottom = _ensemble(members)
    w, wm = TOPDOWN_WEIGHT, MLP_WEIGHT
    lgb = {u: ((1 - w) * np.asarray(bottom[u]) + w * np.asarray(topdown[u])).tolist()
           for u in bottom}
    ours = {u: ((1 - wm) * np.asarray(lgb[u]) + wm * np.asarray(mlp[u])).tolist() for u in lgb}
    lgb_label = f"{1 - w:.0%} ensemble of {len(members)} + {w:.0%} top-down"
    rows = [_row("lightgbm", f"SupplyPilot {1 - wm:.0%} LightGBM ({lgb_label}) + {wm:.0%} "
                             "GlobalMLP (ours)",
                 "ours", rmsse(train, actual, ours), weights, **timing),
            _row("lightgbm_nomlp", f"  · LightGBM alone, {lgb_label} (ours before the MLP)",
                 "ours", rmsse(train, actual, lgb), weights,
                 seconds=sum(v for k, v in secs.items() if k != "globalmlp")),
            _row("globalmlp", f"  · GlobalMLP alone (N-BEATS-style, {len(members) // len(MEMBERS)}"
                              "-seed median, sales only)", "ours",
                 rmsse(train, actual, mlp), weights, seconds=secs["globalmlp"]),
            _row("lightgbm_bottom", f"  · ensemble of {len(members)} item × store fits alone",
                 "ours", rmsse(train, actual, bottom), weights,
                 seconds=sum(v for k, v in secs.items() if k not in ("topdown", "globalmlp"))),
            _row("lightgbm_topdown", f"  · top-down alone (item-level LightGBM × {SHARE_DAYS}-day "
                                     "shares)", "ours", rmsse(train, actual, topdown),
                 weights, seconds=secs["topdown"])]
    groups: dict[str, list[str]] = {}
    for m in members:
        groups.setdefault(m.split("/")[0], []).append(m)
    previous = [m for g in PREVIOUS for m in groups.get(g, [])]
    if len(previous) < len(members) and all(g in groups for g in PREVIOUS):
        rows.append(_row("lightgbm_previous",
                         f"  · previous ensemble ({' + '.join(PREVIOUS)}, {len(previous)} fits)",
                         "ours", rmsse(train, actual, _ensemble(members, previous)), weights,
                         seconds=sum(secs[m] for m in previous)))
    for group, names in groups.items():
        rows.append(_row(f"lightgbm_{group}", f"  · member {group!r}, {len(names)} seed(s)", "ours",
                         rmsse(train, actual, _ensemble(members, names)), weights,
                         seconds=sum(secs[m] for m in names)))
        if len(names) > 1:
            single = rmsse(train, actual, members[names[0]])
            rows.append(_row(f"lightgbm_{group}_seed0", f"    · {group!r} seed 0 alone", "ours",
                             single, weights, seconds=secs[names[0]]))
    return rows


def _goal(rows: list[dict[str, Any]], n_series: int, window: str) -> dict[str, Any]:
    applies = n_series == 280 and window == "test"
    ours = next((r for r in rows if r["name"] == "lightgbm" and "mean_rmsse" in r), None)
    if ours is None:
        return {"target": GOAL, "met": False, "applies": applies}
    out = {"target": GOAL, "mean_rmsse": ours["mean_rmsse"], "met": ours["mean_rmsse"] <= GOAL,
           "applies": applies}
    # Reporting only (nothing is chosen on it): the item that stops selling mid-window.
    rank10 = next((r for r in rows if r["name"] == "m5_10" and "per_series" in r), None)
    if rank10 is not None:
        def without(r: dict[str, Any]) -> float:
            return float(np.mean([v for k, v in r["per_series"].items()
                                  if not k.startswith(STOPPED_ITEM)]))
        out["without_stopped_item"] = {"item": STOPPED_ITEM, "ours": without(ours),
                                       "rank10": without(rank10)}
    return out




def _versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for mod in ("numpy", "pandas", "lightgbm", "mlforecast", "statsforecast"):
        with contextlib.suppress(Exception):
            out[mod] = __import__(mod).__version__
    return out


def _machine() -> dict[str, Any]:
    import psutil

    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {"cpu": cpu, "logical_cores": os.cpu_count(),
            "memory_gb": round(psutil.virtual_memory().total / 2**30, 1)}


# --------------------------------------------------------------------------- output

HEADERS = ["forecast", "mean RMSSE", "weighted RMSSE", "vs sNaive",
           "official WRMSSE avg / L12 (rank)", "seconds", "peak RSS MB"]


def _fmt_row(r: dict[str, Any], ref: float | None) -> list[str]:
    if r.get("error"):
        return [r["label"], "failed", "—", "—", "—", "—", "—"]
    m = r.get("mean_rmsse")
    official = "—"
    if r.get("official_avg") is not None:
        official = f"{r['official_avg']:.3f} / {r['official_l12']:.3f}"
        if r.get("official_rank"):
            official += f" (#{r['official_rank']})"
    rel = f"{m / ref:.3f}" if m is not None and ref else "—"
    secs = f"{r['seconds']:.1f}" if r.get("seconds") is not None else "—"
    peak = f"{r['peak_rss'] / 2**20:,.0f}" if r.get("peak_rss") else "—"
    return [r["label"], f"{m:.4f}" if m is not None else "—",
            f"{r['weighted_rmsse']:.4f}" if m is not None else "—", rel, official, secs, peak]


def _ref(doc: dict[str, Any]) -> float | None:
    return next((r.get("mean_rmsse") for r in doc["results"] if r["name"] == "snaive7"), None)


def _settings_line(doc: dict[str, Any]) -> str:
    s = doc["settings"]
    m, load = s["machine"], s["load_average_1m"]
    vers = ", ".join(f"{k} {v}" for k, v in s["versions"].items())
    return (f"{s['series']} series, {s['window']} window, train to {s['train_end']} "
            f"({s['train_rows']:,} rows), h={s['horizon']}, {s['seeds']} seed(s) per member, "
            f"{s['threads']} thread(s) · {m['cpu']}, {m['logical_cores']} "
            f"logical cores, {m['memory_gb']} GB RAM, 1-min load {load['before']} before / "
            f"{load['after']} after (shared machine) · {vers}")


def _footer_lines(doc: dict[str, Any]) -> list[str]:
    g = doc["goal"]
    lines = []
    if "mean_rmsse" in g and g["applies"]:
        lines.append(f"Goal mean RMSSE ≤ {g['target']:.2f}: {g['mean_rmsse']:.4f} — "
                     f"{'met' if g['met'] else 'NOT met'}.")
        w = g.get("without_stopped_item")
        if w:
            lines.append(f"Without the 10 {w['item']} series (sold well, then next to nothing from the "
                         f"11th test day on; reported, not treated specially): ours "
                         f"{w['ours']:.4f}, M5 #10 {w['rank10']:.4f}.")
    if doc["settings"]["window"] == "test":
        lines.append(VALIDATION_NOTE)
    else:
        lines.append(f"Goal (mean RMSSE ≤ {g['target']:.2f} on the 280 series, test window): "
                     "not assessed by this run.")
    lines.append("RMSSE as in the M5 guide (scale: mean squared one-step difference of the "
                 "history from the first non-zero sale), averaged over series; 'weighted' uses the "
                 "official level-12 weights renormalised over these series. 'vs sNaive' = mean "
                 "RMSSE ÷ that of seasonal naive. Official WRMSSE = the competition's all-series "
                 "score (30,490 series, 12 levels), from 'Scores and Ranks.xlsx': context only, "
                 "not comparable with the columns before it.")
    lines.append("Prices after d_1913 are carried forward from the last known week (the price "
                 "file is not available beyond it). Timing: wall seconds of fit + predict in a "
                 "fresh process (imports and data loading excluded); peak RSS = VmHWM of that "
                 "process after resetting it just before the timed section. Submissions and "
                 "simple references are not timed.")
    return lines


def _rich_table(doc: dict[str, Any]) -> Any:
    from rich.table import Table

    s = doc["settings"]
    table = Table(title=f"SupplyPilot forecasting benchmark — M5, {s['window']} window "
                        f"(28 days after {s['train_end']})",
                  caption=_settings_line(doc), caption_justify="left")
    for i, h in enumerate(HEADERS):
        table.add_column(h, justify="left" if i == 0 else "right")
    ref = _ref(doc)
    for r in doc["results"]:
        style = "bold" if r["name"] == "lightgbm" else None
        table.add_row(*_fmt_row(r, ref), style=style)
    return table


def _markdown(doc: dict[str, Any]) -> str:
    s = doc["settings"]
    ref = _ref(doc)
    out = ["# Forecasting benchmark — M5 (280 series)", "",
           f"Generated by `benchmarks/forecast_m5.py` on {s['date']}.", "",
           "| " + " | ".join(HEADERS) + " |",
           "| " + " | ".join(["---"] + ["---:"] * (len(HEADERS) - 1)) + " |"]
    for r in doc["results"]:
        cells = _fmt_row(r, ref)
        if r["name"] == "lightgbm":
            cells = [f"**{c}**" if c not in ("—", "") else c for c in cells]
        out.append("| " + " | ".join(cells) + " |")
    out += ["", "**Settings:** " + _settings_line(doc), ""]
    out += [f"- {line}" for line in _footer_lines(doc)]
    out += ["", "**Members of the ensemble** (`LightGBMForecaster` keyword arguments):", ""]
    for name, kw in s["members"].items():
        out.append(f"- `{name}`: `{json.dumps(kw, default=str)}`")
    td = s["topdown"]
    out += ["", f"**Top-down part** (mean over the seeds): item-level `LightGBMForecaster` "
                f"`{json.dumps(td['item_member'], default=str)}` on the 28 item sums, each store "
                f"given its share of the item's sales over the last {td['share_days']} days; "
                f"ours is {1 - td['mix_weight']:.0%} bottom ensemble + {td['mix_weight']:.0%} "
                "top-down.", ""]
    mlp = {k: v for k, v in s["globalmlp"].items() if k != "mix_weight"}
    out += [f"**Neural part:** `GlobalMLP` `{json.dumps(mlp, default=str)}` (h = 28, one net per "
            f"seed, median over the seeds) on the item × store sales alone; ours is "
            f"{1 - s['globalmlp']['mix_weight']:.0%} of the LightGBM forecast above + "
            f"{s['globalmlp']['mix_weight']:.0%} GlobalMLP.", ""]
    return "\n".join(out)


# --------------------------------------------------------------------------- CLI


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true",
                   help=f"{QUICK_SERIES} series, {QUICK_ROUNDS} boosting rounds, no statsforecast "
                        "(tests)")
    p.add_argument("--seeds", type=int,
                   help=f"seeds per ensemble member (default {len(SEEDS)}; 1 with --quick)")
    p.add_argument("--threads", type=int,
                   help="LightGBM threads (default 1: on the shared 2-core machine two threads "
                        "ran a fit ~5x slower than one, waiting for each other)")
    p.add_argument("--stats", action=argparse.BooleanOptionalAction, default=None,
                   help="run the statsforecast baselines (default: on, off with --quick)")
    p.add_argument("--window", choices=sorted(ORIGINS), default="test",
                   help="test: the official window d_1942–d_1969 (default); validation: "
                        "d_1914–d_1941, used to choose the ensemble (no submissions exist for it)")
    p.add_argument("--json", action="store_true", help="JSON on stdout (the table goes to stderr)")
    p.add_argument("--no-save", action="store_true",
                   help=f"do not write {RESULTS.relative_to(HERE.parent)}")
    p.add_argument("--one", help=argparse.SUPPRESS)
    p.add_argument("--result", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.seeds is None:
        args.seeds = 1 if args.quick else len(SEEDS)
    if args.stats is None:
        args.stats = not args.quick
    if args.threads is None:
        args.threads = 1
    if args.seeds < 1 or args.threads < 1:
        p.error("--seeds and --threads must be positive")
    if args.one:
        out = run_one(args.one, args)
        Path(args.result).write_text(json.dumps(out, default=float))
        return 0
    return run_all(args)


if __name__ == "__main__":
    sys.exit(main())
