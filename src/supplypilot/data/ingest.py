"""Transactional import: validate everything first, then write all rows or none.

One call imports one file, a list of files or a folder (a *bundle*, e.g. the sample data):
all files are validated against the model and against each other (a purchase-order line may
reference an item defined in the same bundle), every problem is collected, and only when
there is none are the rows written, in dependency order, inside **one** database transaction.
A crash or ``SIGKILL`` mid-way leaves the store as it was: the transaction never commits.

Rows are upserted on their natural key, so re-importing a file creates no duplicates; each
stored row keeps the id of its import batch and its source row number (lineage).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, Field
from sqlalchemy import Connection, insert, select, update

from supplypilot.data.mapping import ColumnMapping, load_mapping
from supplypilot.data.model import ENTITY_MODELS, IMPORTABLE, ImportBatch
from supplypilot.data.readers import Source, read_source, read_sql
from supplypilot.data.store import Store
from supplypilot.data.validation import (
    EntitySpec,
    Problems,
    check_bom_cycles,
    entity_spec,
    validate,
)
from supplypilot.errors import InputError, Problem, ValidationFailed

Progress = Callable[[str, int, int], None]
"""``progress(stage, done, total)``: the CLI turns it into a progress bar."""

BULK_ROWS = 50_000
"""From this many rows into an empty table, secondary indexes are rebuilt after the load."""
CHUNK = 50_000
ORDER = {m.__entity__: i for i, m in enumerate(IMPORTABLE)}


class ProblemOut(BaseModel):
    """One refused value: where it is and why."""

    file: str = Field(description="File (or query) the problem is in.")
    row: int | None = Field(description="Row number in the file (header is row 1 for CSV/Excel).")
    column: str | None = Field(description="Column name, as the model calls it.")
    value: Any = Field(description="The value found.")
    reason: str = Field(description="Why it was refused.")


class FileResult(BaseModel):
    """What happened to one source."""

    entity: str = Field(description="Entity the source holds.")
    source: str = Field(description="File path or query.")
    format: str = Field(description="csv, parquet, xlsx, jsonl or sql.")
    encoding: str | None = Field(description="Detected or given text encoding.")
    rows: int = Field(description="Rows read.")
    inserted: int = Field(0, description="New rows stored.")
    updated: int = Field(0, description="Existing rows (same natural key) updated.")
    batch_id: int | None = Field(None, description="Import batch id (lineage).")


class ImportReport(BaseModel):
    """The outcome of an import or a dry run."""

    ok: bool = Field(description="True when every row was valid (and, unless dry run, written).")
    dry_run: bool = Field(description="Validation only; nothing written.")
    files: list[FileResult] = Field(description="One entry per source.")
    problems: list[ProblemOut] = Field(default_factory=list, description="Every problem found.")
    problems_total: int = Field(0, description="Count of problems, including any not listed.")
    seconds: float = Field(0.0, description="Wall time.")


@dataclass
class _Prepared:
    spec: EntitySpec
    source: Source
    typed: pd.DataFrame | None = None


def entity_of(path: Path) -> str:
    """Entity named by a file: ``items.csv`` → ``items``, ``demand-2025.parquet`` → ``demand``."""
    stem = path.name.split(".")[0].lower()
    for name in sorted(ENTITY_MODELS, key=len, reverse=True):
        if stem == name or stem.startswith(name + "-") or stem.startswith(name + "_2"):
            return name
    raise InputError(
        f"cannot tell which entity {path.name!r} holds; name the file after one of "
        f"{', '.join(ENTITY_MODELS)} or pass --entity / a mapping file", str(path),
    )


def _expand(paths: Iterable[str | Path]) -> list[Path]:
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            files = sorted(f for f in p.iterdir() if f.is_file() and not f.name.startswith("."))
            out.extend(f for f in files if f.suffix.lower() in (".csv", ".parquet", ".xlsx", ".jsonl"))
        else:
            out.append(p)
    if not out:
        raise InputError("nothing to import: no data files found", ", ".join(map(str, paths)))
    return out


class _Known:
    """Codes that exist: in the store, or defined earlier in the same import."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.cache: dict[tuple[str, str], set[str]] = {}
        self.pending: dict[tuple[str, str], set[str]] = {}

    def __call__(self, entity: str, column: str) -> set[str]:
        key = (entity, column)
        if key not in self.cache:
            table = ENTITY_MODELS[entity].__table__
            self.cache[key] = {r[0] for r in self.conn.execute(select(table.c[column]))}
        return self.cache[key] | self.pending.get(key, set())

    def add(self, spec: EntitySpec, typed: pd.DataFrame) -> None:
        if len(spec.key) == 1:
            self.pending.setdefault((spec.entity, spec.key[0]), set()).update(
                typed[spec.key[0]].dropna().tolist()
            )


def import_sources(
    store: Store,
    sources: Sequence[tuple[Source, str]],
    *,
    dry_run: bool = False,
    allow_extra: bool = False,
    progress: Progress | None = None,
    user: str | None = None,
    mapping_text: str | None = None,
) -> ImportReport:
    """Validate then write already-read sources ``(source, entity)`` in one transaction.

    Raises
    ------
    ValidationFailed
        With every problem found; the store is unchanged.
    """
    t0 = time.perf_counter()
    prepared = sorted(
        (_Prepared(entity_spec(e), s) for s, e in sources), key=lambda p: ORDER[p.spec.entity]
    )
    problems: list[Problem] = []
    dropped = 0
    with store.engine.connect() as conn:
        known = _Known(conn)
        for i, p in enumerate(prepared):
            if progress:
                progress(f"validate {p.spec.entity}", i, len(prepared))
            typed, probs = validate(p.source, p.spec.entity, known, allow_extra=allow_extra)
            problems.extend(probs.items)
            dropped += probs.dropped
            if not probs:
                p.typed = typed
                known.add(p.spec, typed)
        problems.extend(_bom_cycle_problems(conn, prepared))
    files = [
        FileResult(entity=p.spec.entity, source=p.source.name, format=p.source.format,
                   encoding=p.source.encoding, rows=len(p.source.frame))
        for p in prepared
    ]
    if problems:
        err = ValidationFailed(problems, ", ".join(f.source for f in files))
        err.report = ImportReport(
            ok=False, dry_run=dry_run, files=files,
            problems=[ProblemOut(**p.as_dict()) for p in problems],
            problems_total=len(problems) + dropped, seconds=round(time.perf_counter() - t0, 3),
        )
        raise err
    if not dry_run:
        started = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        with store.begin() as conn:
            total = sum(len(p.typed) for p in prepared if p.typed is not None)
            done = 0
            for p, f in zip(prepared, files, strict=True):
                assert p.typed is not None
                batch_id = conn.execute(
                    insert(ImportBatch).values(
                        entity=p.spec.entity, kind="import", source=p.source.name,
                        source_format=p.source.format, source_sha256=p.source.sha256,
                        encoding=p.source.encoding, mapping=mapping_text, rows_in=len(p.typed),
                        status="writing", started_at=started, user=user,
                    ).returning(ImportBatch.id)
                ).scalar_one()
                before = _count(conn, p.spec)
                for n in write_rows(conn, p.spec, p.typed, batch_id, p.source.first_row):
                    done += n
                    if progress:
                        progress(f"write {p.spec.entity}", done, total)
                inserted = _count(conn, p.spec) - before
                f.batch_id, f.inserted, f.updated = batch_id, inserted, len(p.typed) - inserted
                conn.execute(
                    update(ImportBatch).where(ImportBatch.id == batch_id).values(
                        rows_inserted=f.inserted, rows_updated=f.updated, status="committed",
                        finished_at=dt.datetime.now(dt.UTC).replace(tzinfo=None),
                    )
                )
    return ImportReport(ok=True, dry_run=dry_run, files=files,
                        seconds=round(time.perf_counter() - t0, 3))


def _bom_cycle_problems(conn: Connection, prepared: list[_Prepared]) -> list[Problem]:
    boms = [p for p in prepared if p.spec.entity == "bom" and p.typed is not None]
    if not boms:
        return []
    from supplypilot.data.model import BomLine

    edges = {(a, b) for a, b in conn.execute(select(BomLine.parent_code, BomLine.child_code))}
    for p in boms:
        assert p.typed is not None
        edges |= set(zip(p.typed["parent_code"], p.typed["child_code"], strict=True))
    cycle = check_bom_cycles(edges)
    if cycle is None:
        return []
    src = boms[0].source.name
    return [Problem(src, None, "child_code", " → ".join(cycle),
                    "the bill of materials has a cycle (an item ends up containing itself)")]


def _count(conn: Connection, spec: EntitySpec) -> int:
    from sqlalchemy import func

    return int(conn.execute(select(func.count()).select_from(spec.model)).scalar_one())


# --------------------------------------------------------------------------- writing


def _db_values(typed: pd.DataFrame, spec: EntitySpec, dialect: str) -> dict[str, list[Any]]:
    """Column → list of Python values the DB-API driver takes (None for missing)."""
    out: dict[str, list[Any]] = {}
    for name, rule in spec.columns.items():
        s = typed[name]
        if rule.kind in ("date", "datetime"):
            arr = s.to_numpy(dtype="datetime64[ns]")
            nat = np.isnat(arr)
            if dialect == "sqlite":
                if rule.kind == "date":
                    txt = np.datetime_as_string(arr.astype("datetime64[D]"))
                else:
                    txt = np.char.replace(np.datetime_as_string(arr, unit="us"), "T", " ")
                vals = txt.astype(object)
            else:
                vals = (arr.astype("datetime64[D]") if rule.kind == "date" else arr.astype("datetime64[us]")).astype(object)
            vals[nat] = None
            out[name] = vals.tolist()
        elif rule.kind == "bool":
            vals = s.astype(object).to_numpy()
            vals[pd.isna(s).to_numpy()] = None
            out[name] = [None if v is None else bool(v) for v in vals]
        elif rule.kind == "int":
            out[name] = s.astype(object).where(s.notna(), None).tolist()
        elif rule.kind == "float":
            arr = s.to_numpy(dtype="float64")
            vals = arr.astype(object)
            vals[np.isnan(arr)] = None
            out[name] = vals.tolist()
        else:
            out[name] = s.tolist()
    for name, default in spec.derived.items():
        out[name] = [default] * len(typed)
    return out


def write_rows(conn: Connection, spec: EntitySpec, typed: pd.DataFrame, batch_id: int,
               first_row: int) -> Iterable[int]:
    """Upsert ``typed`` into the entity's table; yields rows written per chunk."""
    dialect = conn.dialect.name
    values = _db_values(typed, spec, dialect)
    n = len(typed)
    values["batch_id"] = [batch_id] * n
    values["source_row"] = list(range(first_row, first_row + n))
    cols = list(values)
    q = conn.dialect.identifier_preparer.quote
    col_sql = ", ".join(q(c) for c in cols)
    key_sql = ", ".join(q(c) for c in spec.key)
    set_sql = ", ".join(f"{q(c)} = excluded.{q(c)}" for c in cols if c not in spec.key)
    table = q(spec.table)
    if dialect == "postgresql":
        yield from _copy_upsert(conn, spec, values, cols, col_sql, key_sql, set_sql, table)
        return
    placeholders = ", ".join("?" for _ in cols) if dialect == "sqlite" else ", ".join("%s" for _ in cols)
    stmt = f"INSERT INTO {table} ({col_sql}) VALUES ({placeholders})"
    # An empty table cannot conflict (validation refused duplicate keys within the file), so
    # a plain INSERT does; SQLite's upsert probes the unique index twice per row (~2x slower).
    empty = conn.exec_driver_sql(f"SELECT 1 FROM {table} LIMIT 1").first() is None
    if not empty:
        stmt += f" ON CONFLICT ({key_sql}) DO UPDATE SET {set_sql}"
    # Bulk loads build secondary indexes once at the end instead of row by row; the DDL is
    # part of the import's transaction, so a failed import leaves them as they were.
    rebuild = [ix for ix in spec.model.__table__.indexes if not ix.unique] if empty and n >= BULK_ROWS else []
    for ix in rebuild:
        ix.drop(conn)
    rows = list(zip(*(values[c] for c in cols), strict=True))
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    for start in range(0, n, CHUNK):
        cursor.executemany(stmt, rows[start:start + CHUNK])
        yield min(CHUNK, n - start)
    cursor.close()
    for ix in rebuild:
        ix.create(conn)


def _copy_upsert(conn: Connection, spec: EntitySpec, values: dict[str, list[Any]], cols: list[str],
                 col_sql: str, key_sql: str, set_sql: str, table: str) -> Iterable[int]:
    """PostgreSQL: COPY straight into an empty table, else into a temporary one + INSERT … ON CONFLICT."""
    raw = conn.connection.driver_connection
    n = len(values[cols[0]])
    frame = pd.DataFrame(values, columns=cols)
    with raw.cursor() as cur:  # type: ignore[union-attr]
        cur.execute(f"SELECT 1 FROM {table} LIMIT 1")
        empty = cur.fetchone() is None
        if empty:
            with _pg_bulk_load(cur, spec.table, active=n >= BULK_ROWS):
                yield from _copy(cur, table, col_sql, frame)
            return
        tmp = f"_import_{spec.table}"
        cur.execute(f"CREATE TEMP TABLE {tmp} (LIKE {table} INCLUDING DEFAULTS) ON COMMIT DROP")
        yield from _copy(cur, tmp, col_sql, frame)
        cur.execute(
            f"INSERT INTO {table} ({col_sql}) SELECT {col_sql} FROM {tmp} "
            f"ON CONFLICT ({key_sql}) DO UPDATE SET {set_sql}"
        )
        cur.execute(f"DROP TABLE {tmp}")


def _copy(cur: Any, table: str, col_sql: str, frame: pd.DataFrame) -> Iterable[int]:
    n = len(frame)
    step = CHUNK * 4
    for start in range(0, n, step):
        buf = io.StringIO()
        frame.iloc[start:start + step].to_csv(buf, index=False, header=False, na_rep="\\N")
        with cur.copy(f"COPY {table} ({col_sql}) FROM STDIN WITH (FORMAT csv, NULL '\\N')") as cp:
            cp.write(buf.getvalue())
        yield min(step, n - start)


@contextlib.contextmanager
def _pg_bulk_load(cur: Any, table: str, active: bool) -> Iterator[None]:
    """Drop secondary indexes and foreign keys for a bulk load into an empty table, then restore them.

    Re-adding a foreign key validates every row in one join instead of one trigger call per
    row, and an index is built once instead of row by row. Everything runs inside the import's
    transaction: if the load or the re-validation fails, PostgreSQL rolls the DDL back too.
    """
    if not active:
        yield
        return
    cur.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype = 'f'", (table,))
    fks = cur.fetchall()
    cur.execute(
        "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
        "WHERE x.indrelid = %s::regclass AND NOT x.indisunique AND NOT x.indisprimary", (table,))
    indexes = cur.fetchall()
    for name, _ in fks:
        cur.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
    for name, _ in indexes:
        cur.execute(f'DROP INDEX "{name}"')
    yield
    for _, ddl in indexes:
        cur.execute(ddl)
    for name, ddl in fks:
        cur.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {ddl}')


# --------------------------------------------------------------------------- entry points


def import_paths(
    store: Store,
    paths: Sequence[str | Path],
    *,
    entity: str | None = None,
    mapping: str | Path | ColumnMapping | None = None,
    encoding: str | None = None,
    dry_run: bool = False,
    allow_extra: bool = False,
    progress: Progress | None = None,
    user: str | None = None,
) -> ImportReport:
    """Import files or folders (one transaction for all of them).

    Parameters
    ----------
    paths
        Files (CSV, Parquet, .xlsx, JSON lines) or folders of them. A file's entity comes
        from ``entity``, the mapping, or its name (``items.csv``).
    mapping
        A :class:`ColumnMapping` or the path of a YAML mapping file for an ERP's own headers.
    dry_run
        Validate only: report every problem, write nothing.
    """
    cmap = load_mapping(mapping) if isinstance(mapping, (str, Path)) else mapping
    files = _expand(paths)
    sources: list[tuple[Source, str]] = []
    for path in files:
        if not path.exists():
            raise InputError("no such file", str(path))
        ent = entity or (cmap.entity if cmap else None) or entity_of(path)
        src = read_source(path, encoding=encoding or (cmap.encoding if cmap else None))
        if cmap:
            src.frame = cmap.apply(src.frame)
        sources.append((src, ent))
    mapping_text = cmap.model_dump_json() if cmap else None
    return import_sources(store, sources, dry_run=dry_run, allow_extra=allow_extra,
                          progress=progress, user=user, mapping_text=mapping_text)


def import_query(store: Store, url: str, query: str, entity: str, *,
                 mapping: str | Path | ColumnMapping | None = None, dry_run: bool = False,
                 progress: Progress | None = None, user: str | None = None) -> ImportReport:
    """Import the result of a SQL query on any SQLAlchemy URL (e.g. an ERP database)."""
    cmap = load_mapping(mapping) if isinstance(mapping, (str, Path)) else mapping
    src = read_sql(url, query)
    if cmap:
        src.frame = cmap.apply(src.frame)
    return import_sources(store, [(src, entity)], dry_run=dry_run, progress=progress, user=user)


def import_frames(store: Store, frames: dict[str, pd.DataFrame], source: str, *,
                  dry_run: bool = False, progress: Progress | None = None,
                  user: str | None = None) -> ImportReport:
    """Import in-memory frames (sample data, converters) through the same validation."""
    sources = [
        (Source(df.reset_index(drop=True), f"{source}/{ent}", "frame", None, None, first_row=1), ent)
        for ent, df in frames.items()
    ]
    return import_sources(store, sources, dry_run=dry_run, progress=progress, user=user)
