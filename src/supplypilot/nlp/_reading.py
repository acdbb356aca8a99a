"""One instruction, read: its basis clause, mentions, times, percentages and quantities."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from supplypilot.nlp.catalog import Catalog, Entity, Mention, UnknownRef
from supplypilot.nlp.slots import (
    Percent,
    Quantity,
    TimeExpr,
    extract_model,
    extract_percents,
    extract_quantities,
    extract_review_period,
    extract_times,
)
from supplypilot.nlp.text import Language, detect_language, normalize

_BASIS = [
    re.compile(r"^(?:请|麻烦|帮我|请你)?(?:基于|根据|依据|结合|参考|利用|用)(?P<basis>.+?)[，,；;]\s*(?P<body>(?:请|帮我)?(?:预测|生成|制定|规划|计算|给出|"
               r"安排|优化|查询|列出|做|推荐|分析|评估|估计).*)$"),
    re.compile(r"^(?:based on|using|given) (?P<basis>.+?)[,;]\s*(?P<body>(?:please )?(?:forecast|predict|project|"
               r"generate|plan|create|make|estimate|compute|show|give|list|optimi[sz]e|schedule|run|what|how)\b.*)$",
               re.I),
    re.compile(r"^(?:请|麻烦|帮我|请你)?(?:基于|根据|依据|结合|参考|参照|考虑到?|鉴于|综合)(?P<basis>[^，,。；;]+)[，,；;](?P<body>.+)$"),
    re.compile(r"^(?:based on|using|given|considering|taking into account|in light of) (?P<basis>[^,;]+?),\s*(?P<body>.+)$",
               re.I),
    # "拿过往的产量、库存和运输数据做个推演，…", "use past production, inventory and shipping data to see …"
    re.compile(r"^(?:请|麻烦|帮我)?(?:拿|用|利用|借助|凭)(?P<basis>[^，,。；;]{2,40}?(?:数据|记录|历史))(?:来|去)?(?P<body>"
               r"(?:做|推|算|看|估|预测|跑|模拟|测算|分析)[^。]*)$"),
    # "手上有历史销量和库存两份数据，能不能据此…", "按历史生产、库存和物流数据，看看…"
    re.compile(r"^(?:我们?)?(?:手上|手头|手里|现在|目前|这边)?(?:已经)?(?:有|拿到了?|收集了)(?P<basis>[^，,。；;]{2,40}?"
               r"(?:数据|记录|历史|报表))[，,；;]\s*(?P<body>.+)$"),
    re.compile(r"^(?:请|麻烦|帮我)?(?:按照?|照着?|依照|凭借?|从)(?P<basis>[^，,。；;]{2,40}?(?:数据|记录|历史|报表))"
               r"[，,；;]\s*(?P<body>.+)$"),
    # "From past production, inventory and logistics numbers, where's our stock level headed?"
    re.compile(r"^(?:from|going (?:by|off)|on the basis of|working from|off) (?P<basis>[^;.?]{3,100}?\b(?:numbers|data|"
               r"figures|records|history|stats|statistics|flows|levels|volumes|quantities|positions))\s*,\s*(?P<body>.+)$", re.I),
    re.compile(r"^(?:use|using|take|taking|with) (?P<basis>[^;.]{3,80}?\b(?:data|history|records|figures))\s*(?:,\s*)?"
               r"(?:to|and) (?P<body>.+)$", re.I),
]
_LEAD_IN = re.compile(r"^[^：:，,。；;?？]{2,30}[：:]\s*")
_BASIS_AFTER = re.compile(r"^(?P<body>.+?),?\s+(?:given|based on|considering|taking into account|in light of|drawing on|"
                          r"relying on|leaning on|using|working from) "
                          r"(?P<basis>(?:the |our )?(?:current |existing |latest |present )?[^,;?]+?)(?P<end>[?.!]?)$", re.I)


def split_basis(text: str) -> tuple[str | None, str]:
    """"基于历史销售数据、库存数据，预测未来销售需求" → ("历史销售数据、库存数据", "预测未来销售需求").

    The basis names the data the user wants used; it is stated back in the answer, and it must
    not be read as the request ("库存数据" in the basis does not ask for an inventory forecast).
    """
    for pat in _BASIS:
        m = pat.match(text)
        if m:
            return m.group("basis").strip(), m.group("body").strip()
    # a lead-in before the basis ("周会上老板提的：参照…，…", "As discussed: based on …, …"): kept with the request
    pre = _LEAD_IN.match(text)
    if pre:
        basis, body = split_basis(text[pre.end():])
        if basis is not None:
            return basis, text[:pre.end()] + body
    m = _BASIS_AFTER.match(text)  # "how much will we need to produce next month, given current stock and shipments?"
    if m and re.search(r"\b(?:data|stock|inventory|shipments?|sales|history|levels?|volumes?|production|demand)\b",
                       m.group("basis"), re.I):
        return m.group("basis").strip(), m.group("body").strip() + m.group("end")
    return None, text


def mask(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` with the spans blanked (same length, so offsets stay valid)."""
    chars = list(text)
    for a, b in spans:
        for i in range(max(a, 0), min(b, len(chars))):
            chars[i] = " "
    return "".join(chars)


@dataclass
class Reading:
    """Everything found in one instruction, with character spans into :attr:`body`."""

    raw: str
    lang: Language
    basis: str | None
    body: str
    today: date
    mentions: list[Mention]
    unknown: list[UnknownRef]
    times: list[TimeExpr]
    percents: list[Percent]
    quantities: list[Quantity]
    review: tuple[int, tuple[int, int]] | None
    model: str | None
    masked: str
    """:attr:`body` with entity names blanked: keywords are searched here, so that "Cells"
    in "Ningde Energy Cells" or "供应" in "供应商" names do not count as words of the request."""
    notes: list[str] = field(default_factory=list)
    resources: list[tuple[int, int, str]] = field(default_factory=list)
    """Production resources named ("深圳SMT二线", "Chengdu SMT line 1", "SZ-FA1"): span and code."""

    @property
    def low(self) -> str:
        return self.masked.lower()

    def has(self, pattern: str) -> bool:
        return re.search(pattern, self.low, re.A) is not None

    def entity_mentions(self, *kinds: str, exclude_groups: bool = True) -> list[Mention]:
        """Mentions with at least one candidate of ``kinds`` (family/kind words left out)."""
        return [m for m in self.mentions if m.of_kind(*kinds)
                and not (exclude_groups and m.how in ("family", "kind"))]

    def time_is_future(self, t: TimeExpr) -> bool:
        return t.window(self.today, "past")[0] > self.today

    def time_is_past(self, t: TimeExpr) -> bool:
        return t.window(self.today, "future")[1] <= self.today

    def in_span(self, a: int, b: int) -> Reading:
        """The same reading restricted to the clause ``[a, b)``."""
        def inside(x: object) -> bool:
            return a <= x.start and x.end <= b  # type: ignore[attr-defined]

        return Reading(self.raw, self.lang, self.basis, self.body, self.today,
                       [m for m in self.mentions if inside(m)], [u for u in self.unknown if inside(u)],
                       [t for t in self.times if inside(t)], [p for p in self.percents if inside(p)],
                       [q for q in self.quantities if inside(q)], self.review, self.model,
                       mask(self.masked, [(0, a), (b, len(self.masked))]),
                       resources=[x for x in self.resources if a <= x[0] and x[1] <= b])


def read(text: str, catalog: Catalog) -> Reading:
    """Read ``text`` against ``catalog`` (no store access: the catalog is in memory)."""
    norm = normalize(text)
    basis, body = split_basis(norm)
    mentions = catalog.link(body)
    m1 = mask(body, [(m.start, m.end) for m in mentions])
    times = extract_times(m1, catalog.today)
    review = extract_review_period(m1)
    spans = [(t.start, t.end) for t in times] + ([review[1]] if review else [])
    if review:
        times = [t for t in times if t.end <= review[1][0] or t.start >= review[1][1]]
    m2 = mask(m1, spans)
    percents = extract_percents(m2)
    m3 = mask(m2, [(p.start, p.end) for p in percents])
    quantities = extract_quantities(m3)
    unknown = catalog.unknown_refs(body, mentions, also_covered=[(t.start, t.end) for t in times])
    resources = resource_refs(body, mentions)
    if resources:  # the plant's city and the line's words are the resource, not places or unknown names
        def outside(x: object) -> bool:
            return all(x.end <= a or x.start >= b for a, b, _ in resources)  # type: ignore[attr-defined]

        mentions = [m for m in mentions if outside(m)]
        unknown = [u for u in unknown if outside(u)]
        m1 = mask(m1, [(a, b) for a, b, _ in resources])
    return Reading(text, detect_language(norm), basis, body, catalog.today, mentions, unknown, times,
                   percents, quantities, review, extract_model(m1), m1, resources=resources)


_RES_KIND = (("SMT", r"smt|贴片"), ("FA", r"总装|final[- ]assembly|\bfa\b"),
             ("MAT", r"模组(?:组装)?(?:和|与|及|&)?测试|模组|module assembly(?: (?:&|and) test)?|test cell|\bmat\b"))
_RES_NUM = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4, "one": 1, "two": 2, "three": 3}
_RES_CODE = re.compile(r"(?<![a-z0-9-])([a-z]{2})-(smt|fa|mat)(\d)(?![a-z0-9])", re.I)


def resource_refs(body: str, mentions: list[Mention]) -> list[tuple[int, int, str]]:
    """Production resources: a code ("SZ-SMT2"), or a plant (its city) with a line kind and number ("深圳SMT二线",
    "成都总装一线", "Shenzhen SMT line 2"); the code is the plant's code end, the kind and the number."""
    low = body.lower()
    out = [(m.start(), m.end(), f"{m[1].upper()}-{m[2].upper()}{m[3]}") for m in _RES_CODE.finditer(low)]
    for men in mentions:
        plants = [e for e in men.entities if e.kind == "location" and e.subkind == "plant"]
        if len(plants) != 1 or "-" not in plants[0].code:
            continue
        rest = low[men.end:men.end + 40]
        for kind, pat in _RES_KIND:
            m = re.match(rf"\s*(?:的|'s)?\s*(?:plant'?s?\s*|工厂|厂)?(?:{pat})\s*(?:line|线|产线)?\s*"
                         rf"(?:(?:no\.?|#)?\s*(\d|one|two|three)\b|([一二两三四1-4])\s*(?:号)?\s*(?:线|产线)|"
                         rf"(\d)\s*(?:号)?线?)", rest, re.A)
            if m:
                n = _RES_NUM[m[1] or m[2] or m[3]]
                out.append((men.start, men.end + m.end(), f"{plants[0].code.split('-', 1)[1]}-{kind}{n}"))
                break
    return out


def entity_list(ents: list[Entity] | tuple[Entity, ...]) -> list[str]:
    return sorted({e.code for e in ents})
