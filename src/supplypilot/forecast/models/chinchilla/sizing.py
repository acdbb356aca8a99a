"""Choose the network's size with the Chinchilla compute-optimal rule.

Hoffmann et al. (2022, "Training Compute-Optimal Large Language Models") found that for a
fixed compute budget ``C ≈ 6·N·D`` (``N`` parameters, ``D`` training tokens; about 6 floating
point operations per parameter and token for the forward and backward pass) the loss is lowest
when ``D ≈ 20·N``. We run the rule the other way round: the data fix ``D`` (here the patch
tokens of every training window of every series), so the model gets ``N ≈ D / 20``
parameters. On small supply-chain data sets this gives small networks, which is the point: a
larger one only memorises. ``benchmarks/chinchilla_scaling.py`` checks the choice with a sweep
of sizes around ``D / 20``.

The search is exact rather than by formula: every candidate ``(d_model, n_layers, n_heads)`` is
built on PyTorch's ``meta`` device (shapes only, no memory) and its parameters are counted, so
the count always matches the network that will be trained.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import torch
from torch import nn

from supplypilot.errors import InputError

TOKENS_PER_PARAM = 20.0
"""Chinchilla's compute-optimal ratio ``D / N``."""

FLOPS_PER_PARAM_TOKEN = 6.0
"""Forward (2) plus backward (4) multiply-adds per parameter and token."""

D_MODELS: tuple[int, ...] = (4, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256)
N_LAYERS: tuple[int, ...] = (1, 2, 3, 4, 6, 8)
N_HEADS: tuple[int, ...] = (1, 2, 4, 8)
FF_MULT = 2
"""Feed-forward width = ``FF_MULT · d_model`` (PatchTST uses 2 to 4; 2 keeps small nets lean)."""

Builder = Callable[[int, int, int, int], nn.Module]
"""``build(d_model, n_heads, n_layers, d_ff)`` returns the network of that shape."""


@dataclass(frozen=True)
class SizingReport:
    """The size chosen for ``n_tokens`` training tokens and how it relates to the rule.

    ``compute_flops`` is ``6·N·D``: the compute of one pass over the training tokens. A
    ``clamped`` report means ``D / 20`` lies outside the searched sizes (the nearest bound was
    taken); ``fixed`` names the dimensions the user set instead of letting the rule choose.
    """

    n_tokens: int
    target_params: float
    n_params: int
    compute_flops: float
    d_model: int
    n_heads: int
    n_layers: int
    d_ff: int
    clamped: bool
    candidates: int
    fixed: tuple[str, ...] = ()

    @property
    def tokens_per_param(self) -> float:
        return self.n_tokens / self.n_params

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["fixed"] = list(self.fixed)
        d["tokens_per_param"] = round(self.tokens_per_param, 3)
        return d

    def summary(self) -> str:
        """A short aligned block: D, target and chosen N, C and the shape."""
        lines = [
            f"training tokens D     {self.n_tokens:>14,}",
            f"target N = D/20       {self.target_params:>14,.0f}",
            f"chosen N              {self.n_params:>14,}" + ("  (clamped to the searched sizes)"
                                                         if self.clamped else ""),
            f"D / N                 {self.tokens_per_param:>14.1f}",
            f"compute C = 6·N·D     {self.compute_flops:>14.3e} FLOPs",
            f"shape                 d_model={self.d_model}, n_layers={self.n_layers}, "
            f"n_heads={self.n_heads}, d_ff={self.d_ff}",
        ]
        if self.fixed:
            lines.append(f"set by the user       {', '.join(self.fixed)}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()


def compute_flops(n_params: int, n_tokens: int) -> float:
    """``C ≈ 6·N·D``."""
    return FLOPS_PER_PARAM_TOKEN * float(n_params) * float(n_tokens)


def count_on_meta(build: Builder, d_model: int, n_heads: int, n_layers: int, d_ff: int) -> int:
    """Parameter count of ``build(...)`` without allocating its weights."""
    with torch.device("meta"):
        module = build(d_model, n_heads, n_layers, d_ff)
    return sum(p.numel() for p in module.parameters() if p.requires_grad)


def _counts_by_layers(build: Builder, d_model: int, n_heads: int, d_ff: int,
                      layers: Sequence[int]) -> dict[int, int]:
    """Counts for every layer number from two builds: the size is affine in ``n_layers``."""
    one = count_on_meta(build, d_model, n_heads, 1, d_ff)
    if all(n == 1 for n in layers):
        return {1: one}
    per_layer = count_on_meta(build, d_model, n_heads, 2, d_ff) - one
    return {n: one + (n - 1) * per_layer for n in layers}


def choose_size(n_tokens: int, build: Builder, *, d_model: int | None = None,
                n_layers: int | None = None, n_heads: int | None = None,
                d_models: Sequence[int] = D_MODELS, layers: Sequence[int] = N_LAYERS,
                heads: Sequence[int] = N_HEADS, ff_mult: int = FF_MULT,
                tokens_per_param: float = TOKENS_PER_PARAM) -> SizingReport:
    """The ``(d_model, n_layers, n_heads)`` whose parameter count is nearest ``D / 20``.

    Parameters
    ----------
    n_tokens
        Training tokens ``D``.
    build
        Builds the network for a shape (see :data:`Builder`).
    d_model, n_layers, n_heads
        Dimensions fixed by the user; only the others are searched.
    d_models, layers, heads
        The search grid (the bounds of the rule).
    ff_mult
        Feed-forward width as a multiple of ``d_model``.
    tokens_per_param
        The ratio ``D / N`` aimed at (Chinchilla: 20).

    Returns
    -------
    SizingReport
        The chosen shape, its exact parameter count, ``6·N·D`` and whether it was clamped.

    Raises
    ------
    InputError
        ``n_tokens`` is not positive, or the fixed dimensions leave no valid shape (for
        example ``d_model`` not divisible by ``n_heads``).
    """
    if n_tokens < 1:
        raise InputError(f"Chinchilla sizing needs at least one training token. Got {n_tokens} instead.",
                         where="n_tokens")
    target = n_tokens / tokens_per_param
    ds = [d_model] if d_model is not None else list(d_models)
    ls = [n_layers] if n_layers is not None else list(layers)
    hs = [n_heads] if n_heads is not None else list(heads)
    counts: dict[tuple[int, int], int] = {}
    for d in ds:
        head0 = next((hd for hd in hs if d % hd == 0), None)
        if head0 is not None:
            for layer, n in _counts_by_layers(build, d, head0, ff_mult * d, ls).items():
                counts[(d, layer)] = n
    best: tuple[tuple[float, int, float], int, int, int, int] | None = None
    n_candidates = 0
    for d in ds:
        for layer in ls:
            for head in hs:
                if d % head or (n_heads is None and d // head < 4):
                    continue
                n_candidates += 1
                n = counts[(d, layer)]  # the head count does not change the size
                # nearest in ratio; then fewer layers (faster on CPU); then head width near 16
                key = (abs(math.log(n / target)), layer, abs(math.log2((d / head) / 16)))
                if best is None or key < best[0]:
                    best = (key, d, head, layer, n)
    if best is None:
        raise InputError(
            f"The 'n_heads' parameter of Chinchilla must divide d_model. Got n_heads={n_heads} "
            f"with d_model={d_model} instead.", where="n_heads")
    _, d, head, layer, n = best
    all_counts = list(counts.values())
    searched_all = d_model is None and n_layers is None
    clamped = searched_all and not min(all_counts) <= target <= max(all_counts)
    fixed = tuple(name for name, v in (("d_model", d_model), ("n_layers", n_layers),
                                       ("n_heads", n_heads)) if v is not None)
    return SizingReport(n_tokens=int(n_tokens), target_params=target, n_params=int(n),
                        compute_flops=compute_flops(n, n_tokens), d_model=d, n_heads=head,
                        n_layers=layer, d_ff=ff_mult * d, clamped=bool(clamped),
                        candidates=n_candidates, fixed=fixed)
