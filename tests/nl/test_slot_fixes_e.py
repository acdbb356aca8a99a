"""General fixes from blind set E's failure classes, each checked on phrasings that are in no
labelled set: basis clauses without a verb of use, parts named by their use and spec, freshness
questions, '下单前' as a time, makespan wordings, capacity changes whose supplier is named in an
earlier clause, falls ('掉', 'sales slip'), orders placed or expedited (unsupported), vague asks,
stock levels trending, month ranges with 'through', budget ceilings, EOQ in words, a date after
a weekday, two joined weekdays, drivers and crews as the carrier role, follow-ups that add an
edit or widen to both plants."""

from __future__ import annotations

from datetime import date

import pytest

from supplypilot.nlp._reading import split_basis
from supplypilot.nlp.slots import extract_times

from ._parsing import parse_turns, single_call

TODAY = date(2026, 10, 31)


_res = parse_turns
_call = single_call


@pytest.mark.parametrize(("text", "basis"), [
    ("我们手里有近两年的出货和库存数据，帮忙估一下明年上半年的需求", "近两年的出货和库存数据"),
    ("Going by last year's sales figures, what will demand look like next quarter?", "last year's sales figures"),
])
def test_basis_clauses_without_a_verb_of_use(text, basis):
    b, body = split_basis(text)
    assert b == basis
    assert body and basis not in body


def test_market_demand_from_data_is_a_forecast(catalog):
    tool, args = _call("目前已有销量记录，照此推算一下客户还要多少货", catalog)
    assert tool == "forecast_demand"
    assert args == {}


@pytest.mark.parametrize(("text", "code"), [
    ("平板用的那颗4000mAh电芯有几家能供", "CELL-T01"),
    ("手机那款4500mAh的电芯是谁家供货", "CELL-P02"),
])
def test_part_by_use_and_spec(catalog, text, code):
    tool, args = _call(text, catalog)
    assert tool == "list_suppliers"
    assert args == {"item": code}


def test_freshness_question_is_data_status(catalog):
    assert _call("库存数据在系统里是不是已经更新到最新了？", catalog) == ("data_status", {})


def test_before_ordering_is_a_time_not_an_order(catalog):
    tool, args = _call("下单之前帮我算一下Nova 1 512GB未来六周的物料需求，预算上限二十万", catalog)
    assert tool == "plan_purchasing"
    assert args["items"] == ["PH001-512"] and args["horizon_days"] == 42 and args["budget"] == 200000.0


@pytest.mark.parametrize("text", ["深圳工厂排五天的产，总工期尽量短", "成都工厂未来6天排程，工期越短越好"])
def test_short_makespan_wordings(catalog, text):
    tool, args = _call(text, catalog)
    assert tool == "plan_production"
    assert args["objective"] == "makespan"


def test_capacity_change_with_its_supplier_in_an_earlier_clause(catalog):
    tool, args = _call("要是苏州精密电路那边设备故障，出货能力少三成，会怎样", catalog)
    assert tool == "what_if"
    assert args["edits"] == [{"kind": "supplier_capacity", "supplier": "SUP-SPC", "pct": -30.0}]


@pytest.mark.parametrize(("text", "pct"), [
    ("假如武汉体验店的Pad 1销量掉一半", -50.0),
    ("What if Aero 1 demand at the Nanjing Experience Store slips 15%?", -15.0),
])
def test_falls(catalog, text, pct):
    tool, args = _call(text, catalog)
    assert tool == "what_if"
    assert args["edits"][0]["kind"] == "demand_change" and args["edits"][0]["pct"] == pct


@pytest.mark.parametrize(("text", "kind"), [
    ("马上给东莞金属塑胶下一张采购单，外壳先要一千个", "unsupported"),
    ("Please expedite the Hanyang Memory order and air-freight it", "unsupported"),
    ("Place an order with Ningde Energy Cells for 500 cells", "unsupported"),
    ("Aero 1 最近你帮我盯紧点", "ambiguous_intent"),
    ("keep tabs on the Pad 1 for me", "ambiguous_intent"),
])
def test_orders_and_vague_asks_are_questions(catalog, text, kind):
    res = _res(text, catalog)
    assert not res.ok
    assert res.clarification.kind == kind


def test_stock_levels_trending_is_a_flow_forecast(catalog):
    tool, args = _call("Where are power bank inventory levels heading over the next 4 weeks?", catalog)
    assert tool == "forecast_flows"
    assert args == {"items": ["AC003"], "targets": ["inventory"], "horizon": 28}


def test_basis_naming_all_flows_does_not_set_the_targets(catalog):
    tool, args = _call("Working from past production, stock and logistics data, where are inventory levels going?",
                       catalog)
    assert tool == "forecast_flows" and args == {"targets": ["inventory"]}


@pytest.mark.parametrize(("text", "window"), [
    ("March through June", (date(2026, 3, 1), date(2026, 6, 30))),
    ("May thru August", (date(2026, 5, 1), date(2026, 8, 31))),
])
def test_month_ranges_with_through(text, window):
    t = extract_times(text, TODAY)[0]
    assert t.window(TODAY, "past") == window


def test_a_may_that_is_a_verb_is_no_month():
    """Only 'through'/'thru'/'until'/a dash make a bare 'may' the month: 'may and June' stays a verb."""
    assert all(t.window(TODAY, "past")[0] != date(2026, 5, 1)
               for t in extract_times("stock may and June sales will tell", TODAY))


@pytest.mark.parametrize(("text", "budget"), [
    ("Book 14 G1 16GB+512GB purchase plan for 4 weeks, ceiling of 90k", 90000.0),
    ("Aero 1 采购计划，未来一个月，钱最多十二万", 120000.0),
])
def test_budget_ceilings(catalog, text, budget):
    tool, args = _call(text, catalog)
    assert tool == "plan_purchasing" and args["budget"] == budget


def test_eoq_in_words(catalog):
    tool, args = _call("Pad 1 MRP for 3 weeks with economic order quantity lots", catalog)
    assert tool == "plan_purchasing" and args["lot_sizing"] == "eoq"


def test_lot_by_lot(catalog):
    tool, args = _call("充电宝的采购计划，批对批，未来四周", catalog)
    assert args["lot_sizing"] == "lot_for_lot"


@pytest.mark.parametrize(("text", "day"), [
    ("Friday Nov 20", date(2026, 11, 20)),
    ("Monday, 16 November", date(2026, 11, 16)),
    ("周三11月18号", date(2026, 11, 18)),
])
def test_a_date_after_a_weekday_decides(text, day):
    t = extract_times(text, TODAY)[0]
    assert t.window(TODAY, "future")[0] == day


@pytest.mark.parametrize(("text", "start", "days"), [
    ("Shenzhen plant instructions for Thursday and Friday", "2026-11-05", 2),
    ("华东仓周一到周三的收发货指令", "2026-11-02", 3),
])
def test_joined_weekdays_are_a_window(catalog, text, start, days):
    tool, args = _call(text, catalog)
    assert tool == "dispatch_instructions"
    assert args["date"] == start and args["days"] == days


@pytest.mark.parametrize("text", ["各仓的司机明天的派送指令", "dispatch for the delivery crews at all DCs tomorrow"])
def test_drivers_at_depots_are_the_carrier_role(catalog, text):
    tool, args = _call(text, catalog)
    assert tool == "dispatch_instructions"
    assert args["role"] == "carrier" and args["date"] == "2026-11-01"


def test_follow_up_adds_an_edit(catalog):
    tool, args = _call("in addition, close the Chengdu plant", catalog,
                       ["What if Hsinchu Semiconductor's lead time goes up by 10 days?"])
    assert tool == "what_if"
    assert [e["kind"] for e in args["edits"]] == ["supplier_lead_time", "node_closed"]


@pytest.mark.parametrize("text", ["make it all plants", "换成所有工厂"])
def test_follow_up_widens_to_every_plant(catalog, text):
    tool, args = _call(text, catalog, ["深圳工厂未来5天的排产"])
    assert tool == "plan_production"
    assert "plant" not in args and args["horizon_days"] == 5
