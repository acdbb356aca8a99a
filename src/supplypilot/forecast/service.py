"""Forecast what is in the store: the one function behind the CLI, the API, the copilot and the demo.

``forecast_store`` reads the stored history at the level asked (item, item × location, family,
total), lets rolling-origin cross-validation pick a model per series among cheap, robust
candidates (or runs the one model asked for), and returns forecasts with intervals, the reason
for each pick, and a plot per series. Every number a caller shows comes from here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from supplypilot.data.store import Store
from supplypilot.errors import InputError
from supplypilot.forecast.core import Forecaster
from supplypilot.forecast.history import Level, demand_frame
from supplypilot.forecast.selection import select_models

log = logging.getLogger("supplypilot")

SEASON = 7  # daily data: the week is the season that matters in retail and electronics sales


def _stat(name: str) -> Callable[[], Any]:
    from supplypilot.forecast.models import statistical as st

    return {
        "Naive": lambda: st.Naive(),
        "SeasonalNaive": lambda: st.SeasonalNaive(season_length=SEASON),
        "AutoETS": lambda: st.AutoETS(season_length=SEASON),
        "AutoTheta": lambda: st.AutoTheta(season_length=SEASON),
        "AutoARIMA": lambda: st.AutoARIMA(season_length=SEASON),
        "CrostonOptimized": lambda: st.CrostonOptimized(),
        "TSB": lambda: st.TSB(alpha_d=0.2, alpha_p=0.2),
        "IMAPA": lambda: st.IMAPA(),
        "ADIDA": lambda: st.ADIDA(),
    }[name]


def _global(name: str) -> Callable[[], Any]:
    if name == "LightGBM":
        from supplypilot.forecast.models.ml import LightGBMForecaster

        return lambda: LightGBMForecaster(alias="LightGBM", seed=0)
    from supplypilot.forecast.models.chinchilla import Chinchilla

    return lambda: Chinchilla(alias="Chinchilla", seed=0, max_epochs=30)


MODELS: tuple[str, ...] = ("SeasonalNaive", "AutoETS", "AutoTheta", "AutoARIMA", "CrostonOptimized",
                           "TSB", "IMAPA", "ADIDA", "Naive", "LightGBM", "Chinchilla")
AUTO: tuple[str, ...] = ("SeasonalNaive", "AutoETS", "AutoTheta", "CrostonOptimized", "TSB")
"""Candidates of ``model="auto"``: seasonal and intermittent-demand methods, all fast."""
ENSEMBLE_TOP_K = 3
"""``model="auto"`` forecasts each series with the inverse-MASE mix of its best three candidates.

Combining beats picking: on the electronics sample (17 item series, a 28-day window held out
after the cross-validation) the per-series pick scored MASE 0.832, the mix of the best two 0.788
and of the best three 0.779 (``benchmarks/results/forecast_auto.md``); the M4 literature (Makridakis
et al. 2020) finds the same."""


def make_model(name: str) -> Any:
    """A fresh model object for a catalogue name."""
    if name not in MODELS:
        raise InputError(f"The 'model' parameter of forecast must be one of {['auto', *MODELS]}. "
                         f"Got {name!r} instead.", where="model")
    return (_global(name) if name in ("LightGBM", "Chinchilla") else _stat(name))()


@dataclass
class StoreForecast:
    """Forecasts of stored series with the evidence behind them.

    Attributes
    ----------
    history
        The series forecast from (``unique_id, ds, y, price, promo``).
    forecasts
        ``unique_id, ds, forecast, forecast-lo-<l>, forecast-hi-<l>, model``.
    choice
        One row per series: ``unique_id, model, score, runner_up, runner_up_score, reason``.
    plots
        PNG paths by series.
    """

    history: pd.DataFrame
    forecasts: pd.DataFrame
    choice: pd.DataFrame
    level: Level
    horizon: int
    levels: list[int]
    metric: str
    plots: dict[str, str] = field(default_factory=dict)

    def totals(self) -> pd.DataFrame:
        """Forecast summed over the horizon per series, with the recent actuals for comparison."""
        h = self.horizon
        recent = (self.history.sort_values("ds").groupby("unique_id").tail(h)
                  .groupby("unique_id")["y"].sum().rename("last_period_actual"))
        total = self.forecasts.groupby("unique_id")["forecast"].sum().rename("forecast_total")
        out = pd.concat([total, recent], axis=1).reset_index()
        out["change_pct"] = 100 * (out["forecast_total"] / out["last_period_actual"].replace(0, np.nan) - 1)
        return out


def forecast_store(
    store: Store,
    items: Sequence[str] | None = None,
    locations: Sequence[str] | None = None,
    *,
    level: Level = "item",
    horizon: int = 28,
    levels: Sequence[int] = (80, 95),
    model: str = "auto",
    cv_windows: int = 2,
    start: str | None = None,
    plot_dir: str | Path | None = None,
    max_plots: int = 6,
) -> StoreForecast:
    """Forecast stored demand ``horizon`` days ahead with intervals at ``levels``.

    ``model="auto"`` runs rolling-origin cross-validation (``cv_windows`` windows of
    ``horizon`` days) over :data:`AUTO` and forecasts each series with the inverse-MASE
    weighted mix of its :data:`ENSEMBLE_TOP_K` best models (intervals mixed the same way); the
    reason names the members, their weights and scores, and the best single model.
    """
    if not isinstance(horizon, int) or not 1 <= horizon <= 365:
        raise InputError(f"The 'horizon' parameter of forecast must be an int in [1, 365]. Got {horizon!r} instead.",
                         where="horizon")
    history = demand_frame(store, items, locations, level=level, start=start, min_days=2 * SEASON)
    y = history[["unique_id", "ds", "y"]]
    lengths = y.groupby("unique_id").size()
    need = horizon * (cv_windows + 1) + 2 * SEASON
    names = list(AUTO) if model == "auto" else [model]
    models = [make_model(n) for n in names]
    fc = Forecaster(models=models, freq="D", fallback_model=_stat("Naive")())
    sel = None
    if model == "auto" and (lengths >= need).all():
        cv = fc.cross_validation(h=horizon, df=y, n_windows=cv_windows, step_size=horizon)
        sel = select_models(cv, y, metric="mase", season_length=SEASON, top_k=ENSEMBLE_TOP_K)
        choice = _ensemble_choice(sel, cv_windows, horizon)
    else:
        why = (f"{names[0]} as asked" if model != "auto" else
               f"{names[0]}: too little history for cross-validation (need {need} days)")
        choice = pd.DataFrame({"unique_id": lengths.index, "model": names[0], "score": np.nan,
                               "runner_up": None, "runner_up_score": np.nan,
                               "reason": [f"{why} for {u}." for u in lengths.index]})
    pred = fc.fit(y).predict(h=horizon, level=list(levels))
    if sel is not None:
        pred = sel.apply(pred, ensemble=ENSEMBLE_COLUMN, level=list(levels))
        pick = pd.Series(ENSEMBLE_COLUMN, index=pred.index)
    else:
        pick = pred["unique_id"].map(choice.set_index("unique_id")["model"])
    out = pd.DataFrame({"unique_id": pred["unique_id"], "ds": pred["ds"]})
    sfx = [""] + [f"-{b}-{lv}" for lv in levels for b in ("lo", "hi")]
    for s in sfx:
        vals = np.full(len(pred), np.nan)
        for m in pick.unique():
            mask = (pick == m).to_numpy()
            vals[mask] = pred.loc[mask, m + s].to_numpy(dtype=float)
        # demand is never negative: clip the point forecast and the bands at zero
        out["forecast" + s] = np.clip(vals, 0.0, None)
    out["model"] = pred["unique_id"].map(choice.set_index("unique_id")["model"]).to_numpy()
    result = StoreForecast(history=history, forecasts=out, choice=choice, level=level, horizon=horizon,
                           levels=list(levels), metric="MASE")
    if plot_dir is not None:
        result.plots = _plots(result, Path(plot_dir), max_plots)
    return result


ENSEMBLE_COLUMN = "Ensemble"


def _ensemble_choice(sel: Any, cv_windows: int, horizon: int) -> pd.DataFrame:
    """One row per series: the mix as its model label, and a reason with weights and scores."""
    scores = sel.scores.set_index(["unique_id", "model"])["score"]
    rows = []
    for uid, g in sel.weights.sort_values(["unique_id", "weight"], ascending=[True, False]).groupby("unique_id"):
        best = sel.chosen.set_index("unique_id").loc[uid]
        members = list(g["model"])
        label = f"Ensemble({' + '.join(members)})"
        parts = ", ".join(f"{m} {w:.2f} (MASE {scores[(uid, m)]:.2f})"
                          for m, w in zip(g["model"], g["weight"], strict=True))
        n = sel.scores[sel.scores["unique_id"] == uid]["model"].nunique()
        reason = (f"{label} for {uid}, weighted by 1/MASE over {cv_windows} cross-validation windows of "
                  f"{horizon} days: {parts}; the {len(members)} best of {n} candidates, since a mix of the "
                  f"best is usually more accurate than the single best ({best['model']}).")
        rows.append({"unique_id": uid, "model": label, "score": float(best["score"]),
                     "runner_up": best["runner_up"], "runner_up_score": best["runner_up_score"],
                     "reason": reason})
    return pd.DataFrame(rows)


def _plots(res: StoreForecast, folder: Path, max_plots: int) -> dict[str, str]:
    from supplypilot.forecast.plotting import plot_forecast

    folder.mkdir(parents=True, exist_ok=True)
    paths: dict[str, str] = {}
    totals = res.forecasts.groupby("unique_id")["forecast"].sum().sort_values(ascending=False)
    for uid in list(totals.index)[:max_plots]:
        safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in str(uid))
        path = folder / f"forecast_{safe}.png"
        hist = res.history[res.history["unique_id"] == uid].tail(180)[["unique_id", "ds", "y"]]
        plot_forecast(hist, res.forecasts, uid, models=["forecast"], level=res.levels, path=path)
        paths[str(uid)] = str(path)
    return paths
