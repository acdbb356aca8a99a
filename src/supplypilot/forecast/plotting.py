"""Forecast figures: one function per figure, an optional ``ax``, an optional PNG ``path``.

Figures are drawn on :class:`matplotlib.figure.Figure` objects, never through ``pyplot``, so
the library works on servers without a display and leaves the user's pyplot state alone.

- :func:`plot_forecast` — the history, each model's forecast and its interval bands, for one
  series: what a planner looks at before trusting a number.
- :func:`plot_decomposition` — trend, seasonal and remainder parts of one series (statsforecast
  ``MSTL``: STL for each season length, trend by loess), to see *why* a model forecasts what
  it does.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from supplypilot.errors import InputError

__all__ = ["plot_decomposition", "plot_forecast"]

_HISTORY_COLOR = "#333333"


def _series(df: pd.DataFrame, unique_id: Any, id_col: str, what: str) -> pd.DataFrame:
    if id_col not in df.columns:
        raise InputError(f"{what} must have the column {id_col!r}.", where=f"column {id_col!r}")
    part = df[df[id_col] == unique_id]
    if part.empty:
        raise InputError(f"{what} has no rows for series {unique_id!r}.",
                         where=f"series {unique_id!r}")
    return part


def _figure(ax: Any, nrows: int = 1, size: tuple[float, float] = (9, 4)) -> tuple[Any, Any]:
    from matplotlib.figure import Figure

    if ax is not None:
        return ax.figure, ax
    fig = Figure(figsize=size, layout="constrained")
    axes = fig.subplots(nrows, 1, sharex=True)
    return fig, axes


def _date_axis(ax: Any, x: pd.Series) -> None:
    """Short, non-overlapping date labels (matplotlib's concise formatter)."""
    if pd.api.types.is_datetime64_any_dtype(x):
        from matplotlib.dates import AutoDateLocator, ConciseDateFormatter

        locator = AutoDateLocator()
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))


def _save(fig: Any, path: str | Path | None) -> None:
    if path is not None:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, dpi=110)


def plot_forecast(history_df: pd.DataFrame, forecast_df: pd.DataFrame, unique_id: Any,
                  models: Sequence[str] | None = None, level: Sequence[int | float] | None = None,
                  ax: Any = None, path: str | Path | None = None, *, id_col: str = "unique_id",
                  time_col: str = "ds", target_col: str = "y", last_n: int | None = None) -> Any:
    """Plot one series: history, forecasts and interval bands.

    Parameters
    ----------
    history_df
        Long frame of actuals.
    forecast_df
        :meth:`Forecaster.predict` output (or cross-validation output for one cutoff).
    unique_id
        The series to draw.
    models
        Forecast columns to draw; default every model column of ``forecast_df``.
    level
        Interval levels to shade (``<model>-lo-<l>`` / ``-hi-<l>`` must exist); wider bands
        lighter.
    ax
        A matplotlib axes to draw on; by default a new figure.
    path
        Write the figure there as PNG.
    last_n
        Draw only the last ``last_n`` observations of the history (long series).

    Returns
    -------
    matplotlib.figure.Figure
    """
    hist = _series(history_df, unique_id, id_col, "history_df").sort_values(time_col)
    fcst = _series(forecast_df, unique_id, id_col, "forecast_df").sort_values(time_col)
    if last_n is not None:
        hist = hist.tail(last_n)
    fixed = {id_col, time_col, target_col, "cutoff"}
    if models is None:
        models = [c for c in fcst.columns if c not in fixed and "-lo-" not in c and "-hi-" not in c
                  and pd.api.types.is_numeric_dtype(fcst[c])]
    missing = [c for m in models for c in [m] + [f"{m}-{b}-{lv}" for lv in (level or [])
                                                  for b in ("lo", "hi")] if c not in fcst.columns]
    if missing:
        raise InputError(f"plot_forecast: forecast_df has no column {missing[0]!r}.",
                         where=f"column {missing[0]!r}")
    fig, ax = _figure(ax)
    ax.plot(hist[time_col], hist[target_col], color=_HISTORY_COLOR, lw=1.2, label="history")
    colors = [f"C{i}" for i in range(len(models))]
    widest_first = sorted(level or [], reverse=True)
    for model, color in zip(models, colors, strict=True):
        for i, lv in enumerate(widest_first):
            ax.fill_between(fcst[time_col], fcst[f"{model}-lo-{lv}"], fcst[f"{model}-hi-{lv}"],
                            color=color, alpha=0.12 + 0.12 * i, lw=0,
                            label=f"{model} {lv}%")
        ax.plot(fcst[time_col], fcst[model], color=color, lw=1.6, label=model)
    _date_axis(ax, hist[time_col])
    ax.set_title(f"{unique_id}")
    ax.set_xlabel(time_col)
    ax.set_ylabel(target_col)
    ax.legend(loc="upper left", fontsize="small", ncols=2)
    ax.grid(alpha=0.3)
    _save(fig, path)
    return fig


def plot_decomposition(df: pd.DataFrame, unique_id: Any, season_length: int | Sequence[int],
                       ax: Any = None, path: str | Path | None = None, *, id_col: str = "unique_id",
                       time_col: str = "ds", target_col: str = "y") -> Any:
    """Plot the MSTL decomposition of one series: data, trend, seasonal part(s), remainder.

    Parameters
    ----------
    df
        Long frame of actuals.
    unique_id
        The series to decompose.
    season_length
        One or more season lengths (e.g. ``[7, 365]`` for daily data); the series must span
        at least two of the longest.
    ax
        A sequence of axes, one per panel (``2 + number of seasons + 1``); by default a new
        figure.
    path
        Write the figure there as PNG.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from statsforecast.models import MSTL

    part = _series(df, unique_id, id_col, "df").sort_values(time_col)
    seasons = [season_length] if isinstance(season_length, int) else list(season_length)
    y = part[target_col].to_numpy(dtype=float)
    if not seasons or min(seasons) < 2 or y.size < 2 * max(seasons):
        raise InputError(f"plot_decomposition: series {unique_id!r} has {y.size} observations; the "
                         f"season lengths {seasons} must be >= 2 and fit at least twice.",
                         where="season_length")
    parts = MSTL(season_length=seasons).fit(y).model_
    seasonal = [c for c in parts.columns if c.startswith("seasonal")]
    columns = ["data", "trend", *seasonal, "remainder"]
    fig, axes = _figure(ax, nrows=len(columns), size=(9, 1.8 * len(columns)))
    axes = np.atleast_1d(axes)
    if len(axes) != len(columns):
        raise InputError(f"plot_decomposition needs {len(columns)} axes, got {len(axes)}.",
                         where="ax")
    x = part[time_col].to_numpy()
    for axis, col in zip(axes, columns, strict=True):
        axis.plot(x, parts[col].to_numpy(), color=_HISTORY_COLOR if col == "data" else "C0", lw=1)
        axis.set_ylabel(col)
        axis.grid(alpha=0.3)
    axes[0].set_title(f"{unique_id}: MSTL decomposition (season lengths {seasons})")
    _date_axis(axes[-1], part[time_col])
    axes[-1].set_xlabel(time_col)
    _save(fig, path)
    return fig
