"""The :class:`Forecaster`: one object over a list of models, on the long frame.

Statistical models (statsforecast objects such as ``AutoETS`` or ``CrostonOptimized``, given
directly or through :mod:`supplypilot.forecast.models.statistical`) are local: one fit per
series. They all run in **one** statsforecast call, because that call packs the series into
arrays once and loops over them in compiled code — far faster than one call per model.
:class:`~supplypilot.forecast.models.base.ForecastModel` instances (LightGBM, Chinchilla) are
global: each is fitted once on all series, separately, and its output is merged on
``(unique_id, ds)``.

Engines
-------
``engine="pandas"`` runs the statistical part in this process (``n_jobs`` > 1 uses
statsforecast's process pool). ``engine="dask"`` hands a Dask DataFrame to statsforecast's
Fugue backend, which partitions the series by id over the workers of the current
``distributed`` client, or of a ``LocalCluster(n_workers=2, threads_per_worker=1,
processes=True)`` started for the call when there is none (start a ``Client`` yourself to
reuse a cluster across calls). Its forecasts equal the pandas ones: statsforecast's Fugue
backend declares its output columns float32, which we widen to float64 so that nothing is
rounded on the way back.

``engine="spark"`` and ``engine="ray"`` are optional extras, dispatched the same way (a Spark
DataFrame from the active ``SparkSession``, or a Ray Dataset, handed to the Fugue backend).
They need ``pip install "fugue[spark]" pyspark`` or ``pip install "fugue[ray]" ray``, which
SupplyPilot does not install; without them those engines raise an :class:`InputError`
saying so. Global models always run in this process.

A fallback that leaves a trace
------------------------------
statsforecast's ``fallback_model`` replaces a model that fails on a series, silently. Here
failures are made visible instead: statsforecast runs with a stand-in fallback that returns
NaN, so failed (series, model) pairs survive even a distributed run; the Forecaster then
re-runs each failed model on that one series to learn *why*, forecasts it with
``fallback_model`` and records ``unique_id, model, fallback, reason`` in ``fallbacks_`` and
in ``output.attrs["fallbacks"]``. Without a ``fallback_model`` the failure is an
:class:`~supplypilot.errors.InputError` naming the series and the model.

Intervals for every model
-------------------------
Intermittent-demand models (Croston, ADIDA, IMAPA, TSB, ...) have no interval formula in
statsforecast. When ``level`` is asked, they get conformal intervals (statsforecast
``ConformalIntervals``: rolling-origin absolute errors over ``conformal_windows`` windows of
the horizon), so every model answers with ``<name>-lo-<l>`` and ``<name>-hi-<l>``. A
:class:`ForecastModel` that returns no interval columns gets the same treatment from its own
rolling-origin errors.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import logging
import os
import warnings
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import pandas as pd

from supplypilot.errors import InputError, NotFittedError
from supplypilot.forecast.models.base import DS, ID, Y, ForecastModel, check_horizon, check_levels

logger = logging.getLogger("supplypilot")

ENGINES = ("pandas", "dask", "spark", "ray")
_EXTRAS = {"dask": "dask[dataframe] distributed", "spark": '"fugue[spark]" pyspark',
           "ray": '"fugue[ray]" ray'}
CUTOFF = "cutoff"
TRACE_COLUMNS = [ID, CUTOFF, "model", "fallback", "reason"]
_MAX_LISTED = 5


# --------------------------------------------------------------------------- model helpers


def is_stat_model(model: Any) -> bool:
    """True for a statsforecast model object (local, run inside one statsforecast call)."""
    return (not isinstance(model, ForecastModel) and callable(getattr(model, "forecast", None))
            and callable(getattr(model, "new", None)))


def model_name(model: Any) -> str:
    """The output column of a model: statsforecast's alias, or ``ForecastModel.name``."""
    return model.name if isinstance(model, ForecastModel) else repr(model)


def interval_columns(name: str, level: Sequence[int | float]) -> list[str]:
    """statsforecast's column order: the widest lower bound first, the widest upper bound last."""
    lv = sorted(level)
    return [f"{name}-lo-{v}" for v in reversed(lv)] + [f"{name}-hi-{v}" for v in lv]


def _make_failure_marker() -> type:
    """The stand-in ``fallback_model`` class (a factory, see :func:`_portable_failure_marker`)."""

    class FailureMarker:
        """Stand-in ``fallback_model`` for statsforecast that answers NaN.

        statsforecast catches a model's exception per series and calls the fallback. Answering
        NaN (instead of a real forecast) keeps the failure visible in the output, even when the
        work ran on other processes, so the Forecaster can find it, learn why, and record it.
        """

        uses_exog = False
        prediction_intervals = None

        def __init__(self, alias: str = "FailureMarker") -> None:
            self.alias = alias

        def new(self) -> Any:
            return type(self)(self.alias)

        def __repr__(self) -> str:
            return self.alias

        def fit(self, y: np.ndarray, X: np.ndarray | None = None) -> Any:
            self.n_ = len(y)
            return self

        def predict(self, h: int, X: np.ndarray | None = None,
                    level: Sequence[int] | None = None) -> dict[str, np.ndarray]:
            return self.forecast(y=np.empty(0), h=h, level=level)

        def forecast(self, y: np.ndarray, h: int, X: np.ndarray | None = None,
                     X_future: np.ndarray | None = None, level: Sequence[int] | None = None,
                     fitted: bool = False) -> dict[str, np.ndarray]:
            nan = np.full(h, np.nan)
            res = {"mean": nan}
            if fitted:
                res["fitted"] = np.full(len(y), np.nan)
            if level is not None:
                lv = sorted(level)
                res.update({f"lo-{v}": nan for v in reversed(lv)})
                res.update({f"hi-{v}": nan for v in lv})
                if fitted:
                    res.update({f"fitted-lo-{v}": res["fitted"] for v in reversed(lv)})
                    res.update({f"fitted-hi-{v}": res["fitted"] for v in lv})
            return res

    return FailureMarker


_FailureMarker = _make_failure_marker()
_FailureMarker.__qualname__ = "_FailureMarker"  # importable by name: plain pickle (process pools)


@functools.cache
def _portable_failure_marker() -> type:
    """A second copy of the marker class, defined locally so cloudpickle ships it by value.

    Dask workers then need only statsforecast to run it, not an import of ``supplypilot``
    (a heavy package import in every worker process).
    """
    return _make_failure_marker()


_CONFORMAL_ONLY: dict[type, bool] = {}


def _needs_conformal(model: Any) -> bool:
    """Whether a statsforecast model can only give intervals through conformal prediction.

    Most such models say so (``only_conformal_intervals``); a few (``MFLES``) only refuse
    when asked, so those are asked once on a small series.
    """
    if getattr(model, "only_conformal_intervals", False):
        return True
    if type(model) in _CONFORMAL_ONLY:
        return _CONFORMAL_ONLY[type(model)]
    _CONFORMAL_ONLY[type(model)] = _probe_conformal_only(model)
    return _CONFORMAL_ONLY[type(model)]


def _probe_conformal_only(model: Any) -> bool:
    probe = model.new()
    probe.prediction_intervals = None
    y = 1.0 + np.abs(np.sin(np.arange(48, dtype=float)))
    try:
        probe.forecast(y=y, h=2, level=[80])
    except Exception as exc:  # noqa: BLE001 — any refusal that mentions intervals
        return "prediction_intervals" in str(exc)
    return False


def _prepared(models: Sequence[Any], h: int, level: Sequence[int], windows: int) -> list[Any]:
    """Copies of the statistical models, with conformal intervals where they need them.

    Copies, because statsforecast sets ``prediction_intervals`` on the objects it is given
    and the user's models must stay as they were built.
    """
    from statsforecast.utils import ConformalIntervals

    out = []
    for model in models:
        m = model.new()
        if level and getattr(m, "prediction_intervals", None) is None and _needs_conformal(m):
            m.prediction_intervals = ConformalIntervals(h=h, n_windows=windows)
        out.append(m)
    return out


def _series_arrays(series: pd.DataFrame, cutoff: Any, X: pd.DataFrame | None, uid: Any, h: int
                   ) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None]:
    """One series as statsforecast arrays: ``y``, in-sample and future exogenous values.

    With a ``cutoff`` (cross-validation) the series is cut there and the future exogenous
    values are the next ``h`` observed rows.
    """
    exog = [c for c in series.columns if c not in (ID, DS, Y)]
    future = None
    if cutoff is not None:
        future = series[series[DS] > cutoff].head(h)
        series = series[series[DS] <= cutoff]
    elif X is not None:
        future = X[X[ID] == uid]
    y = series[Y].to_numpy(dtype=float)
    if not exog:
        return y, None, None
    Xf = future[exog].to_numpy(dtype=float) if future is not None else None
    return y, series[exog].to_numpy(dtype=float), Xf


# --------------------------------------------------------------------------- frame validation


def _where(row: Any, column: str) -> str:
    return f"row {row}, column {column!r}"


def _fmt(value: Any) -> str:
    if isinstance(value, pd.Timestamp):
        return str(value.date()) if value == value.normalize() else str(value)
    return repr(value) if isinstance(value, str) else str(value)


def _check_time_dtype(s: pd.Series, owner: str, column: str, freq: str | int) -> pd.Series:
    if isinstance(freq, int):
        if not pd.api.types.is_integer_dtype(s):
            raise InputError(f"{owner}: column {column!r} must hold integers when freq is an int "
                             f"({freq}); got dtype {s.dtype}.", where=f"column {column!r}")
        return s
    if pd.api.types.is_datetime64_any_dtype(s):
        return s
    if pd.api.types.is_object_dtype(s) or pd.api.types.is_string_dtype(s):
        parsed = pd.to_datetime(s, errors="coerce")
        bad = parsed.isna() & s.notna()
        if bad.any():
            row = bad.idxmax()
            raise InputError(f"{owner}: {_where(row, column)}: must be a date, got {s[row]!r}.",
                             where=_where(row, column))
        return parsed
    raise InputError(f"{owner}: column {column!r} must hold dates (datetime64) when freq is "
                     f"{freq!r}; got dtype {s.dtype}. Convert it with pd.to_datetime.",
                     where=f"column {column!r}")


def validate_frame(df: Any, *, owner: str, freq: str | int, id_col: str = ID, time_col: str = DS,
                   target_col: str | None = Y) -> pd.DataFrame:
    """Check a user's long frame and return it with canonical names, sorted by id and date.

    Checked here, before any model runs, so that an error names the column and row instead
    of surfacing as a numba traceback from inside one model: missing columns, dtypes, missing
    ids or dates, non-finite targets, duplicate ``(id, date)`` pairs and gaps or misaligned
    dates for ``freq``. Extra columns are exogenous regressors and must be numeric.

    Parameters
    ----------
    df
        The user's frame.
    owner
        ``Class.method`` named in messages.
    freq
        pandas offset alias for datetime dates, or the integer step of integer dates.
    id_col, time_col, target_col
        The user's column names; ``target_col=None`` for future exogenous frames.

    Returns
    -------
    pandas.DataFrame
        Columns ``unique_id, ds[, y], *exogenous``, sorted by ``unique_id, ds``, fresh index.
    """
    if not isinstance(df, pd.DataFrame):
        raise InputError(f"The 'df' parameter of {owner} must be a pandas DataFrame. "
                         f"Got {type(df).__name__} instead.", where="df")
    roles = {id_col: "id_col", time_col: "time_col"}
    if target_col is not None:
        roles[target_col] = "target_col"
    for col, role in roles.items():
        if col not in df.columns:
            raise InputError(f"The 'df' parameter of {owner} must have a column {col!r} ({role}). "
                             f"Got columns {list(map(str, df.columns))} instead.",
                             where=f"column {col!r}")
    if df.empty:
        raise InputError(f"The 'df' parameter of {owner} must have at least one row. Got an empty "
                         "frame instead.", where="df")
    exog = [c for c in df.columns if c not in roles]
    clash = [c for c in exog if c in (ID, DS, Y, CUTOFF)]
    if clash:
        raise InputError(f"{owner}: column {clash[0]!r} clashes with a canonical column name; "
                         "rename it or pass it as id_col/time_col/target_col.",
                         where=f"column {clash[0]!r}")
    for col in exog + ([target_col] if target_col is not None else []):
        s = df[col]
        if not pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s):
            num = pd.to_numeric(s, errors="coerce")
            bad = num.isna() & s.notna()
            row = bad.idxmax() if bad.any() else s.index[0]
            what = "the target" if col == target_col else "an exogenous regressor"
            raise InputError(f"{owner}: {_where(row, col)}: {what} must be numeric (dtype "
                             f"{s.dtype}), got {s[row]!r}.", where=_where(row, col))
    for col in (id_col, time_col):
        missing = df[col].isna()
        if missing.any():
            row = missing.idxmax()
            raise InputError(f"{owner}: {_where(row, col)}: must not be missing, got "
                             f"{df[col][row]!r}.", where=_where(row, col))
    ds = _check_time_dtype(df[time_col], owner, time_col, freq)
    out = pd.DataFrame({ID: df[id_col], DS: ds}, index=df.index)
    if target_col is not None:
        y = df[target_col].astype(float)
        bad = ~np.isfinite(y.to_numpy())
        if bad.any():
            row = df.index[bad.argmax()]
            raise InputError(f"{owner}: {_where(row, target_col)}: must be a finite number, got "
                             f"{df[target_col][row]} (series {_fmt(df[id_col][row])}, "
                             f"{_fmt(ds[row])}). Fill or drop missing values before forecasting.",
                             where=_where(row, target_col))
        out[Y] = y
    for col in exog:
        out[col] = df[col].astype(float)
    out = out.sort_values([ID, DS], kind="stable")
    _check_unique_and_regular(out, owner, time_col, freq)
    return out.reset_index(drop=True)


def _check_unique_and_regular(out: pd.DataFrame, owner: str, time_col: str,
                              freq: str | int) -> None:
    from utilsforecast.processing import offset_times

    same = out[ID].to_numpy()[1:] == out[ID].to_numpy()[:-1]
    ds = out[DS]
    dup = same & (ds.to_numpy()[1:] == ds.to_numpy()[:-1])
    rows = out.index
    if dup.any():
        i = int(dup.argmax())
        raise InputError(f"{owner}: {_where(rows[i + 1], time_col)}: series "
                         f"{_fmt(out[ID].iloc[i])} has {_fmt(ds.iloc[i])} twice (rows {rows[i]} "
                         f"and {rows[i + 1]}); each (id, date) pair must be unique.",
                         where=_where(rows[i + 1], time_col))
    if len(out) < 2:
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = offset_times(ds.iloc[:-1].reset_index(drop=True), freq, 1).to_numpy()
    gap = same & (ds.to_numpy()[1:] != expected)
    if gap.any():
        i = int(gap.argmax())
        want = expected[i] if isinstance(freq, int) else pd.Timestamp(expected[i])
        where = _where(rows[i + 1], time_col)
        raise InputError(
            f"{owner}: {where}: series {_fmt(out[ID].iloc[i])} is not regular at freq {freq!r}: "
            f"after {_fmt(ds.iloc[i])} (row {rows[i]}) came {_fmt(ds.iloc[i + 1])}, expected "
            f"{_fmt(want)}. Fill the gaps (utilsforecast.preprocessing.fill_gaps) or pass the "
            "frequency the dates follow (e.g. 'W-WED' for weeks ending on Wednesday).", where=where)


def _check_level(level: Sequence[int | float] | None, owner: str) -> list[int | float]:
    lv = check_levels(level, owner)
    return sorted(set(lv))


def _check_positive_int(value: Any, name: str, owner: str, low: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise InputError(f"The {name!r} parameter of {owner} must be an int >= {low}. "
                         f"Got {value!r} instead.", where=name)
    return int(value)


# --------------------------------------------------------------------------- distributed engines


def _optional(module: str, engine: str) -> Any:
    """Import an optional engine's module, or say which extra to install."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise InputError(f"The 'engine' parameter {engine!r} needs optional packages that are not "
                         f"installed: pip install {_EXTRAS[engine]}.", where="engine") from None


@functools.cache
def _float64_fugue_backend() -> type:
    """statsforecast's Fugue backend, declaring float64 instead of float32 output columns."""
    import pyarrow as pa
    from statsforecast.distributed.fugue import FugueBackend
    from triad import Schema

    class Float64FugueBackend(FugueBackend):
        def _get_output_schema(self, **kwargs: Any) -> Any:
            schema = super()._get_output_schema(**kwargs)
            return Schema([(f.name, pa.float64() if pa.types.is_floating(f.type) else f.type)
                           for f in schema.fields])

    return Float64FugueBackend


@contextlib.contextmanager
def _dask_client(n_workers: int) -> Iterator[Any]:
    """The current distributed client, or a local process cluster for the duration of a call."""
    from distributed import Client, LocalCluster, get_client

    try:
        client = get_client()
    except ValueError:
        client = None
    if client is not None:
        yield client
        return
    logger.info("starting a Dask LocalCluster with %d worker processes", n_workers)
    with LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True,
                      dashboard_address=None, silence_logs=logging.ERROR) as cluster, \
            Client(cluster) as client:
        yield client


# --------------------------------------------------------------------------- the Forecaster


class Forecaster:
    """Forecast many series with many models: statistical (local) and global, in one frame.

    Parameters
    ----------
    models
        statsforecast model objects (``AutoETS(season_length=7)``, ``CrostonOptimized()``, ...)
        and/or :class:`~supplypilot.forecast.models.base.ForecastModel` instances. Names
        (``alias`` or ``name``) must be unique: they become the output columns.
    freq
        pandas offset alias of the dates (``"D"``, ``"W-MON"``, ``"MS"``), or the integer
        step when ``time_col`` holds integers.
    engine
        ``"pandas"`` (this process) or ``"dask"`` (see the module notes).
    n_jobs
        Processes for the statistical part with the pandas engine (-1: all cores), or
        workers of the local Dask cluster (default 2 when ``n_jobs`` is 1).
    fallback_model
        statsforecast model used for a series on which a model fails; every use is recorded
        in ``fallbacks_``. ``None`` turns such a failure into an :class:`InputError`.
    id_col, time_col, target_col
        The user's column names; outputs use them too.
    conformal_windows
        Rolling-origin windows behind conformal intervals of models without their own.

    Attributes
    ----------
    history_
        The validated training frame, canonical names.
    models_
        Fitted copies of the global models, by name.
    fallbacks_
        ``unique_id, cutoff, model, fallback, reason`` of the last :meth:`predict`.

    Examples
    --------
    >>> from supplypilot.forecast import Forecaster
    >>> from supplypilot.forecast.models.statistical import AutoETS, SeasonalNaive
    >>> fc = Forecaster(models=[AutoETS(season_length=7), SeasonalNaive(7)], freq="D")
    >>> fc
    Forecaster(models=[AutoETS, SeasonalNaive], freq='D')
    """

    def __init__(self, models: Sequence[Any], freq: str | int = "D", engine: str = "pandas",
                 n_jobs: int = 1, fallback_model: Any = None, id_col: str = ID, time_col: str = DS,
                 target_col: str = Y, conformal_windows: int = 3) -> None:
        self.models = models
        self.freq = freq
        self.engine = engine
        self.n_jobs = n_jobs
        self.fallback_model = fallback_model
        self.id_col = id_col
        self.time_col = time_col
        self.target_col = target_col
        self.conformal_windows = conformal_windows

    # ----------------------------------------------------------------- public

    def fit(self, df: pd.DataFrame) -> Forecaster:
        """Validate the history and fit the global models.

        Local statistical models are fitted when forecasts are asked (:meth:`predict`), in
        statsforecast's memory-light ``forecast`` path: one pass per series instead of keeping
        thousands of fitted objects, and conformal intervals calibrated for the horizon asked.

        Returns
        -------
        Forecaster
            self, fitted.
        """
        self._check_params("Forecaster.fit")
        hist = self._validate(df, "Forecaster.fit")
        self.history_ = hist
        self.models_ = {model_name(m): copy.deepcopy(m).fit(hist, freq=self.freq)
                        for m in self.models if isinstance(m, ForecastModel)}
        self.fallbacks_ = pd.DataFrame(columns=self._trace_columns())
        return self

    def predict(self, h: int, level: Sequence[int | float] | None = None,
                X_df: pd.DataFrame | None = None) -> pd.DataFrame:
        """Forecast ``h`` steps after each series' last date.

        Parameters
        ----------
        h
            Horizon, in steps of ``freq``.
        level
            Interval levels in (0, 100), e.g. ``[80, 95]``.
        X_df
            Future values of the exogenous columns: each series' next ``h`` dates.

        Returns
        -------
        pandas.DataFrame
            ``id, date, <model>...`` plus ``<model>-lo-<l>``/``<model>-hi-<l>`` per level;
            ``attrs["fallbacks"]`` holds the fallback trace.
        """
        if not hasattr(self, "history_"):
            raise NotFittedError("This Forecaster is not fitted yet; call fit before predict.")
        h = check_horizon(h, "Forecaster.predict")
        level = _check_level(level, "Forecaster.predict")
        X = self._validate_future(X_df, h, "Forecaster.predict")
        out, trace = self._forecast_all(self.history_, h, level, X, self.models_)
        out = self._to_user(out, trace)
        self.fallbacks_ = out.attrs["fallbacks"]
        return out

    def forecast(self, h: int, df: pd.DataFrame, level: Sequence[int | float] | None = None,
                 X_df: pd.DataFrame | None = None) -> pd.DataFrame:
        """Fit on ``df`` and forecast, keeping no state on this object.

        Same output as ``fit(df).predict(h, level, X_df)``; the fitted copy is thrown away,
        so one Forecaster can serve many frames (as in statsforecast's ``forecast``).
        """
        return self._clone().fit(df).predict(h, level=level, X_df=X_df)

    def cross_validation(self, h: int, df: pd.DataFrame, n_windows: int = 1, step_size: int = 1,
                         level: Sequence[int | float] | None = None) -> pd.DataFrame:
        """Rolling-origin evaluation: forecast ``h`` steps from ``n_windows`` cutoffs.

        The last window ends at each series' last date; earlier cutoffs step back by
        ``step_size``. Every model is refitted at every cutoff on the data up to it.

        Returns
        -------
        pandas.DataFrame
            ``id, date, cutoff, target, <model>...`` (+ interval columns), one row per
            series, cutoff and step; ``attrs["fallbacks"]`` holds the fallback trace.
        """
        owner = "Forecaster.cross_validation"
        self._check_params(owner)
        h = check_horizon(h, owner)
        n_windows = _check_positive_int(n_windows, "n_windows", owner)
        step_size = _check_positive_int(step_size, "step_size", owner)
        level = _check_level(level, owner)
        hist = self._validate(df, owner)
        test_size = h + step_size * (n_windows - 1)
        sizes = hist.groupby(ID, sort=False).size()
        short = sizes[sizes <= test_size]
        if len(short):
            raise InputError(
                f"The 'n_windows' parameter of {owner} needs every series longer than h + step_size"
                f" * (n_windows - 1) = {test_size} rows. Got {len(short)} shorter series "
                f"({', '.join(map(_fmt, short.index[:_MAX_LISTED]))}) instead.", where="n_windows")
        out, trace = self._cross_validate(hist, h, n_windows, step_size, level)
        return self._to_user(out, trace)

    def __repr__(self) -> str:
        models = self.models
        names = (", ".join(model_name(m) for m in models) if isinstance(models, (list, tuple))
                 else repr(models))
        extra = "".join(f", {k}={getattr(self, k)!r}" for k, default in
                        (("engine", "pandas"), ("n_jobs", 1), ("fallback_model", None))
                        if getattr(self, k) != default)
        return f"Forecaster(models=[{names}], freq={self.freq!r}{extra})"

    # ----------------------------------------------------------------- parameters

    def _check_params(self, owner: str) -> None:
        models = self.models
        if not isinstance(models, (list, tuple)) or not models or not all(
                isinstance(m, ForecastModel) or is_stat_model(m) for m in models):
            raise InputError(f"The 'models' parameter of {owner} must be a non-empty list of "
                             "statsforecast models or ForecastModel instances. Got "
                             f"{models!r} instead.", where="models")
        names = [model_name(m) for m in models]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise InputError(f"The 'models' parameter of {owner} must have unique names; "
                             f"{dup[0]!r} appears more than once. Give one an alias.",
                             where="models")
        if isinstance(self.freq, bool) or not isinstance(self.freq, (str, int)) or (
                isinstance(self.freq, int) and self.freq < 1):
            raise InputError(f"The 'freq' parameter of {owner} must be a pandas offset alias or a "
                             f"positive int. Got {self.freq!r} instead.", where="freq")
        if isinstance(self.freq, str):
            try:
                pd.tseries.frequencies.to_offset(self.freq)
            except ValueError:
                raise InputError(f"The 'freq' parameter of {owner} must be a pandas offset alias "
                                 f"such as 'D', 'W-MON' or 'MS'. Got {self.freq!r} instead.",
                                 where="freq") from None
        if self.engine not in ENGINES:
            raise InputError(f"The 'engine' parameter of {owner} must be a str among "
                             f"{set(ENGINES)}. Got {self.engine!r} instead.", where="engine")
        if isinstance(self.n_jobs, bool) or not isinstance(self.n_jobs, int) or self.n_jobs < -1 \
                or self.n_jobs == 0:
            raise InputError(f"The 'n_jobs' parameter of {owner} must be -1 or an int >= 1. "
                             f"Got {self.n_jobs!r} instead.", where="n_jobs")
        if self.fallback_model is not None and not is_stat_model(self.fallback_model):
            raise InputError(f"The 'fallback_model' parameter of {owner} must be a statsforecast "
                             f"model or None. Got {self.fallback_model!r} instead.",
                             where="fallback_model")
        _check_positive_int(self.conformal_windows, "conformal_windows", owner, low=2)
        cols = [self.id_col, self.time_col, self.target_col]
        if len(set(cols)) != 3 or not all(isinstance(c, str) for c in cols):
            raise InputError(f"The 'id_col', 'time_col' and 'target_col' parameters of {owner} "
                             f"must be three different column names. Got {cols!r} instead.",
                             where="id_col")

    def _validate(self, df: Any, owner: str) -> pd.DataFrame:
        return validate_frame(df, owner=owner, freq=self.freq, id_col=self.id_col,
                              time_col=self.time_col, target_col=self.target_col)

    def _validate_future(self, X_df: pd.DataFrame | None, h: int,
                         owner: str) -> pd.DataFrame | None:
        """Check future exogenous values: exactly the next ``h`` dates of every series."""
        from utilsforecast.processing import make_future_dataframe

        hist = self.history_
        exog = [c for c in hist.columns if c not in (ID, DS, Y)]
        if X_df is None:
            if exog and any(getattr(m, "uses_exog", False) for m in self._stat_models()):
                raise InputError(f"The 'X_df' parameter of {owner} must give future values of "
                                 f"{exog}, which the models were fitted with. Got None instead.",
                                 where="X_df")
            return None
        X = validate_frame(X_df, owner=owner, freq=self.freq, id_col=self.id_col,
                           time_col=self.time_col, target_col=None)
        missing = [c for c in exog if c not in X.columns]
        if missing:
            raise InputError(f"The 'X_df' parameter of {owner} must have column {missing[0]!r} "
                             "(an exogenous column of the training frame).",
                             where=f"column {missing[0]!r}")
        last = hist.groupby(ID, sort=True)[DS].max()
        future = make_future_dataframe(last.index.to_series(), last.reset_index(drop=True),
                                       self.freq, h, ID, DS)
        check = future.merge(X[[ID, DS]].assign(_x=1), on=[ID, DS], how="left")
        if check["_x"].isna().any() or len(X) != len(future):
            row = check[check["_x"].isna()].head(1)
            detail = (f"series {_fmt(row[ID].iloc[0])} has no row for {_fmt(row[DS].iloc[0])}"
                      if len(row) else f"it has {len(X)} rows, expected {len(future)}")
            raise InputError(f"The 'X_df' parameter of {owner} must hold the next {h} dates of "
                             f"every series; {detail}.", where="X_df")
        return future.merge(X[[ID, DS, *exog]], on=[ID, DS], how="left")

    def _clone(self) -> Forecaster:
        return Forecaster(models=self.models, freq=self.freq, engine=self.engine,
                          n_jobs=self.n_jobs, fallback_model=self.fallback_model,
                          id_col=self.id_col, time_col=self.time_col, target_col=self.target_col,
                          conformal_windows=self.conformal_windows)

    def _stat_models(self) -> list[Any]:
        return [m for m in self.models if is_stat_model(m)]

    def _global_models(self) -> list[ForecastModel]:
        return [m for m in self.models if isinstance(m, ForecastModel)]

    def _n_workers(self) -> int:
        if self.n_jobs == -1:
            return os.cpu_count() or 2
        return self.n_jobs if self.n_jobs > 1 else 2

    def _trace_columns(self) -> list[str]:
        return [self.id_col if c == ID else c for c in TRACE_COLUMNS]

    # ----------------------------------------------------------------- forecasting

    def _forecast_all(self, hist: pd.DataFrame, h: int, level: list[int | float],
                      X: pd.DataFrame | None, fitted: dict[str, ForecastModel]
                      ) -> tuple[pd.DataFrame, pd.DataFrame]:
        from utilsforecast.processing import make_future_dataframe

        last = hist.groupby(ID, sort=True)[DS].max()
        out = make_future_dataframe(last.index.to_series(), last.reset_index(drop=True),
                                    self.freq, h, ID, DS)
        stats = self._stat_models()
        if stats:
            sf_out = self._run_stats("forecast", hist, h=h, level=level, X_df=X)
            out = out.merge(sf_out, on=[ID, DS], how="left")
        for name, model in fitted.items():
            pred = model.predict(h, level=level or None, X_df=X)
            pred = self._with_intervals(pred, model, name, hist, h, level)
            out = out.merge(pred[[ID, DS, name, *interval_columns(name, level)]], on=[ID, DS],
                            how="left")
        out = out[[ID, DS, *self._value_columns(level)]]
        return self._fill_failures(out, hist, h, level, X)

    def _run_stats(self, method: str, hist: pd.DataFrame, *, h: int, level: list[int | float],
                   X_df: pd.DataFrame | None = None, n_windows: int = 1,
                   step_size: int = 1) -> pd.DataFrame:
        """All statistical models in one statsforecast call (pandas or Dask)."""
        from statsforecast import StatsForecast

        models = _prepared(self._stat_models(), h, level, self.conformal_windows)
        args: dict[str, Any] = {"h": h, "level": level or None}
        if method == "cross_validation":
            args.update(n_windows=n_windows, step_size=step_size)
        else:
            args["X_df"] = X_df
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", category=UserWarning)  # e.g. TBATS Box-Cox notices
            if self.engine == "pandas":
                sf = StatsForecast(models=models, freq=self.freq, n_jobs=self.n_jobs,
                                   fallback_model=_FailureMarker())
                res = getattr(sf, method)(df=hist, **args)
            elif self.engine == "dask":
                res = self._run_stats_dask(method, models, hist, args)
            else:
                res = self._run_stats_fugue(method, models, hist, args)
        if method == "cross_validation":
            res = res.drop(columns=[Y])
        return res

    def _run_stats_dask(self, method: str, models: list[Any], hist: pd.DataFrame,
                        args: dict[str, Any]) -> pd.DataFrame:
        dd = _optional("dask.dataframe", self.engine)
        n_workers = self._n_workers()
        with _dask_client(n_workers):
            nparts = max(1, min(hist[ID].nunique(), 2 * n_workers))
            x = args.pop("X_df", None)
            x = None if x is None else dd.from_pandas(x, npartitions=nparts, sort=False)
            data = dd.from_pandas(hist, npartitions=nparts, sort=False)
            res = self._fugue_call(method, models, data, x, args).compute()
        return self._normalise(res, hist)

    def _run_stats_fugue(self, method: str, models: list[Any], hist: pd.DataFrame,
                         args: dict[str, Any]) -> pd.DataFrame:
        """Spark or Ray: the frame converted to the engine's own, then the same Fugue backend."""
        if self.engine == "spark":
            session = _optional("pyspark.sql", self.engine).SparkSession.builder.getOrCreate()
            data, x = session.createDataFrame(hist), args.pop("X_df", None)
            x = None if x is None else session.createDataFrame(x)
            to_pandas = "toPandas"
        else:
            ray = _optional("ray", self.engine)
            data, x = ray.data.from_pandas(hist), args.pop("X_df", None)
            x = None if x is None else ray.data.from_pandas(x)
            to_pandas = "to_pandas"
        res = self._fugue_call(method, models, data, x, args)
        return self._normalise(getattr(res, to_pandas)(), hist)

    def _fugue_call(self, method: str, models: list[Any], data: Any, x: Any,
                    args: dict[str, Any]) -> Any:
        backend = _float64_fugue_backend()()
        common = dict(df=data, freq=self.freq, models=models,
                      fallback_model=_portable_failure_marker()(), fitted=False,
                      prediction_intervals=None, id_col=ID, time_col=DS, target_col=Y)
        if method == "forecast":
            return backend.forecast(X_df=x, **common, **args)
        return backend.cross_validation(test_size=None, input_size=None, refit=True, **common,
                                        **args)

    @staticmethod
    def _normalise(res: pd.DataFrame, hist: pd.DataFrame) -> pd.DataFrame:
        """Engine dtypes (pyarrow strings and timestamps) back to those of the history."""
        res[ID] = res[ID].astype(hist[ID].dtype)
        for col in (DS, CUTOFF):
            if col in res:
                res[col] = res[col].astype(hist[DS].dtype)
        return res.reset_index(drop=True)

    def _with_intervals(self, pred: pd.DataFrame, model: ForecastModel, name: str,
                        hist: pd.DataFrame, h: int, level: list[int | float]) -> pd.DataFrame:
        """Add rolling-origin intervals to a global model that returned none."""
        missing = [c for c in interval_columns(name, level) if c not in pred.columns]
        if not missing:
            return pred
        logger.info("%s returned no interval columns; adding conformal intervals from %d "
                    "rolling-origin windows", name, self.conformal_windows)
        windows = [self._global_window(model, hist, h, c) for c in
                   range(h * self.conformal_windows, 0, -h)]
        cv = pd.concat(windows, ignore_index=True)
        cv["_step"] = cv.groupby([ID, CUTOFF]).cumcount()
        cv["_err"] = (cv[Y] - cv[name]).abs()
        pred = pred.drop(columns=[c for c in pred.columns if c.startswith(f"{name}-")])
        pred["_step"] = pred.groupby(ID).cumcount()
        for lv in level:
            q = cv.groupby([ID, "_step"])["_err"].quantile(lv / 100).rename("_q").reset_index()
            merged = pred[[ID, "_step"]].merge(q, on=[ID, "_step"], how="left")["_q"].to_numpy()
            pred[f"{name}-lo-{lv}"] = pred[name].to_numpy() - merged
            pred[f"{name}-hi-{lv}"] = pred[name].to_numpy() + merged
        return pred.drop(columns="_step")

    def _global_window(self, model: ForecastModel, hist: pd.DataFrame, h: int, back: int,
                       level: list[int | float] | None = None) -> pd.DataFrame:
        """Fit a copy of a global model on all but the last ``back`` rows of each series and
        forecast the next ``h`` (with actuals and cutoff)."""
        from_end = hist.groupby(ID, sort=False).cumcount(ascending=False)
        train = hist[from_end >= back]
        test = hist[(from_end < back) & (from_end >= back - h)]
        cutoffs = train.groupby(ID, sort=False)[DS].max().rename(CUTOFF)
        exog = [c for c in hist.columns if c not in (ID, DS, Y)]
        name = model_name(model)
        m = copy.deepcopy(model).fit(train.reset_index(drop=True), freq=self.freq)
        X = test[[ID, DS, *exog]].reset_index(drop=True) if exog else None
        pred = m.predict(h, level=level or None, X_df=X)
        keep = [ID, DS, name, *(interval_columns(name, level) if level else [])]
        pred = pred[[c for c in keep if c in pred.columns]]
        res = test[[ID, DS, Y]].merge(pred, on=[ID, DS], how="left")
        return res.merge(cutoffs, left_on=ID, right_index=True, how="left")

    def _cross_validate(self, hist: pd.DataFrame, h: int, n_windows: int, step_size: int,
                        level: list[int | float]) -> tuple[pd.DataFrame, pd.DataFrame]:
        test_size = h + step_size * (n_windows - 1)
        from_end = hist.groupby(ID, sort=False).cumcount(ascending=False)
        frames = []
        for w in range(n_windows):
            back = test_size - w * step_size
            test = hist[(from_end < back) & (from_end >= back - h)][[ID, DS, Y]]
            cut = hist[from_end == back].set_index(ID)[DS].rename(CUTOFF)
            frames.append(test.merge(cut, left_on=ID, right_index=True))
        out = pd.concat(frames, ignore_index=True)[[ID, DS, CUTOFF, Y]]
        if self._stat_models():
            sf = self._run_stats("cross_validation", hist, h=h, level=level, n_windows=n_windows,
                                 step_size=step_size)
            out = out.merge(sf, on=[ID, DS, CUTOFF], how="left")
        for model in self._global_models():
            name = model_name(model)
            parts = [self._global_window(model, hist, h, test_size - w * step_size, level)
                     for w in range(n_windows)]
            res = pd.concat(parts, ignore_index=True).drop(columns=[Y])
            res = self._with_intervals_cv(res, model, name, hist, h, level)
            out = out.merge(res, on=[ID, DS, CUTOFF], how="left")
        out = out.sort_values([ID, CUTOFF, DS], kind="stable").reset_index(drop=True)
        out = out[[ID, DS, CUTOFF, Y, *self._value_columns(level)]]
        return self._fill_failures(out, hist, h, level, None)

    def _with_intervals_cv(self, res: pd.DataFrame, model: ForecastModel, name: str,
                           hist: pd.DataFrame, h: int, level: list[int | float]) -> pd.DataFrame:
        if not level or all(c in res.columns for c in interval_columns(name, level)):
            return res
        parts = []
        for cutoff, grp in res.groupby(CUTOFF, sort=False):
            train = hist[hist[DS] <= cutoff]
            part = self._with_intervals(grp.drop(columns=CUTOFF), model, name, train, h, level)
            parts.append(part.assign(**{CUTOFF: cutoff}))
        return pd.concat(parts, ignore_index=True)

    def _value_columns(self, level: list[int | float]) -> list[str]:
        cols = []
        for m in self.models:
            name = model_name(m)
            cols += [name, *interval_columns(name, level)]
        return cols

    # ----------------------------------------------------------------- fallbacks

    def _fill_failures(self, out: pd.DataFrame, hist: pd.DataFrame, h: int,
                       level: list[int | float], X: pd.DataFrame | None
                       ) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Find (series, model) pairs left without forecasts, learn why, apply the fallback."""
        keys = [ID, CUTOFF] if CUTOFF in out.columns else [ID]
        records = []
        groups: dict[Any, pd.DataFrame] | None = None
        for model in self.models:
            name = model_name(model)
            failed = out.loc[out[name].isna(), keys].drop_duplicates()
            if failed.empty:
                continue
            if groups is None:
                groups = dict(iter(hist.groupby(ID, sort=False)))
            for row in failed.itertuples(index=False):
                uid, cutoff = row[0], (row[1] if len(keys) == 2 else None)
                arrays = _series_arrays(groups[uid], cutoff, X, uid, h)
                records.append({ID: uid, CUTOFF: cutoff, "model": name,
                                "fallback": None if self.fallback_model is None
                                else repr(self.fallback_model),
                                "reason": self._why(model, arrays, h, level)})
                if self.fallback_model is not None:
                    mask = out[ID] == uid
                    if cutoff is not None:
                        mask &= out[CUTOFF] == cutoff
                    self._apply_fallback(out, mask, name, arrays, h, level, uid)
        trace = pd.DataFrame(records, columns=TRACE_COLUMNS)
        if len(trace) and self.fallback_model is None:
            first = trace.iloc[0]
            more = f" (and {len(trace) - 1} more)" if len(trace) > 1 else ""
            raise InputError(f"{first['model']} failed on series {_fmt(first[ID])}: "
                             f"{first['reason']}{more}. Pass fallback_model (e.g. Naive()) to the "
                             "Forecaster to fall back instead.", where=f"series {_fmt(first[ID])}")
        if len(trace):
            logger.warning("%d forecast(s) fell back to %r: %s", len(trace), self.fallback_model,
                           "; ".join(f"{r[2]} on {_fmt(r[0])}: {r[4]}" for r in
                                     trace.head(_MAX_LISTED).itertuples(index=False)))
        return out, trace

    def _why(self, model: Any, arrays: tuple[np.ndarray, Any, Any], h: int,
             level: list[int | float]) -> str:
        """Re-run a failed statistical model on its one series to capture its error."""
        if not is_stat_model(model):
            return "returned no finite forecast for this series"
        m = _prepared([model], h, level, self.conformal_windows)[0]
        y, Xtr, Xf = arrays
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                res = m.forecast(y=y, h=h, X=Xtr, X_future=Xf, level=level or None)
        except Exception as exc:  # noqa: BLE001 — the reason is what we are after
            return f"{type(exc).__name__}: {exc}".strip()
        if not np.isfinite(res["mean"]).all():
            return "returned non-finite forecasts"
        return "failed inside the statsforecast run but not when re-run alone"

    def _apply_fallback(self, out: pd.DataFrame, mask: pd.Series, name: str,
                        arrays: tuple[np.ndarray, Any, Any], h: int, level: list[int | float],
                        uid: Any) -> None:
        fb = _prepared([self.fallback_model], h, level, self.conformal_windows)[0]
        y, Xtr, Xf = arrays
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                res = fb.forecast(y=y, h=h, X=Xtr, X_future=Xf, level=level or None)
        except Exception as exc:
            raise InputError(f"The fallback model {self.fallback_model!r} also failed on series "
                             f"{_fmt(uid)} (for {name}): {type(exc).__name__}: {exc}",
                             where=f"series {_fmt(uid)}") from exc
        n = int(mask.sum())
        out.loc[mask, name] = res["mean"][:n]
        for col in interval_columns(name, level):
            out.loc[mask, col] = res[col[len(name) + 1:]][:n]

    # ----------------------------------------------------------------- output

    def _to_user(self, out: pd.DataFrame, trace: pd.DataFrame) -> pd.DataFrame:
        names = {ID: self.id_col, DS: self.time_col, Y: self.target_col}
        out = out.rename(columns=names)
        trace = trace.rename(columns={ID: self.id_col})
        out.attrs["fallbacks"] = trace
        return out
