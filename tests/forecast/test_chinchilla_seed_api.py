"""The seed documents' ChinchillaModel: load → preprocess → train → evaluate → predict."""

from __future__ import annotations

import sys
import types

import numpy as np
import pandas as pd
import pytest

from supplypilot import load_supply_chain_data, preprocess_data
from supplypilot.errors import InputError, NotFittedError, SupplyPilotError
from supplypilot.forecast.models.chinchilla import ChinchillaModel


@pytest.fixture(scope="module")
def seed_xy(tmp_path_factory: pytest.TempPathFactory) -> tuple[pd.DataFrame, pd.DataFrame]:
    """X and two targets from a tiny supply-chain CSV, through the seed's two functions."""
    rng = np.random.default_rng(0)
    n = 80
    price = rng.uniform(5, 20, n).round(2)
    promo = rng.integers(0, 2, n)
    units = (50 - 2 * price + 10 * promo + rng.normal(0, 1, n)).round(1)
    raw = pd.DataFrame({
        "order_date": pd.date_range("2024-01-01", periods=n).strftime("%Y-%m-%d"),
        "sku": rng.choice(["A", "B", "C"], n), "price": price, "promo": promo, "units": units,
        "inventory": (200 - 1.5 * units).round(1),
    })
    path = tmp_path_factory.mktemp("seed") / "supply_chain.csv"
    raw.to_csv(path, index=False)
    df = load_supply_chain_data(path)
    feats = preprocess_data(df.drop(columns=["inventory"]), target="units")
    X = feats.drop(columns=["units"])
    y = pd.DataFrame({"units": feats["units"], "inventory": df["inventory"]})
    return X, y


def test_seed_flow_trains_and_evaluates(seed_xy) -> None:
    """The seed's five lines run and evaluate reports mse, mae and r2 overall and per output."""
    X, y = seed_xy
    m = ChinchillaModel(X.shape[1], y.shape[1])
    assert m.train(X, y, epochs=5, learning_rate=1e-3) is m
    metrics = m.evaluate(X, y)
    assert set(metrics) == {"mse", "mae", "r2", "n", "outputs"}
    assert set(metrics["outputs"]) == {"units", "inventory"}
    assert metrics["n"] == len(X)
    per = metrics["outputs"]
    assert metrics["mse"] == pytest.approx((per["units"]["mse"] + per["inventory"]["mse"]) / 2)
    assert metrics["r2"] == pytest.approx((per["units"]["r2"] + per["inventory"]["r2"]) / 2)


def test_longer_training_fits_the_signal(seed_xy) -> None:
    """With enough epochs the transformer explains most of the variance of both outputs."""
    X, y = seed_xy
    m = ChinchillaModel(X.shape[1], 2).train(X, y, epochs=150, learning_rate=3e-3)
    metrics = m.evaluate(X, y)
    assert metrics["outputs"]["units"]["r2"] > 0.8
    assert metrics["outputs"]["inventory"]["r2"] > 0.8


def test_predict_returns_rows_by_outputs(seed_xy) -> None:
    """predict gives an [n, output_dim] array in the units of y."""
    X, y = seed_xy
    m = ChinchillaModel(X.shape[1], 2).train(X, y, epochs=2, learning_rate=1e-3)
    pred = m.predict(X.iloc[:7])
    assert pred.shape == (7, 2) and np.isfinite(pred).all()


def test_size_follows_the_chinchilla_rule(seed_xy) -> None:
    """D counts one token per feature plus a summary token per row, and C = 6·N·D."""
    X, y = seed_xy
    m = ChinchillaModel(X.shape[1], 2).train(X, y, epochs=1, learning_rate=1e-3)
    assert m.n_tokens_ == len(X) * (X.shape[1] + 1)
    assert m.compute_flops_ == 6 * m.n_params_ * m.n_tokens_
    assert m.sizing_report().n_params == m.n_params_


def test_same_seed_same_predictions(seed_xy) -> None:
    """Two trainings with the same seed predict identically."""
    X, y = seed_xy
    a = ChinchillaModel(X.shape[1], 2, seed=3).train(X, y, epochs=3, learning_rate=1e-3)
    b = ChinchillaModel(X.shape[1], 2, seed=3).train(X, y, epochs=3, learning_rate=1e-3)
    assert np.array_equal(a.predict(X), b.predict(X))


def test_predict_before_train_raises(seed_xy) -> None:
    """predict and evaluate before train raise NotFittedError."""
    X, y = seed_xy
    with pytest.raises(NotFittedError):
        ChinchillaModel(X.shape[1], 2).predict(X)


def test_wrong_shapes_raise_input_error(seed_xy) -> None:
    """X with the wrong number of columns is refused with the expected shape named."""
    X, y = seed_xy
    with pytest.raises(InputError, match=r"X must have shape \[n, 3\]"):
        ChinchillaModel(3, 2).train(X, y, epochs=1)


def test_bad_parameter_raises_input_error() -> None:
    """A bad constructor argument is refused with the standard message."""
    with pytest.raises(InputError) as err:
        ChinchillaModel(0, 1)
    assert err.value.message == "The 'input_dim' parameter of ChinchillaModel must be an int >= 1. Got 0 instead."


def test_optimize_supply_chain_needs_the_planning_engine(seed_xy, monkeypatch) -> None:
    """Without supplypilot.plan.cycle the call raises SupplyPilotError naming the planning engine."""
    monkeypatch.setitem(sys.modules, "supplypilot.plan.cycle", None)  # import now fails
    X, y = seed_xy
    with pytest.raises(SupplyPilotError, match="planning engine"):
        ChinchillaModel(X.shape[1], 2).optimize_supply_chain(None)


def test_optimize_supply_chain_hands_data_and_model_to_the_engine(seed_xy, monkeypatch) -> None:
    """An engine taking the data directly receives it, the options, and the model."""
    calls = []
    fake = types.ModuleType("supplypilot.plan.cycle")

    def run_planning_cycle(data, horizon_days=28, model=None):
        calls.append((data, horizon_days, model))
        return "plan"

    fake.run_planning_cycle = run_planning_cycle
    monkeypatch.setitem(sys.modules, "supplypilot.plan.cycle", fake)
    X, y = seed_xy
    m = ChinchillaModel(X.shape[1], 2)
    assert m.optimize_supply_chain({"items": []}, horizon_days=7) == "plan"
    assert calls == [({"items": []}, 7, m)]


def test_optimize_supply_chain_turns_a_store_url_into_a_context(seed_xy, monkeypatch) -> None:
    """An engine that plans from a tool Context gets one built from the store URL."""
    from supplypilot.tools import Context

    seen = []
    fake = types.ModuleType("supplypilot.plan.cycle")

    def run_planning_cycle(ctx=None, horizon_days=28):
        seen.append((ctx, horizon_days))
        return "plan"

    fake.run_planning_cycle = run_planning_cycle
    monkeypatch.setitem(sys.modules, "supplypilot.plan.cycle", fake)
    X, y = seed_xy
    assert ChinchillaModel(X.shape[1], 2).optimize_supply_chain("sqlite:///x.db", horizon_days=14) == "plan"
    ctx, days = seen[0]
    assert isinstance(ctx, Context) and ctx.store_url == "sqlite:///x.db" and days == 14
    with pytest.raises(InputError, match="must be a Context, a store URL or None"):
        ChinchillaModel(X.shape[1], 2).optimize_supply_chain(42)
