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
               r"figures|records|history|stats|statistics))\s*,\s*(?P<body>.+)$", re.I),
    re.compile(r"^(?:use|using|take|taking|with) (?P<basis>[^;.]{3,80}?\b(?:data|history|records|figures))\s*(?:,\s*)?"
               r"(?:to|and) (?P<body>.+)$", re.I),
]
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
                       mask(self.masked, [(0, a), (b, len(self.masked))]))


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
    return Reading(text, detect_language(norm), basis, body, catalog.today, mentions, unknown, times,
                   percents, quantities, review, extract_model(m1), m1)


def entity_list(ents: list[Entity] | tuple[Entity, ...]) -> list[str]:
    return sorted({e.code for e in ents})
