"""plot_routes draws a plan offline and writes the picture where asked."""

from __future__ import annotations

from pathlib import Path

import pytest

from supplypilot.errors import InputError
from supplypilot.plan.route_map import plot_routes
from supplypilot.plan.routing import RoutingModel, RoutingResult
from supplypilot.plan.stop import MaxIterations


def city_model() -> RoutingModel:
    """A Shanghai depot, four shops and one far optional stop that is not worth its detour."""
    m = RoutingModel()
    m.add_depot("Shanghai DC", lat=31.23, lon=121.47, tw_early=360)
    shops = {"Jing'an": (31.229, 121.448, 4), "Pudong": (31.221, 121.544, 6),
             "Minhang": (31.112, 121.382, 5), "Baoshan": (31.405, 121.489, 3)}
    for name, (lat, lon, demand) in shops.items():
        m.add_stop(name, lat=lat, lon=lon, demand=demand, service_time=15)
    m.add_stop("Suzhou", lat=31.30, lon=120.62, demand=2, required=False, prize=1)
    m.add_vehicle_type("van", capacity=10, count=3, fixed_cost=20, speed_kmh=30)
    return m


@pytest.fixture(scope="module")
def plan() -> tuple[RoutingResult, RoutingModel]:
    model = city_model()
    return model.solve(stop=MaxIterations(300)), model


def test_png_is_written_to_the_given_path(plan, tmp_path: Path) -> None:
    """The figure is saved as a real PNG file at ``path``, folders created."""
    result, model = plan
    out = tmp_path / "maps" / "routes.png"
    plot_routes(result, model, path=out)
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert out.stat().st_size > 10_000


def test_legend_gives_each_route_its_load_and_distance(plan) -> None:
    """One legend entry per route reads 'vehicle: load/capacity, distance km'."""
    result, model = plan
    ax = plot_routes(result, model)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    expected = [f"{r.vehicle}: {r.load}/{r.capacity}, {r.distance:,.1f} km" for r in result.routes]
    assert labels[:len(result.routes)] == expected
    assert labels[len(result.routes):] == ["unserved (1)", "depot"]


def test_one_line_per_route_in_its_own_colour(plan) -> None:
    """Each route is one line from its depot back to its depot, colours all different."""
    result, model = plan
    ax = plot_routes(result, model)
    lines = [ln for ln in ax.get_lines() if not ln.get_label().startswith("_")]
    assert len(lines) == len(result.routes)
    assert len({tuple(ln.get_color()) for ln in lines}) == len(lines)
    first = lines[0].get_xydata()
    assert tuple(first[0]) == tuple(first[-1]) == (121.47, 31.23)


def test_model_without_coordinates_cannot_be_drawn() -> None:
    """A matrix-only model has nothing to place on a map, and the error says which place."""
    m = RoutingModel()
    m.add_depot("D")
    m.add_stop("A", demand=1)
    m.add_vehicle_type("van", capacity=5)
    m.set_distance_matrix([[0, 4], [4, 0]], names=["D", "A"])
    result = m.solve(stop=MaxIterations(50))
    with pytest.raises(InputError, match="place 'D' has none"):
        plot_routes(result, m)
