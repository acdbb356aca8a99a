"""The end of ``make demo``: the four seed instructions and two more, asked and answered."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markdown import Markdown
from rich.panel import Panel

from supplypilot.nlp.copilot import Answer, Copilot
from supplypilot.tools import Context

__all__ = ["DEMO_QUESTIONS", "run_demo_questions"]

DEMO_QUESTIONS = [
    "基于历史销售数据、库存数据，预测未来销售需求。",
    "基于历史生产量、库存量、物流量，预测未来库存量。",
    "基于当前生产量、库存量、物流量，预测未来生产需求。",
    "基于当前物流量、配送量，生成最优配送路线。",
    "如果华强电子的交货期延长一周会怎样？",
    "Dispatch instructions for DC East",
]
"""The seed documents' four instructions verbatim, one what-if and one dispatch request."""

DEMO_OVERRIDES: dict[str, dict[str, Any]] = {"plan_routes": {"time_limit_s": 3.0}}
"""Shorter route search so the demo ends in minutes; listed with the inputs of each answer."""


def run_demo_questions(ctx: Context, console: Console, questions: list[str] | None = None) -> list[Answer]:
    """Ask the demo questions on the store of ``ctx`` and print each answer."""
    cp = Copilot(ctx, tool_overrides=DEMO_OVERRIDES)
    answers = []
    for q in questions or DEMO_QUESTIONS:
        console.rule(f"[bold]{q}")
        with console.status("thinking…" if q.isascii() else "思考中…"):
            ans = cp.ask(q)
        style = "green" if ans.grounded and not ans.errors else "yellow"
        console.print(Panel(Markdown(ans.text), border_style=style,
                             subtitle=f"{ans.seconds:.1f} s · grounded: {ans.grounded}"))
        answers.append(ans)
    return answers
