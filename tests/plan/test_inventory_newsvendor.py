"""Newsvendor and base-stock levels for every way of describing demand."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from supplypilot.errors import InputError
from supplypilot.plan.inventory import base_stock, newsvendor, newsvendor_explicit


def test_normal_newsvendor_sits_at_the_critical_ratio() -> None:
    """Example 4.1: S* = 56.604 leaves a 0.7/0.88 chance of covering demand."""
    pol = newsvendor(0.18, 0.7, 50, 8)
    assert pol["base_stock_level"] == pytest.approx(56.603955927433887, rel=1e-12)
    assert pol.service_level == pytest.approx(0.7 / 0.88, rel=1e-12)


def test_newsvendor_prices_a_given_level() -> None:
    """Stocking 40 in Example 4.1 costs 7.3561 (stockpyl test value)."""
    assert newsvendor(0.18, 0.7, 50, 8, base_stock_level=40).expected_cost == pytest.approx(
        7.356131552870388, rel=1e-12)


def test_poisson_newsvendor_returns_an_integer_level() -> None:
    """Example 4.7 without fixed cost stocks 8 units at cost 3.5701."""
    pol = newsvendor(1, 4, distribution=stats.poisson(6))
    assert pol["base_stock_level"] == 8.0
    assert pol.expected_cost == pytest.approx(3.570106945770946, rel=1e-10)


def test_empirical_newsvendor_uses_the_sample_quantile() -> None:
    """With samples 0..9 and ratio 0.8 the level is the 8th smallest sample, 7."""
    pol = newsvendor(1, 4, samples=np.arange(10))
    assert pol["base_stock_level"] == 7.0
    assert pol.expected_cost == pytest.approx(4.0)


def test_lognormal_newsvendor_integrates_the_cost() -> None:
    """Problem 4.8(b) with lognormal demand stocks 295.63 at cost 29.4425."""
    pol = newsvendor(1, 0.1765, distribution=stats.lognorm(0.3, 0, np.exp(6)))
    assert pol["base_stock_level"] == pytest.approx(295.6266448071368, rel=1e-10)
    assert pol.expected_cost == pytest.approx(29.44254358213529, abs=5e-6)


def test_newsvendor_needs_exactly_one_demand_description() -> None:
    """Giving both a mean and a distribution is refused."""
    with pytest.raises(InputError, match="exactly one of"):
        newsvendor(1, 4, 6, 1, distribution=stats.poisson(6))


def test_newsvendor_refuses_pmf_not_summing_to_one() -> None:
    """A pmf whose probabilities add to 0.9 is refused."""
    with pytest.raises(InputError, match="must sum to 1"):
        newsvendor(1, 4, demand_pmf={1: 0.5, 2: 0.4})


def test_explicit_newsvendor_profit_is_margin_minus_cost() -> None:
    """Example 4.2: expected profit 33.0024 = 0.7 * 50 - 1.9976."""
    pol = newsvendor_explicit(1, 0.3, 0.12, 50, 8)
    assert pol.details["expected_profit"] == pytest.approx(33.002394806823354, rel=1e-12)


def test_periodic_base_stock_protects_lead_time_plus_one_period() -> None:
    """Example 4.4 (L = 4) covers 5 periods of demand: S = 264.77."""
    pol = base_stock(0.18, 0.7, 50, 8, lead_time=4)
    assert pol["base_stock_level"] == pytest.approx(264.7668943741548, rel=1e-12)
    assert pol["safety_stock"] == pytest.approx(264.7668943741548 - 250, rel=1e-9)


def test_continuous_base_stock_protects_the_lead_time_only() -> None:
    """Under continuous review a lead time of 1 period is a one-period newsvendor."""
    cont = base_stock(0.18, 0.7, 50, 8, lead_time=1, review="continuous")
    assert cont["base_stock_level"] == pytest.approx(newsvendor(0.18, 0.7, 50, 8)[
        "base_stock_level"], rel=1e-12)
