"""Plain data of a scheduling problem: calendars, machines, jobs, operations.

:class:`ScheduleModel` hands these objects out and freezes them into a :class:`ScheduleData`
before solving, so that the solver, the greedy warm start and the result all read one immutable
snapshot (PyVRP's ``Model.data()`` idea): editing the model after a solve cannot change what a
result describes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from numbers import Integral
from typing import Any

from supplypilot.errors import InputError

def check_int(value: Any, name: str, where: str, low: int = 0) -> int:
    """``value`` as an int ``>= low``, or the standard :class:`InputError`.

    CP-SAT works on integers only; refusing floats here (instead of rounding them) keeps a
    planner from silently losing the fraction of a duration.
    """
    if isinstance(value, bool) or not isinstance(value, Integral) or int(value) < low:
        raise InputError(f"The {name!r} parameter of {where} must be an int >= {low}. "
                         f"Got {value!r} instead.", where=name)
    return int(value)


def check_name(value: Any, name: str, where: str) -> str:
    """A non-empty string name, or the standard :class:`InputError`."""
    if not isinstance(value, str) or not value.strip():
        raise InputError(f"The {name!r} parameter of {where} must be a non-empty str. "
                         f"Got {value!r} instead.", where=name)
    return value


@dataclass(frozen=True)
class Calendar:
    """When a machine cannot work, as half-open ``[start, end)`` intervals in model time units.

    An interval whose end is ``None`` lasts forever (the machine closes after its last shift).
    Overlapping or touching intervals are merged, so the stored ``downtime`` is sorted and
    disjoint. Operations are not pre-emptive: an operation (and the setup before it) must fit
    entirely inside one working window.

    Parameters
    ----------
    downtime
        ``(start, end)`` pairs during which the machine is unavailable (maintenance, breaks,
        closed nights).

    Examples
    --------
    >>> Calendar([(10, 20), (15, 30)]).downtime
    ((10, 30),)
    >>> Calendar.from_shifts([(0, 8), (16, 24)]).downtime
    ((8, 16), (24, None))
    """

    downtime: tuple[tuple[int, int | None], ...] = ()

    def __init__(self, downtime: Sequence[tuple[int, int | None]] = ()) -> None:
        where = "Calendar"
        spans: list[tuple[int, int | None]] = []
        for pair in downtime:
            if not isinstance(pair, (tuple, list)) or len(pair) != 2:
                raise InputError(f"The 'downtime' parameter of {where} must hold (start, end) "
                                 f"pairs. Got {pair!r} instead.", where="downtime")
            start = check_int(pair[0], "downtime", where)
            end = None if pair[1] is None else check_int(pair[1], "downtime", where)
            if end is not None and end <= start:
                raise InputError(f"The 'downtime' parameter of {where} must hold intervals with "
                                 f"end > start. Got {tuple(pair)!r} instead.", where="downtime")
            spans.append((start, end))
        object.__setattr__(self, "downtime", _merge(spans))

    @classmethod
    def from_shifts(cls, shifts: Sequence[tuple[int, int]]) -> Calendar:
        """The calendar of a machine that works only during ``shifts``.

        Time before the first shift, between shifts and after the last one becomes downtime;
        after the last shift the machine is closed for good, so work that does not fit in the
        shifts makes the problem infeasible (and the result says which operation).
        """
        closed = Calendar([(int(s), int(e)) for s, e in shifts]).downtime  # validates, merges
        if not closed:
            raise InputError("The 'shifts' parameter of Calendar.from_shifts must hold at least "
                             "one (start, end) shift. Got [] instead.", where="shifts")
        gaps: list[tuple[int, int | None]] = []
        cursor = 0
        for start, end in closed:
            if start > cursor:
                gaps.append((cursor, start))
            cursor = int(end)  # shifts always have an end
        gaps.append((cursor, None))
        return cls(gaps)

    def windows(self, horizon: int) -> list[tuple[int, int]]:
        """Working windows ``[start, end)`` inside ``[0, horizon)``."""
        out: list[tuple[int, int]] = []
        cursor = 0
        for start, end in self.downtime:
            if start > cursor:
                out.append((cursor, min(start, horizon)))
            if end is None:
                return [w for w in out if w[1] > w[0]]
            cursor = max(cursor, end)
        if cursor < horizon:
            out.append((cursor, horizon))
        return [w for w in out if w[1] > w[0]]

    @property
    def closes(self) -> int | None:
        """When the machine closes for good, or None when it stays open after its downtime."""
        if self.downtime and self.downtime[-1][1] is None:
            return self.downtime[-1][0]
        return None

    def earliest_fit(self, start: int, length: int) -> int | None:
        """Earliest time ``t >= start`` with ``[t, t + length)`` free of downtime, or None."""
        t = start
        for d_start, d_end in self.downtime:
            if d_end is not None and d_end <= t:
                continue
            if t + length <= d_start or (length == 0 and t <= d_start):
                return t
            if d_end is None:
                return None
            t = max(t, d_end)
        return t


def _merge(spans: list[tuple[int, int | None]]) -> tuple[tuple[int, int | None], ...]:
    """Sorted, disjoint downtime: overlapping or touching intervals become one."""
    merged: list[list[Any]] = []
    for start, end in sorted(spans, key=lambda s: s[0]):
        if merged and (merged[-1][1] is None or start <= merged[-1][1]):
            if merged[-1][1] is not None:
                merged[-1][1] = None if end is None else max(merged[-1][1], end)
            continue
        merged.append([start, end])
    return tuple((int(s), None if e is None else int(e)) for s, e in merged)


def as_calendar(value: Any, where: str) -> Calendar:
    """A :class:`Calendar` from a calendar, a list of downtime pairs, or None."""
    if value is None:
        return Calendar()
    if isinstance(value, Calendar):
        return value
    if isinstance(value, (list, tuple)):
        return Calendar(value)
    raise InputError(f"The 'calendar' parameter of {where} must be a Calendar, a list of "
                     f"(start, end) downtime pairs or None. Got {value!r} instead.",
                     where="calendar")


@dataclass(frozen=True, eq=False)
class Machine:
    """A resource that processes one operation at a time."""

    name: str
    calendar: Calendar = field(default_factory=Calendar)

    def __repr__(self) -> str:
        cal = f", calendar={self.calendar.downtime!r}" if self.calendar.downtime else ""
        return f"Machine({self.name!r}{cal})"


@dataclass(frozen=True, eq=False)
class Job:
    """An order to produce: its operations run in the order they were added (its routing).

    ``due`` is soft: being late costs ``weight`` per time unit under the tardiness objectives
    but never makes a plan infeasible, because a planner needs the best late plan rather than
    no plan at all.
    """

    name: str
    release: int = 0
    due: int | None = None
    weight: int = 1

    def __repr__(self) -> str:
        return (f"Job({self.name!r}, release={self.release}, due={self.due}, "
                f"weight={self.weight})")


@dataclass(frozen=True, eq=False)
class Operation:
    """One step of a job on one machine chosen from ``durations`` (machine name -> duration)."""

    job: Job
    position: int
    durations: Mapping[str, int]
    family: str | None = None

    @property
    def label(self) -> str:
        """``job/position``, as shown in tables and charts."""
        return f"{self.job.name}/{self.position}"

    def __repr__(self) -> str:
        fam = f", family={self.family!r}" if self.family is not None else ""
        return f"Operation({self.label!r}, durations={dict(self.durations)!r}{fam})"


@dataclass(frozen=True)
class OpData:
    """One operation in solver form: indices instead of objects."""

    job: int
    position: int
    alternatives: tuple[tuple[int, int], ...]  # (machine index, duration)
    family: str | None

    @property
    def min_duration(self) -> int:
        return min(d for _, d in self.alternatives)

    @property
    def max_duration(self) -> int:
        return max(d for _, d in self.alternatives)


@dataclass(frozen=True)
class SetupData:
    """Sequence-dependent setup times of one machine, by family pair."""

    times: Mapping[tuple[str | None, str | None], int]
    initial: str | None = None

    def between(self, before: str | None, after: str | None) -> int:
        """Setup before an ``after`` operation that follows a ``before`` one."""
        return int(self.times.get((before, after), 0))

    def first(self, family: str | None) -> int:
        """Setup before the first operation on the machine."""
        return 0 if self.initial is None else self.between(self.initial, family)

    @property
    def largest(self) -> int:
        return max(self.times.values(), default=0)


@dataclass(frozen=True)
class ScheduleData:
    """Immutable snapshot of a :class:`ScheduleModel`, the input of every algorithm."""

    name: str
    machines: tuple[Machine, ...]
    jobs: tuple[Job, ...]
    ops: tuple[OpData, ...]
    job_ops: tuple[tuple[int, ...], ...]  # op indices of each job, in routing order
    setups: Mapping[int, SetupData]  # machine index -> setups
    same_sequence: tuple[tuple[int, ...], ...] = ()  # machine groups sharing one job order

    def setup(self, machine: int, before: str | None, after: str | None) -> int:
        s = self.setups.get(machine)
        return 0 if s is None else s.between(before, after)

    def first_setup(self, machine: int, family: str | None) -> int:
        s = self.setups.get(machine)
        return 0 if s is None else s.first(family)

    def safe_horizon(self) -> int:
        """A time by which some feasible schedule surely ends (if any exists).

        Serial scheduling after the last finite downtime and the last release needs at most
        the sum of the longest duration plus the largest setup of every operation.
        """
        last_event = max([j.release for j in self.jobs] + [0])
        for m in self.machines:
            for start, end in m.calendar.downtime:
                last_event = max(last_event, start if end is None else end)
        max_setup = max((s.largest for s in self.setups.values()), default=0)
        work = sum(op.max_duration + max_setup for op in self.ops)
        return last_event + work + 1
