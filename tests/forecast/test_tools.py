"""Forecasting tools on the stored electronics sample."""

from __future__ import annotations

import pytest

from supplypilot.errors import InputError, UnknownEntityError
from supplypilot.tools import REGISTRY, Context


@pytest.fixture
def ctx(sample_store) -> Context:
    return Context(store_url=sample_store.url)


def test_forecast_demand_per_family_with_intervals_and_reasons(ctx):
    """Each family gets a model picked by cross-validation, ordered intervals and a plot."""
    r = REGISTRY.get("forecast_demand").run({"by": "family", "horizon": 14, "level": [80, 95]}, ctx)
    assert {s.unique_id for s in r.series} == {"phone", "laptop", "tablet", "accessory"}
    for s in r.series:
        assert len(s.points) == 14 and s.model in s.reason
        assert s.total == pytest.approx(sum(p.forecast for p in s.points), abs=0.05)
        for p in s.points:
            assert 0 <= p.lo["95"] <= p.lo["80"] <= p.forecast <= p.hi["80"] <= p.hi["95"]
        assert s.plot and s.plot.endswith(".png")


def test_forecast_demand_refuses_unknown_item_and_bad_level(ctx):
    """An unknown item is named; an interval level of 100 is refused with the standard message."""
    with pytest.raises(UnknownEntityError, match="NOPE-1"):
        REGISTRY.get("forecast_demand").run({"items": ["NOPE-1"]}, ctx)
    with pytest.raises(InputError, match=r"The 'level' parameter of forecast_demand"):
        REGISTRY.get("forecast_demand").run({"level": [100]}, ctx)


def test_forecast_flows_projects_four_quantities_jointly(ctx):
    """The multi-output model projects sales, production, inventory and shipments with 80 % intervals."""
    r = REGISTRY.get("forecast_flows").run({"horizon": 14}, ctx)
    targets = {s.target for s in r.series}
    assert targets == {"sales", "production", "inventory", "shipments"}
    assert r.n_params > 0 and r.compute_flops == pytest.approx(6 * r.n_params * r.n_tokens, rel=1e-6)
    for s in r.series:
        assert s.lo80_last_day <= s.last_day <= s.hi80_last_day
        assert s.total >= 0


def test_auto_forecast_is_the_weighted_mix_of_the_three_best(sample_store):
    """model='auto' forecasts each series with the 1/MASE mix of its three best CV candidates:
    the point forecast equals the weighted sum of those members' forecasts, and the reason
    names the members, their weights and scores."""
    import re

    import numpy as np

    from supplypilot.forecast import Forecaster
    from supplypilot.forecast.service import AUTO, _stat, forecast_store, make_model

    res = forecast_store(sample_store, level="family", horizon=14, levels=[80])
    fams = res.forecasts["unique_id"].unique()
    fc = Forecaster(models=[make_model(n) for n in AUTO], freq="D", fallback_model=_stat("Naive")())
    members_fc = fc.fit(res.history[["unique_id", "ds", "y"]]).predict(h=14)
    for uid in fams:
        row = res.choice.set_index("unique_id").loc[uid]
        mix = re.findall(r"(\w+) (\d\.\d\d) \(MASE (\d+\.\d\d)\)", row["reason"])
        assert len(mix) == 3 and row["model"] == f"Ensemble({' + '.join(m for m, _, _ in mix)})"
        weights = np.array([float(w) for _, w, _ in mix])
        assert weights.sum() == pytest.approx(1.0, abs=0.011)
        scores = [float(s) for _, _, s in mix]
        assert scores == sorted(scores)  # best first, highest weight first
        got = res.forecasts[res.forecasts["unique_id"] == uid]["forecast"].to_numpy()
        parts = members_fc[members_fc["unique_id"] == uid]
        expected = np.clip(sum(w * parts[m].to_numpy() for (m, _, _), w in zip(mix, weights, strict=True)), 0, None)
        np.testing.assert_allclose(got, expected, rtol=0.02, atol=0.05)
