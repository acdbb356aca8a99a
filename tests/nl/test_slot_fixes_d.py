"""General fixes from blind set D's failure classes, each checked on phrasings that are in no
labelled set: variants by their specs, parts by the product they go into, city + district
place names, month ranges, occasion days before a window, shares left and multiples, stopped
lanes, per-unit lane costs, listed levels, budgets as limits, full-chain plans, basis clauses
with "use … data to", follow-ups that start with "actually"."""

from __future__ import annotations

from datetime import date

import pytest

from supplypilot.nlp.slots import extract_times

from ._parsing import single_call

TODAY = date(2026, 10, 31)


_call = single_call


def _items(text, catalog):
    return [(m.text, [e.code for e in m.entities]) for m in catalog.link(text)]


@pytest.mark.parametrize(("text", "code"), [
    ("那台32G加2T配置的Book 14 G1", "LT001-32-2048"),
    ("Book 14 G1 (16GB + 512GB)", "LT001-16-512"),
    ("our Book 14 G1 laptops with 32 GB and 1 TB", "LT001-32-1024"),
])
def test_specs_near_a_model_pick_the_variant(catalog, text, code):
    found = [codes for _, codes in _items(text, catalog) if any(c.startswith("LT001") for c in codes)]
    assert found == [[code]]


def test_specs_that_fit_no_variant_leave_the_question(catalog):
    """No Book 14 G1 has 8 GB: the model stays ambiguous rather than picking one."""
    found = [codes for _, codes in _items("8G内存的Book 14 G1", catalog) if any(c.startswith("LT001-") for c in codes)]
    assert found and len(found[0]) == 3


@pytest.mark.parametrize(("text", "code"), [
    ("显示屏总成备件（给 Lumen 1 用）", "SP-DSP-PH003"),
    ("spare display assemblies used in the Pad 1", "SP-DSP-TB001"),
    ("手机用的锂电芯", "CELL-P02"),
    ("the coin cells inside our earbuds", "CELL-E01"),
])
def test_parts_named_by_what_they_go_into(catalog, text, code):
    links = _items(text, catalog)
    assert [codes for _, codes in links] == [[code]], links


def test_product_alone_stays_the_product(catalog):
    assert [codes for _, codes in _items("Aero 1 在华东仓还有多少", catalog)][0] == ["PH002-256"]


def test_city_before_a_district_place_is_one_place(catalog):
    name, args = _call("广州黄埔那个仓的充电宝还剩多少", catalog)
    assert name == "inventory_position" and args == {"item": "AC003", "location": "DC-SOUTH"}


def test_supplier_by_its_city_in_chinese(catalog):
    assert [codes for _, codes in _items("宁德的供应商", catalog)] == [["SUP-NEC"]]


@pytest.mark.parametrize(("text", "window"), [
    ("去年3月到6月", (date(2025, 3, 1), date(2025, 6, 30))),
    ("6月份至9月份", (date(2026, 6, 1), date(2026, 9, 30))),
    ("between April and July", (date(2026, 4, 1), date(2026, 7, 31))),
    ("from Sep 12 to the end of the month", (date(2026, 9, 12), date(2026, 9, 30))),
    ("9月5号到月底", (date(2026, 9, 5), date(2026, 9, 30))),
])
def test_month_ranges_and_month_ends(text, window):
    t = extract_times(text, TODAY)
    assert len(t) == 1 and t[0].window(TODAY, "past") == window


def test_an_occasion_day_before_a_window_is_not_the_window(catalog):
    name, args = _call("为了准备圣诞节，调一下天猫 Aero 1 从10月5号到月底每天的销量", catalog)
    assert name == "demand_history"
    assert (args["start"], args["end"], args["freq"]) == ("2026-10-05", "2026-10-31", "D")


@pytest.mark.parametrize(("text", "pct"), [
    ("如果华强电子的产能只剩八成", -20.0),
    ("what if Kansai Imaging runs at just 60% of its capacity?", -40.0),
    ("what if Kansai Imaging loses 60% of its capacity?", -60.0),
])
def test_a_share_left_is_a_fall(catalog, text, pct):
    name, args = _call(text, catalog)
    assert name == "what_if" and args["edits"][0]["pct"] == pct


@pytest.mark.parametrize(("text", "pct"), [
    ("假如京东的充电宝需求变成原来的3倍", 200.0),
    ("what if Tmall's charger sales grow to 1.5 times the usual?", 50.0),
    ("suppose the Xiamen store's earbuds demand triples", 200.0),
])
def test_multiples_are_rises(catalog, text, pct):
    name, args = _call(text, catalog)
    assert name == "what_if" and args["edits"][0]["kind"] == "demand_change" and args["edits"][0]["pct"] == pct


@pytest.mark.parametrize("text", ["要是华北仓到天津体验店的线路断了", "what if the DC North to Tianjin store lane is shut?"])
def test_a_stopped_lane_is_prohibited_not_a_closed_node(catalog, text):
    name, args = _call(text, catalog)
    assert args["edits"] == [{"kind": "lane_prohibited", "src": "DC-NORTH", "dst": "ST-TJ-01"}]


@pytest.mark.parametrize("text", ["成都厂发华南仓每件运费涨到5块", "what if the Chengdu plant to DC South lane costs 5 per piece?"])
def test_a_per_unit_lane_price_is_a_cost(catalog, text):
    name, args = _call(text, catalog)
    assert args["edits"] == [{"kind": "lane_cost", "src": "PLT-CD", "dst": "DC-SOUTH", "cost": 5.0}]


def test_listed_levels(catalog):
    name, args = _call("forecast the charger for the next 3 weeks with 50, 80 and 95% intervals", catalog)
    assert args["level"] == [50, 80, 95]


@pytest.mark.parametrize("text", ["buying plan for the chargers, 4 weeks, mustn't exceed 120k",
                                  "purchasing plan for chargers over 4 weeks, don't go over 120k"])
def test_limits_are_budgets(catalog, text):
    name, args = _call(text, catalog)
    assert name == "plan_purchasing" and args["budget"] == 120000.0


def test_full_chain_is_the_plan_cycle(catalog):
    name, args = _call("run the whole chain, forecast through delivery, for 5 weeks", catalog)
    assert name == "plan_cycle" and args == {"horizon_days": 35}


def test_use_data_to_is_a_basis(catalog):
    name, args = _call("用历史的销量和库存数据测算一下未来产量", catalog)
    assert name == "forecast_flows" and args["targets"] == ["production"]


def test_actually_starts_a_follow_up(catalog):
    name, args = _call("actually, move it to Friday with 4 vans", catalog, ["Plan routes from DC South for Monday"])
    assert args == {"depot": "DC-SOUTH", "date": "2026-11-06", "vehicles": 4}
