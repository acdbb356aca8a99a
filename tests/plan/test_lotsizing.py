"""Lot-sizing rules against hand-computed answers, and the CLSP MILP on small and real instances."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from supplypilot.config import data_dir
from supplypilot.errors import InputError
from supplypilot.plan.lotsizing import (
    ClspInstance, EconomicOrderQuantity, FixedOrderQuantity, InstanceFormatWarning, LotForLot,
    PeriodOrderQuantity, WagnerWhitin, as_rule, economic_order_quantity, lot_cost, read_trigeiro,
    solve_clsp,
)
from supplypilot.plan.result import SolveStatus

TRIGEIRO = data_dir() / "optimization" / "lotsizing" / "trigeiro"

# A classic textbook instance (requirements 18, 30, 42, 5, 20; order cost 80; holding 2 per unit
# per period); the optimum, 310, is also checked by enumeration below.
WW_NET = [18, 30, 42, 5, 20]
WW_SETUP, WW_HOLD = 80.0, 2.0


def _brute_force_minimum(net: list[float], setup: float, hold: float) -> float:
    """Cheapest plan over every set of order periods (each order covers up to the next)."""
    best = np.inf
    for mask in itertools.product([0, 1], repeat=len(net) - 1):
        starts = [0] + [k + 1 for k, m in enumerate(mask) if m]
        lots = np.zeros(len(net))
        for a, b in zip(starts, starts[1:] + [len(net)]):
            lots[a] = sum(net[a:b])
        best = min(best, lot_cost(net, lots, setup, hold))
    return best


def test_lot_for_lot_orders_each_requirement() -> None:
    """Lot-for-lot returns the net requirements unchanged."""
    assert LotForLot().lots([0, 40, 0, 25]).tolist() == [0, 40, 0, 25]


def test_fixed_order_quantity_orders_multiples_when_short() -> None:
    """A fixed lot of 100 covers a 250 shortfall with two lots and carries the rest forward."""
    lots = FixedOrderQuantity(100).lots([30, 40, 50, 250, 0])
    assert lots.tolist() == [100, 0, 100, 200, 0]


def test_period_order_quantity_covers_given_periods() -> None:
    """POQ with two periods orders the next two periods' requirements together."""
    assert PeriodOrderQuantity(2).lots([50, 60, 70, 80, 40]).tolist() == [110, 0, 150, 0, 40]


def test_period_order_quantity_derives_interval_from_eoq() -> None:
    """Without a fixed interval POQ uses round(EOQ / mean demand): sqrt(24000) / 60 -> 3 periods."""
    rule = PeriodOrderQuantity()
    net = [50, 60, 70, 80, 40]
    assert rule.interval(net, setup_cost=100, holding_cost=0.5) == 3
    assert rule.lots(net, 100, 0.5).tolist() == [180, 0, 0, 120, 0]


def test_economic_order_quantity_formula() -> None:
    """EOQ is sqrt(2 D S / h): D = 100, S = 50, h = 1 gives 100."""
    assert economic_order_quantity(100, 50, 1) == pytest.approx(100.0)


def test_eoq_rule_orders_rounded_eoq_or_shortfall() -> None:
    """The EOQ rule orders ceil(sqrt(2 * 65 * 100 / 0.5)) = 162 whenever stock runs out."""
    lots = EconomicOrderQuantity().lots([50, 60, 70, 80], setup_cost=100, holding_cost=0.5)
    assert lots.tolist() == [162, 0, 162, 0]


def test_wagner_whitin_finds_textbook_optimum() -> None:
    """Wagner-Whitin reaches the known optimal cost 310 on the textbook instance."""
    lots = WagnerWhitin().lots(WW_NET, WW_SETUP, WW_HOLD)
    assert lot_cost(WW_NET, lots, WW_SETUP, WW_HOLD) == pytest.approx(310.0)
    assert _brute_force_minimum(WW_NET, WW_SETUP, WW_HOLD) == pytest.approx(310.0)


def test_wagner_whitin_matches_enumeration_on_random_series() -> None:
    """On random series Wagner-Whitin's cost equals the enumerated minimum."""
    rng = np.random.default_rng(7)
    for _ in range(20):
        net = rng.integers(0, 60, size=7).astype(float).tolist()
        lots = WagnerWhitin().lots(net, 90.0, 1.5)
        assert lot_cost(net, lots, 90.0, 1.5) == pytest.approx(_brute_force_minimum(net, 90.0, 1.5))


def test_rules_never_fall_behind_requirements() -> None:
    """Cumulative lots of every rule cover cumulative requirements in every period."""
    net = [0, 35, 0, 90, 10, 0, 55]
    rules = [LotForLot(), FixedOrderQuantity(40), PeriodOrderQuantity(3), EconomicOrderQuantity(),
             WagnerWhitin()]
    for rule in rules:
        lots = rule.lots(net, 60.0, 1.0)
        assert (np.cumsum(lots) >= np.cumsum(net) - 1e-9).all(), rule


def test_rule_names_resolve_and_unknown_name_is_refused() -> None:
    """Short names give rule objects; an unknown name is an InputError listing the choices."""
    assert isinstance(as_rule("wagner-whitin"), WagnerWhitin)
    with pytest.raises(InputError, match="'lot_sizing' parameter must be a lot-sizing rule"):
        as_rule("silver-meal")


def test_fixed_order_quantity_refuses_non_positive_quantity() -> None:
    """A lot of 0 would never cover anything, so it is refused with the standard message."""
    with pytest.raises(InputError, match=r"'quantity' parameter of FixedOrderQuantity must be a "
                                         r"number > 0\. Got 0 instead\."):
        FixedOrderQuantity(0)


def test_clsp_splits_lots_when_capacity_binds() -> None:
    """With 45 units per period after a setup, 70 units need two setups (cost 200, no holding)."""
    inst = ClspInstance(demand=[[0, 30, 40]], capacity=[[50, 50, 50]], usage=[[1]],
                        setup_time=[[5]], setup_cost=[100], holding_cost=[1])
    sol = solve_clsp(inst)
    assert sol.status == SolveStatus.OPTIMAL
    assert sol.objective == pytest.approx(200.0)
    assert sol.production[0].tolist() == pytest.approx([0, 30, 40])
    assert (sol.load <= inst.capacity + 1e-9).all()


def test_clsp_reports_infeasible_when_capacity_is_short() -> None:
    """Demand of 200 in the first period cannot fit a capacity of 100."""
    inst = ClspInstance(demand=[[200, 0]], capacity=[[100, 100]], usage=[[1]], setup_time=[[0]],
                        setup_cost=[10], holding_cost=[1])
    assert solve_clsp(inst).status == SolveStatus.INFEASIBLE


def test_read_trigeiro_parses_g53() -> None:
    """G53 has 12 items, 15 periods, capacity 1456 and item 1's costs from its first item line."""
    inst = read_trigeiro(TRIGEIRO / "G53.DAT")
    assert inst.shape == (12, 15)
    assert inst.capacity[0].tolist() == [1456.0] * 15
    assert (inst.usage[0, 0], inst.holding_cost[0], inst.setup_time[0, 0], inst.setup_cost[0]) == \
        (1.0, 3.0, 30.0, 600.0)
    assert inst.demand[:3, 0].tolist() == [0.0, 98.0, 106.0]


def test_read_trigeiro_warns_on_g73_malformed_row() -> None:
    """G73's ten-value row is cut to nine values with a warning naming the line."""
    with pytest.warns(InstanceFormatWarning, match="G73.DAT, line 58: 10 demand values"):
        inst = read_trigeiro(TRIGEIRO / "G73.DAT")
    assert inst.shape == (24, 30)
