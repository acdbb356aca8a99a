"""Deterministic lot sizing: EOQ family, Wagner-Whitin, joint replenishment."""

from __future__ import annotations

import math

import pytest

from supplypilot.errors import InputError
from supplypilot.plan.inventory import (
    eoq,
    eoq_all_units_discount,
    eoq_with_backorders,
    epq,
    joint_replenishment,
    wagner_whitin,
)


def test_eoq_balances_ordering_and_holding_cost() -> None:
    """At the EOQ the ordering cost per unit time equals the holding cost (Example 3.1)."""
    pol = eoq(8, 0.225, 1300)
    assert pol["order_quantity"] == pytest.approx(304.0467800264368, rel=1e-12)
    assert pol.details["ordering_cost"] == pytest.approx(pol.details["holding_cost"], rel=1e-12)


def test_eoq_prices_a_given_lot_size() -> None:
    """A fixed lot of 250 in Example 3.1 costs 69.725 per year (stockpyl test value)."""
    assert eoq(8, 0.225, 1300, order_quantity=250).expected_cost == pytest.approx(69.725)


def test_eoq_refuses_negative_fixed_cost() -> None:
    """A negative ordering cost is refused before solving, naming the parameter."""
    with pytest.raises(InputError, match=r"'fixed_cost' parameter of eoq must be a float in "
                                         r"\[0, inf\)\. Got -8 instead\."):
        eoq(-8, 0.225, 1300)


def test_eoq_with_backorders_runs_short_for_fraction_h_over_h_plus_p() -> None:
    """Planned backorders cover h/(h+p) of each cycle (Problem 3.2(b): 0.4003)."""
    pol = eoq_with_backorders(40, 40.05, 60, 2080)
    assert pol["backorder_fraction"] == pytest.approx(40.05 / 100.05)
    assert pol.expected_cost == pytest.approx(1999.148244415212, rel=1e-12)


def test_epq_with_huge_production_rate_tends_to_eoq() -> None:
    """With production far faster than demand the EPQ equals the EOQ."""
    assert epq(8, 0.225, 1300, 1e15)["order_quantity"] == pytest.approx(
        eoq(8, 0.225, 1300)["order_quantity"], rel=1e-9)


def test_epq_refuses_production_slower_than_demand() -> None:
    """Production below the demand rate cannot keep up and is refused."""
    with pytest.raises(InputError, match="production_rate"):
        epq(8, 0.225, 1300, 1000)


def test_all_units_discount_picks_the_cheapest_region() -> None:
    """The docstring instance of stockpyl orders 500 at the price of region 2 for 472,900."""
    pol = eoq_all_units_discount(200, 0.2, 1000, [0, 200, 500], [500, 475, 450])
    assert (pol["order_quantity"], pol["region"]) == (500.0, 2)
    assert pol.expected_cost == pytest.approx(472900.0)


def test_all_units_discount_refuses_unsorted_breakpoints() -> None:
    """Breakpoints must start at zero and increase."""
    with pytest.raises(InputError, match="breakpoints"):
        eoq_all_units_discount(8, 0.3, 1300, [0, 800, 400], [0.75, 0.72, 0.68])


def test_wagner_whitin_orders_in_periods_one_and_three() -> None:
    """Example 3.9 orders 210 in period 1 and 150 in period 3 for a total of 1,380."""
    pol = wagner_whitin([90, 120, 80, 70], 500, 2)
    assert pol["order_quantities"] == [210.0, 0.0, 150.0, 0.0]
    assert pol.expected_cost == 1380.0


def test_wagner_whitin_does_not_order_for_zero_demand_periods() -> None:
    """Leading zero-demand periods need no order (stockpyl issue 177: cost 131)."""
    pol = wagner_whitin([0, 0, 0, 0, 0, 7], [110, 108, 110, 120, 125, 134], 1)
    assert pol["order_quantities"] == [0.0, 0.0, 7.0, 0.0, 0.0, 0.0]
    assert pol.expected_cost == 131.0


def test_joint_replenishment_shares_the_major_setup() -> None:
    """Silver's heuristic on the SCMO example orders items every 1, 3 and 1 base cycles."""
    pol = joint_replenishment(600, [120, 840, 300], [160, 20, 50], [1, 1, 1])
    assert pol["order_multiples"] == [1, 3, 1]
    assert pol["base_cycle_time"] == pytest.approx(math.sqrt(2600 / 270))
