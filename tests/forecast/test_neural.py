"""GlobalMLP, the N-BEATS-style global net: shapes, dates, learning, determinism, bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from supplypilot.errors import InputError
from supplypilot.forecast import Forecaster
from supplypilot.forecast.models.neural import GlobalMLP

SMALL = dict(input_size=26, width=32, blocks=2, layers=1, batch=64, seeds=1, h=13)


def _seasonal(n_series: int = 12, n: int = 200, seed: int = 0, zeros: bool = False) -> pd.DataFrame:
    """Weekly series with a 13-week cycle and different levels: learnable, not naive-friendly."""
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    rows = []
    for i in range(n_series):
        level = 10 ** rng.uniform(1, 4)
        y = level * np.exp(0.4 * np.sin(2 * np.pi * (t + i) / 13) + rng.normal(0, 0.03, n))
        if zeros:
            y = np.round(y / level * 3) * (rng.random(n) > 0.2)
        rows.append(pd.DataFrame({"unique_id": f"s{i}", "ds": pd.date_range("2020-01-05", periods=n, freq="W"),
                                  "y": y}))
    return pd.concat(rows, ignore_index=True)


def test_forecasts_every_series_from_its_last_date() -> None:
    df = _seasonal()
    out = GlobalMLP(steps=5, **SMALL).fit(df, freq="W").predict(13)
    assert len(out) == 12 * 13 and (out["GlobalMLP"] > 0).all()
    first = out.groupby("unique_id")["ds"].min()
    last = df.groupby("unique_id")["ds"].max()
    assert (first == last + pd.Timedelta(weeks=1)).all()


def test_learns_a_cycle_the_naive_forecast_misses() -> None:
    df = _seasonal()
    cut = df.groupby("unique_id").cumcount(ascending=False) >= 13
    train, test = df[cut], df[~cut]
    pred = GlobalMLP(steps=400, **SMALL).fit(train, freq="W").predict(13).merge(test, on=["unique_id", "ds"])
    naive = train.groupby("unique_id")["y"].last().rename("naive")
    pred = pred.join(naive, on="unique_id")
    mlp_err = (np.abs(pred["GlobalMLP"] - pred["y"]) / pred["y"]).mean()
    naive_err = (np.abs(pred["naive"] - pred["y"]) / pred["y"]).mean()
    assert mlp_err < 0.6 * naive_err, (mlp_err, naive_err)


def test_same_seed_same_forecast_and_runs_in_the_forecaster() -> None:
    df = _seasonal(n_series=4, n=120)
    a = Forecaster(models=[GlobalMLP(steps=20, **SMALL)], freq="W").fit(df).predict(13)
    b = Forecaster(models=[GlobalMLP(steps=20, **SMALL)], freq="W").fit(df).predict(13)
    pd.testing.assert_frame_equal(a, b)
    assert "GlobalMLP" in a.columns and len(a) == 4 * 13


def test_log1p_handles_zeros_and_log_refuses_them() -> None:
    df = _seasonal(n_series=4, n=120, zeros=True)
    assert (df["y"] == 0).any()
    with pytest.raises(InputError, match="log1p"):
        GlobalMLP(steps=5, **SMALL).fit(df, freq="W")
    out = GlobalMLP(steps=5, transform="log1p", **SMALL).fit(df, freq="W").predict(13)
    assert (out["GlobalMLP"] >= 0).all() and np.isfinite(out["GlobalMLP"]).all()


@pytest.mark.parametrize("kwargs, where", [({"transform": "sqrt"}, "transform"), ({"width": 0}, "width"),
                                           ({"steps": 2.5}, "steps"), ({"lr": -1.0}, "lr")])
def test_impossible_parameters_are_named(kwargs: dict, where: str) -> None:
    params = SMALL | {"steps": 5} | kwargs
    with pytest.raises(InputError) as err:
        GlobalMLP(**params).fit(_seasonal(n_series=2, n=60), freq="W")
    assert err.value.where == where


def test_longer_horizon_than_trained_and_uncalibrated_intervals_are_refused() -> None:
    model = GlobalMLP(steps=5, **SMALL).fit(_seasonal(n_series=2, n=60), freq="W")
    with pytest.raises(InputError, match="up to h = 13"):
        model.predict(14)
    with pytest.raises(InputError, match="conformal_windows >= 1") as err:
        model.predict(13, level=[80])
    assert err.value.where == "level"
    with pytest.raises(InputError) as err:
        GlobalMLP(steps=5, conformal_windows=-1, **SMALL).fit(_seasonal(n_series=2, n=60), freq="W")
    assert err.value.where == "conformal_windows"


def test_conformal_intervals_cover_the_held_out_period() -> None:
    """Intervals calibrated on cut histories cover about their level on the next 13 weeks."""
    df = _seasonal(n_series=40, n=160, seed=1)
    cut = df.groupby("unique_id").cumcount(ascending=False) >= 13
    train, test = df[cut], df[~cut]
    model = GlobalMLP(steps=300, conformal_windows=2, **SMALL).fit(train, freq="W")
    out = model.predict(13, level=[50, 90]).merge(test, on=["unique_id", "ds"])
    assert len(out) == 40 * 13
    assert (out["GlobalMLP-lo-90"] <= out["GlobalMLP-lo-50"]).all()
    assert (out["GlobalMLP-lo-50"] <= out["GlobalMLP"]).all()
    assert (out["GlobalMLP"] <= out["GlobalMLP-hi-50"]).all()
    assert (out["GlobalMLP-hi-50"] <= out["GlobalMLP-hi-90"]).all()
    cover = {lv: ((out["y"] >= out[f"GlobalMLP-lo-{lv}"]) & (out["y"] <= out[f"GlobalMLP-hi-{lv}"])).mean()
             for lv in (50, 90)}
    assert 0.35 <= cover[50] <= 0.75, cover
    assert 0.80 <= cover[90] <= 1.0, cover
    # the point forecast is the same with or without intervals
    plain = GlobalMLP(steps=300, **SMALL).fit(train, freq="W").predict(13)
    np.testing.assert_allclose(plain["GlobalMLP"], model.predict(13)["GlobalMLP"])
