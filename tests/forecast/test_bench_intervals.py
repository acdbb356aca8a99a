"""The interval benchmark runs end to end in --quick mode and scores every model's intervals."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from supplypilot.config import data_dir

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "benchmarks" / "forecast_intervals.py"


@pytest.fixture(scope="module")
def bench() -> dict:
    if not (data_dir() / "forecasting" / "m4" / "Dataset").exists():
        pytest.skip(f"M4 data not found under {data_dir()} (SUPPLYPILOT_DATA)")
    proc = subprocess.run([sys.executable, str(SCRIPT), "--quick", "--no-save", "--json"],
                          cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, f"exit {proc.returncode}\n{proc.stderr[-4000:]}"
    return json.loads(proc.stdout)


def test_every_model_is_scored_on_every_test_value(bench: dict) -> None:
    """Native and conformal rows side by side, on the 20 quick series' 13 test weeks."""
    assert [r["model"] for r in bench["rows"]] == ["AutoETS", "Naive", "LightGBM", "GlobalMLP"]
    assert bench["series"] == 20 and bench["test_values"] == 20 * 13


def test_wider_level_covers_more_and_scores_are_sane(bench: dict) -> None:
    """95 % intervals cover at least what 80 % ones do; coverage is a share, MSIS positive."""
    for r in bench["rows"]:
        assert 0.0 <= r["coverage80"] <= r["coverage95"] <= 1.0, r
        assert r["width80"] <= r["width95"], r
        assert r["msis95"] > 0, r
    ref = next(r for r in bench["rows"] if r["model"] == "AutoETS")
    assert ref["time_vs_reference"] == 1.0
