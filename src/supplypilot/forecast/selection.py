"""Model selection and ensembling by rolling-origin cross-validation.

No single model wins on every series (M4's main finding): a planner's fast movers follow
exponential smoothing, its spare parts follow Croston. :func:`select_models` reads the output
of :meth:`Forecaster.cross_validation`, scores every model on every series (mean over the
windows of a scaled error, MASE by default, so that series of different size weigh the same),
and decides two things per series:

- **Best**: the model with the lowest score;
- **Ensemble**: weights proportional to ``1 / score`` over the ``top_k`` best models — a
  combination is usually more accurate than any single pick (M4's top entries were
  combinations) and inverse-error weights lean it towards the models that did well here.

:meth:`Selection.apply` turns forecasts into ``Best`` and ``Ensemble`` columns; bounds of the
ensemble are the same weighted average of the members' bounds (quantile averaging).
:meth:`Selection.report` says, per series, what was picked and why, in a sentence.

Examples
--------
>>> cv = forecaster.cross_validation(h=13, df=history, n_windows=3, step_size=13)  # doctest: +SKIP
>>> sel = select_models(cv, history, metric="mase")                                 # doctest: +SKIP
>>> sel.apply(forecaster.forecast(13, history))                                     # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from supplypilot.errors import InputError
from supplypilot.forecast.metrics import evaluate

__all__ = ["Selection", "select_models"]

_LABELS = {"mase": "MASE", "rmsse": "RMSSE", "smape": "sMAPE", "mae": "MAE", "rmse": "RMSE",
           "wape": "WAPE"}


@dataclass(frozen=True)
class Selection:
    """What :func:`select_models` decided, and the evidence.

    Attributes
    ----------
    metric
        The score used (lower is better).
    scores
        ``unique_id, model, score, n_windows``: mean score over the windows.
    chosen
        ``unique_id, model, score, runner_up, runner_up_score, n_windows``.
    weights
        ``unique_id, model, weight``: ensemble weights, summing to 1 per series.
    id_col
        Name of the series column.
    """

    metric: str
    scores: pd.DataFrame
    chosen: pd.DataFrame
    weights: pd.DataFrame
    id_col: str = "unique_id"

    def report(self) -> pd.DataFrame:
        """One row per series: the pick, its score, the runner-up, the ensemble and a sentence."""
        label = _LABELS.get(self.metric, self.metric)
        mix = (self.weights.sort_values([self.id_col, "weight"], ascending=[True, False])
               .groupby(self.id_col, sort=False)
               .apply(lambda g: ", ".join(f"{m} {w:.2f}" for m, w in zip(g["model"], g["weight"],
                                                                          strict=True)),
                      include_groups=False)
               .rename("ensemble"))
        rep = self.chosen.merge(mix, left_on=self.id_col, right_index=True, how="left")
        reasons = []
        for r in rep.itertuples(index=False):
            uid, model = getattr(r, self.id_col), r.model
            windows = f"{r.n_windows} window{'s' if r.n_windows != 1 else ''}"
            text = f"{model} chosen for {uid}: lowest {label} {r.score:.2f} over {windows}"
            if isinstance(r.runner_up, str):
                text += f" vs {r.runner_up} {r.runner_up_score:.2f}"
            reasons.append(text + f". Ensemble weights (1/{label}): {r.ensemble}.")
        return rep.assign(reason=reasons)

    def summary(self) -> str:
        """How often each model was picked, in one line."""
        counts = self.chosen["model"].value_counts()
        picks = ", ".join(f"{m} {n}" for m, n in counts.items())
        return (f"Selection by {_LABELS.get(self.metric, self.metric)} over "
                f"{len(self.chosen)} series: {picks}.")

    def __str__(self) -> str:
        return self.summary()

    def apply(self, forecasts: pd.DataFrame, best: str = "Best", ensemble: str = "Ensemble",
              level: Sequence[int | float] | None = None) -> pd.DataFrame:
        """Add the per-series pick and the weighted ensemble as two more model columns.

        Parameters
        ----------
        forecasts
            Output of :meth:`Forecaster.predict` (or ``cross_validation``) with the model
            columns that were scored.
        best, ensemble
            Names of the two new columns.
        level
            Interval levels to carry over (``<best>-lo-<l>`` ...).
        """
        uid = self.id_col
        if uid not in forecasts.columns:
            raise InputError(f"Selection.apply: forecasts must have the column {uid!r}.",
                             where=f"column {uid!r}")
        unknown = sorted(set(forecasts[uid]) - set(self.chosen[uid]))
        if unknown:
            raise InputError(f"Selection.apply: series {unknown[0]!r} was not part of the "
                             "selection.",
                             where=f"series {unknown[0]!r}")
        out = forecasts.copy()
        pick = out[uid].map(self.chosen.set_index(uid)["model"])
        suffixes = [""] + [f"-{b}-{lv}" for lv in (level or []) for b in ("lo", "hi")]
        w = self.weights.pivot(index=uid, columns="model", values="weight").fillna(0.0)
        members = list(w.columns)
        row_w = w.reindex(out[uid]).to_numpy()
        for sfx in suffixes:
            values = np.full(len(out), np.nan)
            for model in pick.unique():
                mask = (pick == model).to_numpy()
                values[mask] = out.loc[mask, model + sfx].to_numpy(dtype=float)
            out[best + sfx] = values
            stacked = np.column_stack([out[m + sfx].to_numpy(dtype=float) for m in members])
            out[ensemble + sfx] = np.nansum(stacked * row_w, axis=1)
        added = [name + sfx for name in (best, ensemble) for sfx in suffixes]
        return out[[c for c in out.columns if c not in added] + added]


def select_models(cv: pd.DataFrame, train: pd.DataFrame, metric: str = "mase",
                  models: Sequence[str] | None = None, *, season_length: int = 1,
                  top_k: int | None = None, id_col: str = "unique_id", time_col: str = "ds",
                  target_col: str = "y") -> Selection:
    """Pick the best model per series and inverse-error ensemble weights from CV output.

    Parameters
    ----------
    cv
        :meth:`Forecaster.cross_validation` output (``cutoff`` and actuals included).
    train
        The history the cross-validation ran on (scales MASE/RMSSE per cutoff).
    metric
        A measure of :func:`~supplypilot.forecast.metrics.evaluate` where lower is better.
    models
        Candidate columns; default all model columns of ``cv``.
    season_length
        Lag of the scaling differences.
    top_k
        Ensemble only the ``top_k`` best models of each series (default: all that scored).
    id_col, time_col, target_col
        Column names of ``cv`` and ``train``.

    Returns
    -------
    Selection
    """
    if metric not in _LABELS:
        raise InputError(f"The 'metric' parameter of select_models must be a str among "
                         f"{sorted(_LABELS)}. Got {metric!r} instead.", where="metric")
    if "cutoff" not in cv.columns:
        raise InputError("The 'cv' parameter of select_models must be cross-validation output with "
                         "a 'cutoff' column.", where="cv")
    if top_k is not None and (isinstance(top_k, bool) or not isinstance(top_k, int) or top_k < 1):
        raise InputError(f"The 'top_k' parameter of select_models must be an int >= 1 or None. "
                         f"Got {top_k!r} instead.", where="top_k")
    per = evaluate(cv, train, metrics=(metric,), models=models, season_length=season_length,
                   by_series=True, id_col=id_col, time_col=time_col, target_col=target_col)
    per = per[np.isfinite(per[metric])]
    scores = (per.groupby([id_col, "model"], sort=False)[metric].agg(["mean", "size"])
              .rename(columns={"mean": "score", "size": "n_windows"}).reset_index())
    ranked = scores.sort_values([id_col, "score"], kind="stable")
    ranked["rank"] = ranked.groupby(id_col).cumcount()
    first = ranked[ranked["rank"] == 0].set_index(id_col)
    second = ranked[ranked["rank"] == 1].set_index(id_col)
    chosen = pd.DataFrame({
        "model": first["model"], "score": first["score"],
        "runner_up": second["model"].reindex(first.index),
        "runner_up_score": second["score"].reindex(first.index),
        "n_windows": first["n_windows"],
    }).reset_index()
    pool = ranked if top_k is None else ranked[ranked["rank"] < top_k]
    weights = pool[[id_col, "model", "score"]].copy()
    inv = np.where(weights["score"] > 0, 1.0 / weights["score"].clip(lower=1e-12), np.inf)
    weights["inv"] = inv
    perfect = weights.groupby(id_col)["inv"].transform(lambda s: np.isinf(s).any())
    weights.loc[perfect, "inv"] = np.isinf(weights.loc[perfect, "inv"]).astype(float)
    weights["weight"] = weights["inv"] / weights.groupby(id_col)["inv"].transform("sum")
    return Selection(metric=metric, scores=scores, chosen=chosen,
                     weights=weights[[id_col, "model", "weight"]].reset_index(drop=True),
                     id_col=id_col)
