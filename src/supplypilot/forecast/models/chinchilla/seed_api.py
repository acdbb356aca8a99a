"""The seed documents' API: ``ChinchillaModel(input_dim, output_dim)`` on tabular features.

The seed's flow is ``X, y`` from :func:`supplypilot.preprocess_data`, then ``train``,
``evaluate`` and ``predict``. Rows of a table have no time axis to cut into patches, so each
*column* becomes a token (a feature-token transformer, :class:`.network.FeatureTokenNetwork`);
everything else is shared with :class:`~supplypilot.forecast.models.chinchilla.Chinchilla`: the
size from the Chinchilla rule (``D`` = rows × tokens per row, ``N ≈ D/20``), the objective
(weighted multi-output MSE + ``λ·‖θ‖₁`` in the chosen ``l1_mode``) and the schedule
``η_t = η0 / (1 + t/τ)^γ``.
"""

from __future__ import annotations

import importlib
import inspect
import logging
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import pandas as pd
import torch

from supplypilot.errors import InputError, NotFittedError, SupplyPilotError
from supplypilot.forecast.models.chinchilla.model import torch_threads
from supplypilot.forecast.models.chinchilla.network import FeatureTokenNetwork, count_parameters
from supplypilot.forecast.models.chinchilla.sizing import SizingReport, choose_size
from supplypilot.forecast.models.chinchilla.training import L1_MODES, TrainResult, train, weighted_mse

logger = logging.getLogger("supplypilot")

PLANNING_MODULE = "supplypilot.plan.cycle"


class ChinchillaModel:
    """Transformer regressor from ``input_dim`` features to ``output_dim`` outputs (seed API).

    Parameters
    ----------
    input_dim, output_dim
        Feature columns of ``X`` and output columns of ``y``.
    d_model, n_layers, n_heads
        Transformer shape; ``None`` lets the Chinchilla rule choose at ``train``.
    output_weights
        Weights ``w_k`` of the loss ``Σ_k w_k·MSE_k`` (default 1 each).
    l1, l1_mode
        ``λ`` and how the L1 term is applied (``"penalty"``, ``"sign"``, ``"proximal"``).
    tau, gamma
        Learning-rate decay ``η_t = η0 / (1 + t/τ)^γ`` (``η0`` is ``train``'s
        ``learning_rate``).
    batch_size
        Rows per optimiser step.
    val_fraction, early_stopping_patience
        Share of rows (drawn with ``seed``) held out for early stopping; 0 trains on all.
    seed
        Seeds weights, shuffling and the validation split.
    num_threads
        Torch CPU threads (1 is fastest for networks this small on a shared machine).
    verbose
        Show a rich progress bar while training.

    Examples
    --------
    >>> X, y = np.random.rand(200, 5), np.random.rand(200, 2)           # doctest: +SKIP
    >>> m = ChinchillaModel(5, 2)                                       # doctest: +SKIP
    >>> m.train(X, y, epochs=5, learning_rate=1e-3).evaluate(X, y)["r2"]  # doctest: +SKIP
    """

    def __init__(self, input_dim: int, output_dim: int, *, d_model: int | None = None,
                 n_layers: int | None = None, n_heads: int | None = None,
                 output_weights: Sequence[float] | None = None, l1: float = 1e-5,
                 l1_mode: str = "penalty", tau: float = 500.0, gamma: float = 0.5, batch_size: int = 64,
                 val_fraction: float = 0.0, early_stopping_patience: int = 10, seed: int = 0,
                 num_threads: int = 1, verbose: bool = False) -> None:
        self.input_dim = input_dim
        self.output_dim = output_dim
        self.d_model = d_model
        self.n_layers = n_layers
        self.n_heads = n_heads
        self.output_weights = output_weights
        self.l1 = l1
        self.l1_mode = l1_mode
        self.tau = tau
        self.gamma = gamma
        self.batch_size = batch_size
        self.val_fraction = val_fraction
        self.early_stopping_patience = early_stopping_patience
        self.seed = seed
        self.num_threads = num_threads
        self.verbose = verbose
        self._check_params()

    def __repr__(self) -> str:
        return f"ChinchillaModel(input_dim={self.input_dim}, output_dim={self.output_dim})"

    # ----------------------------------------------------------------- checks

    def _fail(self, name: str, rule: str, value: Any) -> InputError:
        return InputError(f"The {name!r} parameter of ChinchillaModel must be {rule}. "
                          f"Got {value!r} instead.",
                          where=name)

    def _check_params(self) -> None:
        for name in ("input_dim", "output_dim", "batch_size", "num_threads", "early_stopping_patience"):
            v = getattr(self, name)
            if not isinstance(v, (int, np.integer)) or isinstance(v, bool) or v < 1:
                raise self._fail(name, "an int >= 1", v)
        for name in ("d_model", "n_layers", "n_heads"):
            v = getattr(self, name)
            if v is not None and (not isinstance(v, (int, np.integer)) or isinstance(v, bool) or v < 1):
                raise self._fail(name, "an int >= 1 or None", v)
        if self.l1_mode not in L1_MODES:
            raise self._fail("l1_mode", f"one of {', '.join(repr(m) for m in L1_MODES)}", self.l1_mode)
        for name, lo, strict in (("l1", 0.0, False), ("tau", 0.0, True), ("gamma", 0.0, False)):
            v = getattr(self, name)
            if not isinstance(v, (int, float)) or isinstance(v, bool) or not np.isfinite(v) or (
                    v <= lo if strict else v < lo):
                raise self._fail(name, f"a finite number {'>' if strict else '>='} {lo:g}", v)
        if not isinstance(self.val_fraction, (int, float)) or not 0 <= self.val_fraction < 1:
            raise self._fail("val_fraction", "a number in [0, 1)", self.val_fraction)
        if self.output_weights is not None:
            w = list(self.output_weights)
            if len(w) != self.output_dim or any(not np.isfinite(x) or x < 0 for x in w) or sum(w) <= 0:
                raise self._fail("output_weights", f"{self.output_dim} non-negative numbers with a "
                                 "positive sum", self.output_weights)

    def _arrays(self, X: Any, y: Any | None = None) -> tuple[np.ndarray, np.ndarray | None]:
        x = np.asarray(X.to_numpy() if isinstance(X, pd.DataFrame) else X, dtype=float)
        if x.ndim != 2 or x.shape[1] != self.input_dim:
            raise InputError(f"X must have shape [n, {self.input_dim}] (input_dim). "
                             f"Got {list(x.shape)} instead.",
                             where="X")
        if not np.isfinite(x).all():
            raise InputError("X holds NaN or infinite values; impute them first (preprocess_data does).",
                             where="X")
        if y is None:
            return x, None
        t = np.asarray(y.to_numpy() if isinstance(y, (pd.DataFrame, pd.Series)) else y, dtype=float)
        if t.ndim == 1:
            t = t[:, None]
        if t.ndim != 2 or t.shape != (x.shape[0], self.output_dim):
            raise InputError(f"y must have shape [{x.shape[0]}, {self.output_dim}] (rows of X, output_dim). "
                             f"Got {list(np.shape(y))} instead.", where="y")
        if not np.isfinite(t).all():
            raise InputError("y holds NaN or infinite values.", where="y")
        return x, t

    def _names(self, y: Any) -> list[str]:
        if isinstance(y, pd.DataFrame):
            return [str(c) for c in y.columns]
        if isinstance(y, pd.Series) and y.name is not None:
            return [str(y.name)]
        return [f"y{k}" for k in range(self.output_dim)]

    # ----------------------------------------------------------------- train

    def train(self, X: Any, y: Any, epochs: int = 100, learning_rate: float = 1e-3) -> ChinchillaModel:
        """Fit on ``X [n, input_dim]`` → ``y [n, output_dim]``; returns self.

        Features and outputs are standardised internally (statistics from the training rows),
        so ``learning_rate`` means the same for any units.

        Raises
        ------
        InputError
            Bad shapes, non-finite values, or a bad ``epochs``/``learning_rate``.
        """
        self._check_params()
        if not isinstance(epochs, int) or isinstance(epochs, bool) or epochs < 1:
            raise self._fail("epochs", "an int >= 1", epochs)
        lr_ok = isinstance(learning_rate, (int, float)) and np.isfinite(learning_rate)
        if not lr_ok or learning_rate <= 0:
            raise self._fail("learning_rate", "a finite number > 0", learning_rate)
        x, t = self._arrays(X, y)
        assert t is not None
        self.output_names_ = self._names(y)
        self.x_mean_, self.x_std_ = x.mean(0), _std(x)
        self.y_mean_, self.y_std_ = t.mean(0), _std(t)
        xs = torch.as_tensor((x - self.x_mean_) / self.x_std_, dtype=torch.float32)
        ys = torch.as_tensor((t - self.y_mean_) / self.y_std_, dtype=torch.float32)
        with torch_threads(self.num_threads), torch.random.fork_rng(devices=[]):
            torch.manual_seed(int(self.seed))
            gen = torch.Generator().manual_seed(int(self.seed))
            perm = torch.randperm(len(xs), generator=gen)
            n_val = int(round(self.val_fraction * len(xs))) if len(xs) > 1 else 0
            val_idx, tr_idx = perm[:n_val], perm[n_val:]
            self.n_tokens_ = int(len(tr_idx) * (self.input_dim + 1))
            self.sizing_ = choose_size(self.n_tokens_, self._build, d_model=self.d_model,
                                       n_layers=self.n_layers, n_heads=self.n_heads)
            s = self.sizing_
            self.net_ = self._build(s.d_model, s.n_heads, s.n_layers, s.d_ff)
            self.n_params_ = count_parameters(self.net_)
            self.compute_flops_ = 6.0 * self.n_params_ * self.n_tokens_
            w = torch.as_tensor(self.output_weights or [1.0] * self.output_dim, dtype=torch.float32)
            net = self.net_

            def batches(epoch: int) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
                order = tr_idx[torch.randperm(len(tr_idx), generator=gen)]
                for i in range(0, len(order), self.batch_size):
                    idx = order[i:i + self.batch_size]
                    yield xs[idx], ys[idx]

            def loss(b: tuple[torch.Tensor, torch.Tensor]) -> torch.Tensor:
                return weighted_mse(net(b[0]), b[1], w)

            val_fn = None
            if n_val:
                def val_fn() -> float:
                    return float(weighted_mse(net(xs[val_idx]), ys[val_idx], w))

            self.train_result_: TrainResult = train(
                net, loss, batches, lr=float(learning_rate), tau=self.tau, gamma=self.gamma, l1=self.l1,
                l1_mode=self.l1_mode, max_epochs=epochs, val_loss_fn=val_fn,
                patience=self.early_stopping_patience if n_val else None, verbose=self.verbose,
                description="ChinchillaModel")
        logger.info("ChinchillaModel trained: N=%d, D=%d, %d epochs", self.n_params_, self.n_tokens_,
                    self.train_result_.epochs)
        return self

    def _build(self, d_model: int, n_heads: int, n_layers: int, d_ff: int) -> FeatureTokenNetwork:
        return FeatureTokenNetwork(self.input_dim, self.output_dim, d_model, n_heads, n_layers, d_ff)

    # ----------------------------------------------------------------- use

    def _check_fitted(self, what: str) -> None:
        if not hasattr(self, "net_"):
            raise NotFittedError(f"ChinchillaModel is not trained yet; call train before {what}.")

    def predict(self, X: Any) -> np.ndarray:
        """Predictions ``[n, output_dim]`` in the units of the training ``y``."""
        self._check_fitted("predict")
        x, _ = self._arrays(X)
        xs = torch.as_tensor((x - self.x_mean_) / self.x_std_, dtype=torch.float32)
        with torch_threads(self.num_threads), torch.no_grad():
            out = self.net_(xs).numpy().astype(float)
        return out * self.y_std_ + self.y_mean_

    def evaluate(self, X: Any, y: Any) -> dict[str, Any]:
        """MSE, MAE and R² overall and per output.

        Returns
        -------
        dict
            ``{"mse", "mae", "r2", "n", "outputs": {name: {"mse", "mae", "r2"}}}``; the overall
            R² is the mean of the per-output values (scikit-learn's uniform average).
        """
        self._check_fitted("evaluate")
        _, t = self._arrays(X, y)
        assert t is not None
        pred = self.predict(X)
        err = pred - t
        mse = (err ** 2).mean(0)
        mae = np.abs(err).mean(0)
        var = ((t - t.mean(0)) ** 2).mean(0)
        r2 = np.where(var > 0, 1 - mse / np.where(var > 0, var, 1), np.where(mse == 0, 1.0, 0.0))
        names = self._names(y) if isinstance(y, (pd.DataFrame, pd.Series)) else self.output_names_
        return {
            "mse": float((err ** 2).mean()), "mae": float(np.abs(err).mean()), "r2": float(r2.mean()),
            "n": int(len(t)),
            "outputs": {n: {"mse": float(a), "mae": float(b), "r2": float(c)}
                        for n, a, b, c in zip(names, mse, mae, r2, strict=True)},
        }

    def sizing_report(self) -> SizingReport:
        """``D``, ``D/20``, chosen ``N``, ``C = 6·N·D`` and the shape chosen at ``train``."""
        self._check_fitted("sizing_report")
        return self.sizing_

    def optimize_supply_chain(self, data: Any = None, **options: Any) -> Any:
        """Run a planning cycle (forecast → inventory → MRP → schedule → routes) on ``data``.

        The planning engine is ``supplypilot.plan.cycle.run_planning_cycle``; it is looked up
        when called, so this method works as soon as the engine is installed.

        Parameters
        ----------
        data
            What to plan: a :class:`supplypilot.tools.Context`, a store URL, or None for the
            default store (engines that take the data directly receive it unchanged).
        **options
            Passed on to the engine (e.g. ``horizon_days=14``).

        Returns
        -------
        Any
            The engine's result (``PlanCycleResult``).

        Raises
        ------
        SupplyPilotError
            The planning engine is not available in this installation.
        InputError
            ``data`` is of a kind the engine cannot take.
        """
        try:
            cycle = importlib.import_module(PLANNING_MODULE)
        except ModuleNotFoundError as err:
            if err.name not in (PLANNING_MODULE, "supplypilot.plan"):
                raise
            cycle = None
        run = getattr(cycle, "run_planning_cycle", None)
        if run is None:
            raise SupplyPilotError(
                "optimize_supply_chain needs the planning engine (supplypilot.plan.cycle."
                "run_planning_cycle), which is not available yet; forecast with predict() and "
                "plan separately for now.")
        params = inspect.signature(run).parameters
        kwargs = {**options, **{name: self for name in ("model", "forecaster") if name in params}}
        if "ctx" in params:  # the engine plans from the store named by a tool Context
            return run(ctx=_context(data), **kwargs)
        return run(data, **kwargs)


def _context(data: Any) -> Any:
    from supplypilot.tools import Context

    if data is None or isinstance(data, Context):
        return data
    if isinstance(data, str):
        return Context(store_url=data)
    raise InputError("The 'data' parameter of optimize_supply_chain must be a Context, a store URL or "
                     f"None. Got {type(data).__name__} instead.", where="data")


def _std(a: np.ndarray) -> np.ndarray:
    s = a.std(0)
    return np.where(s > 1e-12, s, 1.0)
