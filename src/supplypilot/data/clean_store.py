"""Cleaning and fusion applied to the store, with every change recorded.

Raw values are never overwritten: cleaned values go to ``qty_clean`` / ``value_clean`` /
``on_hand_clean``, rows inserted for gaps are flagged ``imputed``, and each changed,
inserted or removed value gets a :class:`~supplypilot.data.model.Correction` row (old value,
new value, rule, detail, and the import batch of the value). A run is one transaction and
replaces the previous run's derived values, so cleaning twice gives the same store.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, bindparam, delete, insert, select, update

from supplypilot.data import cleaning, fusion
from supplypilot.data.model import (
    Correction,
    Demand,
    ImportBatch,
    InventoryEstimate,
    InventorySnapshot,
    SensorReading,
)
from supplypilot.data.store import Store
from supplypilot.errors import InputError

COUNT_METRICS = frozenset({"gate_count", "count", "units"})
"""Sensor metrics that count things: lost messages undercount them (q = q′ / (1 − p))."""
NO_OUTLIER_METRICS = frozenset({"lat", "lon"})
"""Positions move for real; a jump is a trip, not an outlier."""
KINDS = ("demand", "sensor_readings", "inventory")

Progress = Callable[[str, int, int], None]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _batch(conn: Connection, entity: str, detail: str) -> int:
    return conn.execute(
        insert(ImportBatch).values(entity=entity, kind="clean", source=detail, rows_in=0,
                                   status="committed", started_at=_now(), finished_at=_now())
        .returning(ImportBatch.id)
    ).scalar_one()


def _corrections(conn: Connection, corr: pd.DataFrame, entity: str, batch_id: int,
                 source_batch: pd.Series) -> int:
    if corr.empty:
        return 0
    rows = [
        {"batch_id": batch_id, "source_batch_id": None if pd.isna(sb) else int(sb), "entity": entity,
         "row_key": uid + "|" + (str(ds)[:10] if entity != "sensor_readings" else str(ds)[:19]),
         "column": col, "old_value": None if pd.isna(o) else float(o),
         "new_value": None if pd.isna(n) else float(n), "rule": rule, "detail": detail}
        for uid, ds, col, o, n, rule, detail, sb in zip(
            corr.unique_id, corr.ds, corr.column, corr.old_value, corr.new_value, corr.rule,
            corr.detail, source_batch, strict=True)
    ]
    conn.execute(insert(Correction), rows)
    return len(rows)


def _reset(conn: Connection, model: Any, entity: str, value_col: str) -> None:
    conn.execute(delete(model).where(model.imputed.is_(True)))
    conn.execute(update(model).values({value_col: None}))
    conn.execute(delete(Correction).where(Correction.entity == entity))


def _write_back(conn: Connection, model: Any, ids: np.ndarray, values: np.ndarray, col: str) -> None:
    table = model.__table__
    conn.execute(
        update(table).where(table.c.id == bindparam("_id"))
        .values({col: bindparam("_v")}),
        [{"_id": int(i), "_v": None if np.isnan(v) else float(v)} for i, v in zip(ids, values, strict=True)],
    )


def clean_demand(conn: Connection) -> dict[str, int]:
    """Sales: duplicates are impossible (natural key); missing days are zero sales."""
    _reset(conn, Demand, "demand", "qty_clean")
    df = pd.read_sql(select(Demand.id, Demand.item_code, Demand.location_code, Demand.date,
                            Demand.qty, Demand.batch_id), conn)
    if df.empty:
        return {"rows": 0, "corrections": 0, "imputed": 0}
    df["unique_id"] = df.item_code + "|" + df.location_code
    df["ds"] = pd.to_datetime(df.date)
    res = cleaning.clean_series(df[["unique_id", "ds", "qty", "id", "batch_id"]].rename(columns={"qty": "y"}), "sales")
    return _apply(conn, Demand, "demand", "qty", "qty_clean", df, res,
                  lambda new: {"item_code": new.unique_id.str.split("|").str[0],
                               "location_code": new.unique_id.str.split("|").str[1],
                               "date": new.ds.dt.date, "qty": 0.0, "promo": False})


def _apply(conn: Connection, model: Any, entity: str, raw_col: str, clean_col: str,
           df: pd.DataFrame, res: cleaning.CleanResult,
           new_rows: Callable[[pd.DataFrame], Mapping[str, Any]]) -> dict[str, int]:
    batch_id = _batch(conn, entity, f"clean {entity}")
    data = res.data
    imputed = data["imputed"].fillna(False).astype(bool) if "imputed" in data else pd.Series(False, index=data.index)
    old = data[~imputed & data["id"].notna()]
    _write_back(conn, model, old["id"].to_numpy(dtype=np.int64), old["y"].to_numpy(dtype=float), clean_col)
    new = data[imputed]
    if len(new):
        extra = new_rows(new)
        frame = pd.DataFrame({k: (v.to_numpy() if isinstance(v, pd.Series) else v) for k, v in extra.items()},
                             index=range(len(new)))
        frame[clean_col] = new["y"].to_numpy()
        frame["imputed"] = True
        frame["batch_id"] = batch_id
        conn.execute(insert(model), frame.to_dict("records"))
    key_batch = df.groupby("unique_id")["batch_id"].agg(lambda s: s.mode().iat[0] if len(s.dropna()) else None)
    corr = res.corrections
    sb = corr.unique_id.map(key_batch)
    n = _corrections(conn, corr, entity, batch_id, sb)
    conn.execute(update(ImportBatch).where(ImportBatch.id == batch_id).values(rows_in=len(data)))
    return {"rows": int(len(data)), "corrections": n, "imputed": int(imputed.sum())}


def clean_sensors(conn: Connection, loss_rates: Mapping[str, float] | None = None) -> dict[str, int]:
    """Counts: loss correction from sequence gaps; measurements: Hampel, then interpolation."""
    _reset(conn, SensorReading, "sensor_readings", "value_clean")
    df = pd.read_sql(select(SensorReading.id, SensorReading.sensor_id, SensorReading.metric,
                            SensorReading.ts, SensorReading.value, SensorReading.seq,
                            SensorReading.batch_id, SensorReading.location_code,
                            SensorReading.resource_code, SensorReading.unit), conn)
    if df.empty:
        return {"rows": 0, "corrections": 0, "imputed": 0}
    df["unique_id"] = df.sensor_id + "|" + df.metric
    df["ds"] = pd.to_datetime(df.ts)
    df = df.rename(columns={"value": "y"})
    meta = df.groupby("unique_id")[["sensor_id", "metric", "location_code", "resource_code", "unit"]].first()
    totals = {"rows": 0, "corrections": 0, "imputed": 0}
    for uid_group, part in _by_cadence(df):
        counts = part.metric.isin(COUNT_METRICS)
        pieces = []
        if counts.any():
            cnt = part[counts]
            rate = None if loss_rates is None else {u: loss_rates[u.split("|")[0]] for u in cnt.unique_id.unique() if u.split("|")[0] in loss_rates} or None
            pieces.append(cleaning.correct_loss(cnt, loss_rate=rate, seq_col="seq"))
        if (~counts).any():
            meas = part[~counts]
            freq = uid_group
            res_parts = []
            for moves, sub in meas.groupby(meas.metric.isin(NO_OUTLIER_METRICS)):
                r = cleaning.clean_series(sub.drop(columns=["seq"]), "sensor", freq=freq, outliers=not moves)
                res_parts.append(r)
            pieces.extend(res_parts)
        for res in pieces:
            out = _apply(conn, SensorReading, "sensor_readings", "value", "value_clean", df, res,
                         lambda new: {"sensor_id": new.unique_id.map(meta.sensor_id),
                                      "metric": new.unique_id.map(meta.metric),
                                      "ts": [t.to_pydatetime() for t in new.ds],
                                      "value": None,
                                      "location_code": new.unique_id.map(meta.location_code).astype(object).where(lambda s: s.notna(), None),
                                      "resource_code": new.unique_id.map(meta.resource_code).astype(object).where(lambda s: s.notna(), None),
                                      "unit": new.unique_id.map(meta.unit)})
            for k in totals:
                totals[k] += out[k]
    return totals


def _by_cadence(df: pd.DataFrame) -> Sequence[tuple[str, pd.DataFrame]]:
    """Group series by their reporting interval (median step), as a pandas frequency string."""
    step = df.sort_values("ds").groupby("unique_id")["ds"].apply(lambda s: s.diff().median())
    freq = step.map(lambda t: f"{max(int(t.total_seconds()), 1)}s" if pd.notna(t) else "1h")
    df = df.assign(_freq=df.unique_id.map(freq))
    return [(f, g.drop(columns="_freq")) for f, g in df.groupby("_freq")]


def clean_inventory(conn: Connection, loss_rates: Mapping[str, float] | None = None,
                    method: str = "inverse_variance") -> dict[str, int]:
    """Per source: loss correction for lossy readers, carry-forward gaps; then fuse sources."""
    _reset(conn, InventorySnapshot, "inventory", "on_hand_clean")
    conn.execute(delete(InventoryEstimate))
    df = pd.read_sql(select(InventorySnapshot.id, InventorySnapshot.item_code,
                            InventorySnapshot.location_code, InventorySnapshot.date,
                            InventorySnapshot.source, InventorySnapshot.on_hand,
                            InventorySnapshot.batch_id), conn)
    if df.empty:
        return {"rows": 0, "corrections": 0, "imputed": 0, "estimates": 0}
    df["unique_id"] = df.item_code + "|" + df.location_code + "|" + df.source
    df["ds"] = pd.to_datetime(df.date)
    df = df.rename(columns={"on_hand": "y"})
    series = df[["unique_id", "ds", "y", "id", "batch_id"]]
    corrections = []
    if loss_rates:
        rates = {u: loss_rates[u.rsplit("|", 1)[1]] for u in series.unique_id.unique()
                 if u.rsplit("|", 1)[1] in loss_rates}
        if rates:
            lossy = series.unique_id.isin(rates)
            lc = cleaning.correct_loss(series[lossy], loss_rate=rates, seq_col=None)
            series = pd.concat([series[~lossy], lc.data[series.columns]], ignore_index=True)
            corrections.append(lc.corrections)
    parts_ = [cleaning.clean_series(sub, "inventory", freq=freq) for freq, sub in _by_cadence(series)]
    res = cleaning.CleanResult(pd.concat([r.data for r in parts_], ignore_index=True),
                               pd.concat([r.corrections for r in parts_], ignore_index=True))
    if corrections:
        res = cleaning.CleanResult(res.data, pd.concat([*corrections, res.corrections], ignore_index=True))
    out = _apply(conn, InventorySnapshot, "inventory", "on_hand", "on_hand_clean", df, res,
                 lambda new: {"item_code": new.unique_id.str.split("|").str[0],
                              "location_code": new.unique_id.str.split("|").str[1],
                              "source": new.unique_id.str.split("|").str[2],
                              "date": new.ds.dt.date, "on_hand": 0.0})
    data = res.data.copy()
    parts = data.unique_id.str.split("|")
    fz = pd.DataFrame({"unique_id": parts.str[0] + "|" + parts.str[1], "ds": data.ds,
                       "source": parts.str[2], "y": data.y})
    fused = fusion.fuse(fz, method=method)
    est = fused.estimates
    if len(est):
        ip = est.unique_id.str.split("|")
        rows = pd.DataFrame({
            "item_code": ip.str[0], "location_code": ip.str[1], "date": est.ds.dt.date,
            "on_hand": est.y.astype(float), "on_hand_std": est.y_std.astype(float),
            "n_sources": est.n_sources.astype(int), "sources_used": est.sources_used.astype(str),
            "sources_rejected": est.sources_rejected.astype(str), "method": est["method"].astype(str),
        })
        rows["on_hand_std"] = rows.on_hand_std.astype(object).where(rows.on_hand_std.notna(), None)
        conn.execute(insert(InventoryEstimate), rows.to_dict("records"))
    out["estimates"] = int(len(est))
    return out


def clean_store(store: Store, kinds: Sequence[str] = KINDS, *,
                loss_rates: Mapping[str, float] | None = None,
                fusion_method: str = "inverse_variance",
                progress: Progress | None = None) -> dict[str, dict[str, int]]:
    """Clean the chosen kinds of data in one transaction; returns counts per kind.

    Parameters
    ----------
    loss_rates
        Known loss rates ``p`` by sensor id or inventory source (``{"RFID": 0.05}``); sensor
        count streams without one get ``p`` estimated from their sequence-number gaps.
    """
    unknown = sorted(set(kinds) - set(KINDS))
    if unknown:
        raise InputError(f"cannot clean {unknown}; choose from {list(KINDS)}", "kinds")
    for src, p in (loss_rates or {}).items():
        if not 0 <= p < 1:
            raise InputError(f"loss rate of {src!r} must be in [0, 1), got {p}", "loss_rates")
    out: dict[str, dict[str, int]] = {}
    with store.begin() as conn:
        for i, kind in enumerate(kinds):
            if progress:
                progress(f"clean {kind}", i, len(kinds))
            if kind == "demand":
                out[kind] = clean_demand(conn)
            elif kind == "sensor_readings":
                out[kind] = clean_sensors(conn, loss_rates)
            else:
                out[kind] = clean_inventory(conn, loss_rates, fusion_method)
        if progress:
            progress("clean", len(kinds), len(kinds))
    return out
