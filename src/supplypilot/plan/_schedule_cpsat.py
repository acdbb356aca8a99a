"""The CP-SAT formulation behind :meth:`ScheduleModel.solve`.

One interval per operation (start, end), one optional interval per alternative machine with
exactly one present, a ``NoOverlap`` per machine that also holds the calendar's downtime as fixed
intervals, precedences along each routing, and release dates as lower bounds. Machines with
sequence-dependent setups get an ``AddCircuit`` over their operations: an arc ``i -> j`` means
``j`` follows ``i`` directly and sets ``j``'s setup time, and the interval on the machine covers
setup plus processing so that setups also respect the calendar. A permutation flow shop gets one
order literal per job pair shared by all machines of the group.

A constructive schedule (:mod:`._schedule_heuristics`) is always computed first: it becomes the
solution hint (or the repaired previous schedule after a warm start), caps the horizon for the
makespan objective, and is returned as a feasible plan if CP-SAT finds nothing in time. After a
warm start it is also returned when CP-SAT finds nothing strictly better, so that a re-plan does
not move work for no gain (unchanged orders keep their slots).
"""

from __future__ import annotations

import logging
import time
from typing import Any

import ortools
from ortools.sat.python import cp_model

from supplypilot.errors import InputError, SupplyPilotError
from supplypilot.plan._schedule_data import ScheduleData
from supplypilot.plan._schedule_explain import build_result, infeasibility, objective_of
from supplypilot.plan._schedule_heuristics import (
    Assignment,
    by_job_order,
    by_priority,
    dispatch,
    flow_matrix,
    iterated_greedy,
    neh,
    permutation_makespan,
)
from supplypilot.plan._schedule_result import ScheduleResult, result_status
from supplypilot.plan.result import SolveStatus

logger = logging.getLogger("supplypilot.plan.schedule")

IMPROVE_SHARE = 0.25
"""Share of the time limit a permutation flow shop spends in iterated greedy before CP-SAT:
CP-SAT's search improves an NEH order slowly (its moves change one pair of jobs at a time),
while iterated greedy reaches ~1 % of the best-known makespans within seconds."""
IMPROVE_CAP = 30.0
MIN_SOLVER_TIME = 0.05


class _Formulation:
    """CP-SAT variables of one :class:`ScheduleData`, kept for hints and for reading back."""

    def __init__(self, data: ScheduleData, objective: str, horizon: int) -> None:
        self.data = data
        self.horizon = horizon
        self.model = cp_model.CpModel()
        self.start: list[cp_model.IntVar] = []
        self.end: list[cp_model.IntVar] = []
        self.present: dict[tuple[int, int], Any] = {}  # (op, machine) -> literal or True
        self.setup: dict[tuple[int, int], cp_model.IntVar] = {}
        self.busy_from: dict[tuple[int, int], Any] = {}  # start of setup + processing
        self.arcs: dict[int, dict[tuple[int, int], cp_model.IntVar]] = {}
        self.order: dict[tuple[int, int], cp_model.IntVar] = {}
        self._order_ops: dict[tuple[int, int], tuple[int, int]] = {}  # ops that show the order
        self.objective_vars: dict[str, Any] = {}
        self.lowest_start: list[int] = []
        self.lowest_end: list[int] = []
        self._intervals: list[list[Any]] = [[] for _ in data.machines]
        self._build_operations()
        self._build_calendars()
        for machine in data.setups:
            self._build_setups(machine)
        for group in data.same_sequence:
            self._build_same_sequence(group)
        for intervals in self._intervals:
            if len(intervals) > 1:
                self.model.add_no_overlap(intervals)
        self._build_objective(objective)

    def _build_operations(self) -> None:
        data, m, horizon = self.data, self.model, self.horizon
        for j, ops in enumerate(data.job_ops):
            head = data.jobs[j].release
            tails = [sum(data.ops[q].min_duration for q in ops[k + 1:]) for k in range(len(ops))]
            for k, o in enumerate(ops):
                op = data.ops[o]
                lo, hi = head, max(head, horizon - tails[k] - op.min_duration)
                s = m.new_int_var(lo, hi, f"start_{o}")
                e = m.new_int_var(lo + op.min_duration, max(lo + op.min_duration,
                                                             horizon - tails[k]), f"end_{o}")
                self.start.append(s)
                self.end.append(e)
                self.lowest_start.append(lo)
                self.lowest_end.append(lo + op.min_duration)
                if k:
                    m.add(s >= self.end[-2])
                head += op.min_duration
                single = len(op.alternatives) == 1
                lits = []
                for machine, duration in op.alternatives:
                    lit = True if single else m.new_bool_var(f"on_{o}_{machine}")
                    self.present[o, machine] = lit
                    if not single:
                        lits.append(lit)
                    self._add_interval(o, machine, duration, lit)
                if lits:
                    m.add_exactly_one(lits)

    def _add_interval(self, o: int, machine: int, duration: int, lit: Any) -> None:
        m, s, e = self.model, self.start[-1], self.end[-1]
        if machine not in self.data.setups:
            if lit is True:
                iv = m.new_interval_var(s, duration, e, f"op_{o}_{machine}")
            else:
                iv = m.new_optional_interval_var(s, duration, e, lit, f"op_{o}_{machine}")
            self.busy_from[o, machine] = s
            self._intervals[machine].append(iv)
            return
        largest = self.data.setups[machine].largest
        su = m.new_int_var(0, largest, f"setup_{o}_{machine}")
        begin = m.new_int_var(max(0, self.lowest_start[o] - largest), self.horizon,
                              f"busy_{o}_{machine}")
        m.add(begin + su == s)
        if lit is True:
            iv = m.new_interval_var(begin, su + duration, e, f"op_{o}_{machine}")
        else:
            iv = m.new_optional_interval_var(begin, su + duration, e, lit, f"op_{o}_{machine}")
            m.add(su == 0).only_enforce_if(~lit)
        self.setup[o, machine] = su
        self.busy_from[o, machine] = begin
        self._intervals[machine].append(iv)

    def _build_calendars(self) -> None:
        for k, machine in enumerate(self.data.machines):
            for start, end in machine.calendar.downtime:
                stop = self.horizon + 1 if end is None else min(end, self.horizon + 1)
                if start < stop:
                    self._intervals[k].append(self.model.new_fixed_size_interval_var(
                        start, stop - start, f"down_{k}_{start}"))

    def _build_setups(self, machine: int) -> None:
        data, m = self.data, self.model
        nodes = [o for o in range(len(data.ops)) if (o, machine) in self.present]
        if not nodes:
            return
        arcs: list[tuple[int, int, Any]] = []
        lits: dict[tuple[int, int], cp_model.IntVar] = {}
        for a, oa in enumerate(nodes, start=1):
            fam = data.ops[oa].family
            first = m.new_bool_var(f"first_{machine}_{oa}")
            last = m.new_bool_var(f"last_{machine}_{oa}")
            arcs += [(0, a, first), (a, 0, last)]
            lits[-1, oa], lits[oa, -1] = first, last
            m.add(self.setup[oa, machine] == data.first_setup(machine, fam)).only_enforce_if(first)
            lit_a = self.present[oa, machine]
            if lit_a is not True:
                arcs.append((a, a, ~lit_a))
            for b, ob in enumerate(nodes, start=1):
                if a == b:
                    continue
                arc = m.new_bool_var(f"arc_{machine}_{oa}_{ob}")
                arcs.append((a, b, arc))
                lits[oa, ob] = arc
                m.add(self.end[oa] <= self.busy_from[ob, machine]).only_enforce_if(arc)
                m.add(self.setup[ob, machine] == data.setup(machine, fam, data.ops[ob].family)
                      ).only_enforce_if(arc)
        empty = m.new_bool_var(f"idle_{machine}")
        arcs.append((0, 0, empty))
        m.add_circuit(arcs)
        self.arcs[machine] = lits

    def _build_same_sequence(self, group: tuple[int, ...]) -> None:
        """One literal per job pair, "a before b", shared by every machine of ``group``.

        Pairwise order literals need n(n-1)/2 booleans where a circuit over jobs needs n^2,
        and they carry no symmetric duplicates.
        """
        data, m = self.data, self.model
        op_on = [{data.ops[o].alternatives[0][0]: o for o in ops} for ops in data.job_ops]
        n = len(data.jobs)
        for a in range(n):
            for b in range(a + 1, n):
                if (a, b) not in self.order:
                    self.order[a, b] = m.new_bool_var(f"before_{a}_{b}")
                    self._order_ops[a, b] = (op_on[a][group[0]], op_on[b][group[0]])
                lit = self.order[a, b]
                for k in group:
                    oa, ob = op_on[a][k], op_on[b][k]
                    m.add(self.end[oa] <= self.busy_from[ob, k]).only_enforce_if(lit)
                    m.add(self.end[ob] <= self.busy_from[oa, k]).only_enforce_if(~lit)

    def _build_objective(self, objective: str) -> None:
        data, m = self.data, self.model
        last = [ops[-1] for ops in data.job_ops]
        if objective == "makespan":
            low = max(self.lowest_end[o] for o in last)
            makespan = m.new_int_var(low, self.horizon, "makespan")
            for o in last:
                m.add(makespan >= self.end[o])
            self.objective_vars["makespan"] = makespan
            m.minimize(makespan)
            return
        terms = []
        for j, job in enumerate(data.jobs):
            if job.due is None:
                continue
            late = m.new_int_var(0, max(0, self.horizon - job.due), f"tardiness_{j}")
            m.add(late >= self.end[last[j]] - job.due)
            self.objective_vars[f"tardiness_{j}"] = late
            weight = job.weight if objective == "weighted_tardiness" else 1
            terms.append(weight * late)
        m.minimize(sum(terms))

    def add_hint(self, plan: list[Assignment]) -> None:
        """Hint every variable from a complete, feasible plan."""
        data, m = self.data, self.model
        for o, a in enumerate(plan):
            m.add_hint(self.start[o], a.start)
            m.add_hint(self.end[o], a.end)
            for machine, _ in data.ops[o].alternatives:
                lit = self.present[o, machine]
                if lit is not True:
                    m.add_hint(lit, machine == a.machine)
                if (o, machine) in self.setup:
                    chosen = machine == a.machine
                    m.add_hint(self.setup[o, machine], a.setup if chosen else 0)
                    begin = a.start - a.setup if chosen else a.start
                    m.add_hint(self.busy_from[o, machine], begin)
        for machine, lits in self.arcs.items():
            seq = sorted((a.start, a.end, o) for o, a in enumerate(plan) if a.machine == machine)
            follow = {(-1 if i == 0 else seq[i - 1][2], seq[i][2]) for i in range(len(seq))}
            if seq:
                follow.add((seq[-1][2], -1))
            for key, lit in lits.items():
                m.add_hint(lit, key in follow)
        for key, lit in self.order.items():
            oa, ob = self._order_ops[key]
            m.add_hint(lit, plan[oa].start <= plan[ob].start)
        if "makespan" in self.objective_vars:
            m.add_hint(self.objective_vars["makespan"], max(a.end for a in plan))
        for j, job in enumerate(data.jobs):
            var = self.objective_vars.get(f"tardiness_{j}")
            if var is not None and job.due is not None:
                m.add_hint(var, max(0, plan[data.job_ops[j][-1]].end - job.due))

    def read(self, solver: cp_model.CpSolver) -> list[Assignment]:
        """The solver's plan, one assignment per operation."""
        plan = []
        for o, op in enumerate(self.data.ops):
            lits = [(k, self.present[o, k]) for k, _ in op.alternatives]
            machine = next(k for k, lit in lits if lit is True or solver.boolean_value(lit))
            setup = solver.value(self.setup[o, machine]) if (o, machine) in self.setup else 0
            plan.append(Assignment(machine, solver.value(self.start[o]),
                                   solver.value(self.end[o]), int(setup)))
        return plan


def _initial_plan(data: ScheduleData, objective: str, warm_start: ScheduleResult | None,
                  budget: float, seed: int,
                  notes: dict[str, Any]) -> tuple[list[Assignment] | None, str]:
    """The constructive schedule used as hint: repaired previous plan, NEH or dispatching.

    ``budget`` seconds may be spent improving a permutation flow shop's NEH order by iterated
    greedy; ``notes`` receives the makespans along the way (``neh_makespan``).
    """
    if warm_start is not None and not warm_start.schedule.empty:
        return _repaired_previous(data, warm_start), "previous schedule"
    if data.same_sequence:
        p = flow_matrix(data)
        if p is None:
            order = sorted(range(len(data.jobs)), key=lambda j: (data.jobs[j].release, j))
            return by_job_order(data, order), "job order"
        order = neh(p)
        notes["neh_makespan"] = permutation_makespan(p, order)
        if objective != "makespan" or budget <= 0:
            return by_job_order(data, order), "NEH"
        order = iterated_greedy(p, order, budget, seed)
        return by_job_order(data, order), "NEH + iterated greedy"
    return dispatch(data, "mwkr" if objective == "makespan" else "edd"), "dispatching"


def _repaired_previous(data: ScheduleData, warm_start: ScheduleResult) -> list[Assignment] | None:
    """The previous schedule carried into the current model: machine order and machine choice
    kept, each operation at its previous start or, where that no longer fits, as soon after it
    as it can; new operations go in by their earliest start."""
    machine_index = {m.name: k for k, m in enumerate(data.machines)}
    job_index = {j.name: k for k, j in enumerate(data.jobs)}
    priority: dict[int, float] = {}
    machine_of: dict[int, int] = {}
    not_before: dict[int, int] = {}
    for row in warm_start.schedule.itertuples(index=False):
        j = job_index.get(row.job)
        if j is None or int(row.op) >= len(data.job_ops[j]):
            continue
        o = data.job_ops[j][int(row.op)]
        priority[o] = float(row.start)
        not_before[o] = int(row.start)
        if row.machine in machine_index:
            machine_of[o] = machine_index[row.machine]
    for j, ops in enumerate(data.job_ops):  # new operations: by their earliest start
        head = data.jobs[j].release
        for o in ops:
            priority.setdefault(o, float(head))
            head += data.ops[o].min_duration
    if data.same_sequence:
        order = sorted(range(len(data.jobs)), key=lambda j: priority[data.job_ops[j][0]])
        return by_job_order(data, order)
    return by_priority(data, priority, machine_of, not_before)


def _parameters(solver: cp_model.CpSolver, objective: str, data: ScheduleData, time_limit: float,
                workers: int, seed: int, extra: dict[str, Any], display: bool) -> None:
    p = solver.parameters
    p.max_time_in_seconds = float(time_limit)
    p.num_workers = workers
    p.random_seed = seed
    if objective == "makespan" and workers < 8 and not data.same_sequence:
        # With few threads CP-SAT runs one full-search worker (default_lp) beside its LNS
        # workers. On job shops the LP-free search proves optimality much sooner (ft10 in
        # ~30 s on 2 threads, where default_lp is still at the bound 808 after 40 s).
        p.subsolvers.append("no_lp")
    if display:
        p.log_search_progress = True
        p.log_to_stdout = False
        solver.log_callback = logger.info
    for key, value in extra.items():
        if not hasattr(p, key):
            raise InputError("The 'solver_params' parameter of ScheduleModel.solve must name "
                             f"CP-SAT parameters. Got {key!r} instead.", where="solver_params")
        try:
            if isinstance(value, (list, tuple)):
                field = getattr(p, key)
                field.clear()
                field.extend(value)
            else:
                setattr(p, key, value)
        except (TypeError, ValueError, AttributeError) as exc:
            raise InputError("The 'solver_params' parameter of ScheduleModel.solve must give "
                             f"{key!r} a value CP-SAT accepts. Got {value!r} instead ({exc}).",
                             where="solver_params") from exc


def solve_cpsat(data: ScheduleData, objective: str, time_limit: float, workers: int, seed: int,
                warm_start: ScheduleResult | None, solver_params: dict[str, Any],
                display: bool) -> ScheduleResult:
    """Solve ``data`` and explain the outcome (see :meth:`ScheduleModel.solve`)."""
    t0 = time.perf_counter()
    name = f"CP-SAT {ortools.__version__}"
    common: dict[str, Any] = {"data": data, "objective": objective, "seed": seed,
                              "solver": name, "warm_start": warm_start}
    conflicts = infeasibility(data)
    if conflicts:
        return build_result(status=SolveStatus.INFEASIBLE, plan=None, conflicts=conflicts,
                            reasons=["checked before solving: some work cannot fit the machine "
                                     "calendars"], runtime=time.perf_counter() - t0, **common)
    notes: dict[str, Any] = {}
    budget = min(IMPROVE_SHARE * time_limit, IMPROVE_CAP)
    initial, source = _initial_plan(data, objective, warm_start, budget, seed, notes)
    horizon = data.safe_horizon()
    if initial is not None:
        horizon = max(horizon, max(a.end for a in initial))
        if objective == "makespan":
            horizon = max(a.end for a in initial)  # an optimal makespan is never longer
    formulation = _Formulation(data, objective, horizon)
    if initial is not None:
        formulation.add_hint(initial)
    solver = cp_model.CpSolver()
    left = max(time_limit - (time.perf_counter() - t0), MIN_SOLVER_TIME)
    _parameters(solver, objective, data, left, workers, seed, solver_params, display)
    status_code = solver.solve(formulation.model)
    status_name = solver.status_name(status_code)
    if status_name == "MODEL_INVALID":
        raise SupplyPilotError("CP-SAT refused the schedule model: "
                               f"{formulation.model.validate()}")
    status = result_status(status_name)
    extra = {"horizon": horizon, "hint": source, "workers": workers, "time_limit": time_limit,
             "hint_objective": None, "cp_sat_status": status_name, **notes,
             "parameters": str(solver.parameters).replace("\n", "; ")}
    plan = formulation.read(solver) if status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE) \
        else None
    reasons: list[str] = []
    bound = solver.best_objective_bound if status != SolveStatus.INFEASIBLE else None
    if (plan is not None and initial is not None and source == "previous schedule"
            and objective_of(data, plan, objective) >= objective_of(data, initial, objective)):
        plan = initial  # nothing strictly better: keep the previous slots rather than move work for no gain
        reasons.append("the previous schedule is kept: CP-SAT found nothing strictly better within "
                       f"{time_limit:g} s")
    if plan is None and status == SolveStatus.NONE and initial is not None:
        plan, status = initial, SolveStatus.FEASIBLE
        reasons.append(f"CP-SAT found no schedule within {time_limit:g} s; this is the "
                       f"{source} schedule it was given as a hint. Raise the time limit.")
    elif status == SolveStatus.NONE:
        reasons.append(f"no schedule found within {time_limit:g} s and infeasibility not "
                       "proven; raise the time limit")
    if status == SolveStatus.INFEASIBLE:
        reasons.append("CP-SAT proved that no schedule fits: the operations cannot all be "
                       "placed in the machines' working windows (calendars closing too early)")
    return build_result(status=status, plan=plan, bound=bound,
                        conflicts=[], reasons=reasons, runtime=time.perf_counter() - t0,
                        extra=extra, initial=initial, workers=workers, **common)
