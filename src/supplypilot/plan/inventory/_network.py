"""Network bookkeeping for multi-echelon planning: demand propagation and assembly reduction.

Before any multi-echelon optimisation, two questions come first: what demand does each location
really see (its own customers plus everything it ships downstream), and, for assembly systems,
which serial line is equivalent (Rosling, 1989). Both are pure graph computations and are kept
apart from the optimisers so they can be checked on their own.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

from supplypilot.errors import InputError


def propagate_demand(successors: Mapping[Hashable, Sequence[Hashable]],
                     demand_mean: Mapping[Hashable, float],
                     demand_std: Mapping[Hashable, float] | None = None,
                     units: Mapping[tuple[Hashable, Hashable], float] | None = None
                     ) -> tuple[dict, dict]:
    """Mean and standard deviation of the demand every node must supply.

    A node serves its own customers plus ``units`` per unit made by each successor; streams are
    taken as independent, so variances add. This is the "derived demand" that sizes stock at a
    central warehouse.

    Parameters
    ----------
    successors
        ``{node: [downstream nodes]}`` for every node (leaves map to ``[]``).
    demand_mean, demand_std
        External demand per node (missing nodes have none).
    units
        ``{(upstream, downstream): units}`` (default 1).

    Returns
    -------
    (means, stds)
        Two dicts keyed by node.
    """
    std = demand_std or {}
    per = units or {}
    means: dict[Hashable, float] = {}
    variances: dict[Hashable, float] = {}
    visiting: set[Hashable] = set()

    def visit(n: Hashable) -> None:
        if n in means:
            return
        if n in visiting:
            raise InputError(f"The network has a directed cycle through {n!r}; demand cannot be "
                             f"propagated.", where="successors")
        visiting.add(n)
        m = float(demand_mean.get(n, 0.0) or 0.0)
        v = float(std.get(n, 0.0) or 0.0) ** 2
        for d in successors.get(n, ()):
            visit(d)
            q = per.get((n, d), 1.0)
            m += q * means[d]
            v += q * q * variances[d]
        visiting.discard(n)
        means[n], variances[n] = m, v

    for node in successors:
        visit(node)
    return means, {n: math.sqrt(v) for n, v in variances.items()}


@dataclass(frozen=True)
class AssemblyReduction:
    """Rosling's equivalent serial system of an assembly network."""

    forward_echelon_lead_time: dict
    equivalent_lead_time: dict
    serial_order: list


def rosling_reduction(lead_time: Mapping[Hashable, float],
                      successor: Mapping[Hashable, Hashable | None]) -> AssemblyReduction:
    """Reduce an assembly system (each node has at most one successor) to a serial one.

    The *forward echelon lead time* of a node is the longest lead time from when it orders to
    when its material reaches the customer. Sorting nodes by it gives the equivalent serial
    line, and the difference between consecutive values is each node's *equivalent lead time*;
    under balanced echelon base-stock policies the assembly system then behaves exactly like
    that serial system (Rosling, 1989). Ties are broken by the order of ``lead_time``.

    Parameters
    ----------
    lead_time
        Shipment lead time of each node.
    successor
        The one downstream node of each node (``None`` for the customer-facing node).
    """
    forward: dict[Hashable, float] = {}

    def visit(n: Hashable, depth: int = 0) -> float:
        if n not in forward:
            if depth > len(lead_time):
                raise InputError("The assembly network has a cycle.", where="successor")
            if n not in lead_time:
                raise InputError(f"Node {n!r} has no lead time.", where="lead_time")
            nxt = successor.get(n)
            forward[n] = float(lead_time[n]) + (visit(nxt, depth + 1) if nxt is not None else 0.0)
        return forward[n]

    for n in lead_time:
        visit(n)
    position = {n: i for i, n in enumerate(lead_time)}
    order = sorted(lead_time, key=lambda n: (forward[n], position[n]))
    equivalent = {}
    previous = 0.0
    for n in order:
        equivalent[n] = forward[n] - previous
        previous = forward[n]
    return AssemblyReduction(forward, equivalent, order)
