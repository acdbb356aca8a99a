"""Slot filling for values: periods and dates, durations, percentages, quantities with units.

Every extractor returns slots with their character span, so the parser can see what a
number was consumed as (a horizon, a service level, a budget...) and nothing is read twice.
Dates are relative to a reference day (``today``): the parser passes the last date of demand
history in the store, because "next month" means the month after the data ends, not after
the wall clock.

Time expressions resolve to a window ``(start, end)``; the parser turns a future window into
a horizon in days (``end - today``) and a past window into ``start``/``end`` dates.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Literal

from supplypilot.nlp.numbers import CN_DIGITS, parse_number, words_to_number

__all__ = [
    "Percent", "Quantity", "TimeExpr", "add_months", "extract_model", "extract_percents",
    "extract_quantities", "extract_review_period", "extract_times",
]

Direction = Literal["future", "past"]
Window = tuple[date, date]

_CN_NUM = "[零〇一二两三四五六七八九十百千万]+"
_NUM = rf"(?:\d+(?:,\d{{3}})*(?:\.\d+)?|{_CN_NUM})"
_EN_WORD_NUM = r"(?:(?:a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|" \
               r"thirteen|fourteen|fifteen|sixteen|twenty|thirty|couple of|few)\b)"


def _num(text: str) -> float | None:
    text = text.strip()
    if re.fullmatch(r"[a-z ]+", text):
        return words_to_number(text.replace(" of", "").split())
    return parse_number(text)


def add_months(d: date, n: int) -> date:
    """``d`` moved by ``n`` calendar months, clamped to the month's last day."""
    m = d.month - 1 + n
    y, m = d.year + m // 12, m % 12 + 1
    return date(y, m, min(d.day, calendar.monthrange(y, m)[1]))


def _month_end(y: int, m: int) -> date:
    return date(y, m, calendar.monthrange(y, m)[1])


def _quarter(y: int, q: int) -> Window:
    return date(y, 3 * q - 2, 1), _month_end(y, 3 * q)


# --------------------------------------------------------------------------- time


@dataclass(frozen=True)
class TimeExpr:
    """A time expression found in the text.

    ``kind`` is ``duration`` ("未来四周", "next 3 months": a length from today), ``period``
    (a named window: "下个月", "Q3", "2025", "双十一") or ``day`` (one date: "明天", "11月3日").
    """

    start: int
    end: int
    text: str
    kind: Literal["duration", "period", "day"]
    days: int = 0
    months: int = 0
    direction: Direction | None = None
    resolver: Callable[[date, Direction], Window] | None = field(default=None, compare=False)

    def window(self, today: date, direction: Direction = "future") -> Window:
        """The dates meant, seen from ``today`` looking ``direction`` (unless the text says)."""
        d = self.direction or direction
        if self.kind == "duration":
            if d == "future":
                end = add_months(today, self.months) if self.months else today + timedelta(days=self.days)
                return today + timedelta(days=1), end
            start = add_months(today, -self.months) + timedelta(days=1) if self.months \
                else today - timedelta(days=self.days - 1)
            return start, today
        assert self.resolver is not None
        start, end = self.resolver(today, d)
        if self.kind == "period" and start <= today <= end:  # the window holds today: keep one side
            return (today + timedelta(days=1), end) if d == "future" else (start, today)
        return start, end

    def horizon(self, today: date) -> int:
        """Days from ``today`` to the end of the future window."""
        return (self.window(today, "future")[1] - today).days


def _pick_year(make: Callable[[int], Window], today: date, d: Direction, year: int | None) -> Window:
    if year is not None:
        return make(year)
    if d == "future":
        for y in (today.year, today.year + 1):
            if make(y)[1] > today:
                return make(y)
    for y in (today.year, today.year - 1):
        if make(y)[0] <= today:
            return make(y)
    return make(today.year)


_REL_YEAR = {"今年": 0, "本年": 0, "明年": 1, "来年": 1, "去年": -1, "前年": -2, "this year": 0,
             "next year": 1, "last year": -1}
_WEEKDAY_ZH = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_WEEKDAY_EN = {d.lower(): i for i, d in enumerate(calendar.day_name)}
_MONTH_EN = {m.lower(): i for i, m in enumerate(calendar.month_name) if m}
_MONTH_EN.update({m.lower(): i for i, m in enumerate(calendar.month_abbr) if m})
_MONTH_EN["sept"] = 9
_ORD = {"first": 1, "second": 2, "third": 3, "fourth": 4, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4}


def _year_of(prefix: str | None, today: date) -> int | None:
    if not prefix:
        return None
    p = prefix.strip().lower().rstrip("'s").strip()
    if p in _REL_YEAR:
        return today.year + _REL_YEAR[p]
    m = re.search(r"(\d{4})", p)
    return int(m.group(1)) if m else None


def _fixed(start: date, end: date) -> Callable[[date, Direction], Window]:
    return lambda today, d: (start, end)


def extract_times(text: str, today: date) -> list[TimeExpr]:
    """Every time expression in ``text`` (normalised, any case), left to right.

    Examples
    --------
    >>> t = extract_times("预测未来四周的销量", date(2026, 10, 31))[0]
    >>> t.kind, t.horizon(date(2026, 10, 31))
    ('duration', 28)
    >>> t = extract_times("next quarter", date(2026, 10, 31))[0]
    >>> t.window(date(2026, 10, 31))
    (datetime.date(2027, 1, 1), datetime.date(2027, 3, 31))
    """
    low = text.lower()
    found: list[TimeExpr] = []
    taken: list[tuple[int, int]] = []

    def free(a: int, b: int) -> bool:
        return all(b <= s or a >= e for s, e in taken)

    def add(m: re.Match[str], kind: str, **kw: object) -> None:
        a, b = m.span()
        if free(a, b):
            taken.append((a, b))
            found.append(TimeExpr(a, b, text[a:b], kind, **kw))  # type: ignore[arg-type]

    for pat, fn in _time_patterns(today):
        for m in re.finditer(pat, low, re.A):
            res = fn(m)
            if res is not None:
                kind, kw = res
                add(m, kind, **kw)
    return sorted(found, key=lambda t: t.start)


def _time_patterns(today: date) -> list[tuple[str, Callable[[re.Match[str]], tuple[str, dict] | None]]]:
    """(regex, builder) pairs, most specific first; a span is read once."""

    def day(d: date) -> tuple[str, dict]:
        return "day", {"resolver": _fixed(d, d)}

    def duration(n: float | None, unit: str, direction: Direction | None) -> tuple[str, dict] | None:
        if n is None or n <= 0:
            return None
        unit = unit.strip()
        if unit in ("天", "日", "day", "days", "d"):
            return "duration", {"days": int(round(n)), "direction": direction}
        if unit in ("周", "星期", "个星期", "礼拜", "个礼拜", "week", "weeks", "wk", "wks"):
            return "duration", {"days": int(round(7 * n)), "direction": direction}
        if unit in ("fortnight", "fortnights"):
            return "duration", {"days": int(round(14 * n)), "direction": direction}
        if unit in ("个月", "month", "months", "mo", "mos", "mth", "mths"):
            if n != int(n):
                return "duration", {"days": int(round(30 * n)), "direction": direction}
            return "duration", {"months": int(n), "direction": direction}
        if unit in ("个季度", "季度", "quarter", "quarters", "qtr", "qtrs"):
            return "duration", {"months": int(3 * n), "direction": direction}
        if unit in ("年", "year", "years", "yr", "yrs"):
            return "duration", {"months": int(12 * n), "direction": direction}
        return None

    fut_zh = r"(?:未来|接下来的?|今后|之后|往后|后面|下)"
    past_zh = r"(?:过去|最近|近|前|上)"
    unit_zh = r"(天|日|个星期|星期|个礼拜|礼拜|周|个月|个季度|季度|年)"
    unit_en = r"(days?|weeks?|wks?|fortnights?|months?|mos|mths?|quarters?|qtrs?|years?|yrs?)"
    num_en = rf"(\d+(?:\.\d+)?|{_EN_WORD_NUM}(?:\s+{_EN_WORD_NUM})?)"

    def wk_next(idx: int, this_week: bool = False) -> date:
        ahead = (idx - today.weekday()) % 7 or 7
        return today + timedelta(days=ahead)

    week_start = today - timedelta(days=today.weekday())
    q_now = (today.month - 1) // 3 + 1

    def weekdays(a: int, b: int) -> tuple[str, dict] | None:
        start = wk_next(a)
        n = (b - a) % 7
        return None if n == 0 else ("period", {"resolver": _fixed(start, start + timedelta(days=n))})

    wd_en = "|".join(_WEEKDAY_EN)

    def rel_quarter(k: int) -> tuple[str, dict]:
        y, q = today.year, q_now + k
        y, q = y + (q - 1) // 4, (q - 1) % 4 + 1
        return "period", {"resolver": _fixed(*_quarter(y, q))}

    def rel_month(k: int) -> tuple[str, dict]:
        first = add_months(today.replace(day=1), k)
        return "period", {"resolver": _fixed(first, _month_end(first.year, first.month))}

    def rel_week(k: int) -> tuple[str, dict]:
        s = week_start + timedelta(days=7 * k)
        return "period", {"resolver": _fixed(s, s + timedelta(days=6))}

    def rel_year(k: int) -> tuple[str, dict]:
        y = today.year + k
        return "period", {"resolver": _fixed(date(y, 1, 1), date(y, 12, 31))}

    def quarter(m: re.Match[str]) -> tuple[str, dict]:
        raw = m.group("q")
        q = int(raw) if raw.isdigit() else CN_DIGITS[raw] if raw in CN_DIGITS else _ORD[raw]
        year = _year_of(m.groupdict().get("y"), today)
        return "period", {"resolver": lambda t, d: _pick_year(lambda y: _quarter(y, q), t, d, year)}

    def half(m: re.Match[str]) -> tuple[str, dict]:
        h = 1 if m.group("h") in ("上", "1", "first") else 2
        year = _year_of(m.groupdict().get("y"), today)

        def make(y: int) -> Window:
            return (date(y, 1, 1), date(y, 6, 30)) if h == 1 else (date(y, 7, 1), date(y, 12, 31))
        return "period", {"resolver": lambda t, d: _pick_year(make, t, d, year)}

    def month(mo: int, year: int | None) -> tuple[str, dict]:
        return "period", {"resolver": lambda t, d: _pick_year(
            lambda y: (date(y, mo, 1), _month_end(y, mo)), t, d, year)}

    def md(mo: int, dd: int, year: int | None) -> tuple[str, dict]:
        return "day", {"resolver": lambda t, d: _pick_year(
            lambda y: (date(y, mo, dd), date(y, mo, dd)), t, d, year)}

    def month_end(mo: int, year: int | None) -> tuple[str, dict] | None:
        if not 1 <= mo <= 12:
            return None
        return "day", {"resolver": lambda t, d: _pick_year(
            lambda y: (_month_end(y, mo), _month_end(y, mo)), t, d, year)}

    def cn_int(s: str) -> int:
        v = parse_number(s)
        return int(v) if v is not None else 0

    def since_month(mo: int, year: int | None) -> tuple[str, dict]:
        """"since September", "9月以来": from the first of that month to today."""
        y = year if year is not None else today.year if mo <= today.month else today.year - 1
        return "period", {"resolver": _fixed(date(y, mo, 1), max(today, date(y, mo, 1))), "direction": "past"}

    def since_day(mo: int, dd: int) -> tuple[str, dict] | None:
        """"from Oct 20 up to today": that day (this year, or last year when it is still ahead) to today."""
        try:
            d = date(today.year, mo, dd)
            if d > today:
                d = date(today.year - 1, mo, dd)
        except ValueError:
            return None
        return "period", {"resolver": _fixed(d, today), "direction": "past"}

    def to_date(res: tuple[str, dict]) -> tuple[str, dict]:
        """"year to date", "今年以来": the window so far, looking back."""
        return res[0], {**res[1], "direction": "past"}

    def holiday(make: Callable[[int], date], y_text: str | None) -> tuple[str, dict]:
        year = _year_of(y_text, today)
        return "day", {"resolver": lambda t, d: _pick_year(lambda y: (make(y), make(y)), t, d, year)}

    year_zh = r"(?P<y>\d{4}年|今年|明年|去年|来年|前年)?的?"
    y_en = r"(?:(?P<y2>last year's|this year's|next year's|\d{4})\s+)?"
    months_en = "|".join(sorted(_MONTH_EN, key=len, reverse=True))
    month_zh = r"(\d{1,2}|十[一二]?|[一二三四五六七八九])月(?:份)?(?:初)?"
    year_en = r"(?:(?P<y>\d{4}|this year's|next year's|last year's|this year|next year|last year)\s*)?"
    def md_range(m1: int, d1: int, m2: int, d2: int, year: int | None) -> tuple[str, dict]:
        """"10月1号到7号", "Oct 1-7", "9月28日至10月3日": one window."""
        def make(y: int) -> Window:
            a = date(y, m1, d1)
            b = date(y if (m2, d2) >= (m1, d1) else y + 1, m2, d2)
            return a, b
        return "period", {"resolver": lambda t, d: _pick_year(make, t, d, year)}

    def month_range(m1: int, m2: int, year: int | None) -> tuple[str, dict] | None:
        """"今年5月到8月", "from March to June": whole months, first day to last day."""
        if not (1 <= m1 <= 12 and 1 <= m2 <= 12):
            return None

        def make(y: int) -> Window:
            y2 = y if m2 >= m1 else y + 1
            return date(y, m1, 1), _month_end(y2, m2)
        return "period", {"resolver": lambda t, d: _pick_year(make, t, d, year)}

    def to_month_end(mo: int, dd: int, year: int | None) -> tuple[str, dict]:
        """"从10月16号到月底", "from Oct 20 to the end of the month"."""
        def make(y: int) -> Window:
            return date(y, mo, dd), _month_end(y, mo)
        return "period", {"resolver": lambda t, d: _pick_year(make, t, d, year)}

    cn_day = r"(\d{1,2}|[一二三四五六七八九十]+)"
    rng = r"\s*(?:到|至|~|-|—|－|一直到)\s*"
    months_alt = "|".join(sorted(_MONTH_EN, key=len, reverse=True))
    en_year = r"(?:,?\s+(?P<ey>this year|last year|next year|\d{4}))?"
    return [
        (rf"(?P<y>今年|明年|去年)?从?{cn_day}月{cn_day}[日号]?(?:起)?{rng}(?:这个|本|当)?月(?:底|末)",
         lambda m: to_month_end(cn_int(m[2]), cn_int(m[3]), _year_of(m.group("y"), today))),
        (rf"\b(?:from )?({months_alt})\.? (\d{{1,2}})(?:st|nd|rd|th)?\s*(?:-|–|to|through|thru|until|till)\s*"
         rf"(?:the )?end of (?:the |this )?month\b",
         lambda m: to_month_end(_MONTH_EN[m[1]], int(m[2]), None)),
        (r"(?P<y>今年|明年|去年)?从?(\d{1,2}|十[一二]?|[一二三四五六七八九])月(?:份)?(?:初)?\s*(?:到|至|~|-|—|－|一直到)\s*"
         r"(?:(?P<y2>今年|明年|去年))?(\d{1,2}|十[一二]?|[一二三四五六七八九])月(?:份)?(?:底|末)?(?![0-9一二三四五六七八九十]*[日号])",
         lambda m: month_range(cn_int(m[2]), cn_int(m[4]), _year_of(m.group("y") or m.group("y2"), today))),
        (rf"\b(?:from |between )?({months_alt})\s*(?:-|–|to|through|thru|until|till|and)\s*({months_alt})\b"
         rf"(?!\.? ?\d{{1,2}}\b){en_year}",
         lambda m: None if (m[1] == "may" and not m.group(0).startswith(("from", "between"))
                            and not re.search(r"through|thru|until|till|-|–", m.group(0))) else
         month_range(_MONTH_EN[m[1]], _MONTH_EN[m[2]], _year_of(m.group("ey"), today))),
        (rf"(?P<y>今年|明年|去年)?{cn_day}月{cn_day}[日号]?{rng}(?:{cn_day}月)?{cn_day}[日号]",
         lambda m: md_range(cn_int(m[2]), cn_int(m[3]), cn_int(m[4]) if m[4] else cn_int(m[2]), cn_int(m[5]),
                            _year_of(m.group("y"), today))),
        (rf"\b(?:from )?({months_alt})\.? (\d{{1,2}})(?:st|nd|rd|th)?\s*(?:-|–|to|through|thru|until|till)\s*"
         rf"(?:({months_alt})\.? )?(\d{{1,2}})(?:st|nd|rd|th)?\b",
         lambda m: md_range(_MONTH_EN[m[1]], int(m[2]), _MONTH_EN[m[3]] if m[3] else _MONTH_EN[m[1]], int(m[4]), None)),
        (rf"(?:自|从)?{cn_day}月{cn_day}[日号]?(?:起|开始)?(?:以来|至今|到现在|到今天|到目前为止)",
         lambda m: since_day(cn_int(m[1]), cn_int(m[2]))),
        (r"(\d{4})-(\d{1,2})-(\d{1,2})", lambda m: day(date(int(m[1]), int(m[2]), int(m[3])))),
        (r"(\d{4})年(\d{1,2}|[一二三四五六七八九十]+)月(\d{1,2}|[一二三四五六七八九十]+)[日号]",
         lambda m: day(date(int(m[1]), cn_int(m[2]), cn_int(m[3])))),
        (r"(?P<y>今年|明年|去年)?(\d{1,2}|[一二三四五六七八九十]+)月(\d{1,2}|[一二三四五六七八九十]+)[日号]",
         lambda m: md(cn_int(m[2]), cn_int(m[3]), _year_of(m.group("y"), today))),
        # a day up to today ("since Sept 14", "自9月20号以来", "10月3日至今"): that day to today, looking back
        (rf"\bsince ({months_alt})\.? (\d{{1,2}})(?:st|nd|rd|th)?\b|\bsince (?:the )?(\d{{1,2}})(?:st|nd|rd|th)? (?:of )?({months_alt})\b",
         lambda m: since_day(_MONTH_EN[m[1] or m[4]], int(m[2] or m[3]))),
        # a date up to today ("from Oct 20 up to today", "Oct 12 through now"): that day to today, looking back
        (rf"\b(?:from |since )?({months_alt})\.? (\d{{1,2}})(?:st|nd|rd|th)?\s*(?:up to|up until|until|till|to|through|thru)\s*"
         rf"(?:today|now|date|the present)\b",
         lambda m: since_day(_MONTH_EN[m[1]], int(m[2]))),
        (rf"\b({'|'.join(sorted(_MONTH_EN, key=len, reverse=True))})\.? (\d{{1,2}})(?:st|nd|rd|th)?\b{en_year}",
         lambda m: md(_MONTH_EN[m[1]], int(m[2]), _year_of(m.group("ey"), today))),
        (rf"\b(\d{{1,2}})(?:st|nd|rd|th)? (?:of )?({'|'.join(sorted(_MONTH_EN, key=len, reverse=True))})\b",
         lambda m: md(_MONTH_EN[m[2]], int(m[1]), None)),
        (r"(?P<y>去年|今年|明年)?的?(?:双十一|双11)|(?:(?P<y2>last year's|this year's|next year's)\s+)?"
         r"(?:singles'? day|double 11|double eleven)",
         lambda m: md(11, 11, _year_of(m.group("y") or m.group("y2"), today))),
        (rf"(?P<y>去年|今年|明年)?的?(?:圣诞节?|圣诞日)|\b{y_en}(?:christmas(?: day)?|xmas)\b",
         lambda m: holiday(lambda y: date(y, 12, 25), m.group("y") or m.group("y2"))),
        (rf"(?P<y>去年|今年|明年)?的?平安夜|\b{y_en}christmas eve\b",
         lambda m: holiday(lambda y: date(y, 12, 24), m.group("y") or m.group("y2"))),
        (rf"(?P<y>去年|今年|明年)?的?(?:双十二|双12)|\b{y_en}(?:double 12|double twelve)\b",
         lambda m: holiday(lambda y: date(y, 12, 12), m.group("y") or m.group("y2"))),
        (rf"(?P<y>去年|今年|明年)?的?(?:国庆节?|十一黄金周|十一长假)|\b{y_en}(?:national day|golden week)\b",
         lambda m: holiday(lambda y: date(y, 10, 1), m.group("y") or m.group("y2"))),
        (rf"(?P<y>去年|今年|明年)?的?(?:元旦)|\b{y_en}new year'?s day\b",
         lambda m: holiday(lambda y: date(y, 1, 1), m.group("y") or m.group("y2"))),
        (rf"(?P<y>去年|今年|明年)?的?(?:五一劳动节|劳动节|五一假期|五一长假)|\b{y_en}(?:may day|labou?r day)\b",
         lambda m: holiday(lambda y: date(y, 5, 1), m.group("y") or m.group("y2"))),
        (rf"(?P<y>去年|今年|明年)?的?情人节|\b{y_en}valentine'?s(?: day)?\b",
         lambda m: holiday(lambda y: date(y, 2, 14), m.group("y") or m.group("y2"))),
        (rf"(?P<y>去年|今年|明年)?的?(?:黑色星期五|黑五)|\b{y_en}black friday\b",
         lambda m: holiday(_black_friday, m.group("y") or m.group("y2"))),
        (rf"(?P<y>去年|今年|明年)?的?(?:春节|农历新年|过年)|\b{y_en}(?:chinese new year|lunar new year|spring festival)\b",
         lambda m: holiday(lambda y: _LUNAR_NEW_YEAR.get(y, date(y, 2, 1)), m.group("y") or m.group("y2"))),
        (rf"(?P<y>去年|今年|明年)?的?中秋节?|\b{y_en}mid-autumn(?: festival)?\b",
         lambda m: holiday(lambda y: _MID_AUTUMN.get(y, date(y, 9, 20)), m.group("y") or m.group("y2"))),
        (r"年初以来|年初至今|年初到现在|今年以来|今年至今|今年到现在|从年初(?:开始|起)?(?:到现在|至今)?|"
         r"\bsince the (?:start|beginning) of (?:the |this )?year\b|\byear[- ]to[- ]date\b|\bytd\b|"
         r"\bso far this year\b|\bthis year so far\b", lambda m: to_date(rel_year(0))),
        (r"月初以来|月初至今|本月以来|这个月以来|本月至今|\bsince the (?:start|beginning) of (?:the |this )?month\b|"
         r"\bmonth[- ]to[- ]date\b|\bmtd\b|\bso far this month\b|\bthis month so far\b",
         lambda m: to_date(rel_month(0))),
        (r"季初以来|本季度以来|本季度至今|\bsince the (?:start|beginning) of (?:the |this )?quarter\b|"
         r"\bquarter[- ]to[- ]date\b|\bqtd\b|\bso far this quarter\b|\bthis quarter so far\b",
         lambda m: to_date(rel_quarter(0))),
        (rf"\bsince (?:the (?:start|beginning) of )?({months_en})\b(?: (\d{{4}}))?"
         rf"(?: (?:until|till|to|through|up to) (?:now|today|date|the present))?|"
         rf"\bfrom (?:the (?:start|beginning) of )?({months_en})\b(?: (\d{{4}}))?"
         rf" (?:until|till|to|through|up to) (?:now|today|date|the present)\b",
         lambda m: since_month(_MONTH_EN[m[1] or m[3]], int(m[2] or m[4]) if (m[2] or m[4]) else None)),
        (rf"(?P<y>\d{{4}}年|今年|去年)?{month_zh}(?:以来|至今|到现在|到今天|开始到现在)|"
         rf"从(?P<y3>\d{{4}}年|今年|去年)?(\d{{1,2}}|十[一二]?|[一二三四五六七八九])月(?:份)?(?:初)?(?:开始|起)?(?:到现在|至今|以来)",
         lambda m: since_month(cn_int(m[2] or m[4]), _year_of(m.group("y") or m.group("y3"), today))),
        (r"(?P<y>去年|今年|明年)?的?(?<!\d)618(?:大促|购物节)?(?![\d台件个片元万])",
         lambda m: md(6, 18, _year_of(m.group("y"), today))),
        # "明后两天", "明后天", "tomorrow and the day after": the two days from tomorrow
        (r"明后(?:两|2)?(?:天|日)|\btomorrow and (?:the day after(?: tomorrow)?|the next day|the following day)\b",
         lambda m: ("period", {"resolver": _fixed(today + timedelta(days=1), today + timedelta(days=2))})),
        (r"今天|今日|今儿个?|今个儿|\btoday'?s?\b|\btonight\b", lambda m: day(today)),
        (r"后天|后儿个?|(?:the )?day after tomorrow", lambda m: day(today + timedelta(days=2))),
        (r"明天|明日|明儿个?|\btomorrow'?s?\b|\btmrw?\b", lambda m: day(today + timedelta(days=1))),
        (r"昨天|昨日|昨儿个?|\byesterday'?s?\b", lambda m: day(today - timedelta(days=1))),
        (r"下(?:个)?(?:周|星期|礼拜)([一二三四五六日天])", lambda m: day(
            week_start + timedelta(days=7 + _WEEKDAY_ZH[m[1]]))),
        (r"上(?:个)?(?:周|星期|礼拜)([一二三四五六日天])", lambda m: day(
            week_start + timedelta(days=-7 + _WEEKDAY_ZH[m[1]]))),
        # two weekdays joined ("周四和周五", "for Wednesday and Thursday"): the days from the first to the second
        (r"(?:本|这)?(?:周|星期|礼拜)([一二三四五六日天])\s*(?:和|与|跟|及|到|至|、|-|~)\s*(?:周|星期|礼拜)?([一二三四五六日天])",
         lambda m: weekdays(_WEEKDAY_ZH[m[1]], _WEEKDAY_ZH[m[2]])),
        (rf"\b(?:next |this |on |coming )?({wd_en})\s*(?:and|to|through|thru|till|until|&|-|–)\s*({wd_en})\b",
         lambda m: weekdays(_WEEKDAY_EN[m[1]], _WEEKDAY_EN[m[2]])),
        # a weekday followed by its date ("周二11月17号", "Tuesday Nov 10"): the date decides
        (r"(?:本|这)?(?:周|星期|礼拜)([一二三四五六日天])(?![，,\s]*(?:\d{1,2}|[一二三四五六七八九十]+)月)",
         lambda m: day(wk_next(_WEEKDAY_ZH[m[1]]))),
        (rf"\b(?:next |this |on |coming )?({wd_en})\b(?!,?\s*(?:the )?(?:{months_alt})\.? \d|"
         rf",?\s*(?:the )?\d{{1,2}}(?:st|nd|rd|th)? (?:of )?(?:{months_alt})\b)",
         lambda m: day(wk_next(_WEEKDAY_EN[m[1]]))),
        (rf"{year_zh}(?:第?(?P<q>[一二三四1-4])季度|q(?P<q2>[1-4]))",
         lambda m: quarter(_qfix(m))),
        (rf"\b{year_en}(?:q(?P<q>[1-4])|the (?P<q2>first|second|third|fourth) quarter)\b",
         lambda m: quarter(_qfix(m))),
        (rf"{year_zh}(?P<h>上|下)半年", half),
        (rf"\b{year_en}(?:h(?P<h>[12])|the (?P<h2>first|second) half)\b",
         lambda m: half(_hfix(m))),
        (r"(?:今年|年底|年末|本年)(?:剩余|剩下的?)?(?:时间)?(?:前|之前)?|到年底|年底前",
         lambda m: ("period", {"resolver": lambda t, d: (t + timedelta(days=1), date(t.year, 12, 31))})
         if any(k in m[0] for k in ("剩", "底", "末")) else rel_year(0)),
        (r"(?:through |until |till |by )?(?:the )?(?:end of (?:the |this )?year|year[- ]end|rest of the year)",
         lambda m: ("period", {"resolver": lambda t, d: (t + timedelta(days=1), date(t.year, 12, 31))})),
        (rf"{fut_zh}({_NUM}|半)个?{unit_zh}", lambda m: duration(
            0.5 if m[1] == "半" else _num(m[1]), _unit_zh(m[0], m[2]), "future")),
        (rf"{past_zh}({_NUM})个?{unit_zh}", lambda m: duration(_num(m[1]), _unit_zh(m[0], m[2]), "past")),
        (rf"\b(?:the )?(?:next|coming|following|upcoming) {num_en} {unit_en}\b",
         lambda m: duration(_num(m[1]), m[2], "future")),
        (rf"\b(?:the )?(?:last|past|previous|recent|trailing|preceding|prior) {num_en} {unit_en}\b",
         lambda m: duration(_num(m[1]), m[2], "past")),
        (r"\b(?:the )?(?:coming|upcoming|following) (week|month|quarter|year)\b",
         lambda m: duration(1, m[1], "future")),
        (r"\b(?:the )?(?:next|coming|following|upcoming) fortnight\b",
         lambda m: duration(1, "fortnight", "future")),
        (r"\bfortnight\b", lambda m: duration(1, "fortnight", None)),
        (r"下(?:个)?(?:周|星期|礼拜)|\bnext week\b", lambda m: rel_week(1)),
        (r"(?:本|这)(?:个)?(?:周|星期|礼拜)|\bthis week\b", lambda m: rel_week(0)),
        (r"上(?:个)?(?:周|星期|礼拜)|\blast week\b", lambda m: rel_week(-1)),
        (r"下(?:个)?月|\bnext month\b", lambda m: rel_month(1)),
        (r"(?:本|这个?)月|\bthis month\b", lambda m: rel_month(0)),
        (r"上(?:个)?月|\blast month\b|\bprevious month\b", lambda m: rel_month(-1)),
        (r"下(?:个)?季度|\bnext quarter\b", lambda m: rel_quarter(1)),
        (r"(?:本|这个?)季度|\bthis quarter\b", lambda m: rel_quarter(0)),
        (r"上(?:个)?季度|\blast quarter\b|\bprevious quarter\b", lambda m: rel_quarter(-1)),
        # "计划做到12月底", "到明年2月末": the last day of that month
        (r"(?P<y>今年|明年|去年)?(\d{1,2}|十[一二]?|[一二三四五六七八九])月(?:份)?(?:底|末)",
         lambda m: month_end(cn_int(m[2]), _year_of(m.group("y"), today))),
        (r"(?P<y>\d{4}年|今年|明年|去年)?(\d{1,2}|十[一二]?|[一二三四五六七八九])月(?![\d日号份]|底)",
         lambda m: month(cn_int(m[2]), _year_of(m.group("y"), today))),
        (rf"\b(?:in )?({'|'.join(sorted(_MONTH_EN, key=len, reverse=True))})(?: (\d{{4}}))?\b",
         lambda m: month(_MONTH_EN[m[1]], int(m[2]) if m[2] else None) if m[1] not in ("may",) else None),
        (r"(\d{4})年(?!\d|月)", lambda m: ("period", {"resolver": _fixed(
            date(int(m[1]), 1, 1), date(int(m[1]), 12, 31))})),
        (r"\b(?:in |for |during )?(20\d\d)\b(?![-\d])(?!\s*(?:kg|kgs|kilos?|t|tonnes?|tons?|units?|pcs|pieces?|yuan|cny|rmb|"
         r"trucks?|vans?|vehicles?|%|percent|元|块|台|件|个|片|套|只|辆|公斤|千克|吨)\b)", lambda m: ("period", {"resolver": _fixed(
            date(int(m[1]), 1, 1), date(int(m[1]), 12, 31))})),
        (r"明年|\bnext year\b", lambda m: rel_year(1)),
        (r"去年|\blast year\b", lambda m: rel_year(-1)),
        (r"今年|本年|\bthis year\b", lambda m: rel_year(0)),
        (rf"(?<![每隔])({_NUM}|半)个?{unit_zh}(?!内?(?:盘点|检查|补货|订货))", lambda m: duration(
            0.5 if m[1] == "半" else _num(m[1]), _unit_zh(m[0], m[2]), None)),
        (rf"\b(?:for |over |in |within )?{num_en}[ -](?:(?:extra|more|additional|further|whole|full) )?{unit_en}\b",
         lambda m: None if m[1] in ("a", "an") and m.string[max(0, m.start() - 3):m.start()] == "by "
         and m[2].startswith("quarter")
         else duration(_num(m[1]), m[2], None)),  # "drops by a quarter" is 25 %, not 3 months ("by a week": 7 days)
    ]


_LUNAR_NEW_YEAR = {2023: date(2023, 1, 22), 2024: date(2024, 2, 10), 2025: date(2025, 1, 29), 2026: date(2026, 2, 17),
                   2027: date(2027, 2, 6), 2028: date(2028, 1, 26), 2029: date(2029, 2, 13), 2030: date(2030, 2, 3)}
_MID_AUTUMN = {2023: date(2023, 9, 29), 2024: date(2024, 9, 17), 2025: date(2025, 10, 6), 2026: date(2026, 9, 25),
               2027: date(2027, 9, 15), 2028: date(2028, 10, 3), 2029: date(2029, 9, 22), 2030: date(2030, 9, 12)}


def _black_friday(y: int) -> date:
    """The day after the fourth Thursday of November."""
    first = date(y, 11, 1)
    thursday = 1 + (3 - first.weekday()) % 7
    return date(y, 11, thursday + 22)


def _unit_zh(whole: str, unit: str) -> str:
    if unit == "月" and "个月" not in whole:
        return "个月"
    return unit


def _qfix(m: re.Match[str]) -> re.Match[str]:
    return _Groups(m, q=m.group("q") or m.group("q2"))  # type: ignore[return-value]


def _hfix(m: re.Match[str]) -> re.Match[str]:
    return _Groups(m, h=m.group("h") or m.group("h2"))  # type: ignore[return-value]


class _Groups:
    """A match whose named groups can be overridden (two spellings of one group)."""

    def __init__(self, m: re.Match[str], **over: str | None) -> None:
        self._m, self._over = m, over

    def group(self, name: str) -> str | None:
        return self._over[name] if name in self._over else self._m.group(name)

    def groupdict(self) -> dict[str, str | None]:
        return {**self._m.groupdict(), **self._over}


# --------------------------------------------------------------------------- percentages


@dataclass(frozen=True)
class Percent:
    """A percentage in the text: ``value`` in percent (20 for "20%", "百分之二十", "两成")."""

    start: int
    end: int
    text: str
    value: float


_PCT_PATTERNS = [
    (r"([一二两三四五六七八九])成([一二三四五六七八九])(?![十百千万个%])",
     lambda m: 10 * (_num(m[1]) or 0) + (_num(m[2]) or 0)),  # "九成八" = 98 %
    (rf"({_NUM})\s*(?:%|percent\b|per cent\b|个百分点)", lambda m: _num(m[1])),
    (rf"百分之({_NUM})", lambda m: _num(m[1])),
    (r"([一二两三四五六七八九]|[1-9])成(?![都本品功熟为交立员长果绩])", lambda m: 10 * (_num(m[1]) or 0)),
    (r"翻(?:了)?(?:一)?(?:倍|番)|\bdoubl(?:es|ed|e|ing)\b", lambda m: 100.0),
    (r"减半|一半|半数|\bhalv(?:es|ed|e)\b|\bhalf (?:of )?\w+|\bin half\b", lambda m: 50.0),
    (r"\bby (?:a )?quarter\b|\ba quarter\b(?= (?:less|more|lower|higher))", lambda m: 25.0),
    (r"\bby (?:a )?third\b", lambda m: 100 / 3),
    (rf"\b{_EN_WORD_NUM}(?: {_EN_WORD_NUM})? percent\b",
     lambda m: words_to_number(m[0].rsplit(" ", 1)[0].split())),
]


def extract_percents(text: str) -> list[Percent]:
    """Every percentage, left to right ("20%", "百分之二十", "两成", "doubles" = 100)."""
    low = text.lower()
    out: list[Percent] = []
    taken: list[tuple[int, int]] = []
    for pat, fn in _PCT_PATTERNS:
        for m in re.finditer(pat, low, re.A):
            a, b = m.span()
            if any(not (b <= s or a >= e) for s, e in taken):
                continue
            v = fn(m)
            if v is not None:
                taken.append((a, b))
                out.append(Percent(a, b, text[a:b], float(v)))
    return sorted(out, key=lambda p: p.start)


# --------------------------------------------------------------------------- quantities


@dataclass(frozen=True)
class Quantity:
    """A number with a unit: ``units``, ``kg``, ``cny``, ``vehicles`` or ``plain``."""

    start: int
    end: int
    text: str
    value: float
    unit: str


_Q_UNITS = [
    ("cny", r"(?:万元|元|块钱|块|yuan|cny|rmb)"),
    ("kg", r"(?:吨|tonnes?|tons?|t\b)"),
    ("kg1", r"(?:公斤|千克|kg|kilograms?|kilos?)"),
    ("vehicles", r"(?:辆车|辆|台车|trucks?|vans?|vehicles?|lorries)"),
    ("units", r"(?:台|件|个|片|套|只|pcs|pieces?|units?)"),
]
_MULT = r"(?:\s*(?:万|千|百万|亿|k|million|thousand|m)(?![a-z]))?"


def extract_quantities(text: str) -> list[Quantity]:
    """Numbers followed by a unit ("两千台", "2吨", "1.5 million yuan", "3 vans"), and the
    remaining bare numbers as ``plain`` (codes, dates and percentages excluded)."""
    low = text.lower()
    out: list[Quantity] = []
    taken: list[tuple[int, int]] = []
    num = rf"(?<![A-Za-z0-9.-])(\d+(?:,\d{{3}})*(?:\.\d+)?{_MULT}|{_CN_NUM}|{_EN_WORD_NUM})"
    # "一吨半" = 1.5 t, "两吨半", "半吨" = 0.5 t, "half a tonne", "a tonne and a half"
    for m in re.finditer(rf"(?:(\d+|{_CN_NUM})\s*(吨|公斤|千克)半|半(吨|公斤|千克)|\bhalf an? (tonne|ton|kg|kilo)\b|"
                         rf"\b(?:a|one|(\d+)) (tonne|ton)s? and a half\b)", low, re.A):
        if m[1]:
            v, u = (_num(m[1]) or 0) + 0.5, m[2]
        elif m[3]:
            v, u = 0.5, m[3]
        elif m[4]:
            v, u = 0.5, m[4]
        else:
            v, u = (float(m[5]) if m[5] else 1.0) + 0.5, m[6]
        taken.append(m.span())
        out.append(Quantity(m.start(), m.end(), text[m.start():m.end()], v * (1000 if u in ("吨", "tonne", "ton") else 1),
                            "kg"))
    # "1块9", "两块五", "2元5角": yuan with tenths
    for m in re.finditer(rf"(?<![\d.])(\d+|{_CN_NUM})\s*(?:块|元)([1-9]|[一二三四五六七八九])(?:毛|角)?(?![\d.万千百月日号%])",
                         low, re.A):
        whole, tenth = _num(m[1]), _num(m[2])
        if whole is None or tenth is None:
            continue
        taken.append(m.span())
        out.append(Quantity(m.start(), m.end(), text[m.start():m.end()], round(whole + tenth / 10, 2), "cny"))
    halves = list(taken)
    for unit, pat in _Q_UNITS:
        for m in re.finditer(rf"{num}(?:\s*|-){pat}", low, re.A):  # "2吨", "2-tonne", "3 trucks"
            if any(not (m.end() <= a or m.start() >= b) for a, b in halves):
                continue
            v = _num(m[1])
            if v is None:
                continue
            if unit == "cny" and "万元" in m[0] and "万" not in m[1]:
                v *= 10_000
            if unit == "kg":
                v *= 1000
            taken.append(m.span())
            out.append(Quantity(m.start(), m.end(), text[m.start():m.end()], v,
                                "kg" if unit.startswith("kg") else unit))
    bare = rf"(?<![A-Za-z0-9.:/-])(\d+(?:,\d{{3}})*(?:\.\d+)?{_MULT}|{_CN_NUM})(?![A-Za-z0-9%.:/-])"
    for m in re.finditer(bare, low, re.A):
        if any(not (m.end() <= s or m.start() >= e) for s, e in taken):
            continue
        if m[1] == "一" and (re.match(r"[这那哪每]", low[max(0, m.start() - 1):m.start()])
                            or re.match(r"[下点些直起共段条眼遍次样定般切旦会]", low[m.end():m.end() + 1])):
            continue  # "这一段", "推一下", "过一眼": a word, not a number
        v = _num(m[1])
        if v is not None:
            out.append(Quantity(m.start(), m.end(), text[m.start():m.end()], v, "plain"))
    return sorted(out, key=lambda q: q.start)


# --------------------------------------------------------------------------- other slots


def extract_review_period(text: str) -> tuple[int, tuple[int, int]] | None:
    """A periodic-review interval in days ("每周盘点", "每两周检查", "两周盘点一次", "every 2 weeks",
    "reviewed weekly", "fortnightly counts")."""
    low = text.lower()
    per_zh = {"天": 1, "日": 1, "周": 7, "星期": 7, "个星期": 7, "礼拜": 7, "个月": 30, "月": 30}
    m = re.search(rf"每(?:隔)?({_NUM})?个?(天|日|周|星期|礼拜|个月|月)", low)
    if m:
        n = _num(m[1]) if m[1] else 1.0
        return int((n or 1) * per_zh[m[2]]), m.span()
    # "两周盘点一次", "10天一盘", "盘点周期为两周", "按周盘点"
    m = re.search(rf"(?<![来下去过近前后])({_NUM})个?(天|日|周|星期|礼拜|个月|月)(?:(?:盘点|盘|复核|清点|检查)(?:一次|一回|一遍)?|查(?:一次|一回|一遍)|"
                  rf"(?:补货|订货|补|订)(?:一次|一回))|"
                  rf"({_NUM})个?(天|日|周|星期|礼拜|个月|月)一(?:盘|查|补|订)|"
                  rf"(?:盘点|检查|复核|补货|订货|审查)(?:周期|间隔|频率)(?:是|为|按|设为|定为|设成|定成)?({_NUM})个?"
                  rf"(天|日|周|星期|礼拜|个月|月)", low)
    if m:
        n, unit = (m[1], m[2]) if m[1] else (m[3], m[4]) if m[3] else (m[5], m[6])
        v = _num(n)
        if v:
            return int(v * per_zh[unit]), m.span()
    m = re.search(r"按(天|日|周|月)(?:盘点|检查|补货|订货)", low)
    if m:
        return per_zh[m[1]], m.span()
    m = re.search(rf"\bevery (?:({_NUM}|{_EN_WORD_NUM}) )?(day|week|month)s?\b", low, re.A)
    if m:
        n = _num(m[1]) if m[1] else 1.0
        return int((n or 1) * {"day": 1, "week": 7, "month": 30}[m[2]]), m.span()
    freq = r"(daily|weekly|monthly|fortnightly|bi-?weekly|every other week|every fortnight)"
    days = {"daily": 1, "weekly": 7, "monthly": 30, "fortnightly": 14, "biweekly": 14, "bi-weekly": 14,
            "every other week": 14, "every fortnight": 14}
    m = re.search(rf"\b{freq} (?:stock |inventory |periodic )?(?:reviews?|counts?|checks?|stocktakes?|replenishment)\b|"
                  rf"\b(?:review(?:ed|s|ing)?|count(?:ed|s)?|replenish(?:ed|es)?|restock(?:ed|s)?)\b"
                  rf"[^.;?!]{{0,40}}?\b{freq}", low, re.A)
    if m:
        return days[m[1] or m[2]], m.span()
    m = re.search(rf"\breview (?:period|cycle|interval) (?:of |is |= )?({_NUM}|{_EN_WORD_NUM})[ -](day|week|month)s?\b|"
                  rf"\b({_NUM}|{_EN_WORD_NUM})[ -](day|week|month)s? (?:stock |inventory |periodic )?"
                  rf"(?:review|count|stocktake|replenishment)", low, re.A)
    if m:
        n = _num(m[1] or m[3])
        if n:
            return int(n * {"day": 1, "week": 7, "month": 30}[m[2] or m[4]]), m.span()
    return None


_MODELS = [
    (r"chinchilla", "Chinchilla"), (r"lightgbm|lgbm|梯度提升", "LightGBM"),
    (r"seasonal ?naive|季节(?:性)?朴素", "SeasonalNaive"), (r"\bnaive\b|朴素", "Naive"),
    (r"\b(?:auto)?arima\b", "AutoARIMA"), (r"\b(?:auto)?ets\b|指数平滑", "AutoETS"),
    (r"\b(?:auto)?theta\b", "AutoTheta"), (r"\bcroston", "CrostonOptimized"),
    (r"\btsb\b", "TSB"), (r"\bimapa\b", "IMAPA"), (r"\badida\b", "ADIDA"),
]


def extract_model(text: str) -> str | None:
    """A forecasting model named in the text, as the forecast tool spells it."""
    low = text.lower()
    for pat, name in _MODELS:
        if re.search(pat, low, re.A):
            return name
    return None
