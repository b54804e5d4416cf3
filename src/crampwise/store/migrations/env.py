"""Alembic environment: runs migrations on the engine handed over by crampwise.store.

Migrating twice at once is harmless: on SQLite the upgrade's transaction starts with
BEGIN IMMEDIATE, on PostgreSQL it takes an advisory lock first, so the second upgrade
waits and then finds nothing to do.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

# Every module that attaches tables to the shared metadata is imported (for autogenerate).
from crampwise.store import auth as _auth  # noqa: F401
from crampwise.store import tables
from crampwise.store.care import audit as _audit  # noqa: F401
from crampwise.store.care import tables as _care_tables  # noqa: F401
from crampwise.store.engine import make_engine

config = context.config
engine = config.attributes.get("engine")
if engine is None:  # `alembic -x url=...` from a shell
    url = context.get_x_argument(as_dictionary=True).get("url")
    if not url:
        from crampwise.settings import get_settings

        url = get_settings().database_url
    engine = make_engine(url)


def _run(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SELECT pg_advisory_xact_lock(4242001)")
    context.configure(
        connection=connection,
        target_metadata=tables.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    context.run_migrations()


if engine.dialect.name != "sqlite":
    with engine.begin() as connection:
        _run(connection)
else:
    # Rebuilding a table (batch mode) drops it: with foreign keys on, dropping `users` would
    # cascade-delete every diary. SQLite ignores this PRAGMA inside a transaction, so it is
    # set on the raw connection before BEGIN, checked before COMMIT, and always restored
    # (the connection goes back to the pool).
    with engine.connect() as connection:
        raw = connection.connection.driver_connection
        assert raw is not None
        raw.execute("PRAGMA foreign_keys = OFF")
        try:
            with connection.begin():
                _run(connection)
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
                if broken:
                    raise RuntimeError(
                        f"migration left {len(broken)} rows pointing at nothing"
                        f" (first in table {broken[0][0]}); nothing was changed"
                    )
        finally:
            raw.execute("PRAGMA foreign_keys = ON")
