"""Shared fixtures: the sample company (half a year of history, generated once) as frames,
as a catalog and as a SQLite store in a session folder.

The dev set (``dev_set.jsonl``) is written for the sample company generated with seed 7,
whose demand history ends on 2026-10-31: that day is the reference "today" of its relative
dates ("下个月" = November 2026).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from supplypilot.data.sample import generate_electronics

HERE = Path(__file__).parent
TODAY = date(2026, 10, 31)
TABLES = ["items", "locations", "bom", "suppliers", "supplier_items", "lanes", "resources", "resource_calendar",
          "demand", "inventory"]


@pytest.fixture(scope="session")
def sample() -> Any:
    return generate_electronics("small", seed=7, years=0.5, tables=TABLES)


@pytest.fixture(scope="session")
def catalog(sample: Any) -> Any:
    from supplypilot.nlp import Catalog

    t = sample.tables
    return Catalog.from_frames(t["items"], t["locations"], t["suppliers"], TODAY)


@pytest.fixture(scope="session")
def store_url(sample: Any, tmp_path_factory: pytest.TempPathFactory) -> str:
    from supplypilot.data.ingest import import_frames
    from supplypilot.data.store import Store

    url = f"sqlite:///{tmp_path_factory.mktemp('nl_store') / 'store.db'}"
    st = Store(url)
    st.upgrade()
    import_frames(st, sample.tables, "sample")
    st.dispose()
    return url


@pytest.fixture(scope="session")
def dev_set() -> list[dict[str, Any]]:
    return [json.loads(line) for line in (HERE / "dev_set.jsonl").read_text(encoding="utf-8").splitlines() if line]
