"""What every part of a user's diary shares: connections, the user row, clocks."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from types import ModuleType
from typing import Any, cast

import sqlalchemy as sa

from crampwise.errors import InputError
from crampwise.store.engine import WRITE_OPTION
from crampwise.store.tables import users

# What `users.units` may hold: metric (°C, litres) or US customary (°F, fluid ounces).
UNITS = ("metric", "us")


def utc_now() -> datetime:
    """Naive UTC, to the second (record-keeping times; diary times are local wall time)."""
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def local_now() -> datetime:
    """Local wall-clock time, to the second: the `now` a cramp someone logs is checked against."""
    return datetime.now().replace(microsecond=0)


def check_user_name(name: str) -> str:
    """A user name: 1–64 visible characters."""
    clean = name.strip()
    if not clean or len(clean) > 64 or not clean.isprintable():
        raise InputError(f"user name {name!r}: use 1–64 visible characters", field="user")
    return clean


def _insert_dialect(name: str) -> ModuleType:
    """The dialect module whose INSERT has ON CONFLICT, imported only when used: PostgreSQL's
    costs ~120 ms of a cold `crampwise log cramp` on SQLite."""
    if name == "postgresql":
        from sqlalchemy.dialects import postgresql

        return postgresql
    from sqlalchemy.dialects import sqlite

    return sqlite


# Statements compiled once per dialect for `at_once` (module-level statements live forever).
_COMPILED: dict[tuple[str, int], Any] = {}


def at_once(
    conn: sa.Connection, statements: Sequence[sa.Executable], params: Sequence[dict[str, Any]]
) -> list[Sequence[Any]]:
    """Each statement's rows, the statements sent together on PostgreSQL (psycopg's pipeline
    mode): alone, each is a round trip of its own, and a transaction's BEGIN one more. Rows
    are named tuples there (plain columns: dates, numbers, JSON that psycopg decodes, as
    SQLAlchemy's rows give them); elsewhere the statements run one by one."""
    if conn.dialect.name != "postgresql":
        return [conn.execute(q, p).all() for q, p in zip(statements, params, strict=True)]
    from psycopg.rows import namedtuple_row

    compiled = []
    for statement in statements:
        key = (conn.dialect.name, id(statement))
        if key not in _COMPILED:
            _COMPILED[key] = cast(sa.ClauseElement, statement).compile(dialect=conn.dialect)
        compiled.append(_COMPILED[key])
    dbapi: Any = conn.connection.dbapi_connection
    cursors = []
    with dbapi.pipeline():
        for statement, values in zip(compiled, params, strict=True):
            cursor = dbapi.cursor(row_factory=namedtuple_row)
            cursor.execute(str(statement), statement.construct_params(values))
            cursors.append(cursor)
    try:
        return [cursor.fetchall() for cursor in cursors]
    finally:
        for cursor in cursors:
            cursor.close()


class DiaryBase:
    """Holds the engine and the user's name; opens read and write transactions."""

    def __init__(self, engine: sa.Engine, user_name: str) -> None:
        self.engine = engine
        self.user_name = check_user_name(user_name)

    @contextmanager
    def _read(self) -> Iterator[sa.Connection]:
        # Deferred BEGIN on SQLite: readers never take the write lock.
        conn = self.engine.connect().execution_options(**{WRITE_OPTION: False})
        with conn, conn.begin():
            yield conn

    @contextmanager
    def _write(self) -> Iterator[sa.Connection]:
        # BEGIN IMMEDIATE on SQLite (see store.engine); all-or-nothing on every backend.
        with self.engine.begin() as conn:
            yield conn

    def _uid(self, conn: sa.Connection, create: bool = False) -> int | None:
        uid = conn.execute(
            sa.select(users.c.id).where(users.c.name == self.user_name)
        ).scalar_one_or_none()
        if uid is None and create:
            # ON CONFLICT DO NOTHING: two first writes at once both end up with the one row.
            conn.execute(
                _insert_dialect(conn.dialect.name)
                .insert(users)
                .values(name=self.user_name, created_at=utc_now())
                .on_conflict_do_nothing(index_elements=["name"])
            )
            uid = conn.execute(
                sa.select(users.c.id).where(users.c.name == self.user_name)
            ).scalar_one()
        return uid

    def _require_uid(self, conn: sa.Connection) -> int:
        uid = self._uid(conn, create=True)
        assert uid is not None
        return uid

    def user_id(self) -> int | None:
        """The user's row id, or None when they have not written anything yet."""
        with self._read() as conn:
            return self._uid(conn)

    def units(self) -> str:
        """The user's units for temperatures and volumes: 'metric' (default) or 'us'."""
        with self._read() as conn:
            found = conn.execute(
                sa.select(users.c.units).where(users.c.name == self.user_name)
            ).scalar_one_or_none()
        return found if found in UNITS else "metric"

    def set_units(self, units: str) -> str:
        """Store the user's units ('metric' or 'us'); returns them."""
        if units not in UNITS:
            raise InputError(
                f"field 'units': {units!r} is not one of: {', '.join(UNITS)}", field="units"
            )
        with self._write() as conn:
            conn.execute(
                sa.update(users).where(users.c.id == self._require_uid(conn)).values(units=units)
            )
        return units

    def delete_everything(self) -> bool:
        """Delete the user and every row of theirs; True if there was anything to delete."""
        with self._write() as conn:
            result = conn.execute(sa.delete(users).where(users.c.name == self.user_name))
            return bool(result.rowcount)
