"""What :meth:`RoutingModel.solve` returns: routes a dispatcher can hand to drivers.

Everything is in planner units: distances in the model's distance unit (km for lat/lon
models), times in minutes since the start of the planning day (``480`` = 08:00), money in the
unit of the costs given to the model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from supplypilot.plan.result import PlanResult


def clock(minutes: float) -> str:
    """Minutes since the start of the day as ``HH:MM`` (``HH:MM:SS`` when not whole).

    Hours are not wrapped at 24 so that a route running past midnight stays readable.
    """
    total = int(round(minutes * 60))
    sign = "-" if total < 0 else ""
    h, rest = divmod(abs(total), 3600)
    m, s = divmod(rest, 60)
    return f"{sign}{h:02d}:{m:02d}" + (f":{s:02d}" if s else "")


@dataclass(frozen=True)
class Visit:
    """One stop on a route, with the times a driver needs.

    ``arrival`` is when the vehicle gets there; it waits ``wait`` minutes when it is early, so
    ``service_start = arrival + wait`` and ``departure = service_start + service time``.
    ``late_by`` is above zero only in an infeasible plan: PyVRP then reports the visit as if
    it started at the window's close (its *time warp*) and ``late_by`` says how late it is.
    """

    stop: str
    arrival: float
    service_start: float
    departure: float
    wait: float
    quantity: int
    load_after: int
    late_by: float = 0.0


@dataclass(frozen=True)
class VehicleRoute:
    """The plan of one vehicle: where it starts, the stop order, what it carries.

    ``start_time`` is the dispatch (departure) time at ``start_depot``: PyVRP starts a route as
    late as it can without making it longer, so drivers do not wait at the first stop.
    ``load`` is what is loaded at the depot (the sum of the deliveries).
    """

    vehicle: str
    vehicle_type: str
    start_depot: str
    end_depot: str
    visits: tuple[Visit, ...]
    load: int
    capacity: int
    distance: float
    duration: float
    start_time: float
    end_time: float
    cost: float
    feasible: bool = True

    @property
    def stops(self) -> list[str]:
        """Stop names in visiting order."""
        return [v.stop for v in self.visits]

    @property
    def quantities(self) -> list[int]:
        """Quantity to deliver at each stop, in visiting order."""
        return [v.quantity for v in self.visits]

    @property
    def arrivals(self) -> list[float]:
        """Arrival time (minutes) at each stop, in visiting order."""
        return [v.arrival for v in self.visits]

    def __str__(self) -> str:
        path = " → ".join([self.start_depot, *self.stops, self.end_depot])
        return (f"{self.vehicle}: {clock(self.start_time)}–{clock(self.end_time)}  {path}  "
                f"load {self.load}/{self.capacity}  {self.distance:,.1f}")


@dataclass(frozen=True)
class UnservedStop:
    """A stop left out of the plan and the reason, in words a planner can act on."""

    stop: str
    required: bool
    reason: str


@dataclass(repr=False)
class RoutingResult(PlanResult):
    """Routes per vehicle, stops left out and why, and the cost of the plan.

    ``objective`` is the total cost PyVRP minimises: fixed vehicle costs + distance costs +
    prizes of optional stops left out. ``bound`` stays ``None``: PyVRP is a heuristic and
    proves neither optimality nor a lower bound, so the status is at best ``FEASIBLE``.
    """

    routes: list[VehicleRoute] = field(default_factory=list)
    unserved: list[UnservedStop] = field(default_factory=list)
    total_distance: float = 0.0
    distance_unit: str = "km"
    fleet_size: int = 0
    num_stops: int = 0
    fixed_cost: float = 0.0
    distance_cost: float = 0.0
    uncollected_prizes: float = 0.0
    num_iterations: int = 0

    @property
    def num_vehicles_used(self) -> int:
        return len(self.routes)

    def route(self, vehicle: str) -> VehicleRoute:
        """The route of ``vehicle`` (e.g. ``"van-2"``); KeyError when that vehicle stays home."""
        for r in self.routes:
            if r.vehicle == vehicle:
                return r
        used = [r.vehicle for r in self.routes]
        raise KeyError(f"No route for vehicle {vehicle!r}; vehicles used: {used}.")

    def summary(self) -> str:
        served = self.num_stops - len(self.unserved)
        rows = [("vehicles", f"{self.num_vehicles_used} of {self.fleet_size}"),
                ("stops served", f"{served} of {self.num_stops}"),
                ("distance", f"{self.total_distance:,.3f} {self.distance_unit}"),
                ("cost", f"fixed {self.fixed_cost:,.2f} + distance {self.distance_cost:,.2f}"
                         f" + prizes forgone {self.uncollected_prizes:,.2f}"),
                ("iterations", f"{self.num_iterations:,}")]
        width = max(len(k) for k, _ in rows)
        lines = [super().summary()] + [f"{k:<{width}}  {v}" for k, v in rows]
        lines += [f"unserved: {u.stop} — {u.reason}" for u in self.unserved]
        return "\n".join(lines)

    def __str__(self) -> str:
        lines = [self.summary(), "", "Routes", "------"]
        lines += [str(r) for r in self.routes] or ["(none)"]
        return "\n".join(lines)

    def __repr__(self) -> str:
        obj = None if self.objective is None else round(self.objective, 4)
        return (f"RoutingResult(status={self.status.value!r}, objective={obj}, "
                f"routes={len(self.routes)}, unserved={len(self.unserved)}, seed={self.seed})")

    def to_frame(self) -> pd.DataFrame:
        """One row per stop visit, in route and visiting order (the dispatch list).

        Times are minutes since the start of the day; ``departure_depot`` repeats the route's
        dispatch time on each row so the frame can be filtered per vehicle and still be used.
        """
        rows: list[dict[str, Any]] = []
        for r in self.routes:
            for seq, v in enumerate(r.visits, start=1):
                rows.append({"vehicle": r.vehicle, "vehicle_type": r.vehicle_type,
                             "start_depot": r.start_depot, "departure_depot": r.start_time,
                             "seq": seq, "stop": v.stop, "quantity": v.quantity,
                             "arrival": v.arrival, "wait": v.wait, "service_start": v.service_start,
                             "departure": v.departure, "load_after": v.load_after,
                             "late_by": v.late_by})
        columns = ["vehicle", "vehicle_type", "start_depot", "departure_depot", "seq", "stop",
                   "quantity", "arrival", "wait", "service_start", "departure", "load_after",
                   "late_by"]
        return pd.DataFrame(rows, columns=columns)

    def routes_frame(self) -> pd.DataFrame:
        """One row per vehicle used: depots, dispatch and return times, load, distance, cost."""
        columns = ["vehicle", "vehicle_type", "start_depot", "end_depot", "start_time",
                   "end_time", "num_stops", "stops", "load", "capacity", "distance", "duration",
                   "cost", "feasible"]
        rows = [{"vehicle": r.vehicle, "vehicle_type": r.vehicle_type,
                 "start_depot": r.start_depot, "end_depot": r.end_depot,
                 "start_time": r.start_time, "end_time": r.end_time, "num_stops": len(r.visits),
                 "stops": " → ".join(r.stops), "load": r.load, "capacity": r.capacity,
                 "distance": r.distance, "duration": r.duration, "cost": r.cost,
                 "feasible": r.feasible} for r in self.routes]
        return pd.DataFrame(rows, columns=columns)
