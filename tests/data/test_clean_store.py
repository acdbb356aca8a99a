"""Cleaning stored data end to end, on SQLite and PostgreSQL, against the sample's ground truth."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from supplypilot.data.clean_store import clean_store
from supplypilot.data.ingest import import_frames
from supplypilot.data.queries import source_quality
from supplypilot.data.sample import generate_electronics


@pytest.fixture(scope="module")
def sample():
    return generate_electronics("small", seed=3, tables=["items", "locations", "inventory"])


@pytest.fixture
def stocked(store, sample):
    import_frames(store, {k: sample.tables[k] for k in ("items", "locations", "inventory")}, "sample")
    return store


def _estimates(store) -> pd.DataFrame:
    with store.engine.connect() as conn:
        est = pd.read_sql("SELECT item_code, location_code, date, on_hand, on_hand_std, n_sources, "
                          "sources_rejected, method FROM inventory_estimate", conn)
    est["date"] = pd.to_datetime(est["date"])
    return est


def _mae_vs_truth(est: pd.DataFrame, truth: pd.DataFrame) -> float:
    t = truth.assign(date=pd.to_datetime(truth["date"]))
    m = est.merge(t, on=["item_code", "location_code", "date"], suffixes=("", "_true"))
    assert len(m) > 0.9 * len(est)
    return float(np.mean(np.abs(m["on_hand"] - m["on_hand_true"])))


def test_fused_stock_beats_plain_average_against_truth(stocked, sample):
    """Inverse-variance fusion of ERP, WMS and RFID (loss-corrected) is closer to the true stock than the seed's plain average."""
    truth = sample.truth["inventory_true"]
    clean_store(stocked, ["inventory"], loss_rates={"RFID": 0.05}, fusion_method="mean")
    plain = _mae_vs_truth(_estimates(stocked), truth)
    clean_store(stocked, ["inventory"], loss_rates={"RFID": 0.05})
    est = _estimates(stocked)
    fused = _mae_vs_truth(est, truth)
    assert set(est["method"]) == {"inverse_variance"} or "inverse_variance" in set(est["method"])
    assert fused < 0.8 * plain, (fused, plain)
    assert (est["on_hand_std"].dropna() >= 0).all()


def test_cleaning_twice_gives_the_same_store(stocked):
    """Cleaning is recomputed from the raw values, so a second run changes nothing and duplicates no estimate."""
    first = clean_store(stocked, ["inventory"], loss_rates={"RFID": 0.05})
    est1 = _estimates(stocked).sort_values(["item_code", "location_code", "date"]).reset_index(drop=True)
    second = clean_store(stocked, ["inventory"], loss_rates={"RFID": 0.05})
    est2 = _estimates(stocked).sort_values(["item_code", "location_code", "date"]).reset_index(drop=True)
    assert first == second
    pd.testing.assert_frame_equal(est1, est2)


def test_loss_correction_is_recorded_but_not_a_fault(stocked):
    """RFID loss corrections appear as systematic corrections; the RFID quality score is not lowered by them."""
    clean_store(stocked, ["inventory"], loss_rates={"RFID": 0.05})
    q = {r["source"]: r for r in source_quality(stocked) if r["entity"] == "inventory"}
    row = next(iter(q.values()))
    assert row["systematic"] > 0.5 * row["rows"] * 0.33  # most RFID reads were scaled by 1/(1-p)
    assert row["faults"] < row["systematic"]
    assert row["quality"] is not None and row["quality"] > 90


def test_raw_values_survive_cleaning(stocked, sample):
    """The imported on_hand values are kept unchanged beside on_hand_clean."""
    clean_store(stocked, ["inventory"], loss_rates={"RFID": 0.05})
    with stocked.engine.connect() as conn:
        raw_sum = conn.exec_driver_sql("SELECT sum(on_hand) FROM inventory_snapshot").scalar_one()
        changed = conn.exec_driver_sql(
            "SELECT count(*) FROM inventory_snapshot WHERE source = 'RFID' AND on_hand_clean > on_hand").scalar_one()
    assert raw_sum == pytest.approx(sample.tables["inventory"]["on_hand"].sum())
    assert changed > 0
