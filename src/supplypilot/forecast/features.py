"""Calendar and holiday features computed from dates alone.

Global models learn one function for every series, so what drives demand on a given *date*
(weekday, month end, a festival) has to be handed to them as columns; lags cannot tell a
model that next Tuesday is the eve of the Spring Festival. Everything here is vectorised over
a date array and depends on the dates only, so the same call builds training features and
the features of future dates.

Two holiday sets are provided:

* China (``"CN"``): Chinese New Year (from a table of dates, 2010–2035, since the lunar
  calendar has no closed form), the Spring Festival week, the National Day golden week, the
  Labour Day holiday and the 618 and Double 11 (11.11) shopping festivals.
* United States (``"US"``): the federal holidays that move retail (New Year, Memorial Day,
  Independence Day, Labor Day, Thanksgiving, Black Friday, Christmas). When an event
  calendar is available, as in M5, :func:`event_features` uses its own event columns instead.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from supplypilot.errors import InputError

logger = logging.getLogger("supplypilot")

#: Chinese New Year (first day of the first lunar month), 2010–2035.
CNY_DATES: dict[int, str] = {
    2010: "2010-02-14", 2011: "2011-02-03", 2012: "2012-01-23", 2013: "2013-02-10",
    2014: "2014-01-31", 2015: "2015-02-19", 2016: "2016-02-08", 2017: "2017-01-28",
    2018: "2018-02-16", 2019: "2019-02-05", 2020: "2020-01-25", 2021: "2021-02-12",
    2022: "2022-02-01", 2023: "2023-01-22", 2024: "2024-02-10", 2025: "2025-01-29",
    2026: "2026-02-17", 2027: "2027-02-06", 2028: "2028-01-26", 2029: "2029-02-13",
    2030: "2030-02-03", 2031: "2031-01-23", 2032: "2032-02-11", 2033: "2033-01-31",
    2034: "2034-02-19", 2035: "2035-02-08",
}
_CNY = np.array(sorted(CNY_DATES.values()), dtype="datetime64[D]")

#: Signed distance to Chinese New Year is clipped to this many days: beyond it the festival
#: no longer moves demand, and an unbounded count would only add noise to the splits.
CNY_WINDOW = 45

HOLIDAY_SETS = ("CN", "US")

CALENDAR_COLUMNS = ("day_of_week", "month", "week_of_year", "day_of_month", "quarter",
                    "is_weekend", "is_month_end")


def chinese_new_year(year: int) -> pd.Timestamp:
    """Date of Chinese New Year in ``year`` (2010–2035).

    Raises
    ------
    InputError
        When the year is outside the table; the lunar calendar cannot be extrapolated safely.
    """
    if year not in CNY_DATES:
        raise InputError(f"The 'year' parameter of chinese_new_year must be an int in "
                         f"[{min(CNY_DATES)}, {max(CNY_DATES)}]. Got {year!r} instead.",
                         where="year")
    return pd.Timestamp(CNY_DATES[year])


def _as_days(dates: Any) -> np.ndarray:
    """Dates as ``datetime64[D]`` (time of day dropped), accepting any array-like of dates."""
    idx = pd.DatetimeIndex(pd.to_datetime(np.asarray(dates)))
    if idx.tz is not None:
        idx = idx.tz_localize(None)
    return idx.values.astype("datetime64[D]")


def calendar_features(dates: Any) -> pd.DataFrame:
    """Day of week (0 = Monday), month, ISO week, day of month, quarter, weekend and month end.

    Parameters
    ----------
    dates
        Any array-like of dates; one output row per input date, in order.
    """
    idx = pd.DatetimeIndex(pd.to_datetime(np.asarray(dates)))
    return pd.DataFrame({
        "day_of_week": idx.dayofweek.astype("int8"),
        "month": idx.month.astype("int8"),
        "week_of_year": idx.isocalendar().week.to_numpy().astype("int8"),
        "day_of_month": idx.day.astype("int8"),
        "quarter": idx.quarter.astype("int8"),
        "is_weekend": (idx.dayofweek >= 5).astype("int8"),
        "is_month_end": idx.is_month_end.astype("int8"),
    })


def _in_window(month: np.ndarray, day: np.ndarray, start: tuple[int, int],
               end: tuple[int, int]) -> np.ndarray:
    """True where (month, day) lies in the same-year window [start, end]."""
    md = month * 100 + day
    return ((md >= start[0] * 100 + start[1]) & (md <= end[0] * 100 + end[1])).astype("int8")


def china_holiday_features(dates: Any) -> pd.DataFrame:
    """Chinese New Year proximity and the other Chinese demand festivals.

    Columns: ``cny_offset`` (signed days from the nearest Chinese New Year, negative before it,
    clipped to ±45), ``days_to_cny`` and ``days_since_cny`` (to the next and from the last,
    clipped to 0–45: shops stock up before and restart slowly after), ``is_spring_festival``
    (New Year's Eve through the sixth day, the usual public holiday), ``is_national_day``
    (golden week, 1–7 October), ``is_labour_day`` (1–5 May), ``is_618`` / ``is_618_period``
    (18 June and its 1–18 June run-up) and ``is_double11`` / ``is_double11_period``
    (11 November and its presale from 20 October).

    Dates whose festival cannot be placed (outside the 2010–2035 table) get NaN in the
    Chinese New Year columns, which gradient boosting treats as "unknown"; a warning says so.
    """
    d = _as_days(dates)
    n = len(d)
    out: dict[str, np.ndarray] = {}
    if n:
        nxt = np.searchsorted(_CNY, d, side="left")          # first CNY on or after the date
        prev = np.searchsorted(_CNY, d, side="right") - 1     # last CNY on or before
        day = np.timedelta64(1, "D")
        upcoming = _CNY[np.minimum(nxt, len(_CNY) - 1)]
        to_next = np.where(nxt < len(_CNY), (upcoming - d) / day, np.nan)
        since = np.where(prev >= 0, (d - _CNY[np.maximum(prev, 0)]) / day, np.nan)
        unknown = np.isnan(to_next) & np.isnan(since)
        unknown |= np.isnan(to_next) & (since > CNY_WINDOW)
        unknown |= np.isnan(since) & (to_next > CNY_WINDOW)
        if unknown.any():
            logger.warning("Chinese New Year features are unknown for %d date(s) outside %d–%d.",
                           int(unknown.sum()), min(CNY_DATES), max(CNY_DATES))
        offset = np.where(np.nan_to_num(to_next, nan=np.inf) <= np.nan_to_num(since, nan=np.inf),
                          -to_next, since)
        offset = np.clip(offset, -CNY_WINDOW, CNY_WINDOW) + 0.0  # + 0.0 turns -0.0 into 0.0
        offset[unknown] = np.nan
        to_next_c = np.clip(to_next, 0, CNY_WINDOW)
        since_c = np.clip(since, 0, CNY_WINDOW)
        to_next_c[unknown] = np.nan
        since_c[unknown] = np.nan
        festival = ((to_next == 1) | ((since >= 0) & (since <= 6))).astype("int8")
    else:
        offset = to_next_c = since_c = np.array([], dtype=float)
        festival = np.array([], dtype="int8")
    out["cny_offset"] = offset
    out["days_to_cny"] = to_next_c
    out["days_since_cny"] = since_c
    out["is_spring_festival"] = festival
    idx = pd.DatetimeIndex(d)
    month, dom = idx.month.to_numpy(), idx.day.to_numpy()
    out["is_national_day"] = _in_window(month, dom, (10, 1), (10, 7))
    out["is_labour_day"] = _in_window(month, dom, (5, 1), (5, 5))
    out["is_618"] = ((month == 6) & (dom == 18)).astype("int8")
    out["is_618_period"] = _in_window(month, dom, (6, 1), (6, 18))
    out["is_double11"] = ((month == 11) & (dom == 11)).astype("int8")
    out["is_double11_period"] = _in_window(month, dom, (10, 20), (11, 11))
    return pd.DataFrame(out)


def _nth_weekday(year: np.ndarray, month: int, weekday: int, n: int) -> np.ndarray:
    """The ``n``-th ``weekday`` (0 = Monday) of ``month`` per year; ``n = -1`` for the last."""
    if n > 0:
        first = pd.to_datetime(pd.DataFrame({"year": year, "month": month, "day": 1}))
        shift = (weekday - first.dt.dayofweek) % 7 + 7 * (n - 1)
        return (first + pd.to_timedelta(shift, unit="D")).to_numpy().astype("datetime64[D]")
    first = pd.to_datetime(pd.DataFrame({"year": year, "month": month, "day": 1}))
    last = first + pd.offsets.MonthEnd(0)
    shift = (last.dt.dayofweek - weekday) % 7
    return (last - pd.to_timedelta(shift, unit="D")).to_numpy().astype("datetime64[D]")


def us_holiday_features(dates: Any) -> pd.DataFrame:
    """Flags for the US holidays that move retail demand, plus days to the next of them.

    Columns: ``is_us_holiday`` (New Year's Day, Memorial Day, Independence Day, Labor Day,
    Thanksgiving, Christmas), ``is_black_friday``, ``is_christmas_eve`` and
    ``days_to_us_holiday`` (clipped to 0–14, since shoppers buy ahead of a holiday).
    """
    d = _as_days(dates)
    idx = pd.DatetimeIndex(d)
    years = np.unique(idx.year.to_numpy()) if len(d) else np.array([], dtype=int)
    years = np.concatenate([years, years + 1]) if len(years) else years  # next January 1
    holidays = []
    if len(years):
        for month, day in ((1, 1), (7, 4), (12, 25)):
            fixed = pd.to_datetime(pd.DataFrame({"year": years, "month": month, "day": day}))
            holidays.append(fixed.to_numpy().astype("datetime64[D]"))
        holidays.append(_nth_weekday(years, 5, 0, -1))   # Memorial Day: last Monday of May
        holidays.append(_nth_weekday(years, 9, 0, 1))    # Labor Day: first Monday of September
        thanksgiving = _nth_weekday(years, 11, 3, 4)     # fourth Thursday of November
        holidays.append(thanksgiving)
        table = np.unique(np.concatenate(holidays))
        black_friday = thanksgiving + np.timedelta64(1, "D")
    else:
        table = np.array([], dtype="datetime64[D]")
        black_friday = table
    is_hol = np.isin(d, table).astype("int8")
    nxt = np.searchsorted(table, d, side="left")
    days_to = np.full(len(d), np.nan)
    ok = nxt < len(table)
    days_to[ok] = (table[nxt[ok]] - d[ok]) / np.timedelta64(1, "D")
    month, dom = idx.month.to_numpy(), idx.day.to_numpy()
    return pd.DataFrame({
        "is_us_holiday": is_hol,
        "is_black_friday": np.isin(d, black_friday).astype("int8"),
        "is_christmas_eve": ((month == 12) & (dom == 24)).astype("int8"),
        "days_to_us_holiday": np.clip(days_to, 0, 14),
    })


def holiday_features(dates: Any, country: str) -> pd.DataFrame:
    """Holiday features of ``country`` (``"CN"`` or ``"US"``) for each date."""
    if country == "CN":
        return china_holiday_features(dates)
    if country == "US":
        return us_holiday_features(dates)
    raise InputError(f"The 'holidays' parameter must be one of {list(HOLIDAY_SETS)} or None. "
                     f"Got {country!r} instead.", where="holidays")


def date_features(dates: Any, holidays: str | None = None, calendar: bool = True) -> pd.DataFrame:
    """Calendar features and, when ``holidays`` names a country, its holiday features."""
    parts = []
    if calendar:
        parts.append(calendar_features(dates))
    if holidays is not None:
        parts.append(holiday_features(dates, holidays))
    if not parts:
        return pd.DataFrame(index=pd.RangeIndex(len(np.asarray(dates))))
    return pd.concat(parts, axis=1)


EVENT_TYPES = ("Sporting", "Cultural", "National", "Religious")


def event_features(calendar: pd.DataFrame, date_col: str = "date",
                   name_cols: Sequence[str] = ("event_name_1", "event_name_2"),
                   type_cols: Sequence[str] = ("event_type_1", "event_type_2"),
                   window: int = 7) -> pd.DataFrame:
    """Event features from an event calendar such as M5's ``calendar.csv``.

    A retailer's own event calendar knows more than any fixed holiday list (the Super Bowl,
    Ramadan, local promotions), and it is known for future dates, so it is a fair input to a
    forecast. Returns one row per calendar row, in order: ``event_name`` (the first event
    name, as a category; ``"none"`` on ordinary days), one 0/1 column ``event_<type>`` per
    event type, ``days_to_event`` and ``days_since_event`` (to the next and from the last
    event day, clipped to ``0..window``: demand often moves in the run-up to an event).

    Parameters
    ----------
    calendar
        One row per date, with ``date_col`` and the event name and type columns.
    window
        Distances beyond this many days are clipped; farther events do not matter.
    """
    missing = [c for c in (date_col, *name_cols, *type_cols) if c not in calendar.columns]
    if missing:
        raise InputError(f"The calendar passed to event_features lacks the column(s) {missing}.",
                         where=", ".join(missing))
    d = _as_days(calendar[date_col])
    names = calendar[list(name_cols)]
    first = names.iloc[:, 0].where(names.iloc[:, 0].notna(), names.iloc[:, -1])
    has_event = names.notna().any(axis=1).to_numpy()
    out: dict[str, Any] = {"event_name": pd.Categorical(first.fillna("none").astype(str))}
    types = calendar[list(type_cols)]
    for t in EVENT_TYPES:
        out[f"event_{t.lower()}"] = (types == t).any(axis=1).to_numpy().astype("int8")
    event_days = np.unique(d[has_event])
    day = np.timedelta64(1, "D")
    nxt = np.searchsorted(event_days, d, side="left")
    prev = np.searchsorted(event_days, d, side="right") - 1
    to_next = np.full(len(d), float(window))
    since = np.full(len(d), float(window))
    ok = nxt < len(event_days)
    to_next[ok] = (event_days[nxt[ok]] - d[ok]) / day
    ok = prev >= 0
    since[ok] = (d[ok] - event_days[prev[ok]]) / day
    out["days_to_event"] = np.clip(to_next, 0, window)
    out["days_since_event"] = np.clip(since, 0, window)
    return pd.DataFrame(out, index=calendar.index)
