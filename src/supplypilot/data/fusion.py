"""Multi-source fusion: one best estimate from several systems reporting the same quantity.

ERP, WMS and RFID each report the stock of an item at a location, and they disagree. The
plain average (``method="mean"``) treats a careless source like a careful one and lets one
gross error drag the estimate. :func:`fuse` instead

1. learns each source's error variance from how it disagrees with the other sources
   (pairwise differences: ``Var(x_i - x_j) = s_i^2 + s_j^2``, solved by least squares; the
   truth cancels out of every difference, so no ground truth is needed);
2. rejects, point by point, a source that disagrees with the others far more than its
   variance explains (a mis-scan, a stale record, a constant offset);
3. averages the rest with weights ``1 / s_i^2`` and reports the standard deviation of the
   fused value, ``sqrt(1 / sum(1 / s_i^2))``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations
from typing import Literal

import numpy as np
import pandas as pd

from supplypilot.data.cleaning import (
    MAD_SCALE,
    _check_columns,
    _check_numeric,
    _group_bounds,
    _sliding_stats,
    _truncated_variance_factor,
)
from supplypilot.errors import InputError

__all__ = ["FUSION_METHODS", "FusionResult", "FusionMethod", "fuse"]

FusionMethod = Literal["inverse_variance", "mean", "median"]
FUSION_METHODS: tuple[str, ...] = ("inverse_variance", "mean", "median")

# Pair differences further than this many robust sigmas from their median are screened out
# before their variance is taken, so gross errors do not inflate a source's variance.
_SCREEN_SIGMAS = 3.5
_ROW_CHUNK = 20_000


@dataclass(frozen=True)
class FusionResult:
    """Fused estimates and how they were made.

    Attributes
    ----------
    estimates
        One row per ``(unique_id, ds)``: ``y`` (fused value), ``y_std`` (its standard
        deviation), ``n_sources`` (sources used), ``sources_used`` and ``sources_rejected``
        (comma-separated names) and ``method``.
    weights
        Per source (and per ``unique_id`` when estimated per series, per ``ds`` too with a
        ``window``): estimated error ``variance``, constant ``bias`` relative to the consensus
        and normalised ``weight``.
    rejected
        One row per rejected observation: ``unique_id, ds, source, y, z`` where ``z`` is its
        largest disagreement with another source still in use, in standard deviations of
        their difference (always above ``reject_sigmas``).
    notes
        Plain-language remarks on fallbacks (e.g. only two sources, so equal weights).
    """

    estimates: pd.DataFrame
    weights: pd.DataFrame
    rejected: pd.DataFrame
    notes: list[str] = field(default_factory=list)

    @property
    def note(self) -> str:
        """All notes as one string (empty when there was nothing to remark)."""
        return "; ".join(self.notes)


# --------------------------------------------------------------------------------------------
# Pair statistics
# --------------------------------------------------------------------------------------------


def _grouped_pair_stats(d: np.ndarray, groups: np.ndarray, n_groups: int) -> dict[str, np.ndarray]:
    """Median, screened variance and count of pair differences per group."""
    s = pd.Series(d)
    g = s.groupby(groups)
    med = g.median().reindex(range(n_groups)).to_numpy()
    dev = np.abs(d - med[groups])
    gd = pd.Series(dev).groupby(groups)
    mad = gd.median().reindex(range(n_groups)).to_numpy()
    mean_abs = gd.mean().reindex(range(n_groups)).to_numpy()
    scale = np.where(mad > 0, MAD_SCALE * mad, 1.2533 * mean_abs)
    with np.errstate(invalid="ignore"):
        keep = dev <= _SCREEN_SIGMAS * scale[groups]
    kept = pd.Series(np.where(keep, d, np.nan)).groupby(groups)
    var = kept.var(ddof=1).reindex(range(n_groups)).to_numpy()
    count = g.count().reindex(range(n_groups)).fillna(0).to_numpy(dtype=np.int64)
    return {
        "median": med,
        "var": var / _truncated_variance_factor(_SCREEN_SIGMAS),
        "count": count,
    }


def _design(pairs: list[tuple[int, int]], k: int, signed: bool) -> np.ndarray:
    a = np.zeros((len(pairs), k))
    for p, (i, j) in enumerate(pairs):
        a[p, i] = 1.0
        a[p, j] = -1.0 if signed else 1.0
    return a


def _solve_sources(
    pair_var: np.ndarray,
    pair_bias: np.ndarray,
    pair_n: np.ndarray,
    pairs: list[tuple[int, int]],
    k: int,
    floor: float,
) -> dict[str, np.ndarray]:
    """Per row, solve pair variances for source variances (and pair medians for biases).

    Least squares on ``v_ij = s_i^2 + s_j^2`` over the pairs available in the row, using the
    minimum-norm solution so that unidentifiable splits (two sources) come out equal. Each
    source variance is then floored at ``floor`` and at its own standard error (delta method,
    Gaussian): with very unequal sources (1, 5, 20) the small variance is the difference of
    large ones and can come out near zero by chance, which would claim far more precision
    than the data can show.
    """
    g = pair_var.shape[0]
    var_a = _design(pairs, k, signed=False)
    sgn_a = _design(pairs, k, signed=True)
    variance = np.full((g, k), np.nan)
    se = np.full((g, k), np.nan)
    bias = np.full((g, k), np.nan)
    deficient = np.zeros(g, dtype=bool)
    avail = np.isfinite(pair_var)
    if g == 0 or not len(pairs):
        return {"variance": variance, "se": se, "bias": bias, "deficient": deficient}
    if len(pairs) <= 62:
        bits = avail.astype(np.int64) @ (np.int64(1) << np.arange(len(pairs), dtype=np.int64))
        _, first, inverse = np.unique(bits, return_index=True, return_inverse=True)
        patterns = avail[first]
    else:
        patterns, inverse = np.unique(avail, axis=0, return_inverse=True)
    inverse = inverse.reshape(-1)
    order = np.argsort(inverse, kind="stable")
    splits = np.cumsum(np.bincount(inverse, minlength=len(patterns)))[:-1]
    for pat, rows in zip(patterns, np.split(order, splits), strict=True):
        if not pat.any():
            continue
        sub = var_a[pat]
        cols = np.flatnonzero(sub.sum(axis=0) > 0)
        m = sub[:, cols]
        pinv = np.linalg.pinv(m)
        sol = pair_var[np.ix_(rows, np.flatnonzero(pat))] @ pinv.T
        sol = np.maximum(sol, floor)
        if np.linalg.matrix_rank(m) < len(cols):
            deficient[rows] = True

        # Standard errors: Cov(v_p, v_q) = 2 Cov(d_p, d_q)^2 / sqrt(n_p n_q).
        sgn = sgn_a[np.ix_(np.flatnonzero(pat), cols)]
        n = pair_n[np.ix_(rows, np.flatnonzero(pat))].astype(float)
        se_rows = np.empty_like(sol)
        for lo in range(0, len(rows), _ROW_CHUNK):
            hi = min(len(rows), lo + _ROW_CHUNK)
            cov_d = np.einsum("pk,gk,qk->gpq", sgn, sol[lo:hi], sgn)
            cov_v = 2.0 * cov_d**2 / np.sqrt(n[lo:hi, :, None] * n[lo:hi, None, :])
            se_rows[lo:hi] = np.sqrt(np.einsum("kp,gpq,kq->gk", pinv, cov_v, pinv))
        variance[np.ix_(rows, cols)] = np.maximum(sol, se_rows)
        se[np.ix_(rows, cols)] = se_rows

        # Biases are identified up to a constant; anchor the median source at zero.
        spinv = np.linalg.pinv(sgn)
        b = pair_bias[np.ix_(rows, np.flatnonzero(pat))] @ spinv.T
        bias[np.ix_(rows, cols)] = b - np.median(b, axis=1, keepdims=True)
    return {"variance": variance, "se": se, "bias": bias, "deficient": deficient}


def _mask_names(mask: np.ndarray, names: list[str]) -> np.ndarray:
    """Comma-joined source names for each row of a boolean (rows, sources) mask."""
    if mask.shape[0] == 0:
        return np.empty(0, dtype=object)
    bits = np.zeros(mask.shape[0], dtype=object if len(names) > 62 else np.int64)
    for j in range(len(names)):
        bits = bits + mask[:, j].astype(np.int64) * (1 << j)
    codes, uniq = pd.factorize(bits)
    text = np.array(
        [",".join(n for j, n in enumerate(names) if (int(u) >> j) & 1) for u in uniq],
        dtype=object,
    )
    return text[codes]


def _default_floor(y: np.ndarray) -> float:
    """Smallest variance a source may claim: rounding noise for counts, else relative."""
    finite = y[np.isfinite(y)]
    if finite.size and np.all(finite == np.round(finite)):
        return 1.0 / 12.0  # variance of rounding to whole units
    scale = float(np.median(np.abs(finite))) if finite.size else 0.0
    return max((1e-3 * scale) ** 2, 1e-12)


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------


def fuse(
    df: pd.DataFrame,
    method: FusionMethod = "inverse_variance",
    *,
    window: int | None = None,
    reject_sigmas: float | None = 3.0,
    min_history: int = 5,
    debias: bool = False,
    per_id: bool = True,
    var_floor: float | None = None,
    id_col: str = "unique_id",
    time_col: str = "ds",
    source_col: str = "source",
    target_col: str = "y",
) -> FusionResult:
    """Fuse several sources reporting the same quantity into one estimate per series and time.

    Methods: ``"mean"`` is the plain average of the sources present (``y_std`` is the standard
    error of that mean); ``"median"`` their median; ``"inverse_variance"`` (default) weights
    each source by ``1 / s_i^2`` after rejecting outlying observations, as below. Sources
    missing at a date are simply left out there.

    Variances come from pairwise differences: for every pair of sources the differences
    ``x_i - x_j`` over the dates both report have variance ``s_i^2 + s_j^2`` (the truth
    cancels). Each pair's variance is a robust one: differences further than 3.5 robust sigmas
    (MAD) from their median are screened out, and the screened variance is corrected for the
    truncation. Least squares over all pairs gives the ``s_i^2``, floored at ``var_floor`` and
    at their own standard error. With three or more sources this identifies every source;
    with only two the split is unidentifiable, both get half the pair variance (equal
    weights) and a note says so. Variances are estimated per series over its whole history
    (non-causal: later dates inform earlier ones), or over the trailing ``window`` dates;
    pairs with fewer than ``min_history`` common dates fall back to the series' whole
    history, then to all series pooled (again with a note).

    Because each pair variance is centred on the pair's median difference, a source with a
    constant offset keeps a small variance, so the rejection step below discards it at
    almost every date rather than letting it pull the estimate. With ``debias=True`` the
    offsets are estimated from the pair medians (anchored so that the median source has zero
    bias, i.e. the majority is taken as right) and subtracted first, so such a source is
    used; only do this when a stable offset is plausible (a unit-of-measure or cut-off-time
    difference), not to hide a broken feed.

    Rejection, at each date, iteratively: two sources conflict when
    ``|x_i - x_j| > reject_sigmas * sqrt(s_i^2 + s_j^2)``; the source with the most conflicts
    is dropped (ties: the larger total squared disagreement with the others), and the vote is
    repeated among the rest until no conflict remains. This is a majority vote scaled by each
    source's own noise, rather than a comparison with the median of all sources: the median
    of one precise and two noisy sources usually sits on a noisy one and would make the
    precise source look like the outlier. With two sources left the one with the larger
    variance goes (none if the variances are equal: then there is no telling which is
    wrong). At least one source always remains. The variances are then estimated once more
    without the rejected observations (so gross errors do not inflate them) and rejection
    is redone; a source rejected at most of its dates keeps its observations in that second
    estimate, since its problem is systematic rather than occasional.

    The standard error floor makes ``y_std`` conservative when one source is far more
    precise than the rest (with noise 1, 5 and 20 and 1,000 dates the best source's variance
    of 1 cannot be pinned down to better than about +-3), and honest elsewhere.

    Parameters
    ----------
    df
        Long frame with one row per series, date and source.
    method
        ``"inverse_variance"``, ``"mean"`` or ``"median"``.
    window
        Number of trailing dates per series for the variance estimates; ``None`` uses the
        whole history.
    reject_sigmas
        Rejection threshold for ``"inverse_variance"``; ``None`` disables rejection.
    min_history
        Least number of common dates a pair of sources needs for its own estimate.
    debias
        Estimate and remove a constant offset per source (see above).
    per_id
        Estimate variances per series (default) or once for all series pooled.
    var_floor
        Smallest variance a source may have; default ``1/12`` (rounding) for whole-number
        data, else ``(0.001 * median |y|)^2``.
    id_col, time_col, source_col, target_col
        Column names.

    Returns
    -------
    FusionResult

    Raises
    ------
    InputError
        Missing columns, non-numeric target, unknown method, bad parameters, or a source
        reporting twice for the same series and date.
    """
    func = "fuse"
    _check_columns(df, [id_col, time_col, source_col, target_col], func)
    _check_numeric(df, target_col, func)
    if method not in FUSION_METHODS:
        raise InputError(
            f"{func}: unknown method {method!r}; expected one of {list(FUSION_METHODS)}",
            "method",
        )
    if reject_sigmas is not None and not (
        isinstance(reject_sigmas, (int, float)) and reject_sigmas > 0
    ):
        raise InputError(
            f"{func}: reject_sigmas must be positive or None, got {reject_sigmas!r}",
            "reject_sigmas",
        )
    if not isinstance(min_history, (int, np.integer)) or min_history < 2:
        raise InputError(
            f"{func}: min_history must be an integer >= 2, got {min_history!r}", "min_history"
        )
    if window is not None:
        if not isinstance(window, (int, np.integer)) or window < min_history:
            raise InputError(
                f"{func}: window must be an integer >= min_history ({min_history}), "
                f"got {window!r}",
                "window",
            )
        if not per_id:
            raise InputError(f"{func}: window needs per_id=True", "window")
    if var_floor is not None and not (isinstance(var_floor, (int, float)) and var_floor > 0):
        raise InputError(f"{func}: var_floor must be positive, got {var_floor!r}", "var_floor")

    data = df[[id_col, time_col, source_col, target_col]]
    data = data[data[target_col].notna()]
    dup = data.duplicated(subset=[id_col, time_col, source_col])
    if dup.any():
        first = data.loc[dup].iloc[0]
        raise InputError(
            f"{func}: {int(dup.sum())} duplicate (series, date, source) row(s), e.g. "
            f"{first[id_col]!r}, {first[time_col]}, {first[source_col]!r}; "
            "drop duplicates first",
            source_col,
        )

    wide = data.set_index([id_col, time_col, source_col])[target_col].unstack(source_col)
    wide = wide.dropna(axis=1, how="all").sort_index()
    sources = list(wide.columns)
    names = [str(s) for s in sources]
    x = wide.to_numpy(dtype=float)
    present = np.isfinite(x)
    n_keys, k = x.shape
    key_ids = wide.index.get_level_values(0)
    key_ds = wide.index.get_level_values(1)

    if method in ("mean", "median") or k == 0:
        return _simple(x, present, key_ids, key_ds, names, method, id_col, time_col)

    id_codes, id_uniques = pd.factorize(key_ids)
    n_ids = len(id_uniques)
    floor = float(var_floor) if var_floor is not None else _default_floor(x[present])
    solved, group_of_key, notes = _estimate(x, id_codes, n_ids, floor, min_history, per_id, window)
    var_pts, bias_pts, no_var, pt_notes = _point_variances(solved, group_of_key, present)
    xa = x - np.nan_to_num(bias_pts) if debias else x
    active = present.copy()
    z_rej = np.full(x.shape, np.nan)
    if reject_sigmas is not None and k > 1:
        _reject(xa, var_pts, active, z_rej, float(reject_sigmas), eligible=~no_var)
        # Second pass: occasional gross errors are left out of the variance estimates. A
        # source rejected at most of its dates in a series is off systematically (an offset),
        # not occasionally; its observations stay, or its estimate would rest on the few
        # dates where it happened to agree.
        dropped = present & ~active
        if dropped.any():
            rej = pd.DataFrame(dropped).groupby(id_codes).transform("mean").to_numpy()
            share = rej / np.maximum(
                pd.DataFrame(present).groupby(id_codes).transform("mean").to_numpy(), 1e-12
            )
            x2 = np.where(dropped & (share < 0.5), np.nan, x)
            solved, group_of_key, notes = _estimate(
                x2, id_codes, n_ids, floor, min_history, per_id, window
            )
            var_pts, bias_pts, no_var, pt_notes = _point_variances(
                solved, group_of_key, present
            )
            xa = x - np.nan_to_num(bias_pts) if debias else x
            active = present.copy()
            z_rej = np.full(x.shape, np.nan)
            _reject(xa, var_pts, active, z_rej, float(reject_sigmas), eligible=~no_var)
    notes = notes + pt_notes

    w = np.where(active & ~no_var[:, None], 1.0 / np.where(active, var_pts, 1.0), 0.0)
    sw = w.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        y_iv = (w * np.nan_to_num(xa)).sum(axis=1) / sw
        std = np.sqrt(1.0 / sw)
        y_mean = np.nanmean(np.where(active, xa, np.nan), axis=1)
    y = np.where(no_var, y_mean, y_iv)
    std = np.where(no_var, np.nan, std)

    estimates = pd.DataFrame(
        {
            id_col: np.asarray(key_ids),
            time_col: key_ds,
            "y": y,
            "y_std": std,
            "n_sources": active.sum(axis=1).astype(np.int64),
            "sources_used": _mask_names(active, names),
            "sources_rejected": _mask_names(present & ~active, names),
            "method": np.where(no_var, "mean", "inverse_variance").astype(object),
        }
    )

    rej_rows, rej_cols = np.nonzero(present & ~active)
    rejected = pd.DataFrame(
        {
            id_col: np.asarray(key_ids)[rej_rows],
            time_col: key_ds[rej_rows],
            "source": np.asarray(sources, dtype=object)[rej_cols],
            "y": x[rej_rows, rej_cols],
            "z": z_rej[rej_rows, rej_cols],
        }
    )
    if debias:
        notes.append("constant per-source biases were estimated and removed (debias=True)")

    weights = _weights_frame(
        solved, sources, id_uniques, key_ids, key_ds, per_id, window, id_col, time_col
    )
    return FusionResult(estimates=estimates, weights=weights, rejected=rejected, notes=notes)


def _estimate(
    x: np.ndarray,
    id_codes: np.ndarray,
    n_ids: int,
    floor: float,
    min_history: int,
    per_id: bool,
    window: int | None,
) -> tuple[dict[str, np.ndarray], np.ndarray, list[str]]:
    """Source variances and biases per group, the group of each date, and notes."""
    n_keys, k = x.shape
    pairs = list(combinations(range(k), 2))
    n_pairs = len(pairs)
    notes: list[str] = []
    # Pair statistics (variance, median = bias, count): pooled over all series, per series
    # and per trailing window, each level falling back to the one above it.
    pv_id = np.full((n_ids, n_pairs), np.nan)
    pb_id = np.full((n_ids, n_pairs), np.nan)
    pn_id = np.zeros((n_ids, n_pairs), dtype=np.int64)
    pv_all = np.full(n_pairs, np.nan)
    pb_all = np.full(n_pairs, np.nan)
    pn_all = np.zeros(n_pairs, dtype=np.int64)
    diffs = [x[:, i] - x[:, j] for i, j in pairs]
    for p, d in enumerate(diffs):
        pooled = _grouped_pair_stats(d, np.zeros(n_keys, dtype=np.int64), 1)
        if pooled["count"][0] >= min_history:
            pv_all[p] = pooled["var"][0]
            pb_all[p] = pooled["median"][0]
            pn_all[p] = pooled["count"][0]
        if per_id:
            st = _grouped_pair_stats(d, id_codes, n_ids)
            ok = st["count"] >= min_history
            pv_id[ok, p] = st["var"][ok]
            pb_id[ok, p] = st["median"][ok]
            pn_id[ok, p] = st["count"][ok]

    if per_id:
        fallback = ~np.isfinite(pv_id) & np.isfinite(pv_all)[None, :]
        if fallback.any():
            notes.append(
                f"{int(fallback.any(axis=1).sum())} series had fewer than {min_history} common "
                "dates for some pair of sources; used all series pooled for those pairs"
            )
        pv_id = np.where(fallback, pv_all[None, :], pv_id)
        pb_id = np.where(fallback, pb_all[None, :], pb_id)
        pn_id = np.where(fallback, pn_all[None, :], pn_id)
        group_of_key = id_codes
        pv, pb, pn = pv_id, pb_id, pn_id
    else:
        group_of_key = np.zeros(n_keys, dtype=np.int64)
        pv, pb, pn = pv_all[None, :], pb_all[None, :], pn_all[None, :]

    if window is not None:
        starts, ends = _group_bounds(id_codes)
        pv_w = np.full((n_keys, n_pairs), np.nan)
        pb_w = np.full((n_keys, n_pairs), np.nan)
        pn_w = np.zeros((n_keys, n_pairs), dtype=np.int64)
        for p, d in enumerate(diffs):
            st = _sliding_stats(d, starts, ends, int(window) - 1, 0, screen_sigmas=_SCREEN_SIGMAS)
            ok = st["count"] >= min_history
            pv_w[ok, p] = st["var"][ok]
            pb_w[ok, p] = st["median"][ok]
            pn_w[ok, p] = st["count"][ok]
        short = ~np.isfinite(pv_w)
        if short.any():
            notes.append(
                f"{int(short.any(axis=1).sum())} dates had fewer than {min_history} common dates "
                f"in the trailing window of {window} for some pair; used the series' whole "
                "history there"
            )
        pv = np.where(short, pv_id[id_codes], pv_w)
        pb = np.where(short, pb_id[id_codes], pb_w)
        pn = np.where(short, pn_id[id_codes], pn_w)
        group_of_key = np.arange(n_keys)

    solved = _solve_sources(pv, pb, pn, pairs, k, floor)
    if solved["deficient"].any():
        if k == 2:
            notes.append(
                "only two sources: their variances cannot be told apart, so they get equal "
                "weights (each half the variance of their difference)"
            )
        else:
            notes.append(
                f"{int(solved['deficient'].sum())} variance estimate(s) had too few source "
                "pairs to separate every source; the minimum-norm split was used"
            )

    return solved, group_of_key, notes


def _point_variances(
    solved: dict[str, np.ndarray],
    group_of_key: np.ndarray,
    present: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """Variance and bias of each observation; dates without any variance; notes."""
    notes: list[str] = []
    var_pts = solved["variance"][group_of_key]
    bias_pts = solved["bias"][group_of_key]

    # Present sources without a variance borrow the largest known one at that date.
    known = present & np.isfinite(var_pts)
    largest = np.max(np.where(known, var_pts, -np.inf), axis=1)
    has_known = np.isfinite(largest)
    borrow = present & ~np.isfinite(var_pts) & has_known[:, None]
    if borrow.any():
        notes.append(
            f"{int(borrow.sum())} observation(s) came from sources with no variance estimate "
            "(no overlap with other sources); they were given the largest variance at that date"
        )
    var_pts = np.where(borrow, largest[:, None], var_pts)
    no_var = ~has_known
    if no_var.any():
        notes.append(
            f"{int(no_var.sum())} date(s) had no variance estimate for any source present "
            "(e.g. a single source); used the plain mean there with y_std NaN"
        )

    return var_pts, bias_pts, no_var, notes


def _reject(
    x: np.ndarray,
    var: np.ndarray,
    active: np.ndarray,
    z_out: np.ndarray,
    threshold: float,
    eligible: np.ndarray,
) -> None:
    """Drop, one at a time per date, the source most at odds with the others (in place).

    Two sources *conflict* when ``|x_i - x_j| > threshold * sqrt(s_i^2 + s_j^2)``. The
    candidate is the active source with the most conflicts; ties go to the larger sum of
    squared pairwise z (the shared pair cancels, so third sources decide), then, with two
    sources left, to the larger variance. Counting conflicts is a majority vote: an
    inverse-variance reference is dominated by the most precise other source, so a precise
    but offset source and a precise correct one would accuse each other equally.
    The reported ``z`` is the source's largest pairwise z with the sources still active.
    """
    n, k = x.shape
    rows = np.arange(n)
    xz = np.nan_to_num(x)
    safe_var = np.where(np.isfinite(var) & (var > 0), var, np.inf)
    for _ in range(k - 1):
        n_act = active.sum(axis=1)
        both = active[:, :, None] & active[:, None, :]
        with np.errstate(invalid="ignore"):
            zp = np.abs(xz[:, :, None] - xz[:, None, :]) / np.sqrt(
                safe_var[:, :, None] + safe_var[:, None, :]
            )
        zp = np.where(both, np.nan_to_num(zp, nan=0.0, posinf=0.0), 0.0)
        conflicts = (zp > threshold).sum(axis=2)
        sumz2 = (zp**2).sum(axis=2)
        secondary = sumz2 / (sumz2.max(axis=1, keepdims=True) + 1.0)
        score = np.where(active, conflicts + secondary, -np.inf)
        cand = np.argmax(score, axis=1)
        ok = eligible & (n_act >= 2) & (conflicts[rows, cand] >= 1)

        # Two left: the conflict is symmetric, so drop the less precise one, if any.
        two = n_act == 2
        if two.any():
            v_act = np.where(active, safe_var, -np.inf)
            hi = np.argmax(v_act, axis=1)
            lo_v = np.min(np.where(active, safe_var, np.inf), axis=1)
            tie = np.isclose(v_act[rows, hi], lo_v, rtol=1e-9)
            cand = np.where(two, hi, cand)
            ok &= ~(two & tie)
        if not ok.any():
            break

        z = zp[rows, cand].max(axis=1)
        r = rows[ok]
        active[r, cand[ok]] = False
        z_out[r, cand[ok]] = z[ok]


def _simple(
    x: np.ndarray,
    present: np.ndarray,
    key_ids: pd.Index,
    key_ds: pd.Index,
    names: list[str],
    method: str,
    id_col: str,
    time_col: str,
) -> FusionResult:
    """Plain mean or median of the sources present; no variances, no rejection."""
    n = present.sum(axis=1)
    xz = np.where(present, x, 0.0)
    mean = xz.sum(axis=1) / np.maximum(n, 1)
    ss = (np.where(present, x - mean[:, None], 0.0) ** 2).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        se = np.where(n > 1, np.sqrt(ss / np.maximum(n - 1, 1) / n), np.nan)
    if method == "median":
        y = np.nanmedian(x, axis=1) if len(x) else np.empty(0)
        se = 1.2533 * se  # asymptotic efficiency of the median under normal errors
    else:
        y = mean
    estimates = pd.DataFrame(
        {
            id_col: np.asarray(key_ids),
            time_col: key_ds,
            "y": y,
            "y_std": se,
            "n_sources": n.astype(np.int64),
            "sources_used": _mask_names(present, names),
            "sources_rejected": np.full(len(x), "", dtype=object),
            "method": method,
        }
    )
    k = len(names)
    weights = pd.DataFrame(
        {
            "source": names,
            "variance": np.full(k, np.nan),
            "bias": np.full(k, np.nan),
            "weight": np.full(k, 1.0 / k if k else np.nan),
        }
    )
    rejected = pd.DataFrame(
        {
            id_col: pd.Series([], dtype=object),
            time_col: pd.Series([], dtype=key_ds.dtype if len(key_ds) else "datetime64[ns]"),
            "source": pd.Series([], dtype=object),
            "y": pd.Series([], dtype=float),
            "z": pd.Series([], dtype=float),
        }
    )
    return FusionResult(estimates=estimates, weights=weights, rejected=rejected, notes=[])


def _weights_frame(
    solved: dict[str, np.ndarray],
    sources: list[object],
    id_uniques: pd.Index | np.ndarray,
    key_ids: pd.Index,
    key_ds: pd.Index,
    per_id: bool,
    window: int | None,
    id_col: str,
    time_col: str,
) -> pd.DataFrame:
    """Long frame of the variance, bias and normalised weight of each source."""
    var = solved["variance"]
    inv = np.where(np.isfinite(var), 1.0 / var, 0.0)
    total = inv.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        weight = np.where(total > 0, inv / total, np.nan)
    g, k = var.shape
    frame = pd.DataFrame(
        {
            "source": np.tile(np.asarray(sources, dtype=object), g),
            "variance": var.reshape(-1),
            "variance_se": solved["se"].reshape(-1),
            "bias": solved["bias"].reshape(-1),
            "weight": weight.reshape(-1),
        }
    )
    if window is not None:
        frame.insert(0, time_col, np.repeat(np.asarray(key_ds), k))
        frame.insert(0, id_col, np.repeat(np.asarray(key_ids, dtype=object), k))
    elif per_id:
        frame.insert(0, id_col, np.repeat(np.asarray(id_uniques, dtype=object), k))
    return frame
