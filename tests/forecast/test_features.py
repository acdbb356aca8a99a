"""Calendar, Chinese and US holiday features, and M5-style event features, on known dates."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from supplypilot.errors import InputError
from supplypilot.forecast.features import (
    calendar_features,
    china_holiday_features,
    chinese_new_year,
    date_features,
    event_features,
    holiday_features,
    us_holiday_features,
)


def _cn(*dates: str) -> pd.DataFrame:
    return china_holiday_features(pd.to_datetime(list(dates)))


@pytest.mark.parametrize(("year", "date"), [(2024, "2024-02-10"), (2025, "2025-01-29"),
                                            (2026, "2026-02-17")])
def test_chinese_new_year_matches_known_dates(year: int, date: str) -> None:
    """The Chinese New Year table gives the known dates of 2024, 2025 and 2026."""
    assert chinese_new_year(year) == pd.Timestamp(date)


def test_chinese_new_year_day_has_zero_offset_and_is_festival() -> None:
    """On Chinese New Year itself the signed offset is 0 and the Spring Festival flag is set."""
    f = _cn("2024-02-10", "2025-01-29", "2026-02-17")
    assert f["cny_offset"].tolist() == [0.0, 0.0, 0.0]
    assert f["days_to_cny"].tolist() == [0.0, 0.0, 0.0]
    assert f["is_spring_festival"].tolist() == [1, 1, 1]


def test_cny_offset_is_negative_before_and_positive_after() -> None:
    """Days before the festival count down (negative), days after count up, clipped at ±45."""
    f = _cn("2025-01-26", "2025-02-01", "2025-06-01", "2024-12-01")
    assert f["cny_offset"].tolist() == [-3.0, 3.0, 45.0, -45.0]
    assert f["days_to_cny"].tolist() == [3.0, 45.0, 45.0, 45.0]
    assert f["days_since_cny"].tolist() == [45.0, 3.0, 45.0, 45.0]


def test_spring_festival_runs_from_eve_to_sixth_day() -> None:
    """The Spring Festival flag covers New Year's Eve through the sixth day, not the seventh."""
    f = _cn("2026-02-15", "2026-02-16", "2026-02-23", "2026-02-24")
    assert f["is_spring_festival"].tolist() == [0, 1, 1, 0]


def test_national_day_and_labour_day_windows() -> None:
    """Golden week is 1–7 October and the Labour Day holiday 1–5 May."""
    f = _cn("2024-09-30", "2024-10-01", "2024-10-07", "2024-10-08", "2024-05-01", "2024-05-05",
            "2024-05-06")
    assert f["is_national_day"].tolist() == [0, 1, 1, 0, 0, 0, 0]
    assert f["is_labour_day"].tolist() == [0, 0, 0, 0, 1, 1, 0]


def test_shopping_festivals_and_their_run_ups() -> None:
    """618 and Double 11 are flagged on the day, and their presale periods before it."""
    f = _cn("2024-06-01", "2024-06-18", "2024-06-19", "2024-10-20", "2024-11-11", "2024-11-12")
    assert f["is_618"].tolist() == [0, 1, 0, 0, 0, 0]
    assert f["is_618_period"].tolist() == [1, 1, 0, 0, 0, 0]
    assert f["is_double11"].tolist() == [0, 0, 0, 0, 1, 0]
    assert f["is_double11_period"].tolist() == [0, 0, 0, 1, 1, 0]


def test_dates_outside_the_table_get_missing_cny_features() -> None:
    """A date whose Chinese New Year is not in the 2010–2035 table gets NaN, not a guess."""
    f = _cn("2040-03-01")
    assert np.isnan(f.loc[0, "cny_offset"]) and np.isnan(f.loc[0, "days_to_cny"])


def test_chinese_new_year_outside_table_raises() -> None:
    """Asking for a year outside the table names the parameter and the range."""
    with pytest.raises(InputError, match=r"'year' parameter of chinese_new_year must be an int in "
                                         r"\[2010, 2035\]\. Got 2040 instead"):
        chinese_new_year(2040)


def test_calendar_features_of_a_known_saturday() -> None:
    """2024-02-10 is a Saturday in ISO week 6 of the first quarter."""
    f = calendar_features(pd.to_datetime(["2024-02-10", "2024-02-29"]))
    assert f.loc[0].to_dict() == {"day_of_week": 5, "month": 2, "week_of_year": 6,
                                  "day_of_month": 10, "quarter": 1, "is_weekend": 1,
                                  "is_month_end": 0}
    assert f.loc[1, "is_month_end"] == 1


def test_us_holidays_on_known_dates() -> None:
    """Memorial Day, Labor Day, Thanksgiving and Black Friday 2024 fall on their known dates."""
    f = us_holiday_features(pd.to_datetime(["2024-05-27", "2024-09-02", "2024-11-28", "2024-11-29",
                                            "2024-11-26"]))
    assert f["is_us_holiday"].tolist() == [1, 1, 1, 0, 0]
    assert f["is_black_friday"].tolist() == [0, 0, 0, 1, 0]
    assert f.loc[4, "days_to_us_holiday"] == 2.0


def test_date_features_combines_calendar_and_holidays() -> None:
    """date_features returns one row per date with the calendar and the chosen country's columns."""
    dates = pd.date_range("2025-01-01", periods=400, freq="D")
    f = date_features(dates, holidays="CN")
    assert len(f) == 400
    assert {"day_of_week", "cny_offset", "is_double11"} <= set(f.columns)
    assert f.loc[dates.get_loc(pd.Timestamp("2025-01-29")), "cny_offset"] == 0.0


def test_unknown_holiday_set_raises() -> None:
    """Only the CN and US holiday sets exist; another code is refused with the standard message."""
    with pytest.raises(InputError,
                       match=r"'holidays' parameter must be one of \['CN', 'US'\] or None"):
        holiday_features(pd.to_datetime(["2024-01-01"]), "FR")


def test_event_features_from_an_event_calendar() -> None:
    """Event names, types and the distance to the next event come from the calendar's columns."""
    cal = pd.DataFrame({
        "date": pd.date_range("2016-02-05", periods=5, freq="D"),
        "event_name_1": [None, None, "SuperBowl", None, None],
        "event_type_1": [None, None, "Sporting", None, None],
        "event_name_2": [None] * 5,
        "event_type_2": [None] * 5,
    })
    f = event_features(cal)
    assert f["event_name"].astype(str).tolist() == ["none", "none", "SuperBowl", "none", "none"]
    assert f["event_sporting"].tolist() == [0, 0, 1, 0, 0]
    assert f["days_to_event"].tolist() == [2.0, 1.0, 0.0, 7.0, 7.0]
    assert f["days_since_event"].tolist() == [7.0, 7.0, 0.0, 1.0, 2.0]


def test_event_features_name_missing_columns() -> None:
    """A calendar without the event columns is refused, naming what is missing."""
    with pytest.raises(InputError, match="lacks the column"):
        event_features(pd.DataFrame({"date": pd.date_range("2016-01-01", periods=2)}))
