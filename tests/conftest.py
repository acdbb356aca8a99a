"""Shared fixtures: a real SQLite store and a real PostgreSQL store.

PostgreSQL must run on 127.0.0.1:5432 (trust auth, database ``test``). When it is down the
PostgreSQL tests say so; with ``SUPPLYPILOT_REQUIRE_SERVICES=1`` (set by ``.ci/run``) a
missing service fails the run instead of skipping.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pandas as pd
import pytest

from supplypilot.data.store import Store

PG_ADMIN_URL = os.environ.get("SUPPLYPILOT_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def require_service(name: str, reason: str) -> None:
    msg = f"{name} is not available: {reason}"
    if os.environ.get("SUPPLYPILOT_REQUIRE_SERVICES") == "1":
        pytest.fail(msg + " (SUPPLYPILOT_REQUIRE_SERVICES=1: a missing service is a failure)")
    pytest.skip(msg)


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path, monkeypatch):
    """No test touches the user's embedded store or out/ folder."""
    monkeypatch.setenv("SUPPLYPILOT_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("SUPPLYPILOT_OUT", str(tmp_path / "out"))
    monkeypatch.delenv("SUPPLYPILOT_DB_URL", raising=False)


@pytest.fixture
def sqlite_store(tmp_path) -> Iterator[Store]:
    store = Store(f"sqlite:///{tmp_path / 'store.db'}")
    yield store
    store.dispose()


@pytest.fixture
def pg_store() -> Iterator[Store]:
    """A fresh PostgreSQL schema per test, dropped afterwards."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import OperationalError

    schema = f"sp_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except OperationalError as exc:
        admin.dispose()
        require_service("PostgreSQL on 127.0.0.1:5432", str(exc.orig).splitlines()[0])
    url = f"{PG_ADMIN_URL}?options=-csearch_path%3D{schema}"
    store = Store(url, create=False)
    store.upgrade()
    try:
        yield store
    finally:
        store.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request) -> Store:
    """The same test on the embedded default and on PostgreSQL."""
    return request.getfixturevalue("sqlite_store" if request.param == "sqlite" else "pg_store")


@pytest.fixture
def master_frames() -> dict[str, pd.DataFrame]:
    """A tiny valid catalogue: two items, a BOM line, a plant, a store, a supplier."""
    return {
        "items": pd.DataFrame({
            "code": ["PH-1", "SOC-1"], "name": ["Phone One", "SoC"], "name_zh": ["手机一号", "芯片"],
            "kind": ["finished", "component"], "family": ["phone", None], "unit_cost": [120.0, 35.0],
        }),
        "locations": pd.DataFrame({
            "code": ["PLANT-SZ", "ST-BJ"], "name": ["Shenzhen plant", "Beijing store"],
            "kind": ["plant", "store"], "lat": [22.54, 39.9], "lon": [114.06, 116.4],
            "timezone": ["Asia/Shanghai", "Asia/Shanghai"],
        }),
        "bom": pd.DataFrame({"parent_code": ["PH-1"], "child_code": ["SOC-1"], "qty_per": [1.0]}),
        "suppliers": pd.DataFrame({"code": ["SUP-A"], "name": ["Supplier A"], "lead_time_days": [14.0],
                                   "reliability": [0.95]}),
    }


@pytest.fixture(scope="session")
def sample_store(tmp_path_factory) -> Iterator[Store]:
    """The small electronics sample (seed 7), imported and cleaned once per test session.

    Read-only for the tests that use it: forecasting, planning and language tools run on it.
    """
    from supplypilot.data.clean_store import clean_store
    from supplypilot.data.ingest import import_frames
    from supplypilot.data.sample import generate_electronics

    path = tmp_path_factory.mktemp("sample") / "sample.db"
    store = Store(f"sqlite:///{path}")
    sample = generate_electronics("small", seed=7)
    import_frames(store, sample.tables, "electronics sample seed 7")
    clean_store(store, loss_rates={"RFID": 0.05})
    yield store
    store.dispose()
