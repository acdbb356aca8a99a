"""What :meth:`ScheduleModel.solve` returns: a schedule a shop floor can follow.

Times are in the model's time unit (whatever unit the durations were given in). Besides the
schedule table the result explains itself: ``binding`` names what holds the plan back (the
busiest machine, the critical path, late jobs, downtime that delays work) and, after a warm
start, ``changes`` lists the operations that moved compared with the previous plan, because a
re-plan is only usable if the shop can see what it has to redo.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from supplypilot.plan.result import PlanResult, SolveStatus

SCHEDULE_COLUMNS = ["job", "op", "machine", "start", "end", "setup", "family"]
TARDINESS_COLUMNS = ["job", "release", "due", "weight", "end", "tardiness", "weighted"]
CHANGE_COLUMNS = ["job", "op", "change", "machine_before", "machine_after", "start_before",
                  "start_after", "shift"]


def _empty(columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})


@dataclass
class ScheduleResult(PlanResult):
    """A schedule with its quality and the reasons behind it.

    Attributes
    ----------
    schedule
        One row per operation: ``job, op`` (position in the job's routing, from 0),
        ``machine, start, end``, ``setup`` (setup time just before ``start``) and ``family``.
        Empty when no schedule was found.
    makespan
        End of the last operation, or None without a schedule.
    tardiness
        One row per job: ``release, due, weight``, ``end`` (completion), ``tardiness`` and
        ``weighted`` (``weight * tardiness``).
    objective_name
        ``"makespan"``, ``"total_tardiness"`` or ``"weighted_tardiness"``.
    utilisation
        Share of the makespan each machine spends processing or setting up.
    downtime
        Each machine's calendar downtime, ``(start, end)`` with ``end=None`` for "closed".
    changes
        After a warm start, the operations that moved: ``change`` is ``"moved"``,
        ``"machine"`` (another machine), ``"new"`` or ``"removed"``; None without a warm start.
    name
        The model's name.
    """

    schedule: pd.DataFrame = field(default_factory=lambda: _empty(SCHEDULE_COLUMNS))
    makespan: int | None = None
    tardiness: pd.DataFrame = field(default_factory=lambda: _empty(TARDINESS_COLUMNS))
    objective_name: str = "makespan"
    utilisation: dict[str, float] = field(default_factory=dict)
    downtime: dict[str, list[tuple[int, int | None]]] = field(default_factory=dict)
    changes: pd.DataFrame | None = None
    name: str = "schedule"

    def __post_init__(self) -> None:
        if self.is_feasible() and self.schedule.empty:
            raise ValueError("a feasible ScheduleResult needs a schedule table")

    @classmethod
    def from_table(cls, table: pd.DataFrame, name: str = "previous schedule",
                   objective: float | None = None) -> ScheduleResult:
        """A feasible result holding only a schedule table, to pass as ``warm_start``.

        A re-plan often starts from a schedule that was saved (a planning cycle keeps the last
        one on disk) rather than from a :class:`ScheduleResult` still in memory. The warm start
        reads only the ``job, op, machine, start`` columns; ``end`` gives the makespan, and
        ``setup`` and ``family`` are filled with 0 and None when missing.

        Parameters
        ----------
        table
            One row per operation with columns ``job, op, machine, start, end`` (ints in the
            new model's time unit; starts before 0 are allowed, they only order the work).
        name
            Shown in summaries.
        objective
            The previous plan's objective value, if known (informative only).

        Raises
        ------
        ValueError
            When a column is missing or the table is empty.
        """
        need = ["job", "op", "machine", "start", "end"]
        missing = [c for c in need if c not in table.columns]
        if missing or table.empty:
            raise ValueError("ScheduleResult.from_table needs a non-empty table with columns "
                             f"{need}; got columns {list(table.columns)} and {len(table)} rows")
        out = table.copy()
        out["job"] = out["job"].astype(str)
        out["machine"] = out["machine"].astype(str)
        for c in ("op", "start", "end"):
            out[c] = out[c].astype(int)
        out["setup"] = out["setup"].astype(int) if "setup" in out else 0
        if "family" not in out:
            out["family"] = None
        out = out[SCHEDULE_COLUMNS].sort_values(["start", "machine"]).reset_index(drop=True)
        return cls(status=SolveStatus.FEASIBLE, objective=objective, schedule=out,
                   makespan=int(out["end"].max()), name=name, solver="saved schedule")

    @property
    def total_tardiness(self) -> int:
        """Sum of job tardiness (0 without due dates)."""
        return int(self.tardiness["tardiness"].sum()) if not self.tardiness.empty else 0

    @property
    def weighted_tardiness(self) -> int:
        """Sum of ``weight * tardiness`` over jobs."""
        return int(self.tardiness["weighted"].sum()) if not self.tardiness.empty else 0

    @property
    def late_jobs(self) -> list[str]:
        """Names of the jobs that end after their due date."""
        if self.tardiness.empty:
            return []
        return self.tardiness.loc[self.tardiness["tardiness"] > 0, "job"].tolist()

    def machine_sequence(self, machine: str) -> list[str]:
        """Operation labels ``job/op`` on ``machine`` in processing order."""
        rows = self.schedule[self.schedule["machine"] == machine].sort_values(["start", "end"])
        return [f"{j}/{o}" for j, o in zip(rows["job"], rows["op"], strict=True)]

    def summary(self) -> str:
        """An aligned block: status, objective, bound and gap, then schedule facts and reasons."""
        value = "-" if self.objective is None else f"{self.objective:,.0f}"
        rows = [("status", self.status.value),
                ("objective", f"{self.objective_name} = {value}"),
                ("bound", "-" if self.bound is None else f"{self.bound:,.0f}"),
                ("gap", "-" if self.gap is None else f"{self.gap:.2%}"),
                ("makespan", "-" if self.makespan is None else f"{self.makespan:,}")]
        if not self.tardiness.empty and self.tardiness["due"].notna().any():
            rows += [("tardiness", f"total {self.total_tardiness:,}, weighted "
                                   f"{self.weighted_tardiness:,}"),
                     ("late jobs", f"{len(self.late_jobs)} of {len(self.tardiness)}")]
        n_machines = self.schedule["machine"].nunique() if not self.schedule.empty else 0
        rows.append(("operations", f"{len(self.schedule)} on {n_machines} machines"))
        if self.changes is not None:
            rows.append(("changes", _changes_line(self.changes, len(self.schedule))))
        rows += [("run-time", f"{self.runtime:.2f} s"), ("solver", self.solver or "-")]
        if self.seed is not None:
            rows.append(("seed", str(self.seed)))
        width = max(len(k) for k, _ in rows)
        lines = [f"{k:<{width}}  {v}" for k, v in rows]
        lines += [f"binding: {b}" for b in self.binding]
        lines += [f"conflict: {c}" for c in self.conflicts]
        lines += [f"reason: {r}" for r in self.reasons]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()

    def __repr__(self) -> str:
        return (f"ScheduleResult(name={self.name!r}, status={self.status.value!r}, "
                f"objective_name={self.objective_name!r}, objective={self.objective!r}, "
                f"makespan={self.makespan!r}, operations={len(self.schedule)}, "
                f"seed={self.seed!r})")


def _changes_line(changes: pd.DataFrame, total: int) -> str:
    """``"5 of 36 operations changed, 2 to another machine, 1 new"``."""
    counts = changes["change"].value_counts()
    moved = int(counts.get("moved", 0) + counts.get("machine", 0))
    parts = [f"{moved} of {total} operations changed"]
    if counts.get("machine", 0):
        parts.append(f"{counts['machine']} to another machine")
    if counts.get("new", 0):
        parts.append(f"{counts['new']} new")
    if counts.get("removed", 0):
        parts.append(f"{counts['removed']} removed")
    return ", ".join(parts)


def compare(previous: pd.DataFrame, current: pd.DataFrame) -> pd.DataFrame:
    """Operations whose machine or start differ between two schedule tables."""
    before = previous.set_index(["job", "op"])
    after = current.set_index(["job", "op"])
    rows: list[dict[str, Any]] = []
    for key in after.index.union(before.index, sort=False):
        b = before.loc[key] if key in before.index else None
        a = after.loc[key] if key in after.index else None
        if b is None or a is None:
            change = "new" if b is None else "removed"
        elif b["machine"] != a["machine"]:
            change = "machine"
        elif int(b["start"]) != int(a["start"]):
            change = "moved"
        else:
            continue
        rows.append({
            "job": key[0], "op": int(key[1]), "change": change,
            "machine_before": None if b is None else b["machine"],
            "machine_after": None if a is None else a["machine"],
            "start_before": None if b is None else int(b["start"]),
            "start_after": None if a is None else int(a["start"]),
            "shift": None if a is None or b is None else int(a["start"]) - int(b["start"]),
        })
    return pd.DataFrame(rows, columns=CHANGE_COLUMNS) if rows else _empty(CHANGE_COLUMNS)


def result_status(name: str) -> SolveStatus:
    """CP-SAT's status name in a planner's words."""
    return {"OPTIMAL": SolveStatus.OPTIMAL, "FEASIBLE": SolveStatus.FEASIBLE,
            "INFEASIBLE": SolveStatus.INFEASIBLE}.get(name, SolveStatus.NONE)
