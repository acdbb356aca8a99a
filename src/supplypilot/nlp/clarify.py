"""Clarifying questions, in the user's language.

A question names what was not understood and offers the candidates from the catalog, so the
user can answer with a word ("华南仓", "the Chengdu one"). It never states a fact: nothing
here comes from a tool result.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from supplypilot.nlp.catalog import Entity
from supplypilot.nlp.text import Language

__all__ = ["Clarification", "question"]

KINDS = ("unknown_entity", "ambiguous_entity", "missing_slot", "unsupported", "ambiguous_intent",
         "invalid_argument", "model_failed")


@dataclass
class Clarification:
    """Why the instruction became a question, and how an answer completes it."""

    kind: str
    """One of :data:`KINDS`."""
    question: str
    slot: str | None = None
    candidates: tuple[Entity, ...] = ()
    tool: str | None = None
    text: str = ""
    """The instruction the answer completes (by replacing :attr:`span`)."""
    span: tuple[int, int] | None = None
    partial_args: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "question": self.question, "slot": self.slot, "tool": self.tool,
                "candidates": [e.code for e in self.candidates]}


_SLOT = {
    "item": ("item", "物料"), "location": ("location", "地点"), "depot": ("DC", "配送中心"),
    "plant": ("plant", "工厂"), "node": ("site", "节点"), "supplier": ("supplier", "供应商"),
    "days": ("number of days", "天数"), "pct": ("percentage", "百分比"), "capacity": ("capacity", "能力上限"),
    "edits": ("change to simulate", "要模拟的变化"), "ref": ("record", "记录"),
}
_KIND = {"supplier": ("supplier", "供应商"), "store": ("store", "门店"), "plant": ("plant", "工厂"),
         "dc": ("DC / warehouse", "仓库"), "item": ("item", "物料")}
_TOOL = {
    "forecast_demand": ("forecast demand", "预测需求"), "forecast_flows": ("project flows", "预测库存/生产/物流量"),
    "inventory_position": ("look up stock", "查询库存"), "inventory_policy": ("compute an inventory policy", "计算库存策略"),
    "demand_history": ("show demand history", "查询历史需求"), "what_if": ("run the what-if", "做情景分析"),
    "plan_purchasing": ("plan purchasing", "制定采购计划"), "plan_production": ("schedule production", "排产"),
    "plan_routes": ("plan routes", "规划配送路线"), "lineage": ("trace the lineage", "追溯数据"),
    "list_suppliers": ("list suppliers", "查询供应商"), "dispatch_instructions": ("write instructions", "生成调度指令"),
}
_EXAMPLES_SLOT = {"edits": ("e.g. “what if SUP-HQE's lead time grows by a week”, “what if demand at ST-SUZ-01 "
                            "rises 30%”, “what if DC-EAST closes”",
                            "例如：“如果华强电子的交货期延长一周”“如果苏州门店需求增长30%”“如果华东仓关闭”"),
                  "days": ("e.g. “by one week”", "例如“延长一周”")}


def _names(cands: tuple[Entity, ...], lang: Language, limit: int = 10) -> str:
    """Candidates by code and name; a long list is cut without a count (a question states
    no number that a tool did not produce)."""
    shown = [e.label(lang) for e in cands[:limit]]
    more = len(cands) > limit
    if lang == "zh":
        return "、".join(shown) + ("等" if more else "")
    return ", ".join(shown) + (", …" if more else "")


def question(kind: str, lang: Language, *, slot: str | None = None, text: str = "",
             candidates: tuple[Entity, ...] = (), tool: str | None = None, what: str | None = None) -> str:
    """The question to ask for a clarification of ``kind``."""
    zh = lang == "zh"
    cands = _names(candidates, lang) if candidates else ""
    if kind == "unknown_entity":
        k_en, k_zh = _KIND.get(slot or "", ("name", "名称"))
        if zh:
            return f"数据中没有“{text}”这个{k_zh}。" + (f"您是指以下哪一个：{cands}？" if cands else "请换一个名称或编码。")
        return f"There is no {k_en} “{text}” in the data." + (f" Did you mean one of: {cands}?" if cands
                                                              else " Please use another name or code.")
    if kind == "ambiguous_entity":
        if zh:
            return f"“{text}”对应多个对象：{cands}。请问是哪一个？"
        return f"“{text}” matches several: {cands}. Which one do you mean?"
    if kind == "missing_slot":
        s_en, s_zh = _SLOT.get(slot or "", (slot or "detail", slot or "信息"))
        t_en, t_zh = _TOOL.get(tool or "", ("do this", "执行"))
        ex_en, ex_zh = _EXAMPLES_SLOT.get(slot or "", ("", ""))
        if zh:
            return f"要{t_zh}，请告诉我{s_zh}。" + (f"例如：{cands}。" if cands else ex_zh)
        return f"To {t_en}, which {s_en} should I use?" + (f" For example: {cands}." if cands else
                                                          (f" ({ex_en})" if ex_en else ""))
    if kind == "unsupported":
        if zh:
            return ("这超出了我能做的范围：我基于数据做预测、库存、采购、排产、配送路线、情景分析、"
                    "调度指令和报告，不发送消息、不下订单、不修改或删除数据。请问有哪项计划工作需要我做？")
        return ("That is outside what I can do: I forecast, check stock, set policies, plan purchasing, "
                "production and routes, run what-ifs and write instructions and reports from the data; I do "
                "not send messages, place orders or change data. What planning task can I help with?")
    if kind == "ambiguous_intent":
        about = f"“{what}”" if what else ""
        if zh:
            return (f"请问您想对{about or '哪方面'}做什么：预测需求、查询库存、计算库存策略、查询历史销量，"
                    "还是做采购/排产/配送计划？")
        return (f"What would you like to do{' with ' + about if about else ''}: forecast demand, check stock, "
                "compute an inventory policy, look at past sales, or plan purchasing, production or routes?")
    if kind == "invalid_argument":
        return (f"这个请求的参数无效：{text}。请修改后再试。" if zh
                else f"The request has an invalid parameter: {text} Please rephrase it.")
    if kind == "model_failed":
        return (f"语言模型没能给出有效的工具调用（{text}）。请换一种说法，或说明要{_TOOL.get(tool or '', ('', '做什么'))[1]}。"
                if zh else f"The language model did not produce a valid tool call ({text}). Could you rephrase?")
    raise ValueError(f"unknown clarification kind {kind!r}")
