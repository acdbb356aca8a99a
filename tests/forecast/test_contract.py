"""Every model honours the same contract (scikit-learn's check_estimator idea, for forecasters).

Global models are discovered: every concrete ForecastModel subclass defined in
``supplypilot.forecast.models`` (LightGBM, Chinchilla, ... as they arrive). Statistical models
are statsforecast objects run through the Forecaster. Data are tiny so each check takes
seconds; classes get small constructor settings where they accept them.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from typing import Any

import numpy as np
import pandas as pd
import pytest

import supplypilot.forecast.models as models_pkg
from supplypilot.errors import NotFittedError
from supplypilot.forecast import Forecaster, ForecastModel
from supplypilot.forecast.models import statistical as st

from .conftest import make_panel

H = 7
LEVEL = [80]
#: Small settings, used where a class's constructor has the parameter.
SMALL = {"n_estimators": 20, "lags": (1, 7), "rolling_windows": (7,), "conformal_h": H,
         "conformal_windows": 1, "num_threads": 1, "input_size": 14, "patch_len": 7, "stride": 7,
         "h": H, "max_epochs": 2, "max_steps": 4, "batch_size": 16, "early_stopping_patience": None,
         "d_model": 8, "n_layers": 1, "n_heads": 1, "seed": 0, "steps": 20, "seeds": 1,
         "width": 16}

MODULE_ERRORS: list[tuple[str, str]] = []


def _discover() -> list[type[ForecastModel]]:
    for mod in pkgutil.walk_packages(models_pkg.__path__, models_pkg.__name__ + "."):
        try:
            importlib.import_module(mod.name)
        except Exception as exc:  # noqa: BLE001 — reported by its own test below
            MODULE_ERRORS.append((mod.name, f"{type(exc).__name__}: {exc}"))
    found, todo = [], list(ForecastModel.__subclasses__())
    while todo:
        cls = todo.pop()
        todo += cls.__subclasses__()
        if cls.__module__.startswith(models_pkg.__name__) and not inspect.isabstract(cls):
            found.append(cls)
    return sorted(set(found), key=lambda c: c.__name__)


GLOBAL_CLASSES = _discover()
STAT_MODELS = {
    "AutoETS": lambda: st.AutoETS(season_length=7),
    "AutoTheta": lambda: st.AutoTheta(season_length=7),
    "AutoARIMA": lambda: st.AutoARIMA(),
    "Naive": lambda: st.Naive(),
    "Naive2": lambda: st.Naive2(season_length=7),
    "SeasonalNaive": lambda: st.SeasonalNaive(season_length=7),
    "HistoricAverage": lambda: st.HistoricAverage(),
    "CrostonOptimized": lambda: st.CrostonOptimized(),
    "TSB": lambda: st.TSB(alpha_d=0.2, alpha_p=0.2),
    "ADIDA": lambda: st.ADIDA(),
    "IMAPA": lambda: st.IMAPA(),
}


def _construct(cls: type[ForecastModel]) -> ForecastModel:
    params = inspect.signature(cls.__init__).parameters
    required = [p for p, v in params.items() if p != "self" and v.default is inspect.Parameter.empty
                and v.kind in (v.POSITIONAL_OR_KEYWORD, v.KEYWORD_ONLY) and p not in SMALL]
    if required:
        pytest.skip(f"{cls.__name__} cannot be built without {required}")
    return cls(**{k: v for k, v in SMALL.items() if k in params})


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    """Three daily series of 84 days, positive."""
    return make_panel(n_series=3, n_obs=84, seed=3)


def _columns(name: str) -> list[str]:
    return ["unique_id", "ds", name, f"{name}-lo-80", f"{name}-hi-80"]


def test_every_models_module_imports() -> None:
    """Every module under supplypilot.forecast.models imports (so discovery sees every model)."""
    assert MODULE_ERRORS == []


@pytest.mark.parametrize("cls", GLOBAL_CLASSES, ids=lambda c: c.__name__)
class TestGlobalModel:
    """The ForecastModel contract, on each discovered class."""

    def test_fit_returns_self(self, cls: type[ForecastModel], data: pd.DataFrame) -> None:
        """fit returns the model itself."""
        model = _construct(cls)
        assert model.fit(data, freq="D") is model

    def test_predict_before_fit_raises(self, cls: type[ForecastModel]) -> None:
        """predict on an unfitted model raises NotFittedError."""
        with pytest.raises(NotFittedError):
            _construct(cls).predict(H)

    def test_init_only_stores_parameters(self, cls: type[ForecastModel]) -> None:
        """A new model has no fitted state (no public attribute ending in '_')."""
        model = _construct(cls)
        assert [a for a in vars(model) if a.endswith("_") and not a.startswith("_")] == []

    def test_same_seed_same_forecast(self, cls: type[ForecastModel], data: pd.DataFrame) -> None:
        """Two fits with the same settings give the same forecasts."""
        a = _construct(cls).fit(data, freq="D").predict(H)
        b = _construct(cls).fit(data, freq="D").predict(H)
        pd.testing.assert_frame_equal(a, b)

    def test_output_shape_and_columns(self, cls: type[ForecastModel], data: pd.DataFrame) -> None:
        """One row per series and step, the model's column and its interval bounds."""
        model = _construct(cls).fit(data, freq="D")
        out = model.predict(H, level=LEVEL)
        assert len(out) == 3 * H
        assert set(_columns(model.name)) <= set(out.columns)
        assert np.isfinite(out[model.name]).all()

    def test_runs_inside_a_forecaster(self, cls: type[ForecastModel], data: pd.DataFrame) -> None:
        """Beside a statistical model in a Forecaster, the output is merged on (id, date)."""
        model = _construct(cls)
        out = Forecaster([st.Naive(), model], freq="D").fit(data).predict(H, level=LEVEL)
        assert list(out.columns) == _columns("Naive")[:] + _columns(model.name)[2:]
        assert out[model.name].notna().all()


@pytest.mark.parametrize("name", list(STAT_MODELS))
class TestStatisticalModel:
    """The same contract for statsforecast models, through the Forecaster."""

    def test_fit_returns_self(self, name: str, data: pd.DataFrame) -> None:
        """Forecaster.fit returns the Forecaster."""
        fc = Forecaster([STAT_MODELS[name]()], freq="D")
        assert fc.fit(data) is fc

    def test_predict_before_fit_raises(self, name: str) -> None:
        """predict before fit raises NotFittedError."""
        with pytest.raises(NotFittedError):
            Forecaster([STAT_MODELS[name]()], freq="D").predict(H)

    def test_same_data_same_forecast(self, name: str, data: pd.DataFrame) -> None:
        """Two runs give the same numbers."""
        a = Forecaster([STAT_MODELS[name]()], freq="D").fit(data).predict(H, level=LEVEL)
        b = Forecaster([STAT_MODELS[name]()], freq="D").fit(data).predict(H, level=LEVEL)
        pd.testing.assert_frame_equal(a, b)

    def test_output_shape_and_intervals(self, name: str, data: pd.DataFrame) -> None:
        """h rows per series, the point column inside finite interval bounds."""
        model: Any = STAT_MODELS[name]()
        out = Forecaster([model], freq="D").fit(data).predict(H, level=LEVEL)
        col = repr(model)
        assert list(out.columns) == _columns(col)
        assert len(out) == 3 * H
        assert np.isfinite(out[[col, f"{col}-lo-80", f"{col}-hi-80"]].to_numpy()).all()
        assert (out[f"{col}-lo-80"] <= out[col]).all() and (out[col] <= out[f"{col}-hi-80"]).all()
