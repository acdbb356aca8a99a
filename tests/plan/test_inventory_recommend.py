"""The friendly entry: recommend_policy and policies_table."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from supplypilot.errors import InputError
from supplypilot.plan.inventory import policies_table, recommend_policy, rq_cost, rq_policy

BASE = {"demand_mean": 100.0, "demand_std": 20.0, "lead_time_mean": 4.0, "holding_cost": 0.5,
        "ordering_cost": 50.0}


def test_continuous_review_with_service_level_is_eoq_plus_safety_stock() -> None:
    """Without a review period and with a 95% target: order the EOQ at r = mu_L + 1.645 sigma_L."""
    pol = recommend_policy(**BASE, service_level=0.95)
    assert pol.kind == "rQ"
    assert pol["order_quantity"] == pytest.approx(math.sqrt(2 * 50 * 100 / 0.5))
    assert pol["reorder_point"] == pytest.approx(400 + 1.6448536269514722 * 40, rel=1e-12)


def test_continuous_review_with_stockout_cost_is_the_exact_rq_optimum() -> None:
    """With a stockout cost the recommendation is the exact (r, Q) optimum."""
    pol = recommend_policy(**BASE, stockout_cost=10)
    ref = rq_policy(0.5, 10, 50, 100, 20, 4)
    assert pol["reorder_point"] == pytest.approx(ref["reorder_point"], rel=1e-9)
    assert pol.expected_cost == pytest.approx(ref.expected_cost, rel=1e-9)


def test_lead_time_variability_raises_the_reorder_point() -> None:
    """A lead-time spread of 1 period raises sigma_LTD from 40 to 107.7 and r accordingly."""
    calm = recommend_policy(**BASE, service_level=0.95)
    shaky = recommend_policy(**BASE, lead_time_std=1.0, service_level=0.95)
    assert shaky["safety_stock"] == pytest.approx(1.6448536269514722 * math.sqrt(11600))
    assert shaky["reorder_point"] > calm["reorder_point"]


def test_free_ordering_gives_a_base_stock_policy() -> None:
    """With no ordering cost the recommendation is one-for-one base stock."""
    pol = recommend_policy(100, 20, 4, holding_cost=0.5, stockout_cost=10)
    assert pol.kind == "base_stock"
    assert pol.service_level == pytest.approx(10 / 10.5, rel=1e-9)


def test_review_period_with_order_cost_gives_an_ss_policy() -> None:
    """A review period, an order cost and a stockout cost give an exact (s, S) policy."""
    pol = recommend_policy(**BASE, stockout_cost=10, review_period=2)
    assert pol.kind == "sS"
    assert pol["S"] > pol["s"] > 600


def test_review_period_with_service_target_gives_order_up_to() -> None:
    """A review period and a 95% target give an order-up-to level over L + R."""
    pol = recommend_policy(**BASE, service_level=0.95, review_period=2)
    assert pol.kind == "order_up_to"
    assert pol["order_up_to_level"] == pytest.approx(600 + 1.6448536269514722 * 20 * math.sqrt(6))


def test_fill_rate_target_is_met_exactly() -> None:
    """The recommended (r, Q) for a 99% fill rate achieves 99.0% in the exact formula."""
    pol = recommend_policy(**BASE, fill_rate=0.99)
    assert pol.fill_rate == pytest.approx(0.99, abs=1e-9)


def test_reason_names_the_numbers() -> None:
    """The reason sentence quotes the order quantity and reorder point."""
    pol = recommend_policy(**BASE, service_level=0.95)
    assert "141.4 units" in pol.reason and "465.8" in pol.reason


def test_service_level_above_one_is_refused_before_solving() -> None:
    """A service level of 1.2 is refused with the standard message."""
    with pytest.raises(InputError, match=r"'service_level' parameter of recommend_policy must be "
                                         r"a float in \(0, 1\)\. Got 1\.2 instead\."):
        recommend_policy(**BASE, service_level=1.2)


def test_two_targets_are_refused() -> None:
    """Giving both a stockout cost and a service level is ambiguous and refused."""
    with pytest.raises(InputError, match="exactly one of"):
        recommend_policy(**BASE, stockout_cost=10, service_level=0.9)


def test_negative_lead_time_is_refused() -> None:
    """A negative lead time is refused."""
    with pytest.raises(InputError, match="lead_time_mean"):
        recommend_policy(100, 20, -1, holding_cost=0.5, service_level=0.9)


def _frame() -> pd.DataFrame:
    return pd.DataFrame({
        "item": ["A", "A", "B", "C"], "location": ["DC1", "DC2", "DC1", "DC1"],
        "demand_mean": [100.0, 40.0, 7.0, 250.0], "demand_std": [20.0, 12.0, 3.0, 40.0],
        "lead_time_mean": [4.0, 2.0, 1.0, 3.0], "lead_time_std": [1.0, 0.0, 0.0, 0.5],
        "holding_cost": [0.5, 0.5, 2.0, 0.1], "ordering_cost": [50.0, 20.0, 0.0, 80.0],
        "stockout_cost": [None, 5.0, None, None], "service_level": [0.95, None, None, None],
        "fill_rate": [None, None, 0.98, 0.99], "review_period": [None, None, 1.0, None]})


def test_policies_table_matches_recommend_policy_row_by_row() -> None:
    """Every row of the table equals the single-row recommendation."""
    frame = _frame()
    table = policies_table(frame)
    for i, rec in frame.iterrows():
        kwargs = {k: (None if pd.isna(v) else v) for k, v in rec.items()
                  if k not in ("item", "location")}
        pol = recommend_policy(**kwargs)
        assert table.loc[i, "policy"] == pol.kind
        assert table.loc[i, "expected_cost"] == pytest.approx(pol.expected_cost, rel=1e-9)


def test_policies_table_keeps_ids_and_order() -> None:
    """The output keeps the item and location columns in the input order."""
    table = policies_table(_frame())
    assert list(table["item"]) == ["A", "A", "B", "C"]
    assert list(table.columns[:3]) == ["item", "location", "policy"]


def test_policies_table_reports_the_bad_row_and_column() -> None:
    """A service level of 1.5 on the second row is reported with its row and column."""
    frame = _frame()
    frame.loc[1, "stockout_cost"] = None
    frame.loc[1, "service_level"] = 1.5
    with pytest.raises(InputError, match=r"frame, row 1, column 'service_level'"):
        policies_table(frame)


def test_policies_table_needs_the_demand_columns() -> None:
    """A frame without demand_std is refused, naming the column."""
    with pytest.raises(InputError, match="demand_std"):
        policies_table(_frame().drop(columns=["demand_std"]))


def test_rq_cost_prices_the_table_policy() -> None:
    """The table's expected cost for an exact (r, Q) row is the exact (r, Q) cost."""
    table = policies_table(_frame())
    row = table.iloc[1]
    assert row["expected_cost"] == pytest.approx(
        rq_cost(row["reorder_point"], row["order_quantity"], 0.5, 5.0, 20.0, 40.0, 12.0, 2.0),
        rel=1e-9)
