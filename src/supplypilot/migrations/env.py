"""Alembic environment: runs on the connection the Store hands over (or the configured URL)."""

from alembic import context
from sqlalchemy import create_engine

from supplypilot.data.model import Base

target_metadata = Base.metadata
cfg = context.config


def run() -> None:
    conn = cfg.attributes.get("connection")
    if conn is None:
        engine = create_engine(cfg.get_main_option("sqlalchemy.url"))
        with engine.begin() as conn:
            _migrate(conn)
    else:
        _migrate(conn)


def _migrate(conn) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=conn,
        target_metadata=target_metadata,
        render_as_batch=conn.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run()
