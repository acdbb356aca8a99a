"""The two transformer networks: patches of time series, and feature tokens of a table.

:class:`PatchNetwork` is PatchTST-style: the context window is cut into patches
(``patch_len`` steps every ``stride`` steps), each patch — the values of every target column,
an observed-mask channel and any known covariates — becomes one token through a linear patch
embedding, a learned positional embedding (and a day-of-week embedding) is added, and a
transformer encoder mixes the tokens. Unlike PatchTST's flatten head, the forecast is read
from *future tokens*: one learned query token per future patch is appended to the sequence,
and a shared linear head turns each into ``patch_len`` steps of every target (the mean) and of
every quantile. This keeps the head's size independent of the horizon and of the context
length, so the parameter count the Chinchilla rule chooses is spent on the encoder rather than
on one huge output matrix.

Quantiles are built around the mean so they can never cross it: quantiles below 0.5 are the
mean minus a cumulative sum of softplus offsets, those above 0.5 the mean plus one. A 0.5
quantile (the median, used as the point forecast with ``point="median"``) is a free output.

:class:`FeatureTokenNetwork` treats each column of a table as one token (value × learned
vector + learned bias, as FT-Transformer does), adds a learned summary token, and reads every
output from that summary token after the encoder.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import nn


def _encoder(d_model: int, n_heads: int, n_layers: int, d_ff: int, dropout: float) -> nn.Module:
    layer = nn.TransformerEncoderLayer(d_model, n_heads, d_ff, dropout=dropout, batch_first=True,
                                       norm_first=True, activation="gelu")
    return nn.TransformerEncoder(layer, n_layers, norm=nn.LayerNorm(d_model),
                                 enable_nested_tensor=False)


class QuantileLayout:
    """Which quantiles sit below, at, and above the mean, in the order the head emits them."""

    def __init__(self, quantiles: Sequence[float]) -> None:
        self.quantiles = sorted(float(q) for q in quantiles)
        self.below = [q for q in self.quantiles if q < 0.5]
        self.above = [q for q in self.quantiles if q > 0.5]
        self.has_median = 0.5 in self.quantiles

    @property
    def n(self) -> int:
        return len(self.quantiles)

    def assemble(self, mean: torch.Tensor, raw: torch.Tensor) -> torch.Tensor:
        """Quantiles ``[..., n]`` in ascending order from the mean and ``n`` raw head outputs."""
        parts = []
        i = 0
        if self.below:
            k = len(self.below)
            # offsets grow away from the mean: the lowest quantile has the largest offset
            off = torch.cumsum(F.softplus(raw[..., i:i + k]), dim=-1)
            parts.append(mean.unsqueeze(-1) - off.flip(-1))
            i += k
        if self.has_median:
            parts.append(raw[..., i:i + 1] + mean.unsqueeze(-1))
            i += 1
        if self.above:
            k = len(self.above)
            off = torch.cumsum(F.softplus(raw[..., i:i + k]), dim=-1)
            parts.append(mean.unsqueeze(-1) + off)
        if not parts:
            return mean.new_zeros((*mean.shape, 0))
        return torch.cat(parts, dim=-1)


class RevIN(nn.Module):
    """Learned per-channel affine map applied after instance normalisation (RevIN).

    The statistics themselves (each window's mean and scale) are computed outside the network
    from observed values only; this layer adds the learnable gain and bias of RevIN and
    inverts them on the way out.
    """

    def __init__(self, n_channels: int) -> None:
        super().__init__()
        self.gain = nn.Parameter(torch.ones(n_channels))
        self.bias = nn.Parameter(torch.zeros(n_channels))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * self.gain + self.bias

    def inverse(self, y: torch.Tensor) -> torch.Tensor:
        gain = torch.where(self.gain.abs() < 1e-4, torch.full_like(self.gain, 1e-4), self.gain)
        return (y - self.bias) / gain


class PatchNetwork(nn.Module):
    """PatchTST-style encoder with future query tokens (see the module docstring).

    Parameters
    ----------
    n_targets
        Target columns predicted jointly (``K``).
    n_exog
        Known-future covariate columns (``E``).
    input_size, patch_len, stride
        Context length and patching; ``(input_size - patch_len) % stride == 0``.
    h
        Horizon learned directly (future tokens: ``ceil(h / patch_len)``).
    d_model, n_heads, n_layers, d_ff
        Transformer width, attention heads, encoder layers and feed-forward width.
    quantiles
        Quantile levels in (0, 1) predicted besides the mean.
    calendar
        Add a day-of-week embedding to every token.
    dropout
        Dropout inside the encoder layers.
    season
        Seasonal skip connection: the mean head predicts a correction to the context's average
        seasonal profile (the mean of the observed values at the same phase in each season of
        the context), scaled by a learned gate per target and day of week. A sharp weekly
        pattern, such as no sales on Fridays, is then there from the first step, and a small
        network spends its parameters on what the profile misses.
    """

    def __init__(self, n_targets: int, n_exog: int, input_size: int, patch_len: int, stride: int,
                 h: int, d_model: int, n_heads: int, n_layers: int, d_ff: int,
                 quantiles: Sequence[float] = (), calendar: bool = True, dropout: float = 0.0,
                 season: int | None = None) -> None:
        super().__init__()
        self.n_targets, self.n_exog = n_targets, n_exog
        self.input_size, self.patch_len, self.stride, self.h = input_size, patch_len, stride, h
        self.n_patches = (input_size - patch_len) // stride + 1
        self.n_future = -(-h // patch_len)
        self.layout = QuantileLayout(quantiles)
        channels = n_targets + 1 + n_exog  # targets, observed mask, covariates
        self.revin = RevIN(n_targets)
        self.patch_embed = nn.Linear(channels * patch_len, d_model)
        self.future_token = nn.Parameter(torch.zeros(d_model))
        self.future_exog = nn.Linear(n_exog * patch_len, d_model) if n_exog else None
        self.position = nn.Parameter(torch.randn(self.n_patches + self.n_future, d_model) * 0.02)
        self.day_of_week = nn.Embedding(7, d_model) if calendar else None
        self.encoder = _encoder(d_model, n_heads, n_layers, d_ff, dropout)
        self.head = nn.Linear(d_model, patch_len * n_targets * (1 + self.layout.n))
        self.season = season if season and 1 < season <= input_size else None
        self.seasonal_gate = nn.Parameter(torch.ones(7, n_targets)) if self.season else None

    def forward(self, x: torch.Tensor, observed: torch.Tensor, past_dow: torch.Tensor | None = None,
                future_dow: torch.Tensor | None = None, past_exog: torch.Tensor | None = None,
                future_exog: torch.Tensor | None = None,
                calendar_weight: torch.Tensor | None = None,
                step_dow: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """Mean ``[B, h, K]`` and quantiles ``[B, h, K, Q]``, in normalised units.

        Parameters
        ----------
        x
            Normalised context ``[B, input_size, K]`` (unobserved cells set to 0).
        observed
            ``[B, input_size]``: 1 where the step was observed.
        past_dow, future_dow
            Day of week (0-6) of each context patch's and each future patch's first step.
        past_exog, future_exog
            Covariates ``[B, input_size, E]`` and ``[B, n_future * patch_len, E]``.
        calendar_weight
            ``[B]``: blend between the average day-of-week embedding (0) and the actual one
            (1, the default). Explanations integrate along it to attribute the calendar.
        step_dow
            ``[B, h]``: day of week of every forecast step, which selects the seasonal gate
            (without it the gates' average is used).
        """
        b = x.shape[0]
        parts = [self.revin(x), observed.unsqueeze(-1).to(x.dtype)]
        if self.n_exog:
            assert past_exog is not None
            parts.append(past_exog)
        seq = torch.cat(parts, dim=-1)  # [B, L, C]
        patches = seq.unfold(1, self.patch_len, self.stride)  # [B, P, C, patch_len]
        tokens = self.patch_embed(patches.reshape(b, self.n_patches, -1))
        fut = self.future_token.expand(b, self.n_future, -1)
        if self.future_exog is not None:
            assert future_exog is not None
            fx = future_exog.reshape(b, self.n_future, self.patch_len * self.n_exog)
            fut = fut + self.future_exog(fx)
        z = torch.cat([tokens, fut], dim=1) + self.position
        if self.day_of_week is not None and past_dow is not None and future_dow is not None:
            emb = self.day_of_week(torch.cat([past_dow, future_dow], dim=1))
            if calendar_weight is not None:
                avg = self.day_of_week.weight.mean(0)
                w = calendar_weight.reshape(-1, 1, 1)
                emb = w * emb + (1 - w) * avg
            z = z + emb
        z = self.encoder(z)[:, self.n_patches:]
        out = self.head(z).reshape(b, self.n_future * self.patch_len, self.n_targets,
                                   1 + self.layout.n)[:, : self.h]
        mean = self.revin.inverse(out[..., 0])
        if self.season is not None:
            assert self.seasonal_gate is not None
            gate = (self.seasonal_gate[step_dow] if step_dow is not None
                    else self.seasonal_gate.mean(0))
            mean = mean + gate * self.seasonal_profile(x, observed)
        if self.layout.n == 0:
            return mean, mean.new_zeros((*mean.shape, 0))
        return mean, self.layout.assemble(mean, out[..., 1:])


    def seasonal_profile(self, x: torch.Tensor, observed: torch.Tensor) -> torch.Tensor:
        """The context's average seasonal profile, repeated over the horizon: ``[B, h, K]``."""
        assert self.season is not None
        m = self.season
        n = x.shape[1] // m
        tail = x[:, -n * m:].reshape(x.shape[0], n, m, -1)
        obs = observed[:, -n * m:].reshape(x.shape[0], n, m, 1)
        profile = (tail * obs).sum(1) / obs.sum(1).clamp(min=1.0)  # [B, m, K]
        reps = -(-self.h // m)
        return profile.repeat(1, reps, 1)[:, : self.h]


class FeatureTokenNetwork(nn.Module):
    """Transformer over the columns of a table (see the module docstring).

    Parameters
    ----------
    input_dim, output_dim
        Feature columns (tokens) and outputs.
    d_model, n_heads, n_layers, d_ff, dropout
        Transformer shape.
    """

    def __init__(self, input_dim: int, output_dim: int, d_model: int, n_heads: int, n_layers: int,
                 d_ff: int, dropout: float = 0.0) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.randn(input_dim, d_model) * (1.0 / d_model ** 0.5))
        self.bias = nn.Parameter(torch.zeros(input_dim, d_model))
        self.summary = nn.Parameter(torch.zeros(1, 1, d_model))
        self.encoder = _encoder(d_model, n_heads, n_layers, d_ff, dropout)
        self.head = nn.Linear(d_model, output_dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``[B, input_dim]`` → ``[B, output_dim]``."""
        tokens = x.unsqueeze(-1) * self.weight + self.bias
        z = torch.cat([self.summary.expand(x.shape[0], -1, -1), tokens], dim=1)
        return self.head(self.encoder(z)[:, 0])


def count_parameters(module: nn.Module) -> int:
    """Trainable parameters of ``module``."""
    return sum(p.numel() for p in module.parameters() if p.requires_grad)
