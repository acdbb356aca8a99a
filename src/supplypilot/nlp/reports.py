"""Daily and weekly reports in Markdown and HTML, in Chinese and English, from tool results.

A report is a set of sections, each written from one tool result by a template: the data
status, the demand forecast per family with its plots, and the plan (the last planning cycle
when one was saved, else today's routes). Every section text goes through the grounding
check; a report whose text fails is not written. The HTML embeds its pictures, so one file
can be mailed or archived as is.
"""

from __future__ import annotations

import base64
import html
import json
import re
from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from supplypilot import config
from supplypilot.nlp.grounding import check
from supplypilot.nlp.writer import write
from supplypilot.tools import REGISTRY, Context

__all__ = ["ReportRequest", "ReportResult", "build_report"]


class ReportRequest(BaseModel):
    """Which report, in which languages and formats."""

    model_config = ConfigDict(extra="forbid")

    period: Literal["daily", "weekly"] = Field(default="daily",
                                               description="Daily (next day) or weekly (next 7 days) report.")
    language: Literal["zh", "en", "both"] = Field(default="both", description="Language of the report: zh, en or both.")
    format: Literal["markdown", "html", "both"] = Field(default="both",
                                                        description="File format: markdown, html or both.")
    date: str | None = Field(default=None, pattern=r"^\d{4}-\d{2}-\d{2}$",
                             description="Report day (YYYY-MM-DD); empty: the last date of demand history.")


class ReportResult(BaseModel):
    period: str = Field(description="daily or weekly.")
    date: str = Field(description="Report day.")
    files: list[str] = Field(description="Files written.")
    plots: list[str] = Field(description="Pictures the report shows.")
    summary_en: str = Field(description="The report's headline, in English.")
    summary_zh: str = Field(description="The report's headline, in Chinese.")
    grounded: bool = Field(description="Every number of every text is in a tool result (else nothing was written).")
    ungrounded: list[str] = Field(default_factory=list, description="Numbers that failed the grounding check, if any.")
    tools_run: list[dict[str, Any]] = Field(description="Tools run for the report, with their inputs.")


def _run(name: str, args: dict[str, Any], ctx: Context, runs: list[dict[str, Any]]) -> dict[str, Any] | None:
    try:
        out = REGISTRY.get(name).run(args, ctx).model_dump(mode="json")
    except Exception as exc:  # one failing section must not sink the report; it says why instead
        runs.append({"name": name, "args": args, "error": f"{type(exc).__name__}: {exc}"})
        return None
    runs.append({"name": name, "args": args})
    return out


Section = tuple[str, dict[str, Any], dict[str, Any], str | None]


def _sections(ctx: Context, period: str, day: date, runs: list[dict[str, Any]]) -> list[Section]:
    """(tool, args, result, saved-plan note) per section."""
    horizon = 1 if period == "daily" else 7
    out: list[Section] = []
    status = _run("data_status", {}, ctx, runs)
    if status:
        out.append(("data_status", {}, status, None))
    fargs = {"by": "family", "horizon": horizon, "level": [80], "model": "AutoETS", "plot": True}
    fc = _run("forecast_demand", fargs, ctx, runs)
    if fc:
        out.append(("forecast_demand", fargs, fc, None))
    saved = config.home() / "plans" / "last_cycle.json"
    if saved.is_file():
        plan = json.loads(saved.read_text(encoding="utf-8"))
        runs.append({"name": "plan_cycle", "args": {"horizon_days": plan.get("horizon_days")}, "saved": str(saved)})
        out.append(("plan_cycle", {"horizon_days": plan.get("horizon_days")}, plan, str(saved)))
    else:
        rargs = {"time_limit_s": 2.0, "plot": True}
        routes = _run("plan_routes", rargs, ctx, runs)
        if routes:
            out.append(("plan_routes", rargs, routes, None))
    return out


def _last_demand_day(ctx: Context) -> date:
    from sqlalchemy import func, select

    from supplypilot.data.model import Demand

    with ctx.store.engine.connect() as conn:
        last = conn.execute(select(func.max(Demand.date))).scalar_one_or_none()
    return last or date.today()


def _markdown(lang: str, period: str, day: date, sections: list[Any], runs: list[dict[str, Any]],
              catalog: Any) -> tuple[str, list[str], list[Any], str]:
    zh = lang == "zh"
    title = (f"# {'日报' if period == 'daily' else '周报'} — {day.isoformat()}" if zh
             else f"# {period.capitalize()} report — {day.isoformat()}")
    parts, plots, calcs = [title, ""], [], []
    head = ""
    for i, (tool, args, res, _) in enumerate(sections):
        w = write(tool, args, res, lang, catalog)  # type: ignore[arg-type]
        w.calculations = [c.rebased(i) for c in w.calculations]
        parts += [f"## {_TITLES[tool][1 if zh else 0]}", "", w.text, ""]
        for p in w.plots:
            if p and Path(p).is_file():
                plots.append(p)
                parts += [f"![{Path(p).stem}]({p})", ""]
        calcs += w.calculations
        if tool == "forecast_demand" and not head:
            head = w.lines[0] if w.lines else ""
    parts += ["## " + ("数据与工具来源" if zh else "Sources: tools run"), ""]
    for r in runs:
        err = f" — {r['error']}" if r.get("error") else ""
        parts.append(f"- {r['name']} {json.dumps(r['args'], ensure_ascii=False)}{err}")
    if calcs:
        parts += ["", "计算：" if zh else "Calculations:"] + [f"- {c.describe(lang)}" for c in calcs]
    return "\n".join(parts) + "\n", plots, calcs, head


_TITLES = {"data_status": ("Data status", "数据状况"), "forecast_demand": ("Demand forecast", "需求预测"),
           "plan_cycle": ("Plan (last planning cycle)", "计划（最近一次计划周期）"),
           "plan_routes": ("Delivery routes", "配送路线")}


def _html(md: str, title: str) -> str:
    """A self-contained HTML page from the report's Markdown (headings, lists, pictures)."""
    body: list[str] = []
    in_list = False
    for line in md.splitlines():
        img = re.fullmatch(r"!\[(.*)\]\((.+)\)", line)
        if line.startswith("- ") or line.startswith("  - "):
            if not in_list:
                body.append("<ul>")
                in_list = True
            body.append(f"<li>{_inline(line.lstrip()[2:])}</li>")
            continue
        if in_list:
            body.append("</ul>")
            in_list = False
        if line.startswith("## "):
            body.append(f"<h2>{html.escape(line[3:])}</h2>")
        elif line.startswith("# "):
            body.append(f"<h1>{html.escape(line[2:])}</h1>")
        elif img:
            data = base64.b64encode(Path(img.group(2)).read_bytes()).decode("ascii")
            body.append(f'<figure><img alt="{html.escape(img.group(1))}" src="data:image/png;base64,{data}">'
                        f"<figcaption>{html.escape(img.group(1))}</figcaption></figure>")
        elif line.strip():
            body.append(f"<p>{_inline(line)}</p>")
    if in_list:
        body.append("</ul>")
    style = ("body{font-family:system-ui,'PingFang SC','Microsoft YaHei',sans-serif;max-width:960px;margin:2em auto;"
             "line-height:1.5;color:#222}img{max-width:100%}h2{border-bottom:1px solid #ddd}")
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
            f"<style>{style}</style></head><body>{''.join(body)}</body></html>\n")


def _inline(text: str) -> str:
    return re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", html.escape(text))


def build_report(req: ReportRequest, ctx: Context) -> ReportResult:
    """Write the report files; nothing is written when a text fails the grounding check."""
    from supplypilot.nlp.catalog import Catalog

    from supplypilot.nlp.dispatch import _day

    day = _day(req.date, "daily_report") if req.date else _last_demand_day(ctx)
    runs: list[dict[str, Any]] = []
    sections = _sections(ctx, req.period, day, runs)
    catalog = Catalog.from_store(ctx.store)
    literals = [e.name for e in catalog.entities.values()] + [e.name_zh or "" for e in catalog.entities.values()]
    sources = [s[2] for s in sections] + [s[1] for s in sections] + [r["args"] for r in runs]
    langs = ["zh", "en"] if req.language == "both" else [req.language]
    folder = config.out_dir() / "reports"
    texts: dict[str, str] = {}
    plots: list[str] = []
    heads: dict[str, str] = {}
    grounded = True
    failed: list[str] = []
    for lang in langs:
        md, pl, calcs, head = _markdown(lang, req.period, day, sections, runs, catalog)
        rep = check(md, sources + [str(p) for p in pl] + [day.isoformat()], calcs, literals=literals + pl)
        grounded &= rep.grounded
        failed += rep.ungrounded + rep.bad_calculations
        texts[lang], heads[lang] = md, head
        plots = plots or pl
    files: list[str] = []
    if grounded:
        folder.mkdir(parents=True, exist_ok=True)
        stem = f"{req.period}-{day.isoformat()}"
        for lang, md in texts.items():
            if req.format in ("markdown", "both"):
                p = folder / f"{stem}.{lang}.md"
                p.write_text(md, encoding="utf-8")
                files.append(str(p))
            if req.format in ("html", "both"):
                p = folder / f"{stem}.{lang}.html"
                p.write_text(_html(md, f"{stem} ({lang})"), encoding="utf-8")
                files.append(str(p))
    summary_en = heads.get("en") or f"{req.period.capitalize()} report for {day.isoformat()}, from the tools listed."
    summary_zh = heads.get("zh") or f"{day.isoformat()} 的报告，依据所列工具的结果。"
    if not grounded:
        summary_en = "The report was not written: a number in its text could not be traced to a tool result."
        summary_zh = "报告未写出：文中有数字无法追溯到工具结果。"
    return ReportResult(period=req.period, date=day.isoformat(), files=files, plots=plots, summary_en=summary_en,
                        summary_zh=summary_zh, grounded=grounded, ungrounded=failed, tools_run=runs)

