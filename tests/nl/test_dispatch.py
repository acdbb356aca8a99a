"""Dispatch instructions of a DC: what it ships and what it receives (transfers, inbound shipments,
purchase orders), when and how much, every number traced to the store or the plan."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

import supplypilot.nlp  # noqa: F401  (registers the copilot's tools)
from supplypilot.tools import REGISTRY, Context

from .conftest import TABLES

START = date(2026, 11, 1)  # the day after the last demand date of the sample


@pytest.fixture(scope="module")
def inbound_sample() -> Any:
    from supplypilot.data.sample import generate_electronics

    return generate_electronics("small", seed=7, years=0.5, tables=TABLES + ["shipments", "purchase_orders"])


@pytest.fixture(scope="module")
def inbound_store(inbound_sample: Any, tmp_path_factory: pytest.TempPathFactory) -> str:
    from supplypilot.data.ingest import import_frames
    from supplypilot.data.store import Store

    url = f"sqlite:///{tmp_path_factory.mktemp('nl_inbound') / 'store.db'}"
    st = Store(url)
    st.upgrade()
    import_frames(st, inbound_sample.tables, "sample")
    st.dispose()
    return url


@pytest.fixture
def fast_routes():
    """Route search of a fraction of a second per DC: the tests check the writing, not the routes."""
    tool = REGISTRY.get("plan_routes")
    original = tool.func

    def quick(req, ctx):
        return original(req.model_copy(update={"time_limit_s": 0.5}), ctx)

    object.__setattr__(tool, "func", quick)  # Tool is a frozen dataclass
    try:
        yield
    finally:
        object.__setattr__(tool, "func", original)


def _expected_receipts(sample: Any, dc: str, days: int) -> dict[tuple[str, str], float]:
    """What the store says is still to arrive at ``dc`` before the end of the window, per
    (reference, item): undelivered shipments and open purchase-order lines."""
    end = START + timedelta(days=days)
    sh, po = sample.tables["shipments"], sample.tables["purchase_orders"]
    out: dict[tuple[str, str], float] = {}
    s = sh[(sh.destination_code == dc) & sh.actual_arrival.isna() & ~sh.status.isin(["delivered", "cancelled"])]
    for r in s.itertuples():
        if r.eta.date() < end:
            out[(r.shipment_id, r.item_code)] = float(r.qty)
    p = po[(po.destination_code == dc) & po.status.isin(["open", "partial"])]
    for r in p.itertuples():
        left = float(r.qty) - float(r.received_qty or 0)
        if r.due_date.date() < end and left > 0:
            out[(r.po_number, r.item_code)] = left
    return out


def _receipts(res: Any, dc: str) -> dict[tuple[str, str], float]:
    ins = next(i for i in res.instructions if i.node == dc and i.role == "warehouse")
    return {(ln.note.split()[1].rstrip(","), ln.item): ln.qty for ln in ins.lines if ln.action == "receive"}


def test_a_dc_receives_its_open_purchase_orders_with_quantity_supplier_and_date(inbound_store, inbound_sample,
                                                                                fast_routes):
    """DC South's instructions list every open purchase-order line due in the window or overdue:
    what, from which supplier, when, and the quantity still to come; the texts are grounded."""
    res = REGISTRY.get("dispatch_instructions").run(
        {"node": "DC-SOUTH", "date": START.isoformat(), "days": 28, "use_last_cycle": False},
        Context(store_url=inbound_store))
    expected = _expected_receipts(inbound_sample, "DC-SOUTH", 28)
    assert expected, "the sample should have open purchase orders for DC South"
    assert _receipts(res, "DC-SOUTH") == expected
    wh = next(i for i in res.instructions if i.node == "DC-SOUTH" and i.role == "warehouse")
    assert wh.grounded, (wh.text_en, wh.text_zh)
    rec = [ln for ln in wh.lines if ln.action == "receive"]
    assert all(ln.counterpart and ln.counterpart.startswith("SUP-") and ln.unit == "pcs" and ln.qty > 0
               for ln in rec)
    assert any("overdue" in (ln.note or "") for ln in rec)  # partial deliveries past their due date
    assert "receive purchase order" in wh.text_en and "收货" in wh.text_zh and "采购单" in wh.text_zh
    assert any(ln.action == "ship" for ln in wh.lines)  # shipping lines stay


def test_a_dc_receives_transfers_in_transit_from_a_plant(inbound_store, inbound_sample, fast_routes):
    """A transfer from a plant still in transit to DC North is a receipt line, flagged overdue
    when its ETA has passed, with the shipment and the plant it comes from."""
    res = REGISTRY.get("dispatch_instructions").run(
        {"node": "DC-NORTH", "date": START.isoformat(), "days": 7, "use_last_cycle": False},
        Context(store_url=inbound_store))
    expected = _expected_receipts(inbound_sample, "DC-NORTH", 7)
    assert any(ref.startswith("SHP") for ref, _ in expected), "the sample should have a transfer to DC North"
    assert _receipts(res, "DC-NORTH") == expected
    wh = next(i for i in res.instructions if i.node == "DC-NORTH" and i.role == "warehouse")
    ship = [ln for ln in wh.lines if ln.action == "receive" and ln.note.startswith("shipment")]
    assert ship and all(ln.counterpart.startswith(("PLT-", "DC-", "SUP-")) for ln in ship)
    assert wh.grounded and "receive shipment" in wh.text_en and "运单" in wh.text_zh


def test_receipts_only_go_to_warehouses(inbound_store, fast_routes):
    """Carriers and plants get no receipt lines; the warehouse role lists the receipts of every DC."""
    ctx = Context(store_url=inbound_store)
    carriers = REGISTRY.get("dispatch_instructions").run(
        {"role": "carrier", "date": START.isoformat(), "days": 28, "use_last_cycle": False}, ctx)
    assert not any(ln.action == "receive" for i in carriers.instructions for ln in i.lines)
    whs = REGISTRY.get("dispatch_instructions").run(
        {"role": "warehouse", "date": START.isoformat(), "days": 28, "use_last_cycle": False}, ctx)
    receiving = {i.node for i in whs.instructions if any(ln.action == "receive" for ln in i.lines)}
    assert {"DC-SOUTH", "DC-NORTH"} <= receiving and all(i.role == "warehouse" for i in whs.instructions)
    assert all(i.grounded for i in whs.instructions)


def test_the_copilot_answer_with_receipts_is_grounded(inbound_store, fast_routes):
    """Asked in Chinese, the copilot shows DC South's receipts, every number traced."""
    from supplypilot.nlp import Copilot

    cp = Copilot(Context(store_url=inbound_store), tool_overrides={"dispatch_instructions": {"use_last_cycle": False}})
    ans = cp.ask("华南仓未来四周的收发货指令")
    assert ans.tool_calls and ans.tool_calls[0][0] == "dispatch_instructions"
    assert ans.grounded, ans.grounding
    assert "采购单" in ans.text
