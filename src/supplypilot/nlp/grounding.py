"""The number-grounding check: every number a generated text states must come from a tool
result (or the tool's inputs, which every answer lists), or from a calculation on them that
the writer declares and the check recomputes. A text that fails is not shown.

What counts as "the same number": the text may round ("1,234.57" for 1234.5678, "31,515,260"
for 31515259.72), write a fraction as a percentage ("95.0%" for 0.95), use thousands
separators or 万 (10,000), and drop the sign (the words say "rises"/"falls"). Dates and clock
times must appear as written in a result. Numbers inside codes and names ("PH001-256",
"Book 14 G1", "65W") are identifiers, not claims, and are skipped.

Chinese numerals that state a quantity are checked too ("两千台", "三周", "百分之二十", "三成",
"一千二百五十"): they are read with :mod:`supplypilot.nlp.numbers` and traced like Arabic ones (a
duration may also be traced in days: "三周" by 21). Numerals that are wording are not claims and
are skipped: a lone "一" or "零" ("一周" in an example, "一下", "一个", "零件"), ordinals, weekdays,
month and quarter names and dates ("第二", "周三", "十一月", "三季度", "三日"), and fixed phrases
("之一", "十分", "万一", "五金", "双十一"...).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from supplypilot.nlp.numbers import chinese_to_number

__all__ = ["Calculation", "GroundingReport", "check", "chinese_quantities", "source_numbers"]

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
    for shown, value, unit in chinese_quantities(body):
        found.append(shown)
        if not _matches_chinese(value, unit, values):
            missing.append(shown)
    return GroundingReport(not missing and not bad, found, missing, bad)


_CN = "零〇一二两三四五六七八九十百千万亿"
_CN_RUN = re.compile(rf"[{_CN}]+")
_CN_PHRASES = re.compile(
    r"一下|一些|一起|一般|一致|一定|一直|一旦|一样|一切|一边|一共|一点|一时|一再|一律|一体|一向|一方面|一成不变|一一|"
    r"统一|唯一|之一|逐一|万一|十分|千万|万分|万能|百货|百度|五金|零件|零部件|零售|零星|零散|零钱|两者|两边|两端|两侧|"
    r"三方|四周|四处|七八|九成九?(?=[的])|双十一|双十二|十一长假|十一黄金周|个百分点|百分点|百分比|百分位")
_CN_PERCENT = re.compile(rf"百分之([{_CN}]+)|([一二两三四五六七八九])成([一二三四五六七八九])?"
                         r"(?![十百千万个%都本品功熟为交立员长果绩])")
_CN_MEASURE = ("个月", "个季度", "个星期", "个礼拜", "个小时", "小时", "分钟", "季度", "星期", "礼拜", "天", "周", "年",
               "个", "台", "件", "片", "套", "只", "辆", "吨", "公斤", "千克", "元", "块", "箱", "单", "次", "家",
               "条", "批", "张", "人", "位", "笔", "托", "单位")
_CN_DAYS = {"天": (1, 1), "周": (7, 7), "星期": (7, 7), "个星期": (7, 7), "礼拜": (7, 7), "个礼拜": (7, 7),
            "个月": (28, 31), "季度": (89, 92), "个季度": (89, 92), "年": (365, 366)}


def chinese_quantities(text: str) -> list[tuple[str, float, str]]:
    """Chinese numerals that state a quantity in ``text``: ``(as written, value, unit)``, the unit
    being ``%`` for a percentage, the measure word that follows ("台", "周", "个月"), or ``""``.

    Examples
    --------
    >>> [(w, v, u) for w, v, u in chinese_quantities("补货两千台，交期延长三周，需求增长百分之二十")]
    [('两千台', 2000.0, '台'), ('三周', 3.0, '周'), ('百分之二十', 20.0, '%')]
    >>> chinese_quantities("请看一下一周的计划，零件之一")
    []
    """
    body = _CN_PHRASES.sub(lambda m: " " * len(m.group(0)), text)
    out: list[tuple[int, str, float, str]] = []
    for m in _CN_PERCENT.finditer(body):
        if m.group(1):
            v = chinese_to_number(m.group(1))
        else:
            tenth = chinese_to_number(m.group(3)) if m.group(3) else 0  # "九成五" = 95 %
            v = 10 * (chinese_to_number(m.group(2)) or 0) + (tenth or 0)
        if v is not None:
            out.append((m.start(), m.group(0), float(v), "%"))
    body = _CN_PERCENT.sub(lambda m: " " * len(m.group(0)), body)
    for m in _CN_RUN.finditer(body):
        run, a, b = m.group(0), m.start(), m.end()
        before, after = body[max(0, a - 2):a], body[b:b + 4]
        if before.endswith(("第", "周", "星期", "礼拜", "双", "初")) or run in ("一", "零", "〇"):
            continue  # ordinals, weekdays, "初五", a lone 一/零: wording
        if after.startswith(("月", "日", "号")) or (after.startswith("季度") and run in "一二三四") or \
                (after.startswith("年") and len(run) == 4):
            continue  # month names, dates, quarter names, years
        unit = next((u for u in _CN_MEASURE if after.startswith(u)), "")
        if not unit and not any(ch in run for ch in "十百千万亿"):
            continue  # "两者", "三方": a bare digit with no measure word is wording
        v = chinese_to_number(run)
        if v is not None:
            out.append((a, run + unit, v, unit))
    return [(w, v, u) for _, w, v, u in sorted(out)]


def _matches_chinese(value: float, unit: str, values: set[float]) -> bool:
    token = _plain(value)
    if unit == "%":
        return _matches(token, "%", values)
    if _matches(token, None, values):
        return True
    lo, hi = _CN_DAYS.get(unit, (0, 0))
    return bool(lo) and any(float(v).is_integer() and lo * value <= abs(v) <= hi * value for v in values)


def _plain(v: float) -> str:
    return repr(float(v)) if not float(v).is_integer() else str(int(v))
