"""Supply uncertainty: disruptions and random yield."""

from __future__ import annotations

import pytest
from scipy import stats

from supplypilot.errors import InputError
from supplypilot.plan.inventory import (
    eoq,
    eoq_with_disruptions,
    eoq_with_disruptions_cost,
    eoq_with_yield,
    newsvendor_with_disruptions,
    newsvendor_with_yield,
)


def test_eoqd_orders_more_than_the_eoq() -> None:
    """Example 9.1: disruptions raise the lot from the EOQ of 311 to 772.8."""
    pol = eoq_with_disruptions(8, 0.225, 5, 1300, 1.5, 14)
    assert pol["order_quantity"] == pytest.approx(772.8110631910017, abs=5e-5)
    assert pol["order_quantity"] > eoq(8, 0.225, 1300)["order_quantity"]


def test_eoqd_cost_without_disruptions_is_the_eoq_cost() -> None:
    """With a disruption rate of zero the EOQD cost is the EOQ cost."""
    assert eoq_with_disruptions_cost(400, 8, 0.225, 5, 1300, 0.0, 14) == pytest.approx(
        eoq(8, 0.225, 1300, order_quantity=400).expected_cost, rel=1e-12)


def test_disrupted_base_stock_is_a_multiple_of_demand() -> None:
    """Example 9.3 keeps 4 periods of demand (8,000) at cost 2,737.07."""
    pol = newsvendor_with_disruptions(0.25, 3, 2000, 0.04, 0.25)
    assert pol["base_stock_level"] == 8000.0
    assert pol.expected_cost == pytest.approx(2737.068965490435, abs=5e-5)


def test_additive_yield_eoq_matches_example_9_4() -> None:
    """Example 9.4 (additive yield, mean -15,000) orders 230,246."""
    pol = eoq_with_yield(18500, 0.06, 75000, -15000, 9000)
    assert pol["order_quantity"] == pytest.approx(230246.3704688188, rel=1e-12)


def test_multiplicative_yield_without_spread_scales_the_eoq() -> None:
    """With a certain yield of 80% one orders EOQ / 0.8."""
    pol = eoq_with_yield(8, 0.225, 1300, 0.8, 0.0, model="multiplicative")
    assert pol["order_quantity"] == pytest.approx(eoq(8, 0.225, 1300)["order_quantity"] / 0.8)


def test_newsvendor_with_yield_orders_above_demand_when_yield_runs_low() -> None:
    """Problem 9.5: yield U(-5, 0) and demand 25 give an order of 29.44."""
    pol = newsvendor_with_yield(150, 1200, 25, stats.uniform(-5, 5))
    assert pol["order_quantity"] == pytest.approx(25 + 5 - 5 / 9, rel=1e-12)


def test_recovery_probability_zero_is_refused() -> None:
    """A supplier that never recovers makes the model meaningless and is refused."""
    with pytest.raises(InputError, match="recovery_prob"):
        newsvendor_with_disruptions(0.25, 3, 2000, 0.04, 0.0)
