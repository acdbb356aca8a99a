#!/usr/bin/env python
"""Ingestion benchmark: SupplyPilot import versus ``pandas.read_csv`` (+ ``DataFrame.to_sql``).

A sales-line CSV (entity ``sales_orders``, table ``sales_order_line``) is generated
deterministically from a numpy seed, then each measurement runs in its **own fresh Python
process** (this script re-run with ``--one NAME``), so that import time is excluded, the
processes do not share caches, and the peak memory of each measurement is its own:

1. ``pandas.read_csv`` alone;
2. ``read_csv`` + ``DataFrame.to_sql`` into a fresh SQLite file (plain table, defaults);
3. ``read_csv`` + ``DataFrame.to_sql`` into PostgreSQL (pandas defaults, see ``TO_SQL_PG``);
4. SupplyPilot ``import_paths`` into a fresh SQLite store (items and locations imported first,
   untimed);
5. the same into a fresh PostgreSQL store;
6. SupplyPilot re-import of the same file into the SQLite store of (4): the upsert path; the
   stored row count must not change.

Usage::

    python benchmarks/ingest.py                 # 1,000,000 rows, table saved to results/
    python benchmarks/ingest.py --quick --json  # 20,000 rows, JSON on stdout (used by tests)
    python benchmarks/ingest.py --rows 200000 --repeat 3 --no-save
    python benchmarks/ingest.py --profile-dir /tmp/prof   # + cProfile runs of the SupplyPilot rows

PostgreSQL: ``--pg-url`` (default ``$SUPPLYPILOT_BENCH_PG_URL`` or
``postgresql+psycopg://postgres@127.0.0.1:5432/test``) is only used as an administrative
connection to create a scratch database ``supplypilot_bench_<pid>``, which is dropped at the
end. If the server cannot be reached the PostgreSQL rows are skipped (the exit status is
non-zero only with ``--require-postgres``).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import gc
import importlib
import importlib.util
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _measure as measure  # noqa: E402

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "ingest.md"
DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
QUICK_ROWS = 20_000
SEED = 20_240_601
TO_SQL_PG = {"method": None, "chunksize": None}
"""pandas defaults. ``method="multi"`` (often recommended) was ~10x *slower* here with
SQLAlchemy 2 + psycopg 3 (100,000 rows: 48 s with ``chunksize=5000`` against 4-5 s with the
defaults; SQLAlchemy compiles one huge statement per chunk), and ``chunksize=10000`` with
``"multi"`` fails outright (11 columns x 10,000 rows > PostgreSQL's 65,535 bind parameters).
The defaults hand all rows to psycopg's ``executemany`` (pipelined): the stronger reference."""

TABLE = "sales_order_line"
REF_TABLE = "ref_sales_order_line"

# name -> (label, database, reference measurement for the ratio)
MEASUREMENTS: dict[str, tuple[str, str | None, str | None]] = {
    "read_csv": ("pandas.read_csv alone", None, None),
    "tosql_sqlite": ("read_csv + to_sql → SQLite", "sqlite", None),
    "tosql_pg": ("read_csv + to_sql → PostgreSQL", "postgresql", None),
    "sp_sqlite": ("SupplyPilot import → SQLite", "sqlite", "tosql_sqlite"),
    "sp_pg": ("SupplyPilot import → PostgreSQL", "postgresql", "tosql_pg"),
    "sp_sqlite_reimport": ("SupplyPilot re-import → SQLite (upsert)", "sqlite", "tosql_sqlite"),
}
RUN_ORDER = ("read_csv", "tosql_sqlite", "sp_sqlite", "sp_sqlite_reimport", "tosql_pg", "sp_pg")
SQLITE_GOAL = 200_000

MEMORY_METHOD = (
    "each measurement runs in its own fresh process (`benchmarks/ingest.py --one NAME`, via "
    "subprocess). Just before the timed section the process resets its peak-RSS mark "
    "(`/proc/self/clear_refs` ← 5, Linux); peak = `VmHWM` from `/proc/self/status` right after it, "
    "i.e. the highest RSS reached during the measurement itself; Δ = peak − RSS (psutil) just "
    "before the timed section (after imports and untimed setup). `ru_maxrss` is not used on Linux "
    "because it keeps the parent's high-water mark across fork+exec; it is the fallback elsewhere. "
    "The PostgreSQL server's own memory is not included."
)


# --------------------------------------------------------------------------- data


def master_data(seed: int = SEED) -> tuple[Any, Any]:
    """~200 items and 50 locations (8 DCs, 12 stores, 30 customers), deterministic."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    n_items = 200
    price = np.round(np.exp(rng.normal(3.5, 0.9, n_items)).clip(1.5, 900.0), 2)
    items = pd.DataFrame({
        "code": [f"ITM-{i:05d}" for i in range(1, n_items + 1)],
        "name": [f"Item {i}" for i in range(1, n_items + 1)],
        "kind": "finished",
        "family": [f"FAM-{i % 12:02d}" for i in range(n_items)],
        "unit": "pcs",
        "unit_cost": np.round(price * 0.6, 2),
        "price": price,
    })
    cities = [
        ("Shanghai", "East", 31.23, 121.47), ("Beijing", "North", 39.90, 116.41),
        ("Guangzhou", "South", 23.13, 113.26), ("Shenzhen", "South", 22.54, 114.06),
        ("Chengdu", "West", 30.57, 104.07), ("Wuhan", "Central", 30.59, 114.31),
        ("Hangzhou", "East", 30.27, 120.16), ("Xi'an", "West", 34.34, 108.94),
        ("Nanjing", "East", 32.06, 118.80), ("Tianjin", "North", 39.34, 117.36),
    ]
    rows = []
    for kind, prefix, count in (("dc", "DC-", 8), ("store", "ST-", 12), ("customer", "CU-", 30)):
        for i in range(1, count + 1):
            city, region, lat, lon = cities[int(rng.integers(len(cities)))]
            rows.append({
                "code": f"{prefix}{i:03d}", "name": f"{kind.upper()} {city} {i}", "kind": kind,
                "lat": round(lat + rng.normal(0, 0.1), 4), "lon": round(lon + rng.normal(0, 0.1), 4),
                "timezone": "Asia/Shanghai", "city": city, "region": region, "country": "CN",
            })
    return items, pd.DataFrame(rows)


def generate_csv(path: Path, rows: int, seed: int = SEED, end: dt.date | None = None) -> int:
    """Write ``rows`` sales-order lines to ``path``; returns the number of orders."""
    import numpy as np
    import pandas as pd

    from supplypilot.data.model import CHANNELS, SALES_STATUSES

    rng = np.random.default_rng(seed + 1)
    items, locs = master_data(seed)
    end = end or (dt.date.today() - dt.timedelta(days=1))
    # orders of 1..5 lines
    lines = rng.integers(1, 6, size=rows // 3 + 16)
    while lines.sum() < rows:
        lines = np.concatenate([lines, rng.integers(1, 6, size=rows // 3 + 16)])
    cum = np.cumsum(lines)
    k = int(np.searchsorted(cum, rows)) + 1
    lines = lines[:k].copy()
    lines[-1] -= int(cum[k - 1] - rows)
    order = np.repeat(np.arange(k), lines)
    starts = np.concatenate([[0], np.cumsum(lines)[:-1]])
    line_no = np.arange(rows) - np.repeat(starts, lines) + 1
    # order header: number (increasing with date), date, location, channel, customer
    numbers = pd.Series(np.arange(12_345, 12_345 + k)).astype(str).str.zfill(8)
    numbers = ("SO-" + numbers).to_numpy(dtype=object)
    age = np.sort(rng.integers(0, 730, size=k))[::-1]
    order_day = np.datetime64(end, "D") - age.astype("timedelta64[D]")
    requested = order_day + rng.integers(0, 15, size=k).astype("timedelta64[D]")
    ship_from = locs.loc[locs["kind"].isin(["dc", "store"]), "code"].to_numpy(dtype=object)
    customers = locs.loc[locs["kind"] == "customer", "code"].to_numpy(dtype=object)
    channel = rng.choice(np.array(CHANNELS, dtype=object), size=k, p=[0.4, 0.3, 0.2, 0.1])
    customer = customers[rng.integers(len(customers), size=k)]
    customer[np.isin(channel, ["store", "online"])] = None  # anonymous retail customers
    requested_txt = np.datetime_as_string(requested).astype(object)
    requested_txt[rng.random(k) < 0.05] = None
    # line attributes
    item_idx = rng.integers(len(items), size=rows)
    base = items["price"].to_numpy()[item_idx]
    unit_price = np.round(np.maximum(base * (1 + rng.normal(0, 0.05, rows)), 0.01), 2)
    status = rng.choice(np.array(SALES_STATUSES, dtype=object), size=rows,
                        p=[0.15, 0.20, 0.55, 0.06, 0.04])
    frame = pd.DataFrame({
        "order_number": numbers[order],
        "line_no": line_no,
        "item_code": items["code"].to_numpy(dtype=object)[item_idx],
        "location_code": ship_from[rng.integers(len(ship_from), size=k)][order],
        "customer_code": customer[order],
        "order_date": np.datetime_as_string(order_day).astype(object)[order],
        "requested_date": requested_txt[order],
        "qty": rng.integers(1, 51, size=rows),
        "unit_price": unit_price,
        "channel": channel[order],
        "status": status,
    })
    frame.to_csv(path, index=False)
    return k


# --------------------------------------------------------------------------- one measurement












def _fresh_file(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(str(path) + suffix).unlink(missing_ok=True)


def _sp_import(store: Any, csv: Path) -> dict[str, Any]:
    from supplypilot.data.ingest import import_paths

    report = import_paths(store, [csv], entity="sales_orders")
    f = report.files[0]
    return {"inserted": f.inserted, "updated": f.updated, "batch_id": f.batch_id}


def _sp_counts(store: Any, batch_id: int | None) -> dict[str, Any]:
    from sqlalchemy import func, select

    from supplypilot.data.model import SalesOrderLine

    with store.engine.connect() as conn:
        stored = conn.execute(select(func.count()).select_from(SalesOrderLine)).scalar_one()
        lineage = conn.execute(
            select(func.count()).select_from(SalesOrderLine)
            .where(SalesOrderLine.batch_id == batch_id, SalesOrderLine.source_row.is_not(None))
        ).scalar_one()
    return {"stored_rows": int(stored), "lineage_rows": int(lineage)}


def _sp_store(name: str, work: Path, pg_url: str | None, seed: int) -> Any:
    """Untimed setup of a SupplyPilot store with the referenced items and locations."""
    from supplypilot.data.ingest import import_frames
    from supplypilot.data.store import Store

    if name == "sp_sqlite_reimport":
        path = work / "store.db"
        if not path.exists():
            raise RuntimeError("sp_sqlite_reimport needs the store written by sp_sqlite")
        return Store(f"sqlite:///{path}", create=False)
    if name == "sp_sqlite":
        path = work / "store.db"
        _fresh_file(path)
        store = Store(f"sqlite:///{path}")
    else:
        assert pg_url
        store = Store(pg_url, create=False)
        store.drop_all()
        store.upgrade()
    items, locs = master_data(seed)
    import_frames(store, {"items": items, "locations": locs}, "benchmark-master-data")
    return store


def run_one(name: str, csv: Path, work: Path, pg_url: str | None, seed: int,
            profile: Path | None = None) -> dict[str, Any]:
    """Set up (untimed), run the timed section once, check (untimed); returns the numbers."""
    import pandas as pd

    extra: dict[str, Any] = {}
    if name == "read_csv":
        def setup() -> Any:
            return None

        def timed(_: Any) -> dict[str, Any]:
            return {"rows": len(pd.read_csv(csv))}
    elif name in ("tosql_sqlite", "tosql_pg"):
        from sqlalchemy import create_engine, text

        def setup() -> Any:
            if name == "tosql_sqlite":
                path = work / "reference.db"
                _fresh_file(path)
                return create_engine(f"sqlite:///{path}")
            engine = create_engine(pg_url)
            with engine.begin() as conn:
                conn.execute(text(f"DROP TABLE IF EXISTS {REF_TABLE}"))
            return engine

        def timed(engine: Any) -> dict[str, Any]:
            df = pd.read_csv(csv)
            if name == "tosql_sqlite":
                df.to_sql(TABLE, engine, if_exists="append", index=False)
            else:
                df.to_sql(REF_TABLE, engine, if_exists="append", index=False, **TO_SQL_PG)
            return {"rows": len(df)}
    elif name in ("sp_sqlite", "sp_pg", "sp_sqlite_reimport"):
        def setup() -> Any:
            store = _sp_store(name, work, pg_url, seed)
            extra["stored_before"] = _sp_counts(store, None)["stored_rows"]
            return store

        def timed(store: Any) -> dict[str, Any]:
            return _sp_import(store, csv)
    else:
        raise SystemExit(f"unknown measurement {name!r}; expected one of {', '.join(MEASUREMENTS)}")

    ctx = setup()
    gc.collect()
    mem_method = measure.reset_peak()
    rss_before = measure.rss()
    prof = None
    if profile is not None:
        import cProfile

        prof = cProfile.Profile()
        prof.enable()
    t0 = time.perf_counter()
    out = timed(ctx)
    seconds = time.perf_counter() - t0
    if prof is not None:
        prof.disable()
        profile.parent.mkdir(parents=True, exist_ok=True)
        prof.dump_stats(str(profile))
    peak = measure.peak(mem_method)
    out.update(extra)
    if name.startswith("sp_"):
        out.update(_sp_counts(ctx, out["batch_id"]))
        out["rows"] = out["inserted"] + out["updated"]
        ctx.dispose()
    elif name == "tosql_pg":
        with ctx.begin() as conn:
            conn.execute(text(f"DROP TABLE IF EXISTS {REF_TABLE}"))
    if name.startswith("tosql"):
        ctx.dispose()
    out.update({
        "name": name, "seconds": seconds, "rss_before": rss_before, "peak_rss": peak,
        "peak_delta": max(0, peak - rss_before), "memory_method": mem_method,
        "profiled": profile is not None,
    })
    return out


# --------------------------------------------------------------------------- orchestration


def _pg_probe(admin_url: str) -> tuple[str | None, str | None]:
    """(server version, None) or (None, why it cannot be used)."""
    try:
        from sqlalchemy import create_engine, text

        engine = create_engine(admin_url, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            version = conn.execute(text("SHOW server_version")).scalar_one()
        engine.dispose()
        return str(version), None
    except Exception as exc:  # any driver / network / auth error means "skip"
        return None, f"{type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''}"


def _pg_admin(admin_url: str, sql: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(sql))
    engine.dispose()


def _scratch_url(admin_url: str, dbname: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(admin_url).set(database=dbname).render_as_string(hide_password=False)


def _spawn(name: str, args: argparse.Namespace, csv: Path, work: Path, pg_url: str | None,
           profile_dir: Path | None) -> dict[str, Any]:
    result = work / f"{name}.result.json"
    result.unlink(missing_ok=True)
    cmd = [sys.executable, str(Path(__file__).resolve()), "--one", name, "--csv", str(csv),
           "--work", str(work), "--seed", str(args.seed), "--result", str(result)]
    if pg_url:
        cmd += ["--pg-url", pg_url]
    if profile_dir is not None:
        cmd += ["--profile", str(profile_dir / f"ingest-{name}.prof")]
    proc = subprocess.run(cmd, stdout=sys.stderr, stderr=sys.stderr, check=False)
    if proc.returncode != 0 or not result.exists():
        return {"name": name, "error": f"measurement process exited with status {proc.returncode}"}
    return json.loads(result.read_text())


def _versions(pg_version: str | None) -> dict[str, str]:
    import sqlite3

    import numpy
    import pandas
    import sqlalchemy

    out = {
        "python": platform.python_version(), "pandas": pandas.__version__,
        "numpy": numpy.__version__, "SQLAlchemy": sqlalchemy.__version__,
        "sqlite3": sqlite3.sqlite_version,
    }
    for mod in ("pandera", "psycopg"):
        with contextlib.suppress(Exception):
            out[mod] = __import__(mod).__version__
    out["PostgreSQL"] = pg_version or "unavailable"
    return out


def _machine() -> dict[str, Any]:
    import psutil

    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {
        "cpu": cpu, "logical_cores": os.cpu_count(),
        "physical_cores": psutil.cpu_count(logical=False),
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "platform": platform.platform(terse=True),
    }


def _measured_note() -> str:
    note = (
        "SupplyPilot import = `import_paths(store, [csv])`: read (file bytes, SHA-256, encoding "
        "detection, pandas C parser with every column as text) + validation (type coercion and "
        "cleaning of values: whitespace trimmed, thousands separators, date formats, defaults "
        "filled; nulls, bounds, choices and natural-key uniqueness via pandera; dates not in the "
        "future; foreign keys against the store) + write in one transaction (upsert on the natural "
        "key (order_number, line_no), `batch_id`/`source_row` lineage on every row, one "
        "`import_batch` row). Duplicate natural keys are refused by validation, never dropped "
        "silently."
    )
    cleaning = None
    if importlib.util.find_spec("supplypilot.data.cleaning") is not None:
        with contextlib.suppress(Exception):
            cleaning = importlib.import_module("supplypilot.data.cleaning")
    if cleaning is None:
        note += " There is no separate cleaning step (no `supplypilot.data.cleaning` module)."
    elif hasattr(cleaning, "drop_duplicates"):
        note += (
            " `supplypilot.data.cleaning.drop_duplicates` is not called: the same duplicate check "
            "runs inside validation, which refuses a file with repeated natural keys (the other "
            "cleaning functions work on stored series, not at import, and are not run)."
        )
    else:
        note += " `supplypilot.data.cleaning` is a separate step and is not run."
    note += (
        " The references are what people write: `pd.read_csv(path)` (types inferred, dates left "
        "as text), `df.to_sql(..., if_exists='append', index=False)` into a new table without "
        "indexes, keys or constraints, pandas defaults (`method=None`, no chunksize; default "
        "SQLite settings). `method='multi'` was ~10× slower on PostgreSQL in trials, so the "
        "faster default is the reference. SupplyPilot writes into the migrated schema with its "
        "unique key, 4 secondary indexes and foreign keys (SQLite: WAL, synchronous=NORMAL, "
        "foreign_keys=ON)."
    )
    return note


def run_all(args: argparse.Namespace) -> int:
    from rich.console import Console

    console = Console(stderr=args.json, width=None if sys.stderr.isatty() else 150)
    rows = QUICK_ROWS if args.quick else args.rows
    base = Path(args.workdir) if args.workdir else None
    tmp = Path(tempfile.mkdtemp(prefix="supplypilot-bench-", dir=base))
    profile_dir = Path(args.profile_dir).resolve() if args.profile_dir else None
    admin_url = args.pg_url or os.environ.get("SUPPLYPILOT_BENCH_PG_URL") or DEFAULT_PG_URL
    scratch_db = f"supplypilot_bench_{os.getpid()}"
    pg_version, pg_reason = (None, "disabled with --no-postgres") if args.no_postgres else _pg_probe(admin_url)
    pg_created = False
    status = 0
    try:
        csv = tmp / "sales_orders.csv"
        t0 = time.perf_counter()
        orders = generate_csv(csv, rows, args.seed)
        gen_s = time.perf_counter() - t0
        size_mb = csv.stat().st_size / 1e6
        console.print(f"generated {rows:,} sales lines ({orders:,} orders, {size_mb:.1f} MB) "
                      f"in {gen_s:.1f} s → {csv}", highlight=False)
        pg_url = None
        if pg_version is None:
            console.print(f"[yellow]PostgreSQL unavailable ({pg_reason}) at "
                          f"{_redact(admin_url)}: skipping the PostgreSQL rows[/yellow]")
        else:
            _pg_admin(admin_url, f'DROP DATABASE IF EXISTS "{scratch_db}"')
            _pg_admin(admin_url, f'CREATE DATABASE "{scratch_db}"')
            pg_created = True
            pg_url = _scratch_url(admin_url, scratch_db)
        names = [n for n in RUN_ORDER if pg_url or MEASUREMENTS[n][1] != "postgresql"]
        raw: dict[str, list[dict[str, Any]]] = {}
        profiled: dict[str, float | None] = {}
        load_before = measure.loadavg()
        for name in names:
            for rep in range(args.repeat):
                console.print(f"· {MEASUREMENTS[name][0]}"
                              + (f" (run {rep + 1}/{args.repeat})" if args.repeat > 1 else "")
                              + " …", highlight=False)
                raw.setdefault(name, []).append(_spawn(name, args, csv, tmp, pg_url, None))
            if profile_dir is not None and name.startswith("sp_"):
                # an extra, untimed-for-the-table run under cProfile (the profiler slows it down)
                console.print(f"· {MEASUREMENTS[name][0]} under cProfile …", highlight=False)
                prof = _spawn(name, args, csv, tmp, pg_url, profile_dir)
                profiled[name] = prof.get("seconds")
        load_after = measure.loadavg()
        results = _summarise(raw, rows)
        for r in results:
            if r.get("error"):
                status = 1
                console.print(f"[red]{r['label']}: {r['error']}[/red]")
        doc = {
            "settings": {
                "rows": rows, "orders": orders, "file_mb": round(size_mb, 2), "seed": args.seed,
                "repeat": args.repeat, "workdir": str(tmp), "quick": bool(args.quick),
                "generated_seconds": round(gen_s, 3),
                "date": dt.datetime.now().isoformat(timespec="seconds"),
                "load_average_1m": {"before": load_before, "after": load_after},
                "machine": _machine(), "versions": _versions(pg_version),
            },
            "postgres": {"available": pg_version is not None, "reason": pg_reason,
                         "admin_url": _redact(admin_url), "scratch_db": scratch_db if pg_url else None,
                         "to_sql": TO_SQL_PG},
            "results": results,
            "goals": _goals(results),
            "memory_method": MEMORY_METHOD,
            "measured": _measured_note(),
            "profiles": ({"dir": str(profile_dir), "seconds_under_profiler": profiled}
                         if profile_dir else None),
        }
        console.print(_rich_table(doc))
        for line in _footer_lines(doc):
            console.print(line, highlight=False, markup=False)
        if not args.no_save:
            RESULTS.parent.mkdir(parents=True, exist_ok=True)
            RESULTS.write_text(_markdown(doc), encoding="utf-8")
            console.print(f"saved {RESULTS}", highlight=False)
        if args.json:
            print(json.dumps(doc, indent=2, default=str))
        if pg_version is None and args.require_postgres:
            console.print("[red]--require-postgres: PostgreSQL was not reachable[/red]")
            status = status or 3
    finally:
        if pg_created:
            try:
                _pg_admin(admin_url, f'DROP DATABASE IF EXISTS "{scratch_db}" WITH (FORCE)')
            except Exception as exc:  # report, do not hide the benchmark's own outcome
                console.print(f"[red]could not drop the scratch database {scratch_db}: {exc}[/red]")
        if args.keep:
            console.print(f"kept {tmp}", highlight=False)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return status




def _redact(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _summarise(raw: dict[str, list[dict[str, Any]]], rows: int) -> list[dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for name, (label, database, ref) in MEASUREMENTS.items():
        runs = raw.get(name)
        if not runs:
            continue
        errors = [r["error"] for r in runs if r.get("error")]
        r: dict[str, Any] = {"name": name, "label": label, "database": database, "ref": ref}
        if errors:
            r.update(error=errors[0], seconds=None, rows_per_s=None)
            out[name] = r
            continue
        secs = [x["seconds"] for x in runs]
        last = runs[-1]
        r.update(
            seconds=statistics.median(secs), seconds_all=secs, rows=last["rows"],
            rows_per_s=last["rows"] / statistics.median(secs),
            peak_rss_mb=max(x["peak_rss"] for x in runs) / 2**20,
            peak_delta_mb=max(x["peak_delta"] for x in runs) / 2**20,
            rss_before_mb=last["rss_before"] / 2**20, memory_method=last["memory_method"],
        )
        for key in ("inserted", "updated", "stored_rows", "stored_before", "lineage_rows", "batch_id"):
            if key in last:
                r[key] = last[key]
        if name.startswith("sp_"):
            problems = []
            if r["stored_rows"] != rows:
                problems.append(f"stored {r['stored_rows']:,} rows, generated {rows:,}")
            if r["lineage_rows"] != rows:
                problems.append(f"{r['lineage_rows']:,} rows carry this batch's lineage, not {rows:,}")
            if name == "sp_sqlite_reimport" and (r["stored_before"] != r["stored_rows"] or r["inserted"]):
                problems.append(f"re-import changed the row count {r['stored_before']:,} → "
                                f"{r['stored_rows']:,} (inserted {r['inserted']:,})")
            if problems:
                r["error"] = "; ".join(problems)
        out[name] = r
    for r in out.values():
        ref = out.get(r["ref"]) if r["ref"] else None
        if ref and r.get("seconds") and ref.get("seconds"):
            r["ratio_vs_ref"] = r["seconds"] / ref["seconds"]
    return list(out.values())


def _goals(results: list[dict[str, Any]]) -> dict[str, Any]:
    by = {r["name"]: r for r in results}
    goals: dict[str, Any] = {}
    sp = by.get("sp_sqlite")
    if sp and sp.get("rows_per_s"):
        goals["sqlite_rows_per_s"] = round(sp["rows_per_s"])
        goals["sqlite_rows_per_s_goal"] = SQLITE_GOAL
        goals["sqlite_rows_per_s_met"] = sp["rows_per_s"] >= SQLITE_GOAL
    for name in ("sp_sqlite", "sp_pg", "sp_sqlite_reimport"):
        r = by.get(name)
        if r and r.get("ratio_vs_ref") is not None:
            goals[f"{name}_not_slower_than_to_sql"] = r["ratio_vs_ref"] <= 1.0
    return goals


def _fmt_row(r: dict[str, Any]) -> list[str]:
    if r.get("seconds") is None:
        return [r["label"], "failed", "—", "—", "—", "—", "—"]
    ratio = r.get("ratio_vs_ref")
    if ratio is not None:
        ratio_txt = f"{ratio:.2f}×"
    elif r["name"].startswith("tosql"):
        ratio_txt = "1.00× (ref)"
    else:
        ratio_txt = "—"
    stored = "—"
    if "stored_rows" in r:
        stored = f"{r['stored_rows']:,} (+{r['inserted']:,} / ~{r['updated']:,})"
    secs = f"{r['seconds']:.2f}"
    if len(r.get("seconds_all", ())) > 1:
        secs += f" ({min(r['seconds_all']):.1f}–{max(r['seconds_all']):.1f})"
    return [
        r["label"], secs, f"{r['rows_per_s']:,.0f}", ratio_txt,
        f"{r['peak_rss_mb']:,.0f}", f"{r['peak_delta_mb']:,.0f}", stored,
    ]


HEADERS = ["measurement", "seconds (min–max)", "rows/s", "time ÷ to_sql ref", "peak RSS MB",
           "Δ peak MB", "stored (inserted / updated)"]


def _settings_line(doc: dict[str, Any]) -> str:
    s = doc["settings"]
    m, v, load = s["machine"], s["versions"], s["load_average_1m"]
    vers = ", ".join(f"{k} {val}" for k, val in v.items())
    return (f"{s['rows']:,} rows ({s['orders']:,} orders), {s['file_mb']:.1f} MB CSV, seed {s['seed']}, "
            f"repeat {s['repeat']} (median) · {m['cpu']}, {m['logical_cores']} logical / "
            f"{m['physical_cores']} physical cores, {m['memory_gb']} GB RAM, 1-min load average "
            f"{load['before']} before / {load['after']} after · {vers}")


def _footer_lines(doc: dict[str, Any]) -> list[str]:
    lines = []
    g = doc["goals"]
    if "sqlite_rows_per_s" in g:
        lines.append(
            f"Goal ≥ {g['sqlite_rows_per_s_goal']:,} rows/s into SQLite: {g['sqlite_rows_per_s']:,} rows/s "
            f"— {'met' if g['sqlite_rows_per_s_met'] else 'NOT met'}."
        )
    for name in ("sp_sqlite", "sp_pg", "sp_sqlite_reimport"):
        key = f"{name}_not_slower_than_to_sql"
        if key in g:
            lines.append(f"Goal not slower than read_csv + to_sql ({MEASUREMENTS[name][0]}): "
                         f"{'met' if g[key] else 'NOT met'}.")
    if not doc["postgres"]["available"]:
        lines.append(f"PostgreSQL rows skipped: {doc['postgres']['reason']}.")
    lines.append("Ratio = seconds ÷ seconds of the read_csv + to_sql reference into the same database "
                 "(≤ 1.00 is not slower). Timed: the work only, in a fresh process after imports; the "
                 "CSV is in the OS page cache (generated just before).")
    lines.append("Memory: " + MEMORY_METHOD)
    lines.append("Measured: " + doc["measured"])
    return lines


def _rich_table(doc: dict[str, Any]) -> Any:
    from rich.table import Table

    table = Table(title="SupplyPilot ingestion benchmark", caption=_settings_line(doc),
                  caption_justify="left")
    for i, h in enumerate(HEADERS):
        table.add_column(h, justify="left" if i in (0, 6) else "right")
    for r in doc["results"]:
        table.add_row(*_fmt_row(r))
    return table


def _markdown(doc: dict[str, Any]) -> str:
    s = doc["settings"]
    out = [
        "# Ingestion benchmark",
        "",
        f"Generated by `benchmarks/ingest.py` on {s['date']}"
        + (" (`--quick`)" if s["quick"] else "") + ".",
        "",
        "| " + " | ".join(HEADERS) + " |",
        "| " + " | ".join(["---"] + ["---:"] * 5 + ["---"]) + " |",
    ]
    for r in doc["results"]:
        out.append("| " + " | ".join(_fmt_row(r)) + " |")
    out += ["", "**Settings:** " + _settings_line(doc), ""]
    out += [f"- {line}" for line in _footer_lines(doc)]
    out.append("")
    return "\n".join(out)


# --------------------------------------------------------------------------- CLI


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rows", type=int, default=1_000_000, help="rows to generate (default 1,000,000)")
    p.add_argument("--quick", action="store_true", help=f"{QUICK_ROWS:,} rows (tests)")
    p.add_argument("--repeat", type=int, default=1, help="runs per measurement; the median is shown")
    p.add_argument("--seed", type=int, default=SEED)
    p.add_argument("--json", action="store_true", help="JSON on stdout (the table goes to stderr)")
    p.add_argument("--no-save", action="store_true", help=f"do not write {RESULTS.relative_to(HERE.parent)}")
    p.add_argument("--pg-url", help=f"administrative PostgreSQL URL (default {DEFAULT_PG_URL})")
    p.add_argument("--no-postgres", action="store_true", help="skip the PostgreSQL rows")
    p.add_argument("--require-postgres", action="store_true",
                   help="exit non-zero when PostgreSQL cannot be reached")
    p.add_argument("--workdir", help="parent folder of the temporary files (default: system temp)")
    p.add_argument("--keep", action="store_true", help="keep the temporary folder")
    p.add_argument("--profile-dir", help="after the timed runs, run each SupplyPilot measurement "
                   "once more under cProfile into DIR/ingest-NAME.prof (not used in the table)")
    # internal: one measurement in this (fresh) process
    p.add_argument("--one", help=argparse.SUPPRESS)
    p.add_argument("--csv", help=argparse.SUPPRESS)
    p.add_argument("--work", help=argparse.SUPPRESS)
    p.add_argument("--result", help=argparse.SUPPRESS)
    p.add_argument("--profile", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.one:
        out = run_one(args.one, Path(args.csv), Path(args.work), args.pg_url, args.seed,
                      Path(args.profile) if args.profile else None)
        text = json.dumps(out, default=str)
        if args.result:
            Path(args.result).write_text(text)
        else:
            print(text)
        return 0
    if args.repeat < 1 or args.rows < 1:
        p.error("--rows and --repeat must be positive")
    return run_all(args)


if __name__ == "__main__":
    sys.exit(main())
