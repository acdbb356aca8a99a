"""Benchmark readers: CVRPLIB X and Solomon files give models whose conventions match the BKS."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyvrp
import pytest

from supplypilot.config import data_dir
from supplypilot.errors import InputError
from supplypilot.plan.routing import (
    read_bks,
    read_solomon,
    read_vrplib,
    read_vrplib_solution,
    routes_distance,
)

OPT = data_dir() / "optimization"
X101 = OPT / "cvrp" / "X" / "X-n101-k25"
C101 = OPT / "vrptw" / "solomon" / "C101.txt"
BKS_CSV = OPT / "cvrplib_bks_2024-12-06.csv"

pytestmark = pytest.mark.skipif(not X101.with_suffix(".vrp").is_file(),
                                reason=f"shared benchmark data not found under {OPT}")


def test_x_instance_matrix_equals_pyvrp_read_with_round() -> None:
    """Our model of X-n101-k25 has exactly the matrix ``pyvrp.read(round_func='round')`` builds."""
    model = read_vrplib(X101.with_suffix(".vrp"))
    reference = pyvrp.read(X101.with_suffix(".vrp"), round_func="round")
    assert np.array_equal(model.data().distance_matrix(0), reference.distance_matrix(0))
    assert len(model.stops) == 100
    assert model.vehicle_types[0].capacity == 206


def test_x_solution_routes_cost_exactly_the_bks_under_the_round_convention() -> None:
    """The .sol routes of X-n101-k25 re-computed with our matrix cost its Cost line, 27591."""
    model = read_vrplib(X101.with_suffix(".vrp"))
    sol = read_vrplib_solution(X101.with_suffix(".sol"))
    assert sol.cost == 27591.0
    assert routes_distance(model, sol.routes) == 27591.0
    assert sorted(int(s) for r in sol.routes for s in r) == list(range(1, 101))


def test_solomon_reader_keeps_fleet_time_windows_and_service_times() -> None:
    """C101: 25 vehicles of 200, depot open 0–1236, customer 1 open 912–967 with 90 min service."""
    model = read_solomon(C101)
    vt = model.vehicle_types[0]
    assert (vt.count, vt.capacity) == (25, 200)
    depot = model.depots[0]
    assert (depot.tw_early, depot.tw_late) == (0.0, 1236.0)
    first = model.place("1")
    assert (first.demand, first.tw_early, first.tw_late, first.service_time) == (10, 912.0, 967.0,
                                                                                  90.0)


def test_solomon_dimacs_truncates_distance_and_travel_time_to_one_decimal() -> None:
    """Depot (40, 50) to customer 1 (45, 68) is 18.681…, kept as 18.6 km and 18.6 min."""
    model = read_solomon(C101)
    assert model.distance("depot", "1") == 18.6
    assert model.travel_time("depot", "1") == 18.6


def test_bks_table_lists_solomon_distance_only_values() -> None:
    """The CVRPLIB table gives C101 = 827.3 and R101 = 1637.7 (distance-only convention)."""
    bks = read_bks(BKS_CSV)
    assert (bks["C101"], bks["R101"], bks["X-n101-k25"]) == (827.3, 1637.7, 27591.0)


def test_missing_instance_file_is_an_input_error(tmp_path: Path) -> None:
    """A wrong path is reported with the path, not as a parser traceback."""
    with pytest.raises(InputError, match="No instance file at"):
        read_vrplib(tmp_path / "nope.vrp")
