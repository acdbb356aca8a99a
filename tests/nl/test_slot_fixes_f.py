"""General fixes from blind set F's failure classes, each checked on phrasings that are in no
labelled set: interval levels without a percent sign, the joint model as the flow forecast, a
part named by its use ('屏幕备件', 'replacement screens'), terabytes as the gigabytes of part
names, quality points of data sources, budgets held 'within' an amount, a month's end and a day
with its year, makespan wordings ('尽早把活儿做完', 'minimum completion time') and 'completion time'
not read as 'on time', a per-unit lane cost whose lane is in an earlier clause, two-day windows
('明后两天', 'tomorrow and the day after'), a date up to today, 'Sept', 'mothball'/'封存' as a
closure, 'what's on hand', follow-ups that only give values, overtime/calendar edits and
complaints (unsupported), vague asks ('有点乱，帮我理理', 'sort it out'), and a basis clause after
the request ('…, drawing on …')."""

from __future__ import annotations

from datetime import date

import pytest

from supplypilot.nlp._reading import split_basis
from supplypilot.nlp.slots import extract_quantities, extract_times

from ._parsing import parse_turns, single_call

TODAY = date(2026, 10, 31)


_res = parse_turns
_call = single_call


@pytest.mark.parametrize(("text", "levels"), [
    ("成都体验店Aero 1未来五周的销量预测，区间给85和95两档", [85, 95]),
    ("预测一下耳机未来一个月的需求，区间要80、90和95三档", [80, 90, 95]),
])
def test_interval_levels_without_a_percent_sign(catalog, text, levels):
    tool, args = _call(text, catalog)
    assert tool == "forecast_demand"
    assert args["level"] == levels


def test_numbers_near_no_interval_word_are_no_levels(catalog):
    tool, args = _call("预测一下耳机未来一个月的需求", catalog)
    assert tool == "forecast_demand" and "level" not in args


@pytest.mark.parametrize(("text", "targets", "horizon"), [
    ("用联合模型预测一下未来一个月所有产品的库存合计", ["inventory"], 30),
    ("With the joint multi-output model, project total production through year-end", ["production"], 61),
])
def test_the_joint_model_is_the_flow_forecast(catalog, text, targets, horizon):
    tool, args = _call(text, catalog)
    assert tool == "forecast_flows"
    assert args == {"by": "total", "targets": targets, "horizon": horizon}


@pytest.mark.parametrize(("text", "item", "location"), [
    ("深圳旗舰店Aero 1的屏幕备件还有几块", "SP-DSP-PH002", "ST-SZ-01"),
    ("Lumen 1 replacement screens at the Guangzhou DC - how many are left?", "SP-DSP-PH003", "DC-SOUTH"),
])
def test_a_part_named_by_its_use(catalog, text, item, location):
    assert _call(text, catalog) == ("inventory_position", {"item": item, "location": location})


def test_a_part_word_does_not_swallow_the_time_after_it(catalog):
    tool, args = _call("用TSB预测一下Aero 1屏幕备件未来三周的需求", catalog)
    assert tool == "forecast_demand"
    assert args == {"items": ["SP-DSP-PH002"], "model": "TSB", "horizon": 21}


@pytest.mark.parametrize(("text", "code"), [("Who supplies the 2TB NVMe SSD?", "SSD-2048G"),
                                            ("1TB固态硬盘找哪家供货", "SSD-1024G")])
def test_terabytes_read_as_the_gigabytes_of_part_names(catalog, text, code):
    assert _call(text, catalog) == ("list_suppliers", {"item": code})


def test_quality_points_of_data_sources_are_data_status(catalog):
    assert _call("哪个数据源扣分最多？", catalog) == ("data_status", {})


def test_budget_held_within_an_amount(catalog):
    tool, args = _call("采购总额控制在50万以内，计划排到12月底", catalog)
    assert tool == "plan_purchasing"
    assert args == {"horizon_days": 61, "budget": 500000.0}


@pytest.mark.parametrize(("text", "day"), [
    ("through Feb 10 next year", date(2027, 2, 10)), ("做到明年2月底", date(2027, 2, 28)),
    ("到11月底", date(2026, 11, 30)),
])
def test_a_day_with_its_year_and_a_months_end(text, day):
    t = extract_times(text, TODAY)
    assert len(t) == 1 and t[0].window(TODAY) == (day, day)


@pytest.mark.parametrize(("text", "objective"), [
    ("龙华工厂未来六天的工单排一下，尽早把活儿都做完", "makespan"),
    ("Chengdu plant for 4 days - minimum completion time please", "makespan"),
    ("Chengdu plant for 4 days, focus on on-time delivery", "weighted_tardiness"),
])
def test_makespan_wordings_and_completion_time_is_not_on_time(catalog, text, objective):
    tool, args = _call(text, catalog)
    assert tool == "plan_production"
    assert args["objective"] == objective


def test_lane_cost_with_its_lane_in_an_earlier_clause(catalog):
    tool, args = _call("成都工厂到华北仓这一条线，单件运费要是降到1.5元", catalog)
    assert tool == "what_if"
    assert args["edits"] == [{"kind": "lane_cost", "src": "PLT-CD", "dst": "DC-NORTH", "cost": 1.5}]


def test_yi_in_a_word_is_no_number():
    assert [q.value for q in extract_quantities("这一段推一下，过一眼")] == []
    assert [q.value for q in extract_quantities("一千台")] == [1000.0]


@pytest.mark.parametrize(("text", "key", "value"), [
    ("华南仓明后两天的发货指令", "node", "DC-SOUTH"),
    ("plant instructions for tomorrow and the day after", "role", "plant"),
])
def test_two_day_windows(catalog, text, key, value):
    tool, args = _call(text, catalog)
    assert tool == "dispatch_instructions"
    assert args == {key: value, "date": "2026-11-01", "days": 2}


def test_a_date_up_to_today(catalog):
    tool, args = _call("Daily Lumen 1 256GB sales at the Wuhan store from Oct 5 up to today", catalog)
    assert tool == "demand_history"
    assert (args["start"], args["end"], args["freq"]) == ("2026-10-05", "2026-10-31", "D")


def test_sept_is_september(catalog):
    t = extract_times("starting Sept 14", TODAY)
    assert len(t) == 1 and t[0].window(TODAY, "past")[0] == date(2026, 9, 14)
    assert _res("pull the daily sales history starting Sept 14", catalog).clarification.kind == "missing_slot"


@pytest.mark.parametrize(("text", "node"), [("Suppose the Shenzhen plant is mothballed", "PLT-SZ"),
                                            ("假如成都工厂封存，成本怎么变", "PLT-CD")])
def test_mothball_is_a_closure(catalog, text, node):
    assert _call(text, catalog) == ("what_if", {"edits": [{"kind": "node_closed", "node": node}]})


def test_whats_on_hand_is_the_stock_now(catalog):
    assert _call("Before we promise anything: what's on hand for the Aero 1 at DC East?", catalog) == (
        "inventory_position", {"item": "PH002-256", "location": "DC-EAST"})


def test_follow_up_with_only_values_keeps_the_depot_and_date(catalog):
    tool, args = _call("make it 3 vans of 1.2 tonnes", catalog, ["Plan routes from DC North for tomorrow"])
    assert tool == "plan_routes"
    assert args == {"depot": "DC-NORTH", "date": "2026-11-01", "vehicles": 3, "vehicle_capacity": 1200.0}


@pytest.mark.parametrize(("text", "kind"), [
    ("深圳工厂下周日安排加班，排班表也改一下", "unsupported"),
    ("Please update the production calendar at the Shenzhen plant for Nov 20", "unsupported"),
    ("给东莞五金塑胶提个投诉，上批外壳有划痕", "unsupported"),
    ("File a complaint with Penang Interconnect about the late connectors", "unsupported"),
    ("华北仓最近有点乱，帮我理理", "ambiguous_intent"),
    ("The Beijing flagship is a real mess - sort it out", "ambiguous_intent"),
])
def test_edits_errands_and_vague_asks_are_questions(catalog, text, kind):
    res = _res(text, catalog)
    assert not res.ok and res.clarification.kind == kind, (text, res.calls)


def test_overtime_in_a_scenario_is_no_errand(catalog):
    res = _res("如果成都工厂加班，产能提高两成会怎样", catalog)
    assert res.intent == "what_if"


def test_basis_clause_after_the_request():
    b, body = split_basis("Forecast next month's demand, drawing on past sales and stock records")
    assert b == "past sales and stock records"
    assert body == "Forecast next month's demand"


def test_last_weeks_weekday():
    t = extract_times("上周一到今天", TODAY)
    assert t[0].window(TODAY, "past") == (date(2026, 10, 19), date(2026, 10, 19))


def test_a_plural_part_word_and_terabytes(catalog):
    assert _call("Who can sell us 2TB SSDs?", catalog) == ("list_suppliers", {"item": "SSD-2048G"})


def test_a_spec_after_another_product_is_that_products(catalog):
    tool, args = _call("Forecast Nova 1 and Lumen 1 512GB demand for the next 4 weeks", catalog)
    assert tool == "forecast_demand"
    assert "PH003-512" in args["items"] and "PH003-256" not in args["items"]
