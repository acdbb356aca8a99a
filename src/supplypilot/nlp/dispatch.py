"""Dispatch instructions per site: what each plant produces, what each DC ships and receives,
which route each truck drives — when and how much — written from plan results.

A DC's receipts come from the store: transfers and inbound shipments not yet delivered (ETA in
the days covered, or overdue) and open purchase-order lines delivered to it (due in the days
covered, or overdue, with the quantity still to come).

The plan comes from the last planning cycle when one was saved (``plan_cycle`` keeps it under
``SUPPLYPILOT_HOME/plans``), otherwise from running only the planning tools the requested sites
need (``plan_production`` for plants, ``plan_routes`` for DCs and carriers). Every text is
checked by the number-grounding check against those results.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from supplypilot import config
from supplypilot.errors import InputError, UnknownEntityError
from supplypilot.nlp.grounding import check
from supplypilot.nlp.writer import fmt
from supplypilot.tools import REGISTRY, Context

__all__ = ["DispatchRequest", "DispatchResult", "InstructionLine", "NodeInstructions", "dispatch"]

Role = Literal["plant", "warehouse", "carrier"]


class DispatchRequest(BaseModel):
    """Which sites, from which day, for how long."""

    model_config = ConfigDict(extra="forbid")

    node: str | None = Field(default=None, max_length=64,
                             description="Plant or DC code; empty: every plant, DC and carrier.")
    role: Role | None = Field(default=None, description="Only sites of this role: plant, warehouse (a DC) or "
                                                          "carrier (the trucks of a DC).")
    date: str | None = Field(default=None, pattern=r"^\d{4}-\d{2}-\d{2}$",
                             description="First day (YYYY-MM-DD); empty: the day after the last demand date.")
    days: int = Field(default=7, ge=1, le=56, description="Days the instructions cover.")
    use_last_cycle: bool = Field(default=True, description="Use the saved plan of the last planning cycle when "
                                                            "there is one; otherwise run only the planning tools "
                                                            "the sites need.")


class InstructionLine(BaseModel):
    action: Literal["produce", "ship", "deliver", "order", "receive"] = Field(description="What to do.")
    item: str | None = Field(description="Item, when the line is about one.")
    qty: float = Field(description="How much.")
    unit: str = Field(description="Unit of qty (pcs, kg).")
    when: str = Field(description="Date or date and time.")
    counterpart: str | None = Field(description="Where it goes to or comes from (store, supplier, machine).")
    note: str | None = Field(default=None, description="Extra detail (route stops, due date).")


class NodeInstructions(BaseModel):
    node: str = Field(description="Site code (plant, DC) or the DC whose trucks a carrier drives.")
    role: str = Field(description="plant, warehouse, carrier or purchasing.")
    lines: list[InstructionLine] = Field(description="The instructions.")
    text_en: str = Field(description="The instructions in English.")
    text_zh: str = Field(description="The instructions in Chinese.")
    grounded: bool = Field(description="Every number of the texts is in the plan results.")


class DispatchResult(BaseModel):
    start: str = Field(description="First day covered.")
    days: int = Field(description="Days covered.")
    source: str = Field(description="Where the plan came from.")
    instructions: list[NodeInstructions] = Field(description="One entry per site.")
    tools_run: list[dict[str, Any]] = Field(description="Planning tools run for this, with their inputs.")


def _day(text: str, tool: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(f"The 'date' parameter of {tool} must be a real date (YYYY-MM-DD). "
                         f"Got {text!r} instead.", where="date") from None


def _plant_of_machine(ctx: Context) -> dict[str, str]:
    from sqlalchemy import select

    from supplypilot.data.model import Resource

    with ctx.store.engine.connect() as conn:
        return {c: p for c, p in conn.execute(select(Resource.code, Resource.plant_code)).all()}


def _first_day(ctx: Context) -> date:
    from sqlalchemy import func, select

    from supplypilot.data.model import Demand

    with ctx.store.engine.connect() as conn:
        last = conn.execute(select(func.max(Demand.date))).scalar_one_or_none()
    return (last or date.today()) + timedelta(days=1)


def _inbound(ctx: Context, dcs: list[str], start: date, end: date) -> dict[str, list[dict[str, Any]]]:
    """What each DC is due to receive before ``end``: shipments not yet delivered (transfers from
    plants, other DCs or suppliers) and open purchase-order lines, with what is still to come.
    Anything due before ``start`` and not in yet is kept and marked overdue."""
    from sqlalchemy import select

    from supplypilot.data.model import PurchaseOrderLine, Shipment

    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    if not dcs:
        return out
    with ctx.store.engine.connect() as conn:
        ships = conn.execute(select(Shipment.shipment_id, Shipment.item_code, Shipment.origin_code,
                                    Shipment.destination_code, Shipment.carrier, Shipment.qty, Shipment.eta,
                                    Shipment.status)
                             .where(Shipment.destination_code.in_(dcs), Shipment.actual_arrival.is_(None),
                                    Shipment.status.notin_(("delivered", "cancelled")), Shipment.eta < end)).all()
        pos = conn.execute(select(PurchaseOrderLine.po_number, PurchaseOrderLine.item_code,
                                  PurchaseOrderLine.supplier_code, PurchaseOrderLine.destination_code,
                                  PurchaseOrderLine.qty, PurchaseOrderLine.received_qty, PurchaseOrderLine.due_date,
                                  PurchaseOrderLine.status)
                           .where(PurchaseOrderLine.destination_code.in_(dcs),
                                  PurchaseOrderLine.status.in_(("open", "partial")),
                                  PurchaseOrderLine.due_date < end)).all()
    for sid, item, origin, dest, carrier, qty, eta, status in ships:
        out[dest].append({"source": "shipment", "ref": sid, "item": item, "from": origin, "carrier": carrier,
                          "qty": float(qty), "when": eta.isoformat(), "status": status, "overdue": eta < start})
    for po, item, sup, dest, qty, got, due, status in pos:
        left = float(qty) - float(got or 0.0)
        if left > 0:
            out[dest].append({"source": "purchase_order", "ref": po, "item": item, "from": sup, "carrier": None,
                              "qty": left, "ordered_qty": float(qty), "received_qty": float(got or 0.0),
                              "when": due.isoformat(), "status": status, "overdue": due < start})
    for rows in out.values():
        rows.sort(key=lambda x: (x["when"], x["source"], x["ref"], x["item"]))
    return out


def _plan(req: DispatchRequest, ctx: Context, want_plants: bool, want_dcs: bool
          ) -> tuple[dict[str, Any], str, list[dict[str, Any]]]:
    saved = config.home() / "plans" / "last_cycle.json"
    if req.use_last_cycle and saved.is_file():
        plan = json.loads(saved.read_text(encoding="utf-8"))
        steps = [{"name": s["step"], "args": s["args"]} for s in plan.get("steps", [])]
        return plan, f"plan_cycle saved at {saved}", steps
    plan: dict[str, Any] = {}
    runs: list[dict[str, Any]] = []
    if want_plants:
        args = {"plant": req.node, "horizon_days": min(req.days + 1, 56), "time_limit_s": 10.0, "plot": False}
        plan["production"] = REGISTRY.get("plan_production").run(args, ctx).model_dump(mode="json")
        runs.append({"name": "plan_production", "args": args})
    if want_dcs:
        args = {"depot": req.node, "time_limit_s": 5.0, "plot": False}
        plan["routes"] = REGISTRY.get("plan_routes").run(args, ctx).model_dump(mode="json")
        runs.append({"name": "plan_routes", "args": args})
    return plan, "planning tools run now: " + ", ".join(r["name"] for r in runs), runs


def dispatch(req: DispatchRequest, ctx: Context) -> DispatchResult:
    """Instructions for the requested sites (see :class:`DispatchRequest`)."""
    from supplypilot.nlp.catalog import Catalog

    cat = Catalog.from_store(ctx.store)
    start = _day(req.date, "dispatch_instructions") if req.date else _first_day(ctx)
    end = start + timedelta(days=req.days)
    node = cat.get(req.node) if req.node else None
    if req.node and node is None:
        sites = ", ".join(e.code for e in cat.of_subkind("plant") + cat.of_subkind("dc"))
        raise UnknownEntityError("site", req.node, f"Plants and DCs: {sites}.")
    if node is not None and node.subkind not in ("plant", "dc"):
        raise InputError(f"The 'node' parameter of dispatch_instructions must be a plant or a DC. "
                         f"Got {req.node!r} (a {node.subkind}) instead.", where="node")
    kind = node.subkind if node else None
    want_plants = (kind == "plant") or (node is None and req.role in (None, "plant"))
    want_dcs = (kind == "dc") or (node is None and req.role in (None, "warehouse", "carrier"))
    plan, source, runs = _plan(req, ctx, want_plants, want_dcs)
    warehouses = [node.code] if kind == "dc" else [d.code for d in cat.of_subkind("dc")] \
        if node is None and req.role in (None, "warehouse") else []
    inbound = _inbound(ctx, warehouses, start, end)
    sources = [plan, [r["args"] for r in runs], {"start": start.isoformat(), "days": req.days}, {"inbound": inbound}]
    if inbound:
        source += "; receipts: open shipments and purchase orders in the store"
    out: list[NodeInstructions] = []

    def add(code: str, role: str, lines: list[InstructionLine], en: list[str], zh: list[str]) -> None:
        if not lines:
            return
        text_en, text_zh = "\n".join(en), "\n".join(zh)
        literals = [e.name for e in cat.entities.values()] + [e.name_zh or "" for e in cat.entities.values()]
        ok = check(text_en, sources, literals=literals).grounded and check(text_zh, sources, literals=literals).grounded
        out.append(NodeInstructions(node=code, role=role, lines=lines, text_en=text_en if ok else "",
                                    text_zh=text_zh if ok else "", grounded=ok))

    if want_plants and plan.get("production"):
        _plants(plan["production"], _plant_of_machine(ctx), start, end, req.node, cat, add)
    depots = {d["depot"]: d for d in (plan.get("routes") or {}).get("depots", []) if want_dcs}
    for code in sorted(set(depots) | set(inbound)):
        if req.node and code != req.node:
            continue
        d = depots.get(code)
        if code in warehouses:
            _warehouse(d, code, inbound.get(code, []), start, end, cat, add)
        if d is not None and (req.role in (None, "carrier") or kind == "dc"):
            _carrier(d, start, cat, add)
    if node is None and req.role is None and plan.get("purchasing"):
        _purchasing(plan["purchasing"], start, end, cat, add)
    return DispatchResult(start=start.isoformat(), days=req.days, source=source, instructions=out, tools_run=runs)


def _label(cat: Any, code: str, lang: str) -> str:
    e = cat.get(code)
    if e is None:
        return code
    return f"{code}（{e.name_zh or e.name}）" if lang == "zh" else f"{code} ({e.name})"


def _plants(prod: dict[str, Any], plant_of: dict[str, str], start: date, end: date, only: str | None,
            cat: Any, add: Any) -> None:
    per: dict[str, dict[tuple[str, str], list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    for op in prod.get("operations", []):
        day = op["start"][:10]
        plant = plant_of.get(op["machine"], "?")
        if start.isoformat() <= day < end.isoformat() and (only is None or plant == only):
            per[plant][(day, op["item"])].append(op)
    for plant, groups in sorted(per.items()):
        lines, en, zh = [], [f"**{_label(cat, plant, 'en')}** — produce:"], [f"**{_label(cat, plant, 'zh')}** — 生产："]
        for (day, item), ops in sorted(groups.items()):
            first = min(ops, key=lambda o: o["start"])
            machines = sorted({o["machine"] for o in ops})
            # each operation is one batch on one machine; the batch quantity is that of its first step
            batches = {o["job"]: o["qty"] for o in ops}
            qty = sum(batches.values())
            lines.append(InstructionLine(action="produce", item=item, qty=qty, unit="pcs", when=first["start"],
                                         counterpart=", ".join(machines)))
            qs = ", ".join(fmt(q) for q in batches.values())
            on = ", ".join(machines)
            en.append(f"- {first['start']}: make {_label(cat, item, 'en')} — batches of {qs} pcs on {on}")
            zh.append(f"- {first['start']}：生产 {_label(cat, item, 'zh')}，批量 {qs} 件，设备 {', '.join(machines)}")
        add(plant, "plant", lines, en, zh)


def _warehouse(d: dict[str, Any] | None, code: str, receipts: list[dict[str, Any]], start: date, end: date,
               cat: Any, add: Any) -> None:
    lines: list[InstructionLine] = []
    en: list[str] = []
    zh: list[str] = []
    if d is not None:
        _shipping(d, start, cat, lines, en, zh)
    if receipts:
        _receiving(code, receipts, start, end, cat, lines, en, zh)
    add(code, "warehouse", lines, en, zh)


def _receiving(code: str, receipts: list[dict[str, Any]], start: date, end: date, cat: Any,
               lines: list[InstructionLine], en: list[str], zh: list[str]) -> None:
    """Receipt lines of a DC: per shipment (all its items) or purchase-order line, by due day."""
    days = (end - start).days
    en.append(f"**{_label(cat, code, 'en')}** — receive in the {fmt(days)} days from {start.isoformat()}:")
    zh.append(f"**{_label(cat, code, 'zh')}** — 自 {start.isoformat()} 起 {fmt(days)} 天内收货：")
    groups: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    for x in receipts:
        groups[(x["when"], x["source"], x["ref"])].append(x)
    for (when, src, ref), rows in groups.items():
        first = rows[0]
        for x in rows:
            note = f"shipment {ref}" if src == "shipment" else f"PO {ref}"
            if x.get("received_qty"):
                note += f" (ordered {fmt(x['ordered_qty'])}, received {fmt(x['received_qty'])})"
            note += f", {x['status']}" + (", overdue" if x["overdue"] else "")
            lines.append(InstructionLine(action="receive", item=x["item"], qty=x["qty"], unit="pcs", when=when,
                                         counterpart=x["from"], note=note))
        what_en = ", ".join(f"{fmt(x['qty'])} × {_label(cat, x['item'], 'en')}" for x in rows)
        what_zh = "，".join(f"{_label(cat, x['item'], 'zh')} {fmt(x['qty'])} 件" for x in rows)
        due = "ETA" if src == "shipment" else "due"
        late_en = f" — overdue ({due} {when}), still {first['status'].replace('_', ' ')}" if first["overdue"] else ""
        late_zh = f"（已逾期：应于 {when} 到货，当前状态 {first['status']}）" if first["overdue"] else ""
        day = start.isoformat() if first["overdue"] else when
        if src == "shipment":
            by = f" by {first['carrier']}" if first["carrier"] else ""
            by_zh = f"，承运商 {first['carrier']}" if first["carrier"] else ""
            en.append(f"- {day}: receive shipment {ref} from {_label(cat, first['from'], 'en')}{by}: {what_en}{late_en}")
            zh.append(f"- {day}：接收来自 {_label(cat, first['from'], 'zh')} 的运单 {ref}{by_zh}：{what_zh}{late_zh}")
        else:
            part_en = part_zh = ""
            if first.get("received_qty"):
                part_en = f" (rest of {fmt(first['ordered_qty'])}, {fmt(first['received_qty'])} already in)"
                part_zh = f"（订购 {fmt(first['ordered_qty'])} 件，已到 {fmt(first['received_qty'])} 件）"
            en.append(f"- {day}: receive purchase order {ref} from {_label(cat, first['from'], 'en')}: "
                      f"{what_en}{part_en}{late_en}")
            zh.append(f"- {day}：接收 {_label(cat, first['from'], 'zh')} 的采购单 {ref}：{what_zh}{part_zh}{late_zh}")


def _shipping(d: dict[str, Any], start: date, cat: Any, lines: list[InstructionLine], en: list[str],
              zh: list[str]) -> None:
    en.append(f"**{_label(cat, d['depot'], 'en')}** — ship on {start.isoformat()} ({d['based_on']}):")
    zh.append(f"**{_label(cat, d['depot'], 'zh')}** — {start.isoformat()} 发货（{d['based_on']}）：")
    for rt in d["routes"]:
        lines.append(InstructionLine(action="ship", item=None, qty=rt["load_kg"], unit="kg",
                                     when=f"{start.isoformat()} {rt['departure']}", counterpart=rt["vehicle"],
                                     note=", ".join(s["stop"] for s in rt["stops"])))
        stores = ", ".join(s["stop"] for s in rt["stops"])
        en.append(f"- load {fmt(rt['load_kg'])} kg onto {rt['vehicle']} by {rt['departure']} for {stores}")
        zh.append(f"- {rt['departure']} 前为 {rt['vehicle']} 装货 {fmt(rt['load_kg'])} 公斤，送往 {stores}")
    for u in d.get("unserved", []):
        en.append(f"- not on a same-day truck: {u}")
        zh.append(f"- 不在当日车线（需干线运输）：{u}")


def _carrier(d: dict[str, Any], start: date, cat: Any, add: Any) -> None:
    lines = []
    en = [f"**Carrier at {_label(cat, d['depot'], 'en')}** — routes on {start.isoformat()}:"]
    zh = [f"**{_label(cat, d['depot'], 'zh')} 承运车辆** — {start.isoformat()} 路线："]
    for rt in d["routes"]:
        for s in rt["stops"]:
            lines.append(InstructionLine(action="deliver", item=None, qty=s["kg"], unit="kg",
                                         when=f"{start.isoformat()} {s['arrival']}", counterpart=s["stop"],
                                         note=rt["vehicle"]))
        stops_en = "; ".join(f"{s['stop']} at {s['arrival']} ({fmt(s['kg'])} kg)" for s in rt["stops"])
        stops_zh = "；".join(f"{s['arrival']} 到 {s['stop']}（{fmt(s['kg'])} 公斤）" for s in rt["stops"])
        km = fmt(rt["distance_km"])
        en.append(f"- {rt['vehicle']}: leave {rt['departure']}, {stops_en}; back {rt['back']}, {km} km")
        zh.append(f"- {rt['vehicle']}：{rt['departure']} 出发，{stops_zh}；{rt['back']} 返回，{km} 公里")
    add(f"{d['depot']}", "carrier", lines, en, zh)


def _purchasing(pur: dict[str, Any], start: date, end: date, cat: Any, add: Any) -> None:
    lines, en, zh = [], ["**Purchasing** — orders to place:"], ["**采购** — 需下达的采购单："]
    for p in sorted(pur.get("purchase_orders", []), key=lambda p: p["order_date"]):
        if start.isoformat() <= p["order_date"] < end.isoformat():
            lines.append(InstructionLine(action="order", item=p["item"], qty=p["qty"], unit="pcs", when=p["order_date"],
                                         counterpart=p["supplier"], note=f"due {p['due_date']}"))
            en.append(f"- {p['order_date']}: order {fmt(p['qty'])} × {_label(cat, p['item'], 'en')} "
                      f"from {p['supplier']}, due {p['due_date']}")
            zh.append(f"- {p['order_date']}：向 {p['supplier']} 订购 {_label(cat, p['item'], 'zh')} "
                      f"{fmt(p['qty'])} 件，{p['due_date']} 到货")
    add("PURCHASING", "purchasing", lines, en, zh)
