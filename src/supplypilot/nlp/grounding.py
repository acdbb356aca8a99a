"""The number-grounding check: every number a generated text states must come from a tool
result (or the tool's inputs, which every answer lists), or from a calculation on them that
the writer declares and the check recomputes. A text that fails is not shown.

What counts as "the same number": the text may round ("1,234.57" for 1234.5678, "31,515,260"
for 31515259.72), write a fraction as a percentage ("95.0%" for 0.95), use thousands
separators or 万 (10,000), and drop the sign (the words say "rises"/"falls"). Dates and clock
times must appear as written in a result. Numbers inside codes and names ("PH001-256",
"Book 14 G1", "65W") are identifiers, not claims, and are skipped.

Only Arabic numerals are checked: the templates write every value with them; a Chinese
numeral in a template is wording ("一周" in an example), never a figure from data.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

__all__ = ["Calculation", "GroundingReport", "check", "source_numbers"]

Op = Literal["sum", "difference", "ratio", "percent", "pct_change", "mean", "max", "min", "count", "round"]

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2})?")
_TIME = re.compile(r"(?<![\d:])\d{1,2}:\d{2}(?![\d:])")
_IDENT = re.compile(r"(?<![\w])(?:[A-Za-z][\w.]*\d[\w.+-]*|\d+[A-Za-z][\w.+-]*|[A-Za-z]+(?:-[A-Za-z0-9]+)+)", re.A)
_NUM = re.compile(r"(?<![\w.])([+-]?)(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*(%|万|亿)?", re.A)


@dataclass(frozen=True)
class Calculation:
    """A number the writer derived from tool results, stated with how.

    Parameters
    ----------
    label
        What it is, in words ("total forecast of all series").
    op
        ``sum``, ``difference`` (a − b), ``ratio`` (a / b), ``percent`` (100 a / b),
        ``pct_change`` (100 (b − a) / a), ``mean``, ``max``, ``min``, ``round`` (a, rounded),
        or ``count`` (the length of the list at ``path`` in the results).
    inputs
        The operands; each must itself be a number of the results.
    value
        The result the text states.
    path
        For ``count``: where the list is, e.g. ``"0.series"`` (result index, then keys).
    """

    label: str
    op: Op
    inputs: tuple[float, ...]
    value: float
    path: str | None = None

    def recompute(self, results: Sequence[Any] = ()) -> float | None:
        x = self.inputs
        try:
            if self.op == "sum":
                return float(sum(x))
            if self.op == "difference":
                return x[0] - x[1]
            if self.op == "ratio":
                return x[0] / x[1]
            if self.op == "percent":
                return 100 * x[0] / x[1]
            if self.op == "pct_change":
                return 100 * (x[1] - x[0]) / x[0]
            if self.op == "mean":
                return float(sum(x)) / len(x)
            if self.op == "max":
                return max(x)
            if self.op == "min":
                return min(x)
            if self.op == "round":
                return x[0]
            if self.op == "count":
                node: Any = list(results)
                for key in (self.path or "").split("."):
                    node = node[int(key)] if isinstance(node, list) else node[key]
                return float(len(node))
        except (ArithmeticError, IndexError, KeyError, TypeError, ValueError):
            return None
        return None

    def rebased(self, index: int) -> Calculation:
        """The same calculation with its ``count`` path pointing at result ``index`` (templates
        write paths as if their result were the only one)."""
        if self.path is None:
            return self
        head, _, rest = self.path.partition(".")
        return replace(self, path=f"{index}.{rest}" if head.isdigit() else self.path)

    def describe(self, lang: str = "en") -> str:
        nums = ", ".join(_fmt(v) for v in self.inputs)
        if self.op == "count":
            where = (self.path or "").split(".")
            where = [w for w in where if not w.isdigit()] or where  # list indices are not claims
            return f"{self.label} = {'计数' if lang == 'zh' else 'count'}({'/'.join(where)}) = {_fmt(self.value)}"
        return f"{self.label} = {self.op}({nums}) = {_fmt(self.value)}"


def _fmt(v: float) -> str:
    return f"{v:,.0f}" if float(v).is_integer() else f"{v:,.4f}".rstrip("0").rstrip(".")


@dataclass
class GroundingReport:
    """The numbers found in a text and those not traced to a source."""

    grounded: bool
    numbers: list[str] = field(default_factory=list)
    ungrounded: list[str] = field(default_factory=list)
    bad_calculations: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return self.grounded


class _Key(str):
    """A field name: the numbers in it ("lo80_last_day": an 80 % bound) are part of the result."""


def _walk(obj: Any) -> Iterable[Any]:
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield _Key(k)
            yield from _walk(v)
    elif isinstance(obj, (list, tuple, set)):
        for v in obj:
            yield from _walk(v)
    elif hasattr(obj, "model_dump"):
        yield from _walk(obj.model_dump(mode="json"))
    else:
        yield obj


def source_numbers(sources: Iterable[Any]) -> tuple[set[float], set[str]]:
    """Every number in the sources (values, and numbers written inside strings), and every
    string (to find dates and times in)."""
    nums: set[float] = set()
    strings: set[str] = set()
    for v in _walk(list(sources)):
        if isinstance(v, bool) or v is None:
            continue
        if isinstance(v, (int, float)):
            if math.isfinite(float(v)):
                nums.add(float(v))
        elif isinstance(v, _Key):
            nums.update(float(d) for d in re.findall(r"\d+", v))
        elif isinstance(v, str):
            strings.add(v)
            for m in _NUM.finditer(_IDENT.sub(" ", _DATE.sub(" ", v))):
                val = float(m.group(2).replace(",", ""))
                nums.add(val * {"万": 1e4, "亿": 1e8}.get(m.group(3) or "", 1.0))
    return nums, strings


def _matches(token: str, unit: str | None, values: set[float]) -> bool:
    x = float(token.replace(",", ""))
    decimals = len(token.split(".")[1]) if "." in token else 0
    scale = {"万": 1e4, "亿": 1e8}.get(unit or "", 1.0)
    candidates = [v for v in values]
    for v in candidates:
        for cand in ((abs(v),) if unit != "%" else (abs(v), abs(v) * 100)):
            target = cand / scale
            if abs(round(target, decimals) - x) < 0.5 * 10 ** -decimals + 1e-9 * max(1.0, abs(x)):
                if decimals == 0 and abs(target - x) >= 0.5 + 1e-9:
                    continue
                return True
    return False


def check(text: str, sources: Sequence[Any], calculations: Sequence[Calculation] = (),
          literals: Iterable[str] = ()) -> GroundingReport:
    """Check that every number in ``text`` is grounded in ``sources``.

    Parameters
    ----------
    text
        The generated text (answer, instruction, report).
    sources
        Tool results and the tools' inputs (pydantic models, dicts, lists...).
    calculations
        Numbers derived from the sources; each is recomputed, and its operands must be
        numbers of the sources, before its value counts as grounded.
    literals
        Names that may contain digits (item and location names): skipped as identifiers.

    Examples
    --------
    >>> check("Total 1,234.6 units (95.0%).", [{"total": 1234.56, "service": 0.95}]).grounded
    True
    >>> check("Total 1,500 units.", [{"total": 1234.56}]).ungrounded
    ['1,500']
    """
    values, strings = source_numbers(sources)
    bad: list[str] = []
    for calc in calculations:
        ops_ok = calc.op == "count" or all(_matches(_plain(v), None, values) for v in calc.inputs)
        got = calc.recompute(sources)
        if ops_ok and got is not None and math.isclose(got, calc.value, rel_tol=1e-6, abs_tol=1e-6):
            values.add(float(calc.value))
        else:
            bad.append(calc.describe())
    body = text
    for lit in sorted({x for x in literals if x and any(ch.isdigit() for ch in x)}, key=len, reverse=True):
        body = body.replace(lit, " ")
    found: list[str] = []
    missing: list[str] = []
    joined = "\n".join(strings)
    for m in list(_DATE.finditer(body)) + list(_TIME.finditer(body)):
        found.append(m.group(0))
        if m.group(0) not in joined:
            missing.append(m.group(0))
    body = _TIME.sub(" ", _DATE.sub(" ", body))
    body = _IDENT.sub(" ", body)
    for m in _NUM.finditer(body):
        token = m.group(2)
        shown = token + (m.group(3) or "")
        found.append(shown)
        if not _matches(token, m.group(3), values):
            missing.append(shown)
    return GroundingReport(not missing and not bad, found, missing, bad)


def _plain(v: float) -> str:
    return repr(float(v)) if not float(v).is_integer() else str(int(v))
