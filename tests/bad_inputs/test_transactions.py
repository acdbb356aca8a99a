"""All or nothing: a bad file anywhere in an import leaves every table as it was."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from tests.bad_inputs.bad_input_helpers import assert_problem, refused, write_csv

import supplypilot.data.ingest as ingest
from supplypilot.data.ingest import import_paths
from supplypilot.data.store import Store

PAST = (dt.date.today() - dt.timedelta(days=10)).isoformat()
ITEM_HEADER = ["code", "name", "kind", "unit_cost"]
DEMAND_HEADER = ["item_code", "location_code", "date", "qty"]


def _new_items(folder: Path) -> Path:
    return write_csv(folder / "items.csv", ITEM_HEADER,
                     [[f"T-{i}", f"t{i}", "component", "1"] for i in range(5)])


def test_second_file_bad_first_not_written(store: Store, tmp_path: Path) -> None:
    """Importing a valid items file with a bad demand file writes neither (one transaction)."""
    items = _new_items(tmp_path)
    demand = write_csv(tmp_path / "demand.csv", DEMAND_HEADER,
                       [["T-0", "DC-SH", PAST, "3"], ["T-1", "DC-SH", PAST, "three"]])
    err = refused(store, [items, demand])
    assert_problem(err, demand, row=3, column="qty", value="three")
    assert store.counts()["items"] == 4  # only the preloaded items


def test_bundle_folder_one_bad_file(store: Store, tmp_path: Path) -> None:
    """A folder bundle with one bad file among good ones writes nothing and names the bad file."""
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    _new_items(bundle)
    write_csv(bundle / "demand.csv", DEMAND_HEADER, [["T-0", "DC-SH", PAST, "3"]])
    bad = write_csv(bundle / "purchase_orders.csv",
                    ["po_number", "line_no", "supplier_code", "item_code", "order_date", "due_date", "qty", "unit_price"],
                    [["PO-9", "1", "SUP-NOPE", "T-1", PAST, PAST, "1", "1"]])
    err = refused(store, [bundle])
    assert_problem(err, bad, row=2, column="supplier_code", reason="unknown supplier")


def test_reference_to_item_in_bad_file(store: Store, tmp_path: Path) -> None:
    """Demand referring to items whose own file is refused is reported too, and nothing is written."""
    items = write_csv(tmp_path / "items.csv", ITEM_HEADER,
                      [["T-0", "t0", "component", "1"], ["T-1", "t1", "gizmo", "1"]])
    demand = write_csv(tmp_path / "demand.csv", DEMAND_HEADER, [["T-0", "DC-SH", PAST, "3"]])
    err = refused(store, [items, demand])
    assert_problem(err, items, row=3, column="kind", reason="must be one of")
    assert_problem(err, demand, row=2, column="item_code", reason="unknown item")


def test_failure_while_writing_rolls_back(store: Store, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """An error raised after the items were written, while writing demand, rolls back everything."""
    real = ingest.write_rows

    def failing(conn, spec, typed, batch_id, first_row):  # type: ignore[no-untyped-def]
        yield from real(conn, spec, typed, batch_id, first_row)
        if spec.entity == "demand":
            raise OSError("disk full (simulated)")

    monkeypatch.setattr(ingest, "write_rows", failing)
    items = _new_items(tmp_path)
    demand = write_csv(tmp_path / "demand.csv", DEMAND_HEADER, [["T-0", "DC-SH", PAST, "3"]])
    before = store.counts()
    with pytest.raises(OSError, match="disk full"):
        import_paths(store, [items, demand])
    assert store.counts() == before


def test_reimport_same_file_no_duplicates(store: Store, tmp_path: Path) -> None:
    """Importing the same valid file twice updates rows instead of duplicating them."""
    items = _new_items(tmp_path)
    demand = write_csv(tmp_path / "demand.csv", DEMAND_HEADER,
                       [[f"T-{i}", "DC-SH", PAST, str(i + 1)] for i in range(5)])
    first = import_paths(store, [items, demand])
    after_first = store.counts()
    second = import_paths(store, [items, demand])
    after_second = store.counts()
    assert after_first["items"] == 9 and after_first["demand"] == 5
    assert {k: v for k, v in after_second.items() if k != "import_batches"} == \
        {k: v for k, v in after_first.items() if k != "import_batches"}
    assert [f.inserted for f in first.files] == [5, 5]
    assert [(f.inserted, f.updated) for f in second.files] == [(0, 5), (0, 5)]


def test_dry_run_writes_nothing(store: Store, tmp_path: Path) -> None:
    """A valid dry run reports ok and leaves the store untouched (positive control)."""
    before = store.counts()
    rep = import_paths(store, [_new_items(tmp_path)], dry_run=True)
    assert rep.ok and rep.dry_run and rep.files[0].rows == 5
    assert store.counts() == before


def test_dry_run_bad_file_reports(store: Store, tmp_path: Path) -> None:
    """A dry run of a bad file is refused with the same located problem."""
    f = write_csv(tmp_path / "items.csv", ITEM_HEADER, [["T-0", "t0", "component", "free"]])
    assert_problem(refused(store, [f], dry_run=True), f, row=2, column="unit_cost", value="free")
