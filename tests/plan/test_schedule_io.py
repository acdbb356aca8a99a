"""Readers of the job-shop and flow-shop benchmark formats."""

from __future__ import annotations

import pytest

from supplypilot.config import data_dir
from supplypilot.errors import InputError
from supplypilot.plan.schedule import read_flowshop, read_jobshop

JOBSHOP = data_dir() / "optimization" / "jobshop" / "instances"
FLOWSHOP = data_dir() / "optimization" / "flowshop" / "taillard"


def _need(path):
    if not path.exists():
        pytest.skip(f"shared benchmark data not found at {path} (set SUPPLYPILOT_DATA)")
    return path


def test_standard_jobshop_file_gives_machines_jobs_and_routings() -> None:
    """ft06 has 6 jobs of 6 operations; job 0 starts on machine 2 for 1 time unit."""
    model = read_jobshop(_need(JOBSHOP / "FisherThompson1963" / "ft06.txt"))
    assert model.name == "ft06"
    assert [m.name for m in model.machines] == [f"M{k}" for k in range(6)]
    assert len(model.jobs) == 6 and len(model.operations) == 36
    first = model.operations[0]
    assert (first.label, dict(first.durations)) == ("J0/0", {"M2": 1})


def test_taillard_jobshop_layout_is_detected(tmp_path) -> None:
    """Durations then 1-based machines (2n lines of m numbers) are read as Taillard's format."""
    path = tmp_path / "tiny.txt"
    path.write_text("2 2\n5 7\n3 4\n2 1\n1 2\n")
    model = read_jobshop(path)
    routes = [[(next(iter(op.durations)), op.durations[next(iter(op.durations))])
               for op in model.operations if op.job is job] for job in model.jobs]
    assert routes == [[("M1", 5), ("M0", 7)], [("M0", 3), ("M1", 4)]]


def test_jobshop_line_with_missing_numbers_names_the_line(tmp_path) -> None:
    """A job line with an odd count of numbers is refused with its file and line number."""
    path = tmp_path / "bad.txt"
    path.write_text("2 2\n0 5 1 7\n0 3 1\n")
    with pytest.raises(InputError) as info:
        read_jobshop(path)
    assert info.value.where == "bad.txt, line 3"
    assert "expected 4 numbers" in info.value.message


def test_jobshop_machine_out_of_range_is_refused(tmp_path) -> None:
    """A machine number beyond the header's count is an error, not a new machine."""
    path = tmp_path / "bad.txt"
    path.write_text("1 2\n0 5 2 7\n")
    with pytest.raises(InputError, match="machine numbers must be in \\[0, 1\\], got 2"):
        read_jobshop(path)


def test_taillard_flowshop_file_gives_a_permutation_flow_shop() -> None:
    """Ta001 is 20 jobs x 5 machines, every job visits M0..M4, and one job order is shared."""
    model = read_flowshop(_need(FLOWSHOP / "Ta001.txt"))
    data = model.data()
    assert (len(model.jobs), len(model.machines)) == (20, 5)
    assert data.same_sequence == ((0, 1, 2, 3, 4),)
    assert [op.durations for op in model.operations[:2]] == [{"M0": 54}, {"M1": 79}]


def test_flowshop_file_too_short_is_refused(tmp_path) -> None:
    """A file with fewer durations than jobs x machines names the shortfall."""
    path = tmp_path / "short.txt"
    path.write_text("3 2 1 10 5\n1 2 3\n4 5\n")
    with pytest.raises(InputError, match="expected 6 durations \\(2 machines x 3 jobs\\), got 5"):
        read_flowshop(path)
