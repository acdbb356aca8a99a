"""Fixtures for the bad-input suite: a fresh SQLite store per test, preloaded with master data.

The preloaded store is built once per session (migrations + a small master-data import) and
copied into each test's ``tmp_path``, so every test starts from the same known row counts.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from tests.bad_inputs.bad_input_helpers import ITEMS, LOCATIONS, MASTER, SUPPLIERS

from supplypilot.data.ingest import import_frames
from supplypilot.data.store import Store


@pytest.fixture(scope="session")
def _template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An SQLite file at the newest schema holding the master data (built once)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    store = Store(f"sqlite:///{path}")
    import_frames(store, MASTER, "fixture")
    store.dispose()  # closing the last connection checkpoints the WAL into the file
    for suffix in ("-wal", "-shm"):
        assert not Path(f"{path}{suffix}").exists() or Path(f"{path}{suffix}").stat().st_size == 0
    return path


@pytest.fixture
def db_path(tmp_path: Path, _template_db: Path) -> Path:
    """A private copy of the preloaded store file."""
    dst = tmp_path / "store.db"
    shutil.copyfile(_template_db, dst)
    return dst


@pytest.fixture
def db_url(db_path: Path) -> str:
    return f"sqlite:///{db_path}"


@pytest.fixture
def store(db_url: str):
    """A fresh preloaded store for one test."""
    s = Store(db_url)
    yield s
    s.dispose()


@pytest.fixture
def baseline(store: Store) -> dict[str, int]:
    """Row counts of the preloaded store before the test does anything."""
    counts = store.counts()
    assert counts["items"] == len(ITEMS)
    assert counts["locations"] == len(LOCATIONS)
    assert counts["suppliers"] == len(SUPPLIERS)
    return counts
