"""Safety stock and reorder points from forecast errors and lead-time variability."""

from __future__ import annotations

import math

import numpy as np
import pytest

from supplypilot.errors import InputError
from supplypilot.plan.inventory import lead_time_demand_std, safety_stock


def test_lead_time_demand_std_combines_both_sources() -> None:
    """sigma_LTD = sqrt(L sigma_d^2 + d^2 sigma_L^2) = sqrt(4*400 + 10000) for d=100, L=4."""
    assert lead_time_demand_std(100, 20, 4, 1) == pytest.approx(math.sqrt(11600))


def test_cycle_service_level_sets_z_sigma_safety_stock() -> None:
    """A 95% cycle service level keeps 1.645 sigma_LTD of safety stock."""
    pol = safety_stock(100, 4, demand_std=20, service_level=0.95)
    assert pol["safety_stock"] == pytest.approx(1.6448536269514722 * 40, rel=1e-12)
    assert pol["reorder_point"] == pytest.approx(400 + 1.6448536269514722 * 40, rel=1e-12)


def test_fill_rate_target_uses_the_loss_function() -> None:
    """A 99% fill rate with Q = 500 leaves 5 units short per cycle: sigma L(z) = 5."""
    pol = safety_stock(100, 4, demand_std=20, fill_rate=0.99, order_quantity=500)
    assert pol["expected_backorders"] == pytest.approx(5.0, rel=1e-9)
    assert pol.fill_rate == pytest.approx(0.99, rel=1e-12)


def test_fill_rate_needs_a_lot_size() -> None:
    """Without an order quantity or review period a fill rate cannot be converted."""
    with pytest.raises(InputError, match="order_quantity"):
        safety_stock(100, 4, demand_std=20, fill_rate=0.99)


def test_service_level_of_one_is_refused() -> None:
    """A 100% service level needs infinite stock and is refused with the standard message."""
    with pytest.raises(InputError, match=r"'service_level' parameter of safety_stock must be a "
                                         r"float in \(0, 1\)\. Got 1\.0 instead\."):
        safety_stock(100, 4, demand_std=20, service_level=1.0)


def test_negative_demand_std_is_refused() -> None:
    """A negative forecast error spread is refused."""
    with pytest.raises(InputError, match="demand_std"):
        safety_stock(100, 4, demand_std=-1, service_level=0.9)


def test_residuals_use_the_empirical_quantile_of_lead_time_sums() -> None:
    """With 100 residuals and L = 1 the 90% buffer is the 90th smallest residual."""
    residuals = np.arange(1, 101, dtype=float) - 50.0
    pol = safety_stock(10, 1, residuals=residuals, service_level=0.9)
    assert pol["safety_stock"] == 40.0
    assert pol.service_level == pytest.approx(0.9)


def test_residual_bias_is_carried_into_the_buffer() -> None:
    """A forecast that is always 5 low needs 5 more units of stock per period of lead time."""
    rng = np.random.default_rng(7)
    unbiased = rng.normal(0.0, 3.0, 400)
    base = safety_stock(50, 2, residuals=unbiased, service_level=0.9)["safety_stock"]
    biased = safety_stock(50, 2, residuals=unbiased + 5.0, service_level=0.9)["safety_stock"]
    assert biased - base == pytest.approx(10.0, rel=1e-9)


def test_review_period_extends_the_protection_interval() -> None:
    """Under periodic review with R = 2 the buffer covers L + R = 6 periods."""
    pol = safety_stock(100, 4, demand_std=20, service_level=0.95, review_period=2)
    assert pol.kind == "order_up_to"
    assert pol["lead_time_demand_std"] == pytest.approx(20 * math.sqrt(6))
