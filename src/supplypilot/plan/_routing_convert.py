"""From PyVRP's integer solution back to planner units, with the reasons a planner asks for.

Also the checks made *before* solving: a stop that no vehicle could serve even on a route of
its own, and a fleet too small for the required demand. Both are certain without a search, so
they are reported at once instead of as an infeasible plan after the time limit.
"""

from __future__ import annotations

from collections import Counter
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

import numpy as np
import pyvrp

from supplypilot.plan._routing_result import (
    RoutingResult,
    UnservedStop,
    VehicleRoute,
    Visit,
    clock,
)
from supplypilot.plan.result import SolveStatus

if TYPE_CHECKING:
    from supplypilot.plan._routing_model import RoutingModel, Stop, VehicleType

INT_MAX = int(np.iinfo(np.int64).max)


def solver_name() -> str:
    try:
        return f"pyvrp {version('pyvrp')}"
    except PackageNotFoundError:  # pragma: no cover - a source checkout of PyVRP
        return "pyvrp"


def _s(minutes: float | None) -> int:
    return INT_MAX if minutes is None else int(round(minutes * 60))


# --------------------------------------------------------------------------- before solving


def _why_not_alone(model: RoutingModel, stop: Stop, j: int, vt: VehicleType,
                   dur: np.ndarray | None) -> str | None:
    """Why ``vt`` cannot serve ``stop`` even on a route of its own (None when it can).

    With distances from coordinates the direct trip is the fastest one (triangle inequality),
    so failing alone means failing on any route. A given matrix may break that, so only the
    capacity, which no detour changes, is checked then.
    """
    if stop.demand > vt.capacity:
        return f"its demand {stop.demand} is more than the capacity {vt.capacity}"
    if dur is None:
        return None
    depots = model.depots
    d, e, i = depots.index(vt.start_depot), depots.index(vt.end_depot), len(depots) + j
    steps = model.distance_steps()
    start = max(_s(vt.tw_early), _s(vt.start_depot.tw_early))
    arrive = start + int(dur[d, i])
    if stop.tw_late is not None and arrive > _s(stop.tw_late):
        return (f"the earliest arrival is {clock(arrive / 60)} (leaving {vt.start_depot.name!r} "
                f"at {clock(start / 60)}), after it closes at {clock(stop.tw_late)}")
    back = max(arrive, _s(stop.tw_early)) + _s(stop.service_time) + int(dur[i, e])
    close = min(_s(vt.tw_late), _s(vt.end_depot.tw_late))
    if back > close:
        return (f"the vehicle cannot be back at {vt.end_depot.name!r} by {clock(close / 60)} "
                f"(earliest return {clock(back / 60)})")
    trip = int(dur[d, i]) + _s(stop.service_time) + int(dur[i, e])
    if vt.max_duration is not None and trip > _s(vt.max_duration):
        return (f"the round trip takes {trip / 60:,.1f} min, more than the "
                f"{vt.max_duration:g} min limit")
    dist = int(steps[d, i] + steps[i, e])
    limit = None if vt.max_distance is None else vt.max_distance * model.distance_scale
    if limit is not None and dist > limit + 1e-9:
        unit = model.distance_unit
        return (f"the round trip is {dist / model.distance_scale:,.1f} {unit}, more than the "
                f"{vt.max_distance:g} {unit} limit")
    return None


def impossible_stops(model: RoutingModel) -> dict[str, str]:
    """Stops that no vehicle type can serve, with the reason for each type."""
    metric = not model.has_distance_matrix
    durations = {vt.name: model.duration_seconds(vt.speed_kmh) if metric else None
                 for vt in model.vehicle_types}
    out: dict[str, str] = {}
    for j, stop in enumerate(model.stops):
        whys = []
        for vt in model.vehicle_types:
            why = _why_not_alone(model, stop, j, vt, durations[vt.name])
            if why is None:
                break
            whys.append(f"{vt.name!r}: {why}")
        else:
            out[stop.name] = "; ".join(whys)
    return out


def fleet_shortfall(model: RoutingModel) -> str | None:
    """A sentence when the required demand exceeds what the whole fleet carries in one trip."""
    need = sum(s.demand for s in model.stops if s.required)
    have = sum(v.count * v.capacity for v in model.vehicle_types)
    if need <= have:
        return None
    fleet = " + ".join(f"{v.count} × {v.capacity} ({v.name})" for v in model.vehicle_types)
    return (f"the required stops need {need:,} units but the fleet carries at most {have:,} "
            f"({fleet}); add vehicles or make some stops optional")


def infeasible_result(model: RoutingModel, shortfall: str, seed: int) -> RoutingResult:
    return RoutingResult(
        status=SolveStatus.INFEASIBLE, solver=solver_name(), seed=seed,
        conflicts=[shortfall], reasons=["no search was run: the fleet capacity rules out any plan"],
        distance_unit=model.distance_unit, fleet_size=sum(v.count for v in model.vehicle_types),
        num_stops=len(model.stops))


# --------------------------------------------------------------------------- after solving


def _route(model: RoutingModel, data: pyvrp.ProblemData, r: Any, vehicle: str,
           money: int) -> VehicleRoute:
    vt = model.vehicle_types[r.vehicle_type()]
    stops = model.stops
    load = int(r.delivery()[0]) if r.delivery() else 0
    on_board, visits = load, []
    for act in r.schedule():
        if not act.is_client():
            continue
        stop = stops[act.idx]
        on_board -= stop.demand
        start, wait = act.start_time / 60, act.wait_duration / 60
        visits.append(Visit(stop=stop.name, arrival=start - wait, service_start=start,
                            departure=act.end_time / 60, wait=wait, quantity=stop.demand,
                            load_after=on_board, late_by=act.time_warp / 60))
    depots = model.depots
    cost = (r.fixed_vehicle_cost() + r.distance_cost() + r.duration_cost()) / money
    return VehicleRoute(
        vehicle=vehicle, vehicle_type=vt.name, start_depot=depots[r.start_depot()].name,
        end_depot=depots[r.end_depot()].name, visits=tuple(visits), load=load,
        capacity=vt.capacity, distance=r.distance() / model.distance_scale,
        duration=r.duration() / 60, start_time=r.start_time() / 60, end_time=r.end_time() / 60,
        cost=cost, feasible=r.is_feasible())


def _path(data: pyvrp.ProblemData, r: Any) -> list[int]:
    """Location indices along a route, depots included."""
    return [data.depot(a.idx).location if a.is_depot() else data.client(a.idx).location
            for a in r.schedule()]


def _explain(model: RoutingModel, data: pyvrp.ProblemData, best: pyvrp.Solution,
             names: list[str], client: int, money: int) -> str:
    """Why an optional stop was left out: its prize against the cheapest way to serve it."""
    stop = model.stops[client]
    loc = data.client(client).location
    steps = model.distance_steps()
    unit = model.distance_unit
    options: list[tuple[float, str]] = []
    used = Counter(r.vehicle_type() for r in best.routes())
    for r, name in zip(best.routes(), names, strict=True):
        vt = data.vehicle_type(r.vehicle_type())
        if vt.capacity[0] - (r.delivery()[0] if r.delivery() else 0) < stop.demand:
            continue
        path = _path(data, r)
        detour = min(int(steps[a, loc] + steps[loc, b] - steps[a, b])
                     for a, b in zip(path[:-1], path[1:], strict=True))
        options.append((detour * vt.unit_distance_cost / money,
                        f"a {detour / model.distance_scale:,.1f} {unit} detour on {name}"))
    for t, vt in enumerate(data.vehicle_types()):
        if used[t] < vt.num_available and vt.capacity[0] >= stop.demand:
            trip = int(steps[data.depot(vt.start_depot).location, loc]
                       + steps[loc, data.depot(vt.end_depot).location])
            options.append(((vt.fixed_cost + trip * vt.unit_distance_cost) / money,
                            f"an extra {vt.name} ({trip / model.distance_scale:,.1f} {unit} "
                            "there and back)"))
    if not options:
        return f"optional; no vehicle had room left for its {stop.demand} units"
    cost, how = min(options)
    if cost > stop.prize:
        return (f"optional; serving it costs at least {cost:,.2f} ({how}), more than its prize "
                f"{stop.prize:,.2f}")
    return (f"optional; {how} would cost {cost:,.2f}, less than its prize {stop.prize:,.2f}, "
            "but it breaks a time window, shift or distance limit (or the search stopped first)")


def _violations(best: pyvrp.Solution, model: RoutingModel) -> list[str]:
    out = []
    if best.has_excess_load():
        out.append(f"vehicles loaded over capacity by {best.excess_load()[0]:,} units in all")
    if best.has_time_warp():
        out.append(f"time windows or shifts missed by {best.time_warp() / 60:,.1f} min in all")
    if best.has_excess_distance():
        out.append(f"distance limits exceeded by "
                   f"{best.excess_distance() / model.distance_scale:,.1f} {model.distance_unit}")
    if not best.is_complete():
        out.append(f"{best.num_missing_clients()} required stops not routed")
    return out


def to_result(model: RoutingModel, data: pyvrp.ProblemData, res: pyvrp.Result, seed: int,
              impossible: dict[str, str], criterion: Any) -> RoutingResult:
    """Turn PyVRP's result into a :class:`RoutingResult` in planner units."""
    units = model.units()
    money = units.money_scale
    best = res.best
    feasible = best.is_feasible()
    counters: Counter[str] = Counter()
    routes, names = [], []
    for r in best.routes():
        vt = model.vehicle_types[r.vehicle_type()]
        counters[vt.name] += 1
        names.append(f"{vt.name}-{counters[vt.name]}")
        routes.append(_route(model, data, r, names[-1], money))
    unserved = []
    for act in best.unplanned():
        if not act.is_client():
            continue
        stop = model.stops[act.idx]
        if stop.name in impossible:
            reason = f"no vehicle can serve it ({impossible[stop.name]})"
        elif stop.required:
            reason = "required, but left out of the best plan found, which is infeasible"
        else:
            reason = _explain(model, data, best, names, act.idx, money)
        unserved.append(UnservedStop(stop.name, stop.required, reason))
    binding = [f"capacity of {r.vehicle} ({r.load}/{r.capacity})" for r in routes
               if r.load == r.capacity]
    by_type = {vt.name: vt for vt in model.vehicle_types}
    binding += [f"max duration of {r.vehicle} ({r.duration:,.1f} min)" for r in routes
                if (d := by_type[r.vehicle_type].max_duration) is not None
                and r.duration >= d - 1 / 60]
    binding += [f"all {vt.count} vehicles of type {vt.name!r} used" for vt in model.vehicle_types
                if counters[vt.name] == vt.count]
    reasons = [] if feasible else [
        "the best plan found breaks: " + "; ".join(_violations(best, model))]
    return RoutingResult(
        status=SolveStatus.FEASIBLE if feasible else SolveStatus.NONE,
        objective=res.cost() / money if feasible else None, runtime=res.runtime,
        solver=solver_name(), seed=seed, binding=binding, reasons=reasons,
        extra={"stop": repr(criterion), "rounding": model.rounding,
               "distance_scale": units.distance_scale, "money_scale": money},
        routes=routes, unserved=unserved,
        total_distance=best.distance() / units.distance_scale, distance_unit=units.distance_unit,
        fleet_size=sum(v.count for v in model.vehicle_types), num_stops=len(model.stops),
        fixed_cost=best.fixed_vehicle_cost() / money, distance_cost=best.distance_cost() / money,
        uncollected_prizes=best.uncollected_prizes() / money, num_iterations=res.num_iterations)
