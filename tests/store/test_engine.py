"""Engine set-up: SQLite pragmas and locking, schema upgrades, URLs."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from crampwise.diary.model import Episode
from crampwise.store import open_store
from crampwise.store.engine import (
    alembic_config,
    change_counter,
    database_revisions,
    make_engine,
    normalise_url,
    script_heads,
    upgrade,
)
from crampwise.store.tables import metadata


def test_sqlite_connections_get_durable_pragmas(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    with engine.connect() as conn:
        pragma = {
            name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()
            for name in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")
        }
    engine.dispose()
    assert pragma == {
        "journal_mode": "wal",
        "synchronous": 2,
        "foreign_keys": 1,
        "busy_timeout": 10_000,
    }


def test_write_transactions_take_the_lock_at_begin(sqlite_url: str) -> None:
    """BEGIN IMMEDIATE: while a write transaction is open, another writer cannot start."""
    engine = make_engine(sqlite_url)
    path = sqlite_url.removeprefix("sqlite:///")
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        with engine.begin(), pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
        other.execute("BEGIN IMMEDIATE")  # free again after commit
        other.execute("ROLLBACK")
        # A read transaction (deferred BEGIN) leaves writers alone.
        with engine.connect().execution_options(crampwise_write=False) as conn, conn.begin():
            conn.exec_driver_sql("SELECT count(*) FROM users").scalar()
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
    finally:
        other.close()
        engine.dispose()


def test_script_heads_match_alembic() -> None:
    script = ScriptDirectory.from_config(alembic_config())
    assert script_heads() == set(script.get_heads())
    assert "0001_initial" in {rev.revision for rev in script.walk_revisions()}


def _load_all_tables() -> None:
    import contextlib

    with contextlib.suppress(ImportError):
        import crampwise.store.auth  # noqa: F401
    with contextlib.suppress(ImportError):
        from crampwise.store.care import tables as _care_tables  # noqa: F401


def test_migrations_build_exactly_the_declared_tables(database_url: str) -> None:
    _load_all_tables()
    engine = make_engine(database_url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
        revisions = database_revisions(conn)
    engine.dispose()
    assert diff == []
    assert revisions == script_heads()


def test_downgrade_to_nothing_and_back(database_url: str) -> None:
    engine = make_engine(database_url)
    from alembic import command

    command.downgrade(alembic_config(engine), "base")
    with engine.connect() as conn:
        assert sa.inspect(conn).get_table_names() == ["alembic_version"]
    upgrade(engine)
    with engine.connect() as conn:
        assert database_revisions(conn) == script_heads()
    engine.dispose()


def test_open_store_creates_and_migrates_a_new_file(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "diary.sqlite3"
    with open_store(f"sqlite:///{path}") as store:
        assert store.users() == []
    assert path.exists()


def test_default_database_lives_in_the_data_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CRAMPWISE_DATA_DIR", str(tmp_path / "data"))
    with open_store() as store:
        assert store.diary("me").user_id() is None  # reading never creates the user
        assert store.url.endswith("data/crampwise.sqlite3")
    assert (tmp_path / "data" / "crampwise.sqlite3").exists()


def test_current_schema_opens_without_loading_alembic(sqlite_url: str) -> None:
    """The fast path: a database at head is checked without importing Alembic."""
    code = (
        "import sys; from crampwise.store import open_store; "
        f"open_store({sqlite_url!r}).close(); "
        "print('alembic' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_logging_a_cramp_on_sqlite_never_loads_the_postgresql_dialect(sqlite_url: str) -> None:
    """Importing it costs a cold `crampwise log cramp` ~120 ms; SQLite never needs it."""
    code = (
        "import sys; from datetime import datetime; from crampwise.store import open_store; "
        "from crampwise.diary.model import Episode; "
        f"store = open_store({sqlite_url!r}); "
        "store.diary('me').add_episode(Episode(datetime(2026, 11, 2, 3))); "
        "store.add_episodes_for([('me', Episode(datetime(2026, 11, 2, 4)))], "
        "now=datetime(2026, 11, 3)); store.close(); "
        "print('sqlalchemy.dialects.postgresql' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
        ("sqlite:///x.db", "sqlite:///x.db"),
    ],
)
def test_postgres_urls_use_psycopg3(given: str, expected: str) -> None:
    assert normalise_url(given) == expected


def test_orm_base_shares_the_tables_metadata() -> None:
    from crampwise.store.tables import Base, metadata

    assert Base.metadata is metadata
    assert "episodes" in Base.metadata.tables


def test_change_counter_moves_on_every_commit_from_anywhere(sqlite_url: str) -> None:
    store = open_store(sqlite_url)
    counter = change_counter(store.engine)
    assert counter is not None
    try:
        start = counter()
        store.diary("me").episodes()  # reads commit nothing
        assert counter() == start
        store.diary("me").add_episode(Episode(started_at=datetime(2026, 3, 1, 23, 0)))
        after_own = counter()
        assert after_own != start  # a commit from this process's pool
        path = sa.make_url(sqlite_url).database
        script = (
            "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]);"
            " c.execute('UPDATE episodes SET pain = 3'); c.commit()"
        )
        subprocess.run([sys.executable, "-c", script, str(path)], check=True)
        assert counter() != after_own  # a commit from another process
        before = counter()
        failed = sqlite3.connect(str(path))
        failed.execute("UPDATE episodes SET pain = 9")
        failed.rollback()
        failed.close()
        assert counter() == before  # a rolled-back write is no change
    finally:
        counter.close()
        store.close()


def test_the_access_count_moves_with_sessions_accounts_and_settings_not_diaries(
    sqlite_url: str,
) -> None:
    from datetime import timedelta

    from crampwise.store.auth import AuthStore, hash_token
    from crampwise.store.tables import users

    store = open_store(sqlite_url)
    counter = change_counter(store.engine)
    assert counter is not None
    auth = AuthStore(store.engine)
    try:
        diary = store.diary("me")
        diary.add_episode(Episode(started_at=datetime(2026, 3, 1, 23, 0)))
        user_id = diary.user_id()
        assert user_id is not None
        seen = [counter.access()]
        diary.add_episode(Episode(started_at=datetime(2026, 3, 2, 23, 0)))
        assert counter.access() == seen[-1]  # a cramp is no access change
        raw, _ = auth.create_session(user_id, timedelta(hours=1))
        seen.append(counter.access())
        auth.touch_session(hash_token(raw), datetime(2026, 3, 3, 9, 0))
        assert counter.access() == seen[-1]  # a session's clock is no access change
        auth.set_site_setting("open_signup", "true")
        seen.append(counter.access())
        with store.engine.begin() as conn:
            conn.execute(users.update().where(users.c.id == user_id).values(role="owner"))
        seen.append(counter.access())
        assert len(set(seen)) == 4, seen
    finally:
        counter.close()
        store.close()


def test_a_home_folder_url_opens_one_file_and_the_probe_watches_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # "~" is the home folder, for the engine and for the change probe alike (SQLAlchemy
    # alone would open ./~/cw.sqlite3, and a probe built from the URL text another file).
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    (tmp_path / "~").mkdir()
    store = open_store("sqlite:///~/data/cw.sqlite3")
    counter = change_counter(store.engine)
    assert counter is not None
    try:
        start = counter()
        store.diary("me").add_episode(Episode(started_at=datetime(2026, 3, 1, 23, 0)))
        assert counter() != start
        assert (tmp_path / "home" / "data" / "cw.sqlite3").exists()
        assert not (tmp_path / "~" / "data").exists()
    finally:
        counter.close()
        store.close()


def test_change_counter_is_none_for_in_memory_sqlite() -> None:
    assert change_counter(sa.create_engine("sqlite://")) is None
    assert change_counter(make_engine("sqlite:///:memory:")) is None


@pytest.mark.postgres
def test_change_counter_is_none_on_postgresql(postgres_url: str) -> None:
    assert change_counter(make_engine(postgres_url)) is None
