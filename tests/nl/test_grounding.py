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
