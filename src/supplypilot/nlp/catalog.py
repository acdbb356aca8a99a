"""Entity linking: items, locations and suppliers named in an instruction, by code, English or
Chinese name, alias, city, region or a close spelling.

The catalog is read once from the store (or built from frames in tests) and needs no writes.
Names are matched as token sequences (latin words, numbers and single Chinese characters), so
"Nova1", "Nova 1" and "智能手机 Nova 1" all reach the same item, and the longest match wins
("天猫旗舰店" is Tmall, not a flagship store). A name that fits several entities is returned
with all of them; the parser then filters by what the tool's parameter accepts and asks when
more than one is left — a catalog match is never silently narrowed to a guess.

Locations and suppliers have no Chinese names in the data model, so Chinese names come from
city and region translations ("华东仓" = the DC of East China, "苏州门店" = the store in Suzhou)
and from ``nlp/data/aliases.csv`` (plus ``$SUPPLYPILOT_HOME/aliases.csv`` when present) for
names that cannot be derived, such as "华强电子" for Shenzhen Huaqiang Electronics.
"""

from __future__ import annotations

import csv
import difflib
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from supplypilot import config
from supplypilot.nlp.text import tokens

if TYPE_CHECKING:
    import pandas as pd

    from supplypilot.data.store import Store

__all__ = ["CITY_ZH", "REGION_ZH", "Catalog", "Entity", "Mention", "UnknownRef"]

CITY_ZH = {
    "Beijing": "北京", "Shanghai": "上海", "Guangzhou": "广州", "Shenzhen": "深圳", "Chengdu": "成都",
    "Hangzhou": "杭州", "Wuhan": "武汉", "Chongqing": "重庆", "Nanjing": "南京", "Tianjin": "天津",
    "Suzhou": "苏州", "Xi'an": "西安", "Changsha": "长沙", "Zhengzhou": "郑州", "Dongguan": "东莞",
    "Qingdao": "青岛", "Shenyang": "沈阳", "Hefei": "合肥", "Foshan": "佛山", "Ningbo": "宁波",
    "Xiamen": "厦门", "Fuzhou": "福州", "Jinan": "济南", "Dalian": "大连", "Harbin": "哈尔滨",
    "Changchun": "长春", "Kunming": "昆明", "Nanning": "南宁", "Guiyang": "贵阳", "Nanchang": "南昌",
    "Shijiazhuang": "石家庄", "Taiyuan": "太原", "Hong Kong": "香港", "Hohhot": "呼和浩特",
    "Lanzhou": "兰州", "Urumqi": "乌鲁木齐", "Haikou": "海口", "Yinchuan": "银川", "Xining": "西宁",
    "Wuxi": "无锡", "Hsinchu": "新竹", "Seoul": "首尔", "Ningde": "宁德", "Osaka": "大阪",
    "Penang": "槟城", "Taipei": "台北", "Kunshan": "昆山", "Huizhou": "惠州",
}
"""Chinese names of cities (general knowledge, not data of one company)."""

DISTRICT_ZH = {
    "Longhua": "龙华", "Jiading": "嘉定", "Huangpu": "黄埔", "Daxing": "大兴", "Hi-tech Zone": "高新区",
    "Pudong": "浦东", "Minhang": "闵行", "Songjiang": "松江", "Baoan": "宝安", "Bao'an": "宝安", "Nanshan": "南山",
    "Futian": "福田", "Longgang": "龙岗", "Shunyi": "顺义", "Tongzhou": "通州", "Haidian": "海淀",
    "Chaoyang": "朝阳", "Panyu": "番禺", "Baiyun": "白云", "Tianhe": "天河", "Xiaoshan": "萧山", "Yuhang": "余杭",
    "Shuangliu": "双流", "Pidu": "郫都", "Jiangning": "江宁", "Binhai": "滨海", "Liangjiang": "两江",
}
"""Chinese names of city districts (general knowledge): places are called by their district
("龙华那边", "the Jiading DC")."""

REGION_ZH = {"North China": "华北", "East China": "华东", "South China": "华南",
             "Southwest China": "西南", "Central China": "华中", "Northeast China": "东北",
             "Northwest China": "西北"}

FAMILY_WORDS = {
    "phone": ["手机", "智能手机", "phone", "phones", "smartphone", "smartphones", "mobile phones", "handsets"],
    "laptop": ["笔记本", "笔记本电脑", "laptop", "laptops", "notebook", "notebooks"],
    "tablet": ["平板", "平板电脑", "tablet", "tablets"],
    "accessory": ["配件", "配件类", "accessory", "accessories"],
}
KIND_WORDS = {
    "spare": ["备件", "备品备件", "spare", "spares", "spare part", "spare parts"],
    "component": ["零部件", "零件", "元器件", "原材料", "component", "components", "parts"],
    "finished": ["成品", "产成品", "finished goods", "finished good", "finished products"],
    "subassembly": ["半成品", "子装配件", "子组件", "组装件", "subassembly", "sub assemblies", "subassemblies", "sub-assembly", "sub-assemblies"],
}
_KIND_OF_LOCATION = {
    "dc": (["仓", "仓库", "配送中心", "物流中心", "dc"], ["dc", "warehouse", "distribution center",
                                                  "distribution centre", "depot"]),
    "plant": (["工厂", "厂", "生产基地", "基地"], ["plant", "factory", "fab"]),
    "store": (["店", "门店", "旗舰店", "体验店", "专卖店"], ["store", "shop", "flagship store",
                                                   "experience store"]),
}
_CORP = {"co", "ltd", "k", "kk", "sdn", "bhd", "corp", "inc", "group", "technology", "co.,",
         "company", "the"}
_ADMIN = {"municipal", "provincial", "city", "district", "county", "regional", "state"}
"""Words of a public body's name people leave out ("Chongqing Education Commission")."""
_LEGAL = {"co", "ltd", "k", "kk", "sdn", "bhd", "corp", "inc", "company", "llc", "gmbh", "plc"}
_UNITS = {"gb", "tb", "mb", "mah", "w", "mp", "in", "nm", "kg", "g", "v", "mm", "hz", "pin"}
_STOP_EN = {
    "plan", "plans", "planning", "forecast", "demand", "sales", "stock", "route", "routes", "supplier",
    "suppliers", "store", "stores", "what", "with", "from", "for", "next", "last", "this", "that",
    "show", "list", "much", "many", "will", "would", "could", "should", "have", "week", "weeks",
    "month", "months", "days", "year", "quarter", "level", "levels", "total", "item", "items",
    "each", "every", "order", "orders", "lead", "time", "times", "rise", "rises", "drop", "drops",
    "cost", "costs", "close", "closed", "data", "report", "daily", "weekly", "instructions",
    "production", "inventory", "schedule", "purchasing", "please", "about", "their", "there",
    "where", "which", "when", "then", "than", "they", "them", "into", "over", "under", "only",
    "also", "same", "instead", "version", "one", "make", "give", "tell", "need", "needs", "help",
    "charge", "lower", "chain", "change", "changes", "costs", "lines", "shipping", "shipments",
    "simulate", "suppose", "happens", "impact", "tables", "weather",
}


@dataclass(frozen=True)
class Entity:
    """One thing of the catalog: an item, a location or a supplier."""

    code: str
    kind: str
    """``item``, ``location`` or ``supplier``."""
    subkind: str
    """Item kind (finished, component...), location kind (dc, plant, store...) or ``supplier``."""
    name: str
    name_zh: str | None = None
    family: str | None = None
    city: str | None = None
    region: str | None = None

    def label(self, lang: str = "en") -> str:
        """Code and name, in the reader's language where a name exists."""
        name = self.name_zh if lang == "zh" and self.name_zh else self.name
        return f"{self.code}（{name}）" if lang == "zh" else f"{self.code} ({name})"


@dataclass(frozen=True)
class Mention:
    """A span of the instruction that names catalog entities (or a family / item kind)."""

    start: int
    end: int
    text: str
    entities: tuple[Entity, ...] = ()
    how: str = "name"
    """``code``, ``name``, ``alias``, ``city``, ``fuzzy``, ``family`` or ``kind``."""
    family: str | None = None
    item_kind: str | None = None

    def of_kind(self, *kinds: str) -> tuple[Entity, ...]:
        """The candidates that are of one of ``kinds`` (entity kind or subkind)."""
        return tuple(e for e in self.entities if e.kind in kinds or e.subkind in kinds)

    def kind_set(self) -> set[str]:
        return {e.kind for e in self.entities}


@dataclass(frozen=True)
class UnknownRef:
    """Something the instruction names that is not in the catalog, with what is close."""

    start: int
    end: int
    text: str
    kind: str
    suggestions: tuple[Entity, ...] = ()


@dataclass
class _Index:
    by_tokens: dict[tuple[str, ...], set[str]] = field(default_factory=lambda: defaultdict(set))
    how: dict[tuple[str, ...], str] = field(default_factory=dict)
    max_len: int = 1


def _unit_fix(words: list[str]) -> list[str]:
    """"16G" reads as "16GB" and "2T" as "2TB" (but "G1" stays a model name); a whole number of
    terabytes reads as its gigabytes ("1TB" as "1024GB", as names of storage parts spell it)."""
    out = list(words)
    for i, t in enumerate(out):
        if t in ("g", "t") and i and out[i - 1].replace(".", "").isdigit() and \
                not (i + 1 < len(out) and out[i + 1].isdigit()):
            out[i] = t + "b"
        if out[i] == "tb" and i and out[i - 1].isdigit() and 0 < int(out[i - 1]) <= 16:
            out[i - 1], out[i] = str(1024 * int(out[i - 1])), "gb"
    return out


def _toks(text: str) -> tuple[str, ...]:
    return tuple(_unit_fix([t for t, _, _ in tokens(text)]))


def _strip_variant(name: str) -> str:
    """"Smartphone Nova 1 256GB" → "Nova 1"-style model stem (capacity variants removed)."""
    return re.sub(r"\s+\d+\s*GB(?:\+\d+\s*(?:GB|TB))?$", "", name).strip()


class Catalog:
    """Entities and their names, with :meth:`link` to find them in text.

    Parameters
    ----------
    entities
        Every item, location and supplier.
    today
        The reference day of relative dates: the last date of demand history, because
        "next month" means the month after the data ends.
    aliases
        Extra ``(code, alias)`` names.

    Examples
    --------
    >>> cat = Catalog([Entity("DC-EAST", "location", "dc", "East China DC (Shanghai Jiading)",
    ...                      city="Shanghai", region="East China")], date(2026, 10, 31))
    >>> [m.entities[0].code for m in cat.link("华东仓的库存")]
    ['DC-EAST']
    """

    def __init__(self, entities: Iterable[Entity], today: date,
                 aliases: Iterable[tuple[str, str]] = ()) -> None:
        self.entities: dict[str, Entity] = {e.code: e for e in entities}
        self.today = today
        self._index = _Index()
        self._vocab: set[str] = set()
        self._names: list[tuple[str, tuple[str, ...]]] = []
        self._by_token: dict[str, set[int]] = defaultdict(set)
        self._grams: set[tuple[str, ...]] = set()
        """Runs of up to three tokens of any name: words of the catalog, not unknown names."""
        self._build(list(aliases))

    def __repr__(self) -> str:
        n = defaultdict(int)
        for e in self.entities.values():
            n[e.kind] += 1
        return f"Catalog({dict(n)}, today={self.today.isoformat()})"

    # ----------------------------------------------------------------- construction

    @classmethod
    def from_frames(cls, items: pd.DataFrame, locations: pd.DataFrame, suppliers: pd.DataFrame,
                    today: date) -> Catalog:
        """Build from the ``items``, ``locations`` and ``suppliers`` tables (sample or import)."""
        city = dict(zip(locations["code"], locations["city"], strict=True))
        aliases = _alias_rows()
        zh_alias: dict[str, str] = {}
        for code, alias in aliases:  # the first Chinese alias names a supplier or customer in Chinese
            if any("\u4e00" <= ch <= "\u9fff" for ch in alias):
                zh_alias.setdefault(code, alias)
        ents: list[Entity] = []
        for r in items.itertuples(index=False):
            ents.append(Entity(r.code, "item", r.kind, r.name, _str(getattr(r, "name_zh", None)),
                               _str(r.family)))
        for r in locations.itertuples(index=False):
            zh = _location_zh(r.kind, r.name, _str(r.city), _str(r.region)) or zh_alias.get(r.code)
            ents.append(Entity(r.code, "location", r.kind, r.name, zh, None, _str(r.city), _str(r.region)))
        for r in suppliers.itertuples(index=False):
            loc = _str(getattr(r, "location_code", None))
            ents.append(Entity(r.code, "supplier", "supplier", r.name, zh_alias.get(r.code), None,
                               city.get(loc) if loc else None))
        return cls(ents, today, aliases)

    @classmethod
    def from_store(cls, store: Store, today: date | None = None) -> Catalog:
        """Read the catalog from the store; ``today`` defaults to the last demand date."""
        import pandas as pd
        from sqlalchemy import func, select

        from supplypilot.data.model import Demand, Item, Location, Supplier

        with store.engine.connect() as conn:
            items = pd.read_sql(select(Item.code, Item.name, Item.name_zh, Item.kind, Item.family), conn)
            locs = pd.read_sql(select(Location.code, Location.name, Location.kind, Location.city,
                                      Location.region), conn)
            sups = pd.read_sql(select(Supplier.code, Supplier.name, Supplier.location_code), conn)
            last = conn.execute(select(func.max(Demand.date))).scalar_one_or_none()
        ref = today or (pd.Timestamp(last).date() if last is not None else date.today())
        return cls.from_frames(items, locs, sups, ref)

    def _add(self, alias: str, code: str, how: str) -> None:
        key = _toks(alias)
        if not key:
            return
        self._index.by_tokens[key].add(code)
        self._index.how.setdefault(key, how)
        self._index.max_len = max(self._index.max_len, len(key))
        for n in (1, 2, 3):
            self._grams.update(key[i:i + n] for i in range(len(key) - n + 1))
        self._vocab.update(t for t in key if t.isalpha() and len(t) >= 4 and t.isascii()
                           and (t,) not in _GROUP_WORDS)

    def _build(self, aliases: list[tuple[str, str]]) -> None:
        stems: dict[tuple[str, str], list[str]] = defaultdict(list)
        for e in self.entities.values():
            if e.subkind == "supplier_site":
                continue
            self._add(e.code, e.code, "code")
            self._add(e.name, e.code, "name")
            if e.name_zh:
                self._add(e.name_zh, e.code, "name")
            if e.kind == "item":
                self._item_names(e, stems)
            elif e.kind == "location":
                self._location_names(e)
            else:
                self._supplier_names(e)
        for (_, stem), codes in stems.items():
            for c in codes:
                self._add(stem, c, "name")
        # "6.1in OLED display panel" for "... panel P1": the trailing model code dropped,
        # where that still names one item only.
        short: dict[tuple[str, ...], set[str]] = defaultdict(set)
        for e in self.entities.values():
            if e.kind == "item":
                for name in (e.name, e.name_zh or ""):
                    cut = re.sub(r"\s+[A-Z]\d$", "", name)
                    if cut != name:
                        short[_toks(cut)].add(e.code)
        for key, codes in short.items():
            if len(codes) == 1 and key not in self._index.by_tokens:
                self._add(" ".join(key), next(iter(codes)), "name")
        self._stems_and_districts()
        for code, alias in aliases:
            if code in self.entities:
                self._add(alias, code, "alias")
        for e in self.entities.values():
            if e.kind == "item":
                for name in filter(None, (e.name, e.name_zh)):
                    self._names.append((e.code, _toks(name)))
                    for t in _toks(name):
                        self._by_token[t].add(len(self._names) - 1)

    def _stems_and_districts(self) -> None:
        """Names people shorten: a component without its trailing specification ("散热风扇" for
        "散热风扇 5V", "board-to-board connector" for "... 40-pin"), and a plant or DC by its
        district ("龙华", "the Jiading DC", "高新区那个厂"), where the short name still names one."""
        short: dict[tuple[str, ...], set[str]] = defaultdict(set)
        for e in self.entities.values():
            if e.kind == "item" and e.subkind == "component":
                for name in filter(None, (e.name, e.name_zh)):
                    cut = name
                    while True:
                        nxt = re.sub(r"[\s,]*(?:\([^)]*\d[^)]*\)|[^\s(]*\d[^\s]*)$", "", cut).strip()
                        if nxt == cut or not nxt:
                            break
                        cut = nxt
                        key = _toks(cut)
                        if len(key) >= 2 and key not in _GROUP_WORDS:
                            short[key].add(e.code)
        # "trackpad modules", "glass trackpad" for "Glass trackpad module": the first or last two
        # words of a component's name (the last also in the plural), where they name one item
        for e in self.entities.values():
            if e.kind == "item" and e.subkind == "component":
                words = [w for w in re.split(r"[\s,]+", e.name) if w]
                if len(words) >= 3 and not any(c.isdigit() for c in e.name):
                    for part in (words[:2], words[-2:], words[-2:-1] + [words[-1] + "s"]):
                        key = _toks(" ".join(part))
                        if key in _GROUP_WORDS or any((w,) in _GROUP_WORDS for w in key) or any(
                                o.code != e.code and o.kind == "item" and _subsequence(list(key), _toks(o.name))
                                for o in self.entities.values()):
                            continue  # "power bank" is also the Power Bank's own name
                        short[key].add(e.code)
        for key, codes in short.items():
            if len(codes) == 1 and key not in self._index.by_tokens:
                self._add(" ".join(key), next(iter(codes)), "name")
        districts: dict[str, set[str]] = defaultdict(set)
        for e in self.entities.values():
            if e.kind != "location" or e.subkind not in ("dc", "plant") or not e.city:
                continue
            m = re.search(r"\(([^)]*)\)", e.name)
            inner = m.group(1) if m else re.sub(r"\s+(?:plant|factory|dc|warehouse)$", "", e.name, flags=re.I)
            place = re.sub(rf"^{re.escape(e.city)}\s*", "", inner).strip()
            if place and place != inner:
                districts[place].add(e.code)
        for place, codes in districts.items():
            if len(codes) != 1:
                continue
            code = next(iter(codes))
            zh_kind, en_kind = _KIND_OF_LOCATION[self.entities[code].subkind]
            names = [place] + [f"{place} {w}" for w in en_kind]
            zh = DISTRICT_ZH.get(place)
            if zh:
                names += [zh] + [zh + w for w in zh_kind]
                if zh.endswith("区"):
                    names += [zh[:-1]] + [zh[:-1] + w for w in zh_kind]
            for n in names:
                if _toks(n) not in self._index.by_tokens:
                    self._add(n, code, "name")

    def _item_names(self, e: Entity, stems: dict[tuple[str, str], list[str]]) -> None:
        prefixes = ("Smartphone ", "Laptop ", "Tablet ", "智能手机 ", "笔记本电脑 ", "平板电脑 ")
        for name in (e.name, e.name_zh or ""):
            for p in prefixes:
                if name.startswith(p):
                    short = name[len(p):]
                    self._add(short, e.code, "name")
                    if e.subkind == "finished":
                        stem = _strip_variant(short)
                        if stem != short:
                            stems[(e.family or "", stem)].append(e.code)
                    for tb, gb in (("1TB", "1024GB"), ("2TB", "2048GB")):
                        if tb in short:
                            self._add(short.replace(tb, gb), e.code, "name")

    def _location_names(self, e: Entity) -> None:
        zh_kind, en_kind = _KIND_OF_LOCATION.get(e.subkind, ([], []))
        city_zh = CITY_ZH.get(e.city or "")
        short = re.sub(r"\s*\(.*\)$", "", e.name)
        if short != e.name:
            self._add(short, e.code, "name")
        if e.subkind == "dc":
            word = e.code.split("-", 1)[-1].lower()
            for w in en_kind:
                for pat in (f"{word} {w}", f"{w} {word}", f"{e.city} {w}", f"{e.region} {w}"):
                    self._add(pat, e.code, "name")
            for w in zh_kind:
                for place in (city_zh, REGION_ZH.get(e.region or "")):
                    if place:
                        self._add(place + w, e.code, "name")
        elif e.subkind in ("plant", "store"):
            for w in en_kind:
                self._add(f"{e.city} {w}", e.code, "name")
            for w in zh_kind:
                if city_zh:
                    self._add(city_zh + w, e.code, "name")
            if e.subkind == "plant":
                self._add(" ".join(short.split()[1:]), e.code, "name")  # "Longhua Plant"
        if e.subkind == "customer":  # "Guangzhou Digital Distribution" for "... Distribution Co."
            legal = [w for w in re.split(r"[\s,.]+", e.name) if w and w.lower() not in _LEGAL]
            if len(legal) >= 2:
                self._add(" ".join(legal), e.code, "name")
            plain = [w for w in legal if w.lower() not in _ADMIN]  # "Chongqing Education Commission"
            if len(plain) >= 2 and plain != legal:
                self._add(" ".join(plain), e.code, "name")
        if e.city:
            self._add(e.city, e.code, "city")
            if city_zh:
                self._add(city_zh, e.code, "city")

    def _supplier_names(self, e: Entity) -> None:
        legal = [w for w in re.split(r"[\s,.]+", e.name) if w and w.lower() not in _LEGAL]
        self._add(" ".join(legal), e.code, "name")  # "Shanghai Display Technology"
        words = [w for w in re.split(r"[\s,.&]+", e.name) if w and w.lower() not in _CORP]
        self._add(" ".join(words), e.code, "name")
        if len(words) >= 2:
            self._add(" ".join(words[:2]), e.code, "name")
        for run in (words, legal):  # "Changxin Memory", "Imaging Devices": two words in a row of the name
            for a, b in zip(run, run[1:], strict=False):
                key = _toks(f"{a} {b}")
                if key and self._index.by_tokens.get(key, {e.code}) == {e.code} and a.lower() not in _STOP_EN:
                    self._add(f"{a} {b}", e.code, "name")
        first = words[0] if words else ""
        zh_city = CITY_ZH.get(first)
        if zh_city and not any(o.city == first for o in self.entities.values() if o.kind == "location"
                               and o.subkind != "supplier_site"):
            self._add(zh_city, e.code, "alias")  # "宁德那边": a supplier's city where nothing else of ours is
        others = " ".join(o.name.lower() for o in self.entities.values()
                          if o.code != e.code and o.subkind != "supplier_site")
        for w in words[:2]:
            if len(w) >= 5 and w.lower() not in others and w.lower() not in _STOP_EN:
                self._add(w, e.code, "alias")  # "Huaqiang", "Hanyang": one word is enough

    # ----------------------------------------------------------------- look-ups

    def get(self, code: str) -> Entity | None:
        return self.entities.get(code.upper()) or self.entities.get(code)

    def items(self, *, family: str | None = None, kind: str | None = None) -> list[Entity]:
        """Items of a family and/or kind, sorted by code."""
        return sorted((e for e in self.entities.values() if e.kind == "item"
                       and (family is None or e.family == family) and (kind is None or e.subkind == kind)),
                      key=lambda e: e.code)

    def of_subkind(self, subkind: str) -> list[Entity]:
        return sorted((e for e in self.entities.values() if e.subkind == subkind), key=lambda e: e.code)

    def dcs_serving(self, region: str | None) -> list[Entity]:
        """The DC in ``region``, or every DC when none is there."""
        dcs = self.of_subkind("dc")
        same = [d for d in dcs if d.region == region]
        return same or dcs

    def siblings(self, code: str) -> list[Entity]:
        """Finished items of the same model ("Nova 1 256GB" and "Nova 1 512GB")."""
        e = self.entities.get(code)
        if e is None or e.kind != "item":
            return []
        stem = _strip_variant(e.name)
        return [o for o in self.items(family=e.family, kind=e.subkind) if _strip_variant(o.name) == stem]

    # ----------------------------------------------------------------- linking

    def link(self, text: str) -> list[Mention]:
        """Every mention of an entity, family or item kind in ``text``, left to right."""
        toks = list(tokens(text))
        fixed = self._spell_fix(toks, text)
        out: list[Mention] = []
        taken: list[tuple[int, int]] = []
        for m in re.finditer(r"(?<![A-Za-z0-9-])([A-Za-z]{2,}[A-Za-z0-9]*(?:-[A-Za-z0-9]+)+|[A-Za-z]{2,}\d{2,})"
                             r"(?![A-Za-z0-9-])", text):
            code = m.group(1).upper()
            if code in self.entities:
                out.append(Mention(m.start(), m.end(), m.group(1), (self.entities[code],), "code"))
                taken.append(m.span())
            else:
                group = [e for c, e in self.entities.items() if c.startswith(code + "-") and e.kind == "item"
                         and e.subkind == "finished"]
                if group:
                    out.append(Mention(m.start(), m.end(), m.group(1), tuple(group), "code"))
                    taken.append(m.span())
        i = 0
        words = _unit_fix([t for t, _, _ in fixed])
        while i < len(toks):
            s0 = toks[i][1]
            if any(a <= s0 < b for a, b in taken):
                i += 1
                continue
            hit = None
            for n in range(min(self._index.max_len, len(toks) - i), 0, -1):
                key = tuple(words[i:i + n])
                if key in self._index.by_tokens or key in _GROUP_WORDS:
                    hit = (n, key)
                    break
            if hit is None:
                i += 1
                continue
            n, key = hit
            a, b = toks[i][1], toks[i + n - 1][2]
            if not _word_bounded(text, a, b):
                i += 1
                continue
            fuzzy = any(fixed[j][0] != toks[j][0] for j in range(i, i + n))
            if key in self._index.by_tokens:
                ents = tuple(sorted((self.entities[c] for c in self._index.by_tokens[key]), key=lambda e: e.code))
                out.append(Mention(a, b, text[a:b], ents, "fuzzy" if fuzzy else self._index.how[key]))
            else:
                fam, kind = _GROUP_WORDS[key]
                ents = tuple(self.items(family=fam, kind="finished") if fam else self.items(kind=kind))
                out.append(Mention(a, b, text[a:b], ents, "family" if fam else "kind", fam, kind))
            i += n
        out = self._narrow_cities(text, out)
        out += self._partial(text, toks, words, out)
        out = sorted(out, key=lambda m: m.start)
        out = self._city_then_place(out)
        out = self._by_specs(text, out)
        out = self._part_for_product(text, out)
        return sorted(out, key=lambda m: m.start)

    def _city_then_place(self, found: list[Mention]) -> list[Mention]:
        """"北京大兴仓", "广州黄埔仓": a city right before a place of that city (by district) is part
        of its name, not a second place."""
        out: list[Mention] = []
        for i, m in enumerate(found):
            nxt = found[i + 1] if i + 1 < len(found) else None
            if m.how == "city" and nxt is not None and 0 <= nxt.start - m.end <= 1 and nxt.how != "city" and \
                    nxt.entities and all(e.kind == "location" and e.city and
                                         any(c.city == e.city for c in m.entities) for e in nxt.entities):
                continue
            out.append(m)
        return out

    def _by_specs(self, text: str, found: list[Mention]) -> list[Mention]:
        """"32G内存+1T硬盘那款Book 14 G1", "the Book 14 G1 with 32GB RAM and a 2TB SSD", "16GB/512GB
        Book 14 G1": capacities near a model name that fits several variants pick the variant
        whose name has them all; the words of the specification (also where they read as a
        memory or SSD component) become part of the mention."""
        out = list(found)
        for m in found:
            ents = [e for e in m.entities if e.kind == "item" and e.subkind == "finished"]
            if len(ents) < 2 or len(ents) != len(m.entities) or m.how in ("family", "kind"):
                continue
            lo, hi = max(0, m.start - 30), min(len(text), m.end + 40)
            specs = [(x.start(), x.end(), _gb(x)) for x in _SPEC.finditer(text, lo, hi)
                     if not (m.start <= x.start() < m.end)]
            if not specs:
                continue
            want = {v for _, _, v in specs}
            fits = [e for e in ents if want <= {_gb(x) for x in _SPEC.finditer(e.name)}]
            if len(fits) != 1:
                continue
            a, b = min([m.start] + [x[0] for x in specs]), max([m.end] + [x[1] for x in specs])
            # a part named by the spec's words overlaps it ("a 2TB SSD"): its words are the spec too
            inner = [o for o in out if o is not m and a <= o.start < b]
            if any(o.kind_set() - {"item"} for o in inner) or any(
                    o.how not in ("family", "kind") and not set(o.entities) & set(ents)
                    and any(e.subkind == "finished" for e in o.entities) for o in inner):
                continue  # another product between ("Nova 1 and Lumen 1 512GB"): the spec is its own
            b = max([b] + [o.end for o in inner])
            out = [o for o in out if o is not m and o not in inner]
            out.append(Mention(a, b, text[a:b], (fits[0],), "name"))
        return sorted(out, key=lambda x: x.start)

    def _part_for_product(self, text: str, found: list[Mention]) -> list[Mention]:
        """A part named by what it goes into: "备件显示屏总成（Pad 1 用的）", "Nova 1 用的备件显示屏总成",
        "spare Book 14 G1 display assemblies", "纽扣锂电芯（耳机用的）", "the coin cell that goes into the
        earbuds". Next to a product (or family) mention, the words of a part whose name refers to
        that product (its model or its family) pick the part; the product was only its qualifier."""
        out = list(found)
        for m in found:
            prods = [e for e in m.entities if e.kind == "item" and e.subkind == "finished"]
            if not prods or len(prods) != len(m.entities) or m.how == "kind":
                continue
            refs = set()
            for e in prods:
                for name in filter(None, (e.name, e.name_zh)):
                    refs.add(_strip_variant(re.sub(r"^(?:Smartphone|Laptop|Tablet|智能手机|笔记本电脑|平板电脑)\s*", "",
                                                   name)).lower())
                refs.update(w.lower() for w in FAMILY_WORDS.get(e.family or "", []))
                if e.family == "accessory":
                    refs.update(_ACCESSORY_USE.get(e.code, ()))
            refs = {r for r in refs if len(r) >= 2}
            lo, hi = max(0, m.start - 25), min(len(text), m.end + 25)
            window = _part_synonyms(text[lo:hi].lower())
            # the head noun of "laptop battery cells": the last word of the run right after the product
            run = re.match(r"(?:\s+[a-z][a-z-]*)+", text[m.end:].lower())
            head = run.group(0).split()[-1] if run else None
            best: list[tuple[int, Entity]] = []
            for e in self.entities.values():
                if e.kind != "item" or e.subkind == "finished":
                    continue
                score = 0
                for name in filter(None, (e.name, e.name_zh)):
                    low = name.lower()
                    ref = next((r for r in sorted(refs, key=len, reverse=True)
                                if re.search(rf"(?<![a-z0-9]){re.escape(r)}(?![a-z0-9])", low)), None)
                    if ref is None:
                        continue
                    core = low
                    for r in refs:
                        core = re.sub(rf"(?<![a-z0-9]){re.escape(r)}(?![a-z0-9])", " ", core)
                    words = [w for w in re.findall(r"[a-z][a-z-]+|[\u4e00-\u9fff]+", core)
                             if w not in _STOP_EN and w not in _UNITS and w not in ("for", "pack", "mainboard", "pcba")
                             and not any(w in fw for fw in FAMILY_WORDS.values())]
                    hits = sum(3 if w.isascii() else _zh_suffix_hit(w, window) for w in words
                               if (not w.isascii() or _in_window(w, window)))
                    if hits and head and head not in _STOP_EN and _in_window(head, " ".join(words)):
                        hits += 1
                    score = max(score, hits)
                if score:
                    best.append((score, e))
            if not best:
                continue
            best.sort(key=lambda x: -x[0])
            if len(best) > 1 and best[1][0] == best[0][0]:
                continue
            part = best[0][1]
            spans = [(m.start, m.end)]
            for name in filter(None, (part.name, part.name_zh)):
                for w in re.findall(r"[A-Za-z][A-Za-z-]+|[\u4e00-\u9fff]+", name):
                    # a latin word with its ending ("assemblies"); a Chinese one as it is (no following words)
                    tail = r"\w*" if w.isascii() else ""
                    if w.lower() in _STOP_EN:  # "for" of "Spare display assembly for Nova 1"
                        continue
                    # the occurrence nearest the product ("换电池，华东仓Nova 1的备用电池": the second one)
                    near = [x.span() for x in re.finditer(re.escape(w.lower()[:max(3, len(w) - 1)]) + tail, text.lower())
                            if lo <= x.start() and x.end() <= hi and (not w.isascii() or len(w) >= 3)]
                    if near:
                        spans.append(min(near, key=lambda sp: max(m.start - sp[1], sp[0] - m.end, 0)))
            a, b = min(x for x, _ in spans), max(y for _, y in spans)
            part_words = " ".join(filter(None, (part.name, part.name_zh))).lower()
            for o in sorted(out, key=lambda x: -x.start):  # "spare display assemblies used in the Pad 1"
                if o.how == "kind" and part in o.entities and o.end <= a and all(
                        _in_window(w, part_words) for w in re.findall(r"[a-z]+|[\u4e00-\u9fff]+", text[o.end:a].lower())):
                    a = o.start
            inner = [o for o in out if o is not m and a <= o.start and o.end <= b]
            if any(o.kind_set() - {"item"} for o in inner) or any(
                    o.how not in ("kind", "fuzzy") and part not in o.entities for o in inner):
                # an inner mention of the part's own words may be ambiguous ("2MP摄像头传感器"): the product narrows it
                continue
            out = [o for o in out if o is not m and o not in inner]
            out.append(Mention(a, b, text[a:b], (part,), "name"))
        return sorted(out, key=lambda x: x.start)

    def _narrow_cities(self, text: str, found: list[Mention]) -> list[Mention]:
        """A city with a kind of place next to it names that place: "广州那个仓", "the Guangzhou
        one's warehouse", "the DC in Guangzhou" are the Guangzhou DC, not its store. Where the
        city has no such place the city mention is kept (and :meth:`unknown_refs` asks)."""
        out = []
        for m in found:
            if m.how != "city":
                out.append(m)
                continue
            a, b, kind = m.start, m.end, None
            after = _AFTER_CITY.match(text, m.end)
            before = _BEFORE_CITY.search(text[:m.start])
            if after:
                b, kind = after.end(), _PLACE_KIND[after.group(1).lower()]
            elif before:
                a, kind = before.start(1), _PLACE_KIND[before.group(1).lower()]
            ents = m.of_kind(kind) if kind else ()
            if kind and ents:
                out.append(Mention(a, b, text[a:b], ents, "name"))
            else:
                out.append(m)
        return out

    def _partial(self, text: str, toks: list[tuple[str, int, int]], words: list[str],
                 found: list[Mention]) -> list[Mention]:
        """Part of one item's name, in order ("Mobile SoC M2" for "Mobile SoC M2 (4nm)",
        "LPDDR5X 12GB" for "LPDDR5X DRAM 12GB"): at least half its words, a number among them,
        and no other item that fits as well."""
        taken = [(m.start, m.end) for m in found]
        free = [not any(a <= s0 < b for a, b in taken) for _, s0, _ in toks]
        out: list[Mention] = []
        i = 0
        while i < len(toks):
            hit = None
            for j in range(min(len(toks), i + 8), i + 1, -1):
                if "的" in (words[i], words[j - 1]):
                    continue
                span = [t for t in words[i:j] if t != "的"]  # "2TB的固态硬盘": the particle joins, it names nothing
                span = [t[:-1] if len(t) > 3 and t.endswith("s") and t not in self._by_token and t[:-1] in self._by_token
                        else t for t in span]  # "2TB SSDs": a plural reads as the name's word
                if not all(free[i:j]) or not any(t.replace(".", "", 1).isdigit() for t in span) or \
                        not (any(t.isalpha() and t.isascii() and t not in _STOP_EN and t not in _UNITS
                                 and len(t) > 1 for t in span) or sum(not t.isascii() for t in span) >= 2):
                    continue
                pool = set.intersection(*(self._by_token.get(t, set()) for t in span))
                codes = {self._names[k][0] for k in pool
                         if len(span) >= 0.5 * len(self._names[k][1]) and (
                             _subsequence(span, self._names[k][1])
                             or (len(span) >= 3 and len(set(span)) == len(span) and set(span) <= set(self._names[k][1])))}
                if len(codes) == 1:
                    hit = (j, codes.pop())
                    break
            if hit is None:
                i += 1
                continue
            j, code = hit
            a, b = toks[i][1], toks[j - 1][2]
            out.append(Mention(a, b, text[a:b], (self.entities[code],), "fuzzy"))
            i = j
        return out

    def _spell_fix(self, toks: list[tuple[str, int, int]], text: str) -> list[tuple[str, int, int]]:
        """Latin words not in any name but close to one ("Nvoa", "Huaqaing") are read as it:
        capitalised words from 4 letters (names are), others from 5."""
        out = []
        for t, a, b in toks:
            shortest = 4 if text[a].isupper() else 5
            if t.isascii() and t.isalpha() and len(t) >= shortest and t not in self._vocab and t not in _STOP_EN \
                    and (t,) not in _GROUP_WORDS:
                allowed = 1 if len(t) <= 6 else 2
                close = [v for v in self._vocab if v[0] == t[0] and abs(len(v) - len(t)) <= allowed
                         and _edit_distance(t, v) <= allowed]
                if len(close) == 1:
                    t = close[0]
            out.append((t, a, b))
        return out

    def known_words(self, text: str) -> bool:
        """Is ``text`` (one to three tokens) part of some name of the catalog?"""
        key = _toks(text)
        return 0 < len(key) <= 3 and key in self._grams

    def unknown_refs(self, text: str, mentions: Sequence[Mention],
                     also_covered: Sequence[tuple[int, int]] = ()) -> list[UnknownRef]:
        """Names of things that look like entities but are not in the catalog ("供应商A",
        "store 12", "plant 2", "DC West", "深圳仓" where Shenzhen has no DC, "iPhone 15").

        ``also_covered`` are spans already read as something else (dates: "Double 11").
        """
        covered = [(m.start, m.end) for m in mentions] + list(also_covered)

        def free(a: int, b: int) -> bool:
            return all(b <= s or a >= e for s, e in covered)

        out: list[UnknownRef] = []
        sups = tuple(self.of_subkind("supplier"))
        rules: list[tuple[str, str, tuple[Entity, ...], int]] = [
            (r"供应商\s*([A-Za-z0-9甲乙丙丁]+)(?![A-Za-z0-9-])", "supplier", sups, 0),
            (r"\bsupplier\s+([A-Z][\w&.-]*)", "supplier", sups, 0),
            (r"(?i)\b(?:store|shop)\s*(?:no\.?|#)?\s*(\d+)\b|(\d+|[一二三四五六七八九十]+)号(?:门店|店)|门店\s*(\d+)",
             "store", tuple(self.of_subkind("store")), re.I),
            (r"(?i)\b(?:plant|factory)\s*(?:no\.?|#)?\s*(\d+)\b|(\d+|[一二三四五六七八九十]+)号(?:工厂|厂)|工厂\s*(\d+)",
             "plant", tuple(self.of_subkind("plant")), 0),
            (r"(?i)\b(?:dc|warehouse)[\s-]+(west|central|southwest|northwest|northeast|southeast|midwest)\b|"
             r"\b(west|central|southwest|northwest|northeast|southeast)\s+(?:dc|warehouse)\b",
             "dc", tuple(self.of_subkind("dc")), 0),
            (r"([\u4e00-\u9fff]{2})(?:仓库|仓|配送中心)(?!储)", "dc",
             tuple(self.of_subkind("dc")), 0),
            (rf"({_CITY_ZH_RE})(?:那个|这个|那边的?|这边的?|那家|这家|的)(?:仓库|仓|配送中心|物流中心)", "dc",
             tuple(self.of_subkind("dc")), 0),
            (r"\b([A-Z][a-z']+(?: [A-Z][a-z]+)?)(?:'s)?\s+(?:DC|warehouse|distribution cent(?:er|re)|depot)\b|"
             r"\b(?:DC|warehouse|distribution cent(?:er|re)|depot)\s+(?:in|at)\s+([A-Z][a-z']+(?: [A-Z][a-z]+)?)",
             "dc_en", tuple(self.of_subkind("dc")), 0),
            (_BRAND_RE, "brand", tuple(self.items(kind="finished")), 0),
            (r"(?<![A-Za-z0-9-])([A-Z]{3,8})(?:'s|s)?(?![A-Za-z0-9&-])", "acronym", (), 0),
            (r"(?<![A-Za-z0-9-])([a-z]*[A-Z][a-zA-Z]+ ?[A-Z]?\d+[A-Za-z]*)(?![A-Za-z0-9-])", "item",
             tuple(self.items(kind="finished")), 0),
            (r"(?<![A-Za-z0-9-])([A-Z]{2,}\d*(?:-[A-Z0-9]+)+)(?![A-Za-z0-9-])", "code", (), 0),
            (r"(?<![A-Za-z0-9'-])([A-Z][a-z]{2,}|[a-z]+[A-Z][A-Za-z]*)(?![A-Za-z0-9-])", "word",
             tuple(self.items(kind="finished")), 0),
        ]
        for pat, kind, sugg, _ in rules:
            for m in re.finditer(pat, text, re.A):
                a, b = m.span()
                if not free(a, b):
                    # "深圳仓": the city is known but has no DC: ask, suggesting the region's DC.
                    if kind in ("dc", "dc_en") and not any(u.start < b and a < u.end for u in out):
                        city = next((mm for mm in mentions if mm.how == "city" and mm.start >= a and mm.end <= b), None)
                        if city is not None and not city.of_kind("dc"):
                            reg = city.entities[0].region
                            out.append(UnknownRef(a, b, m.group(0), "dc",
                                                  tuple(self.dcs_serving(reg)) + city.entities))
                            covered.append((a, b))
                    continue
                word = m.group(0)
                if kind == "dc_en":  # a free "Lhasa DC": only a city we know of is worth asking about
                    name = m.group(1) or m.group(2)
                    if name not in CITY_ZH:
                        continue
                    kind = "dc"
                if kind == "brand":
                    kind = "supplier" if m.group(1).lower() in _SUPPLIER_BRANDS_SET else "item"
                    sugg = tuple(self.of_subkind("supplier")) if kind == "supplier" else sugg
                if kind == "acronym":
                    low = m.group(1).lower()
                    if low in _ACRONYMS or low in _STOP_EN or low in _KNOWN_WORDS or low in _CAPS_WORDS or \
                            self.known_words(m.group(1)):
                        continue
                    word, kind = m.group(1), "name"
                if kind in ("item", "word", "code") and self.known_words(word):
                    continue  # "LPDDR5", "Memory": words of catalog names, not another product
                if kind == "supplier" and word.lower().startswith("supplier"):
                    word = m.group(1)  # "supplier Foxconn's": the name is Foxconn
                if kind == "supplier" and (m.group(1).lower() in _STOP_EN or m.group(1) in ("MOQ", "MOQs", "ID")):
                    continue
                if kind == "item" and (word.split()[0].lower() in _STOP_EN | {"q", "dc", "top", "h"}
                                       or re.fullmatch(r"[A-Z]\d", word)):
                    continue
                if kind == "dc" and m.group(1) and (set(m.group(1)) & set("各哪该本此总每全分这那个有些其的在") or
                                                    m.group(1) in ("库存",)):
                    continue
                if kind == "word":  # a capitalised word that names nothing known: a product we lack?
                    first = not text[:a].strip() or text[:a].rstrip()[-1:] in ".!?。！？"
                    if first or word.lower() in _STOP_EN or word.lower() in _KNOWN_WORDS:
                        continue
                    kind = "item"
                if kind == "code":
                    kind = "item"
                    close = difflib.get_close_matches(word.upper(), list(self.entities), n=3, cutoff=0.6)
                    sugg = tuple(self.entities[c] for c in close)
                out.append(UnknownRef(a, b, word, kind, sugg))
                covered.append((a, b))
        return sorted(out, key=lambda u: u.start)


_KNOWN_WORDS = set("""
chinchilla lightgbm lgbm autoets autoarima autotheta theta croston crostonoptimized naive seasonalnaive tsb imapa
adida wagner whitin mrp eoq poq html markdown json csv excel pdf chinese english mandarin sku skus cny rmb yuan
singles double monday tuesday wednesday thursday friday saturday sunday january february march april may june july
august september october november december sept oct nov dec jan feb mar apr jun jul aug dc dcs ok please thanks
what when which where who why how show list give tell find search run make build plan forecast predict project
compute recommend set use generate write create schedule optimise optimize route routes suppose simulate imagine
and but also then now same hello hi hey the this that these those our your their my we you they it its
""".split())

_PLACE_KIND = {"仓库": "dc", "仓": "dc", "配送中心": "dc", "物流中心": "dc", "dc": "dc", "warehouse": "dc",
               "distribution center": "dc", "distribution centre": "dc", "depot": "dc", "工厂": "plant",
               "厂": "plant", "plant": "plant", "factory": "plant", "门店": "store", "店": "store",
               "store": "store", "shop": "store", "旗舰店": "store", "体验店": "store", "旗舰": "store",
               "flagship": "store", "experience store": "store"}
_AFTER_CITY = re.compile(r"\s*(?:(?:那个|这个|那边的?|这边的?|那家|这家|的|那)\s*(?=仓库|仓|配送中心|物流中心|工厂|厂|门店|店)"
                         r"|'s\s+)?(仓库|仓|配送中心|物流中心|工厂|厂|旗舰店|体验店|门店|店|旗舰|DC|dc|warehouse|"
                         r"distribution cent(?:er|re)|depot|plant|factory|flagship|experience store|store|shop)(?![A-Za-z])")
_BEFORE_CITY = re.compile(r"\b(DC|warehouse|distribution cent(?:er|re)|depot|plant|factory|store|shop)\s+(?:in|at)\s+$",
                          re.I)
_CITY_ZH_RE = "|".join(sorted(CITY_ZH.values(), key=len, reverse=True))

# Companies and brands a planner may name that are not in the data (general knowledge, like the
# city names): named, they get a question, not a guess among the catalog's products.
_PHONE_BRANDS = ["小米", "红米", "华为", "荣耀", "苹果", "三星", "联想", "戴尔", "惠普", "华硕", "宏碁", "索尼", "魅族",
                 "一加", "中兴", "努比亚", "摩托罗拉", "诺基亚", "iphone", "ipad", "macbook", "xiaomi", "redmi",
                 "huawei", "samsung", "lenovo", "thinkpad", "oppo", "vivo", "oneplus", "realme", "meizu",
                 "galaxy", "motorola", "nokia", "anker", "airpods"]
_SUPPLIER_BRANDS = ["台积电", "富士康", "鸿海", "京东方", "宁德时代", "比亚迪", "立讯", "歌尔", "中芯国际", "中芯", "高通", "联发科",
                    "英特尔", "英伟达", "美光", "海力士", "长江存储", "村田", "tsmc", "foxconn", "boe", "catl", "byd",
                    "luxshare", "goertek", "smic", "qualcomm", "mediatek", "intel", "nvidia", "micron", "hynix",
                    "sk hynix", "murata", "pegatron", "wistron", "quanta", "broadcom", "amd"]
_BRANDS = "|".join(sorted(map(re.escape, _PHONE_BRANDS + _SUPPLIER_BRANDS), key=len, reverse=True))
_BRAND_RE = (r"(?i)(?<![A-Za-z])(" + _BRANDS.replace("三星", "三星(?!期)") + r")(?:'s)?"
             r"(?:\s?[A-Za-z]{0,2}\d+[A-Za-z]*(?:\s?(?:pro|max|ultra|plus|mini|se))*)?(?![A-Za-z])")
_SUPPLIER_BRANDS_SET = set(_SUPPLIER_BRANDS)
_ACRONYMS = set("""
ets arima tsb imapa adida eoq poq moq moqs mrp sku skus dc dcs cny rmb usd eur jpy html csv pdf json xlsx xls api erp
wms tms kpi kpis sla slas eta etd otif fifo lifo abc xyz ytd mtd qtd asap fyi faq cpu gpu ssd ram lcd oled usb gan pcb
pcba bom boms qty pcs vmi sop mps atp ctp cogs fob cif exw ddp ltl ftl vrp cvrp milp ai llm gmv ems odm oem utc gmt nb
ok id ids hk uk usa eu prc ceo cfo coo hq qa qc kg km gb tb mb mah mrp lgbm nvme ufs soc pmic ips mlcc fpc sim pos po
wip aps mes plm crm edi rfid gps iot roi nps cagr yoy mom wow dos doh eoh soh ats lt ss rop eod eom eoy tbd na
""".split())
_CAPS_WORDS = set("""
all now not only new urgent top max min total sum avg and the for any each every must need note yes stop cancel none per
via etc day today tomorrow order orders buy more less high low late early fast slow big small important critical help
asap pls thx tbc wtf omg lol
""".split())

_GROUP_WORDS: dict[tuple[str, ...], tuple[str | None, str | None]] = {}
for _fam, _words in FAMILY_WORDS.items():
    for _w in _words:
        _GROUP_WORDS[_toks(_w)] = (_fam, None)
for _kind, _words in KIND_WORDS.items():
    for _w in _words:
        _GROUP_WORDS[_toks(_w)] = (None, _kind)


_SPEC = re.compile(r"(?<![A-Za-z0-9.])(\d+)\s*(GB|TB|G|T)(?![A-Za-z])", re.I)
_ACCESSORY_USE = {"AC002": ("earbuds", "耳机"), "AC003": ("power bank", "移动电源", "充电宝"), "AC001": ("charger", "充电器")}
"""Words a part's name uses for the accessory it goes into ("纽扣锂电芯 60mAh (耳机)")."""


_PART_SYNONYMS = ((r"\breplacements?\b|\bspares?\b", " spare "), (r"\bscreens?\b", " display "),
                  (r"屏幕|显示屏|换屏|(?<![显示])屏(?=备件|备品)", " 显示屏总成 "), (r"替换件|更换件|备用件?|维修件", " 备件 "))
"""Everyday words for what a part is ("replacement screens", "屏幕备件"), read as the words its
name uses ("Spare display assembly", "备件 显示屏总成")."""


def _part_synonyms(window: str) -> str:
    """The text near a product, with the words of part names its everyday words stand for added."""
    extra = [word for pat, word in _PART_SYNONYMS if re.search(pat, window)]
    return window + " " + " ".join(extra) if extra else window


def _gb(m: re.Match[str]) -> int:
    return int(m.group(1)) * (1024 if m.group(2).upper().startswith("T") else 1)


_NOT_BEFORE = {"总成": "汇"}
"""Chinese part-word ends that are also the end of an everyday word, with the character before them there."""


def _zh_suffix_hit(word: str, window: str) -> int:
    """The longest end of a Chinese name word found near the product ("电芯" of "锂电芯"): its length, 0 if none.
    An end that is only part of an everyday word there ("总成" of "汇总成") does not count."""
    for k in range(len(word), 1, -1):
        if re.search(rf"(?<!{_NOT_BEFORE.get(word[-k:], '^')}){re.escape(word[-k:])}", window):
            return k
    return 0


def _in_window(word: str, window: str) -> bool:
    """Is a word of a part's name in the text near the product ("assembly" for "assemblies")?"""
    if not word.isascii():
        return word in window
    stem = word[:max(4, len(word) - 1)] if len(word) > 4 else word
    return re.search(rf"(?<![a-z]){re.escape(stem)}", window) is not None


def _subsequence(short: list[str], long: tuple[str, ...]) -> bool:
    it = iter(long)
    return all(any(t == x for x in it) for t in short)


def _edit_distance(a: str, b: str) -> int:
    """Optimal string alignment distance: typing errors, a swap of two letters counting one."""
    d = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) + 1):
        d[i][0] = i
    for j in range(len(b) + 1):
        d[0][j] = j
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[-1][-1]


def _word_bounded(text: str, a: int, b: int) -> bool:
    """A latin match must not cut a word ("pad" inside "padding")."""
    before = text[a - 1] if a > 0 else " "
    after = text[b] if b < len(text) else " "
    if text[a].isascii() and text[a].isalnum() and before.isascii() and before.isalnum():
        return False
    return not (text[b - 1].isascii() and text[b - 1].isalnum() and after.isascii() and after.isalnum())


def _location_zh(kind: str, name: str, city: str | None, region: str | None) -> str | None:
    """A Chinese name for a location from its kind, city and region ("华东配送中心（上海）")."""
    c, r = CITY_ZH.get(city or ""), REGION_ZH.get(region or "")
    if kind == "dc" and r:
        return f"{r}配送中心（{c}）" if c else f"{r}配送中心"
    if kind == "plant" and c:
        return f"{c}工厂"
    if kind == "store" and c:
        return f"{c}{'旗舰店' if 'Flagship' in name else '体验店'}"
    return None


def _str(v: Any) -> str | None:
    if v is None or (isinstance(v, float) and v != v):
        return None
    return str(v)


def _alias_rows() -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    for path in (Path(__file__).parent / "data" / "aliases.csv", config.home() / "aliases.csv"):
        if path.is_file():
            with path.open(encoding="utf-8") as f:
                rows += [(r["code"], r["alias"]) for r in csv.DictReader(f) if r.get("code") and r.get("alias")]
    return rows
