"""Engine set-up: SQLite pragmas and write locking, PostgreSQL URLs, schema upgrades.

SQLite: every connection gets WAL, `synchronous=FULL` (a logged cramp survives a power
cut), foreign keys and a busy timeout. pysqlite's own transaction handling is switched off
and SQLAlchemy's `begin` event emits BEGIN ourselves (the SQLAlchemy docs' pysqlite
"Serializable isolation / Savepoints / Transactional DDL" recipe): writes use
`BEGIN IMMEDIATE`, so two writers queue on the busy timeout instead of failing half-way.

PostgreSQL: a pooled connection rests in autocommit, and the same `begin` hook turns
autocommit off for writes only. A read (`WRITE_OPTION: False`) then costs one round trip
per statement: no BEGIN before it, no ROLLBACK after it (psycopg sends both as round trips
of their own). Under PostgreSQL's READ COMMITTED each statement of a transaction takes its
own snapshot anyway, so a read of several statements is no less consistent for it. Writes
stay one transaction each (`engine.begin()`, all-or-nothing). No pre-ping on checkout
either: it cost a round trip (two in a transaction) on every request; after a database
restart the first statement on each dead connection fails, SQLAlchemy then drops the whole
pool, and the next request connects afresh.
"""

from __future__ import annotations

import fcntl
import itertools
import re
import sqlite3
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Protocol

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.pool import ConnectionPoolEntry

from crampwise.errors import InputError

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
BUSY_TIMEOUT_MS = 10_000
# PostgreSQL connections a pool keeps open: more than the web tier's threads that use the
# database at once (`web.deps.DB_THREADS` + the writer), so none is opened per request.
PG_POOL_SIZE = 12
_ACCESS_COUNT = "SELECT n FROM change_counts WHERE name = 'access'"
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
        engine = sa.create_engine(url, pool_size=PG_POOL_SIZE, max_overflow=PG_POOL_SIZE)
        event.listen(engine, "connect", _pg_on_connect)
        event.listen(engine, "begin", _pg_on_begin)
        event.listen(engine, "checkin", _pg_on_checkin)
        return engine
    if parsed.database and parsed.database != ":memory:":
        # "~" means the home folder here, as in a shell (SQLAlchemy would take it literally).
        path = Path(parsed.database).expanduser()
        path.parent.mkdir(parents=True, exist_ok=True)
        parsed = parsed.set(database=str(path))
    engine = sa.create_engine(parsed)
    event.listen(engine, "connect", _sqlite_on_connect)
    event.listen(engine, "begin", _sqlite_on_begin)
    return engine


class AccessCounter(Protocol):
    """The database's change probes (`ChangeCounter`, `store.notify.PgChanges`): `access()`
    moves whenever sessions, accounts, settings or sharing change."""

    def access(self) -> int: ...
    def close(self) -> None: ...


class ChangeCounter:
    """Cheap "has anything changed?" probes for an SQLite file (`change_counter`).

    `self()` moves with every commit; `access()` only with commits that touch sessions,
    accounts, settings or sharing (the `change_counts` row that migration 0010's triggers
    bump), so a cramp logged by anyone leaves kept sessions alone."""

    def __init__(self, path: str):
        # mode=rw: the probe may never create a file of its own (it would then never change).
        uri = Path(path).as_uri() + "?mode=rw"
        self._conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
        self._conn.execute("PRAGMA query_only = ON")
        self._cursor = self._conn.cursor()
        self._unknown = itertools.count(1)
        # One cursor: a thread-pool caller and the event loop must not use it at once.
        self._lock = threading.Lock()

    def __call__(self) -> int:
        with self._lock:
            value: int = self._cursor.execute("PRAGMA data_version").fetchone()[0]
        return value

    def access(self) -> int:
        with self._lock:
            try:
                row = self._cursor.execute(_ACCESS_COUNT).fetchone()
            except sqlite3.OperationalError:  # a schema older than 0010 (mid-upgrade)
                row = None
        # Nothing to read: every read is a change, so nothing kept is trusted.
        return int(row[0]) if row is not None else -next(self._unknown)

    def close(self) -> None:
        self._conn.close()


def sqlite_file(engine: sa.Engine) -> str | None:
    """The file an SQLite engine opened (asked of SQLite); None for PostgreSQL or memory."""
    if engine.url.get_backend_name() != "sqlite":
        return None
    with engine.connect() as conn:
        rows = conn.exec_driver_sql("PRAGMA database_list").all()
    return next((row[2] for row in rows if row[1] == "main"), "") or None


class WriterTurn:
    """Whose turn it is to write an SQLite file, among the processes that take turns here.

    SQLite lets one writer in at a time, and one that finds the file locked sleeps in its
    busy handler in growing steps (up to 100 ms) before it looks again, however soon the
    lock is free. Two `crampwise serve` workers, each with its group-commit writer, spent
    most of their time asleep so: 2 workers logged fewer cramps than 1, p99 156 ms. Taking
    an exclusive `flock` on a file beside the database first makes the next writer wait in
    the kernel instead, woken the moment the previous one releases it (after its commit).
    Writers that do not take a turn (the CLI, a one-off form post) still meet SQLite's own
    lock and busy timeout, as before, so correctness never rests on this.
    """

    def __init__(self, database: str):
        self._path = Path(database + "-writer-turn")
        self._file: BinaryIO | None = None  # opened at the first turn, kept open after
        self._lock = threading.Lock()  # flock is per open file: threads queue here first

    def __enter__(self) -> WriterTurn:
        self._lock.acquire()
        try:
            if self._file is None:
                self._file = self._path.open("a+b")
            fcntl.flock(self._file.fileno(), fcntl.LOCK_EX)
        except BaseException:
            self._lock.release()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            if self._file is not None:
                fcntl.flock(self._file.fileno(), fcntl.LOCK_UN)
        finally:
            self._lock.release()

    def close(self) -> None:
        with self._lock:
            if self._file is not None:
                self._file.close()
                self._file = None


def writer_turn(engine: sa.Engine) -> WriterTurn | None:
    """A `WriterTurn` for an SQLite file; None for PostgreSQL (rows lock, not the file)."""
    path = sqlite_file(engine)
    return WriterTurn(path) if path else None


def change_counter(engine: sa.Engine) -> ChangeCounter | None:
    """A probe whose value changes whenever anything commits to `engine`'s SQLite file.

    SQLite's `PRAGMA data_version` on a connection changes whenever any *other* connection
    commits to the file: another thread of this process, the CLI, an import in another
    process. The probe's connection never writes (it is `query_only`), so it sees every
    commit; a call costs a few microseconds. The file is the one the engine itself opened
    (asked of SQLite, not rebuilt from the URL). PostgreSQL has nothing as cheap, and an
    in-memory database cannot be opened twice, so both get None.
    """
    path = sqlite_file(engine)
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


def _pg_on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    # At rest in autocommit (see module docstring): reads send their statement alone.
    dbapi_connection.autocommit = True


def _pg_on_begin(conn: sa.Connection) -> None:
    if conn.get_execution_options().get(WRITE_OPTION, True):
        # psycopg sends BEGIN with the first statement from here on; COMMIT or ROLLBACK
        # at the end, as SQLAlchemy asks.
        conn.connection.dbapi_connection.autocommit = False  # type: ignore[union-attr]


def _pg_on_checkin(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    # Back in the pool after its transaction ended (the pool's reset rolled back whatever
    # was left), so autocommit may be switched on again. None: the connection was dropped.
    if dbapi_connection is None or dbapi_connection.closed:
        return
    try:
        dbapi_connection.autocommit = True
    except Exception:  # still in a failed transaction: its next use begins one, as before
        return


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
