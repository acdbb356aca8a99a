"""The M4 Weekly benchmark runs end to end in --quick mode (no timing thresholds asserted)."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from supplypilot.config import data_dir

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "benchmarks" / "forecast_m4.py"


@pytest.fixture(scope="module")
def bench() -> dict:
    if not (data_dir() / "forecasting" / "m4" / "Dataset").exists():
        pytest.skip(f"M4 data not found under {data_dir()} (SUPPLYPILOT_DATA)")
    proc = subprocess.run([sys.executable, str(SCRIPT), "--quick", "--no-save", "--json"],
                          cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, f"exit {proc.returncode}\n{proc.stderr[-4000:]}"
    return json.loads(proc.stdout)


def test_naive2_reproduces_the_official_scores(bench: dict) -> None:
    """The official Naive2 forecasts score sMAPE 9.161 and MASE 2.777, as in the workbook."""
    check = bench["naive2_check"]
    assert (round(check["smape"], 3), round(check["mase"], 3)) == (9.161, 2.777)
    assert check["exact_3dp"] is True


def test_weekly_mase_uses_one_step_scaling(bench: dict) -> None:
    """A 52-lag MASE scale would not reproduce the workbook, so M4 used m = 1 for weekly data."""
    assert round(bench["naive2_check"]["mase_season_52"], 3) != 2.777


def test_our_naive2_model_matches_the_official_file(bench: dict) -> None:
    """Our Naive2 model reproduces the official Naive2 forecasts."""
    assert bench["naive2_check"]["our_naive2_max_rel_diff"] < 1e-6


def test_reference_rows_come_from_the_workbook(bench: dict) -> None:
    """Naive2 1.000, Theta 0.971, ES-RNN 0.851, FFORMA 0.796 and the best weekly entry 0.739."""
    owa = {r["id"]: round(r["owa"], 3) for r in bench["references"]}
    assert owa == {"Naive2": 1.0, "Theta": 0.971, "118": 0.851, "245": 0.796, "235": 0.739}


def test_our_rows_are_present_with_finite_scores(bench: dict) -> None:
    """Every quick-mode row has finite sMAPE, MASE, OWA and a positive time."""
    rows = {r["name"]: r for r in bench["results"]}
    assert set(rows) == {"Naive2", "Naive", "SeasonalNaive", "AutoETS", "AutoCES", "GlobalLightGBM",
                         "Combo-ETS-CES", "Selection"}
    for r in rows.values():
        assert all(math.isfinite(r[k]) for k in ("smape", "mase", "owa")), r
        assert r["seconds"] > 0 and r["peak_rss_mb"] > 0
    assert rows["Naive2"]["owa"] == pytest.approx(1.0)
    assert rows["AutoETS"]["time_vs_autoets"] == pytest.approx(1.0)
