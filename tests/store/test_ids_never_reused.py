"""Ids are never given out twice (migration 0009): a deleted row's id stays retired.

Run on both backends: fresh databases, and a database with data at the previous revision
upgraded in place (every row, foreign key and trigger kept).
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command

from crampwise.diary.model import DayLog, Episode
from crampwise.store import Store, open_store
from crampwise.store.auth import AuthStore
from crampwise.store.auth_tables import data_generations
from crampwise.store.care.audit import audit_log
from crampwise.store.care.tables import care_notes
from crampwise.store.engine import MIGRATIONS_DIR, alembic_config, make_engine, upgrade
from crampwise.store.tables import metadata

BEFORE = "0008_invitation_role"
THIS = "0009_ids_never_reused"  # later migrations add tables of their own
WHEN = datetime(2026, 3, 4, 2, 30)


def _migration_tables() -> tuple[str, ...]:
    path = MIGRATIONS_DIR / "versions" / "0009_ids_never_reused.py"
    spec = importlib.util.spec_from_file_location("ids_never_reused", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return tuple(module.TABLES)


def _cramp(minute: int) -> Episode:
    return Episode(datetime(2026, 3, 3, 23, minute), muscle="calf", side="left", duration_s=60)


def _id_tables() -> list[str]:
    return sorted(
        table.name
        for table in metadata.sorted_tables
        if "id" in table.c and table.c.id.primary_key and table.c.id.identity is not None
    )


def test_every_table_with_a_generated_id_is_covered_by_the_migration() -> None:
    assert _id_tables() == sorted(_migration_tables())


def test_fresh_databases_never_reuse_ids(database_url: str) -> None:
    engine = make_engine(database_url)
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            declared = {
                row[0]: row[1]
                for row in conn.exec_driver_sql("SELECT name, sql FROM sqlite_master")
            }
            plain = [name for name in _id_tables() if "AUTOINCREMENT" not in declared[name]]
        else:
            identity = set(
                conn.exec_driver_sql(
                    "SELECT table_name FROM information_schema.columns "
                    "WHERE column_name = 'id' AND is_identity = 'YES'"
                ).scalars()
            )
            plain = [name for name in _id_tables() if name not in identity]
    engine.dispose()
    assert plain == []


def test_a_deleted_account_id_is_not_given_to_the_next(store: Store) -> None:
    auth = AuthStore(store.engine)
    auth.create_account("first", "hash", "user", claim=False)
    newest = auth.create_account("second", "hash", "user", claim=False)
    auth.delete_account(newest.id)
    after = auth.create_account("third", "hash", "user", claim=False)
    assert after.id > newest.id


def test_a_deleted_episode_id_is_not_given_to_the_next(store: Store) -> None:
    diary = store.diary("me")
    diary.add_episode(_cramp(1), now=WHEN)
    newest = diary.add_episode(_cramp(2), now=WHEN)
    assert newest.id is not None
    diary.delete_episode(newest.id)
    again = diary.add_episode(_cramp(3), now=WHEN)
    assert again.id is not None and again.id > newest.id


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with no schema at all."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'old.sqlite3'}"
        return
    server = request.getfixturevalue("postgres_server")
    name = f"old{os.getpid()}_{tmp_path.name.lower().replace('-', '_')[-20:]}"
    server.execute(f"CREATE DATABASE {name}")
    yield server.url(name)


def _counts(conn: sa.Connection) -> dict[str, int]:
    names = sa.inspect(conn).get_table_names()
    return {
        name: conn.exec_driver_sql(f'SELECT count(*) FROM "{name}"').scalar_one()
        for name in sorted(names)
        if name != "alembic_version"
    }


def _foreign_keys(conn: sa.Connection) -> dict[str, list[tuple[str, ...]]]:
    inspector = sa.inspect(conn)
    return {
        name: sorted(
            (
                key["name"] or "",
                *key["constrained_columns"],
                key["referred_table"],
                str(key.get("options", {}).get("ondelete")),
            )
            for key in inspector.get_foreign_keys(name)
        )
        for name in inspector.get_table_names()
    }


def test_upgrading_a_database_with_data_keeps_every_row(empty_url: str) -> None:
    engine = make_engine(empty_url)
    upgrade(engine, BEFORE)
    old = Store(engine)
    auth = AuthStore(engine)
    olive = old.diary("olive")
    olive.add_episode(_cramp(5), now=WHEN)
    olive.put_day(DayLog(date(2026, 3, 3), {"stretched": True}))
    therapist = auth.create_account("theo", "hash", "user", claim=False)
    olive_id = olive.user_id()
    assert olive_id is not None
    gone = auth.create_account("gone", "hash", "user", claim=False)
    with engine.begin() as conn:
        conn.execute(
            care_notes.insert().values(
                client_id=olive_id,
                practitioner_id=therapist.id,
                text="Calf stretch",
                created_at=WHEN,
            )
        )
        conn.execute(audit_log.insert().values(at=WHEN, action="sign_in", outcome="refused"))
    auth.delete_account(gone.id)
    with engine.connect() as conn:
        rows_before, keys_before = _counts(conn), _foreign_keys(conn)
    assert rows_before["episodes"] == rows_before["care_notes"] == 1

    upgrade(engine, THIS)

    with engine.connect() as conn:
        assert _counts(conn) == rows_before
        assert _foreign_keys(conn) == keys_before
        if conn.dialect.name == "sqlite":
            assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        generation = conn.execute(
            sa.select(data_generations.c.generation).where(data_generations.c.user_id == olive_id)
        ).scalar_one()
    # The data-generation triggers still fire, and the audit trail is still append-only.
    olive.add_episode(_cramp(6), now=WHEN)
    with engine.connect() as conn:
        bumped = conn.execute(
            sa.select(data_generations.c.generation).where(data_generations.c.user_id == olive_id)
        ).scalar_one()
    assert bumped > generation
    with pytest.raises(sa.exc.DatabaseError, match="append-only"), engine.begin() as conn:
        conn.execute(audit_log.update().values(detail="changed"))
    newest = auth.create_account("after", "hash", "user", claim=False)
    if engine.dialect.name == "postgresql":
        # The old sequence's position carries over: even the deleted newest id stays retired.
        assert newest.id > gone.id
    else:
        # SQLite kept no record of deleted ids before AUTOINCREMENT: counting starts at the
        # largest id present when the table was rebuilt.
        assert newest.id > therapist.id
    engine.dispose()


def test_downgrade_keeps_the_rows_and_upgrading_again_works(empty_url: str) -> None:
    engine = make_engine(empty_url)
    upgrade(engine)
    with open_store(empty_url) as store:
        first = store.diary("olive").add_episode(_cramp(5), now=WHEN)
    command.downgrade(alembic_config(engine), BEFORE)
    with engine.connect() as conn:
        assert _counts(conn)["episodes"] == 1
    upgrade(engine)
    with open_store(empty_url) as store:
        again = store.diary("olive").add_episode(_cramp(6), now=WHEN)
    assert first.id is not None and again.id is not None and again.id > first.id
    engine.dispose()
