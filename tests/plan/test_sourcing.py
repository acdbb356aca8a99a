"""Supplier selection: price breaks, MOQ, capacity, lead time, split rules, reliability, budget,
and the explanation of an infeasible request."""

from __future__ import annotations

import pytest

from supplypilot.errors import InputError, UnknownEntityError
from supplypilot.plan.result import SolveStatus
from supplypilot.plan.sourcing import SourcingModel, SourcingResult


def _alloc(result: SourcingResult) -> dict[str, float]:
    return dict(zip(result.allocation["supplier"], result.allocation["qty"]))


def soc_model() -> SourcingModel:
    """1000 SOC-7 by day 14: A is cheapest in bulk but capped at 600, B dearer, C too slow."""
    m = SourcingModel()
    m.add_item("SOC-7", demand=1000, need_by=14)
    m.add_supplier("SUP-A", reliability=0.90)
    m.add_supplier("SUP-B", reliability=0.99)
    m.add_supplier("SUP-C")
    m.add_offer("SUP-A", "SOC-7", price_breaks=[(0, 10.0), (500, 9.0)], capacity=600)
    m.add_offer("SUP-B", "SOC-7", price_breaks=9.8)
    m.add_offer("SUP-C", "SOC-7", price_breaks=8.0, lead_time=20)
    return m


def test_cheapest_break_up_to_capacity_then_next_supplier() -> None:
    """A takes its capacity of 600 at the 9.00 break; B supplies the other 400 at 9.80."""
    r = soc_model().solve()
    assert r.status == SolveStatus.OPTIMAL
    assert _alloc(r) == {"SUP-A": 600.0, "SUP-B": 400.0}
    assert r.objective == pytest.approx(600 * 9.0 + 400 * 9.8)
    assert "capacity of SUP-A for SOC-7 (600) is used up" in r.binding


def test_offer_too_slow_for_need_date_is_excluded_with_reason() -> None:
    """The cheapest offer (C at 8.00) arrives after the need date, so it is listed as excluded."""
    r = soc_model().solve()
    assert "SUP-C" not in _alloc(r)
    assert r.excluded.to_dict("records") == [{
        "item": "SOC-7", "supplier": "SUP-C",
        "why": "SUP-C cannot deliver SOC-7 in time (lead time 20 > need by 14)"}]


def test_all_units_break_can_make_buying_more_cheaper() -> None:
    """450 at 10.00 (4,500) costs more than 500 at 8.00 (4,000), so 500 are bought."""
    m = SourcingModel()
    m.add_item("X", demand=450)
    m.add_supplier("A")
    m.add_offer("A", "X", price_breaks=[(0, 10.0), (500, 8.0)])
    r = m.solve()
    assert _alloc(r) == {"A": 500.0}
    assert r.objective == pytest.approx(4000.0)
    assert "raised to reach the 500 price break" in r.allocation.loc[0, "reason"]


def test_moq_above_need_moves_volume_to_the_supplier_without_one() -> None:
    """A's MOQ of 100 at 5.00 (500) loses to 50 from B at 6.00 (300)."""
    m = SourcingModel()
    m.add_item("X", demand=50)
    m.add_supplier("A")
    m.add_supplier("B")
    m.add_offer("A", "X", 5.0, moq=100)
    m.add_offer("B", "X", 6.0)
    assert _alloc(m.solve()) == {"B": 50.0}


def test_moq_is_bought_when_still_cheapest() -> None:
    """At 2.00 the MOQ of 100 (200) beats 50 at 6.00 (300), and the binding MOQ is named."""
    m = SourcingModel()
    m.add_item("X", demand=50)
    m.add_supplier("A")
    m.add_supplier("B")
    m.add_offer("A", "X", 2.0, moq=100)
    m.add_offer("B", "X", 6.0)
    r = m.solve()
    assert _alloc(r) == {"A": 100.0}
    assert "MOQ of A for X (100) sets the quantity" in r.binding


def test_max_share_and_min_suppliers_split_the_volume() -> None:
    """With at most 70 % per supplier and two suppliers required, A gets 700 and B 300."""
    m = SourcingModel()
    m.add_item("X", demand=1000, min_suppliers=2)
    m.add_supplier("A", max_share=0.7)
    m.add_supplier("B")
    m.add_offer("A", "X", 1.0)
    m.add_offer("B", "X", 2.0)
    r = m.solve()
    assert _alloc(r) == {"A": 700.0, "B": 300.0}
    assert "max share of A for X (70%) is reached" in r.binding


def test_min_suppliers_forces_a_second_source() -> None:
    """Two suppliers are required, so the dearer one gets at least one unit."""
    m = SourcingModel()
    m.add_item("X", demand=100, min_suppliers=2)
    m.add_supplier("A")
    m.add_supplier("B")
    m.add_offer("A", "X", 1.0)
    m.add_offer("B", "X", 2.0)
    r = m.solve()
    assert _alloc(r) == {"A": 99.0, "B": 1.0}
    assert "X uses exactly the minimum of 2 suppliers" in r.binding


def test_min_reliability_shifts_volume_to_reliable_supplier() -> None:
    """Average reliability >= 95 % with A at 90 % and B at 99 %: A may take 4/9 of 900."""
    m = SourcingModel()
    m.add_item("X", demand=900, min_reliability=0.95)
    m.add_supplier("A", reliability=0.90)
    m.add_supplier("B", reliability=0.99)
    m.add_offer("A", "X", 1.0)
    m.add_offer("B", "X", 2.0)
    r = m.solve()
    assert _alloc(r) == pytest.approx({"A": 400.0, "B": 500.0})


def test_shortfall_penalty_prices_unreliability() -> None:
    """A 20-per-unit shortfall penalty makes A (1 + 10 % x 20 = 3) dearer than B (2 + 0.2)."""
    m = SourcingModel()
    m.add_item("X", demand=100, shortfall_penalty=20.0)
    m.add_supplier("A", reliability=0.90)
    m.add_supplier("B", reliability=0.99)
    m.add_offer("A", "X", 1.0)
    m.add_offer("B", "X", 2.0)
    r = m.solve()
    assert _alloc(r) == {"B": 100.0}
    assert r.kpis["expected_shortfall"] == pytest.approx(1.0)
    assert r.objective == pytest.approx(200.0 + 20.0)


def test_budget_is_binding_when_fully_used() -> None:
    """A budget equal to the cheapest spend is reported as fully used."""
    m = soc_model()
    m.set_budget(600 * 9.0 + 400 * 9.8)
    r = m.solve()
    assert r.is_feasible()
    assert "budget 9,320.00 is fully used" in r.binding


def test_infeasible_request_names_an_irreducible_conflict() -> None:
    """Demand 1000 against A's 600, B's 300 and a too-slow C: exactly those four groups conflict."""
    m2 = SourcingModel()
    m2.add_item("SOC-7", demand=1000, need_by=14)
    for code in ("SUP-A", "SUP-B", "SUP-C"):
        m2.add_supplier(code)
    m2.add_offer("SUP-A", "SOC-7", [(0, 10.0), (500, 9.0)], capacity=600)
    m2.add_offer("SUP-B", "SOC-7", 9.8, capacity=300)
    m2.add_offer("SUP-C", "SOC-7", 8.0, lead_time=20)
    r = m2.solve()
    assert r.status == SolveStatus.INFEASIBLE
    assert r.conflicts == ["demand of SOC-7: 1000 units by 14",
                           "SUP-C cannot deliver SOC-7 in time (lead time 20 > need by 14)",
                           "capacity of SUP-A for SOC-7: 600",
                           "capacity of SUP-B for SOC-7: 300"]
    assert r.allocation.empty


def test_budget_conflict_is_named() -> None:
    """A budget below the cheapest feasible spend appears in the conflict with the demand."""
    m = soc_model()
    m.set_budget(5000)
    r = m.solve()
    assert r.status == SolveStatus.INFEASIBLE
    assert "budget 5,000.00" in r.conflicts
    assert "demand of SOC-7: 1000 units by 14" in r.conflicts


def test_integer_only_conflict_is_found_by_deletion_filter() -> None:
    """MOQ 100 above A's 30-unit share with two suppliers required: the three rules conflict."""
    m = SourcingModel()
    m.add_item("X", demand=50, min_suppliers=2)
    m.add_supplier("A")
    m.add_supplier("B")
    m.add_offer("A", "X", 5.0, moq=100, max_share=0.6)
    m.add_offer("B", "X", 6.0, capacity=100)
    r = m.solve()
    assert r.status == SolveStatus.INFEASIBLE
    assert r.conflicts == ["MOQ of A for X: 100", "A may take at most 60% of X (30 units)",
                           "X must be split over at least 2 suppliers"]


def test_offer_for_unknown_supplier_is_named() -> None:
    """An offer from a supplier never added names it and the fix."""
    m = SourcingModel()
    m.add_item("X", demand=5)
    with pytest.raises(UnknownEntityError, match="Unknown supplier 'SUP-Z' in add_offer: add it "
                                                 "with add_supplier first."):
        m.add_offer("SUP-Z", "X", 1.0)


def test_price_breaks_must_increase() -> None:
    """Breaks out of order are refused with the standard message."""
    m = SourcingModel()
    m.add_item("X", demand=5)
    m.add_supplier("A")
    with pytest.raises(InputError, match="'price_breaks' parameter of SourcingModel.add_offer"):
        m.add_offer("A", "X", [(100, 9.0), (0, 10.0)])


def test_reliability_must_be_a_fraction() -> None:
    """A reliability of 95 (percent by mistake) is refused."""
    with pytest.raises(InputError, match=r"'reliability' parameter of SourcingModel.add_supplier "
                                         r"must be a fraction in \[0, 1\]\. Got 95 instead\."):
        SourcingModel().add_supplier("A", reliability=95)
