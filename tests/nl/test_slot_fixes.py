"""General slot fixes from blind set C's failure classes (each checked on phrasings that are in
no labelled set): ranges, colloquial days, half units, falls, budgets, objectives, review
periods, days of dispatch, trailing windows, occasions, basis clauses, short names."""

from __future__ import annotations

from datetime import date

import pytest

from supplypilot.nlp import parse
from supplypilot.nlp.slots import extract_quantities, extract_review_period, extract_times

from ._parsing import single_call

TODAY = date(2026, 10, 31)


@pytest.mark.parametrize(("text", "look", "window"), [
    ("11月3号到9号", "future", (date(2026, 11, 3), date(2026, 11, 9))),
    ("11月3号到9号", "past", (date(2025, 11, 3), date(2025, 11, 9))),
    ("9月28日至10月2日", "past", (date(2026, 9, 28), date(2026, 10, 2))),
    ("Sep 3-9", "past", (date(2026, 9, 3), date(2026, 9, 9))),
    ("from Aug 10 to Aug 20", "past", (date(2026, 8, 10), date(2026, 8, 20))),
])
def test_date_ranges_are_one_window(text, look, window):
    t = extract_times(text, TODAY)
    assert len(t) == 1 and t[0].window(TODAY, look) == window


@pytest.mark.parametrize(("text", "day"), [("今儿个", TODAY), ("今儿", TODAY), ("明儿", date(2026, 11, 1)),
                                           ("后儿个", date(2026, 11, 2)), ("昨儿个", date(2026, 10, 30))])
def test_colloquial_days(text, day):
    assert extract_times(text, TODAY)[0].window(TODAY) == (day, day)


@pytest.mark.parametrize(("text", "kg"), [("载重三吨半", 3500), ("半吨的车", 500), ("2吨半", 2500),
                                          ("half a tonne", 500), ("a tonne and a half", 1500)])
def test_half_units_of_weight(text, kg):
    q = [x for x in extract_quantities(text) if x.unit == "kg"]
    assert len(q) == 1 and q[0].value == kg


@pytest.mark.parametrize(("text", "days"), [("四周盘一次", 28), ("五天盘一回", 5), ("每两周盘点", 14)])
def test_review_periods_with_short_verbs(text, days):
    assert extract_review_period(text)[0] == days


def test_trailing_windows_look_back():
    t = extract_times("trailing 10 days", TODAY)[0]
    assert t.window(TODAY) == (date(2026, 10, 22), TODAY)


_call = single_call


def test_history_range_in_brackets_after_a_holiday(catalog):
    _, args = _call("春节那阵子（2月15号到20号）Pad 1每天卖了多少", catalog)
    assert (args["start"], args["end"], args["freq"]) == ("2026-02-15", "2026-02-20", "D")


def test_day_by_day_is_daily(catalog):
    _, args = _call("Pad 1: day-by-day sales, trailing 7 days", catalog)
    assert (args["start"], args["end"], args["freq"]) == ("2026-10-25", "2026-10-31", "D")


@pytest.mark.parametrize("text", ["如果天猫的耳机需求削减两成会怎样", "what if Tmall cuts earbud orders by 20%?"])
def test_cuts_are_falls(catalog, text):
    name, args = _call(text, catalog)
    assert name == "what_if" and args["edits"][0]["pct"] == -20


def test_follow_up_with_a_fall_flips_the_sign(catalog):
    name, args = _call("what about a 5% dip", catalog, ["What if JD.com demand for the Pad 1 rises 20%?"])
    assert name == "what_if" and args["edits"][0]["pct"] == -5


def test_customer_orders_in_a_two_edit_what_if(catalog):
    _, args = _call("如果天猫的Pad 1订单少三成，同时韩阳交期推迟五天会怎样", catalog)
    kinds = [(e["kind"], e.get("node"), e.get("pct"), e.get("days")) for e in args["edits"]]
    assert kinds == [("demand_change", "CUS-TMALL", -30, None), ("supplier_lead_time", None, None, 5)]


@pytest.mark.parametrize(("text", "budget"), [("plan purchasing for next month, keep spending below 400k", 400_000.0),
                                              ("下个月的采购计划，开销别超过三十万", 300_000.0)])
def test_spend_caps_are_budgets(catalog, text, budget):
    name, args = _call(text, catalog)
    assert name == "plan_purchasing" and args["budget"] == budget


@pytest.mark.parametrize("text", ["排一下成都厂下周的生产，交期优先", "schedule the Chengdu plant next week, on-time delivery first"])
def test_due_date_priority_is_weighted_tardiness(catalog, text):
    name, args = _call(text, catalog)
    assert name == "plan_production" and args["objective"] == "weighted_tardiness"


@pytest.mark.parametrize(("text", "date_", "days"), [("下周三起连续四天华东仓要发哪些货", "2026-11-04", 4),
                                                     ("what does DC North have to ship over the 2 days starting Thursday?",
                                                      "2026-11-05", 2)])
def test_days_starting_a_date_for_dispatch(catalog, text, date_, days):
    name, args = _call(text, catalog)
    assert name == "dispatch_instructions" and (args["date"], args["days"]) == (date_, days)


def test_a_length_wins_over_an_occasion_day(catalog):
    _, args = _call("For Thursday's planning call I need a forecast of the Pad 1 for the next 5 weeks", catalog)
    assert args["horizon"] == 35


def test_basis_clause_after_the_request(catalog):
    name, args = _call("how much will we have to produce next month given current stock and shipments?", catalog)
    assert name == "forecast_flows" and args["targets"] == ["production"]


@pytest.mark.parametrize(("text", "code"), [("线性振动马达还有多少库存", "EM-HAP"), ("how many backlit keyboards do we hold", "EM-KB14")])
def test_components_by_name_without_spec(catalog, text, code):
    assert _call(text, catalog)[1]["item"] == code


@pytest.mark.parametrize(("text", "code"), [("嘉定仓明天的配送路线", "DC-EAST"), ("routes out of the Daxing DC tomorrow", "DC-NORTH")])
def test_places_by_district(catalog, text, code):
    assert _call(text, catalog)[1]["depot"] == code


def test_variant_after_model_in_a_forecast(catalog):
    _, args = _call("forecast the Lumen 1 256 for 2 weeks", catalog)
    assert args["items"] == ["PH003-256"]


def test_slot_only_follow_up(catalog):
    name, args = _call("按门店拆开", catalog, ["预测下个月充电宝的需求"])
    assert name == "forecast_demand" and args == {"items": ["AC003"], "horizon": 30, "by": "item_location"}


@pytest.mark.parametrize("text", ["把深圳旗舰店的20台Pad 1调拨到广州旗舰店", "move 100 earbuds from DC South to DC East",
                                  "mark the Nova 1 256GB as obsolete in the catalogue"])
def test_transfers_and_master_data_edits_are_unsupported(catalog, text):
    res = parse(text, catalog)
    assert res.clarification is not None and res.clarification.kind == "unsupported"
