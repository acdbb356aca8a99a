"""Gantt charts: a PNG through matplotlib and a self-contained HTML page."""

from __future__ import annotations

import pytest

from supplypilot.errors import InputError
from supplypilot.plan.gantt import gantt_html, plot_gantt
from supplypilot.plan.schedule import Calendar, ScheduleModel, ScheduleResult


@pytest.fixture(scope="module")
def result() -> ScheduleResult:
    """Two machines, downtime, a setup and three jobs: every kind of bar appears."""
    model = ScheduleModel("demo")
    model.add_machine("mill", calendar=Calendar([(4, 6)]))
    model.add_machine("lathe")
    model.set_setup_times("lathe", {"A": {"B": 2}})
    for name, family in (("J1", "A"), ("J2", "B"), ("J3", "A")):
        job = model.add_job(name)
        model.add_operation(job, 3, machines="mill")
        model.add_operation(job, 2, machines="lathe", family=family)
    return model.solve(stop=5)


def test_png_is_written(result: ScheduleResult, tmp_path) -> None:
    """plot_gantt with a path writes a PNG file."""
    path = tmp_path / "gantt.png"
    plot_gantt(result, path=path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_png_draws_one_bar_per_operation_plus_setups_and_downtime(result: ScheduleResult) -> None:
    """The axes hold one bar collection per operation, per setup and per downtime row."""
    ax = plot_gantt(result)
    setups = int((result.schedule["setup"] > 0).sum())
    assert setups == 1
    assert len(ax.collections) == len(result.schedule) + setups + 1
    assert [t.get_text() for t in ax.get_yticklabels()] == ["mill", "lathe"]


def test_png_draws_on_a_given_axes(result: ScheduleResult) -> None:
    """A caller's axes are drawn on and returned, so charts can be combined."""
    from matplotlib.figure import Figure

    ax = Figure().add_subplot()
    assert plot_gantt(result, ax=ax) is ax


def test_html_is_self_contained_with_one_rect_per_operation(result: ScheduleResult,
                                                            tmp_path) -> None:
    """The page has an inline SVG with a bar per operation and loads nothing from outside."""
    path = gantt_html(result, tmp_path / "out" / "gantt.html")
    page = path.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert page.count('<rect class="op"') == len(result.schedule)
    assert page.count('<rect class="setup"') == 1
    assert page.count('<rect class="down"') == 1
    assert "http" not in page and "<link" not in page and "src=" not in page


def test_html_tooltips_give_machine_and_times(result: ScheduleResult, tmp_path) -> None:
    """Each operation's tooltip names its machine and its start and end."""
    page = gantt_html(result, tmp_path / "g.html").read_text(encoding="utf-8")
    row = result.schedule.iloc[0]
    assert f"<title>{row['job']}/{row['op']} on {row['machine']}: {row['start']}–{row['end']}" \
        in page


def test_result_without_schedule_is_rejected(tmp_path) -> None:
    """An infeasible result has nothing to draw, and the error says so."""
    model = ScheduleModel()
    model.add_machine("M", calendar=Calendar.from_shifts([(0, 2)]))
    model.add_operation(model.add_job("J1"), 5, machines="M")
    infeasible = model.solve(stop=5)
    with pytest.raises(InputError, match="must hold a schedule. Got a result with status "
                                         "'infeasible' instead"):
        gantt_html(infeasible, tmp_path / "x.html")
