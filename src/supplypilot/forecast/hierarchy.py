"""Hierarchical forecasts that add up: item → family → total, item → location → region.

A planner needs item forecasts for replenishment, family totals for capacity and a region
total for the budget, and they must agree. Forecasting each level on its own does not give
that (the item forecasts rarely sum to the family forecast), so the base forecasts of every
level are *reconciled*: projected onto the set of forecasts where children sum to their
parent. hierarchicalforecast does the projection; this module builds what it needs from a
plain frame of levels, one row per bottom series::

    unique_id   item   family   location   region
    P-001@SZ    P-001  phone    SZ         South

- :meth:`Hierarchy.from_levels` builds the summing matrix ``S`` (one row per series of every
  level, one column per bottom series) from such a frame and a ``spec`` — the levels from top
  to bottom, each a tuple of columns (``"total"`` is everything). :data:`ITEM_FAMILY_TOTAL`
  and :data:`ITEM_LOCATION_REGION` are the two everyday ones.
- :meth:`Hierarchy.aggregate` sums bottom histories into every level.
- :meth:`Hierarchy.reconcile` applies ``BottomUp`` and ``MinTrace`` with the shrunk
  covariance (``mint_shrink``, Wickramasuriya et al. 2019), which weighs each level by how
  well its base forecasts did in-sample, so it needs in-sample fitted values
  (:func:`insample_forecasts`).
- :meth:`Hierarchy.forecast` does all of it with a :class:`~supplypilot.forecast.Forecaster`.

Examples
--------
>>> import pandas as pd
>>> levels = pd.DataFrame({"unique_id": ["a", "b", "c"], "item": ["a", "b", "c"],
...                        "family": ["F1", "F1", "F2"]})
>>> Hierarchy.from_levels(levels, ITEM_FAMILY_TOTAL).S.shape
(6, 3)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from supplypilot.errors import InputError
from supplypilot.forecast.core import Forecaster, is_stat_model, model_name

__all__ = ["Hierarchy", "ITEM_FAMILY_TOTAL", "ITEM_LOCATION_REGION", "insample_forecasts"]

TOTAL = "total"
ITEM_FAMILY_TOTAL: tuple[tuple[str, ...], ...] = ((TOTAL,), ("family",), ("family", "item"))
"""Products: every item rolls up into its family, families into the total."""
ITEM_LOCATION_REGION: tuple[tuple[str, ...], ...] = (("region",), ("region", "location"),
                                                     ("region", "location", "item"))
"""Places: item-at-location series roll up into locations, locations into regions."""

_METHODS = ("BottomUp", "MinTrace")


def _reconciler(method: Any) -> tuple[str, Any]:
    from hierarchicalforecast.methods import BottomUp, MinTrace

    if method == "BottomUp":
        return "BottomUp", BottomUp()
    if method == "MinTrace":
        return "MinTrace", MinTrace(method="mint_shrink")
    if isinstance(method, str):
        raise InputError(f"The 'methods' parameter of Hierarchy.reconcile must hold names among "
                         f"{set(_METHODS)} or hierarchicalforecast reconcilers. Got {method!r} "
                         "instead.", where="methods")
    return type(method).__name__, method


def _needs_insample(reconciler: Any) -> bool:
    return getattr(reconciler, "method", None) in ("mint_shrink", "mint_cov", "wls_var")


@dataclass(frozen=True)
class Hierarchy:
    """A summing matrix and the series of each level.

    Attributes
    ----------
    S
        0/1 frame indexed by every series id (aggregates first, bottom series last), one
        column per bottom series: row ``i`` says which bottom series add up to series ``i``.
    tags
        Level name (columns joined by ``/``) → the ids of that level's series.
    id_col
        Name of the series column in frames.
    """

    S: pd.DataFrame
    tags: dict[str, np.ndarray]
    id_col: str = "unique_id"

    @classmethod
    def from_levels(cls, levels: pd.DataFrame, spec: Sequence[Sequence[str]],
                    id_col: str = "unique_id") -> Hierarchy:
        """Build the summing matrix from one row of level labels per bottom series.

        Parameters
        ----------
        levels
            ``id_col`` plus the columns named in ``spec``.
        spec
            Levels from top to bottom, each a tuple of columns; the last must single out
            each bottom series. ``("total",)`` needs no column.
        id_col
            Column with the bottom series ids.
        """
        owner = "Hierarchy.from_levels"
        if not spec or any(not isinstance(lv, (tuple, list)) or not lv for lv in spec):
            raise InputError(f"The 'spec' parameter of {owner} must be a non-empty list of "
                             f"non-empty tuples of column names. Got {spec!r} instead.",
                             where="spec")
        needed = [id_col] + sorted({c for lv in spec for c in lv if c != TOTAL})
        missing = [c for c in needed if c not in levels.columns]
        if missing:
            raise InputError(f"The 'levels' parameter of {owner} must have a column "
                             f"{missing[0]!r}. Got columns {list(levels.columns)} instead.",
                             where=f"column {missing[0]!r}")
        lv = levels[needed].copy()
        if lv[id_col].duplicated().any():
            row = lv.index[lv[id_col].duplicated().to_numpy().argmax()]
            raise InputError(f"{owner}: row {row}, column {id_col!r}: bottom series "
                             f"{lv[id_col][row]!r} appears twice.",
                             where=f"row {row}, column {id_col!r}")
        if lv.isna().any().any():
            col = lv.columns[lv.isna().any().to_numpy().argmax()]
            row = lv.index[lv[col].isna().to_numpy().argmax()]
            raise InputError(f"{owner}: row {row}, column {col!r}: must not be missing.",
                             where=f"row {row}, column {col!r}")
        lv[TOTAL] = TOTAL
        bottom = lv[id_col].astype(str).to_numpy()
        keys = [lv[list(cols)].astype(str).agg("/".join, axis=1).to_numpy() for cols in spec]
        if len(set(keys[-1])) != len(bottom):
            raise InputError(f"The 'spec' parameter of {owner} must end with a level that "
                             "singles out "
                             f"each bottom series; {spec[-1]!r} does not.", where="spec")
        rows, tags = [], {}
        for cols, key in zip(spec[:-1], keys[:-1], strict=True):
            names = list(dict.fromkeys(sorted(key)))
            tags["/".join(cols)] = np.array(names, dtype=object)
            rows += [(name, key == name) for name in names]
        tags["/".join(spec[-1])] = bottom.astype(object)
        rows += [(b, bottom == b) for b in bottom]
        ids = [r[0] for r in rows]
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            raise InputError(f"{owner}: the series name {dup[0]!r} is used at two levels; "
                             "rename the "
                             "bottom ids or the level labels.", where="levels")
        matrix = np.vstack([r[1] for r in rows]).astype(float)
        S = pd.DataFrame(matrix, index=pd.Index(ids, name=id_col), columns=bottom)
        return cls(S=S, tags=tags, id_col=id_col)

    @property
    def bottom(self) -> list[str]:
        """Ids of the bottom series, in the column order of ``S``."""
        return list(self.S.columns)

    def S_df(self) -> pd.DataFrame:
        """``S`` in hierarchicalforecast's form: an id column, then one column per bottom series."""
        return self.S.reset_index()

    def aggregate(self, df: pd.DataFrame, time_col: str = "ds",
                  target_col: str = "y") -> pd.DataFrame:
        """Sum bottom histories into every series of the hierarchy (long frame).

        A bottom series without a row on a date counts 0 there (it was not sold yet).
        """
        missing = sorted(set(self.bottom) - set(df[self.id_col].astype(str)))
        if missing:
            raise InputError(f"Hierarchy.aggregate: bottom series {missing[0]!r} has no rows in "
                             "df.",
                             where=f"series {missing[0]!r}")
        wide = (df.assign(**{self.id_col: df[self.id_col].astype(str)})
                .pivot_table(index=time_col, columns=self.id_col, values=target_col, aggfunc="sum")
                .reindex(columns=self.bottom).fillna(0.0))
        total = wide.to_numpy() @ self.S.to_numpy().T
        out = pd.DataFrame(total, index=wide.index, columns=self.S.index).stack().rename(target_col)
        out = out.reset_index()[[self.id_col, time_col, target_col]]
        order = {k: i for i, k in enumerate(self.S.index)}
        return (out.sort_values([self.id_col, time_col], key=lambda s: s.map(order) if s.name ==
                                self.id_col else s).reset_index(drop=True))

    def reconcile(self, forecasts: pd.DataFrame, insample: pd.DataFrame | None = None,
                  methods: Sequence[Any] = _METHODS, level: Sequence[int] | None = None,
                  time_col: str = "ds", target_col: str = "y") -> pd.DataFrame:
        """Make base forecasts of every level coherent.

        Parameters
        ----------
        forecasts
            Base forecasts for every series of ``S`` (id, date, one column per model).
        insample
            Actuals and in-sample fitted values per model (id, date, target, models), needed
            by ``MinTrace`` (shrunk covariance of the in-sample errors).
        methods
            ``"BottomUp"``, ``"MinTrace"`` (mint_shrink) or hierarchicalforecast reconcilers.
        level
            Interval levels (normal approximation) when the base forecasts carry bounds.

        Returns
        -------
        pandas.DataFrame
            The base forecasts plus ``<model>/<method>`` columns.
        """
        from hierarchicalforecast.core import HierarchicalReconciliation

        recs = [_reconciler(m) for m in methods]
        ids = forecasts[self.id_col].astype(str)
        absent = sorted(set(self.S.index) - set(ids))
        if absent:
            raise InputError(f"Hierarchy.reconcile: series {absent[0]!r} of the hierarchy has no "
                             "forecasts; forecast every level (see Hierarchy.aggregate).",
                             where=f"series {absent[0]!r}")
        if any(_needs_insample(r) for _, r in recs) and insample is None:
            raise InputError("The 'insample' parameter of Hierarchy.reconcile must give in-sample "
                             "fitted values for MinTrace (see insample_forecasts). Got None "
                             "instead.",
                             where="insample")
        fc = forecasts.assign(**{self.id_col: ids})
        Y = None
        if insample is not None:
            Y = insample.assign(**{self.id_col: insample[self.id_col].astype(str)})
        hrec = HierarchicalReconciliation(reconcilers=[r for _, r in recs])
        out = hrec.reconcile(Y_hat_df=fc, Y_df=Y, S_df=self.S_df(), tags=self.tags,
                             level=list(level) if level else None, id_col=self.id_col,
                             time_col=time_col, target_col=target_col)
        return out.rename(columns=_short_names(out.columns, recs))

    def coherence_error(self, frame: pd.DataFrame, column: str, time_col: str = "ds") -> float:
        """Largest gap between a series and the sum of its bottom series, for one column."""
        wide = (frame.assign(**{self.id_col: frame[self.id_col].astype(str)})
                .pivot(index=time_col, columns=self.id_col, values=column)
                .reindex(columns=list(self.S.index)))
        implied = wide[self.bottom].to_numpy() @ self.S.to_numpy().T
        return float(np.nanmax(np.abs(implied - wide.to_numpy())))

    def forecast(self, forecaster: Forecaster, df: pd.DataFrame, h: int,
                 methods: Sequence[Any] = _METHODS, time_col: str = "ds",
                 target_col: str = "y") -> pd.DataFrame:
        """Aggregate bottom histories, forecast every level, reconcile.

        ``df`` holds the bottom series (``id_col``, ``time_col``, ``target_col``), with the
        forecaster built on the same column names.
        """
        Y = self.aggregate(df, time_col=time_col, target_col=target_col)
        base = forecaster.forecast(h, Y)
        needs = any(_needs_insample(r) for _, r in (_reconciler(m) for m in methods))
        insample = insample_forecasts(forecaster, Y) if needs else None
        return self.reconcile(base, insample, methods=methods, time_col=time_col,
                              target_col=target_col)


def _short_names(columns: Sequence[str], recs: list[tuple[str, Any]]) -> dict[str, str]:
    from hierarchicalforecast.core import _build_fn_name

    full = {_build_fn_name(r): label for label, r in recs}
    out = {}
    for col in columns:
        model, sep, rest = col.partition("/")
        for long, label in full.items():
            if sep and (rest == long or rest.startswith(long + "-")):
                out[col] = f"{model}/{label}{rest[len(long):]}"
    return out


def insample_forecasts(forecaster: Forecaster, df: pd.DataFrame) -> pd.DataFrame:
    """One-step in-sample fitted values of the forecaster's statistical models.

    MinTrace weighs levels by their in-sample error covariance; statsforecast computes the
    fitted values in the same pass as a forecast (``fitted=True``). Global models have no
    such values, so MinTrace cannot use them (BottomUp can).
    """
    from statsforecast import StatsForecast

    glob = [model_name(m) for m in forecaster.models if not is_stat_model(m)]
    if glob:
        raise InputError(f"insample_forecasts: {glob[0]} gives no in-sample fitted values; "
                         "reconcile it with methods=('BottomUp',) or drop it from the forecaster.",
                         where="models")
    cols = {forecaster.id_col: "unique_id", forecaster.time_col: "ds", forecaster.target_col: "y"}
    data = df[list(cols)].rename(columns=cols)
    sf = StatsForecast(models=[m.new() for m in forecaster.models], freq=forecaster.freq)
    sf.forecast(h=1, df=data, fitted=True)
    fitted = sf.forecast_fitted_values()
    return fitted.rename(columns={v: k for k, v in cols.items()})
