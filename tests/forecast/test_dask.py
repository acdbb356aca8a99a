"""Distributed engines return the pandas engine's forecasts.

Dask always; Spark and Ray when their optional extras are installed.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pytest

from supplypilot.errors import InputError
from supplypilot.forecast import Forecaster
from supplypilot.forecast.models.statistical import AutoETS, CrostonOptimized, Naive, SeasonalNaive

from .conftest import make_panel

TOL = 1e-5


def _models() -> list:
    return [AutoETS(season_length=7), SeasonalNaive(7), CrostonOptimized()]


@pytest.fixture(scope="module")
def twenty() -> pd.DataFrame:
    """Twenty daily series of 60 days."""
    return make_panel(n_series=20, n_obs=60, seed=11)


@pytest.fixture(scope="module")
def client():
    """One local process cluster for the module, as the Forecaster would start it."""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None, silence_logs=logging.ERROR) as cluster, \
            distributed.Client(cluster) as c:
        yield c


def _assert_same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    assert list(a.columns) == list(b.columns)
    pd.testing.assert_frame_equal(a.iloc[:, :2], b.iloc[:, :2])
    np.testing.assert_allclose(a.iloc[:, 2:].to_numpy(float), b.iloc[:, 2:].to_numpy(float),
                               rtol=TOL, atol=TOL)


def test_dask_engine_starts_its_own_cluster(twenty: pd.DataFrame) -> None:
    """With no Dask client running, the dask engine starts a local cluster and matches pandas."""
    distributed = pytest.importorskip("distributed")
    with pytest.raises(ValueError):
        distributed.get_client()  # so the Forecaster must start its own
    models = [Naive(), SeasonalNaive(7)]
    pandas_out = Forecaster(models, freq="D").fit(twenty).predict(7, level=[80])
    dask_out = Forecaster(models, freq="D", engine="dask").fit(twenty).predict(7, level=[80])
    _assert_same(dask_out, pandas_out)


def test_dask_forecasts_match_pandas(twenty: pd.DataFrame, client) -> None:
    """AutoETS, SeasonalNaive and conformal Croston on the cluster equal pandas to 1e-5."""
    pandas_out = Forecaster(_models(), freq="D").fit(twenty).predict(7, level=[80])
    dask_out = Forecaster(_models(), freq="D", engine="dask").fit(twenty).predict(7, level=[80])
    _assert_same(dask_out, pandas_out)


def test_dask_cross_validation_matches_pandas(twenty: pd.DataFrame, client) -> None:
    """Rolling-origin CV on the cluster equals the pandas run to 1e-5."""
    kw = dict(h=7, df=twenty, n_windows=2, step_size=7)
    pandas_cv = Forecaster(_models(), freq="D").cross_validation(**kw)
    dask_cv = Forecaster(_models(), freq="D", engine="dask").cross_validation(**kw)
    assert list(dask_cv.columns[:4]) == ["unique_id", "ds", "cutoff", "y"]
    pd.testing.assert_frame_equal(dask_cv.iloc[:, :3], pandas_cv.iloc[:, :3])
    np.testing.assert_allclose(dask_cv.iloc[:, 3:].to_numpy(float),
                               pandas_cv.iloc[:, 3:].to_numpy(float), rtol=TOL, atol=TOL)


def test_dask_failures_are_traced_like_pandas(twenty: pd.DataFrame, client) -> None:
    """A model failing on a worker still falls back, and the trace says why."""
    tiny = pd.DataFrame({"unique_id": "TINY", "ds": pd.date_range("2024-02-26", periods=4),
                         "y": [1.0, 2.0, 3.0, 4.0]})
    df = pd.concat([twenty, tiny], ignore_index=True)
    fc = Forecaster([CrostonOptimized()], freq="D", engine="dask", fallback_model=Naive())
    out = fc.fit(df).predict(3, level=[80])
    assert fc.fallbacks_[["unique_id", "model"]].values.tolist() == [["TINY", "CrostonOptimized"]]
    assert fc.fallbacks_["reason"].item().startswith("ValueError: Prediction intervals settings")
    assert out.loc[out["unique_id"] == "TINY", "CrostonOptimized"].tolist() == [4.0, 4.0, 4.0]


@pytest.mark.parametrize(("engine", "module"), [("spark", "pyspark"), ("ray", "ray")])
def test_optional_engine_matches_pandas(engine: str, module: str, twenty: pd.DataFrame) -> None:
    """Spark and Ray, when installed, return the pandas forecasts through the same Fugue backend."""
    pytest.importorskip(module)
    pytest.importorskip(f"fugue_{engine}")
    pandas_out = Forecaster(_models(), freq="D").fit(twenty).predict(7, level=[80])
    out = Forecaster(_models(), freq="D", engine=engine).fit(twenty).predict(7, level=[80])
    _assert_same(out.sort_values(["unique_id", "ds"]).reset_index(drop=True), pandas_out)


def test_missing_optional_engine_says_what_to_install(monkeypatch, twenty: pd.DataFrame) -> None:
    """An engine whose packages are absent is an InputError naming the pip extra."""
    import builtins

    real_import = builtins.__import__

    def no_ray(name, *args, **kwargs):
        if name == "ray" or name.startswith("ray."):
            raise ImportError("no ray here")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_ray)
    monkeypatch.delitem(__import__("sys").modules, "ray", raising=False)
    with pytest.raises(InputError, match=r"pip install \"fugue\[ray\]\" ray"):
        Forecaster([Naive()], freq="D", engine="ray").fit(twenty).predict(3)
