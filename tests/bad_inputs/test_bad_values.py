"""Bad cells in otherwise valid files: each refused with file, row, column and value named.

Every case writes a three-row CSV whose middle data row (file row 3; the header is row 1)
holds the one bad value, then checks the import is refused at exactly that cell and that the
store's row counts did not move.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from tests.bad_inputs.bad_input_helpers import assert_problem, problems_of, refused, write_csv

from supplypilot.data.ingest import import_paths
from supplypilot.data.store import Store

TODAY = dt.date.today()
PAST = [(TODAY - dt.timedelta(days=d)).isoformat() for d in (40, 39, 38)]
NEXT_YEAR = (TODAY + dt.timedelta(days=365)).isoformat()
LONG_CODE = "X" * 300

VALID: dict[str, list[dict[str, str]]] = {
    "items": [
        {"code": f"N-{i}", "name": f"New part {i}", "kind": "component", "unit_cost": "1.5"}
        for i in range(3)
    ],
    "locations": [
        {"code": f"L-{i}", "name": f"Store {i}", "kind": "store", "lat": "30.1", "lon": "120.2",
         "timezone": "Asia/Shanghai"}
        for i in range(3)
    ],
    "suppliers": [
        {"code": f"S-{i}", "name": f"Vendor {i}", "location_code": "SUP-SITE-1",
         "lead_time_days": "10", "reliability": "0.9", "currency": "CNY"}
        for i in range(3)
    ],
    "supplier_items": [
        {"supplier_code": s, "item_code": it, "unit_price": "2.5",
         "price_breaks": "[[100, 2.4], [500, 2.2]]"}
        for s, it in (("SUP-1", "CP-300"), ("SUP-1", "CP-301"), ("SUP-2", "CP-301"))
    ],
    "bom": [
        {"parent_code": p, "child_code": c, "qty_per": "2", "scrap_rate": "0.01"}
        for p, c in (("FG-100", "SA-200"), ("SA-200", "CP-300"), ("SA-200", "CP-301"))
    ],
    "purchase_orders": [
        {"po_number": "PO-1", "line_no": str(i + 1), "supplier_code": "SUP-1",
         "item_code": "CP-300", "destination_code": "PLANT-SZ", "order_date": PAST[i],
         "due_date": (TODAY + dt.timedelta(days=20)).isoformat(), "qty": "100",
         "unit_price": "5.5", "status": "open"}
        for i in range(3)
    ],
    "demand": [
        {"item_code": "FG-100", "location_code": "DC-SH", "date": PAST[i], "qty": "12",
         "price": "199", "promo": "false"}
        for i in range(3)
    ],
}


def one_bad_cell(tmp_path: Path, entity: str, column: str, value: str) -> Path:
    """A CSV of ``entity`` whose file row 3 has ``value`` in ``column``; the rest is valid."""
    rows = [dict(r) for r in VALID[entity]]
    rows[1][column] = value
    header = list(rows[0])
    return write_csv(tmp_path / f"{entity}.csv", header, [[r[h] for h in header] for r in rows])


# (id, entity, column, bad value, reason fragment or None, raw value reported?)
CASES: list[tuple[str, str, str, str, str | None, bool]] = [
    ("text_in_qty", "demand", "qty", "lots", "not a number", True),
    ("text_in_date", "demand", "date", "yesterday", "not a date", True),
    ("abc_in_boolean", "demand", "promo", "abc", "yes/no", True),
    ("float_in_int_line_no", "purchase_orders", "line_no", "1.5", "whole number", True),
    ("negative_qty", "demand", "qty", "-5", "≥ 0", False),
    ("negative_unit_cost", "items", "unit_cost", "-0.01", "≥ 0", False),
    ("zero_po_qty", "purchase_orders", "qty", "0", "> 0", False),
    ("zero_bom_qty_per", "bom", "qty_per", "0", "> 0", False),
    ("reliability_above_1", "suppliers", "reliability", "1.5", "≤ 1", False),
    ("scrap_rate_equal_1", "bom", "scrap_rate", "1", "< 1", False),
    ("latitude_200", "locations", "lat", "200", "≤ 90", False),
    ("longitude_minus_181", "locations", "lon", "-181", "≥ -180", False),
    ("due_date_year_2205", "purchase_orders", "due_date", "2205-01-01", "implausible date", True),
    ("date_before_1970", "demand", "date", "1969-12-31", "implausible date", True),
    ("demand_date_next_year", "demand", "date", NEXT_YEAR, "future", True),
    ("po_order_date_next_year", "purchase_orders", "order_date", NEXT_YEAR, "future", True),
    ("malformed_date_2025_13_45", "demand", "date", "2025-13-45", "not a date", True),
    ("impossible_date_feb_30", "purchase_orders", "due_date", "2025-02-30", "not a date", True),
    ("unknown_item_code", "demand", "item_code", "NO-SUCH-ITEM", "unknown item code", True),
    ("unknown_supplier_code", "purchase_orders", "supplier_code", "SUP-404", "unknown supplier code", True),
    ("unknown_location_code", "demand", "location_code", "MARS-1", "unknown location code", True),
    ("unknown_supplier_location", "suppliers", "location_code", "ATLANTIS", "unknown location code", True),
    ("overflow_float_1e400", "demand", "qty", "1e400", None, True),
    ("overflow_int_1e23", "purchase_orders", "line_no", "99999999999999999999999", "out of range", True),
    ("float_above_limit_1e16", "demand", "qty", "1e16", "out of range", True),
    ("infinity_text_inf", "demand", "qty", "inf", "out of range", True),
    ("infinity_text_word", "demand", "price", "-Infinity", "out of range", True),
    ("nan_text", "demand", "qty", "NaN", "not a number", True),
    ("bad_thousands_separator", "demand", "qty", "1,2,3", "not a number", True),
    ("code_300_chars", "items", "code", LONG_CODE, "longer than 64", True),
    ("currency_too_long", "suppliers", "currency", "EURO", "longer than 3", True),
    ("control_char_in_name", "items", "name", "Bad\x07Name", "control characters", True),
    ("unknown_choice_kind", "items", "kind", "gadget", "must be one of", False),
    ("unknown_po_status", "purchase_orders", "status", "shipped?", "must be one of", False),
    ("required_value_empty", "items", "name", "", "required value is empty", False),
    ("invalid_iana_timezone", "locations", "timezone", "Mars/Olympus", "IANA", True),
    ("price_breaks_not_json", "supplier_items", "price_breaks", "[[100, 12.5], [500", "must be JSON", True),
    ("price_breaks_decreasing", "supplier_items", "price_breaks", "[[500, 12.0], [100, 12.5]]", "must increase", True),
    ("price_breaks_not_pairs", "supplier_items", "price_breaks", '{"100": 12.5}', "list of", True),
    ("bom_self_loop", "bom", "child_code", "SA-200", "cannot contain itself", True),
]


@pytest.mark.parametrize(("entity", "column", "value", "reason", "raw"),
                         [pytest.param(*c[1:], id=c[0]) for c in CASES])
def test_bad_cell(store: Store, tmp_path: Path, entity: str, column: str, value: str,
                  reason: str | None, raw: bool) -> None:
    """One bad cell is refused at its file, row 3 and column, and nothing is written."""
    f = one_bad_cell(tmp_path, entity, column, value)
    err = refused(store, [f])
    kwargs: dict[str, Any] = {"value": value} if raw else {}
    assert_problem(err, f, row=3, column=column, reason=reason, **kwargs)
    assert all(p.row == 3 for p in problems_of(err)), problems_of(err)


@pytest.mark.parametrize("entity", sorted(VALID))
def test_valid_rows_positive(store: Store, tmp_path: Path, entity: str) -> None:
    """The unaltered base rows of each entity import cleanly (so each bad case fails for its cell alone)."""
    rows = VALID[entity]
    f = write_csv(tmp_path / f"{entity}.csv", list(rows[0]), [list(r.values()) for r in rows])
    before = store.counts()[entity]
    assert import_paths(store, [f]).ok
    assert store.counts()[entity] == before + 3


@pytest.mark.filterwarnings("ignore:invalid value encountered in cast:RuntimeWarning")
def test_int64_edge_line_no(store: Store, tmp_path: Path) -> None:
    """line_no 9223372036854775807 is refused as out of range at its row and column, not a crash."""
    f = one_bad_cell(tmp_path, "purchase_orders", "line_no", "9223372036854775807")
    assert_problem(refused(store, [f]), f, row=3, column="line_no")


def test_price_breaks_nan(store: Store, tmp_path: Path) -> None:
    """price_breaks [[NaN, 1.0]] is refused at its row (NaN is not JSON and not a quantity)."""
    f = one_bad_cell(tmp_path, "supplier_items", "price_breaks", "[[NaN, 1.0], [100, 0.9]]")
    assert_problem(refused(store, [f]), f, row=3, column="price_breaks")


def test_del_control_char_in_name(store: Store, tmp_path: Path) -> None:
    """A name holding DEL (\\x7f) is refused as containing control characters."""
    f = one_bad_cell(tmp_path, "items", "name", "Bad\x7fName")
    assert_problem(refused(store, [f]), f, row=3, column="name", reason="control characters")


def test_duplicate_natural_key_both_rows(store: Store, tmp_path: Path) -> None:
    """Two demand rows with the same item, location and date are both reported (rows 2 and 4)."""
    rows = [dict(r) for r in VALID["demand"]]
    rows[2]["date"] = rows[0]["date"]
    header = list(rows[0])
    f = write_csv(tmp_path / "demand.csv", header, [[r[h] for h in header] for r in rows])
    err = refused(store, [f])
    assert {p.row for p in problems_of(err)} == {2, 4}
    assert_problem(err, f, row=2, reason="duplicate key")
    assert_problem(err, f, row=4, reason="duplicate key")


def test_duplicate_code_after_strip(store: Store, tmp_path: Path) -> None:
    """Item codes 'D-1' and ' D-1 ' collide once trimmed and both rows are reported."""
    f = write_csv(tmp_path / "items.csv", ["code", "name", "kind", "unit_cost"],
                  [["D-1", "a", "component", "1"], [" D-1 ", "b", "component", "1"]])
    err = refused(store, [f])
    assert_problem(err, f, row=2, column="code", reason="duplicate key")
    assert_problem(err, f, row=3, column="code", reason="duplicate key")


def test_every_bad_row_is_listed(store: Store, tmp_path: Path) -> None:
    """Three bad cells in three rows give three problems, one per row, in one refusal."""
    rows = [dict(r) for r in VALID["demand"]]
    rows[0]["qty"], rows[1]["date"], rows[2]["item_code"] = "many", "someday", "GHOST"
    header = list(rows[0])
    f = write_csv(tmp_path / "demand.csv", header, [[r[h] for h in header] for r in rows])
    err = refused(store, [f])
    got = {(p.row, p.column) for p in problems_of(err)}
    assert got == {(2, "qty"), (3, "date"), (4, "item_code")}


def test_bom_cycle_within_file(store: Store, tmp_path: Path) -> None:
    """Rows A→B and B→A in one BOM file are refused as a cycle naming the file and both codes."""
    f = write_csv(tmp_path / "bom.csv", ["parent_code", "child_code", "qty_per"],
                  [["FG-100", "SA-200", "1"], ["SA-200", "FG-100", "2"]])
    err = refused(store, [f])
    assert_problem(err, f, column="child_code", reason="cycle")
    cycle = next(p for p in problems_of(err) if "cycle" in p.reason).value
    assert "FG-100" in cycle and "SA-200" in cycle


def test_bom_cycle_with_stored_lines(store: Store, tmp_path: Path) -> None:
    """A BOM file closing a cycle with lines already in the store is refused, the stored lines kept."""
    first = write_csv(tmp_path / "bom.csv", ["parent_code", "child_code", "qty_per"],
                      [["FG-100", "SA-200", "1"]])
    import_paths(store, [first])
    f = write_csv(tmp_path / "bom-2.csv", ["parent_code", "child_code", "qty_per"],
                  [["SA-200", "CP-300", "1"], ["CP-300", "FG-100", "1"]])
    err = refused(store, [f])
    assert_problem(err, f, column="child_code", reason="cycle")
    assert store.counts()["bom"] == 1


def test_date_with_offset_keeps_local_day(store: Store, tmp_path: Path) -> None:
    """A date cell with a +08:00 offset is either refused or stored as its local calendar day."""
    f = write_csv(tmp_path / "demand.csv", ["item_code", "location_code", "date", "qty"],
                  [["FG-100", "DC-SH", "2024-06-01 03:00:00+08:00", "5"]])
    try:
        import_paths(store, [f])
    except Exception as exc:  # refusing the offset is an acceptable outcome
        assert f.name in str(exc)
        return
    from sqlalchemy import text

    with store.engine.connect() as conn:
        stored = conn.execute(text("SELECT date FROM demand")).scalar_one()
    assert str(stored) == "2024-06-01"
