"""Multi-turn context: what was asked last, and what question is waiting for an answer.

A follow-up ("那深圳仓呢？", "and for laptops?", "same, but with EOQ") reuses the last call
and changes only what it names; an answer to a clarifying question ("华强电子", "the Chengdu
one") is put in the place of the words that were unclear, and the original instruction is
read again — so the completed call goes through exactly the same checks as a first one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from supplypilot.nlp.catalog import Catalog, Entity
from supplypilot.nlp.intents import FLOW_ORDER
from supplypilot.nlp.text import tokens

if TYPE_CHECKING:
    from supplypilot.nlp.clarify import Clarification
    from supplypilot.nlp.parser import ParseResult, ToolCall

__all__ = ["Session", "is_followup", "merge_args", "switch_entity"]

_FOLLOW_ZH = re.compile(r"^(?:那|那么|那如果|换成|改成|改为|改用|用|再|还有|如果是|要是是|同样|也)|呢[?？。!！]*$|"
                        r"^[\u4e00-\u9fff]{1,5}(?:改成|改为|换成|改用|调成|调到|调整为|设成|设为|换为)")
_FOLLOW_EN = re.compile(r"^(?:and\b|what about\b|how about\b|same\b|also\b|instead\b|now\b|but\b|then\b|ok,? and\b)"
                        r"|\binstead\b|\bas well\b|^(?:switch|change)\b.{0,30}\bto\b|^make it\b|^(?:use|using|with)\b"
                        r"|^(?:actually|wait|hmm|oh|sorry)\b|^(?:push|move|shift|bump|change|switch|set|pull) (?:it|that|this)\b",
                        re.I)
_ALSO = r"也|再|还|同时|另外|加上|外加|叠加|\balso\b|\btoo\b|\bas well\b|\badditionally\b|\bplus\b|\bon top\b|" \
        r"\bin addition\b|\bbesides\b|\bas well as\b"
# "make it both plants", "改成两个工厂一起排": the follow-up widens the call to every site of a kind
_ALL_SITES = (("plant", r"两个工厂|两家工厂|两座工厂|两个厂|所有工厂|全部工厂|各个?工厂|每个工厂|"
                        r"\b(?:both|all|all the|every|each) (?:of the |of our )?plants?\b"),
              ("depot", r"所有(?:的)?仓|全部(?:的)?仓|各个?仓|每个仓|\b(?:all|all the|every|each) (?:dcs?|depots?|warehouses?)\b"))
_FILLER = {"the", "one", "a", "an", "version", "please", "that", "this", "那个", "这个", "的", "吧", "呢", "是",
           "那", "要", "就", "一个", "option", "model", "variant", "款", "个"}
ADDING = _ALSO + r"|\badd(?:ing)?\b|\binclude\b|加进|加入|补上|带上"
"""Words that add to the last request ("add production too", "库存也加上")."""


def is_followup(text: str) -> bool:
    """Does the instruction lean on the previous one ("那…呢", "and for…", "what about…")?"""
    t = text.strip()
    return bool(_FOLLOW_ZH.search(t) or _FOLLOW_EN.search(t))


@dataclass
class Session:
    """The conversation so far, kept in memory (nothing is written to the store).

    Examples
    --------
    >>> s = Session()
    >>> s.last_call is None and s.pending is None
    True
    """

    turns: list[ParseResult] = field(default_factory=list)
    last_call: ToolCall | None = None
    pending: Clarification | None = None

    def __repr__(self) -> str:
        last = self.last_call.name if self.last_call else None
        return f"Session(turns={len(self.turns)}, last_call={last!r}, pending={self.pending is not None})"

    def record(self, result: ParseResult) -> None:
        """Remember a parse: its call becomes the context, its question waits for an answer."""
        self.turns.append(result)
        if result.calls:
            self.last_call = result.calls[-1]
            self.pending = None
        elif result.clarification is not None and result.clarification.span is not None:
            self.pending = result.clarification
        else:
            self.pending = None

    def resolve(self, text: str, catalog: Catalog) -> str | None:
        """The pending instruction completed with ``text`` as the answer; ``None`` when
        ``text`` does not pick exactly one of the candidates (then it is a new instruction)."""
        p = self.pending
        if p is None or p.span is None or not p.candidates:
            return None
        pick = pick_candidate(text, p.candidates, catalog)
        if pick is None:
            return None
        a, b = p.span
        return p.text[:a] + pick.code + p.text[b:]


def pick_candidate(text: str, candidates: tuple[Entity, ...], catalog: Catalog) -> Entity | None:
    """The one candidate an answer names: by code or name, by city, by an ordinal ("第二个",
    "the 2nd") or by the words that tell candidates apart ("the 32GB+1TB one")."""
    codes = {e.code for e in candidates}
    hits = {e.code for m in catalog.link(text) for e in m.entities if e.code in codes}
    if len(hits) == 1:
        return catalog.entities[hits.pop()]
    m = re.search(r"第([一二三四五六七八九1-9])个|\b(first|second|third|fourth|1st|2nd|3rd|4th)\b|^\s*(\d)\s*$", text, re.I)
    if m:
        raw = next(g for g in m.groups() if g)
        idx = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "first": 1,
               "second": 2, "third": 3, "fourth": 4, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4}.get(raw.lower()) \
            or int(raw)
        if 1 <= idx <= len(candidates):
            return candidates[idx - 1]
    words = [t for t, _, _ in tokens(text) if t not in _FILLER]
    v = re.search(r"\d+\s*(?:gb|g|tb|t)\b(?:\s*[+/]\s*\d+\s*(?:gb|g|tb|t)\b)?", text.lower(), re.A)
    if v:  # "the 512GB version", "the 32GB+1TB one": the variant alone tells them apart
        words = [t for t, _, _ in tokens(v.group(0))]
    words = ["gb" if w == "g" else "tb" if w == "t" else w for w in words]
    if not words:
        return None
    fits = [e for e in candidates if any(_contains(_name_tokens(n), words)
                                         for n in (e.code, e.name, e.name_zh or "", e.city or ""))]
    return fits[0] if len(fits) == 1 else None


def _name_tokens(name: str) -> list[str]:
    return [t for t, _, _ in tokens(name)]


def _contains(hay: list[str], needle: list[str]) -> bool:
    n = len(needle)
    return any(hay[i:i + n] == needle for i in range(len(hay) - n + 1))


def merge_args(tool: str, old: dict[str, Any], new: dict[str, Any], text: str) -> dict[str, Any]:
    """The previous call's arguments with what the follow-up changes."""
    out = dict(old)
    if tool == "what_if":
        edits = list(old.get("edits", []))
        if new.get("edits"):
            out["edits"] = edits + new["edits"] if re.search(_ALSO, text, re.I) else new["edits"]
        for k in ("name", "period_days"):
            if k in new:
                out[k] = new[k]
        return out
    if "items" in new and old.get("by") == "family" and "by" not in new:
        out.pop("by", None)
    for slot, pat in _ALL_SITES:
        if slot not in new and re.search(pat, text, re.I):
            out.pop(slot, None)
    if re.search(ADDING, text, re.I) and old.get("targets") and new.get("targets"):
        # "add production too", "把发货量也加上": the flows named join the earlier ones (in the tool's order)
        both = set(old["targets"]) | set(new["targets"])
        new = {**new, "targets": [t for t in FLOW_ORDER if t in both] + sorted(both - set(FLOW_ORDER))}
    out.update(new)
    return out



def change_number(edits: list[dict[str, Any]], days: int | None, pct: float | None,
                  units: float | None, sign: int | None = None) -> list[dict[str, Any]] | None:
    """"and if it's 20 days instead?": the last edit with its number replaced. ``sign``: the
    direction the follow-up states ("a 10% drop instead": -1), else the last edit's is kept."""
    if not edits:
        return None
    last = dict(edits[-1])
    if days is not None and "days" in last:
        keep = 1 if last["days"] >= 0 else -1
        last["days"] = (sign or keep) * abs(float(days))
    elif pct is not None and last.get("pct") is not None:
        keep = 1 if last["pct"] >= 0 else -1
        last["pct"] = (sign or keep) * abs(pct)
    elif units is not None and last.get("capacity") is not None:
        last["capacity"] = units
    else:
        return None
    return edits[:-1] + [last]


_EDIT_SLOTS = ("supplier", "node", "src", "dst", "product")


def switch_entity(edits: list[dict[str, Any]], entities: list[tuple[Entity, ...]],
                  catalog: Catalog) -> list[dict[str, Any]] | None:
    """"换成京东呢" / "make it Penang Interconnect instead": the last edit with the one entity
    the follow-up names put in the place of the entity of the same kind; ``None`` when the
    follow-up names no single entity, or none that fits exactly one slot of the edit."""
    if not edits or len(entities) != 1:
        return None
    last = dict(edits[-1])
    olds = [(slot, catalog.entities[last[slot]]) for slot in _EDIT_SLOTS
            if last.get(slot) in catalog.entities]
    fits: list[tuple[str, str]] = []
    for exact in (True, False):  # a store for a customer, a DC for a plant only when nothing fits exactly
        for slot, old in olds:
            same = {e.code for e in entities[0] if e.kind == old.kind and (e.subkind == old.subkind or not exact)}
            if len(same) == 1:
                fits.append((slot, same.pop()))
        if fits:
            break
    if len(fits) != 1 or fits[0][1] == last[fits[0][0]]:
        return None
    slot, code = fits[0]
    last[slot] = code
    return edits[:-1] + [last]
