"""The MRP builder checks each value where it is added and refuses BOM cycles."""

from __future__ import annotations

import pytest

from supplypilot.errors import InputError, UnknownEntityError
from supplypilot.plan.lotsizing import WagnerWhitin
from supplypilot.plan.mrp import MrpData, MrpModel, solve_mrp


def test_add_item_refuses_negative_lead_time() -> None:
    """A negative lead time gets the standard message naming parameter and method."""
    m = MrpModel()
    with pytest.raises(InputError) as info:
        m.add_item("SOC-7", lead_time=-1)
    assert info.value.message == ("The 'lead_time' parameter of MrpModel.add_item must be an int "
                                  ">= 0. Got -1 instead.")
    assert info.value.where == "lead_time"


def test_add_item_refuses_duplicate_code() -> None:
    """Adding the same item code twice is refused."""
    m = MrpModel()
    m.add_item("SOC-7", 2)
    with pytest.raises(InputError, match="Item 'SOC-7' is already in this model"):
        m.add_item("SOC-7", 3)


def test_add_item_accepts_rule_names() -> None:
    """A rule's short name becomes the rule object on the item."""
    item = MrpModel().add_item("PH-1", 1, lot_sizing="wagner-whitin")
    assert item.lot_sizing == WagnerWhitin()


def test_add_bom_line_names_unknown_item() -> None:
    """An unknown child is named, with the call it came from and the fix."""
    m = MrpModel()
    m.add_item("PH-1", 1)
    with pytest.raises(UnknownEntityError) as info:
        m.add_bom_line("PH-1", "X-99", qty=1)
    assert str(info.value) == "Unknown item 'X-99' in add_bom_line: add it with add_item first."


def test_add_bom_line_refuses_cycle_and_names_it() -> None:
    """A line closing A -> B -> C -> A is refused and the message spells the cycle."""
    m = MrpModel()
    for code in ("A", "B", "C"):
        m.add_item(code, 1)
    m.add_bom_line("A", "B", 1)
    m.add_bom_line("B", "C", 1)
    with pytest.raises(InputError, match="BOM cycle A -> B -> C -> A: the line C -> A"):
        m.add_bom_line("C", "A", 1)
    assert len(m.data().bom) == 2  # the refused line was not kept


def test_self_referencing_bom_line_is_a_cycle() -> None:
    """An item listed as its own component is the shortest cycle."""
    m = MrpModel()
    m.add_item("A", 1)
    with pytest.raises(InputError, match="BOM cycle A -> A"):
        m.add_bom_line("A", "A", 1)


def test_solve_refuses_cycle_in_data_built_elsewhere() -> None:
    """Data assembled without the builder is checked for cycles before any planning."""
    m = MrpModel(horizon=3)
    m.add_item("A", 1)
    m.add_item("B", 1)
    m.add_bom_line("A", "B", 1)
    data = m.data()
    from supplypilot.plan.mrp import BomLine

    bad = MrpData(**{**data.__dict__, "bom": data.bom + (BomLine("B", "A", 1.0),)})
    with pytest.raises(InputError, match="BOM cycle"):
        solve_mrp(bad)


def test_scrap_must_be_below_one() -> None:
    """A scrap rate of 100% would need infinite components, so it is refused."""
    m = MrpModel()
    m.add_item("A", 1)
    m.add_item("B", 1)
    with pytest.raises(InputError, match="'scrap' parameter of MrpModel.add_bom_line"):
        m.add_bom_line("A", "B", 1, scrap=1.0)


def test_demand_after_horizon_is_refused() -> None:
    """A demand outside a fixed horizon is refused with the valid range."""
    m = MrpModel(horizon=4)
    m.add_item("A", 1)
    with pytest.raises(InputError, match=r"must be an int in \[1, 4\]\. Got 5 instead\."):
        m.add_demand("A", period=5, qty=10)


def test_horizon_defaults_to_latest_period_mentioned() -> None:
    """Without a horizon the model plans up to the latest demand or receipt."""
    m = MrpModel()
    m.add_item("A", 1)
    m.add_demand("A", 3, 5)
    m.add_scheduled_receipt("A", 6, 5, ref="PO-1")
    assert m.data().horizon == 6


def test_usage_names_unknown_resource() -> None:
    """Usage on a resource that was never added names it and how to add it."""
    m = MrpModel()
    m.add_item("A", 0)
    with pytest.raises(UnknownEntityError, match="Unknown resource 'LINE-9' in add_usage: add it "
                                                 "with add_resource first."):
        m.add_usage("A", "LINE-9", per_unit=1)


def test_capacity_sequence_must_match_horizon() -> None:
    """A capacity list must give one value per period of a fixed horizon."""
    m = MrpModel(horizon=3)
    with pytest.raises(InputError, match="must have one value per period"):
        m.add_resource("LINE-1", [100, 100])
