"""From the long frame to the dense arrays the network trains on, and back.

Every series is placed on one common date axis (``[S, T, K]`` with NaN where a series has no
value), padded with ``input_size`` empty steps on the left and ``h`` on the right, so a window
is just an origin index per series and contexts/targets are one gather.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

from supplypilot.errors import InputError
from supplypilot.forecast.models.base import DS, ID

SCALE_FLOOR = 0.25
"""A window's scale is at least this share of its series' mean absolute value.

Without a floor, a context of zeros in an intermittent series has scale ~0, and the first sale
after it becomes a huge normalised target that dominates the loss."""

CLIP = 10.0
"""Normalised values are clipped to ``[-CLIP, CLIP]``.

Sales orders are spiky: a series with one large order in months has normalised targets in the
hundreds, and a single such window would outweigh thousands of ordinary ones in the MSE. No
forecaster can predict such a spike from the context, so clipping loses nothing learnable."""


@dataclass
class Panel:
    """Series on a common, padded date axis.

    ``values[s, t, k]`` is target ``k`` of series ``s`` at ``dates[t]`` (NaN: not observed);
    ``exog[s, t, e]`` the covariates; ``start[s]``/``end[s]`` the first and one-past-last
    observed index of each series; ``pad`` the number of empty steps before the first date.
    """

    ids: list[str]
    dates: pd.DatetimeIndex
    values: np.ndarray
    exog: np.ndarray
    start: np.ndarray
    end: np.ndarray
    pad: int
    freq: str

    @property
    def n_series(self) -> int:
        return len(self.ids)

    def day_of_week(self) -> np.ndarray:
        return np.asarray(self.dates.dayofweek, dtype=np.int64)


def check_frame(df: pd.DataFrame, targets: Sequence[str], exog: Sequence[str], owner: str) -> None:
    """Columns present, ``ds`` datetime-like, no duplicate ``(unique_id, ds)``."""
    if not isinstance(df, pd.DataFrame) or df.empty:
        raise InputError(f"{owner} needs a non-empty DataFrame with columns unique_id, ds, y.",
                         where="df")
    missing = [c for c in (ID, DS, *targets, *exog) if c not in df.columns]
    if missing:
        raise InputError(f"{owner}: column(s) {missing} not in the frame; columns: {list(df.columns)}.",
                         where="df")
    if not pd.api.types.is_datetime64_any_dtype(df[DS]):
        raise InputError(f"{owner}: column 'ds' must hold datetimes. Got dtype {df[DS].dtype} instead.",
                         where="ds")
    for col in (*targets, *exog):
        if not pd.api.types.is_numeric_dtype(df[col]):
            raise InputError(f"{owner}: column {col!r} must be numeric. "
                             f"Got dtype {df[col].dtype} instead.",
                             where=col)
    dup = df.duplicated([ID, DS])
    if dup.any():
        row = df.loc[dup, [ID, DS]].iloc[0]
        raise InputError(f"{owner}: duplicate row for unique_id {row[ID]!r} at {row[DS]}.",
                         where="df")


def make_panel(df: pd.DataFrame, targets: Sequence[str], exog: Sequence[str], freq: str,
               left: int, right: int) -> Panel:
    """Dense, padded arrays of ``df`` (see :class:`Panel`)."""
    first, last = df[DS].min(), df[DS].max()
    core = pd.date_range(first, last, freq=freq)
    if len(core) == 0 or core[0] != first:
        raise InputError(f"The dates do not fit frequency {freq!r} (first date {first}).", where="freq")
    offset = pd.tseries.frequencies.to_offset(freq)
    dates = pd.date_range(first - left * offset, periods=left + len(core) + right, freq=freq)
    ids = sorted(df[ID].astype(str).unique())
    pos = pd.Index(ids)
    s_idx = pos.get_indexer(df[ID].astype(str))
    t_idx = dates.get_indexer(df[DS])
    if (t_idx < 0).any():
        bad = df.loc[t_idx < 0, DS].iloc[0]
        raise InputError(f"Date {bad} is off the {freq!r} grid that starts at {first}.", where="ds")
    values = np.full((len(ids), len(dates), len(targets)), np.nan)
    values[s_idx, t_idx] = df[list(targets)].to_numpy(dtype=float)
    ex = np.zeros((len(ids), len(dates), len(exog)))
    if exog:
        ex[s_idx, t_idx] = df[list(exog)].to_numpy(dtype=float)
    g = pd.DataFrame({"s": s_idx, "t": t_idx}).groupby("s")["t"]
    start = g.min().to_numpy().astype(np.int64)
    end = g.max().to_numpy().astype(np.int64) + 1
    return Panel(ids=ids, dates=dates, values=values, exog=ex, start=start, end=end, pad=left,
                 freq=freq)


def mask_closed_days(panel: Panel, season: int = 7) -> list[pd.Timestamp]:
    """Treat company-wide all-zero days as unobserved; returns the days masked.

    A day where every series reports zero for every target is a closure (holiday, shutdown,
    data cut-off), not demand: learning from it teaches the model to forecast zeros at random.
    Days whose weekday is zero in most weeks (a weekly day off) are real pattern and kept.
    """
    v = panel.values
    present = ~np.isnan(v).all(axis=(0, 2))
    total = np.nansum(np.abs(v), axis=(0, 2))
    zero = present & (total == 0)
    if not zero.any():
        return []
    phase = np.arange(v.shape[1]) % season
    keep = np.zeros_like(zero)
    for p in range(season):
        sel = present & (phase == p)
        if sel.any() and zero[sel].mean() > 0.5:
            keep |= sel  # a regular day off: zeros are the pattern
    closed = zero & ~keep
    v[:, closed, :] = np.nan
    return list(panel.dates[closed])


def series_scale(panel: Panel, upto: np.ndarray | None = None) -> np.ndarray:
    """Mean absolute value per series and target over the observed (training) part: ``[S, K]``."""
    v = panel.values
    if upto is not None:
        t = np.arange(v.shape[1])[None, :, None]
        v = np.where(t < upto[:, None, None], v, np.nan)
    with warnings.catch_warnings():  # a series with no observed value: its scale is 0 below
        warnings.simplefilter("ignore", RuntimeWarning)
        out = np.nanmean(np.abs(v), axis=1)
    return np.nan_to_num(out, nan=0.0)


@dataclass
class Batch:
    """Network inputs and (normalised) targets for a set of windows."""

    x: torch.Tensor
    observed: torch.Tensor
    past_dow: torch.Tensor
    future_dow: torch.Tensor
    past_exog: torch.Tensor | None
    future_exog: torch.Tensor | None
    step_dow: torch.Tensor
    loc: torch.Tensor
    scale: torch.Tensor
    y: torch.Tensor | None = None
    y_mask: torch.Tensor | None = None
    volume: torch.Tensor | None = None


class WindowMaker:
    """Gathers windows ``(series, origin)`` from a panel as network-ready tensors."""

    def __init__(self, panel: Panel, input_size: int, h: int, patch_len: int, stride: int,
                 n_future: int, scale: np.ndarray) -> None:
        self.values = torch.as_tensor(panel.values, dtype=torch.float32)
        self.exog = torch.as_tensor(panel.exog, dtype=torch.float32)
        self.dow = torch.as_tensor(panel.day_of_week())
        self.scale_floor = torch.as_tensor(np.maximum(SCALE_FLOOR * scale, 1e-6), dtype=torch.float32)
        self.mean_scale = torch.as_tensor(np.maximum(scale.mean(0), 1e-6), dtype=torch.float32)
        self.input_size, self.h, self.patch_len, self.stride = input_size, h, patch_len, stride
        self.n_future = n_future
        self.n_patches = (input_size - patch_len) // stride + 1

    def __call__(self, series: np.ndarray, origin: np.ndarray, with_target: bool = True) -> Batch:
        s = torch.as_tensor(series, dtype=torch.long)
        t = torch.as_tensor(origin, dtype=torch.long)
        past = t[:, None] + torch.arange(-self.input_size, 0)
        x = self.values[s[:, None], past]  # [B, L, K]
        obs = ~torch.isnan(x)
        n_obs = obs.sum(1).clamp(min=1)
        x0 = torch.where(obs, x, torch.zeros_like(x))
        loc = x0.sum(1) / n_obs
        var = (torch.where(obs, x - loc[:, None], torch.zeros_like(x)) ** 2).sum(1) / n_obs
        scale = torch.maximum(var.sqrt(), self.scale_floor[s])
        xn = torch.where(obs, (x - loc[:, None]) / scale[:, None], torch.zeros_like(x)).clamp(-CLIP, CLIP)
        observed = obs.all(-1).to(torch.float32)
        starts = t[:, None] - self.input_size + torch.arange(self.n_patches) * self.stride
        fut_starts = t[:, None] + torch.arange(self.n_future) * self.patch_len
        fut_steps = t[:, None] + torch.arange(self.n_future * self.patch_len)
        n_t = self.values.shape[1]
        past_exog = future_exog = None
        if self.exog.shape[-1]:
            past_exog = self.exog[s[:, None], past]
            future_exog = self.exog[s[:, None], fut_steps.clamp(max=n_t - 1)]
        batch = Batch(x=xn, observed=observed, past_dow=self.dow[starts],
                      future_dow=self.dow[fut_starts.clamp(max=n_t - 1)],
                      past_exog=past_exog, future_exog=future_exog,
                      step_dow=self.dow[(t[:, None] + torch.arange(self.h)).clamp(max=n_t - 1)],
                      loc=loc, scale=scale)
        if with_target:
            fut = t[:, None] + torch.arange(self.h)
            y = self.values[s[:, None], fut.clamp(max=n_t - 1)]
            ymask = ~torch.isnan(y) & (fut < n_t)[..., None]
            yn = torch.where(ymask, (y - loc[:, None]) / scale[:, None], torch.zeros_like(y))
            batch.y = yn.clamp(-CLIP, CLIP)
            batch.y_mask = ymask
            # how much this window weighs in absolute units, relative to an average series
            batch.volume = (scale / self.mean_scale).clamp(max=100.0)
        return batch


def training_origins(panel: Panel, input_size: int, h: int, val_size: int,
                     min_context: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(series, origin)`` of the training windows and of the validation windows.

    Training windows end before each series' last ``val_size`` steps; validation windows
    start inside them (their targets are the validation window, their contexts may reach
    back into training data, as a forecast made at that time would).
    """
    tr_s, tr_t, va_s, va_t = [], [], [], []
    for s in range(panel.n_series):
        a, b = int(panel.start[s]), int(panel.end[s])
        lo = a + min(min_context, max(1, b - val_size - h - a))
        hi = b - val_size - h
        if hi >= lo:
            tr_t.append(np.arange(lo, hi + 1))
            tr_s.append(np.full(hi - lo + 1, s))
        if val_size > 0:
            v_lo = max(b - val_size, a + 1)
            v_hi = max(b - h, v_lo)
            va_t.append(np.arange(v_lo, v_hi + 1))
            va_s.append(np.full(v_hi - v_lo + 1, s))

    def cat(parts: list[np.ndarray]) -> np.ndarray:
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)

    return cat(tr_s), cat(tr_t), cat(va_s), cat(va_t)
