"""Chinchilla: a global patch-transformer forecaster sized by the Chinchilla rule.

One network is trained across all series (and all target columns at once); its size comes from
the number of training tokens (:mod:`.sizing`), its objective and learning-rate schedule from
the seed documents (:mod:`.training`), its intervals from quantile heads calibrated by split
conformal prediction on a validation window (:mod:`._conformal`).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import math
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch

from supplypilot.errors import InputError, NotFittedError
from supplypilot.forecast.models.base import DS, ID, Y, ForecastModel, check_horizon, check_levels
from supplypilot.forecast.models.chinchilla import _conformal as conf
from supplypilot.forecast.models.chinchilla._panel import (
    Batch,
    Panel,
    WindowMaker,
    check_frame,
    make_panel,
    mask_closed_days,
    series_scale,
    training_origins,
)
from supplypilot.forecast.models.chinchilla.network import PatchNetwork, count_parameters
from supplypilot.forecast.models.chinchilla.sizing import SizingReport, choose_size
from supplypilot.forecast.models.chinchilla.training import (
    L1_MODES,
    TrainResult,
    pinball_loss,
    train,
    weighted_mse,
)

logger = logging.getLogger("supplypilot")


@contextlib.contextmanager
def torch_threads(n: int) -> Iterator[None]:
    """Run with ``n`` torch threads, then restore the previous setting."""
    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


class Chinchilla(ForecastModel):
    """Global patch-transformer forecaster whose size follows the Chinchilla rule ``N ≈ D/20``.

    The context window of every series is cut into patches; one transformer, trained on all
    series together, reads them and predicts the next ``h`` steps of every target column
    jointly (sales, production, deliveries, ...), a mean and a set of quantiles. Left to
    itself (``d_model``, ``n_layers``, ``n_heads`` = None) it sizes its network so the
    parameter count ``N`` is nearest ``D/20`` for ``D`` training tokens, which on typical
    supply-chain histories yields a small network that cannot simply memorise the data.

    Parameters
    ----------
    input_size
        Context length in steps (a multiple of ``stride`` past ``patch_len``).
    patch_len, stride
        Patch length and the step between patches; one patch is one token. A week
        (``patch_len=7``) gives daily data weekly tokens.
    h
        Horizon learned directly. ``predict`` with a longer horizon rolls forward recursively.
    d_model, n_layers, n_heads
        Transformer shape; ``None`` lets the Chinchilla rule choose (see :meth:`sizing_report`).
    targets
        Target columns predicted jointly; must contain ``"y"``, the primary target. Default
        ``["y"]``.
    target_weights
        Weights ``w_k`` of the multi-output loss ``Σ_k w_k·MSE_k`` (a sequence in ``targets``
        order or a mapping); default 1 for each.
    quantiles
        Quantile levels in (0, 1) learned with the pinball loss; ``predict(level=[80])`` uses
        the pair (0.1, 0.9) when present, calibrated by split conformal prediction.
    point
        ``"mean"`` (the MSE head, the seed's objective) or ``"median"`` (the 0.5 quantile head,
        the better point for absolute-error metrics such as WAPE on intermittent series).
    l1, l1_mode
        Strength ``λ`` of the L1 term and how it is applied: ``"penalty"`` (in the loss, with
        Adam), ``"sign"`` (the seed's ``θ ← θ − η∇L − λ·sign(θ)``) or ``"proximal"``
        (soft-thresholding after each step; gives exact zeros).
    lr, tau, gamma
        Learning rate schedule ``η_t = η0 / (1 + t/τ)^γ`` with ``η0 = lr``, ``t`` in steps.
    max_epochs, max_steps
        Training limits (whichever comes first).
    batch_size
        Windows per optimiser step.
    early_stopping_patience
        Epochs without validation improvement before stopping (None: never stop early).
    val_size
        Steps at the end of each series held out for early stopping and conformal calibration
        (default ``h``; 0 disables both).
    refit
        After early stopping, train a fresh network (same seed) on all windows, validation
        included, for the best number of epochs, so the most recent weeks are learned too.
    closed_days
        ``"mask"`` treats days on which every series and target is zero (shutdowns,
        holidays, an extract cut off early) as missing, except weekdays that are zero in most
        weeks; ``"keep"`` learns from them as they are.
    weighting
        ``"equal"``: every window counts the same in the loss (errors are in units of the
        window's scale); ``"volume"``: windows weigh in proportion to their scale, so the
        loss follows absolute errors, as volume-weighted metrics (WAPE) do.
    season
        Season length of the seasonal skip connection (7: weekly, for daily data; None turns
        it off): the network forecasts a correction to the context's average seasonal profile.
    futr_exog
        Numeric covariate columns known in the future (``predict`` then needs ``X_df``).
    calendar
        Give every token a day-of-week embedding (known-future calendar feature).
    dropout
        Dropout inside the encoder.
    update_epochs, update_lr
        :meth:`update` fine-tunes for ``update_epochs`` epochs at ``update_lr`` (default
        ``lr / 3``).
    seed
        Seeds weights, dropout and shuffling: two fits with the same seed are identical.
    num_threads
        Torch CPU threads used while fitting and predicting. One by default: networks this
        small gain nothing from intra-op threads, and on a busy machine extra threads spin
        and wait, which made each step ~40× slower in our measurements.
    verbose
        Show a rich progress bar while training.
    alias
        Column name of the forecasts (default ``"Chinchilla"``).

    Notes
    -----
    Output columns: ``<name>`` is the primary target ``y``; every other target ``t`` gets
    ``<name>:<t>``. Intervals follow statsforecast: ``<name>-lo-80``, ``<name>-hi-80``,
    ``<name>:production-lo-80``, ... Forecasts of targets that were never negative in training
    are clipped at zero.

    Examples
    --------
    >>> model = Chinchilla(input_size=28, h=7, max_epochs=5)          # doctest: +SKIP
    >>> model.fit(df).predict(7, level=[80])                          # doctest: +SKIP
    """

    is_global = True

    def __init__(self, input_size: int = 56, patch_len: int = 7, stride: int = 7, h: int = 28,
                 d_model: int | None = None, n_layers: int | None = None, n_heads: int | None = None,
                 targets: Sequence[str] | None = None,
                 target_weights: Sequence[float] | Mapping[str, float] | None = None,
                 quantiles: Sequence[float] | None = (0.1, 0.9), point: str = "mean",
                 l1: float = 1e-5, l1_mode: str = "penalty", lr: float = 3e-3, tau: float = 500.0,
                 gamma: float = 0.5, max_epochs: int = 100, max_steps: int | None = None,
                 batch_size: int = 64, early_stopping_patience: int | None = 10,
                 val_size: int | None = None, refit: bool = True, closed_days: str = "keep",
                 weighting: str = "equal", season: int | None = 7, futr_exog: Sequence[str] | None = None,
                 calendar: bool = True, dropout: float = 0.1,
                 update_epochs: int = 5, update_lr: float | None = None, seed: int = 0,
                 num_threads: int = 1, verbose: bool = False, alias: str | None = None) -> None:
        super().__init__(alias=alias)
        self.input_size = input_size
        self.patch_len = patch_len
        self.stride = stride
        self.h = h
        self.d_model = d_model
        self.n_layers = n_layers
        self.n_heads = n_heads
        self.targets = targets
        self.target_weights = target_weights
        self.quantiles = quantiles
        self.point = point
        self.l1 = l1
        self.l1_mode = l1_mode
        self.lr = lr
        self.tau = tau
        self.gamma = gamma
        self.max_epochs = max_epochs
        self.max_steps = max_steps
        self.batch_size = batch_size
        self.early_stopping_patience = early_stopping_patience
        self.val_size = val_size
        self.refit = refit
        self.closed_days = closed_days
        self.weighting = weighting
        self.season = season
        self.futr_exog = futr_exog
        self.calendar = calendar
        self.dropout = dropout
        self.update_epochs = update_epochs
        self.update_lr = update_lr
        self.seed = seed
        self.num_threads = num_threads
        self.verbose = verbose

    # ----------------------------------------------------------------- parameters

    def _fail(self, name: str, rule: str, value: Any) -> InputError:
        return InputError(f"The {name!r} parameter of Chinchilla must be {rule}. Got {value!r} instead.",
                          where=name)

    def _int(self, name: str, lo: int, none_ok: bool = False) -> int | None:
        v = getattr(self, name)
        if v is None and none_ok:
            return None
        if not isinstance(v, (int, np.integer)) or isinstance(v, bool) or v < lo:
            raise self._fail(name, f"an int >= {lo}" + (" or None" if none_ok else ""), v)
        return int(v)

    def _float(self, name: str, lo: float, strict: bool, none_ok: bool = False) -> float | None:
        v = getattr(self, name)
        if v is None and none_ok:
            return None
        ok = isinstance(v, (int, float, np.floating)) and not isinstance(v, bool) and math.isfinite(v)
        if not ok or (v <= lo if strict else v < lo):
            raise self._fail(name, f"a finite number {'>' if strict else '>='} {lo:g}", v)
        return float(v)

    def _check_params(self) -> dict[str, Any]:
        """Validate every constructor argument (scikit-learn style: when work starts)."""
        p: dict[str, Any] = {}
        for name in ("input_size", "patch_len", "stride", "h", "max_epochs", "batch_size", "num_threads"):
            p[name] = self._int(name, 1)
        p["update_epochs"] = self._int("update_epochs", 0)
        p["season"] = self._int("season", 1, none_ok=True)
        for name in ("d_model", "n_layers", "n_heads", "max_steps", "early_stopping_patience"):
            p[name] = self._int(name, 1, none_ok=True)
        p["val_size"] = self._int("val_size", 0, none_ok=True)
        if p["val_size"] is None:
            p["val_size"] = p["h"]
        if p["patch_len"] > p["input_size"]:
            raise self._fail("patch_len", f"an int in [1, input_size={p['input_size']}]", self.patch_len)
        if p["stride"] > p["patch_len"]:
            raise self._fail("stride", f"an int in [1, patch_len={p['patch_len']}]", self.stride)
        if (p["input_size"] - p["patch_len"]) % p["stride"]:
            raise self._fail("input_size", f"patch_len + a multiple of stride ({p['patch_len']} + "
                             f"k·{p['stride']})", self.input_size)
        if p["d_model"] is not None and p["n_heads"] is not None and p["d_model"] % p["n_heads"]:
            raise self._fail("n_heads", f"a divisor of d_model={p['d_model']}", self.n_heads)
        p["targets"] = self._check_targets()
        p["weights"] = self._check_weights(p["targets"])
        p["quantiles"] = self._check_quantiles()
        if self.point not in ("mean", "median"):
            raise self._fail("point", "one of 'mean', 'median'", self.point)
        if self.point == "median" and 0.5 not in p["quantiles"]:
            p["quantiles"] = sorted([*p["quantiles"], 0.5])
        p["l1"] = self._float("l1", 0.0, strict=False)
        if self.l1_mode not in L1_MODES:
            raise self._fail("l1_mode", f"one of {', '.join(repr(m) for m in L1_MODES)}", self.l1_mode)
        p["lr"] = self._float("lr", 0.0, strict=True)
        p["tau"] = self._float("tau", 0.0, strict=True)
        p["gamma"] = self._float("gamma", 0.0, strict=False)
        p["update_lr"] = self._float("update_lr", 0.0, strict=True, none_ok=True) or p["lr"] / 3
        p["dropout"] = self._float("dropout", 0.0, strict=False)
        if p["dropout"] >= 1:
            raise self._fail("dropout", "a number in [0, 1)", self.dropout)
        if self.weighting not in ("equal", "volume"):
            raise self._fail("weighting", "one of 'equal', 'volume'", self.weighting)
        if self.closed_days not in ("keep", "mask"):
            raise self._fail("closed_days", "one of 'keep', 'mask'", self.closed_days)
        exog = list(self.futr_exog or [])
        if not all(isinstance(c, str) for c in exog) or set(exog) & set(p["targets"]):
            raise self._fail("futr_exog", "a list of column names that are not targets", self.futr_exog)
        p["exog"] = exog
        if not isinstance(self.seed, (int, np.integer)) or isinstance(self.seed, bool):
            raise self._fail("seed", "an int", self.seed)
        p["refit"] = bool(self.refit)
        return p

    def _check_targets(self) -> list[str]:
        t = [Y] if self.targets is None else self.targets
        names_ok = not isinstance(t, str) and all(isinstance(c, str) for c in t)
        if not names_ok or Y not in t or len(set(t)) != len(t):
            raise self._fail("targets", "a list of distinct column names containing 'y'", self.targets)
        return [Y, *[c for c in t if c != Y]]

    def _check_weights(self, targets: list[str]) -> list[float]:
        w = self.target_weights
        if w is None:
            return [1.0] * len(targets)
        if isinstance(w, Mapping):
            if set(w) - set(targets):
                raise self._fail("target_weights", f"a mapping over targets {targets}", w)
            vals = [float(w.get(t, 1.0)) for t in targets]
        else:
            vals = list(w)
            if len(vals) != len(targets):
                raise self._fail("target_weights",
                                 f"a sequence of {len(targets)} weight(s), one per target", w)
            order = self._check_targets_order()
            vals = [float(vals[order.index(t)]) for t in targets]
        if any(not math.isfinite(v) or v < 0 for v in vals) or sum(vals) <= 0:
            raise self._fail("target_weights", "non-negative numbers with a positive sum", w)
        return vals

    def _check_targets_order(self) -> list[str]:
        return [Y] if self.targets is None else list(self.targets)

    def _check_quantiles(self) -> list[float]:
        q = [] if self.quantiles is None else list(self.quantiles)
        if not all(isinstance(v, (int, float)) and 0 < v < 1 for v in q) or len(set(q)) != len(q):
            raise self._fail("quantiles", "distinct numbers in (0, 1)", self.quantiles)
        return sorted(float(v) for v in q)

    # ----------------------------------------------------------------- fit

    def fit(self, df: pd.DataFrame, freq: str = "D") -> Chinchilla:
        """Train on the long frame ``unique_id, ds, <targets>, <futr_exog>``; returns self.

        Raises
        ------
        InputError
            A parameter or the frame is invalid (the parameter or column is named).
        """
        p = self._check_params()
        check_frame(df, p["targets"], p["exog"], "Chinchilla.fit")
        self.params_ = p
        with torch_threads(p["num_threads"]), torch.random.fork_rng(devices=[]):
            self._fit(df, freq, p)
        return self

    def _fit(self, df: pd.DataFrame, freq: str, p: dict[str, Any]) -> None:
        p_seed = int(self.seed)
        torch.manual_seed(p_seed)
        cols = [ID, DS, *p["targets"], *p["exog"]]
        self.history_ = df[cols].sort_values([ID, DS]).reset_index(drop=True)
        self.data_hash_ = _frame_hash(self.history_)
        panel = self._panel(self.history_, freq, p)
        tr_s, tr_t, va_s, va_t = training_origins(panel, p["input_size"], p["h"], p["val_size"],
                                                  min_context=p["input_size"])
        if len(tr_s) == 0:
            raise InputError(
                f"Chinchilla.fit: no series is long enough for one training window of input_size + h + "
                f"val_size = {p['input_size'] + p['h'] + p['val_size']} steps (longest: "
                f"{int((panel.end - panel.start).max())}).", where="df")
        self.scale_ = series_scale(panel, upto=panel.end - p["val_size"])
        self.nonnegative_ = np.nanmin(panel.values, axis=(0, 1)) >= 0
        n_patches = (p["input_size"] - p["patch_len"]) // p["stride"] + 1
        n_final = len(tr_s) + (len(va_s) if p["refit"] else 0)
        self.n_tokens_ = int(n_final * n_patches)
        self.sizing_ = choose_size(self.n_tokens_, self._builder(p), d_model=p["d_model"],
                                   n_layers=p["n_layers"], n_heads=p["n_heads"])
        maker = self._maker(panel)
        self.net_ = self._build(p)
        result = self._train(self.net_, maker, (tr_s, tr_t), (va_s, va_t) if len(va_s) else None,
                             p, p["max_epochs"], seed=p_seed)
        self.conformal_ = self._calibrate(maker, va_s, va_t, p) if len(va_s) else {}
        self.val_metrics_ = self._val_metrics(maker, va_s, va_t, p) if len(va_s) else {}
        if p["refit"] and len(va_s) and result.best_epoch:
            torch.manual_seed(p_seed)
            self.net_ = self._build(p)
            all_s, all_t = np.concatenate([tr_s, va_s]), np.concatenate([tr_t, va_t])
            refit = self._train(self.net_, maker, (all_s, all_t), None, p, result.best_epoch, seed=p_seed)
            result = _merge(result, refit)
        self.train_result_ = result
        self.n_params_ = count_parameters(self.net_)
        self.compute_flops_ = 6.0 * self.n_params_ * self.n_tokens_
        self.panel_ = panel
        self.freq_ = freq
        self.metrics_ = {**result.as_dict(), "val": self.val_metrics_}

    def _panel(self, df: pd.DataFrame, freq: str, p: dict[str, Any], learn: bool = True) -> Panel:
        """Dense arrays of ``df``; closure days masked per ``closed_days`` (recorded when ``learn``)."""
        panel = make_panel(df, p["targets"], p["exog"], freq, left=p["input_size"], right=p["h"])
        closed = mask_closed_days(panel) if self.closed_days == "mask" else []
        if learn:
            self.closed_days_ = closed
            if closed:
                logger.info("Chinchilla: %d closure day(s) treated as missing: %s", len(closed),
                            ", ".join(str(d.date()) for d in closed))
        return panel

    def _builder(self, p: dict[str, Any]) -> Any:
        def build(d_model: int, n_heads: int, n_layers: int, d_ff: int) -> PatchNetwork:
            return PatchNetwork(len(p["targets"]), len(p["exog"]), p["input_size"], p["patch_len"],
                                p["stride"], p["h"], d_model, n_heads, n_layers, d_ff,
                                quantiles=p["quantiles"], calendar=bool(self.calendar),
                                dropout=p["dropout"], season=p["season"])
        return build

    def _build(self, p: dict[str, Any]) -> PatchNetwork:
        s = self.sizing_
        return self._builder(p)(s.d_model, s.n_heads, s.n_layers, s.d_ff)

    def _maker(self, panel: Panel) -> WindowMaker:
        p = self.params_
        n_future = -(-p["h"] // p["patch_len"])
        return WindowMaker(panel, p["input_size"], p["h"], p["patch_len"], p["stride"], n_future,
                           self.scale_)

    def _forward(self, net: PatchNetwork, b: Batch) -> tuple[torch.Tensor, torch.Tensor]:
        return net(b.x, b.observed, b.past_dow, b.future_dow, b.past_exog, b.future_exog,
                   step_dow=b.step_dow)

    def _task_loss(self, net: PatchNetwork, b: Batch, p: dict[str, Any]) -> torch.Tensor:
        mean, quant = self._forward(net, b)
        w = torch.as_tensor(p["weights"], dtype=torch.float32)
        mask = b.y_mask.to(torch.float32)
        if self.weighting == "volume":
            mask = mask * b.volume[:, None, :]
        loss = weighted_mse(mean, b.y, w, mask)
        if p["quantiles"]:
            loss = loss + pinball_loss(quant, b.y, p["quantiles"], w, mask)
        return loss

    def _train(self, net: PatchNetwork, maker: WindowMaker, train_w: tuple[np.ndarray, np.ndarray],
               val_w: tuple[np.ndarray, np.ndarray] | None, p: dict[str, Any], epochs: int, seed: int,
               lr: float | None = None, description: str = "Chinchilla") -> TrainResult:
        gen = torch.Generator().manual_seed(seed)
        s_all, t_all = train_w
        bs = p["batch_size"]

        def batches(epoch: int) -> Iterator[Batch]:
            order = torch.randperm(len(s_all), generator=gen).numpy()
            for i in range(0, len(order), bs):
                idx = order[i:i + bs]
                yield maker(s_all[idx], t_all[idx])

        val_fn = None
        if val_w is not None:
            vb = maker(*val_w)

            def val_fn() -> float:
                return float(self._task_loss(net, vb, p))

        return train(net, lambda b: self._task_loss(net, b, p), batches, lr=lr or p["lr"], tau=p["tau"],
                     gamma=p["gamma"], l1=p["l1"], l1_mode=self.l1_mode, max_epochs=epochs,
                     max_steps=p["max_steps"], val_loss_fn=val_fn,
                     patience=p["early_stopping_patience"] if val_w is not None else None,
                     verbose=bool(self.verbose), description=description)

    # ----------------------------------------------------------------- calibration

    def _point_and_quantiles(self, net: PatchNetwork, b: Batch) -> tuple[torch.Tensor, torch.Tensor]:
        """Point forecast and quantiles in normalised units (point per ``self.point``)."""
        with torch.no_grad():
            mean, quant = self._forward(net, b)
        if self.point == "median":
            qs = self.params_["quantiles"]
            return quant[..., qs.index(0.5)], quant
        return mean, quant

    def _calibrate(self, maker: WindowMaker, va_s: np.ndarray, va_t: np.ndarray,
                   p: dict[str, Any]) -> dict[str, dict[str, np.ndarray]]:
        """Normalised validation errors per target: ``abs`` and one ``cqr`` set per quantile pair."""
        b = maker(va_s, va_t)
        point, quant = self._point_and_quantiles(self.net_, b)
        assert b.y is not None and b.y_mask is not None
        out: dict[str, dict[str, np.ndarray]] = {}
        qs = p["quantiles"]
        for k, target in enumerate(p["targets"]):
            m = b.y_mask[..., k]
            y = b.y[..., k][m]
            scores = {"abs": (y - point[..., k][m]).abs().numpy()}
            for q in qs:
                if q < 0.5 and any(abs(q2 - (1 - q)) < 1e-9 for q2 in qs):
                    lo = quant[..., k, qs.index(q)][m]
                    hi = quant[..., k, [abs(q2 - (1 - q)) < 1e-9 for q2 in qs].index(True)][m]
                    scores[conf.pair_key(q)] = torch.maximum(lo - y, y - hi).numpy()
            out[target] = scores
        return out

    def _val_metrics(self, maker: WindowMaker, va_s: np.ndarray, va_t: np.ndarray,
                     p: dict[str, Any]) -> dict[str, Any]:
        """WAPE of each target on the validation window, from its first origin per series."""
        first = np.r_[True, va_s[1:] != va_s[:-1]]
        b = maker(va_s[first], va_t[first])
        point, _ = self._point_and_quantiles(self.net_, b)
        assert b.y is not None and b.y_mask is not None
        yhat = (point * b.scale[:, None] + b.loc[:, None]).numpy()
        y = (b.y * b.scale[:, None] + b.loc[:, None]).numpy()
        m = b.y_mask.numpy()
        out = {}
        for k, target in enumerate(p["targets"]):
            yh = np.maximum(yhat[..., k], 0) if self.nonnegative_[k] else yhat[..., k]
            denom = np.abs(y[..., k][m[..., k]]).sum()
            err = np.abs(yh - y[..., k])[m[..., k]].sum()
            out[target] = {"wape": float(err / denom) if denom > 0 else None}
        return out

    # ----------------------------------------------------------------- predict

    def _check_fitted(self) -> None:
        if not hasattr(self, "net_"):
            raise NotFittedError(f"{self.name} is not fitted yet; call fit before predict.")

    def predict(self, h: int, level: Sequence[int | float] | None = None,
                X_df: pd.DataFrame | None = None, *, df: pd.DataFrame | None = None) -> pd.DataFrame:
        """Forecast ``h`` steps after each series' last date.

        Parameters
        ----------
        h
            Horizon; beyond the trained ``h`` the forecast rolls forward on its own output.
        level
            Interval levels in (0, 100): conformal-calibrated quantile intervals when the
            quantile pair exists, conformal intervals around the point forecast otherwise.
        X_df
            Future values of ``futr_exog`` (``unique_id, ds, <columns>`` for the ``h`` dates).
        df
            Forecast from this history instead of the one seen in ``fit``/``update``, without
            learning from it (new series are fine: the model is global).

        Returns
        -------
        pandas.DataFrame
            ``unique_id, ds, <name>, <name>-lo-<l>, <name>-hi-<l>`` and ``<name>:<target>``
            columns for the other targets.
        """
        self._check_fitted()
        h = check_horizon(h, self.name)
        levels = check_levels(level, self.name)
        with torch_threads(self.params_["num_threads"]):
            panel, maker, origin = self._forecast_panel(h, X_df, df)
            return self._predict(panel, maker, origin, h, levels)

    def _forecast_panel(self, h: int, X_df: pd.DataFrame | None,
                        df: pd.DataFrame | None) -> tuple[Panel, WindowMaker, np.ndarray]:
        p = self.params_
        if df is None:
            base = self.panel_
        else:
            check_frame(df, p["targets"], p["exog"], "Chinchilla.predict")
            base = self._panel(df.sort_values([ID, DS]), self.freq_, p, learn=False)
        extra = h + p["h"] + p["patch_len"]
        panel = _extend(base, extra, self.freq_)
        if p["exog"]:
            _fill_future_exog(panel, X_df, p["exog"], h, self.name)
        scale = self.scale_ if df is None else series_scale(base)
        maker = WindowMaker(panel, p["input_size"], p["h"], p["patch_len"], p["stride"],
                            -(-p["h"] // p["patch_len"]), scale)
        return panel, maker, panel.end.copy()

    def _predict(self, panel: Panel, maker: WindowMaker, origin: np.ndarray, h: int,
                 levels: list[int | float]) -> pd.DataFrame:
        p = self.params_
        s = np.arange(panel.n_series)
        K = len(p["targets"])
        point = np.zeros((panel.n_series, h, K))
        lo = {lv: np.zeros((panel.n_series, h, K)) for lv in levels}
        hi = {lv: np.zeros((panel.n_series, h, K)) for lv in levels}
        done = 0
        while done < h:
            step = min(p["h"], h - done)
            b = maker(s, origin + done, with_target=False)
            pt, quant = self._point_and_quantiles(self.net_, b)
            sc, loc = b.scale[:, None].numpy(), b.loc[:, None].numpy()
            pt_u = pt.numpy() * sc + loc
            point[:, done:done + step] = pt_u[:, :step]
            for lv in levels:
                lo_n, hi_n = self._interval(pt.numpy(), quant.numpy(), lv)
                lo[lv][:, done:done + step] = (lo_n * sc + loc)[:, :step]
                hi[lv][:, done:done + step] = (hi_n * sc + loc)[:, :step]
            # roll forward: the point forecast becomes context for the next chunk
            t_idx = origin[:, None] + done + np.arange(step)
            maker.values[s[:, None], torch.as_tensor(t_idx)] = torch.as_tensor(
                pt_u[:, :step], dtype=torch.float32)
            done += step
        for k in range(K):
            if self.nonnegative_[k]:
                point[..., k] = np.maximum(point[..., k], 0)
                for lv in levels:
                    lo[lv][..., k] = np.maximum(lo[lv][..., k], 0)
                    hi[lv][..., k] = np.maximum(hi[lv][..., k], 0)
        for lv in levels:  # an interval always contains its point forecast
            lo[lv] = np.minimum(lo[lv], point)
            hi[lv] = np.maximum(hi[lv], point)
        return self._frame(panel, origin, h, point, lo, hi, levels)

    def _interval(self, pt: np.ndarray, quant: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
        """Lower and upper bounds in normalised units for one level."""
        p = self.params_
        qs = p["quantiles"]
        q_lo, q_hi = conf.level_quantiles(level)
        i_lo = next((i for i, q in enumerate(qs) if abs(q - q_lo) < 1e-9), None)
        i_hi = next((i for i, q in enumerate(qs) if abs(q - q_hi) < 1e-9), None)
        lo, hi = np.empty_like(pt), np.empty_like(pt)
        for k, target in enumerate(p["targets"]):
            scores = self.conformal_.get(target, {})
            if i_lo is not None and i_hi is not None:
                key = conf.pair_key(q_lo)
                qhat = conf.conformal_quantile(scores[key], level) if key in scores else 0.0
                lo[..., k] = quant[..., k, i_lo] - qhat
                hi[..., k] = quant[..., k, i_hi] + qhat
            elif "abs" in scores:
                qhat = conf.conformal_quantile(scores["abs"], level)
                lo[..., k] = pt[..., k] - qhat
                hi[..., k] = pt[..., k] + qhat
            else:
                raise InputError(
                    f"The 'level' parameter of {self.name} needs quantiles ({q_lo:g}, {q_hi:g}) or a "
                    f"validation window (val_size > 0) for conformal intervals. Got {level!r} instead.",
                    where="level")
        return lo, hi

    def _frame(self, panel: Panel, origin: np.ndarray, h: int, point: np.ndarray,
               lo: dict[Any, np.ndarray], hi: dict[Any, np.ndarray], levels: list[Any]) -> pd.DataFrame:
        t = origin[:, None] + np.arange(h)
        out = pd.DataFrame({ID: np.repeat(np.asarray(panel.ids, dtype=object), h),
                            DS: panel.dates[t.ravel()]})
        for k, target in enumerate(self.params_["targets"]):
            col = self.column(target)
            out[col] = point[..., k].ravel()
            for lv in levels:
                out[f"{col}-lo-{_lv(lv)}"] = lo[lv][..., k].ravel()
                out[f"{col}-hi-{_lv(lv)}"] = hi[lv][..., k].ravel()
        return out

    def column(self, target: str) -> str:
        """Output column of ``target``: ``<name>`` for ``y``, ``<name>:<target>`` otherwise."""
        return self.name if target == Y else f"{self.name}:{target}"

    # ----------------------------------------------------------------- update

    def update(self, new_df: pd.DataFrame) -> Chinchilla:
        """Fine-tune on appended observations (warm start, lower learning rate); returns self.

        Only windows whose forecast period reaches into the new rows are trained on, mixed with
        as many replayed older windows so the model does not forget the rest of the history;
        ``update_epochs`` epochs at ``update_lr``. Sizing, conformal scores and the output
        columns stay as they were.
        """
        self._check_fitted()
        p = self.params_
        check_frame(new_df, p["targets"], p["exog"], "Chinchilla.update")
        cols = [ID, DS, *p["targets"], *p["exog"]]
        old_end = dict(zip(self.panel_.ids, self.panel_.dates[self.panel_.end - 1], strict=True))
        hist = pd.concat([self.history_, new_df[cols]], ignore_index=True)
        hist = hist.drop_duplicates([ID, DS], keep="last").sort_values([ID, DS]).reset_index(drop=True)
        with torch_threads(p["num_threads"]), torch.random.fork_rng(devices=[]):
            torch.manual_seed(int(self.seed) + 1)
            panel = self._panel(hist, self.freq_, p)
            self.scale_ = series_scale(panel)
            tr_s, tr_t, _, _ = training_origins(panel, p["input_size"], p["h"], 0, p["input_size"])
            cutoff = np.array([panel.dates.get_loc(old_end[i]) + 1 if i in old_end else panel.start[j]
                               for j, i in enumerate(panel.ids)])
            # windows whose forecast period touches the new rows (partly observed ones too)
            new_s, new_t = [], []
            for j in range(panel.n_series):
                lo = max(int(cutoff[j]) - p["h"] + 1, int(panel.start[j]) + 1)
                hi = int(panel.end[j]) - 1
                if hi >= lo:
                    new_t.append(np.arange(lo, hi + 1))
                    new_s.append(np.full(hi - lo + 1, j))
            if new_s and p["update_epochs"] > 0:
                ns, nt = np.concatenate(new_s), np.concatenate(new_t)
                rng = np.random.default_rng(int(self.seed))
                n_old = min(len(tr_s), len(ns))
                old = rng.choice(len(tr_s), size=n_old, replace=False) if n_old else []
                s_all = np.concatenate([ns, tr_s[old]]).astype(np.int64)
                t_all = np.concatenate([nt, tr_t[old]]).astype(np.int64)
                maker = WindowMaker(panel, p["input_size"], p["h"], p["patch_len"], p["stride"],
                                    -(-p["h"] // p["patch_len"]), self.scale_)
                res = self._train(self.net_, maker, (s_all, t_all), None, p, p["update_epochs"],
                                  seed=int(self.seed) + 1, lr=p["update_lr"],
                                  description="Chinchilla update")
                self.update_results_ = [*getattr(self, "update_results_", []), res.as_dict()]
        self.history_ = hist
        self.panel_ = panel
        self.data_hash_ = _frame_hash(hist)
        return self

    # ----------------------------------------------------------------- reports

    def sizing_report(self) -> SizingReport:
        """How the network was sized: ``D``, ``D/20``, chosen ``N``, ``C = 6·N·D`` and the shape."""
        if not hasattr(self, "sizing_"):
            raise NotFittedError(f"{self.name} is not fitted yet; call fit before sizing_report.")
        return self.sizing_

    def explain(self, ids: Sequence[str] | None = None, h: int | None = None,
                target: str | None = None, steps: int = 32,
                X_df: pd.DataFrame | None = None) -> pd.DataFrame:
        """Attribute each forecast to its input patches, covariates and the calendar.

        Integrated gradients from a baseline whose context is flat at each window's mean, so
        the attributions of one forecast plus its ``(level)`` row add up to the forecast
        (before clipping at zero). ``steps`` sets the integration's resolution; ``X_df`` gives
        the future covariates of a model fitted with ``futr_exog``.

        Returns
        -------
        pandas.DataFrame
            ``unique_id, ds, target, feature, period_start, period_end, value`` (target units).
        """
        from supplypilot.forecast.models.chinchilla.explain import explain

        self._check_fitted()
        return explain(self, ids=ids, h=h, target=target, steps=steps, X_df=X_df)

    def reasons(self, ids: Sequence[str] | None = None, h: int | None = None,
                target: str | None = None) -> pd.DataFrame:
        """One plain-language sentence per forecast: level, direction and main drivers.

        Returns
        -------
        pandas.DataFrame
            ``unique_id, ds, target, forecast, reason``.
        """
        from supplypilot.forecast.models.chinchilla.explain import reasons

        self._check_fitted()
        return reasons(self, ids=ids, h=h, target=target)

    def save(self, path: str | Path) -> Path:
        """Write weights, history and metadata (data hash, config, metrics, N/D/C, versions)."""
        from supplypilot.forecast.models.chinchilla.persistence import save

        self._check_fitted()
        return save(self, path)

    @classmethod
    def load(cls, path: str | Path) -> Chinchilla:
        """Read a model written by :meth:`save`; it predicts exactly as the saved one."""
        from supplypilot.forecast.models.chinchilla.persistence import load

        return load(path)


# --------------------------------------------------------------------------- helpers


def _lv(level: float) -> str:
    return str(int(level)) if float(level).is_integer() else f"{level:g}"


def _frame_hash(df: pd.DataFrame) -> str:
    """SHA-256 of the training frame's content (row order normalised)."""
    h = hashlib.sha256()
    h.update(",".join(map(str, df.columns)).encode())
    h.update(pd.util.hash_pandas_object(df, index=False).to_numpy().tobytes())
    return h.hexdigest()


def _merge(first: TrainResult, refit: TrainResult) -> TrainResult:
    out = TrainResult(train_loss=first.train_loss + refit.train_loss, val_loss=first.val_loss,
                      steps=first.steps + refit.steps, epochs=first.epochs + refit.epochs,
                      best_epoch=first.best_epoch, seconds=first.seconds + refit.seconds,
                      stopped_early=first.stopped_early)
    return out


def _extend(panel: Panel, extra: int, freq: str) -> Panel:
    """A copy of ``panel`` with room for ``extra`` more steps after its last date."""
    need = int(panel.end.max()) + extra - len(panel.dates)
    if need <= 0:
        return Panel(panel.ids, panel.dates, panel.values.copy(), panel.exog.copy(), panel.start,
                     panel.end, panel.pad, freq)
    offset = pd.tseries.frequencies.to_offset(freq)
    dates = pd.date_range(panel.dates[0], periods=len(panel.dates) + need, freq=offset)
    s, _, k = panel.values.shape
    values = np.concatenate([panel.values, np.full((s, need, k), np.nan)], axis=1)
    exog = np.concatenate([panel.exog, np.zeros((s, need, panel.exog.shape[2]))], axis=1)
    return Panel(panel.ids, dates, values, exog, panel.start, panel.end, panel.pad, freq)


def _fill_future_exog(panel: Panel, X_df: pd.DataFrame | None, exog: list[str], h: int,
                      owner: str) -> None:
    if X_df is None:
        raise InputError(f"{owner} was fitted with futr_exog {exog}; predict needs X_df with their "
                         f"future values for {h} steps.", where="X_df")
    missing = [c for c in (ID, DS, *exog) if c not in X_df.columns]
    if missing:
        raise InputError(f"{owner}: X_df lacks column(s) {missing}.", where="X_df")
    pos = pd.Index(panel.ids)
    s_idx = pos.get_indexer(X_df[ID].astype(str))
    t_idx = panel.dates.get_indexer(pd.to_datetime(X_df[DS]))
    ok = (s_idx >= 0) & (t_idx >= 0)
    panel.exog[s_idx[ok], t_idx[ok]] = X_df.loc[ok, exog].to_numpy(dtype=float)
    for s in range(panel.n_series):
        got = set(t_idx[ok & (s_idx == s)])
        need = set(range(int(panel.end[s]), int(panel.end[s]) + h))
        if not need <= got:
            raise InputError(f"{owner}: X_df misses future rows of series {panel.ids[s]!r} "
                             f"({len(need - got)} of the {h} dates).", where="X_df")
