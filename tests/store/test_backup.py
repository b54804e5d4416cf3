"""`crampwise backup` and `restore` on real files: consistent copies, refusals, a safety copy."""

from __future__ import annotations

import sqlite3
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from crampwise.cli import main
from crampwise.diary.model import Episode
from crampwise.errors import InputError
from crampwise.store import open_store
from crampwise.store.backup import UsePostgresTools, backup, restore

WHEN = datetime(2026, 11, 20, 23, 0)


def _db(tmp_path: Path) -> tuple[str, Path]:
    path = tmp_path / "live.sqlite3"
    if not path.exists():
        with open_store(f"sqlite:///{path}") as store:
            store.diary("me").add_episode(Episode(WHEN, pain=3))
    return f"sqlite:///{path}", path


def _episodes(url: str, user: str = "me") -> list[tuple[datetime, int | None]]:
    with open_store(url) as store:
        return [(e.started_at, e.pain) for e in store.diary(user).episodes()]


def test_a_backup_is_consistent_while_another_writer_is_mid_transaction(tmp_path: Path) -> None:
    url, path = _db(tmp_path)
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE episodes SET pain = 9")  # not committed while the copy is made
    try:
        copy = backup(url, tmp_path / "copy.sqlite3")
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    check = sqlite3.connect(copy)
    assert check.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    check.close()
    assert _episodes(f"sqlite:///{copy}") == [(WHEN, 3)]
    assert not (tmp_path / "copy.sqlite3-wal").exists()  # one self-contained file


def test_backup_never_overwrites_a_file(tmp_path: Path) -> None:
    url, _ = _db(tmp_path)
    (tmp_path / "taken").write_text("mine")
    with pytest.raises(InputError, match="already exists"):
        backup(url, tmp_path / "taken")
    assert (tmp_path / "taken").read_text() == "mine"


def test_restore_brings_back_the_backup_and_keeps_a_safety_copy(tmp_path: Path) -> None:
    url, _ = _db(tmp_path)
    saved = backup(url, tmp_path / "saved.sqlite3")
    with open_store(url) as store:
        store.diary("me").add_episode(Episode(datetime(2026, 11, 21, 2, 0), pain=8))
        # A store left open, as a running server's would be, sees the restored data.
        done = restore(url, saved, now=datetime(2026, 12, 1, 9, 30))
        assert [e.pain for e in store.diary("me").episodes()] == [3]
    assert done.safety_copy == tmp_path / "live.before-restore-20261201-093000.sqlite3"
    assert _episodes(f"sqlite:///{done.safety_copy}") == [(WHEN, 3), (datetime(2026, 11, 21, 2), 8)]
    assert _episodes(url) == [(WHEN, 3)] and not done.upgraded


def test_a_restore_moves_the_access_count_past_the_one_it_replaced(tmp_path: Path) -> None:
    """A running web process keeps sessions while the access count holds still: a restored
    file must not bring back a number it kept them under (the backup fires no trigger)."""
    from crampwise.store.auth import AuthStore
    from crampwise.store.engine import change_counter

    url, _ = _db(tmp_path)
    saved = backup(url, tmp_path / "saved.sqlite3")
    with open_store(url) as store:
        counter = change_counter(store.engine)
        assert counter is not None
        user_id = store.diary("me").user_id()
        assert user_id is not None
        for _ in range(3):  # sign-ins after the backup: the live count runs ahead of it
            AuthStore(store.engine).create_session(user_id, timedelta(hours=1))
        seen = counter.access()
        restore(url, saved)
        assert counter.access() > seen
        counter.close()


def _refused(tmp_path: Path, file: Path, message: str) -> None:
    url, _ = _db(tmp_path)
    with pytest.raises(InputError, match=message):
        restore(url, file)
    assert _episodes(url) == [(WHEN, 3)]
    assert not list(tmp_path.glob("*before-restore*"))


def test_restore_refuses_what_is_not_a_sqlite_file(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello")
    _refused(tmp_path, tmp_path / "notes.txt", "not an SQLite database")
    _refused(tmp_path, tmp_path / "missing.sqlite3", "no such file")


def test_restore_refuses_a_damaged_file(tmp_path: Path) -> None:
    url, _ = _db(tmp_path)
    damaged = backup(url, tmp_path / "damaged.sqlite3")
    data = bytearray(damaged.read_bytes())
    page = 4096
    for offset in range(2 * page, len(data) - page, page):
        data[offset + 8 : offset + 200] = b"\xa5" * 192  # scribble over each page's cells
    damaged.write_bytes(bytes(data))
    _refused(tmp_path, damaged, "integrity check|damaged")


def test_restore_refuses_another_programs_database(tmp_path: Path) -> None:
    other = sqlite3.connect(tmp_path / "other.sqlite3")
    other.execute("CREATE TABLE users (id INTEGER PRIMARY KEY)")
    other.commit()
    other.close()
    _refused(tmp_path, tmp_path / "other.sqlite3", "not a crampwise database")


def test_restore_refuses_a_newer_schema(tmp_path: Path) -> None:
    url, _ = _db(tmp_path)
    future = backup(url, tmp_path / "future.sqlite3")
    conn = sqlite3.connect(future)
    conn.execute("UPDATE alembic_version SET version_num = '0099_from_the_future'")
    conn.commit()
    conn.close()
    _refused(tmp_path, future, "0099_from_the_future.*newer than this version")


def test_postgresql_is_told_the_pg_dump_command_without_its_password(tmp_path: Path) -> None:
    url = "postgresql://clinic:s3cret@db.example:5433/crampwise"
    with pytest.raises(UsePostgresTools) as told:
        backup(url, tmp_path / "x.dump")
    assert told.value.command == (
        f"pg_dump --host db.example --port 5433 --username clinic --format=custom "
        f"--file {tmp_path / 'x.dump'} crampwise"
    )
    with pytest.raises(UsePostgresTools) as again:
        restore(url, tmp_path / "x.dump")
    assert again.value.command.startswith("pg_restore --host db.example")
    assert "s3cret" not in told.value.command + again.value.command


def _run(monkeypatch: pytest.MonkeyPatch, url: str, *args: str) -> int:
    monkeypatch.setenv("CRAMPWISE_DATABASE_URL", url)
    monkeypatch.setattr(sys, "argv", ["crampwise", *args])
    try:
        main()
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


def test_the_commands(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url, _ = _db(tmp_path)
    assert _run(monkeypatch, url, "backup", str(tmp_path / "b.sqlite3")) == 0
    assert _run(monkeypatch, url, "backup", str(tmp_path / "b.sqlite3")) == 2
    assert capsys.readouterr().err.splitlines()[-1] == (
        f"crampwise: error: file '{tmp_path / 'b.sqlite3'}': already exists; choose a new name"
    )
    assert _run(monkeypatch, url, "restore", str(tmp_path / "b.sqlite3")) == 0
    assert "Restored the database" in capsys.readouterr().err
    pg = "postgresql://clinic:s3cret@db.example/crampwise"
    assert _run(monkeypatch, pg, "backup", str(tmp_path / "c.dump")) == 1
    err = capsys.readouterr().err
    assert "pg_dump --host db.example" in err and "s3cret" not in err
