"""SIGKILL in the middle of writing a large import leaves nothing behind; a re-run succeeds."""

from __future__ import annotations

import datetime as dt
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import select

from supplypilot.data.ingest import import_frames
from supplypilot.data.model import ImportBatch
from supplypilot.data.store import Store

N_ITEMS, LOCATIONS, N_DAYS = 50, ("PLANT-SZ", "DC-SH", "SUP-SITE-1"), 4000  # 600 000 rows
START_TIMEOUT_S = 60
KILL_AFTER_S = 3.0


def _make_demand(path: Path) -> int:
    """Write a valid demand CSV over N_ITEMS new items × 3 stored locations × N_DAYS past days."""
    codes = [f"K-{i:03d}" for i in range(N_ITEMS)]
    end = dt.date.today() - dt.timedelta(days=2)
    dates = pd.date_range(end=end, periods=N_DAYS).strftime("%Y-%m-%d")
    frame = pd.MultiIndex.from_product([codes, LOCATIONS, dates],
                                       names=["item_code", "location_code", "date"]).to_frame(index=False)
    frame["qty"] = np.arange(len(frame)) % 97
    frame.to_csv(path, index=False)
    return len(frame)


def _writer_active(db: Path) -> bool:
    """True while another connection holds SQLite's write lock (the import's transaction)."""
    conn = sqlite3.connect(db, timeout=0, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError:
        return True
    finally:
        conn.close()


def _import_cmd(csv: Path, url: str) -> list[str]:
    return [sys.executable, "-m", "supplypilot.cli", "import", str(csv), "--db", url]


@pytest.mark.slow
def test_sigkill_mid_import_leaves_no_rows(store: Store, db_path: Path, db_url: str,
                                           tmp_path: Path) -> None:
    """A SIGKILL while the import transaction is writing leaves no demand rows and no batch; a re-run imports all rows."""
    extra = pd.DataFrame({"code": [f"K-{i:03d}" for i in range(N_ITEMS)], "name": "kill test part",
                          "kind": "component", "unit_cost": 1.0})
    import_frames(store, {"items": extra}, "kill-fixture")
    csv = tmp_path / "demand.csv"
    n_rows = _make_demand(csv)
    before = store.counts()
    store.dispose()

    proc = subprocess.Popen(_import_cmd(csv, db_url), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, cwd=tmp_path)
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not _writer_active(db_path):
            if proc.poll() is not None:
                out, err = proc.communicate()
                pytest.fail(f"import ended (rc={proc.returncode}) before it started writing; "
                            f"make the file bigger. {out[-500:]!r} {err[-500:]!r}")
            if time.monotonic() > deadline:
                pytest.fail(f"import did not start writing within {START_TIMEOUT_S} s")
            time.sleep(0.05)
        time.sleep(KILL_AFTER_S)  # well into the chunks of the write
        assert proc.poll() is None, "import committed before it could be killed; make the file bigger"
        assert _writer_active(db_path), "write transaction ended before the kill"
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == -signal.SIGKILL

    after_kill = Store(db_url)
    try:
        assert after_kill.counts() == before
        assert after_kill.counts()["demand"] == 0
        with after_kill.engine.connect() as conn:
            batches = conn.execute(select(ImportBatch).where(ImportBatch.source == str(csv))).all()
        assert batches == []
    finally:
        after_kill.dispose()

    rerun = subprocess.run(_import_cmd(csv, db_url), capture_output=True, cwd=tmp_path, timeout=120)
    assert rerun.returncode == 0, rerun.stderr.decode()[-2000:]
    final = Store(db_url)
    try:
        assert final.counts()["demand"] == n_rows
        with final.engine.connect() as conn:
            batch = conn.execute(select(ImportBatch).where(ImportBatch.source == str(csv))).one()
        assert batch.status == "committed" and batch.rows_inserted == n_rows
    finally:
        final.dispose()
