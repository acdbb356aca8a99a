"""Chinchilla: a global patch-transformer forecaster sized by the Chinchilla rule.

``Chinchilla`` is the forecasting model (one more model in a ``Forecaster``'s list);
``ChinchillaModel`` is the seed documents' tabular API over the same network family, objective
and schedule. The building blocks — sizing, the L1 optimiser, the learning-rate schedule, the
losses — are public for reuse and for the scaling benchmark.
"""

from supplypilot.forecast.models.chinchilla.model import Chinchilla as Chinchilla
from supplypilot.forecast.models.chinchilla.persistence import read_metadata as read_metadata
from supplypilot.forecast.models.chinchilla.seed_api import ChinchillaModel as ChinchillaModel
from supplypilot.forecast.models.chinchilla.sizing import SizingReport as SizingReport
from supplypilot.forecast.models.chinchilla.sizing import choose_size as choose_size
from supplypilot.forecast.models.chinchilla.training import InverseTimeDecayLR as InverseTimeDecayLR
from supplypilot.forecast.models.chinchilla.training import L1Optimizer as L1Optimizer
from supplypilot.forecast.models.chinchilla.training import inverse_time_decay as inverse_time_decay
from supplypilot.forecast.models.chinchilla.training import pinball_loss as pinball_loss
from supplypilot.forecast.models.chinchilla.training import soft_threshold as soft_threshold
from supplypilot.forecast.models.chinchilla.training import weighted_mse as weighted_mse

__all__ = [
    "Chinchilla",
    "ChinchillaModel",
    "InverseTimeDecayLR",
    "L1Optimizer",
    "SizingReport",
    "choose_size",
    "inverse_time_decay",
    "pinball_loss",
    "read_metadata",
    "soft_threshold",
    "weighted_mse",
]
