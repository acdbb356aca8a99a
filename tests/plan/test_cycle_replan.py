"""The cycle schedules the MRP's planned production orders, and a re-plan starts from the last schedule.

The cycles here build on each other (first run, re-run on unchanged data, re-run after an order
changed), so they share one copy of the sample store and one planning home through
module-scoped fixtures; each test pays for one cycle.
"""

from __future__ import annotations

import re
import sqlite3
from collections import defaultdict
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from supplypilot.plan.cycle import PlanCycleResult, run_planning_cycle, saved_schedule, schedule_path
from supplypilot.tools import Context

SOURCE = re.compile(r"^MRP planned (?P<order>\S+#\d+), pegged to (?P<peg>FC:\S+:W\d+(, FC:\S+:W\d+)*)$")
HORIZON = 14  # the cycle schedules min(horizon, 14) days


@pytest.fixture(scope="module")
def replan(sample_store, tmp_path_factory) -> dict[str, Any]:
    """A private copy of the sample store and a planning home, shared by the cycles below."""
    root = tmp_path_factory.mktemp("replan")
    db = root / "store.db"
    with sqlite3.connect(sample_store.url.removeprefix("sqlite:///")) as src, sqlite3.connect(db) as dst:
        src.backup(dst)
    return {"url": f"sqlite:///{db}", "db": db, "home": root / "home", "out": root / "out"}


def _cycle(replan: dict[str, Any]) -> PlanCycleResult:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SUPPLYPILOT_HOME", str(replan["home"]))
        mp.setenv("SUPPLYPILOT_OUT", str(replan["out"]))
        return run_planning_cycle(Context(store_url=replan["url"]), horizon_days=HORIZON, top_items=1,
                                  time_limit_s=2)


@pytest.fixture(scope="module")
def first(replan) -> PlanCycleResult:
    return _cycle(replan)


@pytest.fixture(scope="module")
def second(replan, first) -> PlanCycleResult:
    """The cycle again, on the same data."""
    return _cycle(replan)


@pytest.fixture(scope="module")
def third(replan, second) -> tuple[PlanCycleResult, str, str]:
    """The cycle after a stored open order of an item the MRP also plans got 2,000 more units."""
    ops = second.production["operations"]
    planned_items = {o["item"] for o in ops if o["source"].startswith("MRP planned")}
    order, item = next((o["source"].split()[2], o["item"]) for o in ops
                       if o["source"].startswith("stored order") and o["source"].endswith("(planned)")
                       and o["item"] in planned_items)
    with sqlite3.connect(replan["db"]) as conn:
        assert conn.execute("UPDATE production_order SET qty = qty + 2000 WHERE order_number = ?",
                            (order,)).rowcount == 1
    return _cycle(replan), order, item


def _op_key(o: dict[str, Any]) -> tuple[str, int, str, str]:
    return o["job"], o["op"], o["machine"], o["start"]


def test_cycle_schedules_the_mrp_planned_production_orders_pegged(first):
    """Planned production orders of the purchasing MRP are on the schedule with their quantity and pegging;
    those no line or cell can make are named in the reasons, none is dropped silently."""
    assert all(s.status == "ok" for s in first.steps), [(s.step, s.status) for s in first.steps]
    prod, purch = first.production, first.purchasing
    step = next(s for s in first.steps if s.step == "plan_production")
    assert step.args["from_plan"] and step.args["mrp_horizon_days"] == 28
    assert prod["status"] in {"optimal", "feasible"}
    assert first.warm_start is None and prod["warm_start"] is None  # nothing saved yet

    planned: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for o in prod["operations"]:
        if o["source"].startswith("MRP planned"):
            m = SOURCE.match(o["source"])
            assert m, o["source"]
            planned[m["order"]].append(o)
        else:
            assert re.match(r"^stored order \S+ \((planned|released|in_progress)\)$", o["source"]), o["source"]
    assert planned and prod["planned_orders"] == len(planned) == first.kpis["planned_production_scheduled"]

    # each scheduled planned order is one of the purchasing plan's production orders: same item,
    # due date, quantity (the batches add up to it) and pegging
    mos = {(p["item"], p["due_date"]): p for p in purch["production_orders"]}
    for mrp_order, ops in planned.items():
        item = ops[0]["item"]
        job = ops[0]["job"]
        due = re.search(r"(\d{4}-\d{2}-\d{2})", job)[1]
        assert job.startswith(f"PLN-{item}-{due}")
        mo = mos[(item, due)]
        assert mo["serves"] == SOURCE.match(ops[0]["source"])["peg"]
        assert sum(o["qty"] for o in ops if o["op"] == 0) == pytest.approx(mo["qty"])
        assert mrp_order.startswith(f"{item}#") and {o["item"] for o in ops} == {item}

    # every planned production order released in the schedule's horizon is scheduled or explained
    end = pd.Timestamp(purch["horizon_start"]) + pd.Timedelta(days=HORIZON)
    scheduled = {(ops[0]["item"], re.search(r"(\d{4}-\d{2}-\d{2})", ops[0]["job"])[1]) for ops in planned.values()}
    for mo in purch["production_orders"]:
        if pd.Timestamp(mo["start_date"]) < end and (mo["item"], mo["due_date"]) not in scheduled:
            assert any(f"of {mo['item']} " in u and "MRP planned" in u and "not scheduled" in u
                       for u in prod["unscheduled"]), mo
    assert set(prod["unscheduled"]) <= set(first.reasons)
    # the display modules and battery packs are made on the module assembly & test cells: scheduled there
    assert not any(re.search(r" of (DM|BP)-\S+ \(", u) for u in prod["unscheduled"]), prod["unscheduled"]
    assert any(re.match(r"^(DM|BP)-", o["item"]) and "MAT" in o["machine"] for o in prod["operations"])


def test_cycle_saves_its_schedule_for_the_next_one(replan, first):
    """The schedule is kept next to last_cycle.json in calendar time, every operation with its routing position."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SUPPLYPILOT_HOME", str(replan["home"]))
        saved = saved_schedule()
        assert schedule_path().parent == Path(replan["home"]) / "plans"
        assert (schedule_path().parent / "last_cycle.json").is_file()
    assert saved is not None
    assert {_op_key(o) for o in saved["operations"]} == {_op_key(o) for o in first.production["operations"]}
    assert saved["objective_value"] == first.production["objective_value"]


def test_replan_on_unchanged_data_keeps_the_schedule_or_improves_it(first, second):
    """The second cycle starts from the first one's schedule, which still fits slot for slot; any move it
    reports comes with a strictly better objective."""
    p1, p2 = first.production, second.production
    assert second.warm_start and second.warm_start == p2["warm_start"]
    assert "by the last planning cycle" in second.warm_start
    step = next(s for s in second.steps if s.step == "plan_production")
    assert step.args["warm_start"] is True
    # the saved plan carried into the new model scores exactly what it scored before: no slot was lost
    assert p2["warm_start_objective"] == p1["objective_value"]
    assert p2["objective_value"] <= p1["objective_value"]

    assert not any("purchase orders" in c for c in second.changes), second.changes
    assert not any("schedule operations new" in c or "schedule operations dropped" in c for c in second.changes)
    before = {(o["job"], o["op"]): (o["machine"], o["start"]) for o in p1["operations"]}
    after = {(o["job"], o["op"]): (o["machine"], o["start"]) for o in p2["operations"]}
    assert before.keys() == after.keys()
    moved = [k for k in after if after[k] != before[k]]
    lines = [c for c in second.changes if "schedule operations moved" in c]
    if moved:  # only for a better schedule, and the change report says so
        assert p2["objective_value"] < p1["objective_value"]
        assert len(lines) == 1 and lines[0].startswith(f"{len(moved)} schedule operations moved")
        assert f"improves {p1['objective_value']:,.0f} → {p2['objective_value']:,.0f}" in lines[0]
        assert len(p2["moves"]) == min(len(moved), 30) or p2["moves"][-1].startswith("... and")
    else:
        assert lines == [] and p2["moves"] == []
        # kept because CP-SAT found nothing strictly better, or nothing at all within the limit
        assert any("previous schedule" in b for b in p2["binding"]), p2["binding"]


def test_replan_after_an_order_changed_reports_it(third, second):
    """More units on an open order: the MRP plans less of that item, and the schedule change names the order."""
    res, order, item = third
    assert res.warm_start
    sched = [c for c in res.changes if c.split(" ", 2)[1:2] == ["schedule"]]
    assert any(order in c for c in sched), res.changes

    def made(r: PlanCycleResult) -> float:
        return sum(p["qty"] for p in r.purchasing["production_orders"] if p["item"] == item)

    assert made(res) < made(second)  # the extra open quantity is netted, not planned again
    ops = [o for o in res.production["operations"] if o["op"] == 0 and o["source"] == f"stored order {order} (planned)"]
    before = [o for o in second.production["operations"] if o["op"] == 0 and o["job"].split("/")[0] == order]
    assert sum(o["qty"] for o in ops) == pytest.approx(sum(o["qty"] for o in before) + 2000)


def test_planned_order_without_a_line_is_a_reason_not_a_crash(sample_store):
    """An MRP order at a plant whose lines never made the item, or with no plant, is left out and explained."""
    from supplypilot.plan.from_store import schedule_model

    _, info = schedule_model(sample_store, None, 7)
    start = info["start"]
    planned = pd.DataFrame({
        "order": ["PH001-256#9", "PH001-256#10", "AC001#9"], "item": ["PH001-256", "PH001-256", "AC001"],
        "plant": ["PLT-CD", None, "PLT-SZ"], "qty": [100.0, 50.0, 10.0],
        "release_date": [start.date()] * 3, "due_date": [(start + pd.Timedelta(days=7)).date()] * 3,
        "pegging": ["FC:PH001-256:W2", "FC:PH001-256:W2", "FC:AC001:W2"]})
    model, info = schedule_model(sample_store, None, 7, planned)
    assert info["planned"] == 1  # only AC001 at PLT-SZ, whose line SZ-FA1 has made it
    assert any("MRP planned PH001-256#9" in u and "no production line at PLT-CD has made PH001-256" in u
               for u in info["unscheduled"]), info["unscheduled"]
    assert any("MRP planned PH001-256#10" in u and "no plant has made PH001-256" in u for u in info["unscheduled"])
    jobs = info["batches"][info["batches"]["order"].str.startswith("PLN-")]
    assert set(jobs["item"]) == {"AC001"} and jobs["source"].iloc[0] == "MRP planned AC001#9, pegged to FC:AC001:W2"
    assert {j.name for j in model.jobs} >= set(jobs["job"])
