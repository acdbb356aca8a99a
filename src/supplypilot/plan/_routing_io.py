"""Benchmark instance readers: CVRPLIB ``.vrp`` / ``.sol``, Solomon VRPTW, the BKS table.

Parsing is left to ``vrplib`` (the parser behind ``pyvrp.read``); the readers then build a
:class:`RoutingModel` through the public builder, so a benchmark exercises the same code path
as a planner's model. Stops are named by their VRPLIB solution number (``"1"`` … ``"n"``; the
depot is ``"depot"``), which is how ``.sol`` files list routes.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import vrplib

from supplypilot.errors import InputError
from supplypilot.plan._routing_geo import Rounding
from supplypilot.plan._routing_model import RoutingModel

DEPOT = "depot"


@dataclass(frozen=True)
class ReferenceSolution:
    """Routes (stop names in order, depot left out) and the cost written in a ``.sol`` file."""

    routes: list[list[str]]
    cost: float


def _read(path: str | Path, fmt: str) -> dict:
    path = Path(path)
    if not path.is_file():
        raise InputError(f"No instance file at {str(path)!r}.", where=str(path))
    try:
        return vrplib.read_instance(str(path), instance_format=fmt)
    except (ValueError, RuntimeError, KeyError, IndexError) as exc:
        raise InputError(f"{path.name}: not a readable {fmt} instance ({exc}).",
                         where=str(path)) from exc


def _build(inst: dict, rounding: Rounding, vehicles: int | None, where: str) -> RoutingModel:
    depots = np.atleast_1d(inst.get("depot", np.array([0])))
    if depots.size != 1 or int(depots[0]) != 0:
        raise InputError("Only instances with one depot at node 1 are supported; got depot "
                         f"nodes {(depots + 1).tolist()}.", where=where)
    dim = int(inst["dimension"]) if "dimension" in inst else len(inst["demand"])
    coords = np.asarray(inst["node_coord"], dtype=float) if "node_coord" in inst else None
    tw = np.asarray(inst["time_window"], dtype=float) if "time_window" in inst else None
    service = np.asarray(inst.get("service_time", np.zeros(dim)), dtype=float)
    service = np.broadcast_to(service, (dim,))
    demand = np.asarray(inst["demand"], dtype=np.int64)
    model = RoutingModel(rounding=rounding)

    def xy(i: int) -> dict[str, float]:
        return {} if coords is None else {"x": float(coords[i, 0]), "y": float(coords[i, 1])}

    model.add_depot(DEPOT, **xy(0), tw_early=0.0 if tw is None else float(tw[0, 0]),
                    tw_late=None if tw is None else float(tw[0, 1]))
    for i in range(1, dim):
        model.add_stop(str(i), **xy(i), demand=int(demand[i]), service_time=float(service[i]),
                       tw_early=None if tw is None else float(tw[i, 0]),
                       tw_late=None if tw is None else float(tw[i, 1]))
    if inst.get("edge_weight_type", "EUC_2D") not in ("EUC_2D", None) or coords is None:
        names = [DEPOT, *(str(i) for i in range(1, dim))]
        model.set_distance_matrix(np.asarray(inst["edge_weight"], dtype=float), names=names)
    count = int(vehicles or inst.get("vehicles", dim - 1))
    model.add_vehicle_type("vehicle", capacity=int(np.max(inst["capacity"])), count=count,
                           depot=DEPOT)
    return model


def read_vrplib(path: str | Path, *, rounding: Rounding = "round",
                vehicles: int | None = None) -> RoutingModel:
    """Read a CVRPLIB / VRPLIB ``.vrp`` instance (one depot) into a :class:`RoutingModel`.

    Parameters
    ----------
    rounding
        ``"round"`` (default) is the X set's convention: Euclidean distances rounded to the
        nearest integer, as the best-known costs in its ``.sol`` files are computed. Use
        ``"dimacs"`` for VRPLIB VRPTW files.
    vehicles
        Fleet size; default the file's ``VEHICLES`` or else one vehicle per customer (an
        unlimited fleet, as CVRPLIB intends for the X set).
    """
    return _build(_read(path, "vrplib"), rounding, vehicles, str(path))


def read_solomon(path: str | Path, *, rounding: Rounding = "dimacs") -> RoutingModel:
    """Read a Solomon VRPTW text instance (``C101.txt`` …) into a :class:`RoutingModel`.

    Time is in the instance's unit (read as minutes, with travel minutes = distance at the
    default 60 units per hour). ``"dimacs"`` truncates distances and travel times to one
    decimal, which is how the distance-only best-known values of CVRPLIB / DIMACS 2021 are
    computed; the fleet is the file's vehicle number, which a distance-only plan may not use
    in full.
    """
    return _build(_read(path, "solomon"), rounding, None, str(path))


def read_vrplib_solution(path: str | Path) -> ReferenceSolution:
    """Read a VRPLIB ``.sol`` file: routes as stop names (as :func:`read_vrplib` names them)."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"No solution file at {str(path)!r}.", where=str(path))
    sol = vrplib.read_solution(str(path))
    return ReferenceSolution(routes=[[str(int(v)) for v in r] for r in sol["routes"]],
                             cost=float(sol["cost"]))


def routes_distance(model: RoutingModel, routes: list[list[str]],
                    depot: str = DEPOT) -> float:
    """Total distance of ``routes`` (stop names, depot left out) under ``model``'s convention.

    Used to check a convention: the X set's ``.sol`` routes must cost exactly their ``Cost``
    line under ``rounding="round"``.
    """
    steps = model.distance_steps()
    index = {p.name: i for i, p in enumerate([*model.depots, *model.stops])}
    total = 0
    for route in routes:
        path = [index[depot], *(index[s] for s in route), index[depot]]
        total += int(steps[path[:-1], path[1:]].sum())
    return total / model.distance_scale


def read_bks(path: str | Path) -> dict[str, float]:
    """Best-known distances by instance name from ``cvrplib_bks_*.csv``."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"No best-known-solution table at {str(path)!r}.", where=str(path))
    with path.open(newline="") as fh:
        return {row["instance"]: float(row["bks_distance"]) for row in csv.DictReader(fh)}
