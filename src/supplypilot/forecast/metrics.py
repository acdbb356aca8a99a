"""Forecast accuracy measures, with the competitions' exact definitions.

Point measures for one series (arrays of the ``h`` actuals and forecasts):

- :func:`smape` — M4: ``200/h * sum(|y - f| / (|y| + |f|))``, in percent (0/0 counts 0).
- :func:`mase` — M4: mean absolute error scaled by the in-sample mean absolute
  ``season_length``-lag difference (M4 used m = 1 for weekly, daily and yearly data).
- :func:`rmsse` — M5: root of the mean squared error scaled by the in-sample mean squared
  one-step difference, counted from the first non-zero demand (leading zeros are not history).
- :func:`wape`, :func:`mae`, :func:`rmse`.

Interval and quantile measures:

- :func:`pinball` — quantile loss ``mean(max(q (y - f), (q - 1) (y - f)))``.
- :func:`coverage` — share of actuals inside ``[lo, hi]``.
- :func:`msis` — M4's scaled interval score ``mean((hi - lo) + 2/a (lo - y)[y < lo] + 2/a (y -
  hi)[y > hi]) / scale`` with ``a = 1 - level/100`` and the MASE scale.

:func:`owa` is M4's overall weighted average: the mean of sMAPE and MASE, each relative to the
Naive2 benchmark, computed on the totals (averages over all series), not per series.

:func:`evaluate` applies them to the long frame every SupplyPilot forecast uses — forecasts
(or cross-validation output) with the actuals in the target column — and returns one row per
model, so a report compares models side by side.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from supplypilot.errors import InputError

__all__ = ["coverage", "evaluate", "mae", "mase", "msis", "owa", "pinball", "rmse", "rmsse",
           "smape", "wape", "POINT_METRICS", "SCALED_METRICS", "INTERVAL_METRICS"]


def _arrays(*xs: Any) -> list[np.ndarray]:
    return [np.asarray(x, dtype=float) for x in xs]


def smape(y: Any, y_hat: Any) -> float:
    """Symmetric MAPE in percent, as scored in M4 (a step where ``y = f = 0`` counts 0)."""
    y, f = _arrays(y, y_hat)
    denom = np.abs(y) + np.abs(f)
    ratio = np.divide(np.abs(y - f), denom, out=np.zeros_like(denom), where=denom > 0)
    return float(200.0 * ratio.mean())


def mase_scale(y_train: Any, season_length: int = 1) -> float:
    """In-sample mean absolute ``season_length``-lag difference: M4's MASE denominator."""
    (y,) = _arrays(y_train)
    m = int(season_length)
    if y.size <= m:
        return float("nan")
    return float(np.mean(np.abs(y[m:] - y[:-m])))


def mase(y: Any, y_hat: Any, y_train: Any, season_length: int = 1) -> float:
    """Mean absolute scaled error (M4): MAE over the in-sample seasonal-naive MAE."""
    y, f = _arrays(y, y_hat)
    return float(np.mean(np.abs(y - f)) / mase_scale(y_train, season_length))


def rmsse_scale(y_train: Any, season_length: int = 1) -> float:
    """M5's RMSSE denominator: mean squared lag difference from the first non-zero value."""
    (y,) = _arrays(y_train)
    nz = np.flatnonzero(y != 0)
    y = y[nz[0]:] if nz.size else y
    m = int(season_length)
    if y.size <= m:
        return float("nan")
    return float(np.mean((y[m:] - y[:-m]) ** 2))


def rmsse(y: Any, y_hat: Any, y_train: Any, season_length: int = 1) -> float:
    """Root mean squared scaled error (M5)."""
    y, f = _arrays(y, y_hat)
    return float(np.sqrt(np.mean((y - f) ** 2) / rmsse_scale(y_train, season_length)))


def wape(y: Any, y_hat: Any) -> float:
    """Weighted absolute percentage error: total absolute error over total absolute actuals."""
    y, f = _arrays(y, y_hat)
    total = np.abs(y).sum()
    return float(np.abs(y - f).sum() / total) if total > 0 else float("nan")


def mae(y: Any, y_hat: Any) -> float:
    """Mean absolute error."""
    y, f = _arrays(y, y_hat)
    return float(np.mean(np.abs(y - f)))


def rmse(y: Any, y_hat: Any) -> float:
    """Root mean squared error."""
    y, f = _arrays(y, y_hat)
    return float(np.sqrt(np.mean((y - f) ** 2)))


def pinball(y: Any, q_hat: Any, q: float) -> float:
    """Quantile (pinball) loss of forecasts ``q_hat`` of the ``q`` quantile."""
    y, f = _arrays(y, q_hat)
    d = y - f
    return float(np.mean(np.maximum(q * d, (q - 1) * d)))


def coverage(y: Any, lo: Any, hi: Any) -> float:
    """Share of actuals inside their interval (bounds included)."""
    y, lo, hi = _arrays(y, lo, hi)
    return float(np.mean((y >= lo) & (y <= hi)))


def msis(y: Any, lo: Any, hi: Any, y_train: Any, level: float = 95,
         season_length: int = 1) -> float:
    """Mean scaled interval score (M4): width plus ``2/a`` times each miss, MASE-scaled."""
    y, lo, hi = _arrays(y, lo, hi)
    a = 1 - level / 100
    score = (hi - lo) + 2 / a * (lo - y) * (y < lo) + 2 / a * (y - hi) * (y > hi)
    return float(np.mean(score) / mase_scale(y_train, season_length))


def owa(smape_value: float, mase_value: float, smape_naive2: float, mase_naive2: float) -> float:
    """M4's overall weighted average of sMAPE and MASE, both relative to Naive2."""
    return 0.5 * (smape_value / smape_naive2 + mase_value / mase_naive2)


POINT_METRICS: dict[str, Callable[..., float]] = {"smape": smape, "wape": wape, "mae": mae,
                                                   "rmse": rmse}
SCALED_METRICS: dict[str, Callable[..., float]] = {"mase": mase, "rmsse": rmsse}
INTERVAL_METRICS = ("coverage", "msis", "pinball")
_SCALES = {"mase": mase_scale, "rmsse": rmsse_scale, "msis": mase_scale}


def _per_series(fc: pd.DataFrame, train: dict[Any, np.ndarray], keys: list[str], models: list[str],
                metrics: Sequence[str], level: Sequence[int | float], season_length: int,
                id_col: str, time_col: str, target_col: str) -> pd.DataFrame:
    rows = []
    has_cutoff = "cutoff" in keys
    for key, g in fc.groupby(keys, sort=True):
        key = key if isinstance(key, tuple) else (key,)
        uid = key[0]
        y = g[target_col].to_numpy(dtype=float)
        hist = train.get(uid)
        if hist is None:
            raise InputError(f"evaluate: series {uid!r} has forecasts but no training history in "
                             "df_train.", where=f"series {uid!r}")
        if has_cutoff:
            hist = hist[1][hist[0] <= key[keys.index("cutoff")]]
        else:
            hist = hist[1]
        scales = {k: fn(hist, season_length) for k, fn in _SCALES.items()}
        for model in models:
            f = g[model].to_numpy(dtype=float)
            row: dict[str, Any] = dict(zip(keys, key, strict=True)) | {"model": model}
            for name in metrics:
                if name in POINT_METRICS:
                    row[name] = POINT_METRICS[name](y, f)
                elif name == "mase":
                    row[name] = float(np.mean(np.abs(y - f)) / scales["mase"])
                elif name == "rmsse":
                    row[name] = float(np.sqrt(np.mean((y - f) ** 2) / scales["rmsse"]))
                elif name in INTERVAL_METRICS:
                    for lv in level:
                        lo = g[f"{model}-lo-{lv}"].to_numpy(dtype=float)
                        hi = g[f"{model}-hi-{lv}"].to_numpy(dtype=float)
                        if name == "coverage":
                            row[f"coverage-{lv}"] = coverage(y, lo, hi)
                        elif name == "pinball":
                            a = (1 - lv / 100) / 2
                            row[f"pinball-{lv}"] = 0.5 * (pinball(y, lo, a) + pinball(y, hi, 1 - a))
                        else:
                            a = 1 - lv / 100
                            s = ((hi - lo) + 2 / a * (lo - y) * (y < lo)
                                 + 2 / a * (y - hi) * (y > hi))
                            row[f"msis-{lv}"] = float(np.mean(s) / scales["msis"])
            rows.append(row)
    return pd.DataFrame(rows)


def evaluate(df_forecasts: pd.DataFrame, df_train: pd.DataFrame,
             metrics: Sequence[str] = ("smape", "mase"), models: Sequence[str] | None = None, *,
             season_length: int = 1, level: Sequence[int | float] | None = None,
             baseline: str | None = None, by_series: bool = False, id_col: str = "unique_id",
             time_col: str = "ds", target_col: str = "y") -> pd.DataFrame:
    """Score forecasts against actuals, one row per model (or per series and model).

    Each measure is computed per series — per series and cutoff for cross-validation output,
    with the scale taken from the history up to that cutoff — then averaged over series, as
    M4 and M5 do. With ``baseline`` and both ``smape`` and ``mase`` asked, an ``owa`` column
    gives M4's OWA relative to that model (use a ``Naive2`` column for M4's definition).

    Parameters
    ----------
    df_forecasts
        Long frame with the actuals in ``target_col`` and one column per model (plus
        ``<model>-lo-<l>``/``-hi-<l>`` for interval measures, and ``cutoff`` for CV output).
    df_train
        The history the forecasts were made from: scales MASE, RMSSE and MSIS.
    metrics
        Names among ``smape, mase, rmsse, wape, mae, rmse, coverage, msis, pinball``.
    models
        Columns to score; default: every column that is not an id, date, cutoff, target or
        interval bound.
    season_length
        Lag of the scaling differences (M4 weekly: 1).
    level
        Interval levels for ``coverage``, ``msis`` and ``pinball`` (columns ``coverage-95``...).
    baseline
        Model that OWA is relative to.
    by_series
        Return the per-series values instead of the per-model means.

    Returns
    -------
    pandas.DataFrame
        Indexed by model, one column per measure (or long per series with ``by_series``).
    """
    known = set(POINT_METRICS) | set(SCALED_METRICS) | set(INTERVAL_METRICS)
    bad = [m for m in metrics if m not in known]
    if bad:
        raise InputError(f"The 'metrics' parameter of evaluate must hold names among "
                         f"{sorted(known)}. Got {bad[0]!r} instead.", where="metrics")
    for col in (id_col, target_col):
        if col not in df_forecasts.columns:
            raise InputError(f"The 'df_forecasts' parameter of evaluate must have a column {col!r} "
                             "(the actuals go in the target column).", where=f"column {col!r}")
    fixed = {id_col, time_col, target_col, "cutoff"}
    if models is None:
        models = [c for c in df_forecasts.columns if c not in fixed and "-lo-" not in c
                  and "-hi-" not in c and pd.api.types.is_numeric_dtype(df_forecasts[c])]
    models = list(models)
    missing = [m for m in models if m not in df_forecasts.columns]
    if missing:
        raise InputError(f"The 'models' parameter of evaluate names {missing[0]!r}, which is not a "
                         "column of df_forecasts.", where="models")
    level = list(level or [])
    if any(m in INTERVAL_METRICS for m in metrics) and not level:
        raise InputError("The 'level' parameter of evaluate must be given for interval measures "
                         f"({', '.join(INTERVAL_METRICS)}). Got None instead.", where="level")
    if df_forecasts[target_col].isna().any():
        raise InputError(f"evaluate: column {target_col!r} of df_forecasts has missing actuals; "
                         "merge the actuals in before scoring.", where=f"column {target_col!r}")
    keys = [id_col, "cutoff"] if "cutoff" in df_forecasts.columns else [id_col]
    tr = df_train.sort_values([id_col, time_col])
    train = {uid: (g[time_col].to_numpy(), g[target_col].to_numpy(dtype=float))
             for uid, g in tr.groupby(id_col, sort=False)}
    per = _per_series(df_forecasts, train, keys, models, metrics, level, season_length,
                      id_col, time_col, target_col)
    if by_series:
        return per
    table = per.drop(columns=keys).groupby("model", sort=False).mean()
    if baseline is not None and {"smape", "mase"} <= set(metrics):
        if baseline not in table.index:
            raise InputError(f"The 'baseline' parameter of evaluate must be one of the scored "
                             f"models {list(table.index)}. Got {baseline!r} instead.",
                             where="baseline")
        base = table.loc[baseline]
        table["owa"] = owa(table["smape"], table["mase"], base["smape"], base["mase"])
    return table
