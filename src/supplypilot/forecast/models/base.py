"""The contract every forecasting model follows.

Models see the canonical long frame (``unique_id``, ``ds``, ``y`` plus exogenous columns) —
the :class:`~supplypilot.forecast.Forecaster` renames a user's columns before calling them —
and answer in the same shape: one column named by the model's ``alias`` and, for each
requested level, ``<alias>-lo-<level>`` and ``<alias>-hi-<level>`` (statsforecast's naming).

Estimator manners (scikit-learn): ``__init__`` only stores its arguments; validation and
fitted state (names ending in ``_``) happen in ``fit``; ``predict`` before ``fit`` raises
:class:`~supplypilot.errors.NotFittedError`; randomness comes in as ``seed``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any

import pandas as pd

from supplypilot.errors import InputError, NotFittedError

ID, DS, Y = "unique_id", "ds", "y"


class ForecastModel(ABC):
    """Base class of frame-level models (global models, and wrappers of local ones)."""

    #: True when one model is learned across all series (LightGBM, Chinchilla).
    is_global: bool = False

    def __init__(self, alias: str | None = None) -> None:
        self.alias = alias

    @property
    def name(self) -> str:
        return self.alias or type(self).__name__

    @abstractmethod
    def fit(self, df: pd.DataFrame, freq: str = "D") -> ForecastModel:
        """Learn from the long frame; returns self."""

    @abstractmethod
    def predict(self, h: int, level: Sequence[int] | None = None,
                X_df: pd.DataFrame | None = None) -> pd.DataFrame:
        """Forecast ``h`` steps after each series' last date.

        Returns ``unique_id, ds, <name>`` plus ``<name>-lo-<l>``/``<name>-hi-<l>`` per level.
        """

    def update(self, new_df: pd.DataFrame) -> ForecastModel:
        """Take appended observations into account without a full retrain.

        The default refits on the history plus the new rows; models that can fine-tune
        (Chinchilla, LightGBM) override it.
        """
        history = getattr(self, "history_", None)
        if history is None:
            raise NotFittedError(f"{self.name} is not fitted yet; call fit before update.")
        df = pd.concat([history, new_df], ignore_index=True).drop_duplicates([ID, DS], keep="last")
        return self.fit(df.sort_values([ID, DS]).reset_index(drop=True), freq=self.freq_)

    def _check_fitted(self) -> None:
        if not hasattr(self, "freq_"):
            raise NotFittedError(f"{self.name} is not fitted yet; call fit before predict.")

    def get_params(self) -> dict[str, Any]:
        import inspect

        sig = inspect.signature(type(self).__init__)
        return {p: getattr(self, p) for p in sig.parameters if p != "self" and hasattr(self, p)}

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items() if v is not None)
        return f"{type(self).__name__}({params})"


def check_levels(levels: Sequence[int | float] | None, owner: str) -> list[int | float]:
    """Validate prediction-interval levels: each strictly between 0 and 100."""
    if levels is None:
        return []
    out = list(levels)
    bad = [lv for lv in out if not (isinstance(lv, (int, float)) and 0 < lv < 100)]
    if bad:
        raise InputError(f"The 'level' parameter of {owner} must hold numbers in (0, 100). Got {out!r} instead.",
                         where="level")
    return out


def check_horizon(h: int, owner: str, max_h: int = 730) -> int:
    if not isinstance(h, (int,)) or isinstance(h, bool) or not 1 <= h <= max_h:
        raise InputError(f"The 'horizon' parameter of {owner} must be an int in [1, {max_h}]. Got {h!r} instead.",
                         where="horizon")
    return int(h)
