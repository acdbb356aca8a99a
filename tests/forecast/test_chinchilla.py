"""The Chinchilla forecaster: sizing rule, seed objective and schedule, outputs, persistence."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import torch

from supplypilot.errors import InputError, NotFittedError
from supplypilot.forecast.models.chinchilla import (
    Chinchilla,
    InverseTimeDecayLR,
    L1Optimizer,
    choose_size,
    inverse_time_decay,
    pinball_loss,
    read_metadata,
    weighted_mse,
)
from supplypilot.forecast.models.chinchilla.network import PatchNetwork, QuantileLayout

TINY = {"input_size": 14, "patch_len": 7, "stride": 7, "h": 7, "max_epochs": 6, "batch_size": 64,
        "early_stopping_patience": 3, "quantiles": (0.1, 0.9)}


def panel(n_series: int = 6, days: int = 120, seed: int = 0, shift_at: int | None = None,
          shift: float = 0.0, noise: float = 1.0) -> pd.DataFrame:
    """Weekly-seasonal daily series with a second target ``production`` that follows ``y``."""
    rng = np.random.default_rng(seed)
    frames = []
    for i in range(n_series):
        t = np.arange(days)
        level = 20.0 + 10 * i + (shift * (t >= shift_at) if shift_at is not None else 0.0)
        y = level * (1 + 0.4 * np.sin(2 * np.pi * t / 7)) + rng.normal(0, noise, days)
        frames.append(pd.DataFrame({
            "unique_id": f"item-{i}", "ds": pd.date_range("2024-01-01", periods=days, freq="D"),
            "y": y, "production": 0.8 * y + rng.normal(0, noise, days),
        }))
    return pd.concat(frames, ignore_index=True)


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return panel()


@pytest.fixture(scope="module")
def fitted(data: pd.DataFrame) -> Chinchilla:
    return Chinchilla(targets=["y", "production"], **TINY).fit(data)


# --------------------------------------------------------------------------- sizing


def test_sizing_chooses_parameter_count_near_d_over_20() -> None:
    """For D tokens the chosen network has within a factor 1.5 of D/20 parameters, and C = 6·N·D."""
    def build(d: int, heads: int, layers: int, ff: int) -> PatchNetwork:
        return PatchNetwork(3, 0, 56, 7, 7, 28, d, heads, layers, ff, quantiles=(0.1, 0.9))

    report = choose_size(400_000, build)
    assert not report.clamped
    assert 400_000 / 20 / 1.5 <= report.n_params <= 400_000 / 20 * 1.5
    assert report.compute_flops == 6 * report.n_params * 400_000
    net = build(report.d_model, report.n_heads, report.n_layers, report.d_ff)
    assert sum(p.numel() for p in net.parameters()) == report.n_params


def test_fitted_model_reports_n_d_and_c(fitted: Chinchilla, data: pd.DataFrame) -> None:
    """N is the trained network's size, D the patches of every training window, C = 6·N·D."""
    n_windows = 6 * (120 - 7 - 7 - 14 + 1)  # per series: origins 14 .. 120 - val(7) - h(7), plus val
    n_windows += 6  # one validation origin per series, trained on again by the refit
    assert fitted.n_tokens_ == n_windows * 2  # two weekly patches in a 14-day context
    assert fitted.n_params_ == sum(p.numel() for p in fitted.net_.parameters())
    assert fitted.compute_flops_ == 6 * fitted.n_params_ * fitted.n_tokens_
    report = fitted.sizing_report()
    assert report.n_params == fitted.n_params_ and report.n_tokens == fitted.n_tokens_
    assert "D / N" in report.summary()


# --------------------------------------------------------------------------- objective and schedule


def test_lr_schedule_follows_closed_form() -> None:
    """The scheduler's rate after t steps is η0 / (1 + t/τ)^γ for every t."""
    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([p], lr=0.2)
    sched = InverseTimeDecayLR(opt, tau=10.0, gamma=0.7)
    for t in range(50):
        assert opt.param_groups[0]["lr"] == pytest.approx(0.2 / (1 + t / 10.0) ** 0.7, rel=1e-12)
        assert inverse_time_decay(t, 0.2, 10.0, 0.7) == pytest.approx(0.2 / (1 + t / 10.0) ** 0.7)
        opt.step()
        sched.step()


def _one_step(mode: str, l1: float) -> torch.Tensor:
    theta = torch.nn.Parameter(torch.tensor([0.5, -0.2, 0.0, 0.03]))
    grad = torch.tensor([1.0, -1.0, 0.5, 0.0])
    opt = L1Optimizer([theta], lr=0.1, l1=l1, mode=mode, base="sgd")
    (grad * theta).sum().backward()
    opt.step()
    return theta.detach()


def test_sign_update_is_the_seed_rule() -> None:
    """θ ← θ − η∇L − λ·sign(θ), with sign taken before the step (zero stays unpenalised)."""
    got = _one_step("sign", l1=0.05)
    # θ − ηg = [0.4, -0.1, -0.05, 0.03]; − λ·sign(θ) = [-0.05, +0.05, 0, -0.05]
    assert torch.allclose(got, torch.tensor([0.35, -0.05, -0.05, -0.02]), atol=1e-7)


def test_proximal_update_soft_thresholds_after_the_step() -> None:
    """θ ← S_{ηλ}(θ − η∇L): entries within ηλ of zero become exactly zero."""
    got = _one_step("proximal", l1=0.5)  # threshold ηλ = 0.05
    assert torch.equal(got, torch.tensor([0.35, -0.05, 0.0, 0.0]))


def test_proximal_l1_drives_irrelevant_weights_to_exact_zero() -> None:
    """On a sparse linear problem the proximal mode zeroes the weights of noise features exactly."""
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(400, 8, generator=gen)
    y = 3 * x[:, 0] - 2 * x[:, 1]
    w = torch.nn.Parameter(torch.full((8,), 0.1))
    opt = L1Optimizer([w], lr=0.05, l1=0.1, mode="proximal", base="sgd")
    for _ in range(300):
        opt.zero_grad()
        ((x @ w - y) ** 2).mean().backward()
        opt.step()
    assert torch.count_nonzero(w[2:]) == 0
    assert w[0] > 2.5 and w[1] < -1.5


def test_weighted_mse_is_weighted_sum_of_per_output_mse() -> None:
    """loss = Σ_k w_k · MSE_k, and masked cells count in no MSE."""
    target = torch.zeros(2, 3, 2)
    pred = torch.stack([torch.ones(2, 3), torch.full((2, 3), 2.0)], dim=-1)  # MSE_0 = 1, MSE_1 = 4
    assert float(weighted_mse(pred, target, torch.tensor([2.0, 0.5]))) == pytest.approx(4.0)
    mask = torch.ones(2, 3, 2, dtype=torch.bool)
    pred2 = pred.clone()
    pred2[0, 0, 0] = 100.0
    mask[0, 0, 0] = False
    assert float(weighted_mse(pred2, target, torch.tensor([2.0, 0.5]), mask)) == pytest.approx(4.0)


def test_pinball_loss_penalises_each_side_by_its_quantile() -> None:
    """An under-forecast of 1 costs q, an over-forecast of 1 costs 1 − q."""
    target = torch.zeros(1, 1, 1)
    under = torch.full((1, 1, 1, 2), -1.0)  # predictions below the target for q = 0.1 and 0.9
    loss = pinball_loss(under, target, [0.1, 0.9], torch.tensor([1.0]))
    assert float(loss) == pytest.approx((0.1 + 0.9) / 2)
    over = torch.full((1, 1, 1, 2), 1.0)
    assert float(pinball_loss(over, target, [0.1, 0.9], torch.tensor([1.0]))) == pytest.approx((0.9 + 0.1) / 2)


def test_quantile_layout_never_crosses_the_mean() -> None:
    """Quantiles built from any raw head output are ordered and bracket the mean."""
    layout = QuantileLayout([0.05, 0.25, 0.75, 0.95])
    mean = torch.randn(50)
    q = layout.assemble(mean, torch.randn(50, 4) * 5)
    assert torch.all(q[:, 0] <= q[:, 1]) and torch.all(q[:, 1] <= mean)
    assert torch.all(mean <= q[:, 2]) and torch.all(q[:, 2] <= q[:, 3])


# --------------------------------------------------------------------------- outputs


def test_predict_names_columns_per_target_and_level(fitted: Chinchilla) -> None:
    """y is '<name>', other targets '<name>:<target>', intervals '<col>-lo-<l>'/'<col>-hi-<l>'."""
    out = fitted.predict(7, level=[80])
    assert list(out.columns) == ["unique_id", "ds", "Chinchilla", "Chinchilla-lo-80", "Chinchilla-hi-80",
                                 "Chinchilla:production", "Chinchilla:production-lo-80",
                                 "Chinchilla:production-hi-80"]
    assert len(out) == 6 * 7
    assert out["ds"].min() == pd.Timestamp("2024-04-30")  # the day after the last observation


def test_intervals_contain_the_point_forecast(fitted: Chinchilla) -> None:
    """lo ≤ point ≤ hi for every forecast, target and level."""
    out = fitted.predict(7, level=[50, 80, 95])
    for col in ("Chinchilla", "Chinchilla:production"):
        for lv in (50, 80, 95):
            assert (out[f"{col}-lo-{lv}"] <= out[col]).all()
            assert (out[col] <= out[f"{col}-hi-{lv}"]).all()
    assert (out["Chinchilla-hi-95"] - out["Chinchilla-lo-95"] >= out["Chinchilla-hi-50"]
            - out["Chinchilla-lo-50"] - 1e-9).all()


def test_horizon_beyond_training_rolls_forward(fitted: Chinchilla) -> None:
    """predict(h) with h above the trained horizon returns h consecutive days per series."""
    out = fitted.predict(16)
    assert out.groupby("unique_id").size().eq(16).all()
    assert np.isfinite(out["Chinchilla"]).all()


def test_same_seed_gives_identical_predictions(data: pd.DataFrame, fitted: Chinchilla) -> None:
    """Two fits with the same seed predict exactly the same; another seed does not."""
    again = Chinchilla(targets=["y", "production"], **TINY).fit(data)
    pd.testing.assert_frame_equal(again.predict(7, level=[80]), fitted.predict(7, level=[80]))
    other = Chinchilla(targets=["y", "production"], seed=1, **TINY).fit(data)
    assert not np.allclose(other.predict(7)["Chinchilla"], fitted.predict(7)["Chinchilla"])


def test_save_load_round_trip_predicts_identically(fitted: Chinchilla, tmp_path) -> None:
    """A loaded model predicts exactly like the saved one and carries its metadata."""
    path = fitted.save(tmp_path / "model.pt")
    loaded = Chinchilla.load(path)
    pd.testing.assert_frame_equal(loaded.predict(7, level=[80]), fitted.predict(7, level=[80]))
    meta = read_metadata(path)
    assert meta["data_hash"] == fitted.data_hash_ and len(meta["data_hash"]) == 64
    assert meta["n_params"] == fitted.n_params_ and meta["n_tokens"] == fitted.n_tokens_
    assert meta["compute_flops"] == fitted.compute_flops_
    assert meta["params"]["targets"] == ["y", "production"]
    assert meta["versions"]["torch"] == torch.__version__
    assert meta["metrics"]["epochs"] == fitted.metrics_["epochs"]


def test_load_refuses_a_foreign_file(tmp_path) -> None:
    """Loading something that is not a saved Chinchilla raises InputError naming the file."""
    path = tmp_path / "other.pt"
    torch.save({"weights": torch.zeros(2)}, path)
    with pytest.raises(InputError, match="Not a saved Chinchilla model"):
        Chinchilla.load(path)


def test_predict_before_fit_raises_not_fitted() -> None:
    """predict, explain and save before fit raise NotFittedError."""
    model = Chinchilla()
    with pytest.raises(NotFittedError):
        model.predict(7)
    with pytest.raises(NotFittedError):
        model.sizing_report()


@pytest.mark.parametrize(("params", "message"), [
    ({"patch_len": 0}, "The 'patch_len' parameter of Chinchilla must be an int >= 1. Got 0 instead."),
    ({"stride": 8}, "The 'stride' parameter of Chinchilla must be an int in [1, patch_len=7]. Got 8 instead."),
    ({"input_size": 20}, "The 'input_size' parameter of Chinchilla must be patch_len + a multiple"),
    ({"l1_mode": "l2"}, "The 'l1_mode' parameter of Chinchilla must be one of 'penalty', 'sign', 'proximal'"),
    ({"l1": -1.0}, "The 'l1' parameter of Chinchilla must be a finite number >= 0. Got -1.0 instead."),
    ({"lr": 0}, "The 'lr' parameter of Chinchilla must be a finite number > 0. Got 0 instead."),
    ({"targets": ["production"]}, "The 'targets' parameter of Chinchilla must be a list of distinct"),
    ({"quantiles": [0.1, 1.5]}, "The 'quantiles' parameter of Chinchilla must be distinct numbers in (0, 1)"),
    ({"target_weights": [1.0, 2.0]}, "The 'target_weights' parameter of Chinchilla must be a sequence of 1 weight(s)"),
    ({"d_model": 10, "n_heads": 4}, "The 'n_heads' parameter of Chinchilla must be a divisor of d_model=10"),
])
def test_bad_parameters_raise_input_error(data: pd.DataFrame, params: dict, message: str) -> None:
    """Each invalid constructor argument is refused at fit with the standard message."""
    with pytest.raises(InputError) as err:
        Chinchilla(**params).fit(data)
    assert err.value.message.startswith(message)
    assert err.value.where == message.split("'")[1]


def test_missing_target_column_is_named(data: pd.DataFrame) -> None:
    """A target that is not in the frame is refused with the column named."""
    with pytest.raises(InputError, match=r"column\(s\) \['delivery'\]"):
        Chinchilla(targets=["y", "delivery"], **TINY).fit(data)


# --------------------------------------------------------------------------- update, intervals, explanations


def test_update_beats_the_stale_model_after_a_level_shift() -> None:
    """After a level shift, fine-tuning on the appended rows forecasts the shifted level better."""
    full = panel(n_series=4, days=150, seed=3, shift_at=130, shift=30.0)
    day = pd.Timestamp("2024-01-01")
    old = full[full["ds"] < day + pd.Timedelta(days=110)]
    new = full[(full["ds"] >= day + pd.Timedelta(days=110)) & (full["ds"] < day + pd.Timedelta(days=143))]
    params = {**TINY, "input_size": 28, "update_epochs": 15}
    stale = Chinchilla(**params).fit(old)
    updated = Chinchilla(**params).fit(old).update(new)
    # both forecast the week after the appended rows from the same history, shift included
    history = pd.concat([old, new])
    actual = full[full["ds"] >= day + pd.Timedelta(days=143)].set_index(["unique_id", "ds"])["y"]

    def mae(model: Chinchilla) -> float:
        fc = model.predict(7, df=history).set_index(["unique_id", "ds"])["Chinchilla"]
        return float((fc - actual.loc[fc.index]).abs().mean())

    assert mae(updated) < mae(stale)


def test_conformal_intervals_cover_about_their_level() -> None:
    """On exchangeable synthetic data the 80 % intervals cover between 65 % and 95 % of new points."""
    full = panel(n_series=8, days=160, seed=5, noise=4.0)
    cut = pd.Timestamp("2024-01-01") + pd.Timedelta(days=146)
    train, test = full[full["ds"] < cut], full[full["ds"] >= cut]
    model = Chinchilla(**{**TINY, "val_size": 28, "quantiles": None}).fit(train)
    fc = model.predict(7, level=[80]).merge(test, on=["unique_id", "ds"])
    inside = (fc["y"] >= fc["Chinchilla-lo-80"]) & (fc["y"] <= fc["Chinchilla-hi-80"])
    assert 0.65 <= inside.mean() <= 0.95
    assert model.conformal_["y"]["abs"].size == 8 * 22 * 7  # 22 validation origins of 7 steps


def test_explanations_add_up_to_the_forecast(fitted: Chinchilla) -> None:
    """Level plus every attribution equals the (unclipped) point forecast, per forecast."""
    ex = fitted.explain(ids=["item-2"], h=3)
    total = ex.groupby(["unique_id", "ds", "target"])["value"].sum()
    fc = fitted.predict(3).set_index(["unique_id", "ds"])
    got = total.xs("y", level="target")
    want = fc.loc[got.index, "Chinchilla"]
    assert np.allclose(got.to_numpy(), want.to_numpy(), rtol=0.02, atol=0.5)
    assert {"(level)", "day of week", "y history", "production history"} <= set(ex["feature"])


def test_reasons_give_one_sentence_per_forecast(fitted: Chinchilla) -> None:
    """reasons() returns one sentence per series, date and target, naming the forecast."""
    out = fitted.reasons(ids=["item-0", "item-1"], h=2)
    assert len(out) == 2 * 2 * 2
    first = out.iloc[0]
    assert first["reason"].startswith(f"{first['unique_id']} {first['target']} on ")
    assert f"forecast {first['forecast']:,.0f}" in first["reason"]
    assert first["reason"].endswith(".")


def test_closed_days_are_masked_but_weekly_days_off_kept() -> None:
    """A two-day all-zero shutdown is masked; a weekday that is always zero is not."""
    df = panel(n_series=3, days=84, seed=7)
    df.loc[df["ds"].dt.dayofweek == 4, ["y", "production"]] = 0.0  # Fridays off
    shut = df["ds"].isin(pd.to_datetime(["2024-02-13", "2024-02-14"]))
    df.loc[shut, ["y", "production"]] = 0.0
    model = Chinchilla(**{**TINY, "max_epochs": 1}, targets=["y", "production"], closed_days="mask").fit(df)
    assert model.closed_days_ == [pd.Timestamp("2024-02-13"), pd.Timestamp("2024-02-14")]


def test_proximal_mode_produces_exact_zeros_in_the_network(data: pd.DataFrame) -> None:
    """With l1_mode='proximal' and a strong λ, some network weights are exactly zero."""
    model = Chinchilla(**{**TINY, "max_epochs": 2}, l1=1.0, l1_mode="proximal", refit=False).fit(data)
    weights = torch.cat([p.detach().ravel() for p in model.net_.parameters() if p.ndim >= 2])
    assert int((weights == 0).sum()) > 0


def test_future_covariates_are_required_at_predict(data: pd.DataFrame) -> None:
    """A model fitted with futr_exog needs X_df at predict and uses it when given."""
    df = data.assign(promo=(data["ds"].dt.day % 5 == 0).astype(float))
    model = Chinchilla(**{**TINY, "max_epochs": 1}, futr_exog=["promo"]).fit(df)
    with pytest.raises(InputError, match="needs X_df"):
        model.predict(7)
    dates = pd.date_range("2024-04-30", periods=7)
    X = pd.DataFrame([(u, d, 1.0) for u in df["unique_id"].unique() for d in dates],
                     columns=["unique_id", "ds", "promo"])
    out = model.predict(7, X_df=X)
    assert len(out) == 6 * 7 and math.isfinite(float(out["Chinchilla"].sum()))
