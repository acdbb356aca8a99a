"""Gantt charts of a :class:`~supplypilot.plan.schedule.ScheduleResult`.

Two outputs with one look: one row per machine, one bar per operation coloured by job, setups
as dark hatched bars just before the operation they prepare, calendar downtime as grey hatched
bars, and a dashed line at the makespan.

* :func:`plot_gantt` draws on a matplotlib ``Axes`` (and saves a PNG when given a path);
* :func:`gantt_html` writes one self-contained HTML file (inline SVG, CSS and a few lines of
  JavaScript, no external resource), because planners open these files on shop-floor machines
  that are often offline.
"""

from __future__ import annotations

import html
import math
from pathlib import Path
from typing import Any

from supplypilot.errors import InputError
from supplypilot.plan._schedule_result import ScheduleResult

__all__ = ["gantt_html", "plot_gantt"]

# matplotlib's tab20, so that the PNG and the HTML use the same job colours.
PALETTE = ("#1f77b4", "#aec7e8", "#ff7f0e", "#ffbb78", "#2ca02c", "#98df8a", "#d62728",
           "#ff9896", "#9467bd", "#c5b0d5", "#8c564b", "#c49c94", "#e377c2", "#f7b6d2",
           "#7f7f7f", "#c7c7c7", "#bcbd22", "#dbdb8d", "#17becf", "#9edae5")


def _check(result: Any, where: str) -> ScheduleResult:
    if not isinstance(result, ScheduleResult):
        raise InputError(f"The 'result' parameter of {where} must be a ScheduleResult. "
                         f"Got {type(result).__name__} instead.", where="result")
    if result.schedule.empty:
        raise InputError(f"The 'result' parameter of {where} must hold a schedule. Got a "
                         f"result with status {result.status.value!r} instead.", where="result")
    return result


def _machines(result: ScheduleResult) -> list[str]:
    """Machines in model order (the utilisation dict keeps it), then any others."""
    names = list(result.utilisation) or []
    names += [m for m in result.schedule["machine"].unique() if m not in names]
    return names


def _job_colours(result: ScheduleResult) -> dict[str, str]:
    jobs = list(dict.fromkeys(result.schedule["job"]))
    return {job: PALETTE[i % len(PALETTE)] for i, job in enumerate(jobs)}


def _horizon(result: ScheduleResult) -> int:
    return max(int(result.makespan or 0), 1)


def _title(result: ScheduleResult) -> str:
    value = "-" if result.objective is None else f"{result.objective:,.0f}"
    text = f"{result.name}: {result.objective_name} {value} ({result.status.value})"
    if result.objective_name != "makespan":
        text += f", makespan {result.makespan}"
    return text


def plot_gantt(result: ScheduleResult, ax: Any = None, path: str | Path | None = None) -> Any:
    """Draw the schedule as a Gantt chart.

    Parameters
    ----------
    result
        A result that holds a schedule.
    ax
        Axes to draw on; None makes a new figure sized to the number of machines (without
        pyplot, so no GUI backend or global figure state is involved).
    path
        When given, the figure is also saved there (PNG by extension, 120 dpi).

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.
    """
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    result = _check(result, "plot_gantt")
    machines = _machines(result)
    row = {m: i for i, m in enumerate(machines)}
    end = _horizon(result)
    if ax is None:
        fig = Figure(figsize=(11, 1.2 + 0.45 * len(machines)), layout="constrained")
        ax = fig.add_subplot()
    colours = _job_colours(result)
    for machine, spans in result.downtime.items():
        if machine in row:
            bars = [(s, (end if e is None else min(e, end)) - s) for s, e in spans if s < end]
            ax.broken_barh(bars, (row[machine] - 0.4, 0.8), facecolor="#e0e0e0",
                           edgecolor="#9e9e9e", hatch="///", linewidth=0.5)
    label_min = end / 40
    for r in result.schedule.itertuples(index=False):
        y = row[r.machine]
        if r.setup:
            ax.broken_barh([(r.start - r.setup, r.setup)], (y - 0.3, 0.6), facecolor="#424242",
                           edgecolor="white", hatch="xx", linewidth=0.3)
        ax.broken_barh([(r.start, r.end - r.start)], (y - 0.4, 0.8),
                       facecolor=colours[r.job], edgecolor="white", linewidth=0.6)
        if r.end - r.start >= label_min:
            ax.text((r.start + r.end) / 2, y, f"{r.job}/{r.op}", ha="center", va="center",
                    fontsize=6, clip_on=True)
    ax.axvline(end, color="#424242", linestyle="--", linewidth=0.8)
    ax.set_yticks(range(len(machines)), machines)
    ax.set_ylim(len(machines) - 0.5, -0.5)
    ax.set_xlim(0, end * 1.02)
    ax.set_xlabel("time")
    ax.set_title(_title(result), fontsize=10)
    if len(colours) <= 20:
        ax.legend(handles=[Patch(facecolor=c, label=j) for j, c in colours.items()],
                  loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=7, frameon=False)
    if path is not None:
        ax.figure.savefig(path, dpi=120)
    return ax


def _ticks(end: int) -> list[int]:
    """About ten round tick values in [0, end]."""
    raw = end / 10
    magnitude = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1
    step = next(f * magnitude for f in (1, 2, 5, 10) if f * magnitude >= raw)
    step = max(int(step), 1)
    return list(range(0, end + 1, step))


_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:16px;color:#212121}
h1{font-size:18px;margin:0 0 8px} pre{background:#f5f5f5;padding:8px;font-size:12px}
svg text{font-size:11px} .op{stroke:#fff;stroke-width:.6;cursor:pointer}
.op.dim{opacity:.2} .lbl{pointer-events:none;font-size:9px}
table{border-collapse:collapse;font-size:12px} td,th{border:1px solid #ddd;padding:2px 6px}
"""

_JS = """
document.querySelectorAll('.op').forEach(function(r){
  r.addEventListener('mouseenter',function(){var j=r.dataset.job;
    document.querySelectorAll('.op').forEach(function(o){
      o.classList.toggle('dim',o.dataset.job!==j);});});
  r.addEventListener('mouseleave',function(){
    document.querySelectorAll('.op').forEach(function(o){o.classList.remove('dim');});});
});
"""


def _svg(result: ScheduleResult) -> str:
    machines = _machines(result)
    end = _horizon(result)
    left, width, row_h, top = 90, 1000, 28, 10
    scale = width / (end * 1.02)
    height = top + row_h * len(machines) + 30

    def x(t: float) -> float:
        return left + t * scale

    parts = [f'<svg width="{left + width + 10}" height="{height}" role="img" '
             f'aria-label="Gantt chart">',
             '<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
             'patternTransform="rotate(45)"><rect width="6" height="6" fill="#e0e0e0"/>'
             '<line x1="0" y1="0" x2="0" y2="6" stroke="#9e9e9e" stroke-width="2"/></pattern>'
             '</defs>']
    row = {m: i for i, m in enumerate(machines)}
    for m, i in row.items():
        y = top + i * row_h
        fill = "#fafafa" if i % 2 else "#ffffff"
        parts.append(f'<rect x="{left}" y="{y}" width="{width}" height="{row_h}" fill="{fill}"/>')
        parts.append(f'<text x="{left - 6}" y="{y + row_h / 2 + 4}" text-anchor="end">'
                     f"{html.escape(str(m))}</text>")
    for machine, spans in result.downtime.items():
        for s, e in spans:
            if machine in row and s < end:
                stop = end if e is None else min(e, end)
                y = top + row[machine] * row_h + 3
                parts.append(f'<rect class="down" x="{x(s):.1f}" y="{y}" '
                             f'width="{(stop - s) * scale:.1f}" height="{row_h - 6}" '
                             f'fill="url(#hatch)"><title>downtime {s}–'
                             f'{"closed" if e is None else e}</title></rect>')
    colours = _job_colours(result)
    for r in result.schedule.itertuples(index=False):
        y = top + row[r.machine] * row_h + 3
        job = html.escape(str(r.job))
        if r.setup:
            parts.append(f'<rect class="setup" x="{x(r.start - r.setup):.1f}" y="{y + 3}" '
                         f'width="{r.setup * scale:.1f}" height="{row_h - 12}" fill="#424242">'
                         f"<title>setup {r.setup} before {job}/{r.op}</title></rect>")
        tip = (f"{job}/{r.op} on {html.escape(str(r.machine))}: {r.start}–{r.end}"
               + (f" (setup {r.setup})" if r.setup else "")
               + (f", family {html.escape(str(r.family))}" if r.family is not None else ""))
        w = (r.end - r.start) * scale
        parts.append(f'<rect class="op" data-job="{job}" x="{x(r.start):.1f}" y="{y}" '
                     f'width="{w:.1f}" height="{row_h - 6}" fill="{colours[r.job]}">'
                     f"<title>{tip}</title></rect>")
        if w > 34:
            parts.append(f'<text class="lbl" x="{x(r.start) + w / 2:.1f}" y="{y + row_h / 2}" '
                         f'text-anchor="middle">{job}/{r.op}</text>')
    axis_y = top + row_h * len(machines)
    parts.append(f'<line x1="{left}" y1="{axis_y}" x2="{left + width}" y2="{axis_y}" '
                 'stroke="#757575"/>')
    for t in _ticks(end):
        parts.append(f'<line x1="{x(t):.1f}" y1="{axis_y}" x2="{x(t):.1f}" y2="{axis_y + 4}" '
                     f'stroke="#757575"/><text x="{x(t):.1f}" y="{axis_y + 16}" '
                     f'text-anchor="middle">{t}</text>')
    parts.append(f'<line x1="{x(end):.1f}" y1="{top}" x2="{x(end):.1f}" y2="{axis_y}" '
                 f'stroke="#424242" stroke-dasharray="4 3"><title>makespan {end}</title></line>')
    parts.append("</svg>")
    return "\n".join(parts)


def _table(result: ScheduleResult) -> str:
    cols = list(result.schedule.columns)
    head = "".join(f"<th>{html.escape(c)}</th>" for c in cols)
    body = "".join("<tr>" + "".join(f"<td>{html.escape('' if v is None else str(v))}</td>"
                                    for v in row) + "</tr>"
                   for row in result.schedule.sort_values(["machine", "start"]).itertuples(
                       index=False))
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def gantt_html(result: ScheduleResult, path: str | Path) -> Path:
    """Write the schedule as one self-contained HTML page (no CDN, works offline).

    Hovering an operation highlights the other operations of its job; every bar has a tooltip
    with its times, and the page ends with the summary and the schedule table.

    Parameters
    ----------
    result
        A result that holds a schedule.
    path
        Where to write the ``.html`` file; parent folders are created.

    Returns
    -------
    pathlib.Path
        The file written.
    """
    result = _check(result, "gantt_html")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    title = html.escape(_title(result))
    page = (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f"<title>{title}</title><style>{_CSS}</style></head><body>"
            f"<h1>{title}</h1>{_svg(result)}"
            f"<pre>{html.escape(result.summary())}</pre>"
            f"<details><summary>Schedule table ({len(result.schedule)} operations)</summary>"
            f"{_table(result)}</details><script>{_JS}</script></body></html>\n")
    path.write_text(page, encoding="utf-8")
    return path
