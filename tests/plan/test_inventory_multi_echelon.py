"""Multi-echelon planning: guaranteed service (GSM), Clark-Scarf serial systems, networks."""

from __future__ import annotations

import math

import pytest

from supplypilot.errors import InputError, UnknownEntityError
from supplypilot.plan.inventory import (
    GuaranteedServiceModel,
    label_tree,
    propagate_demand,
    rosling_reduction,
    serial_base_stock,
    serial_expected_cost,
)
from supplypilot.plan.result import SolveStatus


def _example_6_5() -> GuaranteedServiceModel:
    m = GuaranteedServiceModel()
    m.add_stage(1, 2, 1, external_inbound_service_time=1, demand_bound=1)
    m.add_stage(3, 1, 2, demand_bound=1)
    m.add_stage(2, 1, 3, demand_std=1, max_service_time=0, demand_bound=1)
    m.add_stage(4, 1, 3, demand_std=1, max_service_time=1, demand_bound=1)
    m.add_link(1, 3)
    m.add_link(3, 2)
    m.add_link(3, 4)
    return m


def test_gsm_tree_reaches_the_textbook_optimum() -> None:
    """Example 6.5 (a tree): cost 2 sqrt 2 + sqrt 6 + 3 with service times (0, 0, 0, 1)."""
    res = _example_6_5().solve()
    assert res.status is SolveStatus.OPTIMAL
    assert res.objective == pytest.approx(2 * math.sqrt(2) + math.sqrt(6) + 3, rel=1e-12)
    assert res.service_times == {1: 0, 3: 0, 2: 0, 4: 1}


def test_gsm_safety_stock_covers_the_net_replenishment_time() -> None:
    """Stage 3 of Example 6.5 holds z sigma sqrt(NRT) with pooled sigma sqrt 2."""
    res = _example_6_5().solve()
    nrt = res.net_replenishment_times[3]
    assert res.safety_stock[3] == pytest.approx(math.sqrt(2) * math.sqrt(nrt))


def test_gsm_net_demand_pools_downstream_variances() -> None:
    """The shared stage 3 of Example 6.5 sees sd sqrt(1 + 1)."""
    _, sd = _example_6_5().net_demand()
    assert sd[3] == pytest.approx(math.sqrt(2))


def test_gsm_refuses_links_to_unknown_stages() -> None:
    """Linking to a stage not added to this model names the stage."""
    m = GuaranteedServiceModel()
    m.add_stage("a", 1, 1.0)
    with pytest.raises(UnknownEntityError, match="'b'"):
        m.add_link("a", "b")


def test_gsm_refuses_a_cyclic_network() -> None:
    """Three stages linked in a cycle are not a tree and are refused."""
    m = GuaranteedServiceModel()
    for n in "abc":
        m.add_stage(n, 1, 1.0, demand_std=1.0)
    m.add_link("a", "b")
    m.add_link("b", "c")
    m.add_link("c", "a")
    with pytest.raises(InputError, match="not a tree"):
        m.solve()


def test_tree_labelling_gives_each_node_one_larger_neighbour() -> None:
    """Figure 6.12: the Graves-Willems labels match stockpyl's relabelling."""
    edges = [(1, 2), (1, 3), (3, 5), (4, 5), (5, 6), (5, 7)]
    labels = label_tree([1, 2, 3, 5, 4, 6, 7], edges)
    assert labels == {2: 1, 1: 2, 3: 3, 4: 4, 6: 5, 5: 6, 7: 7}


def test_serial_poisson_matches_shang_song() -> None:
    """Shang & Song (2003) row 1: echelon levels 8, 13, 18, 22 and cost 12.688."""
    res = serial_base_stock([0.25] * 4, [0.25] * 4, 9, 16, distribution="poisson")
    assert res.echelon_base_stock == [8.0, 13.0, 18.0, 22.0]
    assert res.objective == pytest.approx(12.688, abs=5e-4)


def test_serial_normal_reproduces_textbook_example_6_1() -> None:
    """Example 6.1: echelon levels (6.49, 12.02, 22.71) to within 0.01."""
    res = serial_base_stock([3, 2, 2], [1, 1, 2], 37.12, 5, 1, step=0.005)
    assert res.echelon_base_stock == pytest.approx([6.49, 12.02, 22.71], abs=0.01)


def test_serial_optimum_beats_stockpyl_grid_solution() -> None:
    """Priced exactly, stockpyl's grid optimum of Problem 6.16 costs more than ours."""
    args = ([5, 2], [8, 3], 24, 20, 4)
    ours = serial_base_stock(*args).objective
    theirs = serial_expected_cost([170.78615635393973, 233.84999028717206], *args)
    assert ours < theirs < 451.6549665069653


def test_serial_local_levels_are_echelon_differences() -> None:
    """Local base stock of stage j is its echelon level minus stage j-1's."""
    res = serial_base_stock([2, 2, 1, 1, 1], [0.5] * 5, 24, 64, distribution="poisson")
    assert res.local_base_stock == [41.0, 33.0, 35.0, 33.0, 32.0]


def test_serial_refuses_negative_echelon_holding_cost() -> None:
    """A stage cheaper to hold at than its supplier breaks Clark-Scarf and is refused."""
    with pytest.raises(InputError, match="echelon_holding_cost"):
        serial_base_stock([-0.5, 1.0], [1, 1], 10, 5, 1)


def test_rosling_reduction_sorts_by_forward_echelon_lead_time() -> None:
    """Rosling (1989) Figure 1: equivalent lead times 1, 1, 2, 2, 0, 1, 1."""
    red = rosling_reduction({1: 1, 2: 1, 3: 3, 4: 2, 5: 4, 6: 1, 7: 2},
                            {1: None, 2: 1, 3: 1, 4: 3, 5: 2, 6: 4, 7: 4})
    assert red.equivalent_lead_time == {1: 1, 2: 1, 3: 2, 4: 2, 5: 0, 6: 1, 7: 1}
    assert red.serial_order == [1, 2, 3, 4, 5, 6, 7]


def test_propagate_demand_adds_means_and_variances() -> None:
    """A warehouse with two stores of N(8, 8) sees N(16, 16)."""
    mean, sd = propagate_demand({"w": ["s1", "s2"], "s1": [], "s2": []},
                                {"s1": 8.0, "s2": 8.0}, {"s1": math.sqrt(8), "s2": math.sqrt(8)})
    assert mean["w"] == 16.0
    assert sd["w"] == pytest.approx(4.0)
