"""ScheduleModel: building, solving and explaining production schedules."""

from __future__ import annotations

import itertools

import pytest

from supplypilot.config import data_dir
from supplypilot.errors import InputError, UnknownEntityError
from supplypilot.plan.result import SolveStatus
from supplypilot.plan.schedule import Calendar, ScheduleModel, ScheduleResult, read_jobshop

FT06 = data_dir() / "optimization" / "jobshop" / "instances" / "FisherThompson1963" / "ft06.txt"


def one_machine(*ops: tuple[str, int], **job_args: dict) -> ScheduleModel:
    """A single-machine model with one single-operation job per (name, duration) pair."""
    model = ScheduleModel("single")
    model.add_machine("M")
    for name, duration in ops:
        job = model.add_job(name, **job_args.get(name, {}))
        model.add_operation(job, duration, machines="M")
    return model


@pytest.fixture(scope="module")
def ft06_result() -> ScheduleResult:
    if not FT06.exists():
        pytest.skip(f"shared benchmark data not found at {FT06} (set SUPPLYPILOT_DATA)")
    return read_jobshop(FT06).solve(stop=20)


def test_ft06_reaches_its_known_optimum(ft06_result: ScheduleResult) -> None:
    """Fisher and Thompson's 6x6 job shop has optimal makespan 55, which CP-SAT proves."""
    assert ft06_result.status == SolveStatus.OPTIMAL
    assert ft06_result.makespan == 55
    assert ft06_result.bound == 55
    assert ft06_result.gap == 0


def test_ft06_schedule_respects_routings_and_machines(ft06_result: ScheduleResult) -> None:
    """Each job's operations follow each other and no machine runs two operations at once."""
    table = ft06_result.schedule
    assert len(table) == 36
    for _, rows in table.sort_values(["job", "op"]).groupby("job"):
        assert (rows["start"].to_numpy()[1:] >= rows["end"].to_numpy()[:-1]).all()
    for _, rows in table.sort_values("start").groupby("machine"):
        assert (rows["start"].to_numpy()[1:] >= rows["end"].to_numpy()[:-1]).all()


def test_alternative_machines_pick_the_faster_one() -> None:
    """An operation that may run on two machines goes to the one that finishes it sooner."""
    model = ScheduleModel()
    model.add_machine("slow")
    model.add_machine("fast")
    job = model.add_job("J1")
    model.add_operation(job, {"slow": 10, "fast": 3})
    result = model.solve(stop=5)
    assert result.schedule["machine"].tolist() == ["fast"]
    assert result.makespan == 3


def test_release_dates_are_respected() -> None:
    """A job released at 10 starts at 10 even though the machine is free earlier."""
    model = one_machine(("J1", 4), ("J2", 3), J2={"release": 10})
    result = model.solve(stop=5)
    starts = dict(zip(result.schedule["job"], result.schedule["start"], strict=True))
    assert starts["J2"] == 10
    assert result.makespan == 13


def test_operations_never_overlap_machine_downtime() -> None:
    """Three 2-unit operations around downtime [3, 5) need until 9: the gap [2, 3) is too short."""
    model = ScheduleModel()
    model.add_machine("M", calendar=[(3, 5)])
    for name in ("J1", "J2", "J3"):
        model.add_operation(model.add_job(name), 2, machines="M")
    result = model.solve(stop=5)
    assert result.makespan == 9
    for start, end in zip(result.schedule["start"], result.schedule["end"], strict=True):
        assert end <= 3 or start >= 5


def test_shift_calendar_pushes_work_into_the_next_shift() -> None:
    """With shifts [0, 8) and [16, 24) two 6-unit operations run at 0 and 16."""
    model = ScheduleModel()
    model.add_machine("M", calendar=Calendar.from_shifts([(0, 8), (16, 24)]))
    for name in ("J1", "J2"):
        model.add_operation(model.add_job(name), 6, machines="M")
    result = model.solve(stop=5)
    assert sorted(result.schedule["start"]) == [0, 16]
    assert result.makespan == 22


def test_operation_longer_than_every_shift_is_explained_as_infeasible() -> None:
    """An 8-unit operation on a machine open only [0, 5) gives an infeasible result naming it."""
    model = ScheduleModel()
    model.add_machine("M", calendar=Calendar.from_shifts([(0, 5)]))
    model.add_operation(model.add_job("J1"), 8, machines="M")
    result = model.solve(stop=5)
    assert result.status == SolveStatus.INFEASIBLE
    assert result.schedule.empty and result.makespan is None
    assert len(result.conflicts) == 1
    assert "J1/0" in result.conflicts[0] and "longest working window" in result.conflicts[0]
    assert "J1/0" in result.summary()


def test_machine_closing_before_its_work_is_done_is_explained() -> None:
    """Three 4-unit operations cannot fit in one 10-unit shift; the conflict names the machine."""
    model = ScheduleModel()
    model.add_machine("press", calendar=Calendar.from_shifts([(0, 10)]))
    for name in ("J1", "J2", "J3"):
        model.add_operation(model.add_job(name), 4, machines="press")
    result = model.solve(stop=5)
    assert result.status == SolveStatus.INFEASIBLE
    assert "'press' must process 12" in result.conflicts[0]
    assert "only 10" in result.conflicts[0]


def test_setups_are_inserted_between_families() -> None:
    """Families A, B, A, B with a 5-unit changeover are grouped: one setup, makespan 8 + 5."""
    model = ScheduleModel()
    model.add_machine("M")
    for name, family in (("J1", "A"), ("J2", "B"), ("J3", "A"), ("J4", "B")):
        model.add_operation(model.add_job(name), 2, machines="M", family=family)
    model.set_setup_times("M", {"A": {"B": 5}, "B": {"A": 5}})
    result = model.solve(stop=10)
    assert result.status == SolveStatus.OPTIMAL
    assert result.makespan == 13
    table = result.schedule.sort_values("start")
    assert table["setup"].tolist() == [0, 0, 5, 0]
    families = table["family"].tolist()
    assert families in (["A", "A", "B", "B"], ["B", "B", "A", "A"])
    changeover = table.iloc[2]
    assert changeover["start"] >= table.iloc[1]["end"] + 5


def test_initial_setup_state_costs_the_first_changeover() -> None:
    """A machine set up for family A at time 0 needs its A->B setup before a lone B operation."""
    model = ScheduleModel()
    model.add_machine("M")
    model.add_operation(model.add_job("J1"), 2, machines="M", family="B")
    model.set_setup_times("M", {"A": {"B": 4}}, initial="A")
    result = model.solve(stop=5)
    assert result.schedule["start"].tolist() == [4]
    assert result.schedule["setup"].tolist() == [4]


def test_setup_must_fit_the_calendar_too() -> None:
    """A 3-unit setup cannot run during downtime [0, 2), so the operation starts at 5."""
    model = ScheduleModel()
    model.add_machine("M", calendar=[(0, 2)])
    model.add_operation(model.add_job("J1"), 1, machines="M", family="B")
    model.set_setup_times("M", {"A": {"B": 3}}, initial="A")
    result = model.solve(stop=5)
    assert result.schedule["start"].tolist() == [5]


def _tardiness_case() -> ScheduleModel:
    """J1 (p=1, d=1, w=1) and J2 (p=3, d=3, w=4) on one machine."""
    return one_machine(("J1", 1), ("J2", 3), J1={"due": 1, "weight": 1},
                       J2={"due": 3, "weight": 4})


def test_weighted_tardiness_objective_finds_the_hand_computed_optimum() -> None:
    """J2 first costs 3 (J1 is 3 late at weight 1); J1 first would cost 4, so J2 goes first."""
    result = _tardiness_case().solve(objective="weighted_tardiness", stop=5)
    assert result.status == SolveStatus.OPTIMAL
    assert result.objective == 3
    assert result.machine_sequence("M") == ["J2/0", "J1/0"]
    assert result.tardiness.set_index("job")["tardiness"].to_dict() == {"J1": 3, "J2": 0}


def test_total_tardiness_ignores_weights() -> None:
    """Without weights J1 first is better (1 unit late instead of 3)."""
    result = _tardiness_case().solve(objective="total_tardiness", stop=5)
    assert result.objective == 1
    assert result.machine_sequence("M") == ["J1/0", "J2/0"]
    assert result.late_jobs == ["J2"]


def test_same_sequence_reaches_the_brute_force_permutation_optimum() -> None:
    """A 5-job, 3-machine permutation flow shop: CP-SAT matches enumeration of all 120 orders."""
    times = [[4, 2, 6], [3, 7, 2], [6, 1, 4], [2, 5, 5], [5, 3, 1]]
    model = ScheduleModel("flow")
    for k in range(3):
        model.add_machine(f"M{k}")
    for j, row in enumerate(times):
        job = model.add_job(f"J{j}")
        for k, p in enumerate(row):
            model.add_operation(job, p, machines=f"M{k}")
    model.add_same_sequence()

    def makespan(order: tuple[int, ...]) -> int:
        done = [0, 0, 0]
        for j in order:
            t = 0
            for k in range(3):
                t = max(t, done[k]) + times[j][k]
                done[k] = t
        return done[-1]

    best = min(makespan(order) for order in itertools.permutations(range(5)))
    result = model.solve(stop=10)
    assert result.status == SolveStatus.OPTIMAL
    assert result.makespan == best
    jobs_on = {m: [label.split("/")[0] for label in result.machine_sequence(m)]
               for m in ("M0", "M1", "M2")}
    assert jobs_on["M0"] == jobs_on["M1"] == jobs_on["M2"]
    assert result.extra["hint"] == "NEH + iterated greedy"
    assert result.extra["neh_makespan"] >= result.extra["hint_objective"] >= best


def test_warm_start_reproduces_the_previous_optimum() -> None:
    """Re-solving ft06 from its optimal schedule keeps makespan 55 and hints exactly that plan."""
    if not FT06.exists():
        pytest.skip(f"shared benchmark data not found at {FT06}")
    model = read_jobshop(FT06)
    first = model.solve(stop=20)
    again = model.solve(stop=20, warm_start=first)
    assert again.extra["hint"] == "previous schedule"
    assert again.extra["hint_objective"] == 55
    assert again.makespan == 55
    assert again.changes is not None


def test_warm_start_reports_an_operation_moved_to_another_machine() -> None:
    """When M1 breaks down the operation moves to M2, and the changes table says so."""
    def build(broken: bool) -> ScheduleModel:
        model = ScheduleModel()
        model.add_machine("M1", calendar=[(0, 100)] if broken else None)
        model.add_machine("M2")
        model.add_operation(model.add_job("J1"), {"M1": 3, "M2": 4})
        return model

    before = build(broken=False).solve(stop=5)
    after = build(broken=True).solve(stop=5, warm_start=before)
    assert after.schedule["machine"].tolist() == ["M2"]
    assert after.changes is not None
    row = after.changes.iloc[0]
    assert (row["change"], row["machine_before"], row["machine_after"]) == ("machine", "M1", "M2")
    assert "1 of 1 operations changed, 1 to another machine" in after.summary()


def test_warm_start_reports_new_jobs() -> None:
    """A job added since the previous plan is listed as new."""
    base = one_machine(("J1", 2))
    before = base.solve(stop=5)
    grown = one_machine(("J1", 2), ("J2", 2))
    after = grown.solve(stop=5, warm_start=before)
    new = after.changes[after.changes["change"] == "new"]
    assert new[["job", "op"]].values.tolist() == [["J2", 0]]


def test_bottleneck_and_late_jobs_are_reported_as_binding() -> None:
    """The busiest machine and each late job appear in ``binding`` with their numbers."""
    result = _tardiness_case().solve(objective="weighted_tardiness", stop=5)
    assert result.binding[0] == "bottleneck: machine 'M' is busy 100.0% of the makespan (4 of 4)"
    assert "job 'J1' ends at 4, 3 after its due date 1 (weight 1)" in result.binding


def test_summary_and_repr_show_status_and_makespan() -> None:
    """The summary is an aligned block and the repr says how the result was made."""
    result = one_machine(("J1", 2)).solve(stop=5, seed=3)
    text = result.summary()
    assert text.splitlines()[0] == "status      optimal"
    assert "makespan    2" in text
    assert repr(result).startswith("ScheduleResult(name='single', status='optimal'")
    assert "seed=3" in repr(result)


def test_display_logs_cp_sat_progress(caplog: pytest.LogCaptureFixture) -> None:
    """With display=True CP-SAT's search log goes to the supplypilot logger, not to stdout."""
    with caplog.at_level("INFO", logger="supplypilot"):
        one_machine(("J1", 1)).solve(stop=5, display=True)
    assert any("CP-SAT" in r.getMessage() for r in caplog.records)


def test_solver_params_reach_cp_sat() -> None:
    """Extra CP-SAT parameters are applied and recorded with the result."""
    result = one_machine(("J1", 1)).solve(stop=5, solver_params={"linearization_level": 2})
    assert "linearization_level: 2" in result.extra["parameters"]


def test_negative_duration_is_rejected_with_the_standard_message() -> None:
    """A negative duration names the parameter, the method and the value."""
    model = ScheduleModel()
    model.add_machine("M")
    job = model.add_job("J1")
    with pytest.raises(InputError) as info:
        model.add_operation(job, -3, machines="M")
    assert info.value.message == ("The 'duration' parameter of ScheduleModel.add_operation "
                                  "must be an int >= 0. Got -3 instead.")


def test_fractional_duration_is_rejected() -> None:
    """CP-SAT needs integers, so 2.5 is refused instead of being rounded silently."""
    model = ScheduleModel()
    model.add_machine("M")
    with pytest.raises(InputError, match="must be an int >= 0. Got 2.5 instead"):
        model.add_operation(model.add_job("J1"), 2.5, machines="M")


def test_unknown_machine_is_named_in_the_error() -> None:
    """Referring to a machine that was never added names it and lists the known ones."""
    model = ScheduleModel()
    model.add_machine("M1")
    with pytest.raises(UnknownEntityError, match="Unknown machine 'M9'.*known machines: M1"):
        model.add_operation(model.add_job("J1"), 3, machines="M9")


def test_job_of_another_model_is_rejected() -> None:
    """A job object from another model instance is refused even if the name matches."""
    model, other = ScheduleModel(), ScheduleModel()
    model.add_machine("M")
    model.add_job("J1")
    stranger = other.add_job("J1")
    with pytest.raises(UnknownEntityError, match="not in this model instance"):
        model.add_operation(stranger, 3, machines="M")


def test_duplicate_machine_name_is_rejected() -> None:
    """Two machines with one name would make the schedule table ambiguous."""
    model = ScheduleModel()
    model.add_machine("M")
    with pytest.raises(InputError, match="must be a new machine name. Got 'M' instead"):
        model.add_machine("M")


def test_downtime_that_ends_before_it_starts_is_rejected() -> None:
    """A calendar interval (5, 5) is empty and most likely a typing mistake."""
    with pytest.raises(InputError, match="end > start. Got \\(5, 5\\) instead"):
        Calendar([(5, 5)])


def test_unknown_objective_is_rejected() -> None:
    """Only the three documented objectives are accepted."""
    with pytest.raises(InputError, match="'objective' parameter of ScheduleModel.solve must be"):
        one_machine(("J1", 1)).solve(objective="flowtime")


def test_tardiness_objective_without_due_dates_is_rejected() -> None:
    """Minimising tardiness with no due date at all is a mistake, not a zero-cost plan."""
    with pytest.raises(InputError, match="needs at least one job with a due date"):
        one_machine(("J1", 1)).solve(objective="total_tardiness")


def test_stop_must_be_a_criterion_or_seconds() -> None:
    """A stop given as text is refused before anything is solved."""
    with pytest.raises(InputError, match="'stop' parameter .* Got '60s' instead"):
        one_machine(("J1", 1)).solve(stop="60s")


def test_zero_workers_is_rejected() -> None:
    """CP-SAT needs at least one thread."""
    with pytest.raises(InputError, match="'workers' parameter .* must be an int >= 1. Got 0"):
        one_machine(("J1", 1)).solve(workers=0)


def test_unknown_solver_parameter_is_rejected() -> None:
    """A misspelt CP-SAT parameter is refused rather than ignored."""
    with pytest.raises(InputError, match="must name CP-SAT parameters. Got 'num_wrokers'"):
        one_machine(("J1", 1)).solve(solver_params={"num_wrokers": 4})


def test_job_without_operations_is_rejected_when_solving() -> None:
    """A job with an empty routing is named before CP-SAT runs."""
    model = one_machine(("J1", 1))
    model.add_job("J2")
    with pytest.raises(InputError, match="Job 'J2' has no operation"):
        model.solve()


def test_same_sequence_needs_one_operation_per_machine() -> None:
    """A permutation flow shop needs every job on every machine of the group exactly once."""
    model = ScheduleModel()
    model.add_machine("M1")
    model.add_machine("M2")
    model.add_operation(model.add_job("J1"), 1, machines="M1")
    model.add_same_sequence()
    with pytest.raises(InputError, match="'J1' must have exactly one operation on machine 'M2'"):
        model.solve()
