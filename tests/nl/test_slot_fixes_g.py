"""General fixes from blind set G's failure classes, each checked on phrasings that are in no
labelled set: a lead-in before a basis clause and basis 'flows' (their flows are no targets),
a family listed with a product, '总成' inside '汇总成', a spare part named by its use after an
earlier use of its word, production resources as lineage refs, 'per-store'/'per-SKU', period
order quantity, 'since <day>' up to today, 'N more days' a supplier needs as a second edit, a
customer wanting N% more of a family, yuan with tenths ('2块3'), scrapping/writing off as
unsupported, a hypothetical follow-up that only gives a value, follow-ups that add flow targets,
and a stock-only forecast as the flow forecast."""

from __future__ import annotations

from datetime import date

import pytest

from supplypilot.nlp._reading import split_basis
from supplypilot.nlp.slots import extract_quantities, extract_times

from ._parsing import parse_turns, single_call

TODAY = date(2026, 10, 31)
LAPTOPS = ["LT001-16-512", "LT001-32-1024", "LT001-32-2048"]


_res = parse_turns
_call = single_call


@pytest.mark.parametrize(("text", "targets"), [
    ("早会上定的：参照当前的销量、库存和发货量，推算一下以后的库存水平", ["inventory"]),
    ("Going by current sales, stock and shipment levels, forecast how much we will need to produce", ["production"]),
])
def test_basis_flows_are_no_targets(catalog, text, targets):
    tool, args = _call(text, catalog)
    assert tool == "forecast_flows"
    assert args["targets"] == targets


def test_a_lead_in_stays_with_the_request():
    basis, body = split_basis("经理交代的：参照眼下的库存和发货量，估一下后面的产量")
    assert basis == "眼下的库存和发货量"
    assert body.startswith("经理交代的：") and body.endswith("估一下后面的产量")


@pytest.mark.parametrize(("text", "tool"), [
    ("Aero 1 和三款笔记本，未来三周的产量预测", "forecast_flows"),
    ("Lumen 1 512GB plus all three laptops: buying plan for 6 weeks", "plan_purchasing"),
])
def test_a_family_listed_with_a_product(catalog, text, tool):
    got, args = _call(text, catalog)
    assert got == tool
    assert sorted(args["items"]) == sorted(LAPTOPS + (["PH002-256"] if "Aero" in text else ["PH003-512"]))


def test_zongcheng_inside_huizongcheng_is_no_part(catalog):
    tool, args = _call("平板未来两周的产量和发货量，汇总成一个数", catalog)
    assert tool == "forecast_flows"
    assert args["items"] == ["TB001-128"] and args["by"] == "total"


def test_a_spare_part_after_an_earlier_use_of_its_word(catalog):
    tool, args = _call("售后说电池不够用了，华南仓Nova 1的备用电池还剩几块", catalog)
    assert (tool, args) == ("inventory_position", {"item": "SP-BAT-PH001", "location": "DC-SOUTH"})


@pytest.mark.parametrize(("text", "ref"), [
    ("成都SMT一线这个资源的记录是谁导入的", "CD-SMT1"),
    ("深圳总装一线的主数据改过没有，最早从哪来的", "SZ-FA1"),
    ("Show the lineage of the Shenzhen SMT line 1 resource", "SZ-SMT1"),
    ("lineage of CD-FA1", "CD-FA1"),
])
def test_a_production_resource_as_lineage_ref(catalog, text, ref):
    assert _call(text, catalog) == ("lineage", {"ref": ref})


@pytest.mark.parametrize(("text", "by"), [
    ("Per-store forecast for the Aero 1, next 3 weeks", "item_location"),
    ("per-SKU inventory projection for the next 5 weeks", "item"),
])
def test_hyphenated_breakdowns(catalog, text, by):
    _tool, args = _call(text, catalog)
    assert args["by"] == by


@pytest.mark.parametrize("text", ["用定期订货量的方法做未来六周的采购计划",
                                  "purchasing plan for 8 weeks, periodic order quantity"])
def test_period_order_quantity(catalog, text):
    tool, args = _call(text, catalog)
    assert tool == "plan_purchasing" and args["lot_sizing"] == "poq"


@pytest.mark.parametrize(("text", "start"), [
    ("since Oct 2", date(2026, 10, 2)), ("since the 5th of September", date(2026, 9, 5)),
    ("自10月8日以来", date(2026, 10, 8)), ("9月25号至今", date(2026, 9, 25)),
])
def test_since_a_day_ends_today(text, start):
    t = extract_times(text, TODAY)[0]
    assert t.window(TODAY, "past") == (start, TODAY)


def test_since_a_day_in_a_history_request(catalog):
    tool, args = _call("Weekly JD sales of the Lumen 1 256GB since Oct 3", catalog)
    assert tool == "demand_history"
    assert (args["start"], args["end"]) == ("2026-10-03", "2026-10-31")


def test_extra_days_a_supplier_needs_is_a_second_edit(catalog):
    tool, args = _call("What if DC North closes and Ningde Energy needs 3 more days?", catalog)
    assert tool == "what_if"
    assert args["edits"] == [{"kind": "node_closed", "node": "DC-NORTH"},
                             {"kind": "supplier_lead_time", "supplier": "SUP-NEC", "days": 3}]


@pytest.mark.parametrize(("text", "node", "pct"), [
    ("China Mobile wants 25% more laptops - is that feasible?", "CUS-CMCC", 25.0),
    ("假如中国移动要的笔记本比现在多15%，供得上吗", "CUS-CMCC", 15.0),
])
def test_a_customer_wanting_more_of_a_family(catalog, text, node, pct):
    tool, args = _call(text, catalog)
    assert tool == "what_if"
    assert [(e["node"], e["product"], e["pct"]) for e in args["edits"]] == [(node, p, pct) for p in LAPTOPS]


@pytest.mark.parametrize(("text", "value"), [("每件运费2块3", 2.3), ("三块五一件", 3.5), ("4元8角", 4.8)])
def test_yuan_with_tenths(text, value):
    q = [x for x in extract_quantities(text) if x.unit == "cny"]
    assert q and q[0].value == value


@pytest.mark.parametrize("text", ["华南仓那20台进水的Pad 1帮我报废一下",
                                  "Please write the cracked Aero 1 units at DC East off in the system",
                                  "scrap 40 faulty chargers at the Shenzhen plant"])
def test_scrapping_and_writing_off_are_unsupported(catalog, text):
    res = _res(text, catalog)
    assert not res.ok and res.clarification.kind == "unsupported"


@pytest.mark.parametrize(("context", "text", "review"), [
    (["Reorder point for the Lumen 1 256GB at DC South, 96% service"], "what if we count it every 12 days?", 12),
    (["华北仓Pad 1的补货参数，服务水平95%"], "要是每5天盘一次呢", 5),
])
def test_a_hypothetical_that_only_gives_a_value(catalog, context, text, review):
    tool, args = _call(text, catalog, context)
    assert tool == "inventory_policy"
    assert args["review_period_days"] == review and "location" in args and "service_level" in args


def test_a_hypothetical_with_an_edit_is_still_a_scenario(catalog):
    tool, _args = _call("what if Penang Interconnect's capacity halves?", catalog,
                        ["Safety stock for the Pad 1 at DC East, 95% service"])
    assert tool == "what_if"


@pytest.mark.parametrize(("context", "text", "targets", "horizon"), [
    (["Forecast production of the Nova 1 256GB for the next 3 weeks"], "include shipments too, for 5 weeks",
     ["production", "shipments"], 35),
    (["预测Aero 1未来两周的发货量"], "库存也加上", ["inventory", "shipments"], 14),
])
def test_follow_ups_that_add_flow_targets(catalog, context, text, targets, horizon):
    tool, args = _call(text, catalog, context)
    assert tool == "forecast_flows"
    assert args["targets"] == targets and args["horizon"] == horizon


def test_a_replacing_follow_up_still_replaces(catalog):
    _tool, args = _call("换成产量", catalog, ["预测Aero 1未来两周的发货量"])
    assert args["targets"] == ["production"]


def test_a_stock_only_forecast_is_the_flow_forecast(catalog):
    tool, args = _call("预测Nova 1 512GB未来三周的库存", catalog)
    assert tool == "forecast_flows" and args["targets"] == ["inventory"]
