"""Guaranteed-service model (GSM) for serial, assembly, distribution and tree networks.

In the GSM every stage quotes its customers a *committed service time* ``S`` and keeps enough
safety stock to meet it whenever demand stays within a bound (``z`` standard deviations). A stage
whose suppliers quote ``SI`` and whose own processing takes ``T`` must cover its *net
replenishment time* ``SI + T - S``, which costs ``h z sigma sqrt(SI + T - S)`` in safety stock.
Choosing the ``S`` of all stages together is a tree-shaped optimisation that the Graves-Willems
(2000) dynamic programme solves exactly: label the stages so that each has exactly one neighbour
with a larger label, then solve each stage's sub-tree as a function of the one service time it
shares with that neighbour.
"""

from __future__ import annotations

import math
import time
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field

import numpy as np

from supplypilot.errors import InputError, UnknownEntityError
from supplypilot.plan.inventory._validate import check_number, nonneg
from supplypilot.plan.result import PlanResult, SolveStatus

INF = math.inf


def label_tree(nodes: Sequence[Hashable], edges: Sequence[tuple[Hashable, Hashable]]) -> dict:
    """Graves-Willems labelling: repeatedly take the first unlabelled node with at most one
    unlabelled neighbour.

    Returns ``{node: label}`` with labels 1..n. Every node but the last then has exactly one
    neighbour with a larger label, which is what makes the tree DP a sequence of one-dimensional
    problems. Raises :class:`InputError` when the undirected graph has a cycle or is split.
    """
    adjacent: dict[Hashable, set] = {n: set() for n in nodes}
    for a, b in edges:
        adjacent[a].add(b)
        adjacent[b].add(a)
    labels: dict[Hashable, int] = {}
    for k in range(1, len(adjacent) + 1):
        pick = next((n for n in adjacent if n not in labels
                     and sum(m not in labels for m in adjacent[n]) <= 1), None)
        if pick is None:
            raise InputError("The network is not a tree: some stages form a cycle, so the "
                             "guaranteed-service tree algorithm does not apply.", where="links")
        labels[pick] = k
    if len(edges) != len(adjacent) - 1:
        raise InputError(f"The network is not connected: {len(adjacent)} stages but "
                         f"{len(edges)} links (a tree needs {len(adjacent) - 1}).", where="links")
    return labels


@dataclass
class Stage:
    """One stage (a location or a production step) of a guaranteed-service model."""

    name: Hashable
    processing_time: int
    holding_cost: float
    demand_mean: float = 0.0
    demand_std: float = 0.0
    max_service_time: int | None = None
    external_inbound_service_time: int = 0
    demand_bound: float = 1.645


@dataclass
class GSMResult(PlanResult):
    """Committed service times, net replenishment times and safety stock per stage."""

    service_times: dict = field(default_factory=dict)
    inbound_service_times: dict = field(default_factory=dict)
    net_replenishment_times: dict = field(default_factory=dict)
    safety_stock: dict = field(default_factory=dict)
    base_stock: dict = field(default_factory=dict)

    def summary(self) -> str:
        """The common result head, then one line per stage."""
        lines = [super().summary()]
        for row in self.table():
            lines.append(f"stage {row['stage']}: SI {row['inbound_service_time']}, "
                         f"S {row['service_time']}, NRT {row['net_replenishment_time']}, "
                         f"safety stock {row['safety_stock']:,.2f}")
        return "\n".join(lines)

    def table(self) -> list[dict]:
        """One row per stage, in the order the stages were added."""
        return [{"stage": n, "inbound_service_time": self.inbound_service_times[n],
                 "service_time": self.service_times[n],
                 "net_replenishment_time": self.net_replenishment_times[n],
                 "safety_stock": self.safety_stock[n], "base_stock": self.base_stock[n]}
                for n in self.service_times]


class GuaranteedServiceModel:
    """Build a GSM network stage by stage, then :meth:`solve` it exactly.

    Examples
    --------
    >>> m = GuaranteedServiceModel()
    >>> _ = m.add_stage("supplier", processing_time=2, holding_cost=1,
    ...                 external_inbound_service_time=1, demand_bound=1)
    >>> _ = m.add_stage("plant", processing_time=1, holding_cost=2, demand_bound=1)
    >>> _ = m.add_stage("dc", processing_time=1, holding_cost=3, demand_std=1,
    ...                 max_service_time=0, demand_bound=1)
    >>> m.add_link("supplier", "plant"); m.add_link("plant", "dc")
    >>> res = m.solve()
    >>> round(res.objective, 4), res.service_times
    (5.9747, {'supplier': 0, 'plant': 1, 'dc': 0})
    """

    def __init__(self) -> None:
        self.stages: dict[Hashable, Stage] = {}
        self.links: list[tuple[Hashable, Hashable, float]] = []

    def add_stage(self, name: Hashable, processing_time: int, holding_cost: float, *,
                  demand_mean: float = 0.0, demand_std: float = 0.0,
                  max_service_time: int | None = None, external_inbound_service_time: int = 0,
                  demand_bound: float = 1.645) -> Stage:
        """Add a stage.

        Parameters
        ----------
        name
            Any hashable id, unique in this model.
        processing_time
            Whole periods ``T`` from receiving inputs to having the stage's output ready.
        holding_cost
            Holding cost per unit per period of this stage's output.
        demand_mean, demand_std
            External (customer) demand per period at this stage, if any.
        max_service_time
            Longest service time the stage may quote its external customers (default 0 for a
            stage with external demand: serve from stock).
        external_inbound_service_time
            Service time quoted by an outside supplier (stages without an upstream stage).
        demand_bound
            ``z``: safety stock covers demand up to ``z`` standard deviations above the mean.
        """
        f = "add_stage"
        if name in self.stages:
            raise InputError(f"A stage named {name!r} is already in this model.", where="name")
        stage = Stage(
            name, check_number(processing_time, "processing_time", f, low=0, integer=True),
            nonneg(holding_cost, "holding_cost", f), nonneg(demand_mean, "demand_mean", f),
            nonneg(demand_std, "demand_std", f),
            None if max_service_time is None else
            check_number(max_service_time, "max_service_time", f, low=0, integer=True),
            check_number(external_inbound_service_time, "external_inbound_service_time", f,
                         low=0, integer=True),
            nonneg(demand_bound, "demand_bound", f))
        self.stages[name] = stage
        return stage

    def add_link(self, upstream: Hashable, downstream: Hashable, units: float = 1.0) -> None:
        """``downstream`` needs ``units`` of ``upstream``'s output per unit it makes."""
        for n in (upstream, downstream):
            if n not in self.stages:
                raise UnknownEntityError("stage", str(n), "Add it with add_stage first; the "
                                         "stage is not in this model instance.")
        self.links.append((upstream, downstream,
                           check_number(units, "units", "add_link", low=0.0, low_open=True)))

    def net_demand(self) -> tuple[dict, dict]:
        """Mean and standard deviation of the demand each stage must serve (own plus
        downstream stages' needs, independent streams)."""
        succ: dict[Hashable, list[tuple[Hashable, float]]] = {n: [] for n in self.stages}
        for u, d, q in self.links:
            succ[u].append((d, q))
        means: dict[Hashable, float] = {}
        vars_: dict[Hashable, float] = {}

        def visit(n: Hashable) -> None:
            if n in means:
                return
            m, v = self.stages[n].demand_mean, self.stages[n].demand_std ** 2
            for d, q in succ[n]:
                visit(d)
                m += q * means[d]
                v += q * q * vars_[d]
            means[n], vars_[n] = m, v

        for n in self.stages:
            visit(n)
        return means, {n: math.sqrt(v) for n, v in vars_.items()}

    def solve(self) -> GSMResult:
        """Exact Graves-Willems dynamic programme over integer service times."""
        start = time.perf_counter()
        if not self.stages:
            raise InputError("The model has no stages. Add stages with add_stage first.",
                             where="stages")
        names = list(self.stages)
        labels = label_tree(names, [(u, d) for u, d, _ in self.links])
        order = sorted(names, key=labels.get)
        preds = {n: [u for u, d, _ in self.links if d == n] for n in names}
        succs = {n: [d for u, d, _ in self.links if u == n] for n in names}
        mean, sigma = self.net_demand()
        top = self._longest_path(order, preds)
        size = top + 1
        grid = np.arange(size)
        stage_cost: dict[Hashable, np.ndarray] = {}
        f_min: dict[Hashable, np.ndarray] = {}   # best subtree cost for each S
        g_min: dict[Hashable, np.ndarray] = {}   # best subtree cost for each SI
        children: dict[Hashable, list[Hashable]] = {}
        for n in order:
            st = self.stages[n]
            nrt = grid[None, :] + st.processing_time - grid[:, None]  # rows S, columns SI
            c = np.where(nrt >= 0, st.holding_cost * st.demand_bound * sigma[n]
                         * np.sqrt(np.maximum(nrt, 0)), INF)
            if not preds[n]:
                c[:, grid < st.external_inbound_service_time] = INF
            if st.demand_mean > 0 or st.demand_std > 0 or not succs[n]:
                limit = 0 if st.max_service_time is None else st.max_service_time
                c[grid > limit, :] = INF
            kids = [m for m in preds[n] + succs[n] if labels[m] < labels[n]]
            children[n] = kids
            for m in kids:
                if m in preds[n]:   # upstream child: its S must not exceed our SI
                    c += np.minimum.accumulate(f_min[m])[None, :]
                else:               # downstream child: its SI must be at least our S
                    c += np.minimum.accumulate(g_min[m][::-1])[::-1][:, None]
            stage_cost[n] = c
            f_min[n] = c.min(axis=1)
            g_min[n] = c.min(axis=0)
        root = order[-1]
        best = float(stage_cost[root].min())
        if not math.isfinite(best):
            raise InputError("No feasible service times: a stage with external demand cannot "
                             "meet its maximum service time even with every upstream stage "
                             "holding stock.", where="max_service_time")
        s_out: dict[Hashable, int] = {}
        s_in: dict[Hashable, int] = {}
        i, j = np.unravel_index(int(np.argmin(stage_cost[root])), stage_cost[root].shape)
        self._assign(root, int(i), int(j), children, preds, stage_cost, f_min, g_min, s_out, s_in)
        result = GSMResult(SolveStatus.OPTIMAL, objective=best, bound=best,
                           runtime=time.perf_counter() - start,
                           solver="supplypilot GSM tree DP (Graves-Willems)")
        for n in names:
            st = self.stages[n]
            nrt = s_in[n] + st.processing_time - s_out[n]
            ss = st.demand_bound * sigma[n] * math.sqrt(nrt)
            result.service_times[n] = s_out[n]
            result.inbound_service_times[n] = s_in[n]
            result.net_replenishment_times[n] = nrt
            result.safety_stock[n] = ss
            result.base_stock[n] = mean[n] * nrt + ss
        result.reasons.append(
            "Each stage holds safety stock only for its net replenishment time (inbound service "
            "time + processing time - committed service time); the service times chosen minimise "
            "total safety-stock holding cost over the whole network.")
        return result

    def _longest_path(self, order: list, preds: dict) -> int:
        longest: dict[Hashable, int] = {}

        def visit(n: Hashable) -> int:
            if n not in longest:
                st = self.stages[n]
                before = max((visit(m) for m in preds[n]), default=st.external_inbound_service_time)
                longest[n] = before + st.processing_time
            return longest[n]

        return max(visit(n) for n in order)

    def _assign(self, n: Hashable, s: int, si: int, children: dict, preds: dict,
                stage_cost: dict, f_min: dict, g_min: dict, s_out: dict, s_in: dict) -> None:
        s_out[n], s_in[n] = s, si
        for m in children[n]:
            if m in preds[n]:
                sm = int(np.argmin(f_min[m][: si + 1]))
                sim = int(np.argmin(stage_cost[m][sm, :]))
            else:
                sim = s + int(np.argmin(g_min[m][s:]))
                sm = int(np.argmin(stage_cost[m][:, sim]))
            self._assign(m, sm, sim, children, preds, stage_cost, f_min, g_min, s_out, s_in)
