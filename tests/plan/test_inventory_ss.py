"""Periodic review with fixed order cost: exact (s, S), power approximation, finite horizon."""

from __future__ import annotations

import pytest

from supplypilot.errors import InputError
from supplypilot.plan.inventory import finite_horizon, ss_cost, ss_policy

# Zheng & Federgruen (1991), Table 1 (h = 1, p = 9, K = 64, Poisson demand),
# as asserted in stockpyl's tests/test_ss.py
ZF_TABLE = [(10, 6, 40, 35.022), (15, 10, 49, 42.698), (20, 14, 62, 49.173),
            (25, 19, 56, 54.262), (30, 23, 66, 57.819), (35, 28, 77, 61.215),
            (40, 33, 87, 64.512), (45, 37, 97, 67.776), (50, 42, 108, 70.975),
            (55, 47, 118, 74.149), (60, 52, 129, 77.306), (65, 56, 75, 78.518),
            (70, 62, 81, 79.037), (75, 67, 86, 79.554), (21, 15, 65, 50.406),
            (22, 16, 68, 51.632), (23, 17, 52, 52.757), (24, 18, 54, 53.518),
            (51, 43, 110, 71.611), (52, 44, 112, 72.246), (59, 51, 126, 76.679),
            (61, 52, 131, 77.929), (63, 54, 73, 78.287), (64, 55, 74, 78.402)]


@pytest.mark.parametrize(("mean", "s", "big_s", "cost"), ZF_TABLE[::4])
def test_zheng_federgruen_reproduces_their_table(mean: int, s: int, big_s: int,
                                                 cost: float) -> None:
    """Every sixth row of Zheng & Federgruen's table: same (s, S) and cost to 3 decimals."""
    pol = ss_policy(1, 9, 64, mean)
    assert (pol["s"], pol["S"]) == (s, big_s)
    assert pol.expected_cost == pytest.approx(cost, abs=5e-4)


def test_ss_cost_of_a_suboptimal_pair_is_higher() -> None:
    """(6, 18) in Example 4.7 costs 10.1938, above the optimum 8.0341."""
    assert ss_cost(6, 18, 1, 4, 5, 6) == pytest.approx(10.193798671644046, rel=1e-12)


def test_ss_service_levels_come_from_the_stationary_position() -> None:
    """The (4, 10) policy of Example 4.7 avoids a stockout in 84.6% of periods."""
    pol = ss_policy(1, 4, 5, 6)
    assert pol.service_level == pytest.approx(0.84641, abs=1e-5)
    assert 0.9 < pol.fill_rate < 1.0


def test_exact_normal_ss_beats_the_power_approximation() -> None:
    """On Example 4.8 the exact lattice (s, S) costs less than the power approximation's pair."""
    exact = ss_policy(0.18, 0.7, 2.5, 50, 8, distribution="normal")
    power = ss_policy(0.18, 0.7, 2.5, 50, 8, distribution="normal", method="power")
    priced = ss_cost(power["s"], power["S"], 0.18, 0.7, 2.5, 50, 8, distribution="normal",
                     step=0.4)
    assert exact.expected_cost < priced


def test_power_approximation_matches_example_4_8() -> None:
    """Ehrhardt-Mosier on Example 4.8 gives s = 40.195 and S = 74.290."""
    pol = ss_policy(0.18, 0.7, 2.5, 50, 8, distribution="normal", method="power")
    assert pol["s"] == pytest.approx(40.194616956474071, rel=1e-12)
    assert pol["S"] == pytest.approx(74.290170109805786, rel=1e-12)


def test_ss_refuses_fractional_lead_time() -> None:
    """The periodic (s, S) model needs a whole number of periods of lead time."""
    with pytest.raises(InputError, match="'lead_time' parameter of ss_policy must be an int"):
        ss_policy(1, 4, 5, 6, lead_time=1.5)


def test_finite_horizon_reproduces_stockpyl_documented_example() -> None:
    """stockpyl's finite_horizon_dp doc example: s = 110 (111 last), S = 133 (126 last), 1558.69."""
    pol = finite_horizon(5, 1, 20, 1, 20, 2, 50, 100, 20)
    assert pol["reorder_points"] == [110.0, 110.0, 110.0, 110.0, 111.0]
    assert pol["order_up_to_levels"] == [133.0, 133.0, 133.0, 133.0, 126.0]
    assert pol.expected_cost == pytest.approx(1558.6946467384012, rel=1e-12)


def test_finite_horizon_without_fixed_cost_is_base_stock() -> None:
    """With K = 0 (Problem 4.29) every period's s equals its S."""
    pol = finite_horizon(10, 1, 25, 1, 25, 1, 0, 18, 3, 0.98, 0)
    assert pol["reorder_points"] == pol["order_up_to_levels"]


def test_finite_horizon_refuses_discount_factor_above_one() -> None:
    """A discount factor of 1.5 is refused."""
    with pytest.raises(InputError, match="discount_factor"):
        finite_horizon(3, 1, 25, 1, 25, 1, 0, 18, 3, 1.5)


def test_finite_horizon_with_certain_demand_orders_exactly_that_demand() -> None:
    """With demand of exactly 5 every period, the optimal order-up-to level is 5 at zero cost."""
    pol = finite_horizon(3, 1, 10, 1, 10, 0, 0, demand_pmfs=[{5: 1.0}] * 3)
    assert pol["order_up_to_levels"] == [5.0, 5.0, 5.0]
    assert pol.expected_cost == 0.0
