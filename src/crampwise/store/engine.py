"""Engine set-up: SQLite pragmas and write locking, PostgreSQL URLs, schema upgrades.

SQLite: every connection gets WAL, `synchronous=FULL` (a logged cramp survives a power
cut), foreign keys and a busy timeout. pysqlite's own transaction handling is switched off
and SQLAlchemy's `begin` event emits BEGIN ourselves (the SQLAlchemy docs' pysqlite
"Serializable isolation / Savepoints / Transactional DDL" recipe): writes use
`BEGIN IMMEDIATE`, so two writers queue on the busy timeout instead of failing half-way.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.pool import ConnectionPoolEntry

from crampwise.errors import InputError

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
BUSY_TIMEOUT_MS = 10_000
# Execution option read by the `begin` hook: False = a read (plain deferred BEGIN).
WRITE_OPTION = "crampwise_write"


def normalise_url(url: str) -> str:
    """Map `postgres://` and `postgresql://` to the psycopg 3 driver we ship."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def make_engine(url: str) -> sa.Engine:
    """An engine for `url`; SQLite files get their folder created and the pragmas above."""
    url = normalise_url(url)
    try:
        parsed = sa.make_url(url)
        parsed.get_dialect()  # an unknown dialect or driver fails here, not mid-command
    except (sa.exc.ArgumentError, sa.exc.NoSuchModuleError, ImportError) as exc:
        # The URL itself is not echoed: it may hold a password.
        raise InputError(f"database URL (CRAMPWISE_DATABASE_URL): {exc}") from None
    if parsed.get_backend_name() != "sqlite":
        return sa.create_engine(url, pool_pre_ping=True)
    if parsed.database and parsed.database != ":memory:":
        # "~" means the home folder here, as in a shell (SQLAlchemy would take it literally).
        path = Path(parsed.database).expanduser()
        path.parent.mkdir(parents=True, exist_ok=True)
        parsed = parsed.set(database=str(path))
    engine = sa.create_engine(parsed)
    event.listen(engine, "connect", _sqlite_on_connect)
    event.listen(engine, "begin", _sqlite_on_begin)
    return engine


class ChangeCounter:
    """A cheap "has anything changed?" probe for an SQLite file (`change_counter`)."""

    def __init__(self, path: str):
        # mode=rw: the probe may never create a file of its own (it would then never change).
        uri = Path(path).as_uri() + "?mode=rw"
        self._conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
        self._conn.execute("PRAGMA query_only = ON")
        self._cursor = self._conn.cursor()
        # One cursor: a thread-pool caller and the event loop must not use it at once.
        self._lock = threading.Lock()

    def __call__(self) -> int:
        with self._lock:
            value: int = self._cursor.execute("PRAGMA data_version").fetchone()[0]
        return value

    def close(self) -> None:
        self._conn.close()


def change_counter(engine: sa.Engine) -> ChangeCounter | None:
    """A probe whose value changes whenever anything commits to `engine`'s SQLite file.

    SQLite's `PRAGMA data_version` on a connection changes whenever any *other* connection
    commits to the file: another thread of this process, the CLI, an import in another
    process. The probe's connection never writes (it is `query_only`), so it sees every
    commit; a call costs a few microseconds. The file is the one the engine itself opened
    (asked of SQLite, not rebuilt from the URL). PostgreSQL has nothing as cheap, and an
    in-memory database cannot be opened twice, so both get None.
    """
    if engine.url.get_backend_name() != "sqlite":
        return None
    with engine.connect() as conn:
        rows = conn.exec_driver_sql("PRAGMA database_list").all()
    path = next((row[2] for row in rows if row[1] == "main"), "")
    return ChangeCounter(path) if path else None


def _sqlite_on_connect(dbapi_connection: sqlite3.Connection, _record: ConnectionPoolEntry) -> None:
    # Hand transaction control to SQLAlchemy's begin hook (see module docstring).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = FULL")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.close()


def _sqlite_on_begin(conn: sa.Connection) -> None:
    write = conn.get_execution_options().get(WRITE_OPTION, True)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


_REVISION = re.compile(r"^revision(?::[^=]*)?\s*=\s*['\"]([^'\"]+)['\"]", re.M)
_DOWN = re.compile(r"^down_revision(?::[^=]*)?\s*=\s*(.+)$", re.M)


def script_heads() -> set[str]:
    """Head revision ids of the migration scripts, read without importing Alembic.

    Parsing the few version files costs well under a millisecond, against ~100 ms for
    Alembic's machinery — this check runs on every command.
    """
    revisions: set[str] = set()
    downs: set[str] = set()
    for path in (MIGRATIONS_DIR / "versions").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        rev = _REVISION.search(text)
        if rev is None:
            continue
        revisions.add(rev.group(1))
        down = _DOWN.search(text)
        if down:
            downs.update(re.findall(r"['\"]([^'\"]+)['\"]", down.group(1)))
    return revisions - downs


def database_revisions(conn: sa.Connection) -> set[str]:
    """The revisions recorded in the database (empty when it has never been migrated)."""
    if not sa.inspect(conn).has_table("alembic_version"):
        return set()
    rows = conn.exec_driver_sql("SELECT version_num FROM alembic_version")
    return {row[0] for row in rows}


def schema_is_current(engine: sa.Engine) -> bool:
    """Whether the database is at the newest schema (the migration scripts' heads)."""
    with engine.connect().execution_options(**{WRITE_OPTION: False}) as conn:
        return database_revisions(conn) == script_heads()


def ensure_schema(engine: sa.Engine) -> None:
    """Upgrade the database to the newest schema, running Alembic only when it is behind."""
    heads = script_heads()
    with engine.connect().execution_options(**{WRITE_OPTION: False}) as conn:
        current = database_revisions(conn)
    if current == heads:
        return
    upgrade(engine)


def alembic_config(engine: sa.Engine | None = None) -> Config:
    """An Alembic config pointing at the packaged migrations (and `engine`, if given)."""
    # Alembic loads only when a schema is behind, not on every command's cold start.
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("path_separator", "os")
    if engine is not None:
        config.attributes["engine"] = engine
    return config


def upgrade(engine: sa.Engine, revision: str = "heads") -> None:
    """Run Alembic's upgrade in one transaction (serialised against concurrent upgrades)."""
    from alembic import command  # as in alembic_config: not on every cold start

    command.upgrade(alembic_config(engine), revision)
