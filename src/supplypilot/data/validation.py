"""Validation at the boundary: raw frame in, typed frame or a list of problems out.

The rules are derived from the data model (:mod:`supplypilot.data.model`), never written a
second time: SQL type and length, nullability and defaults, ``info`` bounds and choices,
foreign keys and natural keys. Range, choice, null and uniqueness checks run as a pandera
schema built from the model; checks pandera cannot express (type coercion with the raw value
kept for the message, referential integrity against the store, dates in the future, time
zones, JSON fields, BOM cycles) are vectorised here. Every problem names file, row, column,
value and reason.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any
from zoneinfo import available_timezones

import numpy as np
import pandas as pd
from pyarrow import ArrowInvalid
import pandera.pandas as pa
from sqlalchemy import Boolean, Date, DateTime, Float, Integer, String, Text

from supplypilot.data.model import ENTITY_MODELS, Base
from supplypilot.data.readers import Source
from supplypilot.errors import InputError, Problem

MAX_PROBLEMS = 10_000
FAR_FUTURE_DAYS = 3650
"""A date more than ten years ahead is a typo (2205 for 2025), not a plan."""
EARLIEST = pd.Timestamp("1970-01-01")
MAX_ABS_FLOAT = 1e15
INT64 = (-(2**63), 2**63 - 1)
_THOUSANDS = r"^-?\d{1,3}(,\d{3})+(\.\d+)?$"
_TRUE = {"true", "t", "yes", "y", "1", "是", "真", "1.0"}
_FALSE = {"false", "f", "no", "n", "0", "否", "假", "0.0"}
_ARROW_STRING = pd.StringDtype("pyarrow")
_CONTROL = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"


@dataclass(frozen=True)
class ColumnRule:
    """What a column accepts, read off the model once."""

    name: str
    kind: str  # str | int | float | date | datetime | bool
    nullable: bool
    default: Any = None
    max_length: int | None = None
    ge: float | None = None
    gt: float | None = None
    le: float | None = None
    lt: float | None = None
    choices: tuple[str, ...] | None = None
    history: bool = False
    fk: tuple[str, str] | None = None  # (entity, column)
    json: str | None = None
    timezone: bool = False

    @property
    def required(self) -> bool:
        return not self.nullable and self.default is None


@dataclass(frozen=True)
class EntitySpec:
    entity: str
    model: type[Base]
    table: str
    key: tuple[str, ...]
    columns: dict[str, ColumnRule]
    derived: dict[str, Any] = field(default_factory=dict)

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns.values() if c.required]


def _kind(sqltype: Any) -> str:
    if isinstance(sqltype, Boolean):
        return "bool"
    if isinstance(sqltype, DateTime):
        return "datetime"
    if isinstance(sqltype, Date):
        return "date"
    if isinstance(sqltype, Integer):
        return "int"
    if isinstance(sqltype, Float):
        return "float"
    if isinstance(sqltype, (String, Text)):
        return "str"
    raise TypeError(f"no import rule for SQL type {sqltype!r}")


@cache
def entity_spec(entity: str) -> EntitySpec:
    """The import rules of an entity (``items``, ``demand``...), derived from its table."""
    if entity not in ENTITY_MODELS:
        raise InputError(
            f"unknown entity {entity!r}; expected one of {', '.join(ENTITY_MODELS)}", "entity"
        )
    model = ENTITY_MODELS[entity]
    table = model.__table__
    by_table = {m.__tablename__: e for e, m in ENTITY_MODELS.items()}
    cols: dict[str, ColumnRule] = {}
    derived: dict[str, Any] = {}
    for c in table.columns:
        if c.name in ("id", "batch_id", "source_row"):
            continue
        default = c.default.arg if c.default is not None and not callable(c.default.arg) else None
        if c.info.get("derived"):
            derived[c.name] = default
            continue
        fk = None
        if c.foreign_keys:
            target = next(iter(c.foreign_keys)).column
            fk = (by_table[target.table.name], target.name)
        info = c.info
        cols[c.name] = ColumnRule(
            name=c.name, kind=_kind(c.type), nullable=bool(c.nullable), default=default,
            max_length=getattr(c.type, "length", None), ge=info.get("ge"), gt=info.get("gt"),
            le=info.get("le"), lt=info.get("lt"),
            choices=tuple(info["choices"]) if "choices" in info else None,
            history=bool(info.get("history")), fk=fk, json=info.get("json"),
            timezone=bool(info.get("timezone")),
        )
    return EntitySpec(entity, model, table.name, tuple(model.__natural_key__), cols, derived)


class Problems:
    """Collects problems, capped so a hopeless file cannot exhaust memory."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self.items: list[Problem] = []
        self.dropped = 0
        self.cells: set[tuple[int, str | None]] = set()  # cells already reported

    def add(self, index: int | None, column: str | None, value: Any, reason: str) -> None:
        if len(self.items) >= MAX_PROBLEMS:
            self.dropped += 1
            return
        if index is not None:
            if (int(index), column) in self.cells and reason == "required value is empty":
                return  # the cell was already reported as unparsable
            self.cells.add((int(index), column))
        row = None if index is None else self.source.row_number(int(index))
        if isinstance(value, float) and np.isnan(value):
            value = None
        elif isinstance(value, (np.generic,)):
            value = value.item()
        elif isinstance(value, pd.Timestamp):
            value = str(value.date()) if value == value.normalize() else str(value)[:19]
        elif isinstance(value, dt.date):
            value = str(value)
        self.items.append(Problem(self.source.name, row, column, value, reason))

    def add_many(self, mask: np.ndarray | pd.Series, raw: pd.Series, column: str, reason: str) -> None:
        idx = np.flatnonzero(np.asarray(mask))
        for i in idx[: max(0, MAX_PROBLEMS - len(self.items)) + 1]:
            self.add(i, column, raw.iloc[i], reason)
        self.dropped += max(0, len(idx) - (MAX_PROBLEMS + 1))

    def __len__(self) -> int:
        return len(self.items) + self.dropped

    def __bool__(self) -> bool:
        return len(self) > 0


# --------------------------------------------------------------------------- coercion


def _text(raw: pd.Series) -> pd.Series:
    """Cells as Arrow-backed strings: vectorised strip/contains/replace (~5x faster than object)."""
    return raw.astype(_ARROW_STRING)


def _present(raw: pd.Series) -> np.ndarray:
    if raw.dtype == object or pd.api.types.is_string_dtype(raw):
        s = _text(raw)
        return (s.notna() & (s.str.strip() != "")).to_numpy(dtype=bool, na_value=False)
    return raw.notna().to_numpy()


def _coerce_number(raw: pd.Series, rule: ColumnRule, probs: Problems) -> pd.Series:
    if pd.api.types.is_bool_dtype(raw):
        raw = raw.astype(int)
    if pd.api.types.is_numeric_dtype(raw):
        num = raw.astype("float64")
    else:
        s = _text(raw).str.strip()
        commas = s.str.contains(",", regex=False).fillna(False).to_numpy(dtype=bool)
        if commas.any():
            fix = s[commas].where(s[commas].str.match(_THOUSANDS).fillna(False))
            s = s.copy()
            s[commas] = fix.str.replace(",", "", regex=False)
        try:  # fast path: Arrow parses every cell (the usual clean file)
            num = s.astype("float64")
        except (ValueError, TypeError, ArrowInvalid):
            num = pd.to_numeric(s, errors="coerce").astype("float64")
    present = _present(raw)
    bad = present & num.isna().to_numpy()
    if bad.any():
        probs.add_many(bad, raw, rule.name, "not a number")
    arr = num.to_numpy()
    with np.errstate(invalid="ignore"):
        inf = ~np.isfinite(arr) & ~np.isnan(arr)
        if rule.kind == "int":
            too_big = (arr < -(2.0**63)) | (arr >= 2.0**63) | inf  # float(2**63-1) rounds up
            frac = ~too_big & ~np.isnan(arr) & (np.floor(arr) != arr)
            if frac.any():
                probs.add_many(frac, raw, rule.name, "must be a whole number")
        else:
            too_big = (np.abs(arr) > MAX_ABS_FLOAT) | inf
    if too_big.any():
        probs.add_many(too_big, raw, rule.name, "number out of range (overflow)")
        num = num.where(~too_big)
    if rule.kind == "int":
        return num.round().astype("Int64")
    return num


_CN_DATE = re.compile(r"^\s*(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?")


def _coerce_datetime(raw: pd.Series, rule: ColumnRule, probs: Problems) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(raw):
        ts = pd.to_datetime(raw)
        if getattr(ts.dt, "tz", None) is not None:
            ts = ts.dt.tz_convert("UTC").dt.tz_localize(None)
    else:
        s = _text(raw).str.strip()
        if s.str.contains("年", regex=False).fillna(False).any():
            s = s.str.replace(_CN_DATE, lambda m: f"{m[1]}-{int(m[2]):02d}-{int(m[3]):02d}", regex=True)
        s = s.str.replace("/", "-", regex=False)
        if rule.kind == "date":  # keep the local calendar day of '2024-06-01 03:00+08:00'
            s = s.str.replace(r"[T ].*$", "", regex=True)
        ts = pd.to_datetime(s, errors="coerce", format="ISO8601", utc=True)
        ts = ts.dt.tz_localize(None)
    present = _present(raw)
    bad = present & ts.isna().to_numpy()
    if bad.any():
        probs.add_many(bad, raw, rule.name, "not a date (expected YYYY-MM-DD)")
    if rule.kind == "date":
        ts = ts.dt.normalize()
    return ts.astype("datetime64[ns]")


def _coerce_bool(raw: pd.Series, rule: ColumnRule, probs: Problems) -> pd.Series:
    if pd.api.types.is_bool_dtype(raw):
        return raw.astype("boolean")
    s = _text(raw).str.strip().str.lower()
    out = pd.Series(pd.NA, index=raw.index, dtype="boolean")
    out[s.isin(_TRUE).fillna(False)] = True
    out[s.isin(_FALSE).fillna(False)] = False
    bad = _present(raw) & out.isna().to_numpy()
    if bad.any():
        probs.add_many(bad, raw, rule.name, "not a yes/no value (true/false, 1/0, 是/否)")
    return out


def _coerce_str(raw: pd.Series, rule: ColumnRule, probs: Problems) -> pd.Series:
    s = _text(raw).str.strip()
    s = s.where(s != "")
    if rule.max_length:
        long = (s.str.len() > rule.max_length).fillna(False).to_numpy(dtype=bool)
        if long.any():
            probs.add_many(long, raw, rule.name, f"longer than {rule.max_length} characters")
    ctrl = s.str.contains(_CONTROL).fillna(False).to_numpy(dtype=bool)
    if ctrl.any():
        probs.add_many(ctrl, raw, rule.name, "contains control characters")
    return s.astype(object).where(s.notna(), None)


_COERCE: dict[str, Callable[[pd.Series, ColumnRule, Problems], pd.Series]] = {
    "int": _coerce_number, "float": _coerce_number, "date": _coerce_datetime,
    "datetime": _coerce_datetime, "bool": _coerce_bool, "str": _coerce_str,
}


def check_columns(
    frame: pd.DataFrame, spec: EntitySpec, probs: Problems, *, allow_extra: bool = False
) -> None:
    """Missing required columns and unexpected columns, named."""
    have = set(frame.columns)
    for name in spec.required:
        if name not in have:
            probs.add(None, name, None, f"required column missing (columns found: {sorted(have)})")
    if not allow_extra:
        extra = sorted(have - set(spec.columns))
        for name in extra:
            probs.add(
                None, name, None,
                f"unexpected column for {spec.entity}; expected some of {list(spec.columns)} "
                "(map it in a mapping file, or pass --allow-extra to ignore it)",
            )


def coerce(frame: pd.DataFrame, spec: EntitySpec, probs: Problems) -> pd.DataFrame:
    """Typed frame with every model column (defaults filled); problems for unparsable cells."""
    out: dict[str, pd.Series] = {}
    n = len(frame)
    for name, rule in spec.columns.items():
        if name in frame.columns:
            col = _COERCE[rule.kind](frame[name].reset_index(drop=True), rule, probs)
        else:
            col = pd.Series([None] * n, dtype=object)
            if rule.kind in ("int", "float"):
                col = pd.Series(np.nan, index=range(n))
        if rule.default is not None and col.isna().any():
            col = col.where(col.notna(), rule.default)
            if rule.kind == "bool":
                col = col.astype("boolean")
            elif rule.kind in ("int", "float"):
                col = pd.to_numeric(col)
        out[name] = col
    return pd.DataFrame(out, index=pd.RangeIndex(n))


# --------------------------------------------------------------------------- checks


@cache
def pandera_schema(entity: str) -> pa.DataFrameSchema:
    """The pandera schema of an entity: nulls, bounds, choices and the natural key."""
    spec = entity_spec(entity)
    columns = {}
    for name, r in spec.columns.items():
        checks = []
        if r.ge is not None:
            checks.append(pa.Check.ge(r.ge, error=f"must be ≥ {r.ge}"))
        if r.gt is not None:
            checks.append(pa.Check.gt(r.gt, error=f"must be > {r.gt}"))
        if r.le is not None:
            checks.append(pa.Check.le(r.le, error=f"must be ≤ {r.le}"))
        if r.lt is not None:
            checks.append(pa.Check.lt(r.lt, error=f"must be < {r.lt}"))
        if r.choices:
            checks.append(pa.Check.isin(r.choices, error=f"must be one of {list(r.choices)}"))
        columns[name] = pa.Column(nullable=r.nullable, checks=checks, coerce=False)
    return pa.DataFrameSchema(columns, unique=list(spec.key), report_duplicates="all")


def _reason(check: str, column: str, key: tuple[str, ...]) -> str:
    if check == "not_nullable":
        return "required value is empty"
    if check.startswith("field_uniqueness") or check == "multiple_fields_uniqueness":
        return f"duplicate key {list(key)} within the file"
    return check


def run_pandera(typed: pd.DataFrame, spec: EntitySpec, probs: Problems) -> None:
    try:
        pandera_schema(spec.entity).validate(typed, lazy=True)
    except pa.errors.SchemaErrors as err:
        fc = err.failure_cases
        for rec in fc.itertuples(index=False):
            idx = rec.index
            if idx is None or (isinstance(idx, float) and np.isnan(idx)):
                continue
            col = rec.column if isinstance(rec.column, str) else None
            if rec.schema_context == "DataFrameSchema":
                col = ", ".join(spec.key)
            probs.add(int(idx), col, rec.failure_case, _reason(str(rec.check), str(col), spec.key))


def check_dates(typed: pd.DataFrame, spec: EntitySpec, probs: Problems, today: pd.Timestamp) -> None:
    """History in the past, every date plausible (not 2205 for 2025)."""
    horizon = today + pd.Timedelta(days=FAR_FUTURE_DAYS)
    for name, r in spec.columns.items():
        if r.kind not in ("date", "datetime"):
            continue
        s = typed[name]
        if r.history:
            bad = (s > today + pd.Timedelta(days=1)).to_numpy()
            if bad.any():
                probs.add_many(bad, s, name, "is an observation but lies in the future")
        far = ((s > horizon) | (s < EARLIEST)).to_numpy()
        if r.history:
            far &= (s < EARLIEST).to_numpy()
        if far.any():
            probs.add_many(far, s, name, f"implausible date (outside {EARLIEST.date()} … {horizon.date()})")


def check_special(typed: pd.DataFrame, spec: EntitySpec, probs: Problems) -> None:
    for name, r in spec.columns.items():
        s = typed[name]
        if r.timezone:
            bad = ~s.isin(_timezones() | {None}).to_numpy()
            if bad.any():
                probs.add_many(bad, s, name, "not an IANA time zone (e.g. Asia/Shanghai)")
        if r.json == "price_breaks":
            for i, v in s.items():
                if v is not None and (reason := _price_breaks_problem(v)):
                    probs.add(int(i), name, v, reason)
    if spec.entity == "bom":
        selfloop = (typed["parent_code"] == typed["child_code"]).to_numpy()
        if selfloop.any():
            probs.add_many(selfloop, typed["child_code"], "child_code", "an item cannot contain itself")


@cache
def _timezones() -> set[str | None]:
    return set(available_timezones()) | {"UTC"}


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not a number")


def _price_breaks_problem(text: str) -> str | None:
    try:
        breaks = json.loads(text, parse_constant=_no_constant)
    except (json.JSONDecodeError, ValueError):
        return "price_breaks must be JSON like [[100, 12.5], [500, 12.0]]"
    if not isinstance(breaks, list) or not all(
        isinstance(b, list) and len(b) == 2 and all(isinstance(x, (int, float)) for x in b)
        for b in breaks
    ):
        return "price_breaks must be a list of [min_qty, unit_price] pairs"
    qtys = [b[0] for b in breaks]
    if qtys != sorted(qtys) or len(set(qtys)) != len(qtys):
        return "price_breaks quantities must increase"
    if any(b[0] < 0 or b[1] < 0 for b in breaks):
        return "price_breaks must not be negative"
    return None


def check_references(
    typed: pd.DataFrame, spec: EntitySpec, probs: Problems,
    known: Callable[[str, str], set[str]],
) -> None:
    """Every foreign key names an existing row (in the store or earlier in the same import)."""
    for name, r in spec.columns.items():
        if r.fk is None:
            continue
        target_entity, target_col = r.fk
        codes = known(target_entity, target_col)
        if target_entity == spec.entity:  # a BOM refers to items, never itself; kept general
            codes = codes | set(typed[target_col].dropna())
        s = typed[name]
        bad = (s.notna() & ~s.isin(codes)).to_numpy()
        if bad.any():
            probs.add_many(bad, s, name, f"unknown {target_entity[:-1] if target_entity.endswith('s') else target_entity} code")


def check_bom_cycles(edges: Iterable[tuple[str, str]]) -> list[str] | None:
    """A cycle in parent → child edges, as a list of codes, or ``None``."""
    graph: dict[str, list[str]] = {}
    for p, c in edges:
        graph.setdefault(p, []).append(c)
    state: dict[str, int] = {}
    for root in graph:
        if state.get(root):
            continue
        stack = [(root, iter(graph.get(root, ())))]
        path = [root]
        state[root] = 1
        while stack:
            node, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                state[node] = 2
                stack.pop()
                path.pop()
            elif state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            elif not state.get(nxt):
                state[nxt] = 1
                stack.append((nxt, iter(graph.get(nxt, ()))))
                path.append(nxt)
    return None


def validate(
    source: Source, entity: str, known: Callable[[str, str], set[str]], *,
    allow_extra: bool = False, today: pd.Timestamp | None = None,
) -> tuple[pd.DataFrame, Problems]:
    """Validate a read source as ``entity``; the typed frame is meaningful only without problems."""
    spec = entity_spec(entity)
    probs = Problems(source)
    frame = source.frame
    if len(frame) == 0:
        probs.add(None, None, None, "the file has a header but no rows")
        return frame, probs
    check_columns(frame, spec, probs, allow_extra=allow_extra)
    if probs:
        return frame, probs
    typed = coerce(frame, spec, probs)
    run_pandera(typed, spec, probs)
    check_dates(typed, spec, probs, today or pd.Timestamp.now().normalize())
    check_special(typed, spec, probs)
    check_references(typed, spec, probs, known)
    return typed, probs


def apply_mapping(frame: pd.DataFrame, columns: Mapping[str, str], values: Mapping[str, Mapping[str, Any]] | None = None) -> pd.DataFrame:
    """Rename an ERP's own headers to the model's, and recode values (``台`` → ``pcs``)."""
    renamed = frame.rename(columns={k: v for k, v in columns.items() if k in frame.columns})
    for col, table in (values or {}).items():
        if col in renamed.columns:
            renamed[col] = renamed[col].map(lambda v, t=table: t.get(v, v) if isinstance(v, str) else v)
    return renamed
