"""The store: an SQLite file by default (WAL mode), PostgreSQL by URL.

The schema is owned by Alembic migrations shipped inside the package, so an embedded store and
a PostgreSQL server are always at the same, known version.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from supplypilot import config
from supplypilot.data.model import Base
from supplypilot.errors import StoreError

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA temp_store=MEMORY")  # sorts for index builds and upserts stay off disk
    cur.execute("PRAGMA cache_size=-262144")  # 256 MiB page cache for bulk imports
    cur.close()


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


class Store:
    """A handle on the database. ``Store()`` opens the configured default.

    Parameters
    ----------
    url
        SQLAlchemy URL; ``None`` reads ``SUPPLYPILOT_DB_URL`` or uses the embedded SQLite file.
    create
        For an SQLite file that does not exist yet, create it and migrate it to the newest
        schema. A server database is never migrated implicitly: run ``supplypilot db upgrade``.
    """

    def __init__(self, url: str | None = None, *, create: bool = True) -> None:
        self.url = url or config.database_url()
        u = make_url(self.url)
        self.dialect = u.get_backend_name()
        kwargs: dict[str, Any] = {}
        if self.dialect == "sqlite":
            if u.database and u.database != ":memory:":
                path = Path(u.database)
                fresh = not path.exists()
                if fresh and not create:
                    raise StoreError(f"No store at {path}; run `supplypilot init` first.")
                path.parent.mkdir(parents=True, exist_ok=True)
        self.engine: Engine = create_engine(self.url, **kwargs)
        if self.dialect == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        if create and self.dialect == "sqlite" and self.schema_revision() is None:
            self.upgrade()

    def __repr__(self) -> str:
        return f"Store({make_url(self.url).render_as_string(hide_password=True)!r})"

    # ----------------------------------------------------------------- schema

    def schema_revision(self) -> str | None:
        """The Alembic revision the database is at, ``None`` for an empty database."""
        try:
            with self.engine.connect() as conn:
                return MigrationContext.configure(conn).get_current_revision()
        except OperationalError as exc:
            raise StoreError(f"Cannot reach the store {self!r}: {exc.orig}") from exc

    @staticmethod
    def head_revision() -> str | None:
        return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()

    def upgrade(self, revision: str = "head") -> str | None:
        """Migrate the database to ``revision``; returns the revision it is at afterwards."""
        cfg = alembic_config(self.url)
        with self.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
        return self.schema_revision()

    def check_schema(self) -> None:
        """Raise :class:`StoreError` unless the database is at the newest migration."""
        current, head = self.schema_revision(), self.head_revision()
        if current != head:
            raise StoreError(
                f"The store {self!r} is at schema {current or 'none'}, this SupplyPilot needs "
                f"{head}: run `supplypilot db upgrade`."
            )

    # ----------------------------------------------------------------- access

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session in one transaction: committed at the end, rolled back on error."""
        with Session(self.engine) as s, s.begin():
            yield s

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        """A connection in one transaction: committed at the end, rolled back on error."""
        with self.engine.begin() as conn:
            yield conn

    def count(self, model: type[Base]) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(model)).scalar_one())

    def counts(self) -> dict[str, int]:
        """Row count of every table, by entity name."""
        out: dict[str, int] = {}
        with self.engine.connect() as conn:
            for mapper in Base.registry.mappers:
                cls = mapper.class_
                n = conn.execute(select(func.count()).select_from(cls)).scalar_one()
                out[cls.__entity__] = int(n)
        return out

    def drop_all(self) -> None:
        """Remove every table including Alembic's version table (tests, ``init --force``)."""
        with self.engine.begin() as conn:
            Base.metadata.drop_all(conn)
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))

    def dispose(self) -> None:
        self.engine.dispose()
