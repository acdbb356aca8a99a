"""The bulk-load path (an empty table, many rows) on SQLite and PostgreSQL.

Secondary indexes (and, on PostgreSQL, foreign keys) are dropped for the load and rebuilt in the
same transaction; these tests lower the row threshold so small frames take that path.
"""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import inspect

from supplypilot.data import ingest
from supplypilot.data.ingest import import_frames
from supplypilot.errors import ValidationFailed


def _demand(n: int, qty: int = 3) -> pd.DataFrame:
    days = pd.date_range("2024-01-01", periods=n, freq="D")
    return pd.DataFrame({"item_code": "PH-1", "location_code": "ST-BJ", "date": days.strftime("%Y-%m-%d"),
                         "qty": qty})


def _structure(store) -> tuple[list, list]:
    with store.engine.connect() as conn:
        insp = inspect(conn)
        indexes = sorted((ix["name"], tuple(ix["column_names"]), bool(ix["unique"]))
                         for ix in insp.get_indexes("demand"))
        fks = sorted((tuple(fk["constrained_columns"]), fk["referred_table"])
                     for fk in insp.get_foreign_keys("demand"))
    return indexes, fks


@pytest.fixture
def bulk(monkeypatch):
    monkeypatch.setattr(ingest, "BULK_ROWS", 10)


def test_bulk_load_restores_indexes_and_foreign_keys(store, master_frames, bulk):
    """After a bulk load into an empty table, every index and foreign key is back, and all rows are stored."""
    import_frames(store, master_frames, "catalog")
    before = _structure(store)
    assert before[0] and before[1]
    rep = import_frames(store, {"demand": _demand(400)}, "history")
    assert rep.files[0].inserted == 400
    assert _structure(store) == before
    assert store.counts()["demand"] == 400


def test_bulk_loaded_table_still_upserts_on_reimport(store, master_frames, bulk):
    """A second import of the same keys after a bulk load updates rows: the natural key was kept."""
    import_frames(store, master_frames, "catalog")
    import_frames(store, {"demand": _demand(200, qty=3)}, "history")
    rep = import_frames(store, {"demand": _demand(200, qty=5)}, "history again")
    assert (rep.files[0].inserted, rep.files[0].updated) == (0, 200)
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT sum(qty) FROM demand").scalar_one() == 1000


def test_rejected_bulk_file_changes_nothing(store, master_frames, bulk):
    """A bulk file with one unknown item is refused before writing; the table and its indexes are untouched."""
    import_frames(store, master_frames, "catalog")
    before = _structure(store)
    bad = _demand(300)
    bad.loc[150, "item_code"] = "NOPE-9"
    with pytest.raises(ValidationFailed) as err:
        import_frames(store, {"demand": bad}, "history")
    assert any(p.value == "NOPE-9" for p in err.value.problems)
    assert store.counts()["demand"] == 0
    assert _structure(store) == before


def test_failure_during_bulk_write_rolls_back_ddl(store, master_frames, bulk, monkeypatch):
    """A foreign-key violation found while writing (PostgreSQL: when the key is re-added) rolls back rows and DDL."""
    import_frames(store, master_frames, "catalog")
    before = _structure(store)
    real = ingest._db_values

    def broken(typed, spec, dialect):
        values = real(typed, spec, dialect)
        values["item_code"][-1] = "GHOST"  # slips past validation: only the database's foreign key sees it
        return values

    monkeypatch.setattr(ingest, "_db_values", broken)
    with pytest.raises(Exception):  # noqa: B017 - the driver's own error type differs per database
        import_frames(store, {"demand": _demand(300)}, "history")
    assert store.counts()["demand"] == 0
    assert _structure(store) == before
