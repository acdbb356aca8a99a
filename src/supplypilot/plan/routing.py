"""Delivery routing: a planner-friendly layer over PyVRP.

Build a :class:`RoutingModel` (depots, stops, vehicle types in km, minutes and money), call
:meth:`RoutingModel.solve`, and read a :class:`RoutingResult`: routes per vehicle with
dispatch times, stop order and quantities, the stops left out and why, and the cost. PyVRP
does the search; this layer converts units, checks inputs, explains outcomes and reads the
CVRPLIB / Solomon benchmark instances. :func:`supplypilot.plan.route_map.plot_routes` draws a
result.

Units (PyVRP works in integers; see :mod:`supplypilot.plan._routing_geo`):

- distance: km for lat/lon places (haversine), the coordinates' unit for x/y places
  (Euclidean), or a given matrix; kept to 1/1000 of a unit by default (metres), or to a
  benchmark's own convention (``rounding="round"`` for CVRPLIB X, ``"dimacs"`` for Solomon);
- time: minutes since the start of the planning day (``480`` = 08:00), kept to the second;
  travel time = distance / ``speed_kmh``;
- money: the unit of ``fixed_cost``, ``unit_distance_cost`` and ``prize``.

Examples
--------
>>> from supplypilot.plan.routing import RoutingModel
>>> from supplypilot.plan.stop import MaxIterations
>>> m = RoutingModel()
>>> _ = m.add_depot("DC", x=0, y=0)
>>> _ = m.add_stop("A", x=0, y=10, demand=1)
>>> _ = m.add_stop("B", x=0, y=20, demand=1)
>>> _ = m.add_vehicle_type("van", capacity=5, count=1)
>>> result = m.solve(stop=MaxIterations(50))
>>> result.total_distance, result.routes[0].load, sorted(result.routes[0].stops)
(40.0, 2, ['A', 'B'])
"""

from __future__ import annotations

from supplypilot.plan._routing_geo import EARTH_RADIUS_KM as EARTH_RADIUS_KM
from supplypilot.plan._routing_geo import ROUNDINGS as ROUNDINGS
from supplypilot.plan._routing_geo import Rounding as Rounding
from supplypilot.plan._routing_geo import haversine_matrix as haversine_matrix
from supplypilot.plan._routing_io import ReferenceSolution as ReferenceSolution
from supplypilot.plan._routing_io import read_bks as read_bks
from supplypilot.plan._routing_io import read_solomon as read_solomon
from supplypilot.plan._routing_io import read_vrplib as read_vrplib
from supplypilot.plan._routing_io import read_vrplib_solution as read_vrplib_solution
from supplypilot.plan._routing_io import routes_distance as routes_distance
from supplypilot.plan._routing_model import Depot as Depot
from supplypilot.plan._routing_model import RoutingModel as RoutingModel
from supplypilot.plan._routing_model import Stop as Stop
from supplypilot.plan._routing_model import Units as Units
from supplypilot.plan._routing_model import VehicleType as VehicleType
from supplypilot.plan._routing_result import RoutingResult as RoutingResult
from supplypilot.plan._routing_result import UnservedStop as UnservedStop
from supplypilot.plan._routing_result import VehicleRoute as VehicleRoute
from supplypilot.plan._routing_result import Visit as Visit
from supplypilot.plan._routing_result import clock as clock

__all__ = [
    "EARTH_RADIUS_KM", "ROUNDINGS", "Depot", "ReferenceSolution", "Rounding", "RoutingModel",
    "RoutingResult", "Stop", "Units", "UnservedStop", "VehicleRoute", "VehicleType", "Visit",
    "clock", "haversine_matrix", "read_bks", "read_solomon", "read_vrplib",
    "read_vrplib_solution", "routes_distance",
]
