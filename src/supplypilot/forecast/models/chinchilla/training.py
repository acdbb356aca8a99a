"""The seed's training objective and the loop shared by both Chinchilla front ends.

The seed documents state the objective as *task loss + λ·‖θ‖₁*, the update as
``θ ← θ − η∇L − λ·sign(θ)`` and the learning rate as ``η_t = η0 / (1 + t/τ)^γ``. Each piece
is a small, separately tested function or torch object here, so the time-series model
(:class:`~supplypilot.forecast.models.chinchilla.Chinchilla`) and the tabular seed model
(:class:`~supplypilot.forecast.models.chinchilla.ChinchillaModel`) train with the same rules.

Three ways to apply the L1 term are offered (``l1_mode``) because they behave differently:

* ``"penalty"`` adds ``λ·‖θ‖₁`` to the loss and lets Adam handle it. Adam rescales every
  gradient, so weights hover near zero but almost never reach it.
* ``"sign"`` is the seed's update verbatim: after the gradient step, subtract ``λ·sign(θ)``.
  The L1 step does not shrink with the learning rate, so weights smaller than ``λ``
  oscillate around zero instead of settling on it.
* ``"proximal"`` takes the gradient step, then soft-thresholds by ``η·λ`` (ISTA). Weights
  whose magnitude falls below the threshold become exactly zero: a sparse network.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import nn
from torch.optim import Optimizer
from torch.optim.lr_scheduler import LRScheduler

logger = logging.getLogger("supplypilot")

L1_MODES = ("penalty", "sign", "proximal")


# --------------------------------------------------------------------------- learning rate


def inverse_time_decay(step: int, lr0: float, tau: float, gamma: float) -> float:
    """The seed's schedule in closed form: ``η_t = η0 / (1 + t/τ)^γ``.

    ``τ`` is the number of steps after which the rate has fallen by a factor ``2^γ``; with
    ``γ = 0.5`` this is the classic ``1/√t`` decay that keeps stochastic gradient steps
    convergent without a hand-tuned step-down schedule.
    """
    return lr0 / (1.0 + step / tau) ** gamma


class InverseTimeDecayLR(LRScheduler):
    """Torch scheduler for :func:`inverse_time_decay`, stepped once per optimiser step.

    Parameters
    ----------
    optimizer
        The optimiser whose parameter groups start at ``η0`` (their initial ``lr``).
    tau
        Decay time in steps (> 0).
    gamma
        Decay exponent (≥ 0; 0 keeps the rate constant).
    """

    def __init__(self, optimizer: Optimizer, tau: float, gamma: float, last_epoch: int = -1) -> None:
        self.tau = float(tau)
        self.gamma = float(gamma)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:  # type: ignore[override]
        return self._get_closed_form_lr()

    def _get_closed_form_lr(self) -> list[float]:
        return [inverse_time_decay(self.last_epoch, base, self.tau, self.gamma)
                for base in self.base_lrs]


# --------------------------------------------------------------------------- L1 updates


def soft_threshold(x: torch.Tensor, threshold: float) -> torch.Tensor:
    """``sign(x) · max(|x| − t, 0)``: the proximal operator of ``t·‖x‖₁``."""
    return torch.sign(x) * torch.clamp(x.abs() - threshold, min=0.0)


def l1_norm(params: Iterable[torch.Tensor]) -> torch.Tensor:
    """``‖θ‖₁`` over the given tensors (differentiable)."""
    terms = [p.abs().sum() for p in params]
    if not terms:
        return torch.zeros(())
    return torch.stack(terms).sum()


def l1_parameters(module: nn.Module) -> list[nn.Parameter]:
    """The weights the L1 term acts on: matrices and embeddings, not biases or norm scales.

    Shrinking a LayerNorm gain or a bias towards zero does not make a network simpler, it only
    distorts it, so the penalty is limited to tensors with two or more dimensions.
    """
    return [p for p in module.parameters() if p.requires_grad and p.ndim >= 2]


class L1Optimizer(Optimizer):
    """A gradient step followed by the seed's sign update or a proximal (soft-threshold) step.

    Parameters
    ----------
    params
        Parameters or parameter groups. A group may set ``l1`` itself; groups without it use
        the optimiser's ``l1`` (put biases and norm scales in a group with ``l1=0``).
    lr
        Step size ``η`` (a scheduler may change it).
    l1
        Strength ``λ`` of the L1 term.
    mode
        ``"sign"``: ``θ ← θ − η·d − λ·sign(θ)`` (the seed's rule); ``"proximal"``:
        ``θ ← S_{ηλ}(θ − η·d)``. ``d`` is the raw gradient for ``base="sgd"`` and Adam's
        bias-corrected direction ``m̂ / (√v̂ + ε)`` for ``base="adam"``.
    base
        ``"sgd"`` follows the seed's formula literally; ``"adam"`` (default) trains
        transformers far more reliably and keeps the L1 step exactly as stated.
    betas, eps
        Adam's moment decay rates and denominator guard (ignored with ``base="sgd"``).
    """

    def __init__(self, params: Any, lr: float = 1e-3, l1: float = 0.0, mode: str = "sign",
                 base: str = "adam", betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8) -> None:
        if mode not in ("sign", "proximal"):
            raise ValueError(f"L1Optimizer mode must be 'sign' or 'proximal', got {mode!r}")
        if base not in ("sgd", "adam"):
            raise ValueError(f"L1Optimizer base must be 'sgd' or 'adam', got {base!r}")
        defaults = {"lr": lr, "l1": l1, "mode": mode, "base": base, "betas": betas, "eps": eps}
        super().__init__(params, defaults)

    @torch.no_grad()
    def step(self, closure: Callable[[], float] | None = None) -> float | None:  # type: ignore[override]
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            lr, lam = group["lr"], group["l1"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                sign = torch.sign(p)  # the seed's rule uses sign(θ) before the step
                p.add_(self._direction(p, group), alpha=-lr)
                if lam == 0:
                    continue
                if group["mode"] == "sign":
                    p.sub_(lam * sign)
                else:
                    p.copy_(soft_threshold(p, lr * lam))
        return loss

    def _direction(self, p: torch.Tensor, group: dict[str, Any]) -> torch.Tensor:
        grad = p.grad
        assert grad is not None
        if group["base"] == "sgd":
            return grad
        beta1, beta2 = group["betas"]
        state = self.state[p]
        if not state:
            state["step"] = 0
            state["m"] = torch.zeros_like(p)
            state["v"] = torch.zeros_like(p)
        state["step"] += 1
        m, v, t = state["m"], state["v"], state["step"]
        m.mul_(beta1).add_(grad, alpha=1 - beta1)
        v.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
        m_hat = m / (1 - beta1 ** t)
        v_hat = v / (1 - beta2 ** t)
        return m_hat / (v_hat.sqrt() + group["eps"])


def make_optimizer(module: nn.Module, lr: float, l1: float, l1_mode: str) -> Optimizer:
    """The optimiser for ``l1_mode``: Adam for ``"penalty"``, :class:`L1Optimizer` otherwise.

    Only :func:`l1_parameters` get the L1 step; the other parameters train without it.
    """
    decayed = l1_parameters(module)
    ids = {id(p) for p in decayed}
    rest = [p for p in module.parameters() if p.requires_grad and id(p) not in ids]
    if l1_mode == "penalty":
        return torch.optim.Adam(module.parameters(), lr=lr)
    groups = [{"params": decayed, "l1": l1}, {"params": rest, "l1": 0.0}]
    return L1Optimizer([g for g in groups if g["params"]], lr=lr, l1=l1, mode=l1_mode)


# --------------------------------------------------------------------------- losses


def weighted_mse(pred: torch.Tensor, target: torch.Tensor, weights: torch.Tensor,
                 mask: torch.Tensor | None = None) -> torch.Tensor:
    """The seed's multi-output loss ``Σ_k w_k · MSE_k``.

    Parameters
    ----------
    pred, target
        Tensors whose last dimension is the output ``k``.
    weights
        One weight per output.
    mask
        1 where the target is observed; unobserved cells (missing values, closure days)
        count in no ``MSE_k``.
    """
    err = (pred - target) ** 2
    return _weighted_mean(err, weights, mask)


def pinball_loss(pred: torch.Tensor, target: torch.Tensor, quantiles: Sequence[float],
                 weights: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
    """Mean pinball (quantile) loss over quantiles, outputs weighted like :func:`weighted_mse`.

    ``pred`` has one more trailing dimension than ``target``: the quantile.
    """
    q = torch.as_tensor(list(quantiles), dtype=pred.dtype)
    diff = target.unsqueeze(-1) - pred
    loss = torch.maximum(q * diff, (q - 1) * diff).mean(-1)
    return _weighted_mean(loss, weights, mask)


def _weighted_mean(err: torch.Tensor, weights: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:
    k = err.shape[-1]
    flat = err.reshape(-1, k)
    if mask is None:
        per_k = flat.mean(0)
    else:
        m = mask.reshape(-1, k).to(err.dtype)
        per_k = (flat * m).sum(0) / m.sum(0).clamp(min=1.0)
    return (per_k * weights).sum()


def objective(task_loss: torch.Tensor, module: nn.Module, l1: float, l1_mode: str) -> torch.Tensor:
    """Task loss plus ``λ·‖θ‖₁`` when the penalty lives in the loss (``l1_mode="penalty"``).

    With ``"sign"`` and ``"proximal"`` the optimiser applies the L1 term itself, so adding it
    here as well would count it twice.
    """
    if l1_mode == "penalty" and l1 > 0:
        return task_loss + l1 * l1_norm(l1_parameters(module))
    return task_loss


# --------------------------------------------------------------------------- loop


@dataclass
class EarlyStopping:
    """Stop when the validation loss has not improved for ``patience`` epochs.

    The best weights are kept in memory and restored at the end, so a late, noisy epoch
    never becomes the final model.
    """

    patience: int
    min_delta: float = 0.0
    best: float = math.inf
    best_epoch: int = -1
    bad_epochs: int = 0
    best_state: dict[str, torch.Tensor] | None = None

    def step(self, loss: float, epoch: int, module: nn.Module) -> bool:
        """Record one epoch; True when training should stop."""
        if loss < self.best - self.min_delta:
            self.best, self.best_epoch, self.bad_epochs = loss, epoch, 0
            self.best_state = {k: v.detach().clone() for k, v in module.state_dict().items()}
            return False
        self.bad_epochs += 1
        return self.bad_epochs >= self.patience

    def restore(self, module: nn.Module) -> None:
        if self.best_state is not None:
            module.load_state_dict(self.best_state)


@dataclass
class TrainResult:
    """What one training run did: losses per epoch, steps, best epoch, seconds."""

    train_loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    steps: int = 0
    epochs: int = 0
    best_epoch: int | None = None
    seconds: float = 0.0
    stopped_early: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "train_loss": [round(x, 6) for x in self.train_loss],
            "val_loss": [round(x, 6) for x in self.val_loss],
            "steps": self.steps, "epochs": self.epochs, "best_epoch": self.best_epoch,
            "seconds": round(self.seconds, 3), "stopped_early": self.stopped_early,
        }


def train(module: nn.Module, loss_fn: Callable[[Any], torch.Tensor],
          batches: Callable[[int], Iterable[Any]],
          *, lr: float, tau: float, gamma: float, l1: float, l1_mode: str, max_epochs: int,
          max_steps: int | None = None, val_loss_fn: Callable[[], float] | None = None,
          patience: int | None = None, verbose: bool = False,
          description: str = "training") -> TrainResult:
    """Run the seed's objective with the seed's schedule; returns a :class:`TrainResult`.

    Parameters
    ----------
    module
        The network, trained in place (left in eval mode, best weights restored).
    loss_fn
        Task loss of one batch.
    batches
        ``batches(epoch)`` yields the epoch's batches (the caller shuffles with its own
        seeded generator, so runs are reproducible).
    lr, tau, gamma
        ``η0``, ``τ`` and ``γ`` of :func:`inverse_time_decay`.
    l1, l1_mode
        ``λ`` and how it is applied (see the module docstring).
    max_epochs, max_steps
        Whichever limit is reached first ends training.
    val_loss_fn, patience
        Early stopping on the validation loss, checked after every epoch.
    verbose
        Show a rich progress bar (one tick per epoch, with the losses).
    """
    opt = make_optimizer(module, lr, l1, l1_mode)
    sched = InverseTimeDecayLR(opt, tau=tau, gamma=gamma)
    stopper = EarlyStopping(patience) if (val_loss_fn is not None and patience) else None
    result = TrainResult()
    t0 = time.perf_counter()
    progress = _progress(verbose)
    task = progress.add_task(description, total=max_epochs) if progress else None
    try:
        for epoch in range(max_epochs):
            module.train()
            total, n = 0.0, 0
            for batch in batches(epoch):
                opt.zero_grad(set_to_none=True)
                task_loss = loss_fn(batch)
                objective(task_loss, module, l1, l1_mode).backward()
                opt.step()
                sched.step()
                total += float(task_loss.detach())
                n += 1
                result.steps += 1
                if max_steps is not None and result.steps >= max_steps:
                    break
            result.epochs = epoch + 1
            result.train_loss.append(total / max(n, 1))
            msg = f"epoch {epoch + 1}: train {result.train_loss[-1]:.4f}"
            stop = False
            if val_loss_fn is not None:
                module.eval()
                with torch.no_grad():
                    vl = float(val_loss_fn())
                result.val_loss.append(vl)
                msg += f", val {vl:.4f}"
                if stopper is not None:
                    stop = stopper.step(vl, epoch, module)
            logger.debug("%s %s", description, msg)
            if progress is not None and task is not None:
                progress.update(task, advance=1, description=f"{description} · {msg}")
            if stop:
                result.stopped_early = True
                break
            if max_steps is not None and result.steps >= max_steps:
                break
    finally:
        if progress is not None:
            progress.stop()
    if stopper is not None:
        stopper.restore(module)
        result.best_epoch = stopper.best_epoch + 1 if stopper.best_epoch >= 0 else None
    module.eval()
    result.seconds = time.perf_counter() - t0
    return result


def _progress(verbose: bool) -> Any:
    if not verbose:
        return None
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    progress = Progress(TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
                        transient=False)
    progress.start()
    return progress
