"""The M5 forecasting benchmark runs end to end in --quick mode (no timing thresholds asserted)."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from supplypilot.config import data_dir

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "benchmarks" / "forecast_m5.py"
QUICK_SERIES = 20
# Seasonal naive (7) on the 20 quick series (every 14th of the sorted ids), computed by hand
# from the official actuals; the full 280-series figure 1.0709 is in the data's SOURCES.md.
SNAIVE_QUICK = 1.013014474489753


@pytest.fixture(scope="module")
def bench() -> dict:
    if not (data_dir() / "forecasting" / "m5" / "derived" / "m5_tiny280_daily.parquet").exists():
        pytest.skip(f"M5 data not found under {data_dir()} (set SUPPLYPILOT_DATA)")
    proc = subprocess.run([sys.executable, str(SCRIPT), "--quick", "--no-save", "--json"],
                          cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, f"exit {proc.returncode}\n{proc.stderr[-4000:]}"
    return json.loads(proc.stdout)


def _rows(bench: dict) -> dict[str, dict]:
    return {r["name"]: r for r in bench["results"]}


def test_quick_run_scores_twenty_series(bench: dict) -> None:
    """--quick forecasts 20 series, and every scored row carries one RMSSE per series."""
    assert bench["settings"]["series"] == QUICK_SERIES and bench["settings"]["quick"] is True
    for row in bench["results"]:
        if "per_series" in row:
            assert len(row["per_series"]) == QUICK_SERIES


def test_seasonal_naive_reference_matches_its_known_value(bench: dict) -> None:
    """The seasonal naive (7) reference reproduces its RMSSE on the quick series."""
    assert _rows(bench)["snaive7"]["mean_rmsse"] == pytest.approx(SNAIVE_QUICK, rel=1e-9)


def test_top50_submissions_sit_beside_ours_with_official_ranks(bench: dict) -> None:
    """The three M5 submissions are scored on the same series and show their official ranks."""
    rows = _rows(bench)
    ranks = {rows[n]["official_rank"] for n in ("m5_10", "m5_28", "m5_46")}
    assert ranks == {10, 28, 46}
    assert rows["m5_10"]["official_avg"] == pytest.approx(0.547471, abs=1e-6)
    assert all(0 < rows[n]["mean_rmsse"] < 2 for n in ("m5_10", "m5_28", "m5_46"))


def test_our_lightgbm_row_is_finite_and_measured(bench: dict) -> None:
    """Our ensemble has a finite RMSSE, a wall time and a peak memory from its own process."""
    ours = _rows(bench)["lightgbm"]
    assert ours["kind"] == "ours" and not ours.get("error")
    assert math.isfinite(ours["mean_rmsse"]) and 0 < ours["mean_rmsse"] < 5
    assert ours["seconds"] > 0 and ours["peak_rss"] > 0
    assert bench["goal"]["applies"] is False


def test_top_down_and_bottom_parts_are_scored_beside_ours(bench: dict) -> None:
    """Ours mixes the bottom-level ensemble and the item-level top-down; both are rows too."""
    rows = _rows(bench)
    for name in ("lightgbm_bottom", "lightgbm_topdown", "lightgbm_previous"):
        assert math.isfinite(rows[name]["mean_rmsse"])
        assert len(rows[name]["per_series"]) == QUICK_SERIES


def test_globalmlp_part_and_the_lightgbm_mix_are_scored_beside_ours(bench: dict) -> None:
    """Ours mixes in the GlobalMLP; the MLP alone and the LightGBM mix without it are rows too."""
    rows = _rows(bench)
    for name in ("globalmlp", "lightgbm_nomlp"):
        assert math.isfinite(rows[name]["mean_rmsse"])
        assert len(rows[name]["per_series"]) == QUICK_SERIES
    assert 0 < bench["settings"]["globalmlp"]["mix_weight"] < 1


def _script_module():
    import importlib.util

    spec = importlib.util.spec_from_file_location("forecast_m5_under_test", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_store_shares_split_each_item_over_its_stores() -> None:
    """Recent shares sum to one per item; an item with no recent sales gets zero shares."""
    import pandas as pd

    m5 = _script_module()
    ds = pd.date_range("2024-01-01", periods=40, freq="D")
    rows = []
    for uid, item, sales in (("A_S1", "A", 1.0), ("A_S2", "A", 3.0), ("B_S1", "B", 0.0)):
        rows += [{"unique_id": uid, "item_id": item, "ds": d, "y": sales} for d in ds]
    train = pd.DataFrame(rows)
    train.loc[(train["unique_id"] == "B_S1") & (train["ds"] == ds[0]), "y"] = 5.0  # old sale
    share = m5.store_shares(train, days=28)
    assert share["A_S1"] == pytest.approx(0.25) and share["A_S2"] == pytest.approx(0.75)
    assert share["B_S1"] == 0.0
