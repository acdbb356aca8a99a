"""Numbers, percentages, quantities and dates as people write them, in Chinese and English."""

from __future__ import annotations

from datetime import date

import pytest

from supplypilot.nlp.numbers import chinese_to_number, parse_number
from supplypilot.nlp.slots import extract_percents, extract_quantities, extract_review_period, extract_times
from supplypilot.nlp.text import detect_language

TODAY = date(2026, 10, 31)


@pytest.mark.parametrize(("text", "value"), [("两千", 2000), ("三千五百", 3500), ("两千五", 2500), ("十四", 14),
                                             ("一百二十万", 1_200_000), ("三万五", 35_000), ("五十万", 500_000)])
def test_chinese_numerals_are_read(text, value):
    """Chinese numerals, including colloquial "两千五" (2,500), read as numbers."""
    assert chinese_to_number(text) == value


@pytest.mark.parametrize(("text", "value"), [("1,200", 1200), ("1.5万", 15_000), ("800k", 800_000),
                                             ("1.5 million", 1_500_000)])
def test_arabic_numbers_with_multipliers_are_read(text, value):
    """Thousands separators and 万 / k / million multipliers are understood."""
    assert parse_number(text) == value


@pytest.mark.parametrize(("text", "value"), [("服务水平98%", 98), ("百分之二十", 20), ("两成", 20), ("翻倍", 100),
                                             ("rises 30 percent", 30), ("drops by a quarter", 25)])
def test_percentages_in_any_spelling(text, value):
    """"98%", "百分之二十", "两成", "翻倍" and "by a quarter" are percentages."""
    assert extract_percents(text)[0].value == value


@pytest.mark.parametrize(("text", "value", "unit"), [("两千台", 2000, "units"), ("每车2吨", 2000, "kg"),
                                                     ("预算200万元", 2_000_000, "cny"), ("3 vans", 3, "vehicles"),
                                                     ("1.5 tonnes", 1500, "kg"), ("3,000 units", 3000, "units")])
def test_quantities_carry_their_unit(text, value, unit):
    """Units convert to the tools' units: tonnes to kg, 万元 to yuan."""
    q = extract_quantities(text)[0]
    assert (q.value, q.unit) == (value, unit)


@pytest.mark.parametrize(("text", "horizon"), [("未来四周", 28), ("三周", 21), ("下个月", 30), ("next quarter", 151),
                                               ("the next 3 months", 92), ("Q3", 334), ("明年第三季度", 334),
                                               ("through the end of the year", 61), ("双十一", 11),
                                               ("the next fortnight", 14), ("下周", 8)])
def test_future_periods_become_horizons_in_days(text, horizon):
    """A future period gives the days from the reference day to its end."""
    assert extract_times(text, TODAY)[0].horizon(TODAY) == horizon


@pytest.mark.parametrize(("text", "window"), [("上个月", ("2026-09-01", "2026-09-30")),
                                              ("过去四周", ("2026-10-04", "2026-10-31")),
                                              ("in Q3", ("2026-07-01", "2026-09-30")),
                                              ("去年双十一", ("2025-11-11", "2025-11-11")),
                                              ("this year", ("2026-01-01", "2026-10-31"))])
def test_past_periods_become_date_windows(text, window):
    """Looking back, a period is a start and an end date, clipped at the reference day."""
    start, end = extract_times(text, TODAY)[0].window(TODAY, "past")
    assert (start.isoformat(), end.isoformat()) == window


@pytest.mark.parametrize(("text", "day"), [("明天", "2026-11-01"), ("下周一", "2026-11-02"),
                                           ("next Monday", "2026-11-02"), ("11月3日", "2026-11-03")])
def test_single_days_resolve_from_the_reference_day(text, day):
    """"明天", "下周一", "next Monday", "11月3日" are one date after the reference day."""
    assert extract_times(text, TODAY)[0].window(TODAY)[0].isoformat() == day


@pytest.mark.parametrize(("text", "days"), [("每周盘点一次", 7), ("每两周检查", 14), ("every 2 weeks", 14)])
def test_review_periods_are_not_horizons(text, days):
    """"每周盘点" is a review interval, read apart from the planning horizon."""
    assert extract_review_period(text)[0] == days


def test_any_chinese_character_makes_the_language_chinese():
    """One CJK character is enough for a Chinese answer."""
    assert (detect_language("预测PH002-256"), detect_language("forecast PH002-256")) == ("zh", "en")
