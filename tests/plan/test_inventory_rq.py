"""Continuous-review (r, Q) policies: exact optimum and textbook approximations."""

from __future__ import annotations

import pytest

from supplypilot.errors import InputError
from supplypilot.plan.inventory import rq_cost, rq_cost_poisson, rq_policy

EX_5_1 = (0.225, 7.5, 8, 1300, 150, 1 / 12)


def test_exact_cost_matches_stockpyl_evaluation() -> None:
    """The exact cost of (r, Q) = (126.8, 328.5) in Example 5.1 is 78.0712."""
    assert rq_cost(126.8, 328.5, *EX_5_1) == pytest.approx(78.071162509282942, rel=1e-12)


def test_exact_optimum_is_no_worse_than_any_approximation() -> None:
    """The exact (r, Q) costs no more than EIL, EOQB and EOQ + safety stock."""
    exact = rq_policy(*EX_5_1).expected_cost
    for method in ("eil", "eoqb", "eoqss"):
        assert exact <= rq_policy(*EX_5_1, method=method).expected_cost


def test_exact_optimum_agrees_with_loss_function_solution() -> None:
    """When n2(r + Q) is negligible the exact optimum is the loss-function one (126.867)."""
    pol = rq_policy(*EX_5_1)
    assert pol["reorder_point"] == pytest.approx(126.8670642878315, abs=5e-6)
    assert pol["order_quantity"] == pytest.approx(328.4491413581765, abs=5e-6)


def test_eoq_plus_safety_stock_uses_the_eoq() -> None:
    """The EOQ + SS approximation orders exactly the EOQ, 304.05."""
    assert rq_policy(*EX_5_1, method="eoqss")["order_quantity"] == pytest.approx(
        304.0467800264368, rel=1e-12)


def test_exact_optimum_fills_the_critical_ratio_of_demand() -> None:
    """At the exact optimum the best r for Q makes the fill rate exactly p / (p + h)."""
    assert rq_policy(*EX_5_1).fill_rate == pytest.approx(7.5 / 7.725, rel=1e-9)


def test_poisson_rq_is_exact() -> None:
    """Example 5.8 (Poisson) reorders at 3 with lots of 5 for 107.9236."""
    pol = rq_policy(20, 150, 100, 1.5, lead_time=2, distribution="poisson")
    assert (pol["reorder_point"], pol["order_quantity"]) == (3.0, 5.0)
    assert pol.expected_cost == pytest.approx(rq_cost_poisson(3, 5, 20, 150, 100, 1.5, 2))


def test_unknown_method_is_refused() -> None:
    """An unknown method name is refused with the list of choices."""
    with pytest.raises(InputError, match="must be a str among"):
        rq_policy(*EX_5_1, method="guess")
