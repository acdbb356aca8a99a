"""Answer templates for the planning tools (purchasing, schedule, routes, what-if, cycle) and
for the copilot's own tools (dispatch instructions, reports)."""

from __future__ import annotations

from typing import Any

from supplypilot.nlp.writer import Written, _W, fmt, pct, template


@template("plan_purchasing")
def _purchasing(args: dict[str, Any], r: dict[str, Any], w: _W, out: Written) -> None:
    pos, mos = r["purchase_orders"], r["production_orders"]
    npo = out.calc("purchase orders", "count", [], len(pos), path="0.purchase_orders")
    nmo = out.calc("production orders", "count", [], len(mos), path="0.production_orders")
    out.add(w.t(f"**Purchasing plan** ({r['status']}) from {r['horizon_start']} over {fmt(r['weeks'])} weeks: "
                f"{fmt(npo)} purchase orders costing {fmt(r['purchase_cost'])} CNY and {fmt(nmo)} production orders; "
                f"forecast demand covered on time {pct(r['service_pct'])}; inventory value at the end "
                f"{fmt(r['ending_inventory_value'])} CNY.",
                f"**采购计划**（{r['status']}），自 {r['horizon_start']} 起 {fmt(r['weeks'])} 周：采购订单 {fmt(npo)} 张，"
                f"金额 {fmt(r['purchase_cost'])} 元；生产订单 {fmt(nmo)} 张；按时满足预测需求 {pct(r['service_pct'])}；"
                f"期末库存价值 {fmt(r['ending_inventory_value'])} 元。"))
    first = sorted(pos, key=lambda p: (p["order_date"], -p["cost"]))[:8]
    if first:
        out.add(w.t("First orders to place:", "最先要下的采购单："))
    for p in first:
        out.add(w.t(f"- {p['order_date']}: {fmt(p['qty'])} × {w.name(p['item'])} from {p['supplier']} at "
                    f"{fmt(p['unit_price'])} (= {fmt(p['cost'])} CNY), due {p['due_date']}",
                    f"- {p['order_date']}：向 {p['supplier']} 采购 {w.name(p['item'])} {fmt(p['qty'])} 件，单价 "
                    f"{fmt(p['unit_price'])}（金额 {fmt(p['cost'])} 元），{p['due_date']} 到货"))
    for b in r["binding"][:4]:
        out.add(w.t(f"- binding: {b}", f"- 约束：{b}"))
    out.add(w.t(f"Based on: {r['forecast_basis']}; BOM, stock on hand and open orders netted.",
                f"依据：{r['forecast_basis']}；已按BOM展开并扣减现有库存和在途订单。"))


@template("plan_production")
def _production(args: dict[str, Any], r: dict[str, Any], w: _W, out: Written) -> None:
    late = out.calc("late orders", "count", [], len(r["late_orders"]), path="0.late_orders")
    out.add(w.t(f"**Production schedule** ({r['status']}, objective {r['objective']}: "
                f"{fmt(r['objective_value'])} min, bound {fmt(r['bound'])}): {fmt(r['orders'])} orders in "
                f"{fmt(r['batches'])} batches, {fmt(late)} late.",
                f"**生产排程**（{r['status']}，目标 {r['objective']}：{fmt(r['objective_value'])} 分钟，下界 "
                f"{fmt(r['bound'])}）：{fmt(r['orders'])} 个订单分为 {fmt(r['batches'])} 批，延误 {fmt(late)} 个。"))
    for lo in r["late_orders"][:5]:
        out.add(f"- {w.t('late', '延误')}: {lo}")
    if r["utilisation"]:
        busiest = max(r["utilisation"].items(), key=lambda kv: kv[1])
        out.add(w.t(f"Busiest machine: {busiest[0]} at {fmt(busiest[1])}% of its working hours.",
                    f"最忙的设备：{busiest[0]}，利用率 {fmt(busiest[1])}%。"))
    for b in r["binding"][:3]:
        out.add(w.t(f"- {b}", f"- {b}"))
    for op in r["operations"][:6]:
        out.add(f"- {op['start']} → {op['end']} {op['machine']}: {w.name(op['item'])} × {fmt(op['qty'])}")
    for k in ("gantt_png",):
        if r.get(k):
            out.plots.append(r[k])
    if r.get("planned_orders"):
        out.add(w.t("Based on: open production orders and the MRP's planned production orders, line calendars, "
                    "changeovers and due dates (CP-SAT).",
                    "依据：存储中的在制生产订单和 MRP 计划生产订单、产线日历、换线时间和交期（CP-SAT 求解）。"))
    else:
        out.add(w.t("Based on: open production orders in the store, line calendars, changeovers and due dates (CP-SAT).",
                    "依据：存储中的在制生产订单、产线日历、换线时间和交期（CP-SAT 求解）。"))


@template("plan_routes")
def _routes(args: dict[str, Any], r: dict[str, Any], w: _W, out: Written) -> None:
    nd = out.calc("DCs planned", "count", [], len(r["depots"]), path="0.depots")
    out.add(w.t(f"**Delivery routes** for {fmt(nd)} DC(s): {fmt(r['trucks_used'])} trucks, "
                f"{fmt(r['distance_km'])} km in all.",
                f"**配送路线**（{fmt(nd)} 个配送中心）：共 {fmt(r['trucks_used'])} 辆车，{fmt(r['distance_km'])} 公里。"))
    for d in r["depots"]:
        uns = out.calc(f"stores not served from {d['depot']}", "count", [], len(d["unserved"]),
                       path=f"0.depots.{r['depots'].index(d)}.unserved")
        out.add(w.t(f"- {w.name(d['depot'])} ({d['status']}): {fmt(d['trucks_used'])} trucks, "
                    f"{fmt(d['distance_km'])} km, "
                    f"{fmt(d['stops'])} stores, cost {fmt(d['cost'])} CNY; {fmt(uns)} stores not on a truck route",
                    f"- {w.name(d['depot'])}（{d['status']}）：{fmt(d['trucks_used'])} 辆车，{fmt(d['distance_km'])} 公里，"
                    f"{fmt(d['stops'])} 家门店，成本 {fmt(d['cost'])} 元；{fmt(uns)} 家门店不在当日车线"))
        for rt in d["routes"][:3]:
            stops = " → ".join(f"{s['stop']} {s['arrival']}" for s in rt["stops"])
            load = f"{fmt(rt['load_kg'])}/{fmt(rt['capacity_kg'])} kg"
            out.add(f"  - {rt['vehicle']} {rt['departure']}–{rt['back']}, {load}: {stops}")
        for u in d["unserved"][:3]:
            out.add(f"  - {u}")
        if d.get("map"):
            out.plots.append(d["map"])
    if r["depots"]:
        out.add(w.t(f"Based on: {r['depots'][0]['based_on']}; PyVRP finds good routes but does not prove optimality.",
                    f"依据：{r['depots'][0]['based_on']}；PyVRP 求得可行的优良路线，但不证明最优。"))


_EDIT_EN = {"supplier_lead_time": "lead time of {supplier} {days:+g} days",
            "demand_change": "demand{at}{of} {pct:+g}%", "lane_prohibited": "no shipping {src}→{dst}",
            "lane_cost": "cost of lane {src}→{dst} {how}", "lane_capacity": "lane {src}→{dst} capacity {capacity:g}",
            "supplier_capacity": "capacity of {supplier} {how}", "node_closed": "{node} closed",
            "new_supplier": "new supplier {name}", "new_lane": "new lane {src}→{dst}"}
_EDIT_ZH = {"supplier_lead_time": "{supplier} 交货期 {days:+g} 天", "demand_change": "{at}{of}需求 {pct:+g}%",
            "lane_prohibited": "停止 {src}→{dst} 发货", "lane_cost": "线路 {src}→{dst} 运费 {how}",
            "lane_capacity": "线路 {src}→{dst} 运力 {capacity:g}", "supplier_capacity": "{supplier} 产能 {how}",
            "node_closed": "关闭 {node}", "new_supplier": "新增供应商 {name}", "new_lane": "新增线路 {src}→{dst}"}


def describe_edit(e: dict[str, Any], lang: str) -> str:
    """One scenario edit in words."""
    d = dict(e)
    if e["kind"] == "demand_change":
        d["at"] = (f" at {e['node']}" if lang == "en" else f"{e['node']} 的") if e.get("node") else ""
        d["of"] = (f" of {e['product']}" if lang == "en" else f"{e['product']} ") if e.get("product") else ""
    if e["kind"] in ("lane_cost", "supplier_capacity"):
        d["how"] = (f"{e['pct']:+g}%" if e.get("pct") is not None else
                    f"= {e.get('cost', e.get('capacity')):g}")
    tpl = (_EDIT_ZH if lang == "zh" else _EDIT_EN).get(e["kind"], e["kind"])
    try:
        return tpl.format(**d)
    except (KeyError, ValueError, TypeError):
        return str(e["kind"])


@template("what_if")
def _what_if(args: dict[str, Any], r: dict[str, Any], w: _W, out: Written) -> None:
    b, s = r["baseline"], r["scenario"]
    edits = "; ".join(describe_edit(e, w.lang) for e in r["edits"])
    out.add(w.t(f"**What-if “{r['name']}”**: {edits}.", f"**情景分析“{r['name']}”**：{edits}。"))
    if r["cost_delta"] is not None:
        out.add(w.t(f"Cost: baseline {fmt(b['cost'])} CNY → scenario {fmt(s['cost'])} CNY, difference "
                    f"{r['cost_delta']:+,.2f} ({r['cost_delta_pct']:+.2f}%).",
                    f"成本：基准 {fmt(b['cost'])} 元 → 情景 {fmt(s['cost'])} 元，差额 {r['cost_delta']:+,.2f} 元"
                    f"（{r['cost_delta_pct']:+.2f}%）。"))
    else:
        out.add(w.t(f"The scenario has no comparable plan (status {s['status']}).",
                    f"该情景没有可比较的方案（状态 {s['status']}）。"))
    if r["service_delta_pct"] is not None:
        out.add(w.t(f"Demand met: {pct(b['service_pct'])} → {pct(s['service_pct'])} "
                    f"({r['service_delta_pct']:+.2f} points).",
                    f"需求满足率：{pct(b['service_pct'])} → {pct(s['service_pct'])}（{r['service_delta_pct']:+.2f} 个百分点）。"))
    for line in (r["summary_zh"] if w.lang == "zh" else r["summary_en"]):
        out.add(f"- {line}")
    for c in s.get("conflicts", [])[:3]:
        out.add(w.t(f"- cannot hold together: {c}", f"- 无法同时满足：{c}"))
    out.add(w.t("Based on: the supply network built from the store (recent demand, lanes, supplier capacities), "
                "solved twice with HiGHS — baseline and scenario.",
                "依据：由存储数据构建的供应网络（近期需求、线路、供应商能力），用 HiGHS 分别求解基准与情景。"))


@template("plan_network")
def _network(args: dict[str, Any], r: dict[str, Any], w: _W, out: Written) -> None:
    out.add(w.t(f"**Network plan** ({r['status']}): cost {fmt(r['cost'])} CNY, demand met {pct(r['service_pct'])}.",
                f"**网络方案**（{r['status']}）：成本 {fmt(r['cost'])} 元，需求满足率 {pct(r['service_pct'])}。"))
    for k, v in r["cost_breakdown"].items():
        if v:
            out.add(f"- {k}: {fmt(v)}")


@template("plan_cycle")
def _cycle(args: dict[str, Any], r: dict[str, Any], w: _W, out: Written) -> None:
    out.add(w.t(f"**Planning cycle** over {fmt(r['horizon_days'])} days:", f"**计划周期**（{fmt(r['horizon_days'])} 天）："))
    for k, v in r["kpis"].items():
        out.add(f"- {k}: {fmt(v)}")
    for c in r["changes"][:5]:
        out.add(w.t(f"- change: {c}", f"- 变化：{c}"))
    for reason in r["reasons"][:4]:
        out.add(w.t(f"- why: {reason}", f"- 原因：{reason}"))
    for st in r["steps"]:
        out.add(w.t(f"- step {st['step']}: {st['status']} ({fmt(st['seconds'])} s)",
                    f"- 步骤 {st['step']}：{st['status']}（{fmt(st['seconds'])} 秒）"))
    for part in ("production", "routes"):
        sub = r.get(part) or {}
        for key in ("gantt_png",):
            if sub.get(key):
                out.plots.append(sub[key])
        for d in sub.get("depots", []):
            if d.get("map"):
                out.plots.append(d["map"])


@template("dispatch_instructions")
def _dispatch(args: dict[str, Any], r: dict[str, Any], w: _W, out: Written) -> None:
    n = out.calc("sites with instructions", "count", [], len(r["instructions"]), path="0.instructions")
    out.add(w.t(f"**Dispatch instructions** from {r['start']} for {fmt(r['days'])} days, {fmt(n)} sites "
                f"(from: {r['source']}):",
                f"**调度指令**：自 {r['start']} 起 {fmt(r['days'])} 天，共 {fmt(n)} 个节点（来源：{r['source']}）："))
    for ins in r["instructions"]:
        for line in (ins["text_zh"] if w.lang == "zh" else ins["text_en"]).split("\n"):
            out.add(line)
        if not ins["grounded"]:
            out.add(w.t(f"(The text for {ins['node']} was withheld: a number could not be traced to the plan.)",
                        f"（{ins['node']} 的指令文本未显示：有数字无法追溯到计划结果。）"))


@template("daily_report")
def _report(args: dict[str, Any], r: dict[str, Any], w: _W, out: Written) -> None:
    out.add(w.t(f"**{r['period'].capitalize()} report** for {r['date']} written:",
                f"**{'日报' if r['period'] == 'daily' else '周报'}**（{r['date']}）已生成："))
    for f in r["files"]:
        out.add(f"- {f}")
    out.add(r["summary_zh"] if w.lang == "zh" else r["summary_en"])
    out.plots.extend(r.get("plots", []))
