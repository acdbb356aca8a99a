"""RoutingModel: building, validation, solving and the result a planner reads."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from supplypilot.errors import InputError, UnknownEntityError
from supplypilot.plan.result import SolveStatus
from supplypilot.plan.routing import RoutingModel, RoutingResult
from supplypilot.plan.stop import MaxIterations

ITERS = 300  # plenty for a handful of stops; iteration-based, so the plans are deterministic


def axis_model(capacity: int = 2, count: int = 4) -> RoutingModel:
    """Depot at the origin, two stops up the y axis and two along the x axis, demand 1 each."""
    m = RoutingModel()
    m.add_depot("D", x=0, y=0)
    for name, x, y in (("A", 0, 10), ("B", 0, 20), ("C", 10, 0), ("E", 20, 0)):
        m.add_stop(name, x=x, y=y, demand=1)
    m.add_vehicle_type("van", capacity=capacity, count=count)
    return m


# --------------------------------------------------------------------------- solving


def test_tiny_cvrp_finds_the_known_optimum() -> None:
    """Capacity 2 forces two routes; the optimum serves each axis on its own: 2 × 40 = 80."""
    result = axis_model().solve(stop=MaxIterations(ITERS))
    assert result.status is SolveStatus.FEASIBLE
    assert result.total_distance == 80.0
    assert result.objective == 80.0
    assert sorted(sorted(r.stops) for r in result.routes) == [["A", "B"], ["C", "E"]]


def test_routes_respect_vehicle_capacity() -> None:
    """No route carries more than its vehicle's capacity, and every unit is delivered."""
    m = RoutingModel()
    m.add_depot("D", x=0, y=0)
    for i in range(12):
        angle = 2 * math.pi * i / 12
        m.add_stop(f"S{i}", x=50 * math.cos(angle), y=50 * math.sin(angle), demand=3)
    m.add_vehicle_type("van", capacity=10, count=6)
    result = m.solve(stop=MaxIterations(ITERS))
    assert all(r.load <= 10 for r in result.routes)
    assert sum(r.load for r in result.routes) == 36
    assert len(result.routes) == 4  # 12 stops of 3 units, at most 3 stops per van
    assert result.unserved == []


def test_service_starts_inside_each_time_window() -> None:
    """Every visit starts service between its stop's tw_early and tw_late."""
    m = RoutingModel()
    m.add_depot("D", x=0, y=0, tw_early=0, tw_late=600)
    windows = {"A": (60, 90), "B": (0, 40), "C": (120, 200), "E": (30, 70), "F": (200, 260)}
    coords = {"A": (10, 10), "B": (-10, 5), "C": (20, -5), "E": (0, 15), "F": (-15, -15)}
    for name, (early, late) in windows.items():
        m.add_stop(name, x=coords[name][0], y=coords[name][1], demand=1, service_time=10,
                   tw_early=early, tw_late=late)
    m.add_vehicle_type("van", capacity=10, count=2)
    result = m.solve(stop=MaxIterations(ITERS))
    assert result.is_feasible()
    visits = [v for r in result.routes for v in r.visits]
    assert sorted(v.stop for v in visits) == sorted(windows)
    for v in visits:
        early, late = windows[v.stop]
        assert early <= v.service_start <= late
        assert v.late_by == 0.0


def test_time_windows_dictate_the_visit_order() -> None:
    """B closes at minute 30, so it comes before the nearer A that only opens at minute 100."""
    m = RoutingModel()
    m.add_depot("D", x=0, y=0)
    m.add_stop("A", x=10, y=0, demand=1, tw_early=100, tw_late=120)
    m.add_stop("B", x=20, y=0, demand=1, tw_early=0, tw_late=30)
    m.add_vehicle_type("van", capacity=5, count=1)
    route = m.solve(stop=MaxIterations(ITERS)).routes[0]
    assert route.stops == ["B", "A"]
    b, a = route.visits
    assert b.service_start <= 30
    assert a.service_start == 100.0
    assert a.arrival == pytest.approx(b.departure + 10)  # 10 units at 60 units/h = 10 min
    assert a.wait == pytest.approx(100.0 - a.arrival)


def test_heterogeneous_fleet_uses_the_cheaper_vehicle_when_it_can() -> None:
    """A van (fixed 10) carries the 8 units, so the truck (fixed 100) stays at the depot."""
    m = RoutingModel()
    m.add_depot("D", x=0, y=0)
    m.add_stop("A", x=5, y=5, demand=4)
    m.add_stop("B", x=6, y=4, demand=4)
    m.add_vehicle_type("truck", capacity=40, fixed_cost=100)
    m.add_vehicle_type("van", capacity=10, fixed_cost=10)
    result = m.solve(stop=MaxIterations(ITERS))
    assert [r.vehicle_type for r in result.routes] == ["van"]
    assert result.fixed_cost == 10.0


def test_heterogeneous_fleet_sends_the_truck_for_a_load_too_big_for_the_van() -> None:
    """Only the truck fits the 30-unit stop; it also takes the small one (140 < 100 + 20 + 30)."""
    m = RoutingModel()
    m.add_depot("D", x=0, y=0)
    m.add_stop("Big", x=10, y=0, demand=30)
    m.add_stop("Small", x=-10, y=0, demand=2)
    m.add_vehicle_type("truck", capacity=40, fixed_cost=100)
    m.add_vehicle_type("van", capacity=10, fixed_cost=10)
    result = m.solve(stop=MaxIterations(ITERS))
    plan = [(r.vehicle_type, sorted(r.stops)) for r in result.routes]
    assert plan == [("truck", ["Big", "Small"])]
    assert result.objective == 140.0  # fixed 100 + 40 km; truck + van would cost 100 + 20 + 10 + 20


def test_multi_depot_routes_start_and_end_at_their_vehicles_depot() -> None:
    """Each vehicle type returns to its own depot and serves the stops near it."""
    m = RoutingModel()
    m.add_depot("West", x=0, y=0)
    m.add_depot("East", x=100, y=0)
    for i, x in enumerate((2, 5, 8)):
        m.add_stop(f"w{i}", x=x, y=3, demand=1)
        m.add_stop(f"e{i}", x=100 - x, y=-3, demand=1)
    m.add_vehicle_type("west-van", capacity=10, depot="West")
    m.add_vehicle_type("east-van", capacity=10, depot="East")
    result = m.solve(stop=MaxIterations(ITERS))
    routes = {r.vehicle_type: r for r in result.routes}
    assert (routes["west-van"].start_depot, routes["west-van"].end_depot) == ("West", "West")
    assert (routes["east-van"].start_depot, routes["east-van"].end_depot) == ("East", "East")
    assert sorted(routes["west-van"].stops) == ["w0", "w1", "w2"]
    assert sorted(routes["east-van"].stops) == ["e0", "e1", "e2"]


def test_vehicle_can_start_and_end_at_different_depots() -> None:
    """A transfer run from West to East starts at West and ends at East."""
    m = RoutingModel()
    west = m.add_depot("West", x=0, y=0)
    m.add_depot("East", x=100, y=0)
    m.add_stop("mid", x=50, y=0, demand=1)
    m.add_vehicle_type("shuttle", capacity=5, start_depot=west, end_depot="East")
    route = m.solve(stop=MaxIterations(ITERS)).routes[0]
    assert (route.start_depot, route.end_depot, route.distance) == ("West", "East", 100.0)


def test_max_duration_splits_work_over_more_vehicles() -> None:
    """Two stops 40 min out in opposite directions cannot share one 100-minute shift."""
    m = RoutingModel()
    m.add_depot("D", x=0, y=0)
    m.add_stop("N", x=0, y=40, demand=1)
    m.add_stop("S", x=0, y=-40, demand=1)
    m.add_vehicle_type("van", capacity=10, count=2, max_duration=100)
    result = m.solve(stop=MaxIterations(ITERS))
    assert sorted(r.stops for r in result.routes) == [["N"], ["S"]]
    assert all(r.duration == 80.0 for r in result.routes)


def test_optional_stop_whose_prize_does_not_pay_is_reported_with_the_numbers() -> None:
    """A far optional stop with a prize of 1 is left out, and the reason names cost and prize."""
    m = axis_model(capacity=4)
    m.add_stop("Far", x=500, y=500, demand=1, required=False, prize=1)
    result = m.solve(stop=MaxIterations(ITERS))
    assert [u.stop for u in result.unserved] == ["Far"]
    reason = result.unserved[0].reason
    assert "optional" in reason and "prize 1.00" in reason
    assert result.uncollected_prizes == 1.0
    assert result.objective == result.distance_cost + 1.0


def test_optional_stop_with_a_large_prize_is_served() -> None:
    """The same far stop is worth serving once its prize exceeds the extra distance."""
    m = axis_model(capacity=4)
    m.add_stop("Far", x=30, y=0, demand=1, required=False, prize=1000)
    result = m.solve(stop=MaxIterations(ITERS))
    assert result.unserved == []
    assert "Far" in [s for r in result.routes for s in r.stops]


def test_fleet_too_small_for_required_demand_is_infeasible_without_search() -> None:
    """Total demand 4 against one vehicle of 2 is reported as a conflict, not searched."""
    result = axis_model(capacity=2, count=1).solve(stop=MaxIterations(ITERS))
    assert result.status is SolveStatus.INFEASIBLE
    assert result.routes == [] and result.num_iterations == 0
    assert "need 4 units" in result.conflicts[0] and "at most 2" in result.conflicts[0]


def test_same_seed_gives_the_same_plan() -> None:
    """With an iteration limit, solving twice with one seed gives identical routes."""
    m = RoutingModel()
    m.add_depot("D", x=0, y=0)
    for i in range(15):
        m.add_stop(f"S{i}", x=(i * 37) % 50, y=(i * 61) % 50, demand=1 + i % 4)
    m.add_vehicle_type("van", capacity=12, count=5)
    criterion = MaxIterations(200)
    first, second = m.solve(stop=criterion, seed=3), m.solve(stop=criterion, seed=3)
    assert [r.stops for r in first.routes] == [r.stops for r in second.routes]
    assert first.num_iterations == second.num_iterations == 200  # the criterion was not used up


# --------------------------------------------------------------------------- distances and units


def test_haversine_distance_of_a_known_city_pair() -> None:
    """Nashville–Los Angeles is 2887.26 km for R = 6372.8 km (Rosetta Code), 2886.45 km for ours."""
    m = RoutingModel()
    m.add_depot("BNA", lat=36.12, lon=-86.67)
    m.add_stop("LAX", lat=33.94, lon=-118.40)
    expected = 2887.2599506071106 * 6371.0088 / 6372.8
    assert m.distance("BNA", "LAX") == pytest.approx(expected, abs=0.001)  # kept to the metre
    assert m.distance_unit == "km"


def test_travel_time_follows_the_vehicle_speed() -> None:
    """30 km at 40 km/h takes 45 minutes; the same leg at 60 km/h takes 30."""
    m = RoutingModel()
    m.add_depot("D", x=0, y=0)
    m.add_stop("A", x=30, y=0)
    m.add_vehicle_type("slow", capacity=1, speed_kmh=40)
    m.add_vehicle_type("fast", capacity=1, speed_kmh=60)
    assert m.travel_time("D", "A", "slow") == 45.0
    assert m.travel_time("D", "A", "fast") == 30.0


def test_given_distance_matrix_replaces_coordinates() -> None:
    """A road-distance DataFrame drives both the distances and the objective."""
    m = RoutingModel()
    m.add_depot("D")
    m.add_stop("A", demand=1)
    m.add_stop("B", demand=1)
    m.add_vehicle_type("van", capacity=5)
    names = ["D", "A", "B", "unused"]
    road = pd.DataFrame([[0, 7, 9, 1], [7, 0, 3, 1], [9, 3, 0, 1], [1, 1, 1, 0]],
                        index=names, columns=names)
    m.set_distance_matrix(road)
    assert m.distance("A", "B") == 3.0
    assert m.solve(stop=MaxIterations(ITERS)).total_distance == 19.0  # D→A→B→D = 7 + 3 + 9


# --------------------------------------------------------------------------- the result


def test_dispatch_fields_agree_with_travel_times() -> None:
    """The first arrival is the departure plus the drive; quantities follow the stop order."""
    m = RoutingModel()
    m.add_depot("D", x=0, y=0, tw_early=480)
    m.add_stop("A", x=0, y=30, demand=3, service_time=5)
    m.add_stop("B", x=0, y=60, demand=2, service_time=5)
    m.add_vehicle_type("van", capacity=10, speed_kmh=60)
    route = m.solve(stop=MaxIterations(ITERS)).routes[0]
    assert route.start_time == 480.0
    assert route.stops == ["A", "B"] or route.stops == ["B", "A"]
    first = route.visits[0]
    assert first.arrival == route.start_time + m.travel_time("D", first.stop)
    assert route.quantities == [m.place(s).demand for s in route.stops]
    assert route.load == 5 and route.visits[-1].load_after == 0
    assert route.end_time == 480.0 + 120.0 + 10.0  # 120 min driving + 2 × 5 min service


def test_frames_list_every_visit_and_every_route() -> None:
    """to_frame has one row per visit in order; routes_frame one row per vehicle used."""
    result = axis_model().solve(stop=MaxIterations(ITERS))
    visits = result.to_frame()
    assert len(visits) == 4
    assert list(visits.groupby("vehicle")["seq"].apply(list)) == [[1, 2], [1, 2]]
    assert {"arrival", "departure", "quantity", "departure_depot"} <= set(visits.columns)
    routes = result.routes_frame()
    assert list(routes["distance"]) == [40.0, 40.0]
    assert list(routes["load"]) == [2, 2]


def test_summary_and_str_are_readable() -> None:
    """The summary gives status, fleet use and distance; str adds one line per route."""
    result = axis_model().solve(stop=MaxIterations(ITERS))
    text = str(result)
    assert "status     feasible" in text
    assert "vehicles      2 of 4" in text
    assert "distance      80.000 unit" in text
    assert text.count("D → ") == 2
    assert repr(result).startswith("RoutingResult(status='feasible', objective=80.0, routes=2")
    assert isinstance(result, RoutingResult)


def test_capacity_binding_routes_are_listed() -> None:
    """A route loaded to the full capacity shows up in ``binding``."""
    result = axis_model().solve(stop=MaxIterations(ITERS))
    assert sorted(result.binding)[:2] == ["capacity of van-1 (2/2)", "capacity of van-2 (2/2)"]


# --------------------------------------------------------------------------- bad input


def test_capacity_below_one_is_rejected_with_the_standard_message() -> None:
    """A vehicle that carries nothing is refused, naming parameter, method and value."""
    m = RoutingModel()
    m.add_depot("D", x=0, y=0)
    with pytest.raises(InputError) as err:
        m.add_vehicle_type("van", capacity=0)
    assert err.value.message == ("The 'capacity' parameter of RoutingModel.add_vehicle_type "
                                 "must be an int >= 1. Got 0 instead.")
    assert err.value.where == "capacity"


def test_negative_service_time_is_rejected() -> None:
    """Time on site cannot be negative."""
    with pytest.raises(InputError, match="'service_time' parameter of RoutingModel.add_stop "
                                         "must be a finite number >= 0. Got -5 instead."):
        RoutingModel().add_stop("A", x=0, y=0, service_time=-5)


def test_time_window_closing_before_it_opens_is_rejected() -> None:
    """tw_late below tw_early is refused with both values in the message."""
    with pytest.raises(InputError, match=r"'tw_late' .* must be a number >= tw_early \(600\). "
                                         "Got 540 instead."):
        RoutingModel().add_stop("A", x=0, y=0, tw_early=600, tw_late=540)


def test_demand_above_every_capacity_is_rejected_before_solving() -> None:
    """A stop no vehicle can carry is named, with its demand and the capacities."""
    m = axis_model()
    m.add_stop("Huge", x=1, y=1, demand=120)
    with pytest.raises(InputError, match="Stop 'Huge' cannot be served by any vehicle type: "
                                         "'van': its demand 120 is more than the capacity 2."):
        m.solve(stop=MaxIterations(ITERS))


def test_time_window_out_of_reach_is_rejected_before_solving() -> None:
    """A stop 60 min away that closes 30 min after the depot opens cannot be reached."""
    m = RoutingModel()
    m.add_depot("D", x=0, y=0, tw_early=480)
    m.add_stop("A", x=60, y=0, tw_late=510)
    m.add_vehicle_type("van", capacity=1)
    with pytest.raises(InputError, match=r"the earliest arrival is 09:00 \(leaving 'D' at "
                                         r"08:00\), after it closes at 08:30"):
        m.solve(stop=MaxIterations(ITERS))


def test_unknown_depot_name_is_reported_with_the_known_ones() -> None:
    """A typo in a depot name says which name and which depots exist."""
    m = RoutingModel()
    m.add_depot("Shanghai DC", lat=31.2, lon=121.5)
    with pytest.raises(UnknownEntityError, match="Unknown depot 'Shangai DC'.*'Shanghai DC'"):
        m.add_vehicle_type("van", capacity=10, depot="Shangai DC")


def test_depot_object_from_another_model_is_rejected() -> None:
    """Objects belong to their model: a depot added elsewhere is refused by name."""
    other = RoutingModel().add_depot("D", x=0, y=0)
    m = RoutingModel()
    m.add_depot("D", x=0, y=0)
    with pytest.raises(UnknownEntityError, match="Unknown depot 'D'. That depot object belongs "
                                                 "to another RoutingModel"):
        m.add_vehicle_type("van", capacity=10, depot=other)


def test_duplicate_place_name_is_rejected() -> None:
    """Stops are found by name, so a name used by a depot cannot be reused."""
    m = RoutingModel()
    m.add_depot("D", x=0, y=0)
    with pytest.raises(InputError, match=r"unique among depots and stops \(a depot has it\)"):
        m.add_stop("D", x=1, y=1)


def test_mixing_latlon_and_xy_places_is_rejected() -> None:
    """One model uses one kind of coordinates, so distances mean one thing."""
    m = RoutingModel()
    m.add_depot("D", lat=31.2, lon=121.5)
    with pytest.raises(InputError, match="absent in a model whose places have lat/lon"):
        m.add_stop("A", x=1, y=1)


def test_latitude_outside_the_globe_is_rejected() -> None:
    """A latitude of 131 (swapped with the longitude, say) is caught at once."""
    with pytest.raises(InputError, match=r"a latitude in \[-90, 90\]. Got 131 instead"):
        RoutingModel().add_depot("D", lat=131, lon=31)


def test_vehicle_type_needs_a_depot_when_there_are_several() -> None:
    """With two depots the vehicle's base cannot be guessed."""
    m = RoutingModel()
    m.add_depot("A", x=0, y=0)
    m.add_depot("B", x=1, y=1)
    with pytest.raises(InputError, match="given when the model has 2 depots"):
        m.add_vehicle_type("van", capacity=10)
