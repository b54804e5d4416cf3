"""The engine's connection handling: PostgreSQL reads without a transaction of their own,
writes all-or-nothing; SQLite writer processes taking turns on a file lock."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from crampwise.store import open_store
from crampwise.store.engine import PG_POOL_SIZE, WRITE_OPTION, WriterTurn, make_engine, writer_turn
from crampwise.store.tables import users


@pytest.fixture
def pg_engine(postgres_url: str) -> Iterator[sa.Engine]:
    engine = make_engine(postgres_url)
    yield engine
    engine.dispose()


def _in_transaction(conn: sa.Connection) -> bool:
    dbapi = conn.connection.dbapi_connection
    assert dbapi is not None
    return bool(dbapi.info.transaction_status != 0)  # psycopg: 0 is IDLE


@pytest.mark.postgres
def test_a_postgres_read_opens_no_transaction_and_a_write_does(pg_engine: sa.Engine) -> None:
    read = {WRITE_OPTION: False}
    with pg_engine.connect().execution_options(**read) as conn, conn.begin():
        conn.execute(sa.select(users.c.id)).all()
        # autocommit: no BEGIN went before the statement, no ROLLBACK will follow it
        assert not _in_transaction(conn)
    with pg_engine.begin() as conn:
        conn.execute(sa.select(users.c.id)).all()
        assert _in_transaction(conn)
    # back at rest in the pool: the next read again runs on its own
    with pg_engine.connect().execution_options(**read) as conn, conn.begin():
        conn.execute(sa.select(users.c.id)).all()
        assert not _in_transaction(conn)
    assert pg_engine.pool.size() == PG_POOL_SIZE  # type: ignore[attr-defined]


@pytest.mark.postgres
def test_a_failed_postgres_write_leaves_nothing(pg_engine: sa.Engine) -> None:
    with pytest.raises(sa.exc.IntegrityError), pg_engine.begin() as conn:
        conn.execute(users.insert().values(name="first"))
        conn.execute(users.insert().values(name="first"))  # names are unique
    with pg_engine.connect() as conn:
        assert conn.execute(sa.select(users.c.name)).all() == []


@pytest.mark.postgres
def test_postgres_has_no_writer_turn(pg_engine: sa.Engine) -> None:
    assert writer_turn(pg_engine) is None


def test_writer_turns_on_one_file_queue(sqlite_url: str) -> None:
    store = open_store(sqlite_url)
    # Two turns on one file, each with its own open file as two processes have.
    first, second = writer_turn(store.engine), writer_turn(store.engine)
    assert isinstance(first, WriterTurn) and isinstance(second, WriterTurn)
    got: list[str] = []

    def take_second() -> None:
        with second:
            got.append("second")

    waiter = threading.Thread(target=take_second)
    with first:
        waiter.start()
        waiter.join(timeout=0.3)
        assert got == []  # waits while the first holds the turn
    waiter.join(timeout=10)
    assert got == ["second"]  # and gets it once the first lets go
    first.close()
    second.close()
    store.close()
