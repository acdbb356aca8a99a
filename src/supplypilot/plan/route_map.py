"""A map of a routing plan, drawn offline with matplotlib (no map tiles, no network).

Depots are black squares, stops are dots sized by demand in their route's colour, stops left
out are grey crosses, and the legend gives each route's load and distance, so the picture
answers the dispatcher's first questions: which vehicle goes where, how full, how far.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from supplypilot.errors import InputError
from supplypilot.plan.routing import RoutingModel, RoutingResult

MAX_LEGEND_ROUTES = 30
"""Beyond this many routes the legend lists the first ones and says how many more there are."""


def _colours(n: int) -> list[tuple[float, float, float, float]]:
    cmap = colormaps["tab10" if n <= 10 else "tab20" if n <= 20 else "turbo"]
    if n > 20:
        return [cmap(x) for x in np.linspace(0.05, 0.95, n)]
    return [cmap(i) for i in range(n)]


def _point(model: RoutingModel, name: str) -> tuple[float, float]:
    p = model.place(name).point
    if p is None:
        raise InputError(f"plot_routes needs coordinates, but place {name!r} has none (the "
                         "model uses a distance matrix only).", where=name)
    return p


def plot_routes(result: RoutingResult, model: RoutingModel, ax: Axes | None = None,
                path: str | Path | None = None, *, title: str | None = None,
                label_stops: bool | None = None) -> Axes:
    """Draw ``result``'s routes over ``model``'s places.

    Parameters
    ----------
    result, model
        The plan and the model it was solved from (the model knows the coordinates).
    ax
        Axes to draw on; a new figure is made when None (without pyplot, so no display is
        needed on a server).
    path
        When given, the figure is saved there (PNG, SVG or PDF by suffix).
    title
        Defaults to the number of routes, total distance and cost.
    label_stops
        Write stop names next to the dots; default only when there are at most 30 stops.

    Returns
    -------
    Axes
        The axes drawn on (``ax.figure`` is the figure).
    """
    if ax is None:
        fig = Figure(figsize=(9, 7), layout="constrained")
        ax = fig.add_subplot()
    stops = model.stops
    max_demand = max([s.demand for s in stops] + [1])
    sizes = {s.name: 18 + 160 * s.demand / max_demand for s in stops}
    label_stops = len(stops) <= 30 if label_stops is None else label_stops
    unit = result.distance_unit

    for route, colour in zip(result.routes, _colours(len(result.routes)), strict=True):
        names = [route.start_depot, *route.stops, route.end_depot]
        xy = np.array([_point(model, n) for n in names])
        label = (f"{route.vehicle}: {route.load}/{route.capacity}, "
                 f"{route.distance:,.1f} {unit}")
        ax.plot(xy[:, 0], xy[:, 1], "-", color=colour, lw=1.4, alpha=0.85, label=label)
        ax.scatter(xy[1:-1, 0], xy[1:-1, 1], s=[sizes[n] for n in route.stops], color=colour,
                   edgecolors="white", linewidths=0.5, zorder=3)
    if result.unserved:
        xy = np.array([_point(model, u.stop) for u in result.unserved])
        ax.scatter(xy[:, 0], xy[:, 1], marker="x", s=40, color="0.45", zorder=3,
                   label=f"unserved ({len(result.unserved)})")
    depots = model.depots
    dxy = np.array([_point(model, d.name) for d in depots])
    ax.scatter(dxy[:, 0], dxy[:, 1], marker="s", s=110, color="black", zorder=4, label="depot")
    for d, (x, y) in zip(depots, dxy, strict=True):
        ax.annotate(d.name, (x, y), xytext=(5, 5), textcoords="offset points", fontsize=9,
                    fontweight="bold")
    if label_stops:
        for s in stops:
            ax.annotate(s.name, _point(model, s.name), xytext=(3, -9), textcoords="offset points",
                        fontsize=7, color="0.25")

    if model.coordinates == "latlon":
        ax.set_xlabel("longitude")
        ax.set_ylabel("latitude")
        mean_lat = float(np.mean([p[1] for p in [_point(model, d.name) for d in depots]]))
        ax.set_aspect(1 / max(math.cos(math.radians(mean_lat)), 0.1))
    else:
        ax.set_xlabel("x")
        ax.set_ylabel("y")
        ax.set_aspect("equal")
    if title is None:
        cost = "-" if result.objective is None else f"{result.objective:,.2f}"
        title = (f"{len(result.routes)} routes · {result.total_distance:,.1f} {unit} · "
                 f"cost {cost} · {result.status.value}")
    ax.set_title(title)
    handles, labels = ax.get_legend_handles_labels()
    extra = len(result.routes) - MAX_LEGEND_ROUTES
    if extra > 0:
        keep = list(range(MAX_LEGEND_ROUTES)) + list(range(len(result.routes), len(handles)))
        handles, labels = [handles[i] for i in keep], [labels[i] for i in keep]
        ax.plot([], [], " ", label=f"… {extra} more routes")
        h, lab = ax.get_legend_handles_labels()
        handles.append(h[-1])
        labels.append(lab[-1])
    ax.legend(handles, labels, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small",
              frameon=False)
    ax.grid(alpha=0.25)
    if path is not None:
        out = Path(path)
        out.parent.mkdir(parents=True, exist_ok=True)
        ax.figure.savefig(out, dpi=120)
    return ax
