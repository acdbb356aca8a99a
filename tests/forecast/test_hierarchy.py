"""Summing matrices from a frame of levels, aggregation, and coherent reconciliation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from supplypilot.errors import InputError
from supplypilot.forecast import ITEM_FAMILY_TOTAL, ITEM_LOCATION_REGION, Forecaster, Hierarchy
from supplypilot.forecast.models.statistical import AutoETS, Naive

COHERENT = 1e-6


@pytest.fixture
def levels() -> pd.DataFrame:
    """Three items in two families, each sold at two locations in two regions."""
    return pd.DataFrame({
        "unique_id": [f"{i}@{loc}" for i in ("P1", "P2", "P3") for loc in ("SZ", "GZ", "BJ")],
        "item": [i for i in ("P1", "P2", "P3") for _ in range(3)],
        "family": [f for f in ("phone", "phone", "tablet") for _ in range(3)],
        "location": ["SZ", "GZ", "BJ"] * 3,
        "region": ["South", "South", "North"] * 3,
    })


@pytest.fixture
def history(levels: pd.DataFrame) -> pd.DataFrame:
    """56 days per bottom series with a weekly season."""
    rng = np.random.default_rng(5)
    t = np.arange(56)
    days = pd.date_range("2024-01-01", periods=56)
    season = 5 * np.sin(2 * np.pi * t / 7)
    return pd.concat([pd.DataFrame({"unique_id": uid, "ds": days,
                                    "y": 30 + 3 * k + season + rng.normal(0, 2, 56)})
                      for k, uid in enumerate(levels["unique_id"])], ignore_index=True)


def test_item_family_total_summing_matrix() -> None:
    """Total sums everything, each family its items, the bottom is the identity."""
    lv = pd.DataFrame({"unique_id": ["a", "b", "c"], "item": ["a", "b", "c"],
                       "family": ["F1", "F1", "F2"]})
    S = Hierarchy.from_levels(lv, ITEM_FAMILY_TOTAL).S
    assert list(S.index) == ["total", "F1", "F2", "a", "b", "c"]
    np.testing.assert_array_equal(S.to_numpy(), [[1, 1, 1], [1, 1, 0], [0, 0, 1],
                                                 [1, 0, 0], [0, 1, 0], [0, 0, 1]])


def test_item_location_region_tags(levels: pd.DataFrame) -> None:
    """Regions, then region/location, then the item-at-location bottom series."""
    h = Hierarchy.from_levels(levels, ITEM_LOCATION_REGION)
    assert list(h.tags["region"]) == ["North", "South"]
    assert list(h.tags["region/location"]) == ["North/BJ", "South/GZ", "South/SZ"]
    assert h.S.loc["South"].sum() == 6


def test_aggregate_sums_children(levels: pd.DataFrame, history: pd.DataFrame) -> None:
    """The aggregated total on a day is the sum of the bottom series that day."""
    h = Hierarchy.from_levels(levels.assign(item=levels["unique_id"]), ITEM_FAMILY_TOTAL)
    Y = h.aggregate(history)
    day = pd.Timestamp("2024-01-10")
    total = Y[(Y["unique_id"] == "total") & (Y["ds"] == day)]["y"].item()
    assert total == pytest.approx(history.loc[history["ds"] == day, "y"].sum())


def test_last_level_must_single_out_series(levels: pd.DataFrame) -> None:
    """A bottom level shared by several series cannot be the bottom of S."""
    with pytest.raises(InputError, match="singles out each bottom series"):
        Hierarchy.from_levels(levels, ((("region",)), ("region", "location")))


def test_missing_level_column_is_named(levels: pd.DataFrame) -> None:
    """A spec column absent from the levels frame is named."""
    with pytest.raises(InputError, match="column 'family'"):
        Hierarchy.from_levels(levels.drop(columns="family"), ITEM_FAMILY_TOTAL)


def test_reconciled_forecasts_are_coherent(levels: pd.DataFrame, history: pd.DataFrame) -> None:
    """After BottomUp and MinTrace (shrink), every parent equals the sum of its children."""
    h = Hierarchy.from_levels(levels, ITEM_LOCATION_REGION)
    fc = Forecaster([AutoETS(season_length=7), Naive()], freq="D")
    out = h.forecast(fc, history, h=7)
    assert h.coherence_error(out, "AutoETS") > 1e-3  # base forecasts do not add up
    for col in ("AutoETS/BottomUp", "AutoETS/MinTrace", "Naive/BottomUp", "Naive/MinTrace"):
        assert h.coherence_error(out, col) < COHERENT, col


def test_mintrace_needs_insample_values(levels: pd.DataFrame, history: pd.DataFrame) -> None:
    """MinTrace without in-sample fitted values is refused with a pointer to insample_forecasts."""
    h = Hierarchy.from_levels(levels, ITEM_LOCATION_REGION)
    base = Forecaster([Naive()], freq="D").forecast(7, h.aggregate(history))
    with pytest.raises(InputError, match="insample_forecasts"):
        h.reconcile(base, insample=None, methods=("MinTrace",))
