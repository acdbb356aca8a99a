"""A global neural forecaster: an N-BEATS-style MLP over windows of all series (PyTorch, CPU).

Why a second global model beside LightGBM: the MLP forecasts all ``h`` steps at once from a
whole window (no recursion, no hand-made features), so its errors differ from the boosted
trees'; on M4 Weekly the mix of the two beats either alone and the best weekly M4 entry
(``benchmarks/forecast_m4.py``: ``GlobalMLP`` OWA 0.713, ``MLP-LGBM`` 0.692, entry 0.739).

Written by hand (about 150 lines of PyTorch) rather than taken from neuralforecast, whose
``NBEATS`` brings PyTorch Lightning and Ray Tune for what is here one training loop.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from supplypilot.errors import InputError
from supplypilot.forecast.models.base import DS, ID, Y, ForecastModel, check_horizon

__all__ = ["GlobalMLP"]

_TRANSFORMS = ("log", "log1p")


class GlobalMLP(ForecastModel):
    """N-BEATS-style residual MLP over windows of all series, direct multi-step, L1 loss.

    Each window of ``input_size`` steps is put on the log scale (``transform="log"``, positive
    series; ``"log1p"`` for series with zeros) and centred on its last value, so series whose
    levels differ by orders of magnitude share one model; the net outputs the ``h`` future
    log ratios at once. Training draws a series uniformly, then a window end within its last
    ``history`` steps (long series do not dominate). Series shorter than the window are padded
    on the left with their first value and a mask input marks the padding. Blocks follow
    N-BEATS' generic stack: each subtracts its backcast from the input and adds its forecast.
    ``seeds`` nets are trained (Adam, one-cycle learning rate) and their forecasts' median is
    returned. Point forecasts only: asking for a ``level`` is refused with a clear error.

    The defaults are the configuration chosen on M4 Weekly's validation window (input 52,
    windows from the last 520 weeks, width 256, 3 blocks of 2 layers, 2000 steps of 512, 3
    seeds); about 35 s per seed on one CPU thread for 359 series.
    """

    is_global = True

    def __init__(self, h: int = 13, input_size: int = 52, history: int = 520, width: int = 256,
                 blocks: int = 3, layers: int = 2, steps: int = 2000, batch: int = 512,
                 lr: float = 1e-3, seeds: int = 3, seed: int = 0, transform: str = "log",
                 num_threads: int = 1, alias: str | None = None) -> None:
        super().__init__(alias=alias)
        self.h = h
        self.input_size = input_size
        self.history = history
        self.width = width
        self.blocks = blocks
        self.layers = layers
        self.steps = steps
        self.batch = batch
        self.lr = lr
        self.seeds = seeds
        self.seed = seed
        self.transform = transform
        self.num_threads = num_threads

    # ------------------------------------------------------------------ the net

    def _net(self) -> Any:
        import torch
        from torch import nn

        L, H, W, depth = self.input_size, self.h, self.width, self.layers

        class Block(nn.Module):
            def __init__(self) -> None:
                super().__init__()
                mods: list[Any] = [nn.Linear(2 * L, W), nn.ReLU()]
                for _ in range(depth - 1):
                    mods += [nn.Linear(W, W), nn.ReLU()]
                self.body = nn.Sequential(*mods)
                self.back = nn.Linear(W, L)
                self.fore = nn.Linear(W, H)

            def forward(self, x: Any, m: Any) -> tuple[Any, Any]:
                z = self.body(torch.cat([x, m], dim=1))
                return self.back(z) * (1 - m), self.fore(z)

        class Net(nn.Module):
            def __init__(self, n: int) -> None:
                super().__init__()
                self.blocks = nn.ModuleList(Block() for _ in range(n))

            def forward(self, x: Any, m: Any) -> Any:
                out = 0
                for b in self.blocks:
                    back, f = b(x, m)
                    x = x - back
                    out = out + f
                return out

        return Net(self.blocks)

    # ------------------------------------------------------------------ windows

    def _pack(self) -> None:
        """All series' logs in one array, each preceded by ``input_size`` pads (its first value)."""
        L = self.input_size
        parts, masks, off = [], [], []
        pos = 0
        for v in self.logs_:
            off.append(pos)
            parts += [np.full(L, v[0]), v]
            masks += [np.ones(L), np.zeros(len(v))]
            pos += L + len(v)
        self.packed_ = np.concatenate(parts).astype(np.float32)
        self.mask_ = np.concatenate(masks).astype(np.float32)
        self.off_ = np.array(off)

    def _windows(self, sids: Any, ends: Any, target: bool) -> tuple[Any, ...]:
        """Inputs (centred log window, pad mask) ending before ``ends``; targets if asked."""
        L, H = self.input_size, self.h
        start = self.off_[sids] + ends  # packed index of the window's first step
        idx = start[:, None] + np.arange(L)[None, :]
        last = self.packed_[start + L - 1][:, None]
        x = self.packed_[idx] - last
        m = self.mask_[idx]
        if not target:
            return x, m
        y = self.packed_[(start + L)[:, None] + np.arange(H)[None, :]] - last
        return x, m, y

    def _check_params(self) -> None:
        if self.transform not in _TRANSFORMS:
            raise InputError(f"GlobalMLP transform must be one of {', '.join(_TRANSFORMS)}, "
                             f"not {self.transform!r}.", where="transform")
        for name in ("h", "input_size", "history", "width", "blocks", "layers", "steps", "batch",
                     "seeds", "num_threads"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise InputError(f"GlobalMLP {name} must be a positive integer, not {value!r}.",
                                 where=name)
        if not self.lr > 0:
            raise InputError(f"GlobalMLP lr must be positive, not {self.lr!r}.", where="lr")

    # ------------------------------------------------------------------ fit / predict

    def fit(self, df: pd.DataFrame, freq: Any = "D") -> GlobalMLP:
        import torch

        self._check_params()
        y = df[Y].to_numpy(dtype=np.float64)
        if not np.isfinite(y).all():
            raise InputError("GlobalMLP needs finite targets (no NaN or infinity).", where="column 'y'")
        if self.transform == "log" and (y <= 0).any():
            raise InputError("GlobalMLP with transform='log' needs positive targets; use "
                             "transform='log1p' for series with zeros.", where="column 'y'")
        if self.transform == "log1p" and (y < 0).any():
            raise InputError("GlobalMLP with transform='log1p' needs non-negative targets.",
                             where="column 'y'")
        forward = np.log if self.transform == "log" else np.log1p
        torch.set_num_threads(self.num_threads)
        df = df.sort_values([ID, DS])
        self.ids_ = list(dict.fromkeys(df[ID]))
        g = df.groupby(ID, sort=False)
        self.logs_ = [forward(g.get_group(u)[Y].to_numpy(dtype=np.float64)) for u in self.ids_]
        self.last_ds_ = g[DS].max().reindex(self.ids_).to_numpy()
        H = self.h
        # a window ending at e has inputs v[e-L:e] and targets v[e:e+H]
        lo = np.array([max(2, len(v) - H - self.history) for v in self.logs_])
        hi = np.array([len(v) - H for v in self.logs_])
        ok = np.flatnonzero(hi >= lo)
        if not len(ok):
            raise InputError(f"GlobalMLP needs at least one series longer than h + 2 = {H + 2} "
                             "steps to learn from.", where="df")
        self._pack()
        self.nets_ = []
        for seed in range(self.seed, self.seed + self.seeds):
            rng = np.random.default_rng(seed)
            torch.manual_seed(seed)
            net = self._net()
            opt = torch.optim.Adam(net.parameters(), lr=self.lr)
            sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=self.lr,
                                                        total_steps=self.steps, pct_start=0.1)
            for _ in range(self.steps):
                sids = rng.choice(ok, size=self.batch)
                ends = rng.integers(lo[sids], hi[sids] + 1)
                x, m, yy = self._windows(sids, ends, target=True)
                pred = net(torch.from_numpy(x), torch.from_numpy(m))
                loss = (pred - torch.from_numpy(yy)).abs().mean()
                opt.zero_grad()
                loss.backward()
                opt.step()
                sched.step()
            net.eval()
            self.nets_.append(net)
        self.freq_ = freq
        return self

    def predict(self, h: int, level: Sequence[int] | None = None,
                X_df: pd.DataFrame | None = None) -> pd.DataFrame:
        import torch

        self._check_fitted()
        h = check_horizon(h, self.name)
        if h > self.h:
            raise InputError(f"{self.name} was trained for horizons up to h = {self.h}, not {h}; "
                             "build it with a larger h.", where="h")
        if level:
            raise InputError(f"{self.name} gives point forecasts only (no intervals); for "
                             "intervals use LightGBM or Chinchilla (conformal) or a statistical "
                             "model.", where="level")
        ends = np.array([len(v) for v in self.logs_])
        x, m = self._windows(np.arange(len(self.logs_)), ends, target=False)
        with torch.no_grad():
            outs = np.stack([net(torch.from_numpy(x), torch.from_numpy(m)).numpy()
                             for net in self.nets_])
        f = np.median(outs, axis=0)[:, :h] + np.array([v[-1] for v in self.logs_])[:, None]
        values = np.exp(f) if self.transform == "log" else np.clip(np.expm1(f), 0.0, None)
        if isinstance(self.freq_, int):
            ds: Any = (self.last_ds_[:, None] + self.freq_ * np.arange(1, h + 1)[None, :]).ravel()
        else:
            ds = np.concatenate([pd.date_range(d, periods=h + 1, freq=self.freq_)[1:]
                                 for d in self.last_ds_])
        return pd.DataFrame({ID: np.repeat(self.ids_, h), DS: ds, self.name: values.ravel()})
