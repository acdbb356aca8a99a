"""Forecasting: one :class:`Forecaster` over statistical and global models, on the long frame.

Models live in :mod:`supplypilot.forecast.models` (one module per family); measures in
:mod:`~supplypilot.forecast.metrics`; model choice and ensembles in
:mod:`~supplypilot.forecast.selection`; coherent hierarchies in
:mod:`~supplypilot.forecast.hierarchy`; figures in :mod:`~supplypilot.forecast.plotting`.
"""

from .core import Forecaster as Forecaster
from .core import validate_frame as validate_frame
from .hierarchy import ITEM_FAMILY_TOTAL as ITEM_FAMILY_TOTAL
from .hierarchy import ITEM_LOCATION_REGION as ITEM_LOCATION_REGION
from .hierarchy import Hierarchy as Hierarchy
from .hierarchy import insample_forecasts as insample_forecasts
from .metrics import evaluate as evaluate
from .models.base import ForecastModel as ForecastModel
from .plotting import plot_decomposition as plot_decomposition
from .plotting import plot_forecast as plot_forecast
from .selection import Selection as Selection
from .selection import select_models as select_models

__all__ = [
    "Forecaster", "ForecastModel", "Hierarchy", "ITEM_FAMILY_TOTAL", "ITEM_LOCATION_REGION",
    "Selection", "evaluate", "insample_forecasts", "plot_decomposition", "plot_forecast",
    "select_models", "validate_frame",
]
