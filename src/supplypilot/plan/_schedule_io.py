"""Readers for the classic scheduling benchmark formats.

* Job shop, *standard* format (Beasley's OR-Library, ScheduleOpt/benchmarks): a line ``n m``,
  then one line per job of ``machine duration`` pairs, machines numbered from 0.
* Job shop, *Taillard* format: a line ``n m`` (optionally followed by seeds and bounds), then
  ``n`` lines of durations and ``n`` lines of machines numbered from 1; Taillard's own files
  also carry the words ``Times`` and ``Machines`` before each block.
* Permutation flow shop, Taillard format: ``n m [seed upper lower]``, then one line per
  **machine** with the duration of each job.

Each reader returns a :class:`~supplypilot.plan.schedule.ScheduleModel` with machines ``M0``,
``M1``, ... and jobs ``J0``, ``J1``, ... numbered as in the file, so that schedules can be
compared with published solutions.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from supplypilot.errors import InputError

if TYPE_CHECKING:
    from supplypilot.plan.schedule import ScheduleModel

_INT = re.compile(r"-?\d+")


def _int_lines(path: Path) -> list[tuple[int, list[int]]]:
    """(line number, integers) of every line holding integers, comments (``#``) removed."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise InputError(f"cannot read the instance file: {exc.strerror}.",
                         where=str(path)) from exc
    out = []
    for number, line in enumerate(text.splitlines(), start=1):
        values = [int(v) for v in _INT.findall(line.split("#", 1)[0])]
        if values:
            out.append((number, values))
    return out


def _problem(path: Path, line: int | None, message: str) -> InputError:
    where = f"{path.name}, line {line}" if line is not None else path.name
    return InputError(message, where=where)


def read_jobshop(path: str | Path, format: str = "auto", name: str | None = None) -> ScheduleModel:
    """Read a job-shop instance into a :class:`ScheduleModel` (makespan benchmark form).

    Parameters
    ----------
    path
        The instance file.
    format
        ``"standard"``, ``"taillard"`` or ``"auto"`` (decided by the shape of the file: ``n``
        lines of ``2m`` numbers is standard, ``2n`` lines of ``m`` numbers is Taillard).
    name
        Model name; defaults to the file name without its extension.

    Raises
    ------
    InputError
        When the file does not match the format, naming the file and line.
    """
    from supplypilot.plan.schedule import ScheduleModel

    path = Path(path)
    if format not in ("auto", "standard", "taillard"):
        raise InputError("The 'format' parameter of read_jobshop must be a str among "
                         f"{{'auto', 'standard', 'taillard'}}. Got {format!r} instead.",
                         where="format")
    lines = _int_lines(path)
    text_markers = "Times" in path.read_text(encoding="utf-8", errors="replace")
    if not lines or len(lines[0][1]) < 2:
        raise _problem(path, lines[0][0] if lines else None,
                       "the first line must hold the number of jobs and machines.")
    n, m = lines[0][1][:2]
    if text_markers and len(lines[0][1]) == 2 and len(lines) > 1 and len(lines[1][1]) > 2:
        lines = lines[1:]  # Taillard's header line names the fields; the values come next
        n, m = lines[0][1][:2]
    if n < 1 or m < 1:
        raise _problem(path, lines[0][0], f"jobs and machines must be >= 1, got {n} and {m}.")
    body = lines[1:]
    if format == "auto":
        format = "taillard" if len(body) == 2 * n and all(len(v) == m for _, v in body) \
            else "standard"
    routes: list[list[tuple[int, int]]] = []
    if format == "standard":
        if len(body) < n:
            raise _problem(path, None, f"expected {n} job lines after the header, got {len(body)}.")
        for line, values in body[:n]:
            if len(values) != 2 * m:
                raise _problem(path, line, f"expected {2 * m} numbers ({m} machine/duration "
                                           f"pairs), got {len(values)}.")
            routes.append([(values[2 * k], values[2 * k + 1]) for k in range(m)])
        base = 0
    else:
        if len(body) < 2 * n:
            raise _problem(path, None, f"expected {2 * n} lines (durations, then machines) after "
                                       f"the header, got {len(body)}.")
        for (line, times), (_, machines) in zip(body[:n], body[n:2 * n], strict=True):
            if len(times) != m or len(machines) != m:
                raise _problem(path, line, f"expected {m} numbers per line, got {len(times)}.")
            routes.append(list(zip(machines, times, strict=True)))
        base = 1
    model = ScheduleModel(name or path.stem)
    for k in range(m):
        model.add_machine(f"M{k}")
    for j, route in enumerate(routes):
        job = model.add_job(f"J{j}")
        for machine, duration in route:
            if not base <= machine < m + base:
                raise _problem(path, body[j][0], f"machine numbers must be in [{base}, "
                                                 f"{m - 1 + base}], got {machine}.")
            if duration < 0:
                raise _problem(path, body[j][0], f"durations must be >= 0, got {duration}.")
            model.add_operation(job, duration, machines=f"M{machine - base}")
    return model


def read_flowshop(path: str | Path, name: str | None = None) -> ScheduleModel:
    """Read a Taillard permutation flow-shop instance into a :class:`ScheduleModel`.

    Every job visits ``M0, M1, ...`` in that order, and :meth:`ScheduleModel.add_same_sequence`
    makes all machines process the jobs in one common order, as the permutation flow shop
    requires (without it the model is the easier non-permutation flow shop).

    Raises
    ------
    InputError
        When the file holds fewer durations than its header announces.
    """
    from supplypilot.plan.schedule import ScheduleModel

    path = Path(path)
    lines = _int_lines(path)
    if not lines or len(lines[0][1]) < 2:
        raise _problem(path, lines[0][0] if lines else None,
                       "the first line must hold the number of jobs and machines.")
    n, m = lines[0][1][:2]
    if n < 1 or m < 1:
        raise _problem(path, lines[0][0], f"jobs and machines must be >= 1, got {n} and {m}.")
    values = [v for _, vs in lines[1:] for v in vs]
    if len(values) < n * m:
        raise _problem(path, None, f"expected {n * m} durations ({m} machines x {n} jobs), "
                                   f"got {len(values)}.")
    if any(v < 0 for v in values[:n * m]):
        raise _problem(path, None, "durations must be >= 0.")
    model = ScheduleModel(name or path.stem)
    for k in range(m):
        model.add_machine(f"M{k}")
    for j in range(n):
        job = model.add_job(f"J{j}")
        for k in range(m):
            model.add_operation(job, values[k * n + j], machines=f"M{k}")
    model.add_same_sequence()
    return model
