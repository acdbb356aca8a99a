"""Data cleaning: pure, vectorised functions over long frames that never change data silently.

Every function takes a long frame (``unique_id``, ``ds``, ``y`` by default), leaves it untouched
and returns a :class:`CleanResult`: the cleaned copy plus one correction row per value that was
changed, inserted or removed, so that a planner can always see (and undo) what cleaning did.

The rules encode domain knowledge rather than generic statistics:

* counted quantities that lose messages (RFID gates, IoT counters) are scaled up by the loss
  rate, ``q = q' / (1 - p)`` (:func:`correct_loss`);
* isolated spikes in sensor-like series are replaced by a robust local level (:func:`hampel`),
  but sales spikes are left alone by default because promotions are real;
* missing periods are filled according to what "no record" means for the kind of data
  (:data:`GAP_POLICY`, :func:`fill_gaps`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from supplypilot.errors import InputError

__all__ = [
    "CORRECTION_COLUMNS",
    "GAP_POLICY",
    "MAD_SCALE",
    "CleanResult",
    "GapPolicy",
    "SeriesKind",
    "clean_series",
    "convert_units",
    "convert_value",
    "correct_loss",
    "drop_duplicates",
    "estimate_loss_rate",
    "fill_gaps",
    "hampel",
    "normalize_unit",
]

CORRECTION_COLUMNS: list[str] = [
    "unique_id",
    "ds",
    "column",
    "old_value",
    "new_value",
    "rule",
    "detail",
]

#: Consistency constant turning a MAD into a standard deviation for Gaussian data.
MAD_SCALE: float = 1.4826

GapPolicy = Literal["zero", "interpolate", "ffill"]
SeriesKind = Literal["sales", "sensor", "inventory", "production", "shipment"]

#: What a missing period means for each kind of series.
GAP_POLICY: dict[str, GapPolicy] = {
    "sales": "zero",  # no sales record: nothing was sold
    "sensor": "interpolate",  # a physical quantity moves continuously between readings
    "inventory": "ffill",  # no count: stock is what it was at the last count
    "production": "zero",  # no production record: nothing was produced
    "shipment": "zero",  # no shipment record: nothing was shipped
}

# Elements per chunk of the sliding-window matrix: bounds memory on million-row frames.
_CHUNK_ELEMENTS = 2_000_000


@dataclass(frozen=True)
class CleanResult:
    """Cleaned data and the audit trail of what was changed.

    Attributes
    ----------
    data
        The cleaned copy of the input.
    corrections
        One row per changed, inserted or removed value, with :data:`CORRECTION_COLUMNS`.
    """

    data: pd.DataFrame
    corrections: pd.DataFrame

    def by_rule(self, rule: str) -> pd.DataFrame:
        """Return the corrections made by one rule, e.g. the points ``hampel`` flagged."""
        return self.corrections[self.corrections["rule"] == rule].reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


def _check_columns(df: pd.DataFrame, columns: Sequence[str], func: str) -> None:
    if not isinstance(df, pd.DataFrame):
        raise InputError(f"{func} expects a pandas DataFrame, got {type(df).__name__}", "df")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise InputError(
            f"{func}: missing column(s) {missing}; the frame has {list(df.columns)}",
            missing[0],
        )


def _check_numeric(df: pd.DataFrame, column: str, func: str) -> None:
    dtype = df[column].dtype
    if not pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype):
        raise InputError(f"{func}: column {column!r} must be numeric, got dtype {dtype}", column)


def _as_datetime(series: pd.Series, column: str, func: str) -> pd.Series:
    """Return the time column as datetime64, converting strings when unambiguous."""
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        return series
    try:
        return pd.to_datetime(series)
    except (ValueError, TypeError) as exc:
        raise InputError(
            f"{func}: column {column!r} must hold dates, got dtype {series.dtype} ({exc})", column
        ) from exc


def _empty_corrections() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "unique_id": pd.Series([], dtype=object),
            "ds": pd.Series([], dtype="datetime64[ns]"),
            "column": pd.Series([], dtype=object),
            "old_value": pd.Series([], dtype=float),
            "new_value": pd.Series([], dtype=float),
            "rule": pd.Series([], dtype=object),
            "detail": pd.Series([], dtype=object),
        }
    )


def _corrections(
    ids: object,
    ds: object,
    column: str,
    old: object,
    new: object,
    rule: str,
    detail: object,
) -> pd.DataFrame:
    """Build a corrections frame; scalars broadcast over the rows."""
    ids_arr = np.asarray(ids, dtype=object)
    n = len(ids_arr)
    if n == 0:
        return _empty_corrections()

    def _col(value: object, dtype: object) -> np.ndarray:
        if np.ndim(value) == 0:
            return np.full(n, value, dtype=dtype)
        return np.asarray(value, dtype=dtype)

    return pd.DataFrame(
        {
            "unique_id": ids_arr,
            "ds": pd.Series(ds).reset_index(drop=True) if np.ndim(ds) else ds,
            "column": column,
            "old_value": _col(old, float),
            "new_value": _col(new, float),
            "rule": rule,
            "detail": _col(detail, object),
        },
        columns=CORRECTION_COLUMNS,
    )


def _concat_corrections(frames: Sequence[pd.DataFrame]) -> pd.DataFrame:
    frames = [f for f in frames if len(f)]
    if not frames:
        return _empty_corrections()
    return pd.concat(frames, ignore_index=True)[CORRECTION_COLUMNS]


def _group_bounds(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start (inclusive) and end (exclusive) position of each row's group in a sorted array."""
    n = len(codes)
    if n == 0:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    change = np.r_[True, codes[1:] != codes[:-1]]
    first = np.flatnonzero(change)
    group = np.cumsum(change) - 1
    ends = np.r_[first[1:], n]
    return first[group], ends[group]


def _row_nanmedian(mat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Median of each row ignoring NaN, and the number of finite values per row."""
    srt = np.sort(mat, axis=1)  # NaN sorts last
    count = np.count_nonzero(~np.isnan(mat), axis=1)
    lo = np.maximum((count - 1) // 2, 0)
    hi = np.maximum(count // 2, 0)
    hi = np.minimum(hi, mat.shape[1] - 1)
    rows = np.arange(mat.shape[0])
    med = 0.5 * (srt[rows, lo] + srt[rows, hi])
    med[count == 0] = np.nan
    return med, count


def _sliding_stats(
    values: np.ndarray,
    starts: np.ndarray,
    ends: np.ndarray,
    before: int,
    after: int,
    screen_sigmas: float | None = None,
) -> dict[str, np.ndarray]:
    """Median, MAD and count over the window ``[i - before, i + after]`` within each group.

    Windows are clipped at group edges and ignore NaN. With ``screen_sigmas`` also returns the
    sample variance of the values within ``screen_sigmas`` robust sigmas of the window median
    (the screened variance used by :mod:`supplypilot.data.fusion`). Works in chunks of a
    ``(rows, window)`` matrix, so it is vectorised yet bounded in memory.
    """
    n = len(values)
    width = before + after + 1
    out = {
        "median": np.full(n, np.nan),
        "mad": np.full(n, np.nan),
        "count": np.zeros(n, dtype=np.int64),
    }
    if screen_sigmas is not None:
        out["var"] = np.full(n, np.nan)
        out["n_screened"] = np.zeros(n, dtype=np.int64)
    if n == 0:
        return out
    offsets = np.arange(-before, after + 1)
    chunk = max(1, _CHUNK_ELEMENTS // width)
    for lo in range(0, n, chunk):
        hi = min(n, lo + chunk)
        idx = np.arange(lo, hi)[:, None] + offsets[None, :]
        valid = (idx >= starts[lo:hi, None]) & (idx < ends[lo:hi, None])
        win = np.where(valid, values[np.clip(idx, 0, n - 1)], np.nan)
        med, count = _row_nanmedian(win)
        dev = np.abs(win - med[:, None])
        mad, _ = _row_nanmedian(dev)
        out["median"][lo:hi] = med
        out["mad"][lo:hi] = mad
        out["count"][lo:hi] = count
        if screen_sigmas is not None:
            with np.errstate(invalid="ignore", divide="ignore"):
                mean_abs = np.nansum(dev, axis=1) / count
            scale = np.where(mad > 0, MAD_SCALE * mad, 1.2533 * mean_abs)
            keep = dev <= screen_sigmas * scale[:, None]
            kept = np.where(keep, win, 0.0)
            k = keep.sum(axis=1)
            mean = kept.sum(axis=1) / np.maximum(k, 1)
            ss = (np.where(keep, win - mean[:, None], 0.0) ** 2).sum(axis=1)
            with np.errstate(invalid="ignore", divide="ignore"):
                var = np.where(k > 1, ss / (k - 1), np.nan)
            out["var"][lo:hi] = var / _truncated_variance_factor(screen_sigmas)
            out["n_screened"][lo:hi] = k
    return out


def _truncated_variance_factor(c: float) -> float:
    """Variance of a standard normal truncated to ``[-c, c]``: corrects a screened variance."""
    phi = math.exp(-0.5 * c * c) / math.sqrt(2.0 * math.pi)
    mass = math.erf(c / math.sqrt(2.0))
    return 1.0 - 2.0 * c * phi / mass


def _time_int(time: pd.Series) -> np.ndarray:
    """Nanoseconds since the epoch (UTC for tz-aware times); NaT is the smallest integer."""
    return pd.DatetimeIndex(time).as_unit("ns").asi8


def _id_codes(ids: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes of series ids, in sorted id order when the ids are comparable."""
    try:
        codes, uniques = pd.factorize(ids, sort=True)
    except TypeError:
        codes, uniques = pd.factorize(ids)
    return codes, np.asarray(uniques, dtype=object)


def _sorted_order(codes: np.ndarray, time: pd.Series) -> np.ndarray:
    """Positions that sort rows by series then time (stable, so ties keep input order)."""
    return np.lexsort((_time_int(time), codes))


# --------------------------------------------------------------------------------------------
# Loss correction
# --------------------------------------------------------------------------------------------


def estimate_loss_rate(
    df: pd.DataFrame, seq_col: str = "seq", id_col: str = "unique_id"
) -> pd.Series:
    """Estimate the message loss rate of each series from gaps in its sequence numbers.

    A sender numbering its messages 1, 2, 3, ... lets the receiver count what it never got:
    ``p = missing / expected`` with ``expected = max(seq) - min(seq) + 1``. Repeated sequence
    numbers (re-sent messages) count once. Losses before the first or after the last received
    message cannot be seen, and wrap-around of the counter is not handled.

    Parameters
    ----------
    df
        Rows are received messages.
    seq_col
        Column with the sender's integer sequence number.
    id_col
        Column naming the series (sender).

    Returns
    -------
    pandas.Series
        Loss rate ``p`` in ``[0, 1)`` per ``id_col`` value, named ``loss_rate``.
    """
    _check_columns(df, [id_col, seq_col], "estimate_loss_rate")
    _check_numeric(df, seq_col, "estimate_loss_rate")
    seq = df[[id_col, seq_col]].dropna(subset=[seq_col])
    stats = seq.groupby(id_col, sort=True, observed=True)[seq_col].agg(["nunique", "min", "max"])
    expected = stats["max"] - stats["min"] + 1
    p = (1.0 - stats["nunique"] / expected).clip(lower=0.0)
    p.name = "loss_rate"
    return p.astype(float)


def correct_loss(
    df: pd.DataFrame,
    loss_rate: float | Mapping[object, float] | None = None,
    seq_col: str | None = "seq",
    *,
    id_col: str = "unique_id",
    time_col: str = "ds",
    target_col: str = "y",
) -> CleanResult:
    """Scale counted quantities up for lost messages: ``q = q' / (1 - p)``.

    Only for counts that are undercounted when messages are lost (units seen by an RFID gate,
    pulses of a counter); never for levels such as stock on hand or temperature. Scaling every
    received row by the same factor makes any sum over rows an unbiased estimate of the true
    total.

    Parameters
    ----------
    df
        Long frame; rows are received messages or per-period counts.
    loss_rate
        ``p`` for all series (a float), per series (a mapping from ``id_col`` value to ``p``),
        or ``None`` to estimate it from sequence-number gaps with
        :func:`estimate_loss_rate`. Series a mapping leaves out are estimated from sequence
        gaps too; series with neither a rate nor sequence numbers are left unchanged.
    seq_col
        Sequence-number column for estimating rates; ``None`` to never estimate.
    id_col, time_col, target_col
        Column names.

    Returns
    -------
    CleanResult
        Rows in input order; rule ``loss_correction`` for each changed value.

    Raises
    ------
    InputError
        A rate outside ``0 <= p < 1`` (naming the series and value), or no rate given and no
        sequence column to estimate from.
    """
    func = "correct_loss"
    _check_columns(df, [id_col, time_col, target_col], func)
    _check_numeric(df, target_col, func)

    has_seq = seq_col is not None and seq_col in df.columns
    if loss_rate is None and not has_seq:
        raise InputError(
            f"{func}: no loss_rate given and no sequence column {seq_col!r} to estimate it "
            "from; pass loss_rate or seq_col",
            "loss_rate",
        )
    if loss_rate is None:
        given = pd.Series(dtype=float)
        label = ""
    elif isinstance(loss_rate, Mapping):
        try:
            given = pd.Series(dict(loss_rate), dtype=float)
        except (TypeError, ValueError) as exc:
            raise InputError(
                f"{func}: loss rates must be numbers, got {dict(loss_rate)!r}", "loss_rate"
            ) from exc
        label = "given per series"
    else:
        try:
            value = float(loss_rate)
        except (TypeError, ValueError) as exc:
            raise InputError(
                f"{func}: loss_rate must be a number, a mapping or None, got {loss_rate!r}",
                "loss_rate",
            ) from exc
        if not (math.isfinite(value) and 0.0 <= value < 1.0):
            raise InputError(
                f"{func}: loss rate for all series must satisfy 0 <= p < 1, got {value}",
                "loss_rate",
            )
        given = pd.Series(value, index=pd.unique(df[id_col]), dtype=float)
        label = "given"

    bad = given[~((given >= 0.0) & (given < 1.0))]
    if len(bad):
        uid, val = bad.index[0], bad.iloc[0]
        raise InputError(
            f"{func}: loss rate for unique_id {uid!r} must satisfy 0 <= p < 1, got {val}",
            "loss_rate",
        )

    # Series without a given rate: estimated from sequence gaps where possible.
    without = ~df[id_col].isin(given.index)
    estimated = pd.Series(dtype=float)
    if has_seq and without.any():
        estimated = estimate_loss_rate(df.loc[without], seq_col=str(seq_col), id_col=id_col)
    details = {uid: f"p={rate:.4g} ({label})" for uid, rate in given.items()}
    details.update(
        {uid: f"p={rate:.4g} (estimated from sequence gaps)" for uid, rate in estimated.items()}
    )
    p = df[id_col].map(pd.concat([given, estimated])).fillna(0.0)

    old = df[target_col].to_numpy(dtype=float)
    pv = p.to_numpy(dtype=float)
    new = old / (1.0 - pv)
    data = df.copy()
    data[target_col] = new

    changed = np.isfinite(old) & (new != old)
    sub = df.loc[changed]
    corr = _corrections(
        sub[id_col].to_numpy(),
        sub[time_col],
        target_col,
        old[changed],
        new[changed],
        "loss_correction",
        sub[id_col].map(details).to_numpy(dtype=object),
    )
    return CleanResult(data=data, corrections=corr)


# --------------------------------------------------------------------------------------------
# Outliers
# --------------------------------------------------------------------------------------------


def hampel(
    df: pd.DataFrame,
    window: int = 7,
    n_sigmas: float = 3.0,
    *,
    scale_floor: bool = True,
    id_col: str = "unique_id",
    time_col: str = "ds",
    target_col: str = "y",
) -> CleanResult:
    """Replace isolated spikes by the local median (Hampel filter), per series.

    For each point the centred window of ``window`` points (clipped at the ends of the series)
    gives a median ``m`` and a MAD; the point is flagged when
    ``|y - m| > n_sigmas * 1.4826 * MAD`` and replaced by ``m``. Medians and MADs are robust, so
    a spike does not hide itself by inflating the scale, and steps (a stock receipt) survive.

    The MAD of a handful of points is itself very noisy: the textbook filter (``window=7``,
    ``n_sigmas=3``) flags about 5% of pure Gaussian noise. With ``scale_floor`` (default) the
    local MAD is floored at the series' typical (median) local MAD, which brings that down to
    about 0.7% while still adapting to noisier stretches; the price is less sensitivity in
    stretches quieter than usual. Pass ``scale_floor=False`` for the textbook rule.

    A window whose MAD (after the floor) is 0 (flat stretches, runs of zero demand) would flag
    any deviation at all. There the series' global MAD is used instead; when that is 0 too
    (more than half of the series is one value, as in intermittent demand) nothing in such
    windows is flagged, because a constant majority says nothing about how large a real
    deviation may be. Series with fewer zeros but lumpy demand can still be flagged, which is
    why :func:`clean_series` skips this filter for sales by default.

    Parameters
    ----------
    df
        Long frame.
    window
        Odd number of points in the centred window (at least 3).
    n_sigmas
        Threshold in robust standard deviations.
    scale_floor
        Floor the local MAD at the series' median local MAD (see above).
    id_col, time_col, target_col
        Column names.

    Returns
    -------
    CleanResult
        Rows in input order; flagged points have rule ``hampel`` in the corrections (see
        :meth:`CleanResult.by_rule`).
    """
    func = "hampel"
    _check_columns(df, [id_col, time_col, target_col], func)
    _check_numeric(df, target_col, func)
    if not isinstance(window, (int, np.integer)) or window < 3 or window % 2 == 0:
        raise InputError(f"{func}: window must be an odd integer >= 3, got {window!r}", "window")
    if not (isinstance(n_sigmas, (int, float)) and n_sigmas > 0):
        raise InputError(f"{func}: n_sigmas must be positive, got {n_sigmas!r}", "n_sigmas")

    time = _as_datetime(df[time_col], time_col, func)
    all_codes, _ = _id_codes(df[id_col])
    order = _sorted_order(all_codes, time)
    y = df[target_col].to_numpy(dtype=float)[order]
    codes = all_codes[order]
    starts, ends = _group_bounds(codes)
    half = int(window) // 2
    stats = _sliding_stats(y, starts, ends, half, half)
    med, mad = stats["median"], stats["mad"]

    ys = pd.Series(y)
    gmed = ys.groupby(codes).transform("median").to_numpy()
    gmad = (ys - gmed).abs().groupby(codes).transform("median").to_numpy()
    # 0 = local MAD, 1 = the series' typical local MAD (floor), 2 = the series' global MAD.
    source = np.zeros(len(y), dtype=np.int8)
    base = mad
    if scale_floor:
        typical = pd.Series(mad).groupby(codes).transform("median").to_numpy()
        with np.errstate(invalid="ignore"):
            use_floor = typical > np.nan_to_num(mad, nan=0.0)
        base = np.where(use_floor, typical, mad)
        source[use_floor] = 1
    use_global = ~(base > 0)
    source[use_global] = 2
    scale = MAD_SCALE * np.where(use_global, gmad, base)
    resid = np.abs(y - med)
    with np.errstate(invalid="ignore"):
        flag = np.isfinite(y) & (scale > 0) & (resid > n_sigmas * scale)

    new_sorted = np.where(flag, med, y)
    data = df.copy()
    new = df[target_col].to_numpy(dtype=float, copy=True)
    new[order] = new_sorted
    data[target_col] = new

    pos = order[flag]
    names = ("local", "series-typical local", "series")
    details = [
        f"window={window}, n_sigmas={n_sigmas:g}: |y-median|={r:.4g} > "
        f"{n_sigmas:g}*1.4826*MAD={n_sigmas * sc:.4g} ({names[g]} MAD)"
        for r, sc, g in zip(resid[flag], scale[flag], source[flag], strict=True)
    ]
    corr = _corrections(
        df[id_col].to_numpy()[pos],
        time.iloc[pos],
        target_col,
        y[flag],
        med[flag],
        "hampel",
        np.asarray(details, dtype=object),
    )
    return CleanResult(data=data, corrections=corr)


# --------------------------------------------------------------------------------------------
# Gaps
# --------------------------------------------------------------------------------------------


def _missing_periods(codes: np.ndarray, time: pd.Series, freq: str, func: str) -> pd.DataFrame:
    """Grid points of each series (first to last time at ``freq``) with no observation.

    Returns a frame with the series code ``c`` and timestamp ``t`` of each missing point. For
    fixed frequencies (hours, days, ``"300s"``) an observation covers the grid slot it is
    nearest to, so jittery sensor timestamps (00:05:01 on a 5-minute grid) do not count as
    gaps; calendar frequencies (weeks, months) and time-zone-aware times, whose steps are
    uneven, need an exact match.
    """
    try:
        offset = pd.tseries.frequencies.to_offset(freq)
    except (ValueError, TypeError) as exc:
        raise InputError(f"{func}: unknown frequency {freq!r}", "freq") from exc
    empty = pd.DataFrame({"c": np.empty(0, dtype=np.int64), "t": time.iloc[:0]})
    valid = time.notna().to_numpy()
    if not valid.any():
        return empty
    c_obs = codes[valid]
    t_obs = time[valid].reset_index(drop=True)
    first = t_obs.groupby(c_obs).min()
    last = t_obs.groupby(c_obs).max()

    if isinstance(offset, pd.offsets.Tick) and not isinstance(time.dtype, pd.DatetimeTZDtype):
        step = pd.Timedelta(offset).value
        t_int = _time_int(t_obs)
        start = _time_int(first)
        start_of = pd.Series(start, index=first.index).reindex(c_obs).to_numpy()
        slot = np.rint((t_int - start_of) / step).astype(np.int64)
        n = pd.Series(slot).groupby(c_obs).max().reindex(first.index).to_numpy() + 1
        total = int(n.sum())
        if total > 200_000_000:
            raise InputError(
                f"{func}: regularising at freq={freq!r} would create {total} rows; check freq",
                "freq",
            )
        grp = np.repeat(np.arange(len(n)), n)
        grid = pd.DataFrame(
            {
                "c": first.index.to_numpy()[grp],
                "slot": np.arange(total) - np.repeat(np.cumsum(n) - n, n),
            }
        )
        seen = pd.DataFrame({"c": c_obs, "slot": slot}).drop_duplicates()
        merged = grid.merge(seen, on=["c", "slot"], how="left", indicator=True)
        miss = merged.loc[merged["_merge"] == "left_only"].reset_index(drop=True)
        base = pd.Series(start, index=first.index).reindex(miss["c"]).to_numpy()
        t_new = pd.Series(pd.to_datetime(base + miss["slot"].to_numpy() * step)).astype(time.dtype)
        return pd.DataFrame({"c": miss["c"].to_numpy(dtype=np.int64), "t": t_new})

    parts = [pd.date_range(a, b, freq=offset) for a, b in zip(first, last, strict=True)]
    n = np.array([len(p) for p in parts], dtype=np.int64)
    grid = pd.DataFrame(
        {
            "c": np.repeat(first.index.to_numpy(), n),
            "t": pd.Series(parts[0].append(parts[1:])).astype(time.dtype),
        }
    )
    seen = pd.DataFrame({"c": c_obs, "t": t_obs}).drop_duplicates()
    merged = grid.merge(seen, on=["c", "t"], how="left", indicator=True)
    miss = merged.loc[merged["_merge"] == "left_only", ["c", "t"]].reset_index(drop=True)
    return miss.astype({"c": np.int64})


def _interpolate_in_time(
    y: np.ndarray, t: np.ndarray, codes: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Linear-in-time interpolation of NaN within groups; ends take the nearest value.

    Returns the filled values and a mask of points filled from one side only (series ends).
    """
    pos = np.arange(len(y), dtype=float)
    valid = np.isfinite(y)
    known = pd.Series(np.where(valid, pos, np.nan))
    prev = known.groupby(codes).ffill().to_numpy()
    nxt = known.groupby(codes).bfill().to_numpy()
    out = y.copy()
    todo = ~valid
    both = todo & np.isfinite(prev) & np.isfinite(nxt)
    ip, inx = prev[both].astype(np.int64), nxt[both].astype(np.int64)
    t0, t1 = t[ip], t[inx]
    span = np.where(t1 > t0, t1 - t0, 1.0)
    frac = np.where(t1 > t0, (t[both] - t0) / span, 0.0)
    out[both] = y[ip] + (y[inx] - y[ip]) * frac
    only_prev = todo & np.isfinite(prev) & ~np.isfinite(nxt)
    out[only_prev] = y[prev[only_prev].astype(np.int64)]
    only_next = todo & ~np.isfinite(prev) & np.isfinite(nxt)
    out[only_next] = y[nxt[only_next].astype(np.int64)]
    return out, only_prev | only_next


def fill_gaps(
    df: pd.DataFrame,
    freq: str = "D",
    policy: GapPolicy = "zero",
    *,
    id_col: str = "unique_id",
    time_col: str = "ds",
    target_col: str = "y",
) -> CleanResult:
    """Regularise each series at ``freq`` over its own date range and fill what is missing.

    The policy says what a missing period means: ``"zero"`` for flows (no sales record means
    nothing was sold), ``"interpolate"`` for sensors (linear in time between neighbours; values
    before the first or after the last reading take the nearest reading), ``"ffill"`` for
    inventory (stock stays at the last count; values before the first count stay NaN). NaN
    targets in existing rows are filled by the same policy.

    The grid runs from each series' first to last timestamp, anchored at the first one. With
    a fixed frequency (``"D"``, ``"h"``, ``"300s"``) an observation fills the grid slot it is
    nearest to, so jittery sensor timestamps are not mistaken for gaps; calendar frequencies
    (``"W-MON"``, ``"MS"``) and time-zone-aware times need timestamps on the grid. Existing
    rows are never moved or merged. Inserted rows copy columns that are constant within
    their series (e.g. a unit or location); other columns are NaN there.

    Parameters
    ----------
    df
        Long frame.
    freq
        Pandas frequency string (``"D"``, ``"h"``, ``"W-MON"``, ``"MS"``, ...).
    policy
        ``"zero"``, ``"interpolate"`` or ``"ffill"``; see :data:`GAP_POLICY`.
    id_col, time_col, target_col
        Column names.

    Returns
    -------
    CleanResult
        Data sorted by series and time with a fresh index and a boolean ``imputed`` column
        (True for inserted rows, OR-ed with an existing ``imputed`` column; existing rows whose
        NaN was filled stay False, so a caller can tell rows it must create from rows it
        must update); rule ``gap_<policy>`` for every inserted row and every filled value.
    """
    func = "fill_gaps"
    _check_columns(df, [id_col, time_col, target_col], func)
    _check_numeric(df, target_col, func)
    if policy not in ("zero", "interpolate", "ffill"):
        raise InputError(
            f"{func}: unknown policy {policy!r}; expected 'zero', 'interpolate' or 'ffill'",
            "policy",
        )

    if df[id_col].isna().any():
        raise InputError(f"{func}: column {id_col!r} has missing series ids", id_col)
    data = df.reset_index(drop=True)
    time = _as_datetime(data[time_col], time_col, func).dt.as_unit("ns")
    data = data.assign(**{time_col: time})
    had_imputed = "imputed" in data.columns
    n_old = len(data)

    # Grid points not present in the data become inserted rows.
    codes, uniques = _id_codes(data[id_col])
    new_keys = _missing_periods(codes, data[time_col], freq, func)
    n_new = len(new_keys)
    new_codes = new_keys["c"].to_numpy(dtype=np.int64)

    full = data.reindex(np.arange(n_old + n_new))
    if n_new:
        new_ids = pd.Series(uniques[new_codes], dtype=object)
        full[id_col] = pd.concat(
            [data[id_col].astype(object), new_ids], ignore_index=True
        ).astype(data[id_col].dtype)
        full[time_col] = pd.concat(
            [data[time_col], new_keys["t"].astype(data[time_col].dtype)], ignore_index=True
        )
    inserted = np.r_[np.zeros(n_old, dtype=bool), np.ones(n_new, dtype=bool)]

    # Columns constant within a series are copied into its inserted rows.
    others = [c for c in data.columns if c not in (id_col, time_col, target_col, "imputed")]
    if n_new and others:
        grouped = data[others].groupby(codes)
        nunique = grouped.nunique(dropna=False)
        first = grouped.first()
        for col in others:
            fill = first[col].where(nunique[col] == 1).reindex(new_codes).to_numpy(dtype=object)
            if pd.notna(fill).any():
                values = full[col].to_numpy(dtype=object, copy=True)
                values[n_old:] = fill
                full[col] = pd.Series(values).infer_objects()

    all_codes = np.r_[codes, new_codes]
    order = np.lexsort((_time_int(full[time_col]), all_codes))
    full = full.iloc[order].reset_index(drop=True)
    inserted = inserted[order]
    sorted_codes = all_codes[order]

    y_old = full[target_col].to_numpy(dtype=float)
    missing = ~np.isfinite(y_old)
    edge = np.zeros(len(full), dtype=bool)
    if policy == "zero":
        y_new = np.where(missing, 0.0, y_old)
    elif policy == "ffill":
        y_new = pd.Series(y_old).groupby(sorted_codes).ffill().to_numpy()
    else:
        t_num = (full[time_col] - full[time_col].min()).dt.total_seconds().to_numpy()
        y_new, edge = _interpolate_in_time(y_old, t_num, sorted_codes)
    full[target_col] = y_new

    imputed = inserted.copy()
    if had_imputed:
        prior = full["imputed"].astype("boolean").fillna(False).to_numpy(dtype=bool)
        imputed = imputed | prior
    full["imputed"] = imputed

    record = inserted | (missing & np.isfinite(y_new))
    rule = f"gap_{policy}"
    how = {
        "zero": "filled with 0",
        "interpolate": "linear in time",
        "ffill": "last value carried forward",
    }[policy]
    detail = np.where(
        inserted[record],
        f"row inserted (missing period, freq={freq}); {how}",
        f"missing value in existing row; {how}",
    ).astype(object)
    if policy == "interpolate":
        detail = np.where(edge[record], detail + " (series end: nearest value)", detail)
    if policy == "ffill":
        detail = np.where(
            ~np.isfinite(y_new[record]), detail + " (no earlier value: left NaN)", detail
        )
    sub = full.loc[record]
    corr = _corrections(
        sub[id_col].to_numpy(),
        sub[time_col],
        target_col,
        np.nan,
        y_new[record],
        rule,
        detail,
    )
    return CleanResult(data=full, corrections=corr)


# --------------------------------------------------------------------------------------------
# Duplicates
# --------------------------------------------------------------------------------------------


def drop_duplicates(
    df: pd.DataFrame,
    keys: Sequence[str] | None = None,
    keep: Literal["first", "last"] = "last",
    *,
    id_col: str = "unique_id",
    time_col: str = "ds",
    target_col: str = "y",
) -> CleanResult:
    """Remove rows whose key repeats, keeping the first or (default) the last one.

    The last row is kept by default because a re-sent or re-exported record usually carries
    the corrected value. Every removed row is listed with rule ``duplicate``.

    Parameters
    ----------
    df
        Long frame.
    keys
        Columns that identify a record; default ``[id_col, time_col]``.
    keep
        ``"first"`` or ``"last"``.
    id_col, time_col, target_col
        Column names.

    Returns
    -------
    CleanResult
        Kept rows in input order with their original index.
    """
    func = "drop_duplicates"
    keys = [id_col, time_col] if keys is None else list(keys)
    if not keys:
        raise InputError(f"{func}: keys must name at least one column", "keys")
    _check_columns(df, list(dict.fromkeys([id_col, time_col, target_col, *keys])), func)
    if keep not in ("first", "last"):
        raise InputError(f"{func}: keep must be 'first' or 'last', got {keep!r}", "keep")

    dup = df.duplicated(subset=keys, keep=keep).to_numpy()
    data = df.loc[~dup].copy()
    removed = df.loc[dup]
    if not len(removed):
        return CleanResult(data=data, corrections=_empty_corrections())

    # Say which value was kept so conflicting duplicates are visible.
    kept = pd.DataFrame({k: data[k] for k in keys})
    kept["__kept"] = data[target_col].to_numpy()
    joined = removed[keys].merge(kept, on=keys, how="left")
    kept_y = joined["__kept"].to_numpy()
    key_text = ", ".join(keys)
    old = removed[target_col].to_numpy()
    try:
        old_f = old.astype(float)
        kept_f = kept_y.astype(float)
        same = (old_f == kept_f) | (np.isnan(old_f) & np.isnan(kept_f))
    except (TypeError, ValueError):
        old_f = np.full(len(old), np.nan)
        same = old == kept_y
    details = np.where(
        same,
        f"duplicate key ({key_text}); identical value, kept {keep}",
        [f"duplicate key ({key_text}); conflicting, kept {keep} y={k}" for k in kept_y],
    ).astype(object)
    corr = _corrections(
        removed[id_col].to_numpy(),
        removed[time_col],
        target_col,
        old_f,
        np.nan,
        "duplicate",
        details,
    )
    return CleanResult(data=data, corrections=corr)


# --------------------------------------------------------------------------------------------
# Units
# --------------------------------------------------------------------------------------------

# canonical unit -> (dimension, scale, offset): value in the dimension's base unit is
# ``scale * x + offset`` (base units: pcs, kg, m, l, K).
_UNITS: dict[str, tuple[str, float, float]] = {
    "pcs": ("count", 1.0, 0.0),
    "pair": ("count", 2.0, 0.0),
    "dozen": ("count", 12.0, 0.0),
    "hundred": ("count", 100.0, 0.0),
    "thousand": ("count", 1000.0, 0.0),
    "g": ("mass", 1e-3, 0.0),
    "kg": ("mass", 1.0, 0.0),
    "t": ("mass", 1000.0, 0.0),
    "lb": ("mass", 0.45359237, 0.0),
    "oz": ("mass", 0.028349523125, 0.0),
    "jin": ("mass", 0.5, 0.0),
    "mm": ("length", 1e-3, 0.0),
    "cm": ("length", 1e-2, 0.0),
    "m": ("length", 1.0, 0.0),
    "km": ("length", 1000.0, 0.0),
    "ml": ("volume", 1e-3, 0.0),
    "l": ("volume", 1.0, 0.0),
    "degC": ("temperature", 1.0, 273.15),
    "degF": ("temperature", 5.0 / 9.0, 273.15 - 32.0 * 5.0 / 9.0),
    "K": ("temperature", 1.0, 0.0),
}

_ALIASES: dict[str, str] = {
    # count
    "pc": "pcs",
    "piece": "pcs",
    "pieces": "pcs",
    "ea": "pcs",
    "each": "pcs",
    "unit": "pcs",
    "units": "pcs",
    "个": "pcs",
    "件": "pcs",
    "台": "pcs",
    "只": "pcs",
    "pairs": "pair",
    "pr": "pair",
    "双": "pair",
    "对": "pair",
    "dz": "dozen",
    "doz": "dozen",
    "打": "dozen",
    # mass
    "gram": "g",
    "grams": "g",
    "克": "g",
    "kilogram": "kg",
    "kilograms": "kg",
    "千克": "kg",
    "公斤": "kg",
    "tonne": "t",
    "tonnes": "t",
    "吨": "t",
    "lbs": "lb",
    "pound": "lb",
    "pounds": "lb",
    "斤": "jin",
    # length
    "毫米": "mm",
    "厘米": "cm",
    "米": "m",
    "千米": "km",
    "公里": "km",
    # volume
    "millilitre": "ml",
    "milliliter": "ml",
    "毫升": "ml",
    "litre": "l",
    "liter": "l",
    "升": "l",
    # temperature
    "°c": "degC",
    "℃": "degC",
    "c": "degC",
    "celsius": "degC",
    "摄氏度": "degC",
    "°f": "degF",
    "℉": "degF",
    "f": "degF",
    "fahrenheit": "degF",
    "kelvin": "K",
}

_LOOKUP: dict[str, str] = {
    **{k.lower(): k for k in _UNITS},
    **{k.lower(): v for k, v in _ALIASES.items()},
}


def normalize_unit(unit: str) -> str:
    """Return the canonical name of a unit (``"千克"`` -> ``"kg"``), case-insensitively.

    Raises
    ------
    InputError
        The unit is not in the conversion table.
    """
    if not isinstance(unit, str):
        raise InputError(f"unit must be a string, got {unit!r}", "unit")
    canonical = _LOOKUP.get(unit.strip().lower())
    if canonical is None:
        raise InputError(f"unknown unit {unit!r}", "unit")
    return canonical


def _affine(from_unit: str, to_unit: str) -> tuple[float, float]:
    """``(factor, shift)`` with ``to = factor * from + shift``."""
    try:
        a, b = normalize_unit(from_unit), normalize_unit(to_unit)
    except InputError as exc:
        raise InputError(
            f"cannot convert {from_unit!r} to {to_unit!r}: {exc.message}", "unit"
        ) from exc
    dim_a, scale_a, off_a = _UNITS[a]
    dim_b, scale_b, off_b = _UNITS[b]
    if dim_a != dim_b:
        raise InputError(
            f"cannot convert {from_unit!r} ({dim_a}) to {to_unit!r} ({dim_b}): "
            "incompatible units",
            "unit",
        )
    return scale_a / scale_b, (off_a - off_b) / scale_b


def convert_value(value: float | np.ndarray, from_unit: str, to_unit: str) -> float | np.ndarray:
    """Convert a number or array between two compatible units (affine for temperatures)."""
    factor, shift = _affine(from_unit, to_unit)
    if np.ndim(value):
        return np.asarray(value, dtype=float) * factor + shift
    return float(value) * factor + shift


def convert_units(
    df: pd.DataFrame,
    from_unit: str | None,
    to_unit: str,
    *,
    unit_col: str | None = None,
    id_col: str = "unique_id",
    time_col: str = "ds",
    target_col: str = "y",
) -> CleanResult:
    """Convert the target column to ``to_unit``.

    Supports counts (pcs, ea, pair, dozen, hundred, thousand), mass (g, kg, t, lb, oz),
    length (mm, cm, m, km), volume (ml, l) and temperature (degC, degF, K, which are affine,
    not proportional), plus common Chinese names (个/件/台/只 -> pcs, 千克/公斤 -> kg, 克 -> g,
    吨 -> t, 斤, 米, 升, ...). Names are case-insensitive.

    Parameters
    ----------
    df
        Long frame.
    from_unit
        Unit of every row, or of rows whose ``unit_col`` is empty; may be ``None`` when
        ``unit_col`` gives every row's unit.
    to_unit
        Target unit.
    unit_col
        Optional per-row unit column for mixed-unit data; it is set to ``to_unit`` afterwards.
    id_col, time_col, target_col
        Column names.

    Returns
    -------
    CleanResult
        Rows in input order; rule ``unit_conversion`` for every changed value (a unit-column
        change with an unchanged value, e.g. 个 -> pcs, is not listed).

    Raises
    ------
    InputError
        Unknown or incompatible units, naming both units.
    """
    func = "convert_units"
    _check_columns(df, [id_col, time_col, target_col], func)
    _check_numeric(df, target_col, func)
    if unit_col is not None:
        _check_columns(df, [unit_col], func)

    old = df[target_col].to_numpy(dtype=float)
    data = df.copy()
    if unit_col is None:
        if from_unit is None:
            raise InputError(f"{func}: give from_unit or unit_col", "from_unit")
        factor, shift = _affine(from_unit, to_unit)
        new = old * factor + shift
        units = np.full(len(df), from_unit, dtype=object)
    else:
        units = df[unit_col].to_numpy(dtype=object, copy=True)
        empty = pd.isna(units) | (pd.Series(units).astype(str).str.strip() == "").to_numpy()
        if empty.any():
            if from_unit is None:
                raise InputError(
                    f"{func}: {int(empty.sum())} row(s) have no unit in column {unit_col!r} and "
                    "no from_unit was given",
                    unit_col,
                )
            units[empty] = from_unit
        table = {u: _affine(str(u), to_unit) for u in pd.unique(units)}
        unit_series = pd.Series(units)
        factor_arr = unit_series.map({u: f for u, (f, _) in table.items()}).to_numpy(float)
        shift_arr = unit_series.map({u: b for u, (_, b) in table.items()}).to_numpy(float)
        new = old * factor_arr + shift_arr
        data[unit_col] = to_unit
    data[target_col] = new

    changed = np.isfinite(old) & (new != old)
    sub = df.loc[changed]
    detail_map: dict[object, str] = {}
    for u in pd.unique(units[changed]):
        factor, shift = _affine(str(u), to_unit)
        how = "affine" if shift else f"x{factor:.6g}"
        detail_map[u] = f"{u} -> {to_unit} ({how})"
    corr = _corrections(
        sub[id_col].to_numpy(),
        sub[time_col],
        target_col,
        old[changed],
        new[changed],
        "unit_conversion",
        pd.Series(units[changed]).map(detail_map).to_numpy(dtype=object),
    )
    return CleanResult(data=data, corrections=corr)


# --------------------------------------------------------------------------------------------
# Pipeline
# --------------------------------------------------------------------------------------------


def clean_series(
    df: pd.DataFrame,
    kind: SeriesKind,
    *,
    freq: str = "D",
    hampel_window: int = 7,
    n_sigmas: float = 3.0,
    outliers: bool | None = None,
    loss_rate: float | Mapping[object, float] | Literal["estimate"] | None = None,
    seq_col: str = "seq",
    id_col: str = "unique_id",
    time_col: str = "ds",
    target_col: str = "y",
) -> CleanResult:
    """Run the cleaning pipeline appropriate for a kind of series.

    Steps, in order: :func:`drop_duplicates` (keys ``id, time`` plus ``seq_col`` when that
    column exists, so distinct messages in one period survive); :func:`correct_loss` only when
    ``loss_rate`` is given (``"estimate"`` estimates it from ``seq_col``): loss correction suits
    counted quantities only, so it is never automatic; :func:`hampel` unless ``outliers`` is
    False (the default skips it for sales, whose spikes are usually real promotions); and
    :func:`fill_gaps` with the policy in :data:`GAP_POLICY`.

    Parameters
    ----------
    df
        Long frame.
    kind
        One of the keys of :data:`GAP_POLICY`.
    freq
        Frequency for gap filling.
    hampel_window, n_sigmas
        Hampel filter parameters.
    outliers
        Force the Hampel step on (True) or off (False); ``None`` means on except for sales.
    loss_rate
        ``None`` (no loss correction), ``"estimate"``, a float or a per-series mapping.
    seq_col
        Sequence-number column for duplicate keys and loss estimation.
    id_col, time_col, target_col
        Column names.

    Returns
    -------
    CleanResult
        Cleaned data with ``imputed`` and the corrections of all steps, in step order.
    """
    if kind not in GAP_POLICY:
        raise InputError(
            f"clean_series: unknown kind {kind!r}; expected one of {sorted(GAP_POLICY)}", "kind"
        )
    cols = {"id_col": id_col, "time_col": time_col, "target_col": target_col}
    corrections: list[pd.DataFrame] = []

    keys = [id_col, time_col] + ([seq_col] if seq_col in df.columns else [])
    step = drop_duplicates(df, keys=keys, **cols)
    data = step.data
    corrections.append(step.corrections)

    if loss_rate is not None:
        rate = None if isinstance(loss_rate, str) and loss_rate == "estimate" else loss_rate
        if isinstance(rate, str):
            raise InputError(
                f"clean_series: loss_rate must be a number, a mapping, 'estimate' or None, "
                f"got {loss_rate!r}",
                "loss_rate",
            )
        step = correct_loss(data, rate, seq_col, **cols)
        data = step.data
        corrections.append(step.corrections)

    run_hampel = kind != "sales" if outliers is None else bool(outliers)
    if run_hampel:
        step = hampel(data, window=hampel_window, n_sigmas=n_sigmas, **cols)
        data = step.data
        corrections.append(step.corrections)

    step = fill_gaps(data, freq=freq, policy=GAP_POLICY[kind], **cols)
    corrections.append(step.corrections)
    return CleanResult(data=step.data, corrections=_concat_corrections(corrections))
