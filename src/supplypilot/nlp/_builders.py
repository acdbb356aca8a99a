"""From a :class:`Reading` to one tool's arguments, or a reason to ask.

One builder per tool. A builder fills only what the instruction says: defaults stay the
tool's own (so "forecast laptops" does not silently pick a horizon), and anything single-valued
that the text leaves open between several catalog entries raises :class:`NeedClarification`
instead of taking the first.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from supplypilot.nlp._reading import Reading, entity_list
from supplypilot.nlp.catalog import Catalog, Entity, Mention
from supplypilot.nlp.intents import flow_targets

__all__ = ["BUILDERS", "NeedClarification"]

Builder = Callable[[Reading, Catalog, bool], dict[str, Any]]


@dataclass
class NeedClarification(Exception):
    """The instruction cannot become a call without asking: what, about which slot, and the
    candidates the user can pick from (``span``: the words to replace with the answer)."""

    kind: str
    slot: str | None = None
    candidates: tuple[Entity, ...] = ()
    span: tuple[int, int] | None = None
    text: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


# --------------------------------------------------------------------------- entities


def _specific_items(r: Reading) -> list[Mention]:
    return [m for m in r.mentions if m.how not in ("family", "kind", "city") and m.of_kind("item")]


def item_list(r: Reading, *, kinds: tuple[str, ...] = ("spare", "finished")) -> tuple[list[str], str | None]:
    """Items named (codes, names) or, failing that, a family / item kind; returns the codes
    and ``"family"`` when they came from a family word."""
    specific = _specific_items(r)
    if specific:
        codes: list[Entity] = []
        for m in specific:
            ents = list(m.of_kind("item"))
            variant = _variant_after(r, m, ents) if len(ents) > 1 else None  # "Nova 1 512"
            codes += [e for e in ents if e.code == variant] if variant else ents
        # a family listed with a product ("Pad 1 和三款笔记本", "Pad 1 and all three laptops"): its members too
        for f in r.mentions:
            if f.how == "family" and any(_listed_together(r.low, m, f) for m in specific):
                codes += list(f.entities)
        return entity_list(codes), None
    fams = [m for m in r.mentions if m.how == "family"]
    if fams:
        return entity_list([e for m in fams for e in m.entities]), "family"
    groups = [m for m in r.mentions if m.how == "kind" and m.item_kind in kinds]
    if groups:
        return entity_list([e for m in groups for e in m.entities]), None
    return [], None


_LIST_FILL = r"(?:\s|的|[一二三四五六七八九十两\d]+\s*(?:款|个|种|台|套)?|配置|型号|版本|\ball\b|\bboth\b|\bthe\b|" \
             r"\b(?:two|three|four|five)\b|\b(?:configurations?|configs?|models?|variants?|versions?)\b)*"
_LIST_JOIN = re.compile(rf"^{_LIST_FILL}(?:和|与|跟|及|以及|加上|再加上|还有|外加|连同|、|,|，|\band\b|\bplus\b|"
                        rf"\bas well as\b|&|\+){_LIST_FILL}$")


def _listed_together(low: str, a: Mention, b: Mention) -> bool:
    """Two mentions joined as a list: only a joining word and counts ("三款", "all three") between them."""
    gap = low[a.end:b.start] if a.end <= b.start else low[b.end:a.start]
    return len(gap) <= 24 and _LIST_JOIN.match(gap) is not None


def one_item(r: Reading, partial: bool) -> str | None:
    """The one item the instruction is about; asks when a name fits several."""
    specific = _specific_items(r)
    pool = specific or [m for m in r.mentions if m.how == "family"]
    ents: list[Entity] = sorted({e for m in pool for e in m.of_kind("item")}, key=lambda e: e.code)
    if len(ents) == 1:
        return ents[0].code
    if len(ents) > 1:
        m = pool[0]
        variant = _variant_after(r, m, ents)
        if variant is not None:
            return variant
        raise NeedClarification("ambiguous_entity", "item", tuple(ents), (m.start, m.end), m.text)
    if partial:
        return None
    raise NeedClarification("missing_slot", "item")


def _variant_after(r: Reading, m: Mention, ents: list[Entity]) -> str | None:
    """"Lumen 1 512", "Nova 1 256": a bare capacity just after a model name picks the variant
    whose name has that capacity (in GB or TB)."""
    q = next((x for x in r.quantities if x.unit == "plain" and 0 <= x.start - m.end <= 2
              and not r.low[m.end:x.start].strip()), None)
    if q is None or q.value != int(q.value):
        return None
    n = int(q.value)
    pat = rf"(?<![\d.])(?:{n}\s*gb?|{n // 1024 if n % 1024 == 0 else 'x'}\s*tb?)\b"
    fits = [e for e in ents if re.search(pat, e.name.lower(), re.A)]
    return fits[0].code if len(fits) == 1 else None


def one_location(r: Reading, kinds: tuple[str, ...], slot: str, partial: bool = True) -> str | None:
    """The one location of ``kinds`` named; a city names it when only one such place is there."""
    for m in r.mentions:
        if m.how in ("family", "kind"):
            continue
        ents = m.of_kind(*kinds)
        if not ents:
            continue
        if len(ents) == 1:
            return ents[0].code
        raise NeedClarification("ambiguous_entity", slot, ents, (m.start, m.end), m.text)
    if partial:
        return None
    raise NeedClarification("missing_slot", slot)


def _horizon(r: Reading) -> int | None:
    """Days to the end of the window asked for: a length ("next 6 weeks") before a named period
    before a single day, since a day is often only an occasion ("Monday's S&OP meeting")."""
    ahead = [t for t in r.times if not r.time_is_past(t)]
    for kind in ("duration", "period", "day"):
        for t in ahead:
            if t.kind == kind:
                return t.horizon(r.today)
    return None


def _first_day(r: Reading) -> tuple[str, int | None] | None:
    """The first future date named, and the length of the window when it is a period."""
    for t in r.times:
        start, end = t.window(r.today, "future")
        if t.kind == "day":
            return start.isoformat(), None
        if t.kind == "period" and not r.time_is_past(t):
            return start.isoformat(), (end - start).days + 1
    return None


def _percent_near(r: Reading, words: str, window: int = 14) -> float | None:
    for m in re.finditer(words, r.low, re.A):
        best = None
        for p in r.percents:
            gap = p.start - m.end() if p.start >= m.end() else m.start() - p.end
            if gap <= window and (best is None or gap < best[0]):
                best = (gap, p.value)
        if best:
            return best[1]
    return None


def _quantity(r: Reading, unit: str) -> float | None:
    q = [x for x in r.quantities if x.unit == unit]
    return q[0].value if q else None


# --------------------------------------------------------------------------- forecasting

_BY_FAMILY = r"按产品族|按品类|按产品类别|各产品族|per[- ]family|by (?:product )?family|each family|product families"
_BY_TOTAL = r"总销量|总需求|总产量|总库存|总体|整体|合计|总的|汇总|加总|全网|\btotal\b|\boverall\b|\baggregate\b|\bcombined\b|" \
            r"\bsummed\b|\bsum(?:med)? (?:up|across|over)\b|\bnetwork[- ]wide\b|\bacross (?:everything|the (?:whole )?network)\b"
_BY_LOCATION = r"各门店|每个门店|按门店|各地点|按地点|分门店|门店级|逐个门店|逐店|每家(?:门)?店|各家(?:门)?店|一家店一家店|" \
               r"by[- ]store|per[- ]store|by[- ]location|per[- ]location|each store|every store|" \
               r"store[- ]level|location[- ]level|store[- ]by[- ]store|location[- ]by[- ]location|site[- ]by[- ]site"
_BY_ITEM = r"按产品(?!族)|每个产品|各产品(?!族)|按型号|每个型号|分产品|按单品|单品级|产品级|逐个产品|按sku|" \
           r"(?:各个?|每一?个|每款|各款|逐个|分)(?:产品|单品|型号|sku|物料)(?!族)|" \
           r"per[- ]item|by item|each item|item[- ]level|per product(?! famil)|by product(?! famil)|" \
           r"product[- ]level|each product|per[- ]skus?\b|by[- ]sku|sku[- ]level|each sku|every (?:item|product|sku)|item by item"


_INTERVAL = r"区间|置信|上下限|上下界|波动范围|范围|预测带|interval|confidence|quantile|\bbands?\b|\branges?\b|" \
            r"\bbounds?\b|\bfan\b"


def _bare_levels(r: Reading) -> list[int]:
    """Levels as bare numbers next to an interval word ("区间要80和95两档", "90和99的区间"): numbers
    from 50 to 99 listed together, within a few characters of the word."""
    out: list[int] = []
    for m in re.finditer(_INTERVAL, r.low, re.A):
        near = [q for q in r.quantities if q.unit == "plain" and 50 <= q.value < 100 and q.value == int(q.value)
                and (0 <= q.start - m.end() <= 6 or 0 <= m.start() - q.end <= 6)]
        if near:
            chain = [near[0]]
            for q in sorted(r.quantities, key=lambda x: x.start):
                if q.start > chain[-1].end and q.unit == "plain" and 50 <= q.value < 100 and re.fullmatch(
                        r"\s*(?:and|or|,|/|、|和|与|及|跟|&)\s*", r.low[chain[-1].end:q.start]):
                    chain.append(q)
            out = sorted({int(q.value) for q in chain})
            break
    return out


def _levels(r: Reading) -> list[int]:
    """The levels asked for: every percentage, and bare numbers listed just before one ("80 and
    95% bands", "80、90和95%"); with no percentage, bare numbers next to an interval word."""
    if not r.percents:
        return _bare_levels(r)
    out = {int(p.value) for p in r.percents}
    for p in r.percents:
        end = p.start
        for q in sorted((q for q in r.quantities if q.unit == "plain" and q.end <= end), key=lambda q: -q.end):
            if not (1 <= q.value < 100 and re.fullmatch(r"\s*(?:and|or|,|/|、|和|与|及|跟|&)\s*", r.low[q.end:end])):
                break
            out.add(int(q.value))
            end = q.start
    return sorted(out)


def forecast_demand(r: Reading, cat: Catalog, partial: bool) -> dict[str, Any]:
    args: dict[str, Any] = {}
    items, how = item_list(r)
    if items:
        args["items"] = items
    by = "family" if r.has(_BY_FAMILY) else "total" if r.has(_BY_TOTAL) else \
        "item_location" if r.has(_BY_LOCATION) else "item" if r.has(_BY_ITEM) else how
    if by:
        args["by"] = by
    loc = one_location(r, ("dc", "store", "customer", "plant"), "location")
    if loc:
        args["location"] = loc
    h = _horizon(r)
    if h:
        args["horizon"] = h
    if r.has(_INTERVAL) and _levels(r):
        args["level"] = _levels(r)
    if r.model:
        args["model"] = r.model
    return args


def forecast_flows(r: Reading, cat: Catalog, partial: bool) -> dict[str, Any]:
    args: dict[str, Any] = {}
    items, _ = item_list(r)
    if items:
        args["items"] = items
    if r.has(_BY_ITEM):
        args["by"] = "item"
    elif r.has(_BY_TOTAL):
        args["by"] = "total"
    h = _horizon(r)
    if h:
        args["horizon"] = h
    targets = flow_targets(r.masked)
    if targets:
        args["targets"] = targets
    return args


# --------------------------------------------------------------------------- inventory, data


def inventory_position(r: Reading, cat: Catalog, partial: bool) -> dict[str, Any]:
    args: dict[str, Any] = {}
    item = one_item(r, partial)
    if item:
        args["item"] = item
    loc = one_location(r, ("dc", "store", "plant"), "location")
    if loc:
        args["location"] = loc
    return args


def inventory_policy(r: Reading, cat: Catalog, partial: bool) -> dict[str, Any]:
    args = inventory_position(r, cat, partial)
    fill = _percent_near(r, r"满足率|fill[- ]rate")
    if fill is not None:
        args["fill_rate"] = round(fill / 100, 4)
    service = _percent_near(r, r"服务水平|服务率|service")
    if service is not None and service != fill:
        args["service_level"] = round(service / 100, 4)
    if r.review:
        args["review_period_days"] = r.review[0]
    return args


def demand_history(r: Reading, cat: Catalog, partial: bool) -> dict[str, Any]:
    args: dict[str, Any] = {}
    item = one_item(r, partial)
    if item:
        args["item"] = item
    loc = one_location(r, ("dc", "store", "customer", "plant"), "location")
    if loc:
        args["location"] = loc
    joined = len(r.times) > 1 and re.fullmatch(r"\s*(?:到|至|~|-|—|and|to|until|till|through|thru)\s*",
                                               r.low[r.times[0].end:r.times[1].start])
    period = next((t for t in r.times[1:] if t.kind == "period"), None)
    if r.times and r.times[0].kind == "day" and period is not None and not joined:
        # "双十一备货前想看下：…从10月16号到月底的日销量": the day first named is only the occasion
        start, end = period.window(r.today, "past")
        args["start"], args["end"] = start.isoformat(), end.isoformat()
    elif r.times:
        start, end = r.times[0].window(r.today, "past")
        for t in r.times[1:]:  # "国庆那几天（10月1号到7号）": a window holding the day named first is meant
            a, b = t.window(r.today, "past")
            if r.times[0].kind == "day" and a <= start and end <= b and (a, b) != (start, end):
                start, end = a, b
                break
        if joined:
            end = r.times[1].window(r.today, "past")[1]  # "between August 1 and September 15", "从9月1日到10月15日"
        args["start"], args["end"] = start.isoformat(), end.isoformat()
    if r.has(r"每天|每日|按天|按日|逐日|日销量|日需求|\bdaily\b|per day|by day|day[- ]by[- ]day|\beach day\b"):
        args["freq"] = "D"
    elif r.has(r"按周|每周|周销量|周需求|周度|\bweekly\b|per week|by week|week by week"):
        args["freq"] = "W"
    elif r.has(r"按月|每个月|每月|月销量|月需求|月度|\bmonthly\b|per month|by month|month by month"):
        args["freq"] = "M"
    return args


_QUOTED = re.compile(r"[\"'“”‘’「」『』]([^\"'“”‘’「」『』]+)[\"'“”‘’「」『』]")


def find_items(r: Reading, cat: Catalog, partial: bool) -> dict[str, Any]:
    args: dict[str, Any] = {}
    m = _QUOTED.search(r.body) or re.search(r"(?:带|包含|含有|含)([A-Za-z0-9.+-]+|[\u4e00-\u9fff]{1,6}?)的", r.body) \
        or re.search(r"(?:containing|contains?|named|called|includes?|including|matching|with the (?:word|text)) "
                     r"([A-Za-z0-9.+-]+)", r.body, re.A)
    if m:
        args["text"] = m.group(1).strip()
        return args
    fams = [x for x in r.mentions if x.how == "family"]
    if fams:
        args["family"] = fams[0].family
    kinds = [x for x in r.mentions if x.how == "kind"]
    if kinds:
        args["kind"] = kinds[0].item_kind
    return args


def list_suppliers(r: Reading, cat: Catalog, partial: bool) -> dict[str, Any]:
    specific = _specific_items(r)
    if specific:
        return {"item": one_item(r, True)}
    return {}


def lineage(r: Reading, cat: Catalog, partial: bool) -> dict[str, Any]:
    m = re.search(r"\b([a-z_]+:\d+)\b", r.body, re.A)
    if m:
        return {"ref": m.group(1)}
    if r.resources:  # "深圳SMT二线这条资源主数据", "the Chengdu SMT line 1 record"
        return {"ref": r.resources[0][2]}
    for x in r.mentions:
        if len(x.entities) == 1 and x.how not in ("family", "kind"):
            return {"ref": x.entities[0].code}
    if partial:
        return {}
    raise NeedClarification("missing_slot", "ref")


def no_args(r: Reading, cat: Catalog, partial: bool) -> dict[str, Any]:
    return {}


# --------------------------------------------------------------------------- planning


def plan_purchasing(r: Reading, cat: Catalog, partial: bool) -> dict[str, Any]:
    args: dict[str, Any] = {}
    items, _ = item_list(r, kinds=("spare",))
    if items:
        args["items"] = items
    h = _horizon(r)
    if h:
        args["horizon_days"] = h
    for pat, rule in ((r"lot[- ](?:for|by)[- ]lot|逐批|批对批|按需订货|\bl4l\b", "lot_for_lot"),
                      (r"\beoq\b|经济订货批量|economic order quantit", "eoq"),
                      (r"\bpoq\b|(?:周期|期间|定期|固定周期)订货(?:量|法|批量)?|period(?:ic)? order quantit|period[- ]order[- ]quantit", "poq"),
                      (r"wagner|whitin|动态批量", "wagner_whitin"),
                      (r"固定批量|fixed lot|fixed order quantity|\bfixed\b", "fixed")):
        if r.has(pat):
            args["lot_sizing"] = rule
            break
    budget = _quantity(r, "cny")
    if budget is None:
        # "预算五十万", "budget of 500k", "花费控制在80万以内", "cap spend at 650k" (after) or "a 2 million
        # budget" (just before)
        for m in re.finditer(r"预算|花费|花销|开销|支出|费用|总金额|总额|金额|采购额|资金|卡在|控制在|以内|之内|budget|\bspend(?:ing)?\b|\bcost(?:s)?\b"
                             r"|\bcap(?:ped)?\b|\bceiling\b|\bat most\b|\bmax(?:imum)?\b|上限|封顶|最多|(?<![价本])钱|\boutlay\b|\bgo(?:es|ing)? over\b|\bexceed(?:s|ing)?\b|\bmore than\b|"
                             r"\bunder\b|\bwithin\b|\bstay below\b|不超过|别超过|不要超过|不能超过|不得超过", r.low, re.A):
            near = [q for q in r.quantities if q.unit == "plain" and q.value >= 1000 and
                    (0 <= q.start - m.end() <= 14 or 0 <= m.start() - q.end <= 3)]
            if near:
                budget = near[0].value
                break
    if budget is not None:
        args["budget"] = float(budget)
    return args


def plan_production(r: Reading, cat: Catalog, partial: bool) -> dict[str, Any]:
    args: dict[str, Any] = {}
    plant = one_location(r, ("plant",), "plant")
    if plant:
        args["plant"] = plant
    h = _horizon(r)
    if h:
        args["horizon_days"] = h
    if r.has(r"makespan|最短完工|完工时间|工期(?:越|尽量|尽可能|要)?短|尽快完[成工]|最早完工|总工期|最短工期|finish (?:as )?(?:early|soon)|"
             r"\b(?:finish|complete|done)\w*\b.{0,25}\b(?:as early|as soon|asap|as quickly|as fast|earliest|soonest)|"
             r"(?:最早|尽早|尽快|早点|越早|最快|尽量早)[^，,。;]{0,10}(?:干完|做完|完工|完成|搞完|弄完|干好|做好)|"
             r"(?:完工|干完|做完|完成)[^，,。;]{0,6}(?:越早越好|越快越好|要早|尽早|尽快)|"
             r"\b(?:shortest|minimum|minimal|least|lowest|smallest|earliest)\b.{0,20}\bcompletion\b|"
             r"\bcompletion (?:time|date)s?\b.{0,20}\b(?:short|low|min|early|soon)"):
        args["objective"] = "makespan"
    elif r.has(r"tardiness|延误|延期|拖期|准时|延迟|迟交|晚交|逾期|交期|交货期|交付期|按时交|准点|late orders|lateness|"
               r"\bon[- ]time|due dates?|delivery dates?|\blate\b|deadlines?"):
        args["objective"] = "weighted_tardiness"
    return args


def plan_routes(r: Reading, cat: Catalog, partial: bool) -> dict[str, Any]:
    args: dict[str, Any] = {}
    depot = one_location(r, ("dc",), "depot")
    if depot:
        args["depot"] = depot
    day = _first_day(r)
    if day:
        args["date"] = day[0]
    vehicles = _quantity(r, "vehicles")
    if vehicles:
        args["vehicles"] = int(vehicles)
    cap = _quantity(r, "kg")
    if cap:
        args["vehicle_capacity"] = float(cap)
    return args


def plan_cycle(r: Reading, cat: Catalog, partial: bool) -> dict[str, Any]:
    h = _horizon(r)
    return {"horizon_days": h} if h else {}


def dispatch_instructions(r: Reading, cat: Catalog, partial: bool) -> dict[str, Any]:
    args: dict[str, Any] = {}
    node = one_location(r, ("plant", "dc"), "node")
    if node:
        args["node"] = node
    else:
        roles = [role for role, pat in (("carrier", r"承运商|司机|车队|carriers?|drivers?|truck crews?|\bcrews?\b"),
                                        ("warehouse", r"仓库|各仓|warehouses?"),
                                        ("plant", r"工厂|\bplants?\b")) if r.has(pat)]
        if "carrier" in roles and "plant" not in roles:  # "各个仓库的司机", "truck crews at every depot"
            roles = ["carrier"]
        if len(roles) == 1:
            args["role"] = roles[0]
    day = _first_day(r)
    if day:
        args["date"] = day[0]
        if day[1]:
            args["days"] = day[1]
        else:  # "下周一起连续三天", "over the 3 days starting Monday": a day and a length
            durs = [t for t in r.times if t.kind == "duration" and t.days and not r.time_is_past(t)]
            if durs:
                args["days"] = durs[0].days
    return args


def daily_report(r: Reading, cat: Catalog, partial: bool) -> dict[str, Any]:
    args: dict[str, Any] = {}
    if r.has(r"周报|weekly|本周|这周|this week"):
        args["period"] = "weekly"
    elif r.has(r"日报|daily|today|今天|今日|每日"):
        args["period"] = "daily"
    if r.has(r"英文|英语|english"):
        args["language"] = "en"
    elif r.has(r"中文|汉语|chinese"):
        args["language"] = "zh"
    if r.has(r"html|网页"):
        args["format"] = "html"
    elif r.has(r"markdown|\bmd\b"):
        args["format"] = "markdown"
    return args


# --------------------------------------------------------------------------- what-if

_SPLIT = re.compile(r"，\s*同时|同时|并且|而且|以及|，|(?<!\d),|,(?!\d)|；|;|\band\b|\bwhile\b|\bplus\b| - ", re.A)
_UP = r"增加|增长|上涨|提高|上升|翻倍|翻番|延长|推迟|拉长|多出|涨|上调|调高|变贵|延迟|晚到|\brises?\b|\bup\b|increas|" \
      r"\bgrows?\b|jumps?|doubl|\bmore\b|higher|surges?|spikes?|longer|extend|slips?|slower|later\b|\blate\b|delay|" \
      r"\bextra\b|\badditional\b|pricier|expensive"
_DOWN = r"下降|减少|降低|下滑|减半|降到|降至|缩短|提前|跌|降|下调|调低|便宜|早到|(?<![多至不])少|只剩|腰斩|掉|(?:sales|demand|orders|volumes?)\b(?:(?!rise|up\b|increas|grow|jump)[^,.;]){0,40}?\bslip|\bdrops?\b|\bfalls?\b|decreas|declin|" \
        r"lower|\bdown\b|\bcut\b|halv|los(?:e|es|ing)|\bless\b|shorte[nr]|reduc|faster|earlier|sooner|shrink|fewer|" \
        r"cheaper|\bslashe?d?\b|\bdips?\b|\bplunges?\b|\bsinks?\b|砍|削减|缩减|压缩|减掉|减去|打折|缩水|萎缩|" \
        r"\bcuts?\b|\btrim(?:s|med)?\b|\bslump\w*|\bshrinks?\b|\bdrop(?:ped|ping)?\b|\bfewer\b"


def direction(r: Reading) -> int | None:
    """-1 when the text's first change word is a fall ("砍掉三成", "a 10% drop"), +1 a rise,
    ``None`` when it names none."""
    down = re.search(_DOWN, r.low, re.A)
    up = re.search(_UP, r.low, re.A)
    if down and (not up or down.start() < up.start()):
        return -1
    return 1 if up else None


def _signed(r: Reading, value: float) -> float:
    return -abs(value) if direction(r) == -1 else abs(value)


_SHARE_BEFORE_ZH = re.compile(r"(?:只剩下?|仅剩下?|剩下|只有|只能(?:供|交|给|出)?到?|降到|降至|跌到|掉到|减到|缩到|压到|变成|变为)"
                              r"(?:原来的|以前的|平时的|正常的|现在的)?\s*$")
_SHARE_BEFORE_EN = re.compile(r"\b(?:down|drops?|dropped|falls?|fell|cut|reduced|shrinks?|shrunk|only|just|back) to\s*$|"
                              r"\b(?:runs?|running|operates?|operating|works?|working) at (?:only |just )?$")
_SHARE_AFTER_EN = re.compile(r"^\s*of (?:its|their|the|our) ?(?:usual|normal|current|planned|full|regular)? ?"
                             r"(?:capacity|output|volume|level|supply|deliveries|production)")
_SHARE_VERB_EN = re.compile(r"\b(?:at|to|is|are|only|just|provides?|delivers?|produces?|supplies|ships?|makes?)\s*$")
_FACTOR_ZH = re.compile(r"(?:(?:到|成|为)(?:原来的|以前的|平时的|现在的)?|(?:原来的|以前的|平时的|现在的))\s*"
                        r"(\d+(?:\.\d+)?|[两二三四五六七八九十])\s*倍")
_FACTOR_EN = re.compile(r"\b(tripl(?:es?|ed|ing)|quadrupl(?:es?|ed|ing))\b|"
                        r"(?<![\w.])(\d+(?:\.\d+)?)\s*(?:x|times)(?= (?:the |its |their )?(?:usual|normal|current|demand|"
                        r"orders?|sales|volume)|\b(?! (?:a|per|each)\b))")


def _change_pct(r: Reading) -> float | None:
    """The change a clause states as a percentage: a multiple of the present level ("涨到原来的
    1.5倍" = +50, "triples" = +200), a share of it left ("只剩六成" = -40, "down to 70% of its
    capacity" = -30, "only deliver half" = -50), else the first percentage with the text's
    direction (``None`` when there is none)."""
    m = _FACTOR_ZH.search(r.low)
    if m:
        f = m[1]
        v = float(f) if f[0].isdigit() else {"两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
                                               "九": 9, "十": 10}[f]
        return round((v - 1) * 100, 6)
    m = _FACTOR_EN.search(r.low)
    if m:
        v = (3.0 if m[1].startswith("tripl") else 4.0) if m[1] else float(m[2])
        return round((v - 1) * 100, 6)
    if not r.percents:
        return None
    p = r.percents[0]
    before, after = r.low[max(0, p.start - 30):p.start], r.low[p.end:p.end + 40]
    if _SHARE_BEFORE_ZH.search(before) or _SHARE_BEFORE_EN.search(before) or (_SHARE_AFTER_EN.match(after) and _SHARE_VERB_EN.search(before)) or \
            (p.text.lower().startswith("half") and re.search(r"\b(?:only|just)\b[^,.;]{0,25}$", before)):
        return -(100.0 - p.value)
    return _signed(r, p.value)


def _lane(r: Reading) -> tuple[str, str] | None:
    locs = [m for m in r.mentions if m.of_kind("plant", "dc", "store", "customer", "supplier")
            and m.how not in ("family", "kind")]
    for a, b in zip(locs, locs[1:], strict=False):
        between = r.low[a.end:b.start]
        if re.search(r"到|向|至|往|→|->|\bto\b|^\W*发(?:往|给)?\W*$|^\W*(?:不再|不|停止|无法|不能|没法)?\W*(?:给|为|供应|供货|发货给?)\W*$|"
                     r"\b(?:supply|supplying|supplies|serve|serves|serving|feed|feeds|feeding)\b", between, re.A):
            return _pick(a, ("plant", "dc", "supplier")), _pick(b, ("plant", "dc", "store", "customer"))
        if re.search(r"\bfrom\b", between, re.A):  # "supplying DC East from the Shenzhen plant"
            return _pick(b, ("plant", "dc", "supplier")), _pick(a, ("plant", "dc", "store", "customer"))
    return None


def _pick(m: Mention, kinds: tuple[str, ...]) -> str:
    ents = m.of_kind(*kinds) or m.entities
    if len(ents) != 1:
        raise NeedClarification("ambiguous_entity", "node", tuple(ents), (m.start, m.end), m.text)
    return ents[0].code


def _one_of(r: Reading, whole: Reading, kinds: tuple[str, ...], slot: str) -> str | None:
    for source in (r, whole):
        found = [m for m in source.mentions if m.of_kind(*kinds) and m.how not in ("family", "kind")]
        if len(found) == 1 or (found and source is r):
            return _pick(found[0], kinds)
    return None


_LANE_COST = r"运费|运输成本|运价|物流成本|运输费|物流费|运输单价|变贵|便宜|shipping costs?|freight|transport costs?|lane costs?|" \
             r"\bcosts?\b|expensive|cheaper|pricier|\brates?\b|\btariffs?\b|\bper (?:unit|piece|item|pc)\b|单件|每件"
_CAPACITY_WORDS = r"产能|供货能力|供应能力|出货能力|生产能力|供货量|出货量|\bcapacity\b|\boutput\b"


def _edit(r: Reading, whole: Reading) -> list[dict[str, Any]]:
    """The scenario edits one clause asks for (several for a family: one per product)."""
    delayed = r.has(r"\bdelay(?:s|ed)?\b|延误|耽误|延迟|"
                    # "Huaqiang needs 4 more days", "关西影像要多花5天": extra days a supplier takes
                    r"\b(?:\d+|a few|an?|one|two|three|four|five|six|seven|eight|nine|ten) (?:more|extra|additional) "
                    r"(?:days?|weeks?)\b|(?:要|需要)?(?:多|再多)(?:要|花|用|等)?[\d一二两三四五六七八九十]+(?:天|周|个?星期)") \
        and bool(r.entity_mentions("supplier"))
    if delayed or r.has(r"交货期|交期|提前期|交付周期|交付时间|到货(?:时间|周期)|晚到|早到|晚交|(?:提前|推迟|延迟|延期|晚|慢)[^，,。]{0,6}交货|"
             r"lead[ -]?times?|delivery times?|\b(?:deliver|ship|arrive)\w*\b.{0,25}\b(?:faster|sooner|earlier|later|"
             r"slower|late|early)\b|\btakes?\b.{0,30}\bto (?:deliver|ship|arrive)\b|"
             r"\b(?:days?|weeks?) (?:late|early|later|earlier|sooner|faster|slower)\b"):
        sup = _one_of(r, whole, ("supplier",), "supplier")
        if sup is None:
            raise NeedClarification("missing_slot", "supplier")
        durs = [t for t in r.times if t.kind == "duration"]
        if not durs:
            raise NeedClarification("missing_slot", "days")
        days = durs[0].days or 30 * durs[0].months
        return [{"kind": "supplier_lead_time", "supplier": sup, "days": _signed(r, days)}]
    lane = _lane(r)
    if lane is None and r.has(_LANE_COST) and (r.percents or _quantity(r, "cny") is not None):
        lane = _lane(whole)  # "华东仓到宁波体验店这一段，每件运费如果谈到0.3元": the lane is in an earlier clause
    if lane:
        src, dst = lane
        if r.has(_LANE_COST):
            if r.percents:
                return [{"kind": "lane_cost", "src": src, "dst": dst, "pct": _signed(r, r.percents[0].value)}]
            cny = _quantity(r, "cny")
            if cny is None and r.has(r"\bper (?:unit|piece|item|pc)\b|单件|每件"):  # "goes up to 4.5 per unit"
                cny = _quantity(r, "plain")
            if cny is not None:
                return [{"kind": "lane_cost", "src": src, "dst": dst, "cost": cny}]
            raise NeedClarification("missing_slot", "pct")
        # a number of units on a lane is its capacity ("only 2,000 units can go from A to B")
        if (_quantity(r, "units") or _quantity(r, "plain")) is not None or r.has(r"运力|运量|运输能力|capacity"):
            units = _quantity(r, "units") or _quantity(r, "plain")
            if units is None:
                raise NeedClarification("missing_slot", "capacity")
            return [{"kind": "lane_capacity", "src": src, "dst": dst, "capacity": units}]
        if r.has(r"停止|不再|禁止|停运|取消|暂停|关闭|无法|不能|不让|不许|\bstop|no longer|\bban\b|block|prohibit|cut off|"
                 r"suspend|close|can'?t|cannot|can not|anymore|not allowed|unable|停了|断了|断掉|中断|停掉|走不了|不通|"
                 r"\bshut\b|nothing (?:is )?allowed|no \w+ allowed|nothing (?:can )?(?:go|move|ship)|out of service"):
            return [{"kind": "lane_prohibited", "src": src, "dst": dst}]
    no_number = not r.percents and not r.quantities and not r.times
    if r.has(r"关闭|关掉|关停|关了|关门|停了|停掉|歇业|停产|停工|停业|倒闭|停运|断供|停供|停止供货|无法供货|不能供货|停摆|封存|停用|"
             r"\bmothball\w*|\bdecommission\w*|\bshutter\w*|\bwind(?:s|ing)? down\b|shut|\bclos(?:e|ed|es|ing)\b|"
             r"goes down|offline|out of (?:action|service|business)|\bbankrupt|\bfails?\b|\bstops? (?:supplying|delivering|"
             r"operating|producing|working)\b") or (no_number and r.has(r"\blos(?:e|es|ing|t)\b|\bunavailable\b|失去|没了")):
        node = _one_of(r, r, ("plant", "dc", "supplier"), "node")
        if node:
            return [{"kind": "node_closed", "node": node}]
    sup = _one_of(r, r, ("supplier",), "supplier")
    if sup is None and (r.percents or r.quantities) and r.has(_CAPACITY_WORDS):
        # "宁德电芯那边要是停电检修，供货能力少四成": the supplier named in an earlier clause
        sup = _one_of(r, whole, ("supplier",), "supplier")
    if sup and r.has(r"产能|供应|供货|交付|出货能力|出货量|生产能力|上限|最多|只能|限量|封顶|capacity|deliver|supply|produce|\bcap(?:ped|s)?\b|"
                     r"\blimit(?:ed|s)?\b|\bat most\b|\bmax(?:imum)?\b|\bonly\b|output|\bstuck at\b|\bheld at\b|"
                     r"卡在|卡到|只剩|剩下"):
        units = _quantity(r, "units") or _quantity(r, "plain")
        if units is not None:
            return [{"kind": "supplier_capacity", "supplier": sup, "capacity": units}]
        pct = _change_pct(r)
        if pct is not None:
            return [{"kind": "supplier_capacity", "supplier": sup, "pct": pct}]
        raise NeedClarification("missing_slot", "capacity")
    wants = r.has(r"\bwants?\b|\bneeds?\b|\basks? for\b|\brequests?\b|要的|想要|需要的") and bool(
        r.entity_mentions("store") or r.entity_mentions("customer"))  # "JD wants 30% more laptops", "天猫要的笔记本多40%"
    if (wants or r.has(r"需求|销量|订单|订货量|采购量|要货|\bdemand\b|\bsales\b|\border(?:s|ing)?\b|\bbuys?\b|\bpurchases\b|"
                       r"\bsells?\b")) and (r.percents or _FACTOR_ZH.search(r.low) or _FACTOR_EN.search(r.low)):
        pct = _change_pct(r)
        node = one_location(r, ("store", "customer"), "node")
        items, _ = item_list(r)
        return [{"kind": "demand_change", "node": node, "product": p, "pct": pct} for p in (items or [None])]
    return []


def what_if(r: Reading, cat: Catalog, partial: bool) -> dict[str, Any]:
    edits: list[dict[str, Any]] = []
    cuts = [0] + [m.end() for m in _SPLIT.finditer(r.masked)] + [len(r.body)]
    for a, b in zip(cuts, cuts[1:], strict=False):
        if b > a:
            edits += _edit(r.in_span(a, b), r)
    args: dict[str, Any] = {}
    if edits:
        args["edits"] = edits
    elif not partial:
        raise NeedClarification("missing_slot", "edits")
    m = re.search(r"(?:保存为|存为|命名为|叫做|save (?:it )?as|call it|name it)\s*[\"'“”「]?([^\"'“”」]+)", r.body)
    if m:
        args["name"] = m.group(1).strip(" 。.")
    return args


BUILDERS: dict[str, Builder] = {
    "forecast_demand": forecast_demand, "forecast_flows": forecast_flows,
    "inventory_position": inventory_position, "inventory_policy": inventory_policy,
    "demand_history": demand_history, "find_items": find_items, "list_suppliers": list_suppliers,
    "data_status": no_args, "lineage": lineage, "plan_purchasing": plan_purchasing,
    "plan_production": plan_production, "plan_routes": plan_routes, "plan_cycle": plan_cycle,
    "what_if": what_if, "dispatch_instructions": dispatch_instructions, "daily_report": daily_report,
}

