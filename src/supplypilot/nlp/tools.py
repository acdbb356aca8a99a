"""The copilot's own tools, in the one registry: reports and dispatch instructions.

They are tools like any other (typed input and output, both languages, roles), so the CLI,
the REST API and a language model reach them the same way as the planning tools.
"""

from __future__ import annotations

from supplypilot.nlp.dispatch import DispatchRequest, DispatchResult, dispatch
from supplypilot.nlp.reports import ReportRequest, ReportResult, build_report
from supplypilot.tools import Context, tool


@tool("daily_report", en="Write the daily or weekly report (Markdown and HTML, Chinese and English) from tool results.",
      zh="根据工具结果生成日报或周报（Markdown 与 HTML，中英文）。", group="nl", cli="report")
def daily_report(req: ReportRequest, ctx: Context) -> ReportResult:
    return build_report(req, ctx)


@tool("dispatch_instructions",
      en="Write dispatch instructions per site: what each plant makes, each DC ships, each truck delivers.",
      zh="生成各节点调度指令：工厂生产什么、仓库发什么货、车辆送到哪里，何时、多少。", group="nl", cli="dispatch")
def dispatch_instructions(req: DispatchRequest, ctx: Context) -> DispatchResult:
    return dispatch(req, ctx)
