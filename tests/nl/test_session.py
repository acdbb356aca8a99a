"""Multi-turn context: follow-ups and answers to clarifying questions."""

from __future__ import annotations

from supplypilot.nlp import Session, parse


def test_an_unknown_name_gets_a_question_not_a_guess(catalog):
    """"供应商A" is not a supplier: the parser asks and lists the suppliers, and calls nothing."""
    res = parse("如果供应商A的交货期延长一周会怎样？", catalog)
    assert res.calls == [] and res.clarification.kind == "unknown_entity"
    assert "SUP-HQE" in res.clarification.question and "供应商A" in res.clarification.question


def test_the_answer_to_a_question_completes_the_original_instruction(catalog):
    """Answering "华强电子" puts the supplier in place of "供应商A" and reads the instruction again."""
    s = Session()
    parse("如果供应商A的交货期延长一周会怎样？", catalog, s)
    res = parse("华强电子", catalog, s)
    assert [c.as_dict() for c in res.calls] == [{"name": "what_if", "args": {"edits": [
        {"kind": "supplier_lead_time", "supplier": "SUP-HQE", "days": 7}]}}]
    assert res.completed_from.startswith("如果SUP-HQE的交货期")


def test_a_reply_that_picks_nothing_is_a_new_instruction(catalog):
    """When the reply names none of the candidates, it is read on its own."""
    s = Session()
    parse("Compute the safety stock for the laptop", catalog, s)
    res = parse("list all tablets", catalog, s)
    assert res.calls[0].name == "find_items" and res.completed_from is None


def test_a_follow_up_changes_only_what_it_names(catalog):
    """"那华北仓呢？" keeps the item of the previous stock question and changes the location."""
    s = Session()
    parse("华东仓笔记本Book 14 G1 16GB+512GB的库存有多少？", catalog, s)
    res = parse("那华北仓呢？", catalog, s)
    assert res.calls[0].args == {"item": "LT001-16-512", "location": "DC-NORTH"}
    assert res.followup_of.args["location"] == "DC-EAST"


def test_a_new_instruction_with_its_own_intent_is_not_a_follow_up(catalog):
    """A complete new request after a stock question is not merged into it."""
    s = Session()
    parse("PH002-256现在还有多少库存", catalog, s)
    res = parse("给华东仓规划明天的配送路线", catalog, s)
    assert res.followup_of is None and res.calls[0].name == "plan_routes"


def test_also_adds_a_scenario_edit_and_instead_replaces_its_number(catalog):
    """"再…也…" appends an edit; "20 days instead" changes the last edit's days."""
    s = Session()
    parse("如果停止从成都工厂向华北仓发货呢？", catalog, s)
    both = parse("再把华东仓也关掉呢？", catalog, s)
    assert [e["kind"] for e in both.calls[0].args["edits"]] == ["lane_prohibited", "node_closed"]
    s2 = Session()
    parse("What happens if Huaqiang's lead time increases by 10 days?", catalog, s2)
    res = parse("and if it's 20 days instead?", catalog, s2)
    assert res.calls[0].args["edits"][0]["days"] == 20


def test_steps_joined_by_then_become_calls_in_order(catalog):
    """"…，然后…" asks for two tools: both calls come back, in the order said."""
    res = parse("预测笔记本电脑未来四周的销量，然后制定采购计划", catalog, Session())
    assert [c.name for c in res.calls] == ["forecast_demand", "plan_purchasing"]
    assert res.calls[0].args["horizon"] == 28


def test_a_missing_item_can_be_given_in_the_next_turn(catalog):
    """"计算一下安全库存" asks which item; "PH003-512" completes the request."""
    s = Session()
    first = parse("计算一下安全库存", catalog, s)
    res = parse("PH003-512", catalog, s)
    assert first.clarification.kind == "missing_slot"
    assert [c.as_dict() for c in res.calls] == [{"name": "inventory_policy", "args": {"item": "PH003-512"}}]
