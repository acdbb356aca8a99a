"""MRP on a three-level phone BOM: explosion, netting, lead-time offsetting, pegging, past due.

The expected numbers are worked by hand (8 periods, lot-for-lot):

* PHONE (lead 1, on hand 20): demand SO-1 100 in period 6, SO-2 50 in period 8 -> net 80 and
  50, released in periods 5 and 7.
* BOARD (lead 2, open order WO-9 of 30 in period 3): gross 80 (p5) and 50 (p7) -> net 50 and
  50, released in periods 3 and 5.
* SCREEN (lead 1, on hand 100, allocated 40, safety stock 10): 60 free, keep 10 -> net 30 (p5)
  and 50 (p7), released in periods 4 and 6.
* SOC (lead 2, on hand 10) under BOARD: gross 50 (p3) and 50 (p5) -> net 40 and 50, released in
  periods 1 and 3.
* CAP (lead 1, on hand 1000), 2 per PHONE and 10 per BOARD, so its low-level code is 2:
  gross 500 (p3), 160 + 500 (p5), 100 (p7) -> net 160 (p5) and 100 (p7), released in 4 and 6.
"""

from __future__ import annotations

import pytest

from supplypilot.plan.mrp import MrpModel, MrpResult
from supplypilot.plan.result import SolveStatus


def phone_model() -> MrpModel:
    m = MrpModel(horizon=8)
    m.add_item("PHONE", lead_time=1, on_hand=20, unit_cost=100, setup_cost=50, holding_cost=1)
    m.add_item("BOARD", lead_time=2, unit_cost=40)
    m.add_item("SCREEN", lead_time=1, on_hand=100, allocated=40, safety_stock=10, unit_cost=20)
    m.add_item("SOC", lead_time=2, on_hand=10, unit_cost=15)
    m.add_item("CAP", lead_time=1, on_hand=1000, unit_cost=0.01)
    m.add_bom_line("PHONE", "BOARD", 1)
    m.add_bom_line("PHONE", "SCREEN", 1)
    m.add_bom_line("PHONE", "CAP", 2)
    m.add_bom_line("BOARD", "SOC", 1)
    m.add_bom_line("BOARD", "CAP", 10)
    m.add_demand("PHONE", 6, 100, ref="SO-1")
    m.add_demand("PHONE", 8, 50, ref="SO-2")
    m.add_scheduled_receipt("BOARD", 3, 30, ref="WO-9")
    return m


@pytest.fixture(scope="module")
def phone() -> MrpResult:
    return phone_model().solve()


def _orders(result: MrpResult, item: str) -> list[tuple[int, int, float]]:
    po = result.planned_orders[result.planned_orders["item"] == item]
    return list(zip(po["release"], po["due"], po["qty"]))


def test_bom_explosion_gives_hand_computed_gross_requirements(phone: MrpResult) -> None:
    """Gross requirements of every level match the hand explosion (CAP gathers two parents)."""
    gross = phone.records.pivot(index="item", columns="period", values="gross")
    assert gross.loc["BOARD"].tolist() == [0, 0, 0, 0, 80, 0, 50, 0]
    assert gross.loc["SOC"].tolist() == [0, 0, 50, 0, 50, 0, 0, 0]
    assert gross.loc["CAP"].tolist() == [0, 0, 500, 0, 660, 0, 100, 0]


def test_netting_uses_on_hand_allocated_safety_stock_and_open_orders(phone: MrpResult) -> None:
    """Net requirements subtract free stock and open orders and add back safety stock."""
    net = phone.records.pivot(index="item", columns="period", values="net")
    assert net.loc["PHONE"].tolist() == [0, 0, 0, 0, 0, 80, 0, 50]
    assert net.loc["BOARD"].tolist() == [0, 0, 0, 0, 50, 0, 50, 0]
    assert net.loc["SCREEN"].tolist() == [0, 0, 0, 0, 30, 0, 50, 0]
    assert net.loc["CAP"].tolist() == [0, 0, 0, 0, 160, 0, 100, 0]


def test_safety_stock_is_kept_in_projected_on_hand(phone: MrpResult) -> None:
    """SCREEN's projected stock never drops below its safety stock of 10."""
    poh = phone.record("SCREEN").loc["projected_on_hand"].tolist()
    assert poh == [60, 60, 60, 60, 10, 10, 10, 10]


def test_lead_time_offsets_releases_from_due_dates(phone: MrpResult) -> None:
    """Each planned order is released its item's lead time before it is due."""
    assert _orders(phone, "PHONE") == [(5, 6, 80.0), (7, 8, 50.0)]
    assert _orders(phone, "BOARD") == [(3, 5, 50.0), (5, 7, 50.0)]
    assert _orders(phone, "SCREEN") == [(4, 5, 30.0), (6, 7, 50.0)]
    assert _orders(phone, "SOC") == [(1, 3, 40.0), (3, 5, 50.0)]
    assert _orders(phone, "CAP") == [(4, 5, 160.0), (6, 7, 100.0)]


def test_make_or_buy_is_inferred_from_the_bom(phone: MrpResult) -> None:
    """Items with components are made; leaf items are bought."""
    kinds = dict(zip(phone.planned_orders["item"], phone.planned_orders["kind"]))
    assert kinds == {"PHONE": "make", "BOARD": "make", "SCREEN": "buy", "SOC": "buy", "CAP": "buy"}


def test_pegging_traces_component_orders_to_sales_orders(phone: MrpResult) -> None:
    """First-in first-out pegging ties SOC and CAP orders to the sales order they end up in."""
    peg = dict(zip(phone.planned_orders["order"], phone.planned_orders["pegging"]))
    assert peg["PHONE#1"] == ("SO-1",)
    assert peg["BOARD#1"] == ("SO-1",)
    assert peg["SOC#1"] == ("SO-1",)
    assert peg["SOC#2"] == ("SO-2",)
    assert peg["CAP#1"] == ("SO-2",)  # on-hand CAP covers BOARD#1 and PHONE#1 first


def test_pegging_table_gives_quantities_per_reference(phone: MrpResult) -> None:
    """SO-1 (100 phones) is served by 20 phones on hand and 80 from PHONE#1."""
    rows = phone.pegging[(phone.pegging["item"] == "PHONE") & (phone.pegging["ref"] == "SO-1")]
    assert dict(zip(rows["supply"], rows["qty"])) == {"PHONE@on-hand": 20.0, "PHONE#1": 80.0}


def test_kpis_add_up_and_service_is_full(phone: MrpResult) -> None:
    """Cost KPIs sum to the total and every demand is available on time."""
    k = phone.kpis
    parts = k["setup_cost"] + k["holding_cost"] + k["purchase_cost"]
    assert k["total_cost"] == pytest.approx(parts)
    assert k["setup_cost"] == pytest.approx(100.0)  # two PHONE orders at 50
    assert k["service_level"] == pytest.approx(1.0)
    assert phone.status == SolveStatus.FEASIBLE  # level-by-level logic is not a global minimum
    assert phone.objective == pytest.approx(k["total_cost"])


def test_summary_lists_status_and_kpis(phone: MrpResult) -> None:
    """The summary block shows the status, the total cost and the service level."""
    text = phone.summary()
    assert "status     feasible" in text
    assert "service           100.0% of demand on time" in text
    assert "PHONE#1" in str(phone)


def test_scrap_raises_component_requirement() -> None:
    """With 20 % scrap, 2 per unit on 40 units asks for 100 components."""
    m = MrpModel(horizon=3)
    m.add_item("A", 1)
    m.add_item("B", 1)
    m.add_bom_line("A", "B", 2, scrap=0.2)
    m.add_demand("A", 3, 40)
    r = m.solve()
    assert r.record("B").loc["gross"].tolist() == [0, 100, 0]


def test_past_due_requirement_is_reported_not_hidden() -> None:
    """A need inside the lead time is flagged with the item, shortage and earliest receipt."""
    m = MrpModel(horizon=6)
    m.add_item("SOC-7", lead_time=4)
    m.add_demand("SOC-7", 2, 30, ref="SO-9")
    r = m.solve()
    msg = ("past-due requirement for SOC-7: lead time 4 exceeds horizon start (short 30 in periods "
           "2-4; the earliest receipt is period 5); expedite or re-plan")
    assert msg in r.binding
    assert r.exceptions.loc[0, "kind"] == "past-due"
    assert r.record("SOC-7").loc["projected_on_hand"].tolist() == [0, -30, -30, -30, 0, 0]
    assert _orders(r, "SOC-7") == [(1, 5, 30.0)]
    status = r.demand_status.set_index("ref").loc["SO-9"]
    assert (status["on_time"], status["available_period"]) == (False, 5.0)
    assert r.kpis["service_level"] == 0.0


def test_late_component_makes_parent_demand_late() -> None:
    """A component that cannot arrive in time delays the end item's demand it is pegged to."""
    m = MrpModel(horizon=6)
    m.add_item("PHONE", lead_time=1)
    m.add_item("SOC-7", lead_time=4)
    m.add_bom_line("PHONE", "SOC-7", 1)
    m.add_demand("PHONE", 3, 10, ref="SO-1")
    m.add_demand("PHONE", 6, 10, ref="SO-2")
    r = m.solve()
    status = r.demand_status.set_index("ref")
    assert status.loc["SO-1", "on_time"] == False  # noqa: E712  (numpy bool)
    assert status.loc["SO-1", "available_period"] == 6.0  # SOC arrives in 5, PHONE takes 1 more
    assert status.loc["SO-2", "on_time"] == True  # noqa: E712
    assert r.kpis["service_level"] == pytest.approx(0.5)


def test_scheduled_receipt_covering_an_early_shortage_avoids_catch_up_order() -> None:
    """An open order arriving later still covers an early shortage, so no extra order is planned."""
    m = MrpModel(horizon=5)
    m.add_item("SOC", lead_time=3)
    m.add_demand("SOC", 1, 20, ref="SO-1")
    m.add_scheduled_receipt("SOC", 2, 20, ref="PO-1")
    r = m.solve()
    assert r.planned_orders.empty
    assert any("past-due requirement for SOC" in b for b in r.binding)
