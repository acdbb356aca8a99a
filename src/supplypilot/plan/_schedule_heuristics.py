"""Fast constructive schedules: CP-SAT's first hint and its fallback.

A complete, feasible solution hint lets CP-SAT start improving at once and lets the model use a
tight horizon (any optimal makespan is at most the hint's). Three constructions:

* dispatching (non-delay list scheduling): the operation that can start first goes next, ties
  broken by most work remaining (makespan) or earliest due date per weight (tardiness);
* priority lists: operations in a given order, e.g. by their start in a previous schedule; this
  keeps the previous machine sequences and, with each operation held to its previous start,
  reproduces a previous schedule that is still feasible slot for slot (the warm-start repair:
  unchanged work keeps its slot, and work that no longer fits moves only as late as it must);
* job orders: whole jobs one after the other, which keeps one common job order on every machine
  (permutation flow shops), with the order from NEH (Nawaz, Enscore and Ham, 1983), optionally
  improved by iterated greedy (Ruiz and Stuetzle, 2007).

All of them respect releases, routings, calendars and sequence-dependent setups, because they
place each operation at the earliest time its machine, its job and the machine calendar allow.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from supplypilot.plan._schedule_data import ScheduleData


@dataclass(frozen=True)
class Assignment:
    """Where and when one operation runs; ``setup`` ends where the operation starts."""

    machine: int
    start: int
    end: int
    setup: int


class _State:
    """Machines' and jobs' progress while operations are appended one by one."""

    def __init__(self, data: ScheduleData) -> None:
        self.data = data
        self.job_ready = [job.release for job in data.jobs]
        self.next_pos = [0] * len(data.jobs)
        self.machine_ready = [0] * len(data.machines)
        self.machine_family: list[str | None] = [None] * len(data.machines)
        self.machine_used = [False] * len(data.machines)
        self.plan: list[Assignment | None] = [None] * len(data.ops)

    def option(self, op_index: int, machine: int, duration: int,
               not_before: int | None = None) -> Assignment | None:
        """Earliest placement of ``op_index`` appended on ``machine`` (starting no earlier than
        ``not_before`` when given), or None if none fits."""
        data = self.data
        op = data.ops[op_index]
        if self.machine_used[machine]:
            setup = data.setup(machine, self.machine_family[machine], op.family)
        else:
            setup = data.first_setup(machine, op.family)
        ready = max(self.machine_ready[machine], self.job_ready[op.job] - setup)
        if not_before is not None:
            ready = max(ready, not_before - setup)
        begin = data.machines[machine].calendar.earliest_fit(ready, setup + duration)
        if begin is None:
            return None
        return Assignment(machine, begin + setup, begin + setup + duration, setup)

    def best(self, op_index: int, machine: int | None = None,
             not_before: int | None = None) -> Assignment | None:
        """Placement of ``op_index`` on ``machine`` or, if None, on the machine ending it first."""
        options = [self.option(op_index, m, d, not_before) for m, d in self.data.ops[op_index].alternatives
                   if machine is None or m == machine]
        options = [a for a in options if a is not None]
        if not options and machine is not None:
            return self.best(op_index, None, not_before)
        return min(options, key=lambda a: (a.end, a.start), default=None)

    def commit(self, op_index: int, a: Assignment) -> None:
        op = self.data.ops[op_index]
        self.plan[op_index] = a
        self.job_ready[op.job] = a.end
        self.next_pos[op.job] += 1
        self.machine_ready[a.machine] = a.end
        self.machine_family[a.machine] = op.family
        self.machine_used[a.machine] = True

    def eligible(self) -> list[int]:
        """Next operation of every unfinished job."""
        out = []
        for j, ops in enumerate(self.data.job_ops):
            if self.next_pos[j] < len(ops):
                out.append(ops[self.next_pos[j]])
        return out


def dispatch(data: ScheduleData, rule: str = "mwkr") -> list[Assignment] | None:
    """Non-delay dispatching: the operation that can start first goes next.

    Ties go to the job with most work remaining (``rule="mwkr"``, good for makespan) or to the
    smallest due date per weight (``rule="edd"``, good for tardiness). Returns None when some
    operation fits no working window (a calendar closes too early).
    """
    state = _State(data)
    remaining = [sum(data.ops[o].min_duration for o in ops) for ops in data.job_ops]
    inf = float("inf")
    for _ in range(len(data.ops)):
        best: tuple[tuple[float, ...], int, Assignment] | None = None
        for o in state.eligible():
            a = state.best(o)
            if a is None:
                return None
            j = data.ops[o].job
            job = data.jobs[j]
            if rule == "edd":
                tie = (inf if job.due is None else job.due / max(job.weight, 1), -remaining[j])
            else:
                tie = (-remaining[j], 0.0)
            key = (float(a.start), *tie)
            if best is None or key < best[0]:
                best = (key, o, a)
        if best is None:  # no eligible operation left: cannot happen with len(ops) steps
            break
        _, o, a = best
        state.commit(o, a)
        remaining[data.ops[o].job] -= data.ops[o].min_duration
    return list(state.plan)  # type: ignore[arg-type]


def by_priority(data: ScheduleData, priority: Mapping[int, float],
                machine_of: Mapping[int, int] | None = None,
                not_before: Mapping[int, int] | None = None) -> list[Assignment] | None:
    """Operations in increasing ``priority`` (among those whose job predecessor is placed).

    With priorities equal to the start times of a previous schedule, every machine keeps its
    previous sequence and each operation starts no later than before, as long as the previous
    schedule is still feasible; ``machine_of`` keeps the previous machine choices. With
    ``not_before`` (the previous starts) an operation does not start earlier than before either,
    so a schedule that is still feasible comes back unchanged.
    """
    state = _State(data)
    machine_of = machine_of or {}
    not_before = not_before or {}
    for _ in range(len(data.ops)):
        o = min(state.eligible(), key=lambda i: (priority.get(i, float("inf")), i))
        a = state.best(o, machine_of.get(o), not_before.get(o))
        if a is None:
            return None
        state.commit(o, a)
    return list(state.plan)  # type: ignore[arg-type]


def by_job_order(data: ScheduleData, order: Sequence[int]) -> list[Assignment] | None:
    """Whole jobs one after the other in ``order``: one common job order on every machine."""
    state = _State(data)
    for j in order:
        for o in data.job_ops[j]:
            a = state.best(o)
            if a is None:
                return None
            state.commit(o, a)
    return list(state.plan)  # type: ignore[arg-type]


def flow_matrix(data: ScheduleData) -> np.ndarray | None:
    """Processing times ``p[job, stage]`` when every job has the same routing, else None."""
    routes = {tuple(data.ops[o].alternatives[0][0] for o in ops) for ops in data.job_ops}
    if len(routes) != 1 or any(len(op.alternatives) != 1 for op in data.ops):
        return None
    return np.array([[data.ops[o].alternatives[0][1] for o in ops] for ops in data.job_ops],
                    dtype=np.int64)


def permutation_makespan(p: np.ndarray, order: Sequence[int]) -> int:
    """Makespan of a permutation flow shop processing jobs in ``order``."""
    done = np.zeros(p.shape[1], dtype=np.int64)
    for j in order:
        t = 0
        for k in range(p.shape[1]):
            t = max(t, int(done[k])) + int(p[j, k])
            done[k] = t
    return int(done[-1]) if len(order) else 0


def _insert_best(rows: list[list[int]], seq: list[int], job: int) -> int:
    """Insert ``job`` where the partial makespan is smallest; returns that makespan.

    Taillard's (1990) heads (end times of the jobs before each slot) and tails (time from each
    slot to the end) evaluate all ``len(seq) + 1`` slots in O(len(seq) x stages) instead of
    one full makespan computation per slot.
    """
    m, k = len(rows[job]), len(seq)
    heads = [[0] * (m + 1) for _ in range(k + 1)]
    for i in range(1, k + 1):
        row, prev, cur = rows[seq[i - 1]], heads[i - 1], heads[i]
        for s in range(1, m + 1):
            cur[s] = max(prev[s], cur[s - 1]) + row[s - 1]
    tails = [[0] * (m + 2) for _ in range(k + 2)]
    for i in range(k, 0, -1):
        row, nxt, cur = rows[seq[i - 1]], tails[i + 1], tails[i]
        for s in range(m, 0, -1):
            cur[s] = max(nxt[s], cur[s + 1]) + row[s - 1]
    new = rows[job]
    best, best_pos = None, 0
    for i in range(k + 1):
        head, tail, end, span = heads[i], tails[i + 1], 0, 0
        for s in range(1, m + 1):
            end = max(end, head[s]) + new[s - 1]
            span = max(span, end + tail[s])
        if best is None or span < best:
            best, best_pos = span, i
    seq.insert(best_pos, job)
    return int(best or 0)


def neh(p: np.ndarray) -> list[int]:
    """NEH job order for the permutation flow shop ``p[job, stage]``.

    Jobs are taken by decreasing total work and each is inserted where the partial makespan is
    smallest (Nawaz, Enscore and Ham 1983), the best-known constructive rule for this problem.
    """
    rows = p.tolist()
    order = [int(j) for j in np.argsort(-p.sum(axis=1), kind="stable")]
    seq = [order[0]]
    for job in order[1:]:
        _insert_best(rows, seq, job)
    return seq


def iterated_greedy(p: np.ndarray, order: Sequence[int], seconds: float, seed: int = 0,
                    destroy: int = 4, temperature: float = 0.4) -> list[int]:
    """Improve a permutation by Ruiz and Stuetzle's (2007) iterated greedy, for ``seconds``.

    Each round removes ``destroy`` random jobs, re-inserts them greedily, applies insertion
    local search and accepts a worse order with a simulated-annealing-like probability. It is
    the simplest method known to reach ~1 % of the best-known makespans on Taillard's
    instances within seconds, which gives CP-SAT a much better start than NEH alone. It stops
    early at the trivial lower bound (the largest machine or job load) or after ``200 * jobs``
    rounds without a better order, so that small instances do not use the whole budget.
    """
    rows = p.tolist()
    n = len(rows)
    if n < 3 or seconds <= 0:
        return list(order)
    rng = random.Random(seed)
    threshold = temperature * float(p.sum()) / (n * p.shape[1] * 10)
    current = list(order)
    current_span = permutation_makespan(p, current)
    best, best_span = list(current), current_span
    deadline = time.perf_counter() + seconds
    bound = max(int(p.sum(axis=0).max()), int(p.sum(axis=1).max()))
    stall = 0
    while time.perf_counter() < deadline and best_span > bound and stall < 200 * n:
        stall += 1
        seq = list(current)
        removed = [seq.pop(rng.randrange(len(seq))) for _ in range(min(destroy, n - 1))]
        span = 0
        for job in removed:
            span = _insert_best(rows, seq, job)
        span = _local_search(rows, seq, span, rng, deadline)
        if span < current_span or rng.random() <= math.exp(-(span - current_span) / threshold):
            current, current_span = seq, span
            if span < best_span:
                best, best_span, stall = list(seq), span, 0
    return best


def _local_search(rows: list[list[int]], seq: list[int], span: int, rng: random.Random,
                  deadline: float) -> int:
    """Move single jobs to their best slot until no move improves (or time runs out)."""
    improved = True
    while improved and time.perf_counter() < deadline:
        improved = False
        for job in rng.sample(seq, len(seq)):
            seq.remove(job)
            new_span = _insert_best(rows, seq, job)
            if new_span < span:
                span, improved = new_span, True
    return span
