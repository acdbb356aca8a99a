"""Why a forecast is what it is: integrated gradients over patches, covariates and calendar.

Integrated gradients (Sundararajan et al., 2017) attribute ``f(x) − f(x₀)`` to the inputs by
integrating the gradient along the straight path from a baseline ``x₀`` to ``x``; the
attributions add up exactly to that difference (up to the integration error of the Riemann
sum). The baseline here is what the model would forecast knowing only each window's level: the
context flat at its mean (0 after instance normalisation), every covariate flat at its window
mean, and the average day-of-week embedding. So each forecast decomposes into

    forecast = level row + Σ history periods + Σ covariates + day of week,

all in the target's units, which is what :func:`reasons` turns into a sentence.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import torch

from supplypilot.errors import InputError
from supplypilot.forecast.models.base import DS, ID

if TYPE_CHECKING:
    from supplypilot.forecast.models.chinchilla.model import Chinchilla

LEVEL = "(level)"
CALENDAR = "day of week"
COLUMNS = [ID, DS, "target", "feature", "period_start", "period_end", "value"]


def _select(model: Chinchilla, ids: Sequence[str] | None, h: int | None,
            target: str | None) -> tuple[np.ndarray, int, list[int]]:
    p = model.params_
    panel = model.panel_
    if ids is None:
        s = np.arange(panel.n_series)
    else:
        pos = pd.Index(panel.ids)
        idx = pos.get_indexer([str(i) for i in ids])
        if (idx < 0).any():
            unknown = [i for i, j in zip(ids, idx, strict=True) if j < 0]
            raise InputError(f"Unknown series {unknown} for {model.name}.explain.", where="ids")
        s = idx
    h = p["h"] if h is None else h
    if not isinstance(h, int) or not 1 <= h <= p["h"]:
        raise InputError(f"The 'h' parameter of {model.name}.explain must be an int in [1, {p['h']}]. "
                         f"Got {h!r} instead.", where="h")
    if target is None:
        ks = list(range(len(p["targets"])))
    elif target in p["targets"]:
        ks = [p["targets"].index(target)]
    else:
        raise InputError(f"The 'target' parameter of {model.name}.explain must be one of "
                         f"{p['targets']}. Got {target!r} instead.", where="target")
    return s, h, ks


def explain(model: Chinchilla, ids: Sequence[str] | None = None, h: int | None = None,
            target: str | None = None, steps: int = 32, X_df: pd.DataFrame | None = None) -> pd.DataFrame:
    """Integrated-gradients attributions of the point forecasts (see the module docstring)."""
    p = model.params_
    s, h, ks = _select(model, ids, h, target)
    panel, maker, origin = model._forecast_panel(p["h"], X_df, None)
    b = maker(s, origin[s], with_target=False)
    net = model.net_
    n, steps = len(s), int(steps)
    alphas = (torch.arange(steps, dtype=torch.float32) + 0.5) / steps  # midpoint rule
    a = alphas.repeat_interleave(n)  # [steps * n], window fastest

    def rep(t: torch.Tensor | None) -> torch.Tensor | None:
        return None if t is None else t.repeat(steps, *([1] * (t.dim() - 1)))

    x = b.x
    inputs = [x]
    has_exog = b.past_exog is not None
    if has_exog:
        assert b.past_exog is not None and b.future_exog is not None
        ex_mean = torch.cat([b.past_exog, b.future_exog], 1).mean(1, keepdim=True)
        inputs += [b.past_exog, b.future_exog]
        baselines = [torch.zeros_like(x), ex_mean.expand_as(b.past_exog),
                     ex_mean.expand_as(b.future_exog)]
    else:
        baselines = [torch.zeros_like(x)]
    path = []
    for inp, base in zip(inputs, baselines, strict=True):
        grown = rep(base) + a.view(-1, *([1] * (inp.dim() - 1))) * (rep(inp) - rep(base))
        path.append(grown.detach().requires_grad_(True))
    cal = a.clone().requires_grad_(True)
    out, quant = net(path[0], rep(b.observed), rep(b.past_dow), rep(b.future_dow),
                     path[1] if has_exog else None, path[2] if has_exog else None, calendar_weight=cal,
                     step_dow=rep(b.step_dow))
    if model.point == "median":
        out = quant[..., p["quantiles"].index(0.5)]
    scale = rep(b.scale)
    assert scale is not None
    out = out * scale[:, None, :]  # target units (the mean of the window cancels in gradients)
    with torch.no_grad():
        base_out, base_q = net(torch.zeros_like(x), b.observed, b.past_dow, b.future_dow,
                               baselines[1] if has_exog else None, baselines[2] if has_exog else None,
                               calendar_weight=torch.zeros(n), step_dow=b.step_dow)
        if model.point == "median":
            base_out = base_q[..., p["quantiles"].index(0.5)]
        level = (base_out * b.scale[:, None] + b.loc[:, None]).numpy()
    blocks = _blocks(p["input_size"], p["stride"])
    rows: list[pd.DataFrame] = []
    dates = panel.dates
    ctx_start = origin[s] - p["input_size"]
    for j in range(h):
        for k in ks:
            grads = torch.autograd.grad(out[:, j, k].sum(), [*path, cal], retain_graph=True)
            ig = [(g.view(steps, n, *g.shape[1:]).mean(0) * (inp - base)).detach().numpy()
                  for g, inp, base in zip(grads[:-1], inputs, baselines, strict=True)]
            ig_cal = grads[-1].view(steps, n).mean(0).detach().numpy()
            rows.append(_rows(model, panel, s, origin, ctx_start, j, k, ig, ig_cal, level, blocks, dates))
    df = pd.concat(rows, ignore_index=True)
    return df[COLUMNS].sort_values([ID, DS, "target"], kind="stable").reset_index(drop=True)


def _blocks(input_size: int, stride: int) -> list[tuple[int, int]]:
    """Context positions grouped in periods of ``stride`` steps, aligned at the context end."""
    out = []
    end = input_size
    while end > 0:
        out.append((max(0, end - stride), end))
        end -= stride
    return out[::-1]


def _rows(model: Chinchilla, panel: Any, s: np.ndarray, origin: np.ndarray, ctx_start: np.ndarray,
          j: int, k: int, ig: list[np.ndarray], ig_cal: np.ndarray, level: np.ndarray,
          blocks: list[tuple[int, int]], dates: pd.DatetimeIndex) -> pd.DataFrame:
    p = model.params_
    targets, exog = p["targets"], p["exog"]
    n = len(s)
    ids = np.asarray(panel.ids, dtype=object)[s]
    ds = dates[origin[s] + j]
    parts = []

    def add(feature: str, start: Any, end: Any, value: np.ndarray) -> None:
        parts.append(pd.DataFrame({ID: ids, DS: ds, "target": targets[k], "feature": feature,
                                   "period_start": start, "period_end": end, "value": value}))

    add(LEVEL, pd.NaT, pd.NaT, level[:, j, k])
    for a, e in blocks:
        start, end = dates[ctx_start + a], dates[ctx_start + e - 1]
        for c, name in enumerate(targets):
            add(f"{name} history", start, end, ig[0][:, a:e, c].sum(1))
        for c, name in enumerate(exog):
            add(f"{name} (history)", start, end, ig[1][:, a:e, c].sum(1))
    for c, name in enumerate(exog):
        add(f"{name} (future)", dates[origin[s]], dates[origin[s] + p["h"] - 1], ig[2][:, :, c].sum(1))
    if model.calendar:
        add(CALENDAR, ds, ds, ig_cal[:n])
    return pd.concat(parts, ignore_index=True)


def reasons(model: Chinchilla, ids: Sequence[str] | None = None, h: int | None = None,
            target: str | None = None) -> pd.DataFrame:
    """One sentence per forecast from :func:`explain` (see ``Chinchilla.reasons``)."""
    ex = explain(model, ids=ids, h=h, target=target)
    out = []
    for (uid, ds, tgt), g in ex.groupby([ID, DS, "target"], sort=False):
        level = float(g.loc[g["feature"] == LEVEL, "value"].iloc[0])
        drivers = g[g["feature"] != LEVEL]
        forecast = level + float(drivers["value"].sum())
        k = model.params_["targets"].index(tgt)
        if model.nonnegative_[k]:
            forecast = max(forecast, 0.0)
        out.append({ID: uid, DS: ds, "target": tgt, "forecast": forecast,
                    "reason": _sentence(uid, ds, tgt, forecast, level, drivers)})
    return pd.DataFrame(out, columns=[ID, DS, "target", "forecast", "reason"])


def _sentence(uid: str, ds: pd.Timestamp, target: str, forecast: float, level: float,
              drivers: pd.DataFrame) -> str:
    day = f"{ds:%a %Y-%m-%d}"
    if abs(level) > 1e-9:
        change = (forecast - level) / abs(level)
        rel = (f"{abs(change):.0%} {'above' if change >= 0 else 'below'} its recent level of {level:,.0f}"
               if abs(change) >= 0.005 else f"in line with its recent level of {level:,.0f}")
    else:
        rel = "with no recent level to compare with"
    top = drivers.reindex(drivers["value"].abs().sort_values(ascending=False).index).head(2)
    top = top[top["value"].abs() > 1e-9]
    if top.empty:
        return f"{uid} {target} on {day}: forecast {forecast:,.0f}, {rel}."
    names = [f"{_describe(r)} ({r.value:+,.0f})" for r in top.itertuples()]
    return f"{uid} {target} on {day}: forecast {forecast:,.0f}, {rel}; mainly {' and '.join(names)}."


def _describe(r: Any) -> str:
    if r.feature == CALENDAR:
        return f"the day of week ({r.period_start:%A})"
    if pd.isna(r.period_start):
        return str(r.feature)
    return f"{r.feature} {r.period_start:%d %b}–{r.period_end:%d %b}"
