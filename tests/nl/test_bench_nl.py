"""The language benchmark runs end to end in --quick mode (figures checked, no timing thresholds)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "benchmarks" / "nl_eval.py"


@pytest.fixture(scope="module")
def bench() -> dict:
    proc = subprocess.run([sys.executable, str(SCRIPT), "--quick", "--json"], cwd=ROOT, capture_output=True,
                          text=True, timeout=300, check=False)
    assert proc.returncode == 0, f"exit {proc.returncode}\n{proc.stderr[-4000:]}"
    return json.loads(proc.stdout)


def test_quick_run_scores_thirty_dev_cases_by_language_and_category(bench):
    """--quick parses the first 30 dev cases and breaks accuracy down by language and category."""
    dev = bench["sets"][0]
    assert (dev["set"], dev["n"]) == ("dev", 30)
    assert sum(n for _, n in dev["by_lang"].values()) == 30 and dev["by_category"]
    assert set(dev["latency_ms"]) == {"mean", "p50", "p95", "max"}


def test_quick_run_grounds_every_number_of_its_answers(bench):
    """The two answers of --quick are grounded, every number traced."""
    g = bench["grounding"]
    assert g["answers"] == g["answers_grounded"] == 2
    assert g["numbers"] > 0 and g["numbers_grounded"] == g["numbers"]
