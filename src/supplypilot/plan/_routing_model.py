"""The routing builder: depots, stops and vehicle types in planner units, one solve with PyVRP."""

from __future__ import annotations

import copy
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from numbers import Integral, Real
from typing import Any

import numpy as np
import pyvrp

from supplypilot.errors import InputError, UnknownEntityError
from supplypilot.plan._routing_geo import (
    ROUNDINGS,
    Rounding,
    cost_multiplier,
    euclidean_matrix,
    haversine_matrix,
    minutes_to_seconds,
    to_steps,
    travel_seconds,
)
from supplypilot.plan._routing_result import RoutingResult
from supplypilot.plan.stop import MaxRuntime, StoppingCriterion

logger = logging.getLogger("supplypilot.plan.routing")

INT_MAX = int(np.iinfo(np.int64).max)
DEFAULT_SECONDS = 10.0
"""Search time when ``solve`` gets no stopping criterion: enough for a few hundred stops."""


# --------------------------------------------------------------------------- entities


@dataclass(frozen=True, eq=False)
class _Place:
    name: str
    lat: float | None = None
    lon: float | None = None
    x: float | None = None
    y: float | None = None

    @property
    def point(self) -> tuple[float, float] | None:
        """Plot coordinates: ``(lon, lat)`` or ``(x, y)``; None when only a matrix is known."""
        if self.lat is not None and self.lon is not None:
            return (self.lon, self.lat)
        if self.x is not None and self.y is not None:
            return (self.x, self.y)
        return None


@dataclass(frozen=True, eq=False)
class Depot(_Place):
    """Where vehicles load and start or end; open from ``tw_early`` to ``tw_late`` (minutes)."""

    tw_early: float = 0.0
    tw_late: float | None = None


@dataclass(frozen=True, eq=False)
class Stop(_Place):
    """A delivery: ``demand`` units, ``service_time`` minutes on site, an optional time window.

    An optional stop (``required=False``) is served only when its ``prize`` is worth the extra
    cost of the detour; otherwise it is reported as unserved, with the numbers.
    """

    demand: int = 0
    service_time: float = 0.0
    tw_early: float = 0.0
    tw_late: float | None = None
    required: bool = True
    prize: float = 0.0


@dataclass(frozen=True, eq=False)
class VehicleType:
    """``count`` identical vehicles based at ``start_depot`` / ``end_depot``."""

    name: str
    count: int
    capacity: int
    start_depot: Depot
    end_depot: Depot
    fixed_cost: float = 0.0
    unit_distance_cost: float = 1.0
    max_duration: float | None = None
    max_distance: float | None = None
    speed_kmh: float = 60.0
    tw_early: float = 0.0
    tw_late: float | None = None


@dataclass(frozen=True)
class Units:
    """How planner numbers became PyVRP integers in one ``data()`` call.

    distance steps = distance × ``distance_scale``; seconds = minutes × 60;
    PyVRP cost = money × ``money_scale`` (``distance_scale`` × the cost multiplier).
    """

    distance_scale: int
    money_scale: int
    distance_unit: str


# --------------------------------------------------------------------------- validation


def _fail(method: str, param: str, expected: str, got: Any) -> InputError:
    return InputError(f"The {param!r} parameter of RoutingModel.{method} must be {expected}. "
                      f"Got {got!r} instead.", where=param)


def _is_number(v: Any) -> bool:
    return isinstance(v, Real) and not isinstance(v, bool) and math.isfinite(float(v))


def _int(method: str, param: str, v: Any, minimum: int) -> int:
    if not isinstance(v, Integral) or isinstance(v, bool) or v < minimum:
        raise _fail(method, param, f"an int >= {minimum}", v)
    return int(v)


def _num(method: str, param: str, v: Any, minimum: float = 0.0, strict: bool = False) -> float:
    ok = _is_number(v) and (v > minimum if strict else v >= minimum)
    if not ok:
        raise _fail(method, param, f"a finite number {'>' if strict else '>='} {minimum:g}", v)
    return float(v)


def _window(method: str, early: Any, late: Any) -> tuple[float, float | None]:
    tw_early = _num(method, "tw_early", 0.0 if early is None else early)
    if late is None:
        return tw_early, None
    if not _is_number(late) or late < tw_early:
        raise _fail(method, "tw_late", f"a number >= tw_early ({tw_early:g})", late)
    return tw_early, float(late)


# --------------------------------------------------------------------------- the model


class RoutingModel:
    """A delivery-routing problem in planner units, solved by PyVRP.

    Add depots, stops and vehicle types (each ``add_*`` returns the created object, which can
    be passed back by object or by name), then :meth:`solve`. Places are given either by
    ``lat``/``lon`` (distances are great-circle km) or by ``x``/``y`` (Euclidean, in the
    coordinates' unit, as in benchmark instances), or by :meth:`set_distance_matrix`.

    Units: distances in km (lat/lon) or coordinate units (x/y); times in minutes since the
    start of the planning day (``480`` = 08:00); speeds in distance units per hour; money in
    whatever unit the costs are given in. PyVRP needs integers, so distances are kept to the
    precision of ``rounding`` (see :data:`ROUNDINGS`; the default ``"exact"`` keeps 1/1000 of
    a unit: metres), times to the second, and per-unit distance costs to four decimals.

    Parameters
    ----------
    rounding
        How distances become integers: ``"exact"`` (1/1000 of a unit, rounded), ``"dimacs"``
        (1/10, truncated: the Solomon / DIMACS VRPTW convention), ``"round"`` (whole units,
        rounded: the CVRPLIB X convention) or ``"trunc"``. Benchmark instances need their own
        convention for the best-known values to be comparable.

    Examples
    --------
    >>> m = RoutingModel()
    >>> _ = m.add_depot("DC", lat=31.23, lon=121.47, tw_early=360)
    >>> _ = m.add_stop("Shop 1", lat=31.30, lon=121.50, demand=4, tw_late=720)
    >>> _ = m.add_vehicle_type("van", count=2, capacity=10, speed_kmh=40)
    >>> m.solve(stop=MaxIterations(100)).routes[0].stops  # doctest: +SKIP
    ['Shop 1']
    """

    def __init__(self, *, rounding: Rounding = "exact") -> None:
        if rounding not in ROUNDINGS:
            raise InputError(f"The 'rounding' parameter of RoutingModel must be one of "
                             f"{sorted(ROUNDINGS)}. Got {rounding!r} instead.", where="rounding")
        self.rounding: str = rounding
        self._depots: list[Depot] = []
        self._stops: list[Stop] = []
        self._vehicle_types: list[VehicleType] = []
        self._by_name: dict[str, Depot | Stop] = {}
        self._coordinates: str | None = None  # "latlon" or "xy" once the first place has them
        self._matrix: tuple[np.ndarray, list[str], np.ndarray | None] | None = None
        self._steps: np.ndarray | None = None  # cached integer distances

    # ----------------------------------------------------------------- read access

    @property
    def depots(self) -> list[Depot]:
        return list(self._depots)

    @property
    def stops(self) -> list[Stop]:
        return list(self._stops)

    @property
    def vehicle_types(self) -> list[VehicleType]:
        return list(self._vehicle_types)

    @property
    def coordinates(self) -> str | None:
        """``"latlon"``, ``"xy"``, or None when no place has coordinates."""
        return self._coordinates

    @property
    def has_distance_matrix(self) -> bool:
        """True once :meth:`set_distance_matrix` was called (coordinates are then for plots)."""
        return self._matrix is not None

    @property
    def distance_unit(self) -> str:
        """``"unit"`` for x/y coordinates, else ``"km"`` (lat/lon, or a road-distance matrix)."""
        return "unit" if self._coordinates == "xy" else "km"

    @property
    def distance_scale(self) -> int:
        """Integer distance steps per distance unit under this model's ``rounding``."""
        return ROUNDINGS[self.rounding][0]

    def place(self, name: str) -> Depot | Stop:
        """The depot or stop called ``name``."""
        try:
            return self._by_name[name]
        except KeyError:
            raise UnknownEntityError("place", name, hint="Add it with add_depot() or add_stop() "
                                     "first.") from None

    def __repr__(self) -> str:
        return (f"RoutingModel(depots={len(self._depots)}, stops={len(self._stops)}, "
                f"vehicle_types={[v.name for v in self._vehicle_types]}, "
                f"rounding={self.rounding!r})")

    # ----------------------------------------------------------------- building

    def add_depot(self, name: str, *, lat: float | None = None, lon: float | None = None,
                  x: float | None = None, y: float | None = None, tw_early: float = 0.0,
                  tw_late: float | None = None) -> Depot:
        """Add a depot open from ``tw_early`` to ``tw_late`` (minutes; None = always open).

        Vehicles leave no earlier than it opens and must be back before it closes.
        """
        name = self._new_name("add_depot", name)
        coords = self._coords("add_depot", lat, lon, x, y)
        early, late = _window("add_depot", tw_early, tw_late)
        depot = Depot(name, *coords, tw_early=early, tw_late=late)
        self._depots.append(depot)
        self._by_name[name] = depot
        self._steps = None
        return depot

    def add_stop(self, name: str, *, lat: float | None = None, lon: float | None = None,
                 x: float | None = None, y: float | None = None, demand: int = 0,
                 service_time: float = 0.0, tw_early: float | None = None,
                 tw_late: float | None = None, required: bool = True,
                 prize: float = 0.0) -> Stop:
        """Add a delivery stop.

        Parameters
        ----------
        demand
            Units to deliver (same unit as vehicle capacities).
        service_time
            Minutes spent on site (unloading, paperwork).
        tw_early, tw_late
            Service may start from ``tw_early`` and must start by ``tw_late`` (minutes since
            the start of the day). A vehicle arriving early waits.
        required, prize
            A stop with ``required=False`` is optional: it is served only if ``prize`` (money)
            outweighs the cost of serving it, and otherwise reported as unserved with why.
        """
        name = self._new_name("add_stop", name)
        coords = self._coords("add_stop", lat, lon, x, y)
        demand = _int("add_stop", "demand", demand, 0)
        service = _num("add_stop", "service_time", service_time)
        early, late = _window("add_stop", tw_early, tw_late)
        if not isinstance(required, bool):
            raise _fail("add_stop", "required", "a bool", required)
        prize = _num("add_stop", "prize", prize)
        stop = Stop(name, *coords, demand=demand, service_time=service, tw_early=early,
                    tw_late=late, required=required, prize=prize)
        self._stops.append(stop)
        self._by_name[name] = stop
        self._steps = None
        return stop

    def add_vehicle_type(self, name: str, *, capacity: int, count: int = 1,
                         depot: Depot | str | None = None,
                         start_depot: Depot | str | None = None,
                         end_depot: Depot | str | None = None, fixed_cost: float = 0.0,
                         unit_distance_cost: float = 1.0, max_duration: float | None = None,
                         max_distance: float | None = None, speed_kmh: float = 60.0,
                         tw_early: float = 0.0, tw_late: float | None = None) -> VehicleType:
        """Add ``count`` identical vehicles; several types make a heterogeneous fleet.

        Parameters
        ----------
        capacity
            Units one vehicle carries (one trip per vehicle).
        depot, start_depot, end_depot
            Where the vehicles start and end, by object or name. ``depot`` sets both; with a
            single depot in the model it may be left out.
        fixed_cost, unit_distance_cost
            Money per vehicle used and per distance unit driven: the solver trades them off,
            so a cheap small van is preferred to a truck when it can do the job.
        max_duration, max_distance
            Longest route in minutes (driver shift, waiting included) and in distance units.
        speed_kmh
            Average speed in distance units per hour (km/h for lat/lon models). The default
            60 makes travel minutes equal distance units, the Solomon convention.
        tw_early, tw_late
            Shift window (minutes): earliest departure and latest return.
        """
        method = "add_vehicle_type"
        if not isinstance(name, str) or not name.strip():
            raise _fail(method, "name", "a non-empty str", name)
        if any(v.name == name for v in self._vehicle_types):
            raise _fail(method, "name", "unique among vehicle types", name)
        capacity = _int(method, "capacity", capacity, 1)
        count = _int(method, "count", count, 1)
        start = self._depot(start_depot if start_depot is not None else depot, "start_depot")
        end = self._depot(end_depot if end_depot is not None else depot, "end_depot")
        fixed = _num(method, "fixed_cost", fixed_cost)
        unit_cost = _num(method, "unit_distance_cost", unit_distance_cost)
        duration = None if max_duration is None else _num(method, "max_duration", max_duration,
                                                          strict=True)
        distance = None if max_distance is None else _num(method, "max_distance", max_distance,
                                                          strict=True)
        speed = _num(method, "speed_kmh", speed_kmh, strict=True)
        early, late = _window(method, tw_early, tw_late)
        vt = VehicleType(name, count, capacity, start, end, fixed, unit_cost, duration, distance,
                         speed, early, late)
        self._vehicle_types.append(vt)
        return vt

    def set_distance_matrix(self, distances: Any, *, names: Sequence[str] | None = None,
                            durations: Any = None) -> None:
        """Use road distances (and optionally travel times) instead of coordinates.

        Parameters
        ----------
        distances
            Square matrix in the distance unit (km for road data), row = from, column = to. A
            pandas DataFrame brings its names in its index; otherwise pass ``names``.
        names
            Place names in the matrix order; every depot and stop must be among them when
            solving (extra names are ignored, so one matrix can serve many daily models).
        durations
            Optional travel times in minutes, same shape and order. When given they are used
            for every vehicle type and ``speed_kmh`` is ignored.
        """
        method = "set_distance_matrix"
        if names is None and hasattr(distances, "index"):
            names = [str(n) for n in distances.index]
        dist = np.asarray(distances, dtype=float)
        if dist.ndim != 2 or dist.shape[0] != dist.shape[1]:
            raise _fail(method, "distances", "a square matrix", f"shape {dist.shape}")
        if not np.all(np.isfinite(dist)) or (dist < 0).any():
            raise _fail(method, "distances", "finite and >= 0 everywhere",
                        "a matrix with negative or missing values")
        if names is None or len(names) != dist.shape[0] or len(set(names)) != len(names):
            raise _fail(method, "names", f"{dist.shape[0]} unique place names", names)
        dur = None
        if durations is not None:
            dur = np.asarray(durations, dtype=float)
            if dur.shape != dist.shape or not np.all(np.isfinite(dur)) or (dur < 0).any():
                raise _fail(method, "durations", f"a {dist.shape} matrix of minutes >= 0",
                            f"shape {dur.shape}")
        self._matrix = (dist, list(names), dur)
        self._steps = None

    # ----------------------------------------------------------------- helpers (building)

    def _new_name(self, method: str, name: Any) -> str:
        if not isinstance(name, str) or not name.strip():
            raise _fail(method, "name", "a non-empty str", name)
        if name in self._by_name:
            kind = type(self._by_name[name]).__name__.lower()
            raise _fail(method, "name", f"unique among depots and stops (a {kind} has it)", name)
        return name

    def _coords(self, method: str, lat: Any, lon: Any, x: Any, y: Any) -> tuple[Any, ...]:
        given = {k: v for k, v in (("lat", lat), ("lon", lon), ("x", x), ("y", y)) if v is not None}
        if not given:
            return (None, None, None, None)
        kinds = {frozenset({"lat", "lon"}): "latlon", frozenset({"x", "y"}): "xy"}
        kind = kinds.get(frozenset(given))
        if kind is None:
            key = sorted(given)[0]
            raise _fail(method, key, "given with its pair (lat with lon, or x with y), not mixed",
                        given[key])
        for k, v in given.items():
            if not _is_number(v):
                raise _fail(method, k, "a finite number", v)
        if kind == "latlon" and not -90 <= lat <= 90:
            raise _fail(method, "lat", "a latitude in [-90, 90]", lat)
        if kind == "latlon" and not -180 <= lon <= 180:
            raise _fail(method, "lon", "a longitude in [-180, 180]", lon)
        if self._coordinates not in (None, kind):
            key = "lat" if kind == "latlon" else "x"
            other = "lat/lon" if self._coordinates == "latlon" else "x/y"
            raise _fail(method, key, f"absent in a model whose places have {other} coordinates",
                        given[key])
        self._coordinates = kind
        if kind == "latlon":
            return (float(lat), float(lon), None, None)
        return (None, None, float(x), float(y))

    def _depot(self, depot: Depot | str | None, param: str) -> Depot:
        known = ", ".join(repr(d.name) for d in self._depots) or "none yet"
        if depot is None:
            if len(self._depots) == 1:
                return self._depots[0]
            raise _fail("add_vehicle_type", param,
                        f"given when the model has {len(self._depots)} depots (known: {known})",
                        None)
        if isinstance(depot, Depot):
            if any(d is depot for d in self._depots):
                return depot
            raise UnknownEntityError("depot", depot.name, hint="That depot object belongs to "
                                     f"another RoutingModel; this model's depots: {known}.")
        for d in self._depots:
            if d.name == depot:
                return d
        raise UnknownEntityError("depot", str(depot), hint=f"Add it with add_depot() first; "
                                 f"this model's depots: {known}.")

    # ----------------------------------------------------------------- distances

    def _places(self) -> list[Depot | Stop]:
        return [*self._depots, *self._stops]

    def distance_steps(self) -> np.ndarray:
        """Integer distance matrix PyVRP gets, depots first then stops (in adding order)."""
        if self._steps is None:
            self._steps = to_steps(self._float_distances(), self.rounding)
        return self._steps

    def _float_distances(self) -> np.ndarray:
        places = self._places()
        if self._matrix is not None:
            dist, names, _ = self._matrix
            return dist[np.ix_(self._matrix_order(names), self._matrix_order(names))]
        missing = [p.name for p in places if p.point is None]
        if missing:
            raise InputError(f"Place {missing[0]!r} has no coordinates and no distance matrix is "
                             "set: give lat/lon or x/y, or call set_distance_matrix().",
                             where=missing[0])
        if self._coordinates == "latlon":
            return haversine_matrix([p.lat for p in places], [p.lon for p in places])
        return euclidean_matrix([p.x for p in places], [p.y for p in places])

    def _matrix_order(self, names: list[str]) -> list[int]:
        pos = {n: i for i, n in enumerate(names)}
        missing = [p.name for p in self._places() if p.name not in pos]
        if missing:
            raise InputError(f"The distance matrix has no row for {missing[0]!r}"
                             + (f" (and {len(missing) - 1} more)" if len(missing) > 1 else "")
                             + ".", where="set_distance_matrix")
        return [pos[p.name] for p in self._places()]

    def _index(self, place: Depot | Stop | str) -> int:
        name = place if isinstance(place, str) else place.name
        obj = self.place(name)
        if not isinstance(place, str) and obj is not place:
            raise UnknownEntityError("place", name, hint="That object belongs to another model.")
        return next(i for i, p in enumerate(self._places()) if p is obj)

    def distance(self, frm: Depot | Stop | str, to: Depot | Stop | str) -> float:
        """Distance the solver uses from ``frm`` to ``to``, in the model's distance unit."""
        return float(self.distance_steps()[self._index(frm), self._index(to)]) / self.distance_scale

    def duration_seconds(self, speed_kmh: float | None = None) -> np.ndarray:
        """Integer travel-time matrix (s) at ``speed_kmh`` (ignored when durations were set)."""
        if self._matrix is not None and self._matrix[2] is not None:
            dist, names, dur = self._matrix
            order = self._matrix_order(names)
            return np.round(dur[np.ix_(order, order)] * 60).astype(np.int64)
        speed = 60.0 if speed_kmh is None else speed_kmh
        return travel_seconds(self.distance_steps(), self.distance_scale, speed)

    def travel_time(self, frm: Depot | Stop | str, to: Depot | Stop | str,
                    vehicle_type: VehicleType | str | None = None) -> float:
        """Minutes from ``frm`` to ``to`` for ``vehicle_type`` (default: the first type, or 60)."""
        vt = self._vehicle_type(vehicle_type)
        mat = self.duration_seconds(None if vt is None else vt.speed_kmh)
        return float(mat[self._index(frm), self._index(to)]) / 60.0

    def _vehicle_type(self, vt: VehicleType | str | None) -> VehicleType | None:
        if vt is None:
            return self._vehicle_types[0] if self._vehicle_types else None
        for v in self._vehicle_types:
            if v is vt or v.name == vt:
                return v
        name = vt if isinstance(vt, str) else vt.name
        raise UnknownEntityError("vehicle type", name)

    # ----------------------------------------------------------------- PyVRP data

    def units(self) -> Units:
        """The integer scales ``data()`` uses (see :class:`Units`)."""
        s = self.distance_scale
        m = cost_multiplier([v.unit_distance_cost for v in self._vehicle_types])
        return Units(distance_scale=s, money_scale=s * m, distance_unit=self.distance_unit)

    def _profiles(self) -> list[float | None]:
        """One PyVRP routing profile per distinct speed (durations differ, distances do not)."""
        if self._matrix is not None and self._matrix[2] is not None:
            return [None]
        return list(dict.fromkeys(v.speed_kmh for v in self._vehicle_types)) or [None]

    def data(self) -> pyvrp.ProblemData:
        """The PyVRP problem this model stands for (integer units, see :meth:`units`)."""
        if not self._depots:
            raise InputError("The model has no depot: add one with add_depot().", where="depots")
        if not self._vehicle_types:
            raise InputError("The model has no vehicle type: add one with add_vehicle_type().",
                             where="vehicle_types")
        units = self.units()
        steps = self.distance_steps()
        profiles = self._profiles()
        durations = [self.duration_seconds(speed) for speed in profiles]
        locations = [pyvrp.Location(*(p.point or (0.0, 0.0)), name=p.name) for p in self._places()]
        depots = [pyvrp.Depot(i, tw_early=minutes_to_seconds(d.tw_early),
                              tw_late=_late(d.tw_late), name=d.name)
                  for i, d in enumerate(self._depots)]
        nd = len(self._depots)
        clients = [pyvrp.Client(nd + j, delivery=[s.demand],
                                service_duration=minutes_to_seconds(s.service_time),
                                tw_early=minutes_to_seconds(s.tw_early), tw_late=_late(s.tw_late),
                                prize=int(round(s.prize * units.money_scale)),
                                required=s.required, name=s.name)
                   for j, s in enumerate(self._stops)]
        mult = units.money_scale // units.distance_scale
        types = [pyvrp.VehicleType(
            num_available=v.count, capacity=[v.capacity],
            start_depot=self._depots.index(v.start_depot),
            end_depot=self._depots.index(v.end_depot),
            fixed_cost=int(round(v.fixed_cost * units.money_scale)),
            tw_early=minutes_to_seconds(v.tw_early), tw_late=_late(v.tw_late),
            shift_duration=_late(v.max_duration),
            max_distance=INT_MAX if v.max_distance is None
            else int(math.floor(v.max_distance * units.distance_scale + 1e-9)),
            unit_distance_cost=int(round(v.unit_distance_cost * mult)),
            profile=profiles.index(None if profiles == [None] else v.speed_kmh),
            name=v.name) for v in self._vehicle_types]
        return pyvrp.ProblemData(locations, clients, depots, types, [steps] * len(profiles),
                                 durations)

    # ----------------------------------------------------------------- solving

    def solve(self, stop: StoppingCriterion | float | None = None, seed: int = 0,
              display: bool = False, params: pyvrp.SolveParams | None = None) -> RoutingResult:
        """Plan the routes with PyVRP's iterated local search.

        Parameters
        ----------
        stop
            When to stop: a criterion from :mod:`supplypilot.plan.stop`, or seconds; default
            10 s. The criterion is copied first, so one object can drive several solves.
        seed
            Seed of PyVRP's random stream: the same seed and an iteration-based criterion give
            the same plan.
        display
            Let PyVRP log its progress (logger ``pyvrp``).
        params
            PyVRP's own search settings (``pyvrp.SolveParams``, loadable from TOML); the
            defaults are PyVRP's tuned ones and rarely need changing.

        Returns
        -------
        RoutingResult
            ``FEASIBLE`` with the routes, ``NONE`` when the best plan found still breaks a
            constraint (the violations are in ``reasons``), or ``INFEASIBLE`` without a search
            when the fleet cannot carry the required demand (the numbers are in ``conflicts``).

        Raises
        ------
        InputError
            When a required stop cannot be served by any vehicle at all (too heavy, time window
            out of reach, round trip longer than every shift): solving would only return an
            infeasible plan, so the stop and the reason are named instead.
        """
        from supplypilot.plan._routing_convert import (
            fleet_shortfall,
            impossible_stops,
            infeasible_result,
            to_result,
        )

        _int("solve", "seed", seed, 0)
        criterion = _criterion(stop)
        data = self.data()
        impossible = impossible_stops(self)
        for s in self._stops:
            if s.required and s.name in impossible:
                raise InputError(f"Stop {s.name!r} cannot be served by any vehicle type: "
                                 f"{impossible[s.name]}.", where=s.name)
        shortfall = fleet_shortfall(self)
        if shortfall:
            return infeasible_result(self, shortfall, seed)
        logger.info("routing %d stops with %d vehicles (%d types), stop=%r, seed=%d",
                    len(self._stops), data.num_vehicles, data.num_vehicle_types, criterion, seed)
        result = pyvrp.solve(data, criterion, seed=seed, collect_stats=display, display=display,
                             params=params if params is not None else pyvrp.SolveParams())
        return to_result(self, data, result, seed, impossible, criterion)


def _late(minutes: float | None) -> int:
    return INT_MAX if minutes is None else minutes_to_seconds(minutes)


def _criterion(stop: StoppingCriterion | float | None) -> StoppingCriterion:
    if stop is None:
        return MaxRuntime(DEFAULT_SECONDS)
    if isinstance(stop, Real) and not isinstance(stop, bool):
        return MaxRuntime(float(stop))
    if not callable(stop):
        raise InputError("The 'stop' parameter of RoutingModel.solve must be a stopping criterion "
                         f"or a number of seconds. Got {stop!r} instead.", where="stop")
    return copy.deepcopy(stop)


__all__ = ["Depot", "RoutingModel", "Stop", "Units", "VehicleType"]
