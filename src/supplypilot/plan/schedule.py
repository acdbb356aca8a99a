"""Production scheduling: a small builder for job shops solved with CP-SAT.

The model follows PyVRP's modelling layer (``pyvrp/Model.py``): ``add_*`` methods return plain
objects that belong to the model, :meth:`ScheduleModel.data` freezes them, and
:meth:`ScheduleModel.solve` runs one solver call and returns a :class:`ScheduleResult` a planner
can read (status, bound and gap, the schedule table, tardiness, what limits the plan).

What it models:

* machines with calendars (downtime or shift windows; operations are not pre-emptive);
* jobs with a release date, a soft due date and a weight; their operations run in the order they
  were added (the routing);
* operations with one machine or alternative machines (each with its own duration) and a
  product family for sequence-dependent setups;
* a common job order on a group of machines (permutation flow shop);
* three objectives: makespan, total tardiness and weighted tardiness;
* warm starts from a previous result (or a saved table, :meth:`ScheduleResult.from_table`):
  work keeps its previous slot unless the solver finds a strictly better plan, and a table
  lists what moved.

Examples
--------
>>> model = ScheduleModel()
>>> mill, lathe = model.add_machine("mill"), model.add_machine("lathe")
>>> job = model.add_job("J1", due=10)
>>> _ = model.add_operation(job, 3, machines=mill)
>>> _ = model.add_operation(job, {"mill": 5, "lathe": 2})
>>> model.solve(stop=5).makespan
5
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from supplypilot.errors import InputError, UnknownEntityError
from supplypilot.plan._schedule_data import (
    Calendar,
    Job,
    Machine,
    OpData,
    Operation,
    ScheduleData,
    SetupData,
    as_calendar,
    check_int,
    check_name,
)
from supplypilot.plan._schedule_io import read_flowshop as read_flowshop
from supplypilot.plan._schedule_io import read_jobshop as read_jobshop
from supplypilot.plan._schedule_result import ScheduleResult as ScheduleResult
from supplypilot.plan.stop import StoppingCriterion, time_limit_of

__all__ = ["Calendar", "Job", "Machine", "Operation", "ScheduleData", "ScheduleModel",
           "ScheduleResult", "OBJECTIVES", "read_flowshop", "read_jobshop"]

OBJECTIVES = ("makespan", "total_tardiness", "weighted_tardiness")


class ScheduleModel:
    """A scheduling problem built step by step, then solved with CP-SAT.

    Parameters
    ----------
    name
        Shown in summaries and chart titles (readers use the instance name).
    """

    def __init__(self, name: str = "schedule") -> None:
        self.name = check_name(name, "name", "ScheduleModel")
        self._machines: dict[str, Machine] = {}
        self._jobs: dict[str, Job] = {}
        self._ops: dict[str, list[Operation]] = {}
        self._setups: dict[str, SetupData] = {}
        self._same_sequence: list[tuple[Machine, ...] | None] = []

    # ------------------------------------------------------------------ reading back

    @property
    def machines(self) -> tuple[Machine, ...]:
        """Machines in the order they were added."""
        return tuple(self._machines.values())

    @property
    def jobs(self) -> tuple[Job, ...]:
        """Jobs in the order they were added."""
        return tuple(self._jobs.values())

    @property
    def operations(self) -> tuple[Operation, ...]:
        """All operations, job by job in routing order."""
        return tuple(op for ops in self._ops.values() for op in ops)

    def __repr__(self) -> str:
        return (f"ScheduleModel(name={self.name!r}, machines={len(self._machines)}, "
                f"jobs={len(self._jobs)}, operations={len(self.operations)})")

    # ------------------------------------------------------------------ building

    def add_machine(self, name: str, calendar: Calendar | Sequence[tuple[int, int | None]]
                    | None = None) -> Machine:
        """Add a machine that processes one operation at a time.

        Parameters
        ----------
        name
            Unique machine name; operations refer to the machine by this name or object.
        calendar
            When the machine cannot work: a :class:`Calendar` (see
            :meth:`Calendar.from_shifts` for shift windows) or a list of ``(start, end)``
            downtime pairs. None means always available.

        Returns
        -------
        Machine
            The new machine, which belongs to this model only.
        """
        where = "ScheduleModel.add_machine"
        check_name(name, "name", where)
        if name in self._machines:
            raise InputError(f"The 'name' parameter of {where} must be a new machine name. "
                             f"Got {name!r} instead, which is already in this model.",
                             where="name")
        machine = Machine(name, as_calendar(calendar, where))
        self._machines[name] = machine
        return machine

    def add_job(self, name: str, release: int = 0, due: int | None = None,
                weight: int = 1) -> Job:
        """Add a job (an order); its operations are added next with :meth:`add_operation`.

        Parameters
        ----------
        name
            Unique job name.
        release
            Earliest start of the job's first operation (material arrives, order released).
        due
            Soft due date of the job's last operation; None means no due date.
        weight
            Cost of one time unit of lateness under ``objective="weighted_tardiness"``.

        Returns
        -------
        Job
            The new job, which belongs to this model only.
        """
        where = "ScheduleModel.add_job"
        check_name(name, "name", where)
        if name in self._jobs:
            raise InputError(f"The 'name' parameter of {where} must be a new job name. "
                             f"Got {name!r} instead, which is already in this model.",
                             where="name")
        job = Job(name, check_int(release, "release", where),
                  None if due is None else check_int(due, "due", where),
                  check_int(weight, "weight", where))
        self._jobs[name] = job
        self._ops[name] = []
        return job

    def add_operation(self, job: Job | str, duration: int | Mapping[Machine | str, int],
                      machines: Machine | str | Sequence[Machine | str] | None = None,
                      family: str | None = None) -> Operation:
        """Append an operation to ``job``'s routing: it starts after the previous one ends.

        Parameters
        ----------
        job
            A job of this model, or its name.
        duration
            Processing time on every machine in ``machines``, or a mapping ``{machine:
            duration}`` of alternative machines with their own processing times (then leave
            ``machines`` out). The solver picks exactly one machine.
        machines
            The machine, or the alternative machines, that can process the operation.
        family
            Product family for sequence-dependent setups (see :meth:`set_setup_times`).

        Returns
        -------
        Operation
            The new operation.

        Raises
        ------
        UnknownEntityError
            When the job or a machine is not in this model.
        InputError
            When a duration is not an int >= 0 or no machine is given.
        """
        where = "ScheduleModel.add_operation"
        owner = self._job_of(job)
        if isinstance(duration, Mapping):
            if machines is not None:
                raise InputError(f"The 'machines' parameter of {where} must be left out when "
                                 f"'duration' maps machines to durations. Got {machines!r} "
                                 "instead.", where="machines")
            pairs = [(self._machine_of(m), d) for m, d in duration.items()]
        else:
            check_int(duration, "duration", where)
            if machines is None:
                raise InputError(f"The 'machines' parameter of {where} must name at least one "
                                 "machine when 'duration' is a number. Got None instead.",
                                 where="machines")
            many = machines if isinstance(machines, (list, tuple, set)) else [machines]
            pairs = [(self._machine_of(m), duration) for m in many]
        if not pairs:
            raise InputError(f"The 'duration' parameter of {where} must name at least one "
                             f"machine. Got {duration!r} with no machine instead.",
                             where="machines")
        durations: dict[str, int] = {}
        for machine, d in pairs:
            durations[machine.name] = check_int(d, "duration", where)
        if family is not None:
            check_name(family, "family", where)
        op = Operation(owner, len(self._ops[owner.name]), durations, family)
        self._ops[owner.name].append(op)
        return op

    def set_setup_times(self, machine: Machine | str,
                        matrix: Mapping[str | None, Mapping[str | None, int]] | Any,
                        initial: str | None = None) -> None:
        """Give ``machine`` sequence-dependent setup times between product families.

        The setup happens on the machine just before the operation that needs it and, like
        the operation, must fit in a working window of the machine's calendar.

        Parameters
        ----------
        machine
            A machine of this model, or its name.
        matrix
            ``matrix[before][after]`` is the setup time before an operation of family
            ``after`` that follows one of family ``before``; a ``pandas.DataFrame`` with
            ``before`` as index and ``after`` as columns works too. Missing pairs cost 0.
        initial
            Family the machine is set up for at time 0; None means no setup before the
            first operation.
        """
        where = "ScheduleModel.set_setup_times"
        owner = self._machine_of(machine)
        if hasattr(matrix, "to_dict") and hasattr(matrix, "columns"):
            matrix = {r: {c: v for c, v in row.items() if v == v}  # drop NaN
                      for r, row in matrix.to_dict(orient="index").items()}
        if not isinstance(matrix, Mapping):
            raise InputError(f"The 'matrix' parameter of {where} must be a mapping "
                             f"{{before: {{after: time}}}} or a DataFrame. Got {matrix!r} "
                             "instead.", where="matrix")
        times: dict[tuple[str | None, str | None], int] = {}
        for before, row in matrix.items():
            if not isinstance(row, Mapping):
                raise InputError(f"The 'matrix' parameter of {where} must map each family to a "
                                 f"mapping of setup times. Got {row!r} for {before!r} instead.",
                                 where="matrix")
            for after, value in row.items():
                if isinstance(value, float) and value.is_integer():
                    value = int(value)
                times[(before, after)] = check_int(value, "matrix", where)
        if initial is not None:
            check_name(initial, "initial", where)
        self._setups[owner.name] = SetupData(times, initial)

    def add_same_sequence(self, machines: Sequence[Machine | str] | None = None) -> None:
        """Make all jobs pass ``machines`` in one common order (a permutation flow shop).

        Each job must then have exactly one operation on each of these machines, and that
        operation must have no alternative machine.

        Parameters
        ----------
        machines
            The machines that share the job order; None means every machine of the model
            (resolved when solving, so machines added later are included).
        """
        if machines is None:
            self._same_sequence.append(None)
            return
        group = tuple(self._machine_of(m) for m in machines)
        if len(group) < 2:
            raise InputError("The 'machines' parameter of ScheduleModel.add_same_sequence must "
                             f"name at least 2 machines. Got {list(machines)!r} instead.",
                             where="machines")
        self._same_sequence.append(group)

    # ------------------------------------------------------------------ lookups

    def _job_of(self, job: Job | str) -> Job:
        """The job object of this model; matching by identity catches objects of another model,
        which would otherwise be scheduled under a name this model does not know."""
        if isinstance(job, Job):
            if self._jobs.get(job.name) is not job:
                raise UnknownEntityError("job", job.name, "The given job is not in this model "
                                         "instance; add it with ScheduleModel.add_job.")
            return job
        if isinstance(job, str) and job in self._jobs:
            return self._jobs[job]
        known = ", ".join(list(self._jobs)[:10]) or "none yet"
        raise UnknownEntityError("job", str(job), f"Add it with ScheduleModel.add_job first "
                                 f"(known jobs: {known}).")

    def _machine_of(self, machine: Machine | str) -> Machine:
        """The machine object of this model (by identity, as for jobs)."""
        if isinstance(machine, Machine):
            if self._machines.get(machine.name) is not machine:
                raise UnknownEntityError("machine", machine.name, "The given machine is not in "
                                         "this model instance; add it with "
                                         "ScheduleModel.add_machine.")
            return machine
        if isinstance(machine, str) and machine in self._machines:
            return self._machines[machine]
        known = ", ".join(list(self._machines)[:10]) or "none yet"
        raise UnknownEntityError("machine", str(machine), f"Add it with "
                                 f"ScheduleModel.add_machine first (known machines: {known}).")

    # ------------------------------------------------------------------ freezing, solving

    def data(self) -> ScheduleData:
        """An immutable snapshot of the model, checked for structural mistakes.

        Raises
        ------
        InputError
            When there is no job, a job has no operation, or a same-sequence group does not
            fit the jobs.
        """
        if not self._jobs:
            raise InputError("ScheduleModel has no job to schedule; add one with add_job. "
                             "Got 0 jobs instead.", where="jobs")
        index = {name: i for i, name in enumerate(self._machines)}
        ops: list[OpData] = []
        job_ops: list[tuple[int, ...]] = []
        for j, (name, job_list) in enumerate(self._ops.items()):
            if not job_list:
                raise InputError(f"Job {name!r} has no operation; add one with "
                                 "ScheduleModel.add_operation or leave the job out.",
                                 where=f"job {name}")
            first = len(ops)
            for op in job_list:
                alts = tuple((index[m], d) for m, d in op.durations.items())
                ops.append(OpData(j, op.position, alts, op.family))
            job_ops.append(tuple(range(first, len(ops))))
        groups = []
        for group in self._same_sequence:
            members = self.machines if group is None else group
            groups.append(self._check_same_sequence(tuple(index[m.name] for m in members)))
        setups = {index[m]: s for m, s in self._setups.items()}
        return ScheduleData(self.name, self.machines, self.jobs, tuple(ops), tuple(job_ops),
                            setups, tuple(groups))

    def _check_same_sequence(self, group: tuple[int, ...]) -> tuple[int, ...]:
        names = [self.machines[m].name for m in group]
        for job, job_list in self._ops.items():
            fixed = [next(iter(op.durations)) for op in job_list if len(op.durations) == 1]
            for name in names:
                if fixed.count(name) != 1 or any(
                        name in op.durations and len(op.durations) > 1 for op in job_list):
                    raise InputError(f"Job {job!r} must have exactly one operation on machine "
                                     f"{name!r}, without alternative machines, for "
                                     "add_same_sequence.", where=f"job {job}")
        return group

    def solve(self, objective: str = "makespan",
              stop: StoppingCriterion | float | None = None,
              workers: int = 2, seed: int = 0, warm_start: ScheduleResult | None = None,
              solver_params: Mapping[str, Any] | None = None,
              display: bool = False) -> ScheduleResult:
        """Schedule every operation with CP-SAT and return the best plan found.

        Parameters
        ----------
        objective
            ``"makespan"`` (finish everything as early as possible), ``"total_tardiness"`` or
            ``"weighted_tardiness"`` (sum of ``weight * max(0, end - due)`` over jobs with a
            due date).
        stop
            Stopping criterion; its :meth:`time_limit` becomes CP-SAT's hard limit. A number
            means seconds. None means 60 s.
        workers
            CP-SAT threads. The default of 2 suits a shared machine; more threads give CP-SAT
            a larger portfolio.
        seed
            CP-SAT's random seed; the same seed, limit and machine load reproduce a plan.
        warm_start
            A previous result of a similar model (same job and machine names), or a saved
            schedule wrapped by :meth:`ScheduleResult.from_table`: its schedule, repaired into
            this model (operations keep their machine and start where they still fit, and move
            only as late as they must otherwise), becomes CP-SAT's solution hint and is returned
            unless CP-SAT finds a strictly better plan; the result's ``changes`` table lists
            what moved.
        solver_params
            Extra CP-SAT parameters by name (``{"linearization_level": 2}``), applied last.
        display
            Log CP-SAT's search progress to the ``supplypilot`` logger at INFO level.

        Returns
        -------
        ScheduleResult
            Status, schedule table, makespan, tardiness and the reasons behind them. An
            infeasible problem gives a result with ``status`` infeasible and ``conflicts``
            naming the operations that cannot fit, not an exception.
        """
        from supplypilot.plan._schedule_cpsat import solve_cpsat

        where = "ScheduleModel.solve"
        if objective not in OBJECTIVES:
            raise InputError(f"The 'objective' parameter of {where} must be a str among "
                             f"{set(OBJECTIVES)}. Got {objective!r} instead.", where="objective")
        check_int(workers, "workers", where, low=1)
        check_int(seed, "seed", where)
        if warm_start is not None and not isinstance(warm_start, ScheduleResult):
            raise InputError(f"The 'warm_start' parameter of {where} must be a ScheduleResult "
                             f"or None. Got {type(warm_start).__name__} instead.",
                             where="warm_start")
        if solver_params is not None and not isinstance(solver_params, Mapping):
            raise InputError(f"The 'solver_params' parameter of {where} must be a mapping of "
                             f"CP-SAT parameter names to values. Got {solver_params!r} instead.",
                             where="solver_params")
        if not (stop is None or isinstance(stop, StoppingCriterion)
                or (isinstance(stop, (int, float)) and not isinstance(stop, bool))):
            raise InputError(f"The 'stop' parameter of {where} must be a stopping criterion "
                             f"(e.g. MaxRuntime(60)), a number of seconds or None. Got "
                             f"{stop!r} instead.", where="stop")
        limit = time_limit_of(stop)
        data = self.data()
        if objective != "makespan" and all(job.due is None for job in data.jobs):
            raise InputError(f"The 'objective' parameter of {where} is {objective!r}, which "
                             "needs at least one job with a due date. Got no due date instead.",
                             where="objective")
        return solve_cpsat(data, objective=objective, time_limit=limit, workers=int(workers),
                           seed=int(seed), warm_start=warm_start,
                           solver_params=dict(solver_params or {}), display=display)
