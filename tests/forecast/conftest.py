"""Small deterministic panels for the forecasting tests (seeded, built in memory)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest


def make_panel(n_series: int = 3, n_obs: int = 70, freq: str = "D", seed: int = 7,
               start: str = "2024-01-01") -> pd.DataFrame:
    """``n_series`` daily series with a weekly season, a level per series and noise."""
    rng = np.random.default_rng(seed)
    frames = []
    for i in range(n_series):
        t = np.arange(n_obs)
        y = 20 + 5 * i + 4 * np.sin(2 * np.pi * t / 7) + 0.05 * t + rng.normal(0, 1, n_obs)
        frames.append(pd.DataFrame({"unique_id": f"P-{i + 1:03d}",
                                    "ds": pd.date_range(start, periods=n_obs, freq=freq), "y": y}))
    return pd.concat(frames, ignore_index=True)


@pytest.fixture
def panel() -> pd.DataFrame:
    """Three daily series of 70 days."""
    return make_panel()
