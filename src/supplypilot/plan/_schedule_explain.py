"""Explanations: why a schedule cannot exist, and what holds a schedule back.

Planners act on reasons, not on solver codes: "operation J3/2 needs 50 h but machine M1 never
has more than 40 h free in a row" tells them to split the operation or add a shift, and "machine
M2 is busy 98 % of the makespan" tells them where extra capacity pays off.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from supplypilot.plan._schedule_data import ScheduleData
from supplypilot.plan._schedule_heuristics import Assignment
from supplypilot.plan._schedule_result import (
    SCHEDULE_COLUMNS,
    TARDINESS_COLUMNS,
    ScheduleResult,
    compare,
)
from supplypilot.plan.result import SolveStatus

MAX_LINES = 5


def _label(data: ScheduleData, o: int) -> str:
    op = data.ops[o]
    return f"{data.jobs[op.job].name}/{op.position}"


def infeasibility(data: ScheduleData) -> list[str]:
    """Conflicts that make any schedule impossible, found without solving.

    Two necessary conditions are checked: every operation must fit in one working window of
    one of its machines after its job's earliest possible start, and a machine that closes for
    good must have enough working time for the operations that can only run on it.
    """
    conflicts: list[str] = []
    must: dict[int, list[tuple[int, int, int]]] = {}  # machine -> (op, duration, earliest)
    for j, ops in enumerate(data.job_ops):
        head = data.jobs[j].release
        for o in ops:
            op = data.ops[o]
            misses = []
            for machine, duration in op.alternatives:
                calendar = data.machines[machine].calendar
                if calendar.earliest_fit(head, duration) is not None:
                    break
                close = calendar.closes or head
                longest = max((min(e, close) - max(s, head) for s, e in calendar.windows(close)
                               if e > head), default=0)
                misses.append(f"machine {data.machines[machine].name!r} needs {duration} but "
                              f"its longest working window from time {head} on is {longest}")
            else:
                conflicts.append(f"operation {_label(data, o)} fits no working window: "
                                 + "; ".join(misses))
            if len(op.alternatives) == 1:
                machine, duration = op.alternatives[0]
                must.setdefault(machine, []).append((o, duration, head))
            head += op.min_duration
    if conflicts:  # the capacity check would only repeat them
        return conflicts
    for machine, items in must.items():
        calendar = data.machines[machine].calendar
        close = calendar.closes
        if close is None:
            continue
        earliest = min(h for _, _, h in items)
        capacity = sum(min(e, close) - max(s, earliest) for s, e in calendar.windows(close)
                       if e > earliest)
        work = sum(d for _, d, _ in items)
        if work > capacity:
            names = ", ".join(_label(data, o) for o, _, _ in items[:6])
            more = f" and {len(items) - 6} more" if len(items) > 6 else ""
            conflicts.append(f"machine {data.machines[machine].name!r} must process {work} time "
                             f"units of operations ({names}{more}) but its calendar leaves only "
                             f"{capacity} working time units from time {earliest} until it "
                             f"closes at {close}")
    return conflicts


def objective_of(data: ScheduleData, plan: list[Assignment], objective: str) -> int:
    """The objective value of a plan, computed the way the CP-SAT model does."""
    if objective == "makespan":
        return max(a.end for a in plan)
    total = 0
    for j, job in enumerate(data.jobs):
        if job.due is not None:
            late = max(0, plan[data.job_ops[j][-1]].end - job.due)
            total += late * (job.weight if objective == "weighted_tardiness" else 1)
    return total


def critical_path(data: ScheduleData, plan: list[Assignment]) -> list[int]:
    """Operations that end at the makespan and each start right when a predecessor ends.

    A predecessor is the previous operation on the same machine (setup included) or the
    previous operation of the same job; delaying any operation on this chain delays the end.
    """
    previous_on: dict[int, int | None] = {}
    for machine in range(len(data.machines)):
        seq = sorted((a.start, a.end, o) for o, a in enumerate(plan) if a.machine == machine)
        for i, (_, _, o) in enumerate(seq):
            previous_on[o] = seq[i - 1][2] if i else None
    o = max(range(len(plan)), key=lambda i: (plan[i].end, plan[i].start))
    path = [o]
    while True:
        a = plan[o]
        op = data.ops[o]
        mp = previous_on.get(o)
        jp = data.job_ops[op.job][op.position - 1] if op.position else None
        if mp is not None and plan[mp].end == a.start - a.setup and plan[mp].end > 0:
            o = mp
        elif jp is not None and plan[jp].end == a.start:
            o = jp
        else:
            break
        path.append(o)
    return path[::-1]


def _binding(data: ScheduleData, plan: list[Assignment], table: pd.DataFrame,
             tardiness: pd.DataFrame, utilisation: dict[str, float]) -> list[str]:
    makespan = max(a.end for a in plan)
    lines = []
    if utilisation:
        name = max(utilisation, key=lambda k: utilisation[k])
        rows = table[table["machine"] == name]
        busy = int((rows["end"] - rows["start"] + rows["setup"]).sum())
        setups = int(rows["setup"].sum())
        lines.append(f"bottleneck: machine {name!r} is busy {utilisation[name]:.1%} of the "
                     f"makespan ({busy} of {makespan}" + (f", {setups} in setups" if setups else "")
                     + ")")
    path = critical_path(data, plan)
    labels = [f"{_label(data, o)}@{data.machines[plan[o].machine].name}" for o in path]
    if len(labels) > 8:
        labels = labels[:4] + ["..."] + labels[-3:]
    first = plan[path[0]]
    job = data.jobs[data.ops[path[0]].job]
    why = (f"starts at the release of {job.name} ({job.release})"
           if first.start == job.release and job.release > 0 else f"starts at {first.start}")
    lines.append(f"critical path: {len(path)} operations end at {makespan}, {why}: "
                 + " -> ".join(labels))
    delayed = []
    for o, a in enumerate(plan):
        for start, end in data.machines[a.machine].calendar.downtime:
            if end is not None and a.start - a.setup == end and start < end:
                delayed.append(f"downtime [{start}, {end}) on machine "
                               f"{data.machines[a.machine].name!r} delays {_label(data, o)}")
    lines += delayed[:3]
    if len(delayed) > 3:
        lines.append(f"downtime delays {len(delayed) - 3} more operations")
    late = tardiness[tardiness["tardiness"] > 0].sort_values("weighted", ascending=False)
    for row in late.head(MAX_LINES).itertuples(index=False):
        lines.append(f"job {row.job!r} ends at {row.end}, {row.tardiness} after its due date "
                     f"{row.due} (weight {row.weight})")
    if len(late) > MAX_LINES:
        lines.append(f"{len(late) - MAX_LINES} more jobs are late")
    return lines


def build_result(*, status: SolveStatus, plan: list[Assignment] | None, data: ScheduleData,
                 objective: str, seed: int, solver: str, warm_start: ScheduleResult | None,
                 conflicts: list[str], reasons: list[str], runtime: float,
                 bound: float | None = None, extra: dict[str, Any] | None = None,
                 initial: list[Assignment] | None = None,
                 workers: int | None = None) -> ScheduleResult:
    """Turn a plan (or its absence) into a :class:`ScheduleResult` with its explanations."""
    extra = dict(extra or {})
    if initial is not None:
        extra["hint_objective"] = objective_of(data, initial, objective)
    downtime = {m.name: list(m.calendar.downtime) for m in data.machines if m.calendar.downtime}
    head: dict[str, Any] = {
        "status": status, "runtime": runtime, "seed": seed, "conflicts": conflicts,
        "reasons": reasons, "extra": extra, "objective_name": objective, "downtime": downtime,
        "name": data.name, "solver": solver + (f" ({workers} workers)" if workers else "")}
    if plan is None:
        return ScheduleResult(bound=bound if status != SolveStatus.INFEASIBLE else None, **head)
    table = pd.DataFrame([
        {"job": data.jobs[data.ops[o].job].name, "op": data.ops[o].position,
         "machine": data.machines[a.machine].name, "start": a.start, "end": a.end,
         "setup": a.setup, "family": data.ops[o].family}
        for o, a in enumerate(plan)], columns=SCHEDULE_COLUMNS)
    makespan = int(table["end"].max())
    rows = []
    for j, job in enumerate(data.jobs):
        end = plan[data.job_ops[j][-1]].end
        late = 0 if job.due is None else max(0, end - job.due)
        rows.append({"job": job.name, "release": job.release, "due": job.due,
                     "weight": job.weight, "end": end, "tardiness": late,
                     "weighted": late * job.weight})
    tardiness = pd.DataFrame(rows, columns=TARDINESS_COLUMNS)
    busy = (table["end"] - table["start"] + table["setup"]).groupby(table["machine"]).sum()
    utilisation = {m.name: (float(busy.get(m.name, 0)) / makespan if makespan else 0.0)
                   for m in data.machines}
    value = objective_of(data, plan, objective)
    if status == SolveStatus.OPTIMAL:
        bound = value
    changes = compare(warm_start.schedule, table) if warm_start is not None else None
    return ScheduleResult(objective=float(value), bound=None if bound is None else float(bound),
                          schedule=table, makespan=makespan, tardiness=tardiness,
                          utilisation=utilisation, changes=changes,
                          binding=_binding(data, plan, table, tardiness, utilisation), **head)
