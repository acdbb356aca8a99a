"""The store on SQLite and PostgreSQL: migrations, transactional import, natural keys."""

from __future__ import annotations

import pandas as pd
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from supplypilot.data.ingest import import_frames
from supplypilot.data.model import Base
from supplypilot.data.store import Store
from supplypilot.errors import StoreError, ValidationFailed


def test_migrations_match_the_model(store):
    """The Alembic migrations create exactly the tables and columns the model declares."""
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []
    assert store.schema_revision() == Store.head_revision()


def test_sqlite_store_uses_wal(sqlite_store):
    """The embedded store runs in WAL mode with foreign keys enforced."""
    with sqlite_store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_import_writes_rows_with_lineage(store, master_frames):
    """Imported rows carry their import batch and source row."""
    rep = import_frames(store, master_frames, "unit")
    assert rep.ok and {f.entity for f in rep.files} == set(master_frames)
    with store.engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT code, batch_id, source_row FROM item ORDER BY code").all()
    items_batch = next(f.batch_id for f in rep.files if f.entity == "items")
    assert [(r[0], r[1], r[2]) for r in rows] == [("PH-1", items_batch, 1), ("SOC-1", items_batch, 2)]


def test_reimport_updates_instead_of_duplicating(store, master_frames):
    """Importing the same rows twice leaves one row per natural key and reports updates."""
    import_frames(store, master_frames, "first")
    before = store.counts()
    rep = import_frames(store, master_frames, "second")
    assert store.counts()["items"] == before["items"] == 2
    items = next(f for f in rep.files if f.entity == "items")
    assert (items.inserted, items.updated) == (0, 2)


def test_refused_import_changes_nothing(store, master_frames):
    """A bundle with one bad row is refused whole: not even its valid files are written."""
    bad = dict(master_frames)
    bad["suppliers"] = master_frames["suppliers"].assign(reliability=[1.5])
    before = store.counts()
    with pytest.raises(ValidationFailed) as info:
        import_frames(store, bad, "bad")
    assert store.counts() == before
    (p,) = info.value.problems
    assert (p.column, p.row, p.value) == ("reliability", 1, 1.5)


def test_demand_import_roundtrip(store, master_frames):
    """Daily demand keeps dates, quantities and promo flags exactly."""
    import_frames(store, master_frames, "m")
    demand = pd.DataFrame({"item_code": ["PH-1"] * 3, "location_code": ["ST-BJ"] * 3,
                           "date": pd.date_range("2025-03-01", periods=3).strftime("%Y-%m-%d"),
                           "qty": ["5", "0", "7"], "promo": ["false", "true", "0"]})
    import_frames(store, {"demand": demand}, "d")
    with store.engine.connect() as conn:
        got = pd.read_sql("SELECT date, qty, promo FROM demand ORDER BY date", conn)
    assert [str(d)[:10] for d in got["date"]] == ["2025-03-01", "2025-03-02", "2025-03-03"]
    assert got["qty"].tolist() == [5.0, 0.0, 7.0]
    assert [bool(x) for x in got["promo"]] == [False, True, False]


def test_missing_sqlite_store_without_create_is_an_error(tmp_path):
    """Opening a store that does not exist, without create, says to run init."""
    with pytest.raises(StoreError, match="supplypilot init"):
        Store(f"sqlite:///{tmp_path / 'nope.db'}", create=False)


def test_server_store_at_old_schema_is_reported(pg_store):
    """A server database behind the newest migration is named, with the command to fix it."""
    pg_store.drop_all()
    with pytest.raises(StoreError, match="db upgrade"):
        pg_store.check_schema()
