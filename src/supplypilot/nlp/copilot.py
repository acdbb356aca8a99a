"""The copilot: an instruction in, a grounded answer out.

:class:`Copilot` asks its backend for tool calls (offline parser by default), has the registry
validate them, runs them, writes the answer from templates over the results, and runs the
number-grounding check on the text. The answer lists the tools run with their inputs, so
every figure can be traced; a text whose numbers cannot be traced is not shown.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import asdict, dataclass, field
from datetime import date
from functools import cached_property
from typing import Any

from supplypilot.errors import InputError, SupplyPilotError, UnknownEntityError
from supplypilot.nlp.backends import Backend, OfflineBackend, backend_from_env
from supplypilot.nlp.backends.openai import LLMUnavailable
from supplypilot.nlp.catalog import Catalog
from supplypilot.nlp.clarify import question
from supplypilot.nlp.grounding import GroundingReport, check
from supplypilot.nlp.parser import ParseResult, ToolCall
from supplypilot.nlp.session import Session
from supplypilot.nlp.text import Language, detect_language
from supplypilot.nlp.writer import Written, _generic, _W, md_join, write
from supplypilot.tools import REGISTRY, Context

__all__ = ["Answer", "Copilot"]

logger = logging.getLogger("supplypilot")


@dataclass
class Answer:
    """What the copilot says, and everything needed to check it."""

    question: str
    language: Language
    tool_calls: list[tuple[str, dict[str, Any]]]
    """The calls as parsed (only what the instruction said)."""
    inputs: list[dict[str, Any]]
    """What ran: tool name and the validated arguments, defaults included."""
    results: list[dict[str, Any]]
    text: str
    grounded: bool
    clarification: str | None = None
    sources: list[str] = field(default_factory=list)
    plots: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """What the copilot had to set aside (an argument the installed tool does not take)."""
    parse: dict[str, Any] = field(default_factory=dict)
    grounding: dict[str, Any] = field(default_factory=dict)
    backend: str = "offline"
    seconds: float = 0.0

    def __str__(self) -> str:
        return self.text

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["tool_calls"] = [{"name": n, "args": a} for n, a in self.tool_calls]
        return d

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.as_dict(), ensure_ascii=False, indent=indent, default=str)


class Copilot:
    """Ask SupplyPilot in Chinese or English.

    Parameters
    ----------
    ctx
        The store and the caller's role; tools run with it.
    backend
        Where tool calls come from; default: the OpenAI-compatible server configured by
        ``SUPPLYPILOT_LLM_*`` when set, else the offline parser.
    language
        Answer language; default: the language of each question.
    today
        Reference day of relative dates; default: the last date of demand history.
    tool_overrides
        Arguments added to every call of a tool (e.g. a shorter solver time limit for a demo);
        they are listed with the inputs like any other argument.

    Examples
    --------
    >>> cp = Copilot(Context(store_url="sqlite:///supplypilot.db"))  # doctest: +SKIP
    >>> print(cp.ask("基于当前物流量、配送量，生成最优配送路线。"))  # doctest: +SKIP
    """

    def __init__(self, ctx: Context | None = None, backend: Backend | None = None, language: Language | None = None,
                 *, today: date | None = None, catalog: Catalog | None = None,
                 tool_overrides: dict[str, dict[str, Any]] | None = None) -> None:
        self.ctx = ctx or Context()
        self.backend: Backend = backend or backend_from_env() or OfflineBackend()
        self.language = language
        self.today = today
        self.tool_overrides = tool_overrides or {}
        self.session = Session()
        if catalog is not None:
            self.__dict__["catalog"] = catalog

    def __repr__(self) -> str:
        return f"Copilot(backend={self.backend.name!r}, language={self.language!r}, turns={len(self.session.turns)})"

    @cached_property
    def catalog(self) -> Catalog:
        """Items, locations and suppliers of the store, read once."""
        return Catalog.from_store(self.ctx.store, self.today)

    # ----------------------------------------------------------------- parsing

    def parse(self, text: str) -> ParseResult:
        """The calls an instruction asks for (recorded in the conversation), nothing run."""
        try:
            return self.backend.propose(text, self.catalog, self.session)
        except LLMUnavailable as exc:
            logger.warning("%s; using the offline parser", exc)
            res = OfflineBackend().propose(text, self.catalog, self.session)
            res.notes.append(str(exc))
            return res

    # ----------------------------------------------------------------- asking

    def ask(self, text: str) -> Answer:
        """Answer one instruction: parse, validate, run, write, check."""
        t0 = time.perf_counter()
        parsed = self.parse(text)
        lang: Language = self.language or detect_language(text)
        ans = Answer(question=text, language=lang, tool_calls=[(c.name, c.args) for c in parsed.calls], inputs=[],
                     results=[], text="", grounded=True, parse=parsed.as_dict(), backend=self.backend.name)
        if parsed.clarification is not None:
            ans.clarification = parsed.clarification.question
            self._finish(ans, [parsed.clarification.question], [], [], parsed)
            ans.seconds = time.perf_counter() - t0
            return ans
        pieces: list[Written] = []
        for call in parsed.calls:
            pieces.append(self._run(call, parsed, ans))
        self._finish(ans, [p.text for p in pieces], [c for p in pieces for c in p.calculations],
                     [x for p in pieces for x in p.plots], parsed)
        ans.seconds = time.perf_counter() - t0
        return ans

    def _run(self, call: ToolCall, parsed: ParseResult, ans: Answer) -> Written:
        w = _W(ans.language, self.catalog)
        try:
            tool = REGISTRY.get(call.name)
        except UnknownEntityError:
            ans.errors.append(f"tool {call.name} is not registered")
            return Written([w.t(f"The tool {call.name} is not available in this installation yet, so this cannot be "
                                "answered from data.", f"此安装中尚无工具 {call.name}，无法基于数据回答。")])
        args = {**call.args, **self.tool_overrides.get(call.name, {})}
        unknown = {k: v for k, v in args.items() if k not in tool.input_model.model_fields}
        if unknown:  # the parser follows the tool contract; an older tool may lack a field: say so
            args = {k: v for k, v in args.items() if k not in unknown}
            for k, v in unknown.items():
                ans.notes.append(w.t(f"{call.name} does not take '{k}' in this installation; {k}={v} was not used.",
                                     f"此安装中的 {call.name} 没有参数“{k}”；未使用 {k}={v}。"))
        try:
            request = tool.parse(args)
        except InputError as exc:
            ans.errors.append(str(exc))
            ans.clarification = question("invalid_argument", ans.language, text=exc.message)
            return Written([ans.clarification])
        run_args = request.model_dump(mode="json")
        ans.inputs.append({"name": call.name, "args": run_args})
        try:
            result = tool.run(request, self.ctx).model_dump(mode="json")
        except (SupplyPilotError, PermissionError, ValueError, LookupError) as exc:
            msg = str(exc)
            ans.errors.append(f"{call.name}: {msg}")
            ans.results.append({"error": msg})
            return Written([w.t(f"{call.name} could not run: {msg}", f"{call.name} 未能运行：{msg}")])
        ans.results.append(result)
        try:
            out = write(call.name, run_args, result, ans.language, self.catalog, parsed.basis)
        except (KeyError, TypeError, ValueError, IndexError) as exc:  # a result shape the template does not know
            logger.warning("template for %s failed (%s); using the generic one", call.name, exc)
            out = Written()
            _generic(run_args, result, w, out)
        out.calculations = [c.rebased(len(ans.results) - 1) for c in out.calculations]
        return out

    def _finish(self, ans: Answer, texts: list[str], calcs: list[Any], plots: list[str], parsed: ParseResult) -> None:
        w = _W(ans.language, self.catalog)
        if parsed.relative_dates and parsed.calls:
            day = parsed.today.isoformat()
            ans.notes.append(w.t(f"Dates in the question are counted from {day}, the last day of demand history.",
                                 f"问题中的相对日期以 {day}（需求历史的最后一天）为基准。"))
        lines = [t for t in texts if t] + ans.notes
        if ans.inputs:
            lines.append(w.t("**Tools run** (with their inputs):", "**调用的工具**（及其输入）："))
            lines += [f"- {i['name']} {json.dumps(i['args'], ensure_ascii=False)}" for i in ans.inputs]
            ans.sources = [f"{i['name']} {json.dumps(i['args'], ensure_ascii=False)}" for i in ans.inputs]
        if calcs:
            lines.append(w.t("**Calculations**:", "**计算**："))
            lines += [f"- {c.describe(ans.language)}" for c in calcs]
        if plots:
            lines.append(w.t("**Plots**:", "**图表**："))
            lines += [f"- {p}" for p in plots]
        if parsed.completed_from:
            lines.append(w.t(f"(Read as: {parsed.completed_from})", f"（理解为：{parsed.completed_from}）"))
        text = "\n\n".join(md_join(block.split("\n")) for block in _blocks(lines))
        literals = [e.name for e in self.catalog.entities.values()] + \
                   [e.name_zh or "" for e in self.catalog.entities.values()] + plots
        sources: list[Any] = ans.results + [i["args"] for i in ans.inputs] + ans.errors + \
            [parsed.basis or "", parsed.completed_from or "", [c.args for c in parsed.calls],
             parsed.today.isoformat()]
        rep: GroundingReport = check(text, sources, calcs, literals=literals)
        ans.grounding = {"numbers": rep.numbers, "ungrounded": rep.ungrounded, "bad_calculations": rep.bad_calculations}
        ans.plots = plots
        if rep.grounded:
            ans.text, ans.grounded = text, True
            return
        ans.grounded = False
        ans.text = w.t("The answer text was withheld: it stated a number that is not in the tool results. The "
                       "results, and the numbers that failed the check, are in the JSON output (--json).",
                       "回答文本未显示：其中有数字无法在工具结果中找到。工具结果及未通过核对的数字见 JSON 输出（--json）。")


def _blocks(lines: list[str]) -> list[str]:
    """Group an answer into paragraphs: each template text, and each titled list."""
    blocks: list[list[str]] = []
    for line in lines:
        if blocks and line.lstrip().startswith("- "):
            blocks[-1].append(line)
        else:
            blocks.append([line])
    return ["\n".join(b) for b in blocks]
