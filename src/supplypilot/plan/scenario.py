"""What-if scenarios: typed edits of a :class:`~supplypilot.plan.network.NetworkModel`.

A scenario is data, not code: a name, a description and a list of edits, each a pydantic model
told apart by its ``kind`` (``demand_change``, ``lane_prohibited``, ``node_closed``...). Being
data, a scenario can be saved as JSON, listed, sent by the language layer or the REST API,
and validated by the same model everywhere. :func:`apply` edits a *copy* of the baseline;
:func:`compare` explains the difference in English and Chinese.

Lead times are priced, not constrained (see :mod:`supplypilot.plan.network`):
:class:`SupplierLeadTime` changes the lead-time inventory cost of that supplier's units
(``holding_cost_per_day × days``), so a slower supplier loses volume to faster ones where
that pays. It has no effect on a model whose holding cost is 0.

Scenarios are stored as one JSON file each under ``supplypilot.config.home() / "scenarios"``
(:class:`ScenarioStore`): readable, diffable, and independent of the database schema.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from supplypilot import config
from supplypilot.errors import InputError
from supplypilot.plan.network import NetworkModel, NetworkResult, Node, unknown

__all__ = [
    "DemandChange", "Edit", "LaneCapacity", "LaneCost", "LaneProhibited", "NewLane",
    "NewSupplier", "NodeClosed", "Scenario", "ScenarioDiff", "ScenarioStore", "SupplierCapacity",
    "SupplierLeadTime", "apply", "compare", "compare_side_by_side",
]

COST_WORDS_ZH = {"purchase": "采购", "transport": "运输", "production": "生产",
                 "handling": "仓储作业", "lead_time": "提前期库存", "fixed": "固定",
                 "shortage": "缺货惩罚"}


def _num(v: float) -> str:
    return f"{v:,.0f}" if abs(v - round(v)) < 1e-9 else f"{v:,.2f}"


def _pct(v: float) -> str:
    return f"{v:+g}%"


def _input_error(owner: str, exc: ValidationError) -> InputError:
    """One pydantic error in the house shape: "The 'pct' parameter of DemandChange must be ..."."""
    err = exc.errors(include_url=False)[0]
    loc = [str(x) for x in err["loc"]]
    tag = next((x for x in loc if x in _KINDS), None)
    if tag is not None:
        owner = _KINDS[tag].__name__
        loc = loc[loc.index(tag) + 1:]
    param = loc[-1] if loc else "arguments"
    ctx, typ, got = err.get("ctx", {}), err["type"], err.get("input")
    if typ == "value_error":
        inner = ctx.get("error")
        if isinstance(inner, InputError):  # an edit's own check, already in the house shape
            return inner
        return InputError(str(inner or err["msg"]), where=param if loc else owner)
    if typ == "missing":
        return InputError(f"The {param!r} parameter of {owner} is required. Got nothing instead.",
                          where=param)
    if typ == "extra_forbidden":
        return InputError(f"{param!r} is not a parameter of {owner}. Got {got!r} for it.",
                          where=param)
    if typ in ("union_tag_invalid", "union_tag_not_found"):
        return InputError(f"The 'kind' parameter of an edit must be one of {sorted(_KINDS)}. "
                          f"Got {ctx.get('tag', got)!r} instead.", where="kind")
    expect = {"greater_than": lambda: f"a number > {ctx['gt']:g}",
              "greater_than_equal": lambda: f"a number >= {ctx['ge']:g}",
              "string_too_short": lambda: "a non-empty text",
              "string_type": lambda: "a text"}.get(typ)
    what = expect() if expect else ("a finite number" if "float" in typ or "finite" in typ
                                    else err["msg"].lower())
    return InputError(f"The {param!r} parameter of {owner} must be {what}. Got {got!r} instead.",
                      where=param)


class _Edit(BaseModel):
    """Common base: strict fields, errors in the house shape, and ``apply_to``."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    def __init__(self, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as exc:
            raise _input_error(type(self).__name__, exc) from None

    def apply_to(self, model: NetworkModel) -> None:  # pragma: no cover - every edit has one
        raise NotImplementedError

    def _node(self, model: NetworkModel, name: str, param: str, kinds: tuple[str, ...]) -> Node:
        node = model.node(name, type(self).__name__)
        if node.kind not in kinds:
            raise InputError(f"The {param!r} parameter of {type(self).__name__} must name a "
                             f"{' or '.join(kinds)}. Got {name!r} (a {node.kind}) instead.",
                             where=param)
        return node


def _one_of(edit: Any, a: str, b: str) -> Any:
    if (getattr(edit, a) is None) == (getattr(edit, b) is None):
        raise ValueError(f"{type(edit).__name__} needs exactly one of {a!r} and {b!r}. "
                         f"Got {a}={getattr(edit, a)!r}, {b}={getattr(edit, b)!r} instead.")
    return edit


Pct = Annotated[float, Field(gt=-100, description="Change in percent, > -100 (-100 is zero).")]


class DemandChange(_Edit):
    """Scale demand at one customer (or all with ``node=None``), one product or all."""

    kind: Literal["demand_change"] = "demand_change"
    node: str | None = Field(None, description="Customer; None: every customer.")
    product: str | None = Field(None, description="Product; None: every product.")
    pct: Pct

    def apply_to(self, model: NetworkModel) -> None:
        if self.product is not None and self.product not in model.products:
            raise unknown("product", self.product, "DemandChange", model.products)
        names = [self._node(model, self.node, "node", ("customer",)).name] if self.node else \
            [n for n, nd in model.nodes.items() if nd.kind == "customer"]
        f = 1.0 + self.pct / 100.0
        for n in names:
            dem = model.node(n).demand
            if self.node and self.product and self.product not in dem:
                raise InputError(f"The 'product' parameter of DemandChange must be a product "
                                 f"{n!r} demands ({sorted(dem)}). Got {self.product!r} instead.",
                                 where="product")
            new = {p: q * f if self.product in (None, p) else q for p, q in dem.items()}
            model.replace_node(n, demand=new, products=tuple(new))
        where = self.node or "every customer"
        what = f" for {self.product}" if self.product else ""
        model.note_change(f"changing demand at {where}{what} by {_pct(self.pct)}",
                          f"{where} 的{self.product or ''}需求变化 {_pct(self.pct)}", names)


class LaneProhibited(_Edit):
    """Forbid a lane (all modes, or one ``mode``)."""

    kind: Literal["lane_prohibited"] = "lane_prohibited"
    src: str
    dst: str
    mode: str | None = None

    def apply_to(self, model: NetworkModel) -> None:
        for ln in model.lanes_between(self.src, self.dst, self.mode, "LaneProhibited"):
            model.remove_lane(ln)
        model.note_change(f"prohibiting lane {self.src}→{self.dst}",
                          f"禁用线路 {self.src}→{self.dst}", [self.src, self.dst])


class LaneCapacity(_Edit):
    """Set the capacity of a lane (units over the planning period)."""

    kind: Literal["lane_capacity"] = "lane_capacity"
    src: str
    dst: str
    capacity: float = Field(ge=0, description="Units the lane can carry, >= 0.")
    mode: str | None = None

    def apply_to(self, model: NetworkModel) -> None:
        for ln in model.lanes_between(self.src, self.dst, self.mode, "LaneCapacity"):
            model.replace_lane(ln, capacity=self.capacity)
        model.note_change(f"limiting lane {self.src}→{self.dst} to {_num(self.capacity)} units",
                          f"将线路 {self.src}→{self.dst} 的运力限制为 {_num(self.capacity)} 单位",
                          [self.src, self.dst])


class LaneCost(_Edit):
    """Set a lane's cost per unit (``cost``) or change it by ``pct`` percent."""

    kind: Literal["lane_cost"] = "lane_cost"
    src: str
    dst: str
    cost: float | None = Field(None, ge=0, description="New cost per unit, >= 0.")
    pct: Pct | None = None
    mode: str | None = None

    _check = model_validator(mode="after")(lambda self: _one_of(self, "cost", "pct"))

    def apply_to(self, model: NetworkModel) -> None:
        for ln in model.lanes_between(self.src, self.dst, self.mode, "LaneCost"):
            if self.cost is not None:
                new: Any = self.cost
            else:
                f = 1.0 + (self.pct or 0.0) / 100.0
                new = {p: c * f for p, c in ln.cost.items()} if isinstance(ln.cost, Mapping) \
                    else float(ln.cost) * f
            model.replace_lane(ln, cost=new)
        how = f"to {_num(self.cost)}" if self.cost is not None else f"by {_pct(self.pct or 0)}"
        zh = f"为 {_num(self.cost)}" if self.cost is not None else f"{_pct(self.pct or 0)}"
        model.note_change(f"changing the cost of lane {self.src}→{self.dst} {how}",
                          f"线路 {self.src}→{self.dst} 的单位成本调整{zh}", [self.src, self.dst])


class SupplierCapacity(_Edit):
    """Set a supplier's capacity (``capacity``) or change every limit it has by ``pct``.

    With ``product`` the edit targets that product's limit. Without it, ``capacity`` becomes
    the supplier's one limit over all its products (per-product limits are dropped, as "it can
    now deliver 120 units" means) and ``pct`` scales every limit it has.
    """

    kind: Literal["supplier_capacity"] = "supplier_capacity"
    supplier: str
    capacity: float | None = Field(None, ge=0, description="New capacity in units, >= 0.")
    pct: Pct | None = None
    product: str | None = None

    _check = model_validator(mode="after")(lambda self: _one_of(self, "capacity", "pct"))

    def apply_to(self, model: NetworkModel) -> None:
        node = self._node(model, self.supplier, "supplier", ("supplier",))
        f = 1.0 + (self.pct or 0.0) / 100.0
        per, total = dict(node.product_capacity), node.capacity
        if self.product is not None:
            if self.product not in node.products:
                raise InputError(f"The 'product' parameter of SupplierCapacity must be a product "
                                 f"{node.name!r} sells ({list(node.products)}). "
                                 f"Got {self.product!r} instead.", where="product")
            if self.capacity is None and self.product not in per:
                raise InputError(f"The 'pct' parameter of SupplierCapacity needs a limit to scale: "
                                 f"{node.name!r} has none for {self.product!r}. Give 'capacity' "
                                 f"instead.", where="pct")
            per[self.product] = self.capacity if self.capacity is not None \
                else per[self.product] * f
        elif self.capacity is not None:
            per, total = {}, self.capacity
        else:
            if total is None and not per:
                raise InputError(f"The 'pct' parameter of SupplierCapacity needs a limit to "
                                 f"scale: {node.name!r} has no capacity. Give 'capacity' "
                                 f"instead.", where="pct")
            per = {p: c * f for p, c in per.items()}
            total = None if total is None else total * f
        model.replace_node(node.name, product_capacity=per, capacity=total)
        how = f"to {_num(self.capacity)} units" if self.capacity is not None else \
            f"by {_pct(self.pct or 0)}"
        zh = f"为 {_num(self.capacity)} 单位" if self.capacity is not None else \
            f"{_pct(self.pct or 0)}"
        model.note_change(f"changing the capacity of supplier {node.name} {how}",
                          f"供应商 {node.name} 的产能调整{zh}", [node.name])


class SupplierLeadTime(_Edit):
    """Lengthen (or shorten, with negative ``days``) a supplier's lead time.

    Priced as lead-time inventory: each unit bought costs ``days × holding_cost_per_day``
    more (or less), so volume moves to faster suppliers where that pays.
    """

    kind: Literal["supplier_lead_time"] = "supplier_lead_time"
    supplier: str
    days: float = Field(description="Days added to the lead time (negative: shorter).")

    def apply_to(self, model: NetworkModel) -> None:
        node = self._node(model, self.supplier, "supplier", ("supplier",))
        new = node.lead_time + self.days
        if new < 0:
            raise InputError(f"The 'days' parameter of SupplierLeadTime must leave a lead time "
                             f">= 0 ({node.name!r} has {_num(node.lead_time)} days). "
                             f"Got {self.days!r} instead.", where="days")
        model.replace_node(node.name, lead_time=new)
        model.note_change(f"changing the lead time of supplier {node.name} by {self.days:+g} days",
                          f"供应商 {node.name} 的提前期变化 {self.days:+g} 天", [node.name])


class NewSupplier(_Edit):
    """Add a supplier; give it lanes with :class:`NewLane` edits after this one."""

    kind: Literal["new_supplier"] = "new_supplier"
    name: str = Field(min_length=1)
    capacity: float | dict[str, float] | None = Field(
        None, description="Units in all, or per product (which also says what it sells).")
    products: list[str] | None = None
    unit_cost: float | dict[str, float] = 0.0
    lead_time: float = Field(0.0, ge=0)

    def apply_to(self, model: NetworkModel) -> None:
        model.add_supplier(self.name, self.capacity, products=self.products,
                           unit_cost=self.unit_cost, lead_time=self.lead_time)
        model.note_change(f"adding supplier {self.name}", f"新增供应商 {self.name}", [self.name])


class NewLane(_Edit):
    """Add a lane between two existing nodes."""

    kind: Literal["new_lane"] = "new_lane"
    src: str
    dst: str
    products: list[str] | None = None
    cost: float | dict[str, float] = 0.0
    capacity: float | None = Field(None, ge=0)
    lead_time: float = Field(0.0, ge=0)
    mode: str = "road"

    def apply_to(self, model: NetworkModel) -> None:
        model.node(self.src, "NewLane")  # name the edit in an unknown-node error
        model.node(self.dst, "NewLane")
        model.add_lane(self.src, self.dst, self.products, cost=self.cost,
                       capacity=self.capacity, lead_time=self.lead_time, mode=self.mode)
        model.note_change(f"adding lane {self.src}→{self.dst}", f"新增线路 {self.src}→{self.dst}",
                          [self.src, self.dst])


class NodeClosed(_Edit):
    """Close a supplier, plant or DC: no lane touching it is used."""

    kind: Literal["node_closed"] = "node_closed"
    node: str

    def apply_to(self, model: NetworkModel) -> None:
        self._node(model, self.node, "node", ("supplier", "plant", "dc"))
        model.replace_node(self.node, open=False)
        model.note_change(f"closing {self.node}", f"关闭 {self.node}", [self.node])


_EDITS = (DemandChange, LaneProhibited, LaneCapacity, LaneCost, SupplierCapacity,
          SupplierLeadTime, NewSupplier, NewLane, NodeClosed)
_KINDS: dict[str, type[_Edit]] = {e.model_fields["kind"].default: e for e in _EDITS}
Edit = Annotated[DemandChange | LaneProhibited | LaneCapacity | LaneCost | SupplierCapacity
                 | SupplierLeadTime | NewSupplier | NewLane | NodeClosed,
                 Field(discriminator="kind")]
"""Any one edit; the ``kind`` field says which."""


class Scenario(BaseModel):
    """A named what-if: edits applied in order to a copy of the baseline.

    Examples
    --------
    >>> s = Scenario(name="no roastery2", edits=[{"kind": "node_closed", "node": "roastery2"}])
    >>> s.edits[0]
    NodeClosed(kind='node_closed', node='roastery2')
    """

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100, description="Unique name; also the file name.")
    description: str = Field("", description="What the scenario asks, in a sentence.")
    edits: list[Edit] = Field(default_factory=list, description="Edits, applied in order.")

    def __init__(self, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as exc:
            raise _input_error("Scenario", exc) from None

    @classmethod
    def from_json(cls, text: str, where: str = "scenario") -> Scenario:
        """Parse a scenario from JSON text; ``where`` (e.g. the file) is named in errors."""
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(f"A scenario must be a JSON object: {exc}.", where=where) from exc
        if not isinstance(data, dict):
            raise InputError(f"A scenario must be a JSON object. Got {type(data).__name__} "
                             "instead.", where=where)
        return cls(**data)


def apply(model: NetworkModel, scenario: Scenario) -> NetworkModel:
    """The baseline with the scenario's edits, as a new model; ``model`` is left unchanged."""
    out = model.copy()
    out.name = scenario.name
    for edit in scenario.edits:
        edit.apply_to(out)
    return out


# --------------------------------------------------------------------------- comparing


@dataclass
class ScenarioDiff:
    """How a scenario's plan differs from the baseline's, in numbers and in sentences."""

    baseline: str
    scenario: str
    status: str
    cost_baseline: float | None
    cost_scenario: float | None
    cost_delta: float | None
    cost_delta_pct: float | None
    service_baseline: float | None
    service_scenario: float | None
    service_delta: float | None
    cost_parts_delta: dict[str, float] = field(default_factory=dict)
    flow_changes: pd.DataFrame = field(default_factory=pd.DataFrame)
    newly_binding: list[str] = field(default_factory=list)
    relieved: list[str] = field(default_factory=list)
    sentences_en: list[str] = field(default_factory=list)
    sentences_zh: list[str] = field(default_factory=list)

    def summary(self, lang: Literal["en", "zh"] = "en") -> str:
        """The plain-language comparison, one sentence a line (``lang="zh"``: in Chinese)."""
        return "\n".join(self.sentences_zh if lang == "zh" else self.sentences_en)

    def __repr__(self) -> str:
        delta = "-" if self.cost_delta is None else f"{self.cost_delta:+,.2f}"
        return (f"ScenarioDiff({self.scenario!r} vs {self.baseline!r}: {self.status}, "
                f"cost {delta}, {len(self.flow_changes)} flow changes)")

    def __str__(self) -> str:
        return self.summary("en")


def _flow_changes(base: NetworkResult, scen: NetworkResult) -> pd.DataFrame:
    keys = ["src", "dst", "mode", "product"]
    a = base.flows[keys + ["qty"]].rename(columns={"qty": "baseline"})
    b = scen.flows[keys + ["qty"]].rename(columns={"qty": "scenario"})
    out = a.merge(b, on=keys, how="outer")
    out[["baseline", "scenario"]] = out[["baseline", "scenario"]].astype(float).fillna(0.0)
    out["change"] = out["scenario"] - out["baseline"]
    out = out[out["change"].abs() > 1e-6]
    order = out["change"].abs().sort_values(ascending=False).index
    return out.loc[order].reset_index(drop=True)


def compare(baseline: NetworkResult, scenario: NetworkResult) -> ScenarioDiff:
    """Cost, service and flow differences, with a plain summary in English and Chinese."""
    feasible = baseline.is_feasible() and scenario.is_feasible()
    b_cost, s_cost = baseline.objective, scenario.objective if scenario.is_feasible() else None
    delta = s_cost - b_cost if feasible and b_cost is not None and s_cost is not None else None
    pct = delta / b_cost if delta is not None and b_cost else None
    sv_b, sv_s = baseline.service, scenario.service
    parts = {k: scenario.cost_breakdown.get(k, 0.0) - baseline.cost_breakdown.get(k, 0.0)
             for k in baseline.cost_breakdown} if feasible else {}
    flows = _flow_changes(baseline, scenario) if feasible else pd.DataFrame()
    b_bind, s_bind = (set(r.binding_table["constraint"]) if not r.binding_table.empty else set()
                      for r in (baseline, scenario))
    diff = ScenarioDiff(baseline.name, scenario.name, scenario.status.value, b_cost, s_cost,
                        delta, pct, sv_b, sv_s,
                        None if sv_b is None or sv_s is None else sv_s - sv_b, parts, flows,
                        sorted(s_bind - b_bind) if feasible else [],
                        sorted(b_bind - s_bind) if feasible else [])
    _sentences(diff, scenario)
    return diff


def _sentences(d: ScenarioDiff, scen: NetworkResult) -> None:
    en, zh = d.sentences_en, d.sentences_zh
    if not scen.is_feasible():
        why = scen.reasons[0] if scen.reasons else "no plan was found within the limits."
        why_zh = (scen.extra.get("reasons_zh") or [why])[0]
        en.append(f"Scenario '{d.scenario}' has no feasible plan ({d.status}): {why}")
        zh.append(f"情景“{d.scenario}”没有可行方案（{d.status}）：{why_zh}")
        return
    if d.cost_delta is None or d.cost_baseline is None or d.cost_scenario is None:
        en.append(f"The baseline '{d.baseline}' has no plan to compare with.")
        zh.append(f"基准“{d.baseline}”没有可比较的方案。")
        return
    b, s, dl = _num(d.cost_baseline), _num(d.cost_scenario), _num(abs(d.cost_delta))
    p = f" ({d.cost_delta_pct:+.1%})" if d.cost_delta_pct is not None else ""
    if abs(d.cost_delta) <= 1e-6 * max(1.0, abs(d.cost_baseline)):
        en.append(f"Total cost stays at {b}.")
        zh.append(f"总成本保持在 {b}。")
    else:
        up = d.cost_delta > 0
        en.append(f"Total cost {'rises' if up else 'falls'} by {dl}{p}, from {b} to {s}.")
        zp = f"（{d.cost_delta_pct:+.1%}）" if d.cost_delta_pct is not None else ""
        zh.append(f"总成本从 {b} {'上升' if up else '下降'}到 {s}，{'增加' if up else '减少'} {dl}{zp}。")
        k, v = max(d.cost_parts_delta.items(), key=lambda kv: abs(kv[1]))
        en.append(f"The largest change is in {k.replace('_', ' ')} cost ({v:+,.2f}).")
        zh.append(f"变化最大的是{COST_WORDS_ZH.get(k, k)}成本（{v:+,.2f}）。")
    sb, ss = d.service_baseline, d.service_scenario
    if sb is not None and ss is not None:
        if abs(ss - sb) < 1e-9:
            en.append(f"Service stays at {ss:.1%} of demand.")
            zh.append(f"服务水平保持在需求的 {ss:.1%}。")
        else:
            en.append(f"Service {'rises' if ss > sb else 'falls'} from {sb:.1%} to {ss:.1%} "
                      "of demand.")
            zh.append(f"服务水平从 {sb:.1%} {'升至' if ss > sb else '降至'} {ss:.1%}。")
    if d.flow_changes.empty:
        en.append("No flow changes.")
        zh.append("流量没有变化。")
    else:
        top = [f"{r.src}→{r.dst} {r.product} {r.change:+,.2f}".replace(".00", "")
               for r in d.flow_changes.head(3).itertuples()]
        en.append("Largest flow changes: " + ", ".join(top) + ".")
        zh.append("主要流量变化：" + "，".join(top) + "。")
    if d.newly_binding:
        en.append("Now at capacity: " + "; ".join(d.newly_binding) + ".")
        zh.append(f"新达到能力上限的约束：{len(d.newly_binding)} 个（"
                  + "；".join(d.newly_binding) + "）。")


def compare_side_by_side(results: Sequence[NetworkResult], key_flows: int = 5) -> pd.DataFrame:
    """One column per result: status, cost, change against the first, service, cost parts
    and the ``key_flows`` busiest lanes (largest flow in any result)."""
    if not results:
        raise InputError("compare_side_by_side needs at least one result. Got [] instead.",
                         where="results")
    names: list[str] = []
    for r in results:
        n, i = r.name, 2
        while n in names:
            n, i = f"{r.name} ({i})", i + 1
        names.append(n)
    first = results[0].objective if results and results[0].is_feasible() else None
    lane_q = [r.lane_flows().assign(lane=lambda f: f["src"] + "→" + f["dst"])
              .groupby("lane")["qty"].sum().astype(float) for r in results]
    busiest = pd.concat(lane_q, axis=1).max(axis=1).nlargest(key_flows).index \
        if lane_q and any(len(q) for q in lane_q) else []
    rows: dict[str, list[Any]] = {"status": [], "cost": [], "cost change": [], "service %": []}
    for k in results[0].cost_breakdown if results else []:
        rows[f"cost: {k}"] = []
    for lane in busiest:
        rows[f"flow {lane}"] = []
    for r, q in zip(results, lane_q, strict=True):
        ok = r.is_feasible()
        rows["status"].append(r.status.value)
        rows["cost"].append(r.objective if ok else math.nan)
        rows["cost change"].append(r.objective - first if ok and first is not None else math.nan)
        rows["service %"].append(100.0 * r.service if r.service is not None else math.nan)
        for k in results[0].cost_breakdown:
            rows[f"cost: {k}"].append(r.cost_breakdown.get(k, math.nan) if ok else math.nan)
        for lane in busiest:
            rows[f"flow {lane}"].append(float(q.get(lane, 0.0)) if ok else math.nan)
    return pd.DataFrame.from_dict(rows, orient="index", columns=names)


# --------------------------------------------------------------------------- storing

_NAME = re.compile(r"^\w[\w\- .()]{0,99}$")


class ScenarioStore:
    """Scenarios saved by name, one JSON file each.

    Parameters
    ----------
    folder
        Where the files live; default ``supplypilot.config.home() / "scenarios"``, next to the
        embedded store, so a user's scenarios travel with their SupplyPilot home.
    """

    def __init__(self, folder: str | Path | None = None) -> None:
        self.folder = Path(folder) if folder is not None else config.home() / "scenarios"

    def __repr__(self) -> str:
        return f"ScenarioStore({str(self.folder)!r})"

    def _path(self, name: str) -> Path:
        if not isinstance(name, str) or not _NAME.match(name) or ".." in name:
            raise InputError("The 'name' parameter of ScenarioStore must be 1-100 letters, "
                             "digits, spaces or '_-.()', not starting with a symbol. "
                             f"Got {name!r} instead.", where="name")
        return self.folder / f"{name}.json"

    def save(self, scenario: Scenario, *, overwrite: bool = True) -> Path:
        """Write ``scenario`` as ``<name>.json``; refuse to replace one when ``overwrite=False``."""
        path = self._path(scenario.name)
        if path.exists() and not overwrite:
            raise InputError(f"A scenario named {scenario.name!r} already exists in "
                             f"{self.folder}.", where="name")
        self.folder.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(scenario.model_dump(mode="json"), ensure_ascii=False,
                                  indent=2) + "\n", encoding="utf-8")
        tmp.replace(path)  # a reader never sees half a file
        return path

    def list(self) -> list[str]:
        """Names of the saved scenarios, sorted."""
        if not self.folder.is_dir():
            return []
        return sorted(p.stem for p in self.folder.glob("*.json"))

    def load(self, name: str) -> Scenario:
        path = self._path(name)
        if not path.exists():
            raise unknown("scenario", name, "ScenarioStore", self.list())
        return Scenario.from_json(path.read_text(encoding="utf-8"), where=str(path))

    def delete(self, name: str) -> None:
        path = self._path(name)
        if not path.exists():
            raise unknown("scenario", name, "ScenarioStore", self.list())
        path.unlink()

    def compare_side_by_side(self, results: Sequence[NetworkResult],
                             key_flows: int = 5) -> pd.DataFrame:
        """Same as :func:`compare_side_by_side`; here so a store's user finds it."""
        return compare_side_by_side(results, key_flows)
