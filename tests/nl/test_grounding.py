"""The number-grounding check on generated texts."""

from __future__ import annotations

from supplypilot.nlp import Calculation, check_grounding

RESULT = {"series": [{"unique_id": "laptop", "total": 2150.437, "change_pct": 34.99},
                     {"unique_id": "tablet", "total": 980.2, "change_pct": -3.5}],
          "service_level": 0.95, "history_end": "2026-10-31", "departure": "06:00"}


def test_a_text_with_an_invented_number_is_rejected():
    """A number found nowhere in the results fails the check and is named."""
    rep = check_grounding("Laptops: 2,150 units, tablets 1,200 units.", [RESULT])
    assert (rep.grounded, rep.ungrounded) == (False, ["1,200"])


def test_numbers_of_the_result_are_accepted_rounded_and_as_percentages():
    """Rounded values, thousands separators, signs and a fraction written as a percent pass."""
    rep = check_grounding("Laptops 2,150.4 units (+34.99%), tablets 980 units (−3.5%); service 95.0%.", [RESULT])
    assert rep.grounded, rep.ungrounded


def test_rounding_must_be_honest():
    """2,150.437 may be written 2,150 or 2,150.4 but not 2,151."""
    assert not check_grounding("Laptops 2,151 units.", [RESULT]).grounded


def test_a_declared_sum_is_accepted():
    """A total that the writer declares as the sum of result values is grounded."""
    total = Calculation("sum of totals", "sum", (2150.437, 980.2), 3130.637)
    assert check_grounding("Together 3,130.6 units.", [RESULT], [total]).grounded


def test_a_wrong_calculation_is_rejected():
    """A declared calculation whose value does not follow from its inputs fails."""
    wrong = Calculation("sum of totals", "sum", (2150.437, 980.2), 3200.0)
    rep = check_grounding("Together 3,200 units.", [RESULT], [wrong])
    assert not rep.grounded and rep.bad_calculations


def test_a_calculation_on_numbers_not_in_the_results_is_rejected():
    """The operands of a calculation must themselves come from the results."""
    made_up = Calculation("sum", "sum", (1000.0, 2000.0), 3000.0)
    assert not check_grounding("Together 3,000 units.", [RESULT], [made_up]).grounded


def test_a_count_is_checked_against_the_list_it_counts():
    """"2 series" is grounded by counting the result's series."""
    n = Calculation("series", "count", (), 2, path="0.series")
    assert check_grounding("2 series.", [RESULT], [n]).grounded


def test_dates_and_times_must_appear_in_the_results():
    """A date or clock time is grounded only when a result holds it as written."""
    assert check_grounding("History to 2026-10-31, trucks leave 06:00.", [RESULT]).grounded
    assert not check_grounding("History to 2026-11-30.", [RESULT]).grounded


def test_numbers_inside_codes_and_names_are_not_claims():
    """PH001-256, "Book 14 G1" and 65W are identifiers, not numbers to check."""
    rep = check_grounding("PH001-256 and Book 14 G1 16GB+512GB and the 65W charger.", [RESULT],
                          literals=["Book 14 G1 16GB+512GB"])
    assert rep.grounded and rep.numbers == []


def test_chinese_numerals_that_state_quantities_are_checked():
    """"两千台", "百分之二十", "三成" are read as 2000, 20 % and 30 % and traced like Arabic numbers."""
    src = [{"qty": 2000, "service_level": 0.2, "share": 30.0}]
    rep = check_grounding("补货两千台，服务水平百分之二十，占三成。", src)
    assert rep.grounded and rep.numbers == ["两千台", "百分之二十", "三成"], rep
    bad = check_grounding("补货两千五百台，增长百分之四十。", src)
    assert not bad.grounded and bad.ungrounded == ["两千五百台", "百分之四十"]


def test_a_chinese_duration_is_traced_as_itself_or_in_days():
    """"三周" is grounded by 3 or by 21 days, "两个月" by a horizon of 59 to 62 days."""
    assert check_grounding("交期延长三周。", [{"days": 21}]).grounded
    assert check_grounding("未来两个月的预测。", [{"horizon": 61}]).grounded
    assert not check_grounding("交期延长三周。", [{"days": 14}]).grounded


def test_chinese_wording_is_not_a_claim():
    """A lone 一 or 零 ("一周" in an example, "一下", "零件"), ordinals, weekdays, month and quarter
    names, dates and fixed phrases are wording, not numbers to trace."""
    text = ("请看一下：例如“延长一周”；第二周、周三、十一月、三季度、十一月三日、双十一的情况；"
            "零件之一，十分重要，万一缺货，库存为零，这四项一致，两者都要，最近一期。")
    rep = check_grounding(text, [{}])
    assert rep.grounded and rep.numbers == [], rep.numbers
