"""Master data and assertions shared by the bad-input tests."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from supplypilot.data.ingest import import_paths
from supplypilot.data.store import Store
from supplypilot.errors import InputError, ValidationFailed

ITEMS = pd.DataFrame(
    {
        "code": ["FG-100", "SA-200", "CP-300", "CP-301"],
        "name": ["Phone", "Board", "Chip", "Screw"],
        "name_zh": ["手机", "主板", "芯片", "螺丝"],
        "kind": ["finished", "subassembly", "component", "component"],
        "unit_cost": [120.0, 40.0, 5.5, 0.02],
    }
)
LOCATIONS = pd.DataFrame(
    {
        "code": ["PLANT-SZ", "DC-SH", "SUP-SITE-1"],
        "name": ["Shenzhen plant", "Shanghai DC", "Supplier site"],
        "kind": ["plant", "dc", "supplier_site"],
        "lat": [22.54, 31.23, 23.13],
        "lon": [114.06, 121.47, 113.26],
        "timezone": ["Asia/Shanghai", "Asia/Shanghai", "Asia/Shanghai"],
    }
)
SUPPLIERS = pd.DataFrame(
    {
        "code": ["SUP-1", "SUP-2"],
        "name": ["Chip Co", "Screw Co"],
        "location_code": ["SUP-SITE-1", None],
        "lead_time_days": [14.0, 7.0],
        "reliability": [0.95, 0.9],
    }
)
MASTER = {"items": ITEMS, "locations": LOCATIONS, "suppliers": SUPPLIERS}
ITEM_CODES = list(ITEMS["code"])
LOCATION_CODES = list(LOCATIONS["code"])


def write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[Any]] = (),
              encoding: str = "utf-8") -> Path:
    """Write a CSV with the csv module (so quotes, pipes and commas are escaped properly)."""
    with path.open("w", newline="", encoding=encoding) as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


def refused(store: Store, paths: Sequence[Path | str], **kwargs: Any) -> InputError:
    """Run an import that must be refused; check nothing was written; return the error."""
    before = store.counts()
    with pytest.raises(InputError) as info:
        import_paths(store, [str(p) for p in paths], **kwargs)
    assert store.counts() == before, "a refused import changed the store"
    return info.value


def problems_of(err: InputError) -> list:
    assert isinstance(err, ValidationFailed), f"expected ValidationFailed, got {type(err).__name__}: {err}"
    assert err.problems, "ValidationFailed without problems"
    return err.problems


def assert_problem(err: InputError, file: Path, *, row: int | None = None,
                   column: str | None = None, reason: str | None = None,
                   value: Any = ...) -> None:
    """``err`` lists a problem in ``file`` at ``row``/``column`` whose reason contains ``reason``."""
    probs = problems_of(err)
    hits = [
        p for p in probs
        if Path(p.file).name == file.name
        and (row is None or p.row == row)
        and (column is None or p.column == column)
        and (reason is None or reason.lower() in p.reason.lower())
        and (value is ... or p.value == value)
    ]
    assert hits, f"no problem at {file.name} row={row} column={column} reason~{reason!r}: {probs}"
    # the human message names the file too
    assert file.name in str(err)


def assert_file_error(err: InputError, file: Path, *words: str) -> None:
    """A whole-file error: the message names the file and contains every word given."""
    msg = str(err)
    assert file.name in msg, msg
    for w in words:
        assert w.lower() in msg.lower(), f"{w!r} not in {msg!r}"
