"""Scoring the parser on a development set: exact tool + arguments, or the expected question.

A case is a JSON object: ``text``, ``lang``, ``category``, optional ``context`` (earlier turns
of the same conversation), and either ``tool`` + ``args`` (the call expected, with only the
arguments the instruction states) or ``clarify`` (the kind of question expected). A call is
correct when the tool is the same and the arguments are equal after normalisation: item lists
as sets, scenario edits through their pydantic models (so ``days: 7`` equals ``days: 7.0``).
"""

from __future__ import annotations

import json
import statistics
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from supplypilot.nlp.catalog import Catalog
from supplypilot.nlp.intents import IntentClassifier
from supplypilot.nlp.parser import parse
from supplypilot.nlp.session import Session

__all__ = ["CaseResult", "EvalReport", "evaluate", "load_cases", "normalize_args"]


def load_cases(path: str | Path) -> list[dict[str, Any]]:
    """The cases of a JSON-lines file."""
    return [json.loads(x) for x in Path(path).read_text(encoding="utf-8").splitlines() if x.strip()]


def normalize_args(tool: str, args: dict[str, Any]) -> dict[str, Any]:
    """Arguments in a comparable form (see the module docstring)."""
    out = json.loads(json.dumps(args))
    if isinstance(out.get("items"), list):
        out["items"] = sorted(out["items"])
    if tool == "what_if" and "edits" in out:
        from pydantic import TypeAdapter

        from supplypilot.plan.scenario import Edit

        ta: TypeAdapter[Any] = TypeAdapter(Edit)
        out["edits"] = [ta.validate_python(e).model_dump() for e in out["edits"]]
    return out


@dataclass
class CaseResult:
    id: str
    lang: str
    category: str
    text: str
    expected: Any
    got: Any
    correct: bool
    ms: float


@dataclass
class EvalReport:
    """Per-case results with accuracy per category and language, and parse latency."""

    cases: list[CaseResult] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return sum(c.correct for c in self.cases) / max(len(self.cases), 1)

    def by(self, key: str) -> dict[str, tuple[int, int]]:
        """(correct, total) per value of ``key`` (``category`` or ``lang``)."""
        out: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for c in self.cases:
            out[getattr(c, key)][0] += c.correct
            out[getattr(c, key)][1] += 1
        return {k: (v[0], v[1]) for k, v in sorted(out.items())}

    def latency(self) -> dict[str, float]:
        ms = sorted(c.ms for c in self.cases)
        if not ms:
            return {}
        return {"mean": statistics.fmean(ms), "p50": ms[len(ms) // 2], "p95": ms[int(0.95 * (len(ms) - 1))],
                "max": ms[-1]}

    def failures(self) -> list[CaseResult]:
        return [c for c in self.cases if not c.correct]


def _expected(case: dict[str, Any]) -> Any:
    if "clarify" in case:
        return {"clarify": case["clarify"]}
    return {"tool": case["tool"], "args": normalize_args(case["tool"], case.get("args", {}))}


def evaluate(cases: Iterable[dict[str, Any]], catalog: Catalog,
             classifier: IntentClassifier | None = None) -> EvalReport:
    """Parse every case (its context turns first, in one session) and score it."""
    rep = EvalReport()
    for i, case in enumerate(cases):
        session = Session() if case.get("context") else None
        for turn in case.get("context", []):
            parse(turn, catalog, session, classifier)
        t0 = time.perf_counter()
        res = parse(case["text"], catalog, session, classifier)
        ms = 1000 * (time.perf_counter() - t0)
        if res.clarification is not None:
            got: Any = {"clarify": res.clarification.kind}
        elif len(res.calls) == 1:
            c = res.calls[0]
            try:
                got = {"tool": c.name, "args": normalize_args(c.name, c.args)}
            except Exception as exc:  # an edit the scenario model rejects is a wrong answer, not a crash
                got = {"tool": c.name, "args": c.args, "invalid": str(exc)}
        else:
            got = {"calls": [x.as_dict() for x in res.calls]}
        exp = _expected(case)
        rep.cases.append(CaseResult(case.get("id", str(i)), case["lang"], case.get("category", "?"), case["text"],
                                    exp, got, got == exp, ms))
    return rep
