"""Grounded answers: templates over tool results, in Chinese and English.

A writer never invents a figure: every number it prints is a field of the tool result (or of
the tool's inputs), or a :class:`~supplypilot.nlp.grounding.Calculation` it declares
alongside (a sum of totals, a count). The copilot runs the grounding check on the text and
withholds it when a number cannot be traced. Each answer says what the result is based on
(the data window, the model, the constraints that bind), because a planner acts on numbers
only when they know where they come from.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from supplypilot.nlp.catalog import Catalog
from supplypilot.nlp.grounding import Calculation
from supplypilot.nlp.text import Language

__all__ = ["Written", "fmt", "md_join", "write"]


@dataclass
class Written:
    """A text, the calculations behind its derived numbers, and the pictures it refers to."""

    lines: list[str] = field(default_factory=list)
    calculations: list[Calculation] = field(default_factory=list)
    plots: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return md_join(self.lines)

    def add(self, line: str) -> None:
        self.lines.append(line)

    def calc(self, label: str, op: str, inputs: list[float] | tuple[float, ...], value: float,
             path: str | None = None) -> float:
        nums = tuple(float(x) for x in inputs)
        self.calculations.append(Calculation(label, op, nums, float(value), path))  # type: ignore[arg-type]
        return value


def md_join(lines: list[str]) -> str:
    """Lines as Markdown: a blank line where a list starts or ends, so that a sentence after a
    list is not read as part of its last item."""
    out: list[str] = []
    for line in lines:
        is_item = line.lstrip().startswith("- ")
        if out and out[-1] and (is_item != out[-1].lstrip().startswith("- ")):
            out.append("")
        out.append(line)
    return "\n".join(out)


def fmt(v: float | int | None, digits: int = 2) -> str:
    """A number as the answers write it: thousands separators, at most ``digits`` decimals."""
    if v is None:
        return "—"
    v = float(v)
    if v.is_integer():
        return f"{v:,.0f}"
    s = f"{v:,.{digits}f}".rstrip("0").rstrip(".")
    return s


def pct(v: float | None, fraction: bool = False) -> str:
    if v is None:
        return "—"
    return f"{100 * v:.1f}%" if fraction else f"{v:.1f}%"


class _W:
    """Helpers shared by the templates: language choice and entity labels."""

    def __init__(self, lang: Language, catalog: Catalog | None) -> None:
        self.lang, self.catalog = lang, catalog

    def t(self, en: str, zh: str) -> str:
        return zh if self.lang == "zh" else en

    def name(self, code: str | None) -> str:
        if not code:
            return self.t("all locations", "全部地点")
        e = self.catalog.get(code) if self.catalog else None
        if e is None:
            return code
        nm = e.name_zh if self.lang == "zh" and e.name_zh else e.name
        return f"{code}（{nm}）" if self.lang == "zh" else f"{code} ({nm})"


Template = Callable[[dict[str, Any], dict[str, Any], "_W", Written], None]
TEMPLATES: dict[str, Template] = {}


def template(name: str) -> Callable[[Template], Template]:
    def deco(fn: Template) -> Template:
        TEMPLATES[name] = fn
        return fn
    return deco


def write(tool: str, args: dict[str, Any], result: dict[str, Any], lang: Language,
          catalog: Catalog | None = None, basis: str | None = None) -> Written:
    """The answer for one tool result, in ``lang``; ``basis`` is what the user asked to base
    it on ("基于…"), stated back with what the tool actually used."""
    from supplypilot.nlp import _write_plan  # noqa: F401  (registers the planning templates)

    w, out = _W(lang, catalog), Written()
    TEMPLATES.get(tool, _generic)(args, result, w, out)
    if basis:
        out.add(w.t(f"You asked to base this on: {basis}.", f"您要求的依据：{basis}。"))
    return out


# --------------------------------------------------------------------------- generic


def _generic(args: dict[str, Any], res: dict[str, Any], w: _W, out: Written) -> None:
    """Any tool without its own template: scalar fields, and the size of each list."""
    out.add(w.t("**Result**", "**结果**"))
    for k, v in res.items():
        if isinstance(v, (str, int, float)) and not isinstance(v, bool):
            out.add(f"- {k}: {fmt(v) if isinstance(v, (int, float)) else v}")
        elif isinstance(v, list):
            n = out.calc(f"entries in {k}", "count", [], len(v), path=f"0.{k}")
            out.add(f"- {k}: {fmt(n)} " + w.t("entries", "条"))
            for row in v[:5]:
                if isinstance(row, dict):
                    keys = [x for x in ("unique_id", "target", "item", "name", "total") if x in row]
                    if keys:
                        out.add("  - " + ", ".join(f"{x}={fmt(row[x]) if isinstance(row[x], (int, float)) else row[x]}"
                                                   for x in keys))
        elif isinstance(v, dict) and v and all(isinstance(x, (int, float)) for x in v.values()):
            out.add(f"- {k}: " + ", ".join(f"{kk}={fmt(vv)}" for kk, vv in v.items()))
    for k in ("plot", "plots", "map", "gantt_png"):
        if isinstance(res.get(k), str):
            out.plots.append(res[k])


# --------------------------------------------------------------------------- forecasting


_BY = {"item": ("per item", "按物料"), "item_location": ("per item and location", "按物料和地点"),
       "family": ("per product family", "按产品族"), "total": ("in total", "合计")}


@template("forecast_demand")
def _forecast(args: dict[str, Any], r: dict[str, Any], w: _W, out: Written) -> None:
    series = sorted(r["series"], key=lambda s: -s["total"])
    first = series[0]["points"][0]["ds"] if series and series[0]["points"] else None
    last = series[0]["points"][-1]["ds"] if series and series[0]["points"] else None
    by_en, by_zh = _BY.get(r["by"], (r["by"], r["by"]))
    out.add(w.t(f"**Demand forecast** {by_en} for the next {r['horizon']} days ({first} to {last}):",
                f"**需求预测**（{by_zh}），未来 {r['horizon']} 天（{first} 至 {last}）："))
    shown = series[:8]
    for s in shown:
        label = w.name(s["unique_id"]) if w.catalog and w.catalog.get(s["unique_id"]) else s["unique_id"]
        ch = "" if s["change_pct"] is None else f"{s['change_pct']:+.2f}%"
        out.add(w.t(f"- {label}: {fmt(s['total'])} units (previous {r['horizon']} days: "
                    f"{fmt(s['last_period_actual'])}{'; ' + ch if ch else ''}), model {s['model']}",
                    f"- {label}：{fmt(s['total'])} 件（前 {r['horizon']} 天实际 {fmt(s['last_period_actual'])}"
                    f"{'，变化 ' + ch if ch else ''}），模型 {s['model']}"))
        if s.get("plot"):
            out.plots.append(s["plot"])
    if len(series) > 1:
        total = out.calc("sum of the series totals", "sum", [s["total"] for s in series],
                         round(sum(s["total"] for s in series), 3))
        n = out.calc("number of series", "count", [], len(series), path="0.series")
        out.add(w.t(f"Total over the {fmt(n)} series: {fmt(total)} units.",
                    f"{fmt(n)} 个序列合计：{fmt(total)} 件。"))
    if len(series) > len(shown):
        out.add(w.t("Only the largest series are listed; every series is in the JSON result.",
                    "仅列出预测量最大的序列；全部序列见 JSON 结果。"))
    if series:
        out.add(w.t(f"Why this model: {series[0]['reason']}", f"模型选择理由：{series[0]['reason']}"))
    levels = "/".join(str(x) for x in r["level"])
    if args.get("model", "auto") == "auto":
        how_en = (f"each series is forecast by the mix of its best models in cross-validation, "
                  f"weighted by 1/{r['metric']}")
        how_zh = f"每个序列采用交叉验证中表现最好的几个模型的组合，按 1/{r['metric']} 加权"
    else:
        how_en, how_zh = f"the model was fixed by the request ({args['model']})", f"模型由请求指定（{args['model']}）"
    out.add(w.t(f"Daily prediction intervals at {levels}% are in the result; {how_en}.",
                f"结果中含每日 {levels}% 预测区间；{how_zh}。"))
    out.add(w.t(f"Based on: demand (sales) history {r['history_start']} to {r['history_end']} "
                f"({fmt(r['history_rows'])} series-days). Stock data is not an input of this model; an inventory "
                "projection comes from forecast_flows.",
                f"依据：{r['history_start']} 至 {r['history_end']} 的需求（销售）历史，共 {fmt(r['history_rows'])} 个"
                "序列·日。库存数据不是该模型的输入；库存投影请使用多输出预测（forecast_flows）。"))


# --------------------------------------------------------------------------- inventory and data


@template("inventory_position")
def _stock(args: dict[str, Any], r: dict[str, Any], w: _W, out: Written) -> None:
    lines = r["lines"]
    out.add(w.t(f"**Stock of {w.name(r['item'])}** (latest figure per location and source):",
                f"**{w.name(r['item'])} 的库存**（各地点、各来源的最新数）："))
    if not lines:
        out.add(w.t("No stock records for this item.", "没有该物料的库存记录。"))
        return
    by_loc: dict[str, list[dict[str, Any]]] = {}
    for ln in lines:
        by_loc.setdefault(ln["location"], []).append(ln)
    for loc, ls in sorted(by_loc.items()):
        parts = [f"{x['source']} {fmt(x['on_hand'])}" + (f" ± {fmt(x['std'])}" if x.get("std") else "")
                 for x in sorted(ls, key=lambda x: x["source"])]
        out.add(f"- {w.name(loc)}: " + ", ".join(parts) + f" ({ls[0]['date']})")
    common = max({x["source"] for x in lines}, key=lambda s: sum(x["source"] == s for x in lines))
    vals = [x["on_hand"] for x in lines if x["source"] == common]
    if len(vals) > 1:
        total = out.calc(f"sum of {common} on-hand over locations", "sum", vals, sum(vals))
        out.add(w.t(f"Total by {common}: {fmt(total)} units. Sources disagree where readers lose scans; the fused "
                    "estimate (when cleaning ran) weighs them by their accuracy.",
                    f"按 {common} 合计：{fmt(total)} 件。各来源数字不同（如 RFID 漏读）；数据清洗后的融合估计按各来源精度加权。"))


@template("inventory_policy")
def _policy(args: dict[str, Any], r: dict[str, Any], w: _W, out: Written) -> None:
    p = r["parameters"]
    params = ", ".join(f"{k} {fmt(v)}" for k, v in p.items())
    where = w.name(r["location"]) if r.get("location") else w.t("all locations together", "全部地点合计")
    out.add(w.t(f"**Inventory policy for {w.name(r['item'])}** at {where}: {r['policy']} ({params}); "
                f"safety stock {fmt(r['safety_stock'])} units.",
                f"**{w.name(r['item'])} 的库存策略**（{where}）：{r['policy']}（{params}）；安全库存 {fmt(r['safety_stock'])} 件。"))
    out.add(w.t(f"Expected: cycle service {pct(r['service_level'], True)}, fill rate {pct(r['fill_rate'], True)}, "
                f"cost {fmt(r['expected_cost_per_day'])} CNY per day.",
                f"预期：周期服务水平 {pct(r['service_level'], True)}，满足率 {pct(r['fill_rate'], True)}，"
                f"每天成本 {fmt(r['expected_cost_per_day'])} 元。"))
    out.add(w.t(f"Based on: forecast demand {fmt(r['demand_per_day'])} per day (σ {fmt(r['demand_std_per_day'])}, "
                f"model {r['forecast_model']}), lead time {fmt(r['lead_time_days'])} days "
                f"(σ {fmt(r['lead_time_std_days'])}, {r['lead_time_source']}).",
                f"依据：预测日需求 {fmt(r['demand_per_day'])}（标准差 {fmt(r['demand_std_per_day'])}，模型 "
                f"{r['forecast_model']}），提前期 {fmt(r['lead_time_days'])} 天（标准差 {fmt(r['lead_time_std_days'])}，"
                f"来源：{r['lead_time_source']}）。"))
    out.add(w.t(f"Why: {r['reason']}", f"理由：{r['reason']}"))


_FREQ = {"D": ("days", "天"), "W": ("weeks", "周"), "M": ("months", "月")}


@template("demand_history")
def _history(args: dict[str, Any], r: dict[str, Any], w: _W, out: Written) -> None:
    pts = r["points"]
    en, zh = _FREQ.get(args.get("freq", "W"), ("periods", "期"))
    where = w.name(r.get("location"))
    if not pts:
        out.add(w.t(f"No demand recorded for {w.name(r['item'])} at {where} in that window.",
                    f"{w.name(r['item'])} 在{where}该时段内没有需求记录。"))
        return
    n = out.calc("periods", "count", [], len(pts), path="0.points")
    top = max(pts, key=lambda p: p["qty"])
    peak = out.calc("largest period", "max", [p["qty"] for p in pts], top["qty"])
    daily = args.get("freq", "W") == "D"
    span_en = f"{pts[0]['date']} to {pts[-1]['date']}" if daily else \
        f"{en} starting {pts[0]['date']} to {pts[-1]['date']}"
    span_zh = f"{pts[0]['date']} 至 {pts[-1]['date']}" if daily else f"各{zh}起始日 {pts[0]['date']} 至 {pts[-1]['date']}"
    out.add(w.t(f"**Demand history of {w.name(r['item'])}** at {where}, {span_en}: "
                f"{fmt(r['total'])} units over {fmt(n)} {en}.",
                f"**{w.name(r['item'])} 的历史需求**（{where}，{span_zh}）：共 {fmt(r['total'])} 件，{fmt(n)} {zh}。"))
    when_en = f"on {top['date']}" if daily else f"in the {en[:-1]} from {top['date']}"
    when_zh = top["date"] if daily else f"{top['date']} 起的一{'期' if zh == '天' else zh}"
    out.add(w.t(f"Highest: {fmt(peak)} {when_en}; last period: {fmt(pts[-1]['qty'])}.",
                f"最高：{when_zh} {fmt(peak)} 件；最近一期：{fmt(pts[-1]['qty'])} 件。"))
    out.add(w.t("Based on: stored demand (cleaned values where cleaning ran).", "依据：存储的需求数据（已清洗处取清洗后值）。"))


@template("find_items")
def _items(args: dict[str, Any], r: dict[str, Any], w: _W, out: Written) -> None:
    items = r["items"]
    n = out.calc("items found", "count", [], len(items), path="0.items")
    out.add(w.t(f"**{fmt(n)} items found:**", f"**找到 {fmt(n)} 个物料：**"))
    for it in items[:20]:
        nm = it["name_zh"] if w.lang == "zh" and it.get("name_zh") else it["name"]
        out.add(f"- {it['code']} {nm} ({it['kind']}, {it['family'] or '—'}, {fmt(it['unit_cost'])} CNY)")
    if len(items) > 20:
        out.add(w.t("The rest are in the JSON result.", "其余见 JSON 结果。"))


@template("list_suppliers")
def _suppliers(args: dict[str, Any], r: dict[str, Any], w: _W, out: Written) -> None:
    sups = r["suppliers"]
    n = out.calc("suppliers", "count", [], len(sups), path="0.suppliers")
    of = f" {w.t('of', '')} {w.name(args['item'])}" if args.get("item") else ""
    of_zh = w.name(args["item"]) + " 的" if args.get("item") else ""
    out.add(w.t(f"**{fmt(n)} suppliers{of}:**", f"**{of_zh}供应商共 {fmt(n)} 家：**"))
    for s in sups:
        price = f", {w.t('price', '单价')} {fmt(s['unit_price'])}" if s.get("unit_price") is not None else ""
        prim = w.t(" (primary)", "（主供）") if s.get("is_primary") else ""
        out.add(w.t(f"- {s['code']} {s['name']}{prim}: lead time {fmt(s['lead_time_days'])} days "
                    f"(σ {fmt(s['lead_time_std_days'])}), MOQ {fmt(s['moq'])}, "
                    f"on time {pct(s['reliability'], True)}{price}",
                    f"- {s['code']} {s['name']}{prim}：交期 {fmt(s['lead_time_days'])} 天（标准差 "
                    f"{fmt(s['lead_time_std_days'])}），最小起订量 {fmt(s['moq'])}，准时率 {pct(s['reliability'], True)}{price}"))


@template("data_status")
def _status(args: dict[str, Any], r: dict[str, Any], w: _W, out: Written) -> None:
    out.add(w.t(f"**Store** {r['store']} (schema {r['schema_revision']}):",
                f"**数据存储** {r['store']}（结构版本 {r['schema_revision']}）："))
    for t in r["tables"]:
        if t["rows"]:
            span = f", {t['first']} … {t['last']}" if t.get("first") else ""
            out.add(f"- {t['entity']}: {fmt(t['rows'])} {w.t('rows', '行')}{span}")
    scored = [s for s in r["sources"] if s.get("quality") is not None]
    for s in sorted(scored, key=lambda s: s["quality"])[:3]:
        out.add(w.t(f"- lowest quality: {s['source']} ({s['entity']}) {fmt(s['quality'])} / 100, "
                    f"{fmt(s['faults'])} faults",
                    f"- 质量较低：{s['source']}（{s['entity']}）{fmt(s['quality'])} 分，故障值 {fmt(s['faults'])} 个"))


@template("lineage")
def _lineage(args: dict[str, Any], r: dict[str, Any], w: _W, out: Written) -> None:
    rec = out.calc("records", "count", [], len(r["records"]), path="0.records")
    bat = out.calc("batches", "count", [], len(r["batches"]), path="0.batches")
    cor = out.calc("corrections", "count", [], len(r["corrections"]), path="0.corrections")
    out.add(w.t(f"**Lineage of {r['ref']}**: {fmt(rec)} records from {fmt(bat)} import batches; "
                f"{fmt(cor)} corrections.",
                f"**{r['ref']} 的数据来源**：{fmt(rec)} 条记录，来自 {fmt(bat)} 个导入批次；修正 {fmt(cor)} 次。"))
    for b in r["batches"][:5]:
        src = b.get("source") or b.get("file") or ""
        bid = b.get("id", b.get("batch_id", ""))
        out.add(f"- {w.t('batch', '批次')} {bid}: {src} {b.get('created_at', '')}".rstrip())
    for c in r["corrections"][:5]:
        old, new = c.get("old_value", c.get("old", "")), c.get("new_value", c.get("new", ""))
        out.add(f"- {c.get('rule', '')}: {old} → {new}")


_FLOW = {"sales": ("sales", "销售量"), "production": ("production", "生产量"), "inventory": ("inventory", "库存量"),
         "shipments": ("shipments", "物流（发货）量")}


@template("forecast_flows")
def _flows(args: dict[str, Any], r: dict[str, Any], w: _W, out: Written) -> None:
    family = str(r["model"]).split(" (")[0]
    out.add(w.t(f"**Projected flows** for the next {r['horizon']} days ({r['model']}, trained now on "
                f"{fmt(r['n_tokens'])} patches):",
                f"**流量预测**（未来 {r['horizon']} 天；{family} 多输出模型，{fmt(r['n_params'])} 个参数，"
                f"本次训练样本 {fmt(r['n_tokens'])} 个片段）："))
    for s in r["series"][:16]:
        en, zh = _FLOW.get(s["target"], (s["target"], s["target"]))
        who = w.name(s["unique_id"]) if w.catalog and w.catalog.get(s["unique_id"]) else \
            (w.t("all items", "全部物料") if s["unique_id"] == "total" else s["unique_id"])
        band = ""
        if s.get("lo80_last_day") is not None and s.get("hi80_last_day") is not None:
            band = w.t(f", 80% interval {fmt(s['lo80_last_day'])} to {fmt(s['hi80_last_day'])}",
                       f"，80% 区间 {fmt(s['lo80_last_day'])} 至 {fmt(s['hi80_last_day'])}")
        if s["target"] == "inventory":
            out.add(w.t(f"- {who} {en}: {fmt(s['total'])} on the last day (now {fmt(s['last_period_actual'])}; "
                        f"first day {fmt(s['first_day'])}{band})",
                        f"- {who} {zh}：期末 {fmt(s['total'])}（当前 {fmt(s['last_period_actual'])}；首日 "
                        f"{fmt(s['first_day'])}{band}）"))
        else:
            out.add(w.t(f"- {who} {en}: {fmt(s['total'])} over the horizon (previous {r['horizon']} days: "
                        f"{fmt(s['last_period_actual'])}; last day {fmt(s['last_day'])}{band})",
                        f"- {who} {zh}：预测期合计 {fmt(s['total'])}（前 {r['horizon']} 天实际 "
                        f"{fmt(s['last_period_actual'])}；末日 {fmt(s['last_day'])}{band}）"))
    if r.get("plot"):
        out.plots.append(r["plot"])
    if any(s["target"] == "inventory" and not s["total"] and not s["last_period_actual"] for s in r["series"]):
        out.add(w.t("Inventory reads zero because the store holds no fused stock estimates yet; run the data "
                    "cleaning (clean_data), which fuses the ERP, WMS and RFID stock figures, then ask again.",
                    "库存为零是因为存储中还没有融合后的库存估计；请先运行数据清洗（clean_data，融合 ERP、WMS、RFID "
                    "库存数据）再提问。"))
    out.add(w.t(f"Based on: the stored daily history of sales, production, shipments and inventory estimates "
                f"{r['history_start']} to {r['history_end']}; one multi-output model predicts the four together, so "
                "the projected inventory is consistent with the projected production and shipments.",
                f"依据：{r['history_start']} 至 {r['history_end']} 的每日销售、生产、发货和库存估计历史；"
                "一个多输出模型联合预测这四项，库存投影与生产、发货投影相互一致。"))
