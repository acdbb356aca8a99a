"""Production orders of items made on the module assembly & test cells are scheduled on those cells.

In the sample the display modules (DM-*) and battery packs (BP-*) are made only on the cells
SZ-MAT1 / CD-MAT1, resources of kind ``test`` rather than ``line``; their stored and MRP-planned
orders run on the cell of their plant at the cell's own rate and calendar.
"""

from __future__ import annotations

import math
import re

import pandas as pd
from sqlalchemy import select

from supplypilot.data.model import Resource
from supplypilot.plan.from_store import SHIFT_START, schedule_model

MODULE = re.compile(r"^(DM|BP)-")


def _cells(store) -> dict[str, tuple[str, float, float]]:
    """code -> (plant, capacity per hour, hours per day) of the resources that are not lines."""
    with store.engine.connect() as conn:
        rows = conn.execute(select(Resource.code, Resource.plant_code, Resource.capacity_per_hour,
                                   Resource.hours_per_day, Resource.kind)).all()
    return {r[0]: (r[1], float(r[2]), float(r[3])) for r in rows if r[4] != "line"}


def test_module_orders_are_scheduled_on_the_module_cells(sample_store):
    """Stored and MRP-planned DM-/BP- orders run on their plant's module cell, one operation each, for
    qty / rate of the cell; none of them is left unscheduled, while items nothing at the plant can make are."""
    cells = _cells(sample_store)
    assert {"CD-MAT1", "SZ-MAT1"} <= set(cells)
    _, info = schedule_model(sample_store, "PLT-CD", 7)
    start = info["start"]
    planned = pd.DataFrame({
        "order": ["DM-TB001#3", "BP-LT001#2", "PH001-256#9", "DM-PH001#4"],
        "item": ["DM-TB001", "BP-LT001", "PH001-256", "DM-PH001"],
        "plant": ["PLT-CD"] * 4, "qty": [700.0, 300.0, 100.0, 50.0],
        "release_date": [start.date()] * 4, "due_date": [(start + pd.Timedelta(days=7)).date()] * 4,
        "pegging": ["FC:TB001-128:W2", "FC:LT001-16-512:W2", "FC:PH001-256:W2", "FC:PH001-256:W2"]})
    model, info = schedule_model(sample_store, "PLT-CD", 7, planned)
    batches = info["batches"]

    # the stored module orders and the two planned ones at PLT-CD are scheduled; the planned orders of a
    # phone and of a phone display module (made only at PLT-SZ) have nothing at PLT-CD to run on
    unscheduled = " | ".join(info["unscheduled"])
    assert not any(f"of {i} " in unscheduled for i in ("DM-TB001", "BP-TB001", "DM-LT001", "BP-LT001")), unscheduled
    assert "MRP planned PH001-256#9" in unscheduled and "no production line at PLT-CD has made PH001-256" in unscheduled
    assert "MRP planned DM-PH001#4" in unscheduled and "no production line at PLT-CD has made DM-PH001" in unscheduled
    assert info["planned"] == 2
    stored = info["orders"][(info["orders"].status != "mrp_planned") & info["orders"].item_code.str.match(MODULE)]
    assert len(stored) > 0
    modules = batches[batches["item"].str.match(MODULE)]
    assert set(stored.order_number) <= set(modules["order"])
    assert {"PLN-DM-TB001-" + str((start + pd.Timedelta(days=7)).date()),
            "PLN-BP-LT001-" + str((start + pd.Timedelta(days=7)).date())} <= set(modules["order"])
    for order, g in modules.groupby("order"):  # batches add up to the order
        qty = float(info["orders"].set_index("order_number").loc[order, "qty"])
        assert g["qty"].sum() == qty

    # one operation per batch, on CD-MAT1 only (it makes and tests: no second step), for qty / rate
    _, rate, hours = cells["CD-MAT1"]
    ops = {op.job.name: [] for op in model.operations}
    for op in model.operations:
        ops[op.job.name].append(op)
    for b in modules.itertuples(index=False):
        assert len(ops[b.job]) == 1, ops[b.job]
        assert dict(ops[b.job][0].durations) == {"CD-MAT1": math.ceil(b.qty / rate * 60 - 1e-9)}
        assert b.qty <= math.floor(hours * rate * 0.95)  # a batch fits one shift of the cell

    res = model.solve(stop=5, workers=1, seed=0)
    assert res.is_feasible(), res.status
    sched = res.schedule.merge(batches[["job", "item", "qty"]], on="job")
    on_cell = sched[sched["item"].str.match(MODULE)]
    assert set(on_cell["job"]) == set(modules["job"]) and set(on_cell["machine"]) == {"CD-MAT1"}
    for r in on_cell.itertuples(index=False):
        assert r.end - r.start == math.ceil(r.qty / rate * 60 - 1e-9)
        day_start = (r.start // 1440) * 1440 + SHIFT_START  # inside the cell's shift of that day
        assert day_start <= r.start and r.end <= day_start + hours * 60, r
    # nothing else runs on the cell, and lines keep their items
    assert not sched[(sched.machine == "CD-MAT1") & ~sched["item"].str.match(MODULE)].shape[0]
    assert not on_cell.empty and set(sched[~sched["item"].str.match(MODULE)].machine) <= {"CD-SMT1", "CD-FA1"}


def test_module_orders_stay_unscheduled_when_the_cell_has_no_working_hours(sample_store, tmp_path):
    """A cell without working hours cannot take the orders of the items only it makes: they are listed as
    unscheduled with the reason, and the lines' orders are scheduled as before."""
    import sqlite3

    from supplypilot.data.store import Store

    db = tmp_path / "store.db"
    with sqlite3.connect(sample_store.url.removeprefix("sqlite:///")) as src, sqlite3.connect(db) as dst:
        src.backup(dst)
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE resource SET hours_per_day = 0 WHERE code = 'CD-MAT1'")
        conn.execute("DELETE FROM resource_calendar WHERE resource_code = 'CD-MAT1'")
    store = Store(f"sqlite:///{db}")
    try:
        model, info = schedule_model(store, "PLT-CD", 7)
    finally:
        store.dispose()
    batches = info["batches"]
    assert not batches["item"].str.match(MODULE).any()
    assert set(batches["item"]) and {op.job.name for op in model.operations} == set(batches["job"])
    for item in ("DM-TB001", "BP-TB001", "DM-LT001", "BP-LT001"):
        assert any(f"of {item} " in u and "not scheduled" in u and "CD-MAT1 (test)" in u and "no working hours" in u
                   for u in info["unscheduled"]), info["unscheduled"]
