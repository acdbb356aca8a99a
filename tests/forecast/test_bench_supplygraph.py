"""The SupplyGraph forecasting benchmark runs end to end in --quick mode (no timing thresholds)."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from supplypilot import config

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "benchmarks" / "forecast_supplygraph.py"
SALES = "forecasting/supplygraph/Raw Dataset/Homogenoeus/Temporal Data/Unit/Sales Order.csv"


@pytest.fixture(scope="module")
def bench() -> dict:
    if not (config.data_dir() / SALES).is_file():
        pytest.skip(f"SupplyGraph data not found under {config.data_dir().resolve()} (set SUPPLYPILOT_DATA)")
    proc = subprocess.run([sys.executable, str(SCRIPT), "--quick", "--no-save", "--json"],
                          cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, f"exit {proc.returncode}\n{proc.stderr[-4000:]}"
    return json.loads(proc.stdout)


def test_seasonal_naive_reproduces_the_reference(bench: dict) -> None:
    """SeasonalNaive(7) scores 0.539 on sales with the cut-off days and 0.456 without them."""
    sn = next(r for r in bench["results"] if r["name"] == "snaive")
    assert round(sn["wape"]["y"]["with"], 3) == 0.539
    assert round(sn["wape"]["y"]["without"], 3) == 0.456
    assert bench["goals"]["snaive_reproduced"] is True


def test_cutoff_days_are_the_trailing_all_zero_days(bench: dict) -> None:
    """The trailing all-zero days found in the data are 08-08/09 for sales, 08-09 for the others."""
    assert bench["settings"]["cutoff_days"] == {"y": ["2023-08-08", "2023-08-09"],
                                                "production": ["2023-08-09"], "delivery": ["2023-08-09"]}


def test_chinchilla_row_is_present_and_finite(bench: dict) -> None:
    """The Chinchilla row has a finite WAPE per target, both ways, and its N, D and C."""
    ch = next(r for r in bench["results"] if r["name"] == "chinchilla")
    assert not ch.get("error"), ch
    for target in ("y", "production", "delivery"):
        for way in ("with", "without"):
            assert math.isfinite(ch["wape"][target][way]) and ch["wape"][target][way] > 0
        assert 0 <= ch["coverage80"][target]["without"] <= 1
    assert ch["compute_flops"] == 6 * ch["n_params"] * ch["n_tokens"]
    assert ch["seconds"] > 0 and ch["peak_rss_mb"] > 0
