"""A global gradient-boosting model: LightGBM over lag, rolling, calendar and exogenous features.

One LightGBM model is learned across all series (``is_global``), which is what makes it work
on short or intermittent retail series: an item with two years of history borrows the
weekday pattern, the festival effect and the price response learned from every other item.
The feature pipeline and the recursive multi-step forecast come from mlforecast; this module
adds what a planner needs around it:

* calendar and holiday features (:mod:`supplypilot.forecast.features`) computed for the
  forecast dates as well, so the user supplies only the exogenous columns they own
  (price, promotion) in ``X_df``;
* prediction intervals by split conformal prediction, pooled over series: rolling-origin
  windows at the end of the history give out-of-sample errors, each scaled by its series'
  mean absolute one-step change, so one quantile per horizon step serves all series (with
  few windows per series, per-series quantiles would be far too noisy);
* drivers: :meth:`LightGBMForecaster.explain` gives per-forecast feature contributions (SHAP
  values from LightGBM's ``pred_contrib``) in units of the forecast, and
  :meth:`LightGBMForecaster.reasons` turns them into one sentence per forecast;
* :meth:`LightGBMForecaster.update`: the series state moves on to the new observations and a
  few more boosting rounds are fitted on the new rows only, instead of a full retrain.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from supplypilot.errors import InputError, NotFittedError
from supplypilot.forecast.features import HOLIDAY_SETS, date_features
from supplypilot.forecast.models.base import DS, ID, Y, ForecastModel, check_horizon, check_levels

logger = logging.getLogger("supplypilot")

_KEY = "lgbm"
TARGET_TRANSFORMS = ("difference", "local_scale")
#: Objectives whose raw score is a log of the forecast; their SHAP values are on that scale.
LOG_LINK = ("tweedie", "poisson", "gamma")
DEFAULT_PARAMS: dict[str, Any] = {
    "num_leaves": 63,
    "min_child_samples": 20,
    "subsample": 0.8,
    "subsample_freq": 1,
    "colsample_bytree": 0.8,
    "reg_lambda": 0.1,
}
"""LightGBM settings used unless ``params`` overrides them (row and column subsampling keep a
global model from memorising the few largest series)."""
#: Fewer calibration scores than this per horizon step: pool the scores of all steps.
_MIN_SCORES_PER_STEP = 30


def _bad(param: str, must: str, got: Any) -> InputError:
    return InputError(f"The {param!r} parameter of LightGBMForecaster must be {must}. "
                      f"Got {got!r} instead.", where=param)


def _positive_ints(value: Any) -> bool:
    return (isinstance(value, Sequence) and not isinstance(value, str)
            and all(isinstance(v, int) and not isinstance(v, bool) and v >= 1 for v in value))


class LightGBMForecaster(ForecastModel):
    """Global LightGBM forecaster (mlforecast) with conformal intervals and explanations.

    Parameters
    ----------
    lags
        Target lags used as features. Lags shorter than the horizon are filled recursively
        with the model's own forecasts.
    rolling_windows
        Window lengths of the rolling mean and standard deviation features.
    rolling_lags
        Lags the rolling windows start from: ``(1,)`` follows the latest level, ``(28,)``
        (M5 style) never depends on recursive forecasts within a 28-day horizon.
    target_transform
        ``None``, ``"difference"`` (first differences, for trending series) or
        ``"local_scale"`` (per-series standardisation, for series of very different sizes).
    calendar
        Add day of week, month, week of year, day of month, quarter, weekend and month end.
    holidays
        ``"CN"`` or ``"US"`` to add that country's holiday features, or ``None``.
    static_features
        Columns constant within a series (category, store, region); every other extra column
        is a dynamic exogenous feature whose future values must come in ``X_df``.
    objective
        LightGBM objective. ``None`` picks ``"tweedie"`` (zero-inflated, right-skewed
        demand) when the target is non-negative and untransformed, else ``"regression"``.
    n_estimators, learning_rate
        Boosting rounds and shrinkage.
    params
        Further LightGBM parameters, over :data:`DEFAULT_PARAMS`.
    conformal_windows
        Rolling-origin windows used to calibrate prediction intervals (each costs one extra
        fit); ``0`` disables intervals.
    conformal_h
        Length of each calibration window; forecasts further ahead reuse the last step's
        quantile.
    update_rounds
        Boosting rounds added by :meth:`update`.
    seed
        Seed of LightGBM's row and column sampling; the same seed gives the same forecasts.
    num_threads
        Threads for LightGBM and the feature computation.
    alias
        Name of the output column (default ``"LightGBMForecaster"``).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> ds = pd.date_range("2024-01-01", periods=120, freq="D")
    >>> df = pd.DataFrame({"unique_id": "P-001", "ds": ds, "y": 10 + (ds.dayofweek >= 5) * 5.0})
    >>> model = LightGBMForecaster(n_estimators=20, conformal_windows=0).fit(df, freq="D")
    >>> model.predict(7).shape
    (7, 3)
    """

    is_global = True

    def __init__(self, lags: Sequence[int] = (1, 7, 14, 28),
                 rolling_windows: Sequence[int] = (7, 28), rolling_lags: Sequence[int] = (1,),
                 target_transform: str | None = None,
                 calendar: bool = True, holidays: str | None = None,
                 static_features: Sequence[str] = (), objective: str | None = None,
                 n_estimators: int = 300, learning_rate: float = 0.05,
                 params: Mapping[str, Any] | None = None, conformal_windows: int = 1,
                 conformal_h: int = 28, update_rounds: int = 50, seed: int = 0,
                 num_threads: int = 2, alias: str | None = None) -> None:
        super().__init__(alias=alias)
        self.lags = lags
        self.rolling_windows = rolling_windows
        self.rolling_lags = rolling_lags
        self.target_transform = target_transform
        self.calendar = calendar
        self.holidays = holidays
        self.static_features = static_features
        self.objective = objective
        self.n_estimators = n_estimators
        self.learning_rate = learning_rate
        self.params = params
        self.conformal_windows = conformal_windows
        self.conformal_h = conformal_h
        self.update_rounds = update_rounds
        self.seed = seed
        self.num_threads = num_threads

    # ------------------------------------------------------------------ validation

    def _validate_params(self) -> None:
        if not _positive_ints(self.lags):
            raise _bad("lags", "a sequence of positive ints", self.lags)
        if not _positive_ints(self.rolling_windows) or any(w < 2 for w in self.rolling_windows):
            raise _bad("rolling_windows", "a sequence of ints ≥ 2", self.rolling_windows)
        if not _positive_ints(self.rolling_lags):
            raise _bad("rolling_lags", "a sequence of positive ints", self.rolling_lags)
        if not self.lags and not self.rolling_windows:
            raise _bad("lags", "non-empty when there are no rolling windows", self.lags)
        if self.target_transform is not None and self.target_transform not in TARGET_TRANSFORMS:
            raise _bad("target_transform", f"None or one of {list(TARGET_TRANSFORMS)}",
                       self.target_transform)
        if self.holidays is not None and self.holidays not in HOLIDAY_SETS:
            raise _bad("holidays", f"None or one of {list(HOLIDAY_SETS)}", self.holidays)
        if isinstance(self.static_features, str) or not all(
                isinstance(c, str) for c in self.static_features):
            raise _bad("static_features", "a sequence of column names", self.static_features)
        for name, low in (("n_estimators", 1), ("conformal_windows", 0), ("conformal_h", 1),
                          ("update_rounds", 1), ("num_threads", 1)):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < low:
                raise _bad(name, f"an int ≥ {low}", value)
        if not isinstance(self.learning_rate, (int, float)) or not 0 < self.learning_rate <= 1:
            raise _bad("learning_rate", "a number in (0, 1]", self.learning_rate)
        if not isinstance(self.seed, int) or isinstance(self.seed, bool):
            raise _bad("seed", "an int", self.seed)
        if self.params is not None and not isinstance(self.params, Mapping):
            raise _bad("params", "a mapping of LightGBM parameters", self.params)

    def _check_frame(self, df: Any, what: str = "df") -> pd.DataFrame:
        if not isinstance(df, pd.DataFrame):
            raise InputError(f"The {what!r} parameter of LightGBMForecaster must be a pandas "
                             f"DataFrame. Got {type(df).__name__} instead.", where=what)
        missing = [c for c in (ID, DS, Y) if c not in df.columns]
        if missing:
            raise InputError(f"{what} lacks the column(s) {missing}; expected unique_id, ds, y.",
                             where=what)
        if not pd.api.types.is_datetime64_any_dtype(df[DS]):
            raise InputError(f"{what}, column 'ds': must hold datetimes, got {df[DS].dtype}.",
                             where=f"{what}:ds")
        y = pd.to_numeric(df[Y], errors="coerce")
        bad = ~np.isfinite(y.to_numpy(dtype=float))
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise InputError(f"{what}, row {row}, column 'y': must be a finite number, "
                             f"got {df[Y].iloc[row]!r}.", where=f"{what}:{row}:y")
        dup = df.duplicated([ID, DS])
        if dup.any():
            row = int(np.flatnonzero(dup.to_numpy())[0])
            raise InputError(f"{what}, row {row}: duplicate (unique_id, ds) = "
                             f"({df[ID].iloc[row]!r}, {df[DS].iloc[row]}).", where=f"{what}:{row}")
        out = df.assign(**{Y: y.astype(float)})
        return out.sort_values([ID, DS], kind="stable").reset_index(drop=True)

    # ------------------------------------------------------------------ features

    def _date_columns(self, ds: pd.Series) -> pd.DataFrame:
        """Date features for ``ds``, computed once per distinct date."""
        uniq = pd.Series(ds.unique())
        feats = date_features(uniq, holidays=self.holidays, calendar=self.calendar)
        feats.index = pd.DatetimeIndex(uniq)
        return feats.reindex(pd.DatetimeIndex(ds)).reset_index(drop=True)

    def _prepare(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Add the date features and fix the category codes learned in ``fit``."""
        out = frame.reset_index(drop=True)
        if self.calendar or self.holidays:
            dates = self._date_columns(out[DS])
            clash = [c for c in dates.columns if c in out.columns]
            out = pd.concat([out.drop(columns=clash), dates], axis=1)
        for col, cats in self.categories_.items():
            if col in out.columns:
                out[col] = pd.Categorical(out[col].astype(object), categories=cats)
        return out

    def _learn_categories(self, frame: pd.DataFrame) -> dict[str, pd.Index]:
        cats = {}
        for col in frame.columns:
            if col in (ID, DS, Y):
                continue
            s = frame[col]
            if isinstance(s.dtype, pd.CategoricalDtype):
                cats[col] = s.cat.categories
            elif (s.dtype == object or pd.api.types.is_string_dtype(s)
                  or pd.api.types.is_bool_dtype(s)):
                cats[col] = pd.Index(sorted(s.dropna().astype(object).unique(), key=str))
        return cats

    def _lgbm_params(self, n_estimators: int) -> dict[str, Any]:
        params = {**DEFAULT_PARAMS, **dict(self.params or {})}
        params.update(objective=self.objective_, n_estimators=n_estimators,
                      learning_rate=self.learning_rate, random_state=self.seed,
                      n_jobs=self.num_threads, deterministic=True, force_row_wise=True, verbose=-1)
        return params

    def _new_mlf(self) -> Any:
        import lightgbm as lgb
        from mlforecast import MLForecast
        from mlforecast.lag_transforms import RollingMean, RollingStd
        from mlforecast.target_transforms import Differences, LocalStandardScaler

        lag_tfms = {lag: [f(w) for w in self.rolling_windows for f in (RollingMean, RollingStd)]
                    for lag in self.rolling_lags} if self.rolling_windows else None
        tt = {"difference": [Differences([1])], "local_scale": [LocalStandardScaler()], None: None}
        return MLForecast(models={_KEY: lgb.LGBMRegressor(**self._lgbm_params(self.n_estimators))},
                          freq=self.freq_, lags=list(self.lags) or None, lag_transforms=lag_tfms,
                          target_transforms=tt[self.target_transform], num_threads=self.num_threads)

    def _fit_mlf(self, frame: pd.DataFrame) -> Any:
        mlf = self._new_mlf()
        try:
            mlf.fit(self._prepare(frame), static_features=list(self.static_features), dropna=True,
                    validate_data=False)
        except ValueError as exc:  # mlforecast: no rows left once lags are dropped, short series
            raise InputError(f"LightGBMForecaster cannot be trained on this data: {exc} "
                             f"(longest lag or window {self._reach()}; series need more history).",
                             where="df") from exc
        return mlf

    def _check_fitted(self) -> None:
        if not hasattr(self, "mlf_"):
            raise NotFittedError(f"{self.name} is not fitted yet; call fit before predict.")

    def _reach(self) -> int:
        spans = [lag + w - 1 for lag in self.rolling_lags for w in self.rolling_windows]
        return max([*self.lags, *spans])

    def _future(self, mlf: Any, h: int, X_df: pd.DataFrame | None) -> pd.DataFrame | None:
        """Rows of the next ``h`` dates per series with every dynamic feature filled in."""
        future = mlf.make_future_dataframe(h)
        if self.dynamic_features_:
            if X_df is None:
                raise InputError(f"X_df is required: the model was fitted with the dynamic "
                                 f"column(s) {self.dynamic_features_}; give their values for the "
                                 f"{h} forecast date(s) of every series.", where="X_df")
            lacking = [c for c in (ID, DS, *self.dynamic_features_) if c not in X_df.columns]
            if lacking:
                raise InputError(f"X_df lacks the column(s) {lacking}.", where="X_df")
            x = X_df[[ID, DS, *self.dynamic_features_]].drop_duplicates([ID, DS], keep="last")
            future = future.merge(x, on=[ID, DS], how="left", indicator=True)
            absent = future["_merge"] != "both"
            if absent.any():
                first = future.loc[absent].iloc[0]
                raise InputError(f"X_df has no row for {int(absent.sum())} forecast date(s), e.g. "
                                 f"({first[ID]!r}, {first[DS]}).", where="X_df")
            future = future.drop(columns="_merge")
        elif not (self.calendar or self.holidays):
            return None
        return self._prepare(future)

    # ------------------------------------------------------------------ fit / predict

    def fit(self, df: pd.DataFrame, freq: str = "D") -> LightGBMForecaster:
        """Learn one LightGBM model over all series of ``df``; returns self.

        Parameters
        ----------
        df
            The long frame ``unique_id, ds, y`` plus exogenous columns.
        freq
            pandas frequency of ``ds`` (``"D"``, ``"W-MON"``, ``"MS"``...).
        """
        self._validate_params()
        for attr in [a for a in vars(self) if a.endswith("_") and not a.startswith("_")]:
            delattr(self, attr)  # a failed refit must not leave a half-fitted model behind
        frame = self._check_frame(df)
        extra = [c for c in frame.columns if c not in (ID, DS, Y)]
        lacking = [c for c in self.static_features if c not in extra]
        if lacking:
            raise _bad("static_features", "columns of df", lacking)
        self.static_features_ = list(self.static_features)
        self.dynamic_features_ = [c for c in extra if c not in self.static_features]
        self.nonnegative_ = bool((frame[Y] >= 0).all())
        if self.objective is None:
            untransformed = self.target_transform is None
            self.objective_ = "tweedie" if self.nonnegative_ and untransformed else "regression"
        else:
            if self.objective in LOG_LINK and (not self.nonnegative_ or self.target_transform):
                raise _bad("objective", "a non-log-link objective (e.g. 'regression') when the "
                           "target is negative or transformed", self.objective)
            self.objective_ = self.objective
        self.freq_ = freq
        self.categories_ = self._learn_categories(frame)
        self.history_ = frame
        self.conformal_scores_ = self._calibrate(frame) if self.conformal_windows else None
        self.mlf_ = self._fit_mlf(frame)
        self.scale_ = self._scales(frame)
        self.n_updates_ = 0
        logger.info("LightGBMForecaster fitted on %d series, %d rows, %d features.",
                    frame[ID].nunique(), len(frame), len(self.mlf_.ts.features_order_))
        return self

    def predict(self, h: int, level: Sequence[int] | None = None,
                X_df: pd.DataFrame | None = None) -> pd.DataFrame:
        """Forecast ``h`` steps after each series' last date.

        Parameters
        ----------
        h
            Number of steps.
        level
            Interval levels in (0, 100); needs ``conformal_windows ≥ 1`` at fit time.
        X_df
            Future values of the dynamic exogenous columns (``unique_id, ds, ...``).

        Returns
        -------
        pandas.DataFrame
            ``unique_id, ds, <name>`` and ``<name>-lo-<l>``, ``<name>-hi-<l>`` per level.
        """
        self._check_fitted()
        h = check_horizon(h, "LightGBMForecaster.predict")
        levels = check_levels(level, "LightGBMForecaster.predict")
        if levels and self.conformal_scores_ is None:
            raise InputError("The 'level' parameter of LightGBMForecaster.predict needs calibrated "
                             "intervals; fit with conformal_windows ≥ 1. Got conformal_windows=0.",
                             where="level")
        out = self._point(self.mlf_, h, X_df)
        for lv in levels:
            scale = self.scale_.reindex(out[ID]).to_numpy()
            width = self._quantiles(lv, h)[out["_step"].to_numpy()] * scale
            lo = out[self.name].to_numpy() - width
            out[f"{self.name}-lo-{lv}"] = np.maximum(lo, 0.0) if self.nonnegative_ else lo
            out[f"{self.name}-hi-{lv}"] = out[self.name].to_numpy() + width
        return out.drop(columns="_step")

    def _point(self, mlf: Any, h: int, X_df: pd.DataFrame | None,
               callback: Any = None) -> pd.DataFrame:
        raw = mlf.predict(h, X_df=self._future(mlf, h, X_df), before_predict_callback=callback)
        raw = raw.rename(columns={_KEY: self.name}).sort_values([ID, DS], kind="stable")
        raw = raw.reset_index(drop=True)
        if self.nonnegative_:
            raw[self.name] = raw[self.name].clip(lower=0.0)
        raw["_step"] = raw.groupby(ID, sort=False).cumcount()
        return raw

    # ------------------------------------------------------------------ conformal intervals

    @staticmethod
    def _scales(frame: pd.DataFrame) -> pd.Series:
        """Per-series mean absolute one-step change: the unit in which errors are pooled."""
        step = frame.groupby(ID, sort=False)[Y].diff().abs()
        scale = step.groupby(frame[ID], sort=False).mean()
        good = scale[(scale > 0) & np.isfinite(scale)]
        fallback = float(good.median()) if len(good) else 1.0
        return scale.where((scale > 0) & np.isfinite(scale), fallback)

    def _calibrate(self, frame: pd.DataFrame) -> np.ndarray | None:
        """Scaled absolute errors of rolling-origin forecasts, shape (windows × series, H)."""
        hcal = self.conformal_h
        pos = frame.groupby(ID, sort=False).cumcount(ascending=False).to_numpy()  # 0 = last row
        length = frame.groupby(ID, sort=False)[Y].transform("size").to_numpy()
        scores = []
        for w in range(1, self.conformal_windows + 1):
            cut_hi, cut_lo = (w - 1) * hcal, w * hcal
            eligible = length - cut_lo > self._reach() + 1
            train = frame[eligible & (pos >= cut_lo)]
            test = frame[eligible & (pos >= cut_hi) & (pos < cut_lo)]
            if train.empty:
                continue
            mlf = self._fit_mlf(train)
            pred = self._point(mlf, hcal, test if self.dynamic_features_ else None)
            pred = pred.merge(test[[ID, DS, Y]], on=[ID, DS], how="inner")
            scale = self._scales(train).reindex(pred[ID]).to_numpy()
            err = (pred[Y] - pred[self.name]).abs() / scale
            table = pd.DataFrame({ID: pred[ID], "step": pred["_step"], "e": err.to_numpy()})
            scores.append(table.pivot(index=ID, columns="step", values="e")
                          .reindex(columns=range(hcal)).to_numpy())
        if not scores:
            logger.warning("No series is long enough to calibrate prediction intervals.")
            return None
        return np.vstack(scores)

    def _quantiles(self, level: float, h: int) -> np.ndarray:
        """Conformal quantile of the scaled errors for each of ``h`` steps."""
        scores = self.conformal_scores_
        if scores is None:
            raise NotFittedError("Prediction intervals were not calibrated.")
        per_step = np.isfinite(scores).sum(axis=0)
        pooled = scores[np.isfinite(scores)]
        q = np.empty(scores.shape[1])
        for k in range(scores.shape[1]):
            enough = per_step[k] >= _MIN_SCORES_PER_STEP
            s = scores[np.isfinite(scores[:, k]), k] if enough else pooled
            q[k] = _conformal_quantile(s, level)
        if h > len(q):
            q = np.concatenate([q, np.full(h - len(q), q[-1])])
        return q[:h]

    # ------------------------------------------------------------------ update

    def update(self, new_df: pd.DataFrame) -> LightGBMForecaster:
        """Move the series on to ``new_df`` and add ``update_rounds`` boosting rounds on it.

        The trees learned so far are kept (LightGBM ``init_model``); only the new rows train
        the added trees, so a level shift in recent data is picked up at a fraction of the
        cost of a refit. Interval calibration is kept from ``fit``. The feature state is
        rebuilt over the whole history (cheap next to training), so with
        ``target_transform="local_scale"`` the per-series mean and spread move to the longer
        history as well.

        Parameters
        ----------
        new_df
            New observations with the same columns as at fit time, each dated after its
            series' last date. Series not seen at fit time are refused.
        """
        self._check_fitted()
        new = self._check_frame(new_df, what="new_df")
        cols = set(self.history_.columns)
        if set(new.columns) != cols:
            raise InputError(f"new_df must have the columns of the fitted frame {sorted(cols)}; "
                             f"got {sorted(new.columns)}.", where="new_df")
        last = self.history_.groupby(ID)[DS].max()
        unknown = sorted(set(new[ID]) - set(last.index))
        if unknown:
            raise InputError(f"new_df holds series not seen at fit time: {unknown[:5]}; refit to "
                             f"add series.", where="new_df")
        stale = new[DS].to_numpy() <= last.reindex(new[ID]).to_numpy()
        if stale.any():
            row = new[stale].iloc[0]
            raise InputError(f"new_df, series {row[ID]!r}: date {row[DS]} is not after the last "
                             f"fitted date {last[row[ID]]}.", where="new_df")
        full = pd.concat([self.history_, new[self.history_.columns]], ignore_index=True)
        full = full.sort_values([ID, DS], kind="stable").reset_index(drop=True)
        prep = self.mlf_.preprocess(self._prepare(full), static_features=self.static_features_,
                                    dropna=True, validate_data=False)
        prep = prep[prep[DS].to_numpy() > last.reindex(prep[ID]).to_numpy()]
        if prep.empty:
            raise InputError("new_df leaves no trainable rows once lags are computed.",
                             where="new_df")
        import lightgbm as lgb

        old = self.mlf_.models_[_KEY]
        order = self.mlf_.ts.features_order_
        tuned = lgb.LGBMRegressor(**self._lgbm_params(self.update_rounds))
        tuned.fit(prep[order], prep[Y], init_model=old.booster_)
        self.mlf_.models_[_KEY] = tuned
        self.history_ = full
        self.scale_ = self._scales(full)
        self.n_updates_ += 1
        return self

    # ------------------------------------------------------------------ drivers

    def explain(self, h: int, X_df: pd.DataFrame | None = None) -> pd.DataFrame:
        """Per-forecast feature contributions (SHAP values) in units of the forecast.

        LightGBM's ``pred_contrib`` gives exact TreeSHAP values of the raw score. For log-link
        objectives (tweedie) the raw score is a logarithm, so the contributions are spread over
        the distance between the forecast and the baseline in proportion to their raw values;
        with ``target_transform="local_scale"`` they are multiplied by the series' scale, and
        with ``"difference"`` the baseline includes the previous value. The rows of one
        forecast (the ``"baseline"`` row included) sum to the point forecast before clipping
        at zero.

        Returns
        -------
        pandas.DataFrame
            Long frame ``unique_id, ds, feature, contribution``.
        """
        self._check_fitted()
        h = check_horizon(h, "LightGBMForecaster.explain")
        from mlforecast.callbacks import SaveFeatures

        saver = SaveFeatures()
        # unclipped point forecast: predict through mlforecast directly
        raw = self.mlf_.predict(h, X_df=self._future(self.mlf_, h, X_df),
                                before_predict_callback=saver)
        booster = self.mlf_.models_[_KEY].booster_
        uids = self.mlf_.ts.uids
        slope = np.ones(len(uids))
        if self.target_transform == "local_scale":
            slope = self.mlf_.ts.target_transforms[0].scaler_.stats_[:, 1]
        raw = raw.set_index([ID, DS])[_KEY]
        names = list(self.mlf_.ts.features_order_)
        frames = []
        for k, feats in enumerate(saver._inputs):
            contrib = np.asarray(booster.predict(feats[names], pred_contrib=True))
            c, bias = contrib[:, :-1], contrib[:, -1]
            total = c.sum(axis=1)
            if self.objective_ in LOG_LINK:
                f, f0 = np.exp(bias + total), np.exp(bias)
                small = np.abs(total) < 1e-12
                ratio = np.where(small, f, (f - f0) / np.where(small, 1.0, total))
                c = c * ratio[:, None]
            c = c * slope[:, None]
            ds = self._step_dates(k)
            point = raw.reindex(pd.MultiIndex.from_arrays([uids, ds])).to_numpy()
            base = point - c.sum(axis=1)
            block = pd.DataFrame(np.column_stack([base, c]), columns=["baseline", *names])
            block[ID], block[DS] = np.asarray(uids), ds
            frames.append(block.melt(id_vars=[ID, DS], var_name="feature",
                                     value_name="contribution"))
        out = pd.concat(frames, ignore_index=True)
        return out.sort_values([ID, DS], kind="stable").reset_index(drop=True)

    def _step_dates(self, k: int) -> pd.DatetimeIndex:
        offset = pd.tseries.frequencies.to_offset(self.freq_)
        last = pd.DatetimeIndex(self.mlf_.ts.last_dates)
        return pd.DatetimeIndex([d + (k + 1) * offset for d in last])

    def reasons(self, h: int, X_df: pd.DataFrame | None = None, top: int = 3,
                unit: str = "units") -> pd.DataFrame:
        """One plain-language sentence per forecast naming its main drivers.

        Contributions of features that mean one thing to a planner (the three Chinese New
        Year distances, the rolling windows of one length) are summed under one label, so
        the sentence reads "Chinese New Year proximity (−14.0)" rather than three codes.

        Returns
        -------
        pandas.DataFrame
            ``unique_id, ds, <name>, reason``, e.g. "Forecast 132 units for P-001 on
            2026-11-05: lag 7 (+21.3), Chinese New Year proximity (−14.0), price (−3.2) are
            the main drivers."
        """
        if not isinstance(top, int) or isinstance(top, bool) or top < 1:
            raise _bad("top", "an int ≥ 1", top)
        ex = self.explain(h, X_df)
        point = ex.groupby([ID, DS], sort=False)["contribution"].sum()
        noun = _period_noun(self.freq_)
        drivers = ex[ex["feature"] != "baseline"]
        drivers = drivers.assign(label=drivers["feature"].map(lambda f: feature_label(f, noun)))
        grouped = drivers.groupby([ID, DS, "label"], sort=False)["contribution"].sum().reset_index()
        grouped["size"] = grouped["contribution"].abs()
        grouped = grouped.sort_values([ID, DS, "size"], ascending=[True, True, False],
                                      kind="stable")
        rows = []
        for (uid, ds), g in grouped.groupby([ID, DS], sort=False):
            value = float(point[(uid, ds)])
            value = max(value, 0.0) if self.nonnegative_ else value
            parts = [f"{lab} ({_signed(v)})"
                     for lab, v in zip(g["label"][:top], g["contribution"][:top])]
            verb = "is the main driver" if len(parts) == 1 else "are the main drivers"
            rows.append({ID: uid, DS: ds, self.name: value,
                         "reason": f"Forecast {_amount(value)} {unit} for {uid} on {_day(ds)}: "
                                   f"{', '.join(parts)} {verb}."})
        return pd.DataFrame(rows)


def _conformal_quantile(scores: np.ndarray, level: float) -> float:
    """Split-conformal quantile: the ⌈(n+1)·level⌉-th smallest score (finite-sample valid)."""
    n = len(scores)
    if n == 0:
        return float("nan")
    k = math.ceil((n + 1) * level / 100)
    return float(np.sort(scores)[min(k, n) - 1])


_LABELS = {
    "day_of_week": "day of week", "month": "month", "week_of_year": "week of year",
    "day_of_month": "day of month", "quarter": "quarter", "is_weekend": "weekend",
    "is_month_end": "month end", "cny_offset": "Chinese New Year proximity",
    "days_to_cny": "Chinese New Year proximity", "days_since_cny": "Chinese New Year proximity",
    "is_spring_festival": "Spring Festival week", "is_national_day": "National Day golden week",
    "is_labour_day": "Labour Day holiday", "is_618": "618 shopping festival",
    "is_618_period": "618 shopping festival", "is_double11": "Double 11 shopping festival",
    "is_double11_period": "Double 11 shopping festival", "is_us_holiday": "US holiday",
    "days_to_us_holiday": "US holiday proximity", "is_black_friday": "Black Friday",
    "is_christmas_eve": "Christmas Eve", "event_name": "event", "days_to_event": "event proximity",
    "days_since_event": "event proximity",
}


def _period_noun(freq: str) -> str:
    base = re.sub(r"[^A-Za-z]", "", str(freq)).upper()
    for prefix, noun in (("MIN", "minute"), ("D", "day"), ("B", "day"), ("W", "week"),
                         ("M", "month"), ("Q", "quarter"), ("Y", "year"), ("A", "year"),
                         ("H", "hour")):
        if base.startswith(prefix):
            return noun
    return "period"


def feature_label(feature: str, period: str = "period") -> str:
    """Plain-language name of a model feature, as used in :meth:`LightGBMForecaster.reasons`.

    ``period`` names one time step (``"day"``, ``"week"``) in rolling-window labels.
    """
    if feature in _LABELS:
        return _LABELS[feature]
    m = re.fullmatch(r"lag(\d+)", feature)
    if m:
        return f"lag {m.group(1)}"
    m = re.fullmatch(r"rolling_(mean|std)_lag(\d+)_window_size(\d+)", feature)
    if m:
        stat, lag, window = m.groups()
        what = "average" if stat == "mean" else "variability"
        return f"{window}-{period} {what}" + ("" if lag == "1" else f" to lag {lag}")
    if feature.startswith("event_"):
        return feature.removeprefix("event_") + " event"
    return feature.replace("_", " ")


def _signed(value: float) -> str:
    return f"+{value:.1f}" if value >= 0 else f"\u2212{abs(value):.1f}"


def _amount(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 10 else f"{value:.1f}"


def _day(ds: Any) -> str:
    ts = pd.Timestamp(ds)
    return ts.strftime("%Y-%m-%d") if ts == ts.normalize() else ts.isoformat(sep=" ")
