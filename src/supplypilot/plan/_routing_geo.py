"""Distances and the integer units PyVRP works in.

PyVRP's search runs on integers (``int64`` distance and duration matrices, integer costs), so a
planner's kilometres, minutes and money have to be scaled before solving and scaled back after.
This module keeps those conventions in one place:

* distance: the model's *distance unit* (km for lat/lon coordinates, the coordinates' own unit
  for x/y) times the scale of the chosen :data:`ROUNDINGS` convention: ``"exact"`` keeps 1/1000 of
  a unit (metres for km), ``"dimacs"`` 1/10 truncated (the DIMACS / CVRPLIB VRPTW convention),
  ``"round"`` whole units rounded (the TSPLIB ``nint`` convention of the CVRPLIB X set);
* time: seconds (the public API speaks minutes);
* money: see :func:`cost_multiplier`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Literal

import numpy as np

EARTH_RADIUS_KM = 6371.0088
"""Mean Earth radius (IUGG), the usual choice for great-circle distances."""

SECONDS_PER_MINUTE = 60

Rounding = Literal["exact", "dimacs", "round", "trunc"]

ROUNDINGS: dict[str, tuple[int, Callable[[np.ndarray], np.ndarray]]] = {
    "exact": (1000, lambda v: np.round(1000 * v).astype(np.int64)),
    "dimacs": (10, lambda v: (10 * v).astype(np.int64)),
    "round": (1, lambda v: np.round(v).astype(np.int64)),
    "trunc": (1, lambda v: v.astype(np.int64)),
}
"""Name -> (integer steps per distance unit, float distances -> integer distances).

The expressions are those of ``pyvrp.read``'s ``round_func`` options, so a model built here
gives the same matrix as PyVRP's reader for the same instance (tests check this)."""


def haversine_matrix(lat: Sequence[float], lon: Sequence[float]) -> np.ndarray:
    """Great-circle distances in km between all pairs of points given in degrees.

    The haversine form stays accurate for short hops (a few hundred metres between stops),
    where the spherical law of cosines loses digits.
    """
    phi = np.radians(np.asarray(lat, dtype=float))
    lam = np.radians(np.asarray(lon, dtype=float))
    dphi = phi[:, None] - phi[None, :]
    dlam = lam[:, None] - lam[None, :]
    a = np.sin(dphi / 2) ** 2 + np.cos(phi)[:, None] * np.cos(phi)[None, :] * np.sin(dlam / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def euclidean_matrix(x: Sequence[float], y: Sequence[float]) -> np.ndarray:
    """Straight-line distances between all pairs of points (benchmark coordinates)."""
    xs = np.asarray(x, dtype=float)
    ys = np.asarray(y, dtype=float)
    return np.hypot(xs[:, None] - xs[None, :], ys[:, None] - ys[None, :])


def to_steps(distances: np.ndarray, rounding: str) -> np.ndarray:
    """Float distances in the model's unit -> the integer steps PyVRP gets."""
    return ROUNDINGS[rounding][1](np.asarray(distances, dtype=float))


def travel_seconds(steps: np.ndarray, scale: int, speed_per_hour: float) -> np.ndarray:
    """Integer travel times (s) for integer distances at a constant speed.

    Computed from the *rounded* distances, so that travel time and distance agree exactly: with
    the ``"dimacs"`` convention and 60 units per hour, a distance of 12.3 gives 738 s = 12.3 min,
    which is how the Solomon best-known solutions count time.
    """
    return np.round(steps * (3600.0 / (scale * speed_per_hour))).astype(np.int64)


def minutes_to_seconds(minutes: float) -> int:
    """Minutes (public API) -> whole seconds (PyVRP)."""
    return int(round(minutes * SECONDS_PER_MINUTE))


def cost_multiplier(unit_costs: Sequence[float], max_power: int = 4) -> int:
    """The smallest power of ten that makes every per-unit distance cost an integer.

    PyVRP's ``unit_distance_cost`` is an integer per distance step. Multiplying all money by
    the same power of ten keeps the optimum unchanged; costs with more than ``max_power``
    decimals are rounded at that precision (relative error below 1e-4 of a cost of 1).
    """
    for power in range(max_power + 1):
        m = 10**power
        if all(math.isclose(c * m, round(c * m), abs_tol=1e-9) for c in unit_costs):
            return m
    return 10**max_power
