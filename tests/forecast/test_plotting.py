"""Forecast and decomposition figures are written as real, non-empty PNG pictures."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from supplypilot.errors import InputError
from supplypilot.forecast import Forecaster, plot_decomposition, plot_forecast
from supplypilot.forecast.models.statistical import AutoETS, SeasonalNaive

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _picture(path: Path) -> np.ndarray:
    from matplotlib.image import imread

    assert path.read_bytes()[:8] == PNG_MAGIC
    return imread(path)


def test_forecast_plot_writes_a_png_with_bands(panel: pd.DataFrame, tmp_path: Path) -> None:
    """History, two models and their 80/95 % bands are drawn into a PNG with many colours."""
    fc = Forecaster([AutoETS(season_length=7), SeasonalNaive(7)], freq="D").fit(panel)
    out = fc.predict(14, level=[80, 95])
    path = tmp_path / "plots" / "forecast.png"
    fig = plot_forecast(panel, out, "P-002", level=[80, 95], path=path)
    img = _picture(path)
    assert img.shape[0] > 300 and img.shape[1] > 600
    assert len(np.unique(img.reshape(-1, img.shape[-1]), axis=0)) > 50
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert labels == ["history", "AutoETS 95%", "AutoETS 80%", "AutoETS", "SeasonalNaive 95%",
                      "SeasonalNaive 80%", "SeasonalNaive"]


def test_forecast_plot_draws_on_a_given_axes(panel: pd.DataFrame) -> None:
    """With ax given, the figure is that axes' figure and nothing is written."""
    from matplotlib.figure import Figure

    ax = Figure().subplots()
    out = Forecaster([SeasonalNaive(7)], freq="D").fit(panel).predict(7)
    assert plot_forecast(panel, out, "P-001", ax=ax) is ax.figure
    assert len(ax.lines) == 2


def test_forecast_plot_refuses_an_unknown_series(panel: pd.DataFrame) -> None:
    """A series absent from the history is named in the error."""
    out = Forecaster([SeasonalNaive(7)], freq="D").fit(panel).predict(7)
    with pytest.raises(InputError, match="no rows for series 'P-404'"):
        plot_forecast(panel, out, "P-404")


def test_decomposition_plot_writes_four_panels(panel: pd.DataFrame, tmp_path: Path) -> None:
    """data, trend, seasonal and remainder panels are drawn and saved."""
    path = tmp_path / "decomposition.png"
    fig = plot_decomposition(panel, "P-001", season_length=7, path=path)
    assert [a.get_ylabel() for a in fig.axes] == ["data", "trend", "seasonal", "remainder"]
    img = _picture(path)
    assert img.std() > 0.05


def test_decomposition_needs_two_seasons(panel: pd.DataFrame) -> None:
    """A season longer than half the series cannot be estimated."""
    with pytest.raises(InputError, match="fit at least twice"):
        plot_decomposition(panel, "P-001", season_length=40)
