"""Tests for supplypilot.data.cleaning."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from supplypilot.data.cleaning import (
    CORRECTION_COLUMNS,
    GAP_POLICY,
    CleanResult,
    clean_series,
    convert_units,
    convert_value,
    correct_loss,
    drop_duplicates,
    estimate_loss_rate,
    fill_gaps,
    hampel,
    normalize_unit,
)
from supplypilot.errors import InputError

# ------------------------------------------------------------------------------------------
# Fixtures
# ------------------------------------------------------------------------------------------


def _frame(ids: list[str], dates: list[str], values: list[float]) -> pd.DataFrame:
    return pd.DataFrame({"unique_id": ids, "ds": pd.to_datetime(dates), "y": values})


@pytest.fixture
def gappy() -> pd.DataFrame:
    """Two daily series; series A misses 2, 3, 4 and 5 January and has a NaN on the 7th."""
    return _frame(
        ["A", "A", "A", "A", "B", "B", "B"],
        ["2024-01-01", "2024-01-06", "2024-01-07", "2024-01-08", "2024-01-02", "2024-01-03",
         "2024-01-05"],
        [1.0, 6.0, np.nan, 8.0, 10.0, 20.0, 40.0],
    )


def _noisy_sine_with_spikes(seed: int = 7) -> tuple[pd.DataFrame, set[int]]:
    rng = np.random.default_rng(seed)
    n = 730
    t = np.arange(n)
    y = 10 + 5 * np.sin(2 * np.pi * t / 365) + rng.normal(0, 1, n)
    spikes = rng.choice(np.arange(10, n - 10, 15), 20, replace=False)
    y[spikes] += rng.choice([-1, 1], 20) * rng.uniform(8, 15, 20)
    df = pd.DataFrame(
        {"unique_id": "sensor-1", "ds": pd.date_range("2023-01-01", periods=n), "y": y}
    )
    return df, set(spikes.tolist())


# ------------------------------------------------------------------------------------------
# Loss correction
# ------------------------------------------------------------------------------------------


def test_correct_loss_matches_seed_formula_exactly() -> None:
    """With a given p every value becomes q' / (1 - p), exactly."""
    df = _frame(["A"] * 3, ["2024-01-01", "2024-01-02", "2024-01-03"], [95.0, 0.0, 190.0])
    result = correct_loss(df, loss_rate=0.05)
    expected = df["y"].to_numpy() / (1 - 0.05)
    np.testing.assert_array_equal(result.data["y"].to_numpy(), expected)


def test_correct_loss_accepts_a_rate_per_series() -> None:
    """A mapping applies each series' own loss rate."""
    df = _frame(["A", "B"], ["2024-01-01", "2024-01-01"], [90.0, 80.0])
    result = correct_loss(df, loss_rate={"A": 0.1, "B": 0.2})
    np.testing.assert_allclose(result.data["y"], [100.0, 100.0])


def test_estimate_loss_rate_recovers_true_drop_rate() -> None:
    """The loss rate estimated from sequence gaps is within 0.01 of the true rate."""
    rng = np.random.default_rng(0)
    seq = np.arange(10_000)
    received = seq[rng.random(seq.size) >= 0.07]
    df = pd.DataFrame({"unique_id": "gate-1", "seq": received})
    p = estimate_loss_rate(df)
    assert abs(p["gate-1"] - 0.07) < 0.01


def test_estimate_loss_rate_counts_repeated_sequence_numbers_once() -> None:
    """A re-sent message (repeated seq) does not hide a lost one."""
    df = pd.DataFrame({"unique_id": "g", "seq": [1, 2, 2, 2, 4]})
    assert estimate_loss_rate(df)["g"] == pytest.approx(0.25)


def test_correct_loss_estimates_p_from_sequence_gaps_when_not_given() -> None:
    """Without loss_rate the rate comes from the seq column and the detail says so."""
    df = pd.DataFrame(
        {
            "unique_id": "gate-1",
            "ds": pd.Timestamp("2024-01-01"),
            "y": 1.0,
            "seq": [1, 2, 3, 5],  # 4 of 5 received: p = 0.2
        }
    )
    result = correct_loss(df)
    np.testing.assert_allclose(result.data["y"], 1.25)
    assert result.corrections["detail"].str.contains("estimated from sequence gaps").all()


@pytest.mark.parametrize("p", [1.0, 1.5, -0.1, float("nan")])
def test_correct_loss_rejects_rates_outside_unit_interval(p: float) -> None:
    """A loss rate outside 0 <= p < 1 raises InputError naming the series and value."""
    df = _frame(["A"], ["2024-01-01"], [1.0])
    with pytest.raises(InputError, match=r"'A'.*0 <= p < 1"):
        correct_loss(df, loss_rate={"A": p})


def test_correct_loss_rejects_scalar_rate_of_one() -> None:
    """p = 1 (everything lost) is refused rather than dividing by zero."""
    df = _frame(["A"], ["2024-01-01"], [1.0])
    with pytest.raises(InputError, match="0 <= p < 1"):
        correct_loss(df, loss_rate=1.0)


def test_correct_loss_estimates_series_left_out_of_the_mapping() -> None:
    """A series missing from the mapping gets its rate from sequence gaps instead."""
    df = pd.DataFrame(
        {
            "unique_id": ["A", "B", "B", "B"],
            "ds": pd.Timestamp("2024-01-01"),
            "y": 1.0,
            "seq": [1, 1, 2, 4],  # B received 3 of 4: p = 0.25
        }
    )
    result = correct_loss(df, loss_rate={"A": 0.5})
    np.testing.assert_allclose(result.data["y"], [2.0, 4 / 3, 4 / 3, 4 / 3])
    details = result.corrections.groupby("unique_id")["detail"].first()
    assert details["A"] == "p=0.5 (given per series)"
    assert details["B"] == "p=0.25 (estimated from sequence gaps)"


def test_correct_loss_without_rate_or_sequence_leaves_series_unchanged() -> None:
    """A series with neither a given rate nor sequence numbers is not changed."""
    df = _frame(["A", "B"], ["2024-01-01", "2024-01-01"], [1.0, 1.0])
    result = correct_loss(df, loss_rate={"A": 0.5}, seq_col=None)
    assert result.data["y"].tolist() == [2.0, 1.0]
    assert result.corrections["unique_id"].tolist() == ["A"]


def test_correct_loss_needs_a_rate_or_a_sequence_column() -> None:
    """Without loss_rate and without the sequence column there is nothing to go on."""
    df = _frame(["A"], ["2024-01-01"], [1.0])
    with pytest.raises(InputError, match="seq"):
        correct_loss(df)


def test_correct_loss_records_every_changed_value() -> None:
    """Each changed value has a loss_correction row with old and new values."""
    df = _frame(["A", "A", "A"], ["2024-01-01", "2024-01-02", "2024-01-03"], [10.0, 0.0, 20.0])
    result = correct_loss(df, loss_rate=0.2)
    corr = result.corrections
    assert list(corr.columns) == CORRECTION_COLUMNS
    assert (corr["rule"] == "loss_correction").all()
    assert corr["old_value"].tolist() == [10.0, 20.0]  # the zero did not change
    np.testing.assert_allclose(corr["new_value"], [12.5, 25.0])
    assert corr["detail"].iloc[0] == "p=0.2 (given)"


# ------------------------------------------------------------------------------------------
# Hampel
# ------------------------------------------------------------------------------------------


def test_hampel_finds_injected_spikes() -> None:
    """On a noisy sine with 20 spikes, precision and recall are both at least 0.9."""
    df, spikes = _noisy_sine_with_spikes()
    result = hampel(df, window=11, n_sigmas=4.0)
    start = df["ds"].iloc[0]
    flagged = set(((result.by_rule("hampel")["ds"] - start).dt.days).tolist())
    true_pos = len(flagged & spikes)
    assert true_pos / len(flagged) >= 0.9
    assert true_pos / len(spikes) >= 0.9


def test_hampel_replaces_spike_by_local_median() -> None:
    """A flagged point takes the median of its window and is listed with both values."""
    y = [1.0, 2.0, 1.5, 2.5, 100.0, 2.0, 1.0, 1.5, 2.0]
    df = _frame(["A"] * 9, list(pd.date_range("2024-01-01", periods=9).astype(str)), y)
    result = hampel(df, window=5)
    assert result.data["y"].iloc[4] == pytest.approx(np.median([1.5, 2.5, 100.0, 2.0, 1.0]))
    corr = result.by_rule("hampel")
    assert corr["old_value"].tolist() == [100.0]
    assert corr["new_value"].tolist() == [result.data["y"].iloc[4]]


def test_hampel_does_not_flag_intermittent_zero_heavy_series() -> None:
    """An intermittent series (mostly zeros, occasional small demand) is left alone."""
    rng = np.random.default_rng(3)
    n = 400
    y = np.where(rng.random(n) < 0.2, rng.integers(1, 4, n), 0).astype(float)
    df = pd.DataFrame({"unique_id": "slow", "ds": pd.date_range("2024-01-01", periods=n), "y": y})
    result = hampel(df)
    assert result.corrections.empty
    np.testing.assert_array_equal(result.data["y"], y)


def test_hampel_works_per_series() -> None:
    """A spike in one series is judged against that series only."""
    dates = list(pd.date_range("2024-01-01", periods=9).astype(str))
    quiet = [1.0, 1.1, 0.9, 1.0, 1.2, 0.8, 1.0, 1.1, 0.9]
    loud = [100.0, 110.0, 90.0, 100.0, 120.0, 80.0, 100.0, 110.0, 90.0]
    spiky = quiet.copy()
    spiky[4] = 50.0
    df = pd.concat([_frame(["Q"] * 9, dates, spiky), _frame(["L"] * 9, dates, loud)])
    flagged = hampel(df).by_rule("hampel")
    assert flagged["unique_id"].tolist() == ["Q"]


def test_hampel_keeps_input_row_order_and_index() -> None:
    """Rows come back in input order with the input index."""
    df, _ = _noisy_sine_with_spikes()
    shuffled = df.sample(frac=1.0, random_state=1)
    result = hampel(shuffled)
    assert result.data.index.equals(shuffled.index)
    pd.testing.assert_series_equal(result.data["ds"], shuffled["ds"])


@pytest.mark.parametrize("window", [4, 1, 2.5])
def test_hampel_rejects_bad_window(window: object) -> None:
    """The window must be an odd integer of at least 3."""
    df = _frame(["A"], ["2024-01-01"], [1.0])
    with pytest.raises(InputError, match="window"):
        hampel(df, window=window)  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------------
# Gaps
# ------------------------------------------------------------------------------------------


def _series(result: CleanResult, uid: str) -> pd.Series:
    data = result.data[result.data["unique_id"] == uid]
    return data.set_index("ds")["y"]


def test_fill_gaps_zero_inserts_missing_days_as_zero(gappy: pd.DataFrame) -> None:
    """Policy zero inserts each missing day with y = 0 and imputed = True."""
    result = fill_gaps(gappy, policy="zero")
    a = result.data[result.data["unique_id"] == "A"].set_index("ds")
    assert list(a.index) == list(pd.date_range("2024-01-01", "2024-01-08"))
    assert a.loc["2024-01-02":"2024-01-05", "y"].tolist() == [0.0] * 4
    assert a.loc["2024-01-02":"2024-01-05", "imputed"].all()
    assert not a.loc["2024-01-01", "imputed"]


def test_fill_gaps_interpolate_is_linear_in_time(gappy: pd.DataFrame) -> None:
    """Policy interpolate fills linearly between the neighbouring readings."""
    result = fill_gaps(gappy, policy="interpolate")
    a = _series(result, "A")
    np.testing.assert_allclose(a.loc["2024-01-01":"2024-01-08"], [1, 2, 3, 4, 5, 6, 7, 8])
    b = _series(result, "B")
    assert b.loc["2024-01-04"] == pytest.approx(30.0)


def test_fill_gaps_ffill_carries_last_count_forward(gappy: pd.DataFrame) -> None:
    """Policy ffill repeats the last known value into the gap."""
    result = fill_gaps(gappy, policy="ffill")
    a = _series(result, "A")
    assert a.loc["2024-01-02":"2024-01-05"].tolist() == [1.0] * 4
    assert a.loc["2024-01-07"] == 6.0


def test_fill_gaps_fills_nan_in_existing_rows(gappy: pd.DataFrame) -> None:
    """A NaN in an existing row is filled and recorded with old_value NaN."""
    result = fill_gaps(gappy, policy="zero")
    corr = result.corrections
    row = corr[(corr["unique_id"] == "A") & (corr["ds"] == pd.Timestamp("2024-01-07"))]
    assert len(row) == 1
    assert np.isnan(row["old_value"].iloc[0])
    assert row["new_value"].iloc[0] == 0.0
    assert "existing row" in row["detail"].iloc[0]


def test_fill_gaps_marks_only_inserted_rows_as_imputed(gappy: pd.DataFrame) -> None:
    """imputed is True for inserted rows only, not for existing rows whose NaN was filled."""
    result = fill_gaps(gappy, policy="zero")
    a = result.data[result.data["unique_id"] == "A"].set_index("ds")
    assert not a.loc["2024-01-07", "imputed"]
    assert int(result.data["imputed"].sum()) == 5  # 4 days in A, 1 day in B


def test_fill_gaps_tolerates_jittery_timestamps() -> None:
    """On a fixed grid a reading a few seconds late still fills its slot; only real gaps do not."""
    ts = pd.to_datetime(
        ["2024-01-01 00:00:00", "2024-01-01 00:05:02", "2024-01-01 00:09:58",
         "2024-01-01 00:20:01"]
    )
    df = pd.DataFrame({"unique_id": "s", "ds": ts, "y": [1.0, 2.0, 3.0, 6.0]})
    result = fill_gaps(df, freq="5min", policy="interpolate")
    inserted = result.data[result.data["imputed"]]
    assert inserted["ds"].tolist() == [pd.Timestamp("2024-01-01 00:15:00")]
    assert len(result.data) == 5


@pytest.mark.parametrize("policy", ["zero", "interpolate", "ffill"])
def test_fill_gaps_records_every_inserted_or_changed_value(
    gappy: pd.DataFrame, policy: str
) -> None:
    """Every inserted row and filled value has exactly one gap_<policy> correction."""
    result = fill_gaps(gappy, policy=policy)  # type: ignore[arg-type]
    corr = result.corrections
    assert list(corr.columns) == CORRECTION_COLUMNS
    assert (corr["rule"] == f"gap_{policy}").all()
    original = set(zip(gappy["unique_id"], gappy["ds"], strict=True))
    out = result.data
    observed = {
        (u, d)
        for u, d, y in zip(gappy["unique_id"], gappy["ds"], gappy["y"], strict=True)
        if not np.isnan(y)
    }
    changed = {
        (u, d)
        for u, d in zip(out["unique_id"], out["ds"], strict=True)
        if (u, d) not in observed
    }
    assert set(zip(corr["unique_id"], corr["ds"], strict=True)) == changed
    assert len(corr) == len(changed)
    assert len(out) - len(gappy) == len(changed - original)
    merged = out.merge(corr, on=["unique_id", "ds"], suffixes=("", "_c"))
    np.testing.assert_allclose(merged["y"], merged["new_value"])


def test_fill_gaps_regularises_each_series_on_its_own_range(gappy: pd.DataFrame) -> None:
    """No series is extended beyond its own first and last date."""
    result = fill_gaps(gappy, policy="zero")
    b = result.data[result.data["unique_id"] == "B"]
    assert b["ds"].min() == pd.Timestamp("2024-01-02")
    assert b["ds"].max() == pd.Timestamp("2024-01-05")
    assert len(b) == 4


def test_fill_gaps_supports_weekly_frequency() -> None:
    """Calendar frequencies such as W-MON insert whole missing weeks."""
    df = _frame(["A", "A"], ["2024-01-01", "2024-01-22"], [5.0, 7.0])  # Mondays
    result = fill_gaps(df, freq="W-MON", policy="zero")
    assert result.data["ds"].tolist() == list(pd.date_range("2024-01-01", periods=4, freq="W-MON"))
    assert result.data["y"].tolist() == [5.0, 0.0, 0.0, 7.0]


def test_fill_gaps_copies_constant_columns_into_inserted_rows() -> None:
    """A column constant within a series (a unit) is copied into the inserted rows."""
    df = _frame(["A", "A"], ["2024-01-01", "2024-01-03"], [1.0, 3.0]).assign(unit="kg")
    result = fill_gaps(df, policy="interpolate")
    assert result.data["unit"].tolist() == ["kg", "kg", "kg"]


def test_fill_gaps_rejects_unknown_policy(gappy: pd.DataFrame) -> None:
    """An unknown policy raises InputError naming it."""
    with pytest.raises(InputError, match="'mean'"):
        fill_gaps(gappy, policy="mean")  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------------
# Duplicates
# ------------------------------------------------------------------------------------------


@pytest.fixture
def with_duplicates() -> pd.DataFrame:
    """Series A has 1 January twice (values 1 then 5); B has an identical repeat."""
    return _frame(
        ["A", "A", "A", "B", "B"],
        ["2024-01-01", "2024-01-02", "2024-01-01", "2024-01-01", "2024-01-01"],
        [1.0, 2.0, 5.0, 3.0, 3.0],
    )


def test_drop_duplicates_keeps_last_and_records_removed(with_duplicates: pd.DataFrame) -> None:
    """By default the last row of a key survives and each removed row is listed."""
    result = drop_duplicates(with_duplicates)
    assert len(result.data) == 3
    a1 = result.data[(result.data["unique_id"] == "A") & (result.data["ds"] == "2024-01-01")]
    assert a1["y"].tolist() == [5.0]
    corr = result.corrections
    assert (corr["rule"] == "duplicate").all()
    assert sorted(corr["old_value"].tolist()) == [1.0, 3.0]
    assert corr["new_value"].isna().all()
    assert corr.loc[corr["unique_id"] == "A", "detail"].iloc[0].startswith(
        "duplicate key (unique_id, ds); conflicting"
    )


def test_drop_duplicates_keep_first(with_duplicates: pd.DataFrame) -> None:
    """keep='first' keeps the earliest row of each key."""
    result = drop_duplicates(with_duplicates, keep="first")
    a1 = result.data[(result.data["unique_id"] == "A") & (result.data["ds"] == "2024-01-01")]
    assert a1["y"].tolist() == [1.0]


def test_drop_duplicates_custom_keys() -> None:
    """Custom keys (e.g. with a message sequence number) keep distinct messages."""
    df = _frame(["A", "A", "A"], ["2024-01-01"] * 3, [1.0, 2.0, 2.0]).assign(seq=[1, 2, 2])
    result = drop_duplicates(df, keys=["unique_id", "ds", "seq"])
    assert result.data["seq"].tolist() == [1, 2]
    assert len(result.corrections) == 1


# ------------------------------------------------------------------------------------------
# Units
# ------------------------------------------------------------------------------------------


def test_convert_units_fahrenheit_to_celsius_is_affine() -> None:
    """degF -> degC uses (F - 32) * 5/9, not a plain factor."""
    df = _frame(["T"] * 3, ["2024-01-01", "2024-01-02", "2024-01-03"], [32.0, 212.0, -40.0])
    result = convert_units(df, "degF", "degC")
    np.testing.assert_allclose(result.data["y"], [0.0, 100.0, -40.0], atol=1e-9)
    assert (result.corrections["rule"] == "unit_conversion").all()
    assert result.corrections["detail"].iloc[0] == "degF -> degC (affine)"


def test_convert_units_dozen_to_pieces() -> None:
    """Dozens convert to pieces by 12."""
    df = _frame(["A"], ["2024-01-01"], [3.0])
    assert convert_units(df, "dozen", "pcs").data["y"].tolist() == [36.0]


def test_convert_units_chinese_kilogram_to_grams() -> None:
    """千克 is recognised as kg and converts to grams by 1000."""
    df = _frame(["A"], ["2024-01-01"], [2.5])
    result = convert_units(df, "千克", "g")
    assert result.data["y"].tolist() == [2500.0]
    assert result.corrections["detail"].iloc[0] == "千克 -> g (x1000)"


def test_chinese_unit_names_normalise() -> None:
    """Chinese count and mass names map onto the canonical units."""
    assert [normalize_unit(u) for u in ["个", "件", "台", "只", "公斤", "克", "吨"]] == [
        "pcs", "pcs", "pcs", "pcs", "kg", "g", "t",
    ]
    assert convert_value(1.0, "吨", "kg") == 1000.0


def test_convert_units_incompatible_units_raise() -> None:
    """Converting mass to length raises InputError naming both units."""
    df = _frame(["A"], ["2024-01-01"], [1.0])
    with pytest.raises(InputError, match=r"'kg'.*'m'"):
        convert_units(df, "kg", "m")


def test_convert_units_unknown_unit_raises() -> None:
    """An unknown unit raises InputError naming both units."""
    df = _frame(["A"], ["2024-01-01"], [1.0])
    with pytest.raises(InputError, match=r"'furlong'.*'m'"):
        convert_units(df, "furlong", "m")


def test_convert_units_mixed_unit_column() -> None:
    """A per-row unit column converts every row to one target unit."""
    df = _frame(["A"] * 4, ["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04"],
                [1.0, 500.0, 2.0, 1.0]).assign(unit=["kg", "g", "公斤", "t"])
    result = convert_units(df, None, "kg", unit_col="unit")
    np.testing.assert_allclose(result.data["y"], [1.0, 0.5, 2.0, 1000.0])
    assert result.data["unit"].tolist() == ["kg"] * 4
    assert len(result.corrections) == 2  # kg and 公斤 rows are unchanged


# ------------------------------------------------------------------------------------------
# Pipeline and general contract
# ------------------------------------------------------------------------------------------


def test_gap_policy_table() -> None:
    """Each kind of series maps to the gap policy that matches its meaning."""
    assert GAP_POLICY == {
        "sales": "zero",
        "sensor": "interpolate",
        "inventory": "ffill",
        "production": "zero",
        "shipment": "zero",
    }


def test_clean_series_sales_keeps_promotion_spikes() -> None:
    """For sales the Hampel step is skipped by default, so a promotion spike survives."""
    df, _ = _noisy_sine_with_spikes()
    result = clean_series(df, "sales")
    assert "hampel" not in set(result.corrections["rule"])
    np.testing.assert_allclose(result.data["y"], df["y"])


def test_clean_series_sales_can_opt_into_outlier_removal() -> None:
    """outliers=True runs the Hampel step for sales as well."""
    df, _ = _noisy_sine_with_spikes()
    result = clean_series(df, "sales", outliers=True)
    assert "hampel" in set(result.corrections["rule"])


def test_clean_series_sensor_runs_the_whole_pipeline() -> None:
    """Sensor cleaning drops duplicates, removes spikes and interpolates gaps, in that order."""
    dates = pd.date_range("2024-01-01", periods=30)
    y = 20 + np.sin(np.arange(30) / 3)
    y[10] = 80.0
    df = pd.DataFrame({"unique_id": "s", "ds": dates, "y": y})
    df = pd.concat([df.drop(index=[20, 21]), df.iloc[[5]]], ignore_index=True)
    result = clean_series(df, "sensor")
    rules = result.corrections["rule"].tolist()
    assert rules == ["duplicate", "hampel", "gap_interpolate", "gap_interpolate"]
    assert len(result.data) == 30
    assert result.data["imputed"].sum() == 2


def test_clean_series_applies_loss_correction_only_when_asked() -> None:
    """Loss correction runs only when loss_rate is given."""
    df = _frame(["A", "A"], ["2024-01-01", "2024-01-02"], [9.0, 18.0])
    plain = clean_series(df, "shipment", outliers=False)
    corrected = clean_series(df, "shipment", outliers=False, loss_rate=0.1)
    assert plain.data["y"].tolist() == [9.0, 18.0]
    np.testing.assert_allclose(corrected.data["y"], [10.0, 20.0])


def test_clean_series_rejects_unknown_kind(gappy: pd.DataFrame) -> None:
    """An unknown kind raises InputError."""
    with pytest.raises(InputError, match="kind"):
        clean_series(gappy, "weather")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "clean",
    [
        lambda d: correct_loss(d, 0.1),
        lambda d: hampel(d),
        lambda d: fill_gaps(d, policy="interpolate"),
        lambda d: drop_duplicates(d),
        lambda d: convert_units(d, "kg", "g"),
        lambda d: clean_series(d, "sensor"),
    ],
    ids=["correct_loss", "hampel", "fill_gaps", "drop_duplicates", "convert_units",
         "clean_series"],
)
def test_cleaning_never_mutates_the_input(gappy: pd.DataFrame, clean: object) -> None:
    """Every cleaning function leaves its input frame unchanged."""
    before = gappy.copy(deep=True)
    result = clean(gappy)  # type: ignore[operator]
    pd.testing.assert_frame_equal(gappy, before)
    assert list(result.corrections.columns) == CORRECTION_COLUMNS


def test_missing_column_raises_input_error(gappy: pd.DataFrame) -> None:
    """A missing target column raises InputError naming the column."""
    with pytest.raises(InputError, match="'y'"):
        hampel(gappy.drop(columns="y"))


def test_non_numeric_target_raises_input_error(gappy: pd.DataFrame) -> None:
    """A text target column raises InputError naming the column."""
    with pytest.raises(InputError, match="'y' must be numeric"):
        fill_gaps(gappy.assign(y="x"))


def test_custom_column_names_are_honoured() -> None:
    """id_col, time_col and target_col rename the columns used."""
    df = pd.DataFrame(
        {"sku": ["A", "A"], "date": pd.to_datetime(["2024-01-01", "2024-01-03"]), "qty": [1.0, 3.0]}
    )
    result = fill_gaps(df, policy="interpolate", id_col="sku", time_col="date", target_col="qty")
    assert result.data["qty"].tolist() == [1.0, 2.0, 3.0]
    assert result.corrections["column"].tolist() == ["qty"]
