"""Backups of the whole database: `crampwise backup FILE` and `crampwise restore FILE`.

SQLite: SQLite's online backup API (`sqlite3.Connection.backup`) copies the database page
by page under its own locks, so the copy is consistent even while `crampwise serve` writes.
A restore first checks the file (an SQLite database that passes `PRAGMA integrity_check`,
holding crampwise's tables at a schema this version knows), then keeps a safety copy of the
current database beside it, then copies the file in with the same API (open connections
see the restored data; nothing is renamed under them), then upgrades an older schema.

PostgreSQL has its own tools; for it these say which `pg_dump` / `pg_restore` command to
run, with the URL's host, port, user and database and never its password.
"""

from __future__ import annotations

import shlex
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa

from crampwise.errors import InputError
from crampwise.store.engine import MIGRATIONS_DIR, make_engine, normalise_url, script_heads, upgrade

SQLITE_HEADER = b"SQLite format 3\x00"
CRAMPWISE_TABLES = ("users", "episodes", "day_logs", "alembic_version")


class UsePostgresTools(Exception):
    """The database is PostgreSQL: `command` is what to run instead (no password in it)."""

    def __init__(self, command: str) -> None:
        super().__init__(command)
        self.command = command


@dataclass(frozen=True)
class Restored:
    """What `restore` did."""

    source: Path
    database: Path
    safety_copy: Path | None  # None when there was no database to keep
    upgraded: bool  # the file's schema was older and has been brought up to date


def sqlite_path(url: str) -> Path | None:
    """The SQLite file behind `url`, or None for PostgreSQL (InputError: in-memory SQLite)."""
    parsed = sa.make_url(normalise_url(url))
    if parsed.get_backend_name() != "sqlite":
        return None
    if not parsed.database or parsed.database == ":memory:":
        raise InputError("the database is in memory: there is nothing to back up or restore")
    return Path(parsed.database).expanduser()


def pg_command(url: str, tool: str, file: Path) -> str:
    """The `pg_dump` / `pg_restore` line for `url`'s server and database, without password."""
    parsed = sa.make_url(normalise_url(url))
    parts = [tool]
    for flag, value in (
        ("--host", parsed.host),
        ("--port", parsed.port),
        ("--username", parsed.username),
    ):
        if value is not None:
            parts += [flag, str(value)]
    if tool == "pg_dump":
        parts += ["--format=custom", "--file", str(file), parsed.database or ""]
    else:
        parts += ["--clean", "--if-exists", "--dbname", parsed.database or "", str(file)]
    return shlex.join(parts)


def backup(url: str, dest: Path) -> Path:
    """Copy the database at `url` into the new file `dest` (consistent while in use)."""
    path = sqlite_path(url)
    if path is None:
        raise UsePostgresTools(pg_command(url, "pg_dump", dest))
    if not path.is_file():
        raise InputError(f"database '{path}': no such file, nothing to back up")
    if dest.exists():
        raise InputError(f"file '{dest}': already exists; choose a new name", field="file")
    if not dest.parent.is_dir():
        raise InputError(f"file '{dest}': no folder '{dest.parent}'", field="file")
    _copy(path, dest)
    return dest


def _copy(source: Path, dest: Path) -> None:
    src = sqlite3.connect(f"{source.as_uri()}?mode=ro", uri=True)
    try:
        out = sqlite3.connect(dest)
        try:
            src.backup(out)
            # A backup file is one self-contained file: no WAL beside it.
            out.execute("PRAGMA journal_mode = DELETE")
        finally:
            out.close()
    finally:
        src.close()


def check_backup(file: Path) -> set[str]:
    """The schema revisions of a backup file, after checking that it can be restored."""
    try:
        with file.open("rb") as stream:
            header = stream.read(len(SQLITE_HEADER))
    except FileNotFoundError:
        raise InputError(f"file '{file}': no such file", field="file") from None
    except OSError as exc:
        raise InputError(f"file '{file}': cannot read ({exc.strerror})", field="file") from None
    if header != SQLITE_HEADER:
        raise InputError(f"file '{file}': not an SQLite database", field="file")
    conn = sqlite3.connect(f"{file.resolve().as_uri()}?mode=ro", uri=True)
    try:
        try:
            verdict = [row[0] for row in conn.execute("PRAGMA integrity_check")]
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
        except sqlite3.DatabaseError as exc:
            raise InputError(f"file '{file}': damaged ({exc})", field="file") from None
        if verdict != ["ok"]:
            raise InputError(
                f"file '{file}': fails SQLite's integrity check ({verdict[0]})", field="file"
            )
        missing = [t for t in CRAMPWISE_TABLES if t not in tables]
        if missing:
            raise InputError(
                f"file '{file}': not a crampwise database (no table {missing[0]!r})", field="file"
            )
        revisions = {row[0] for row in conn.execute("SELECT version_num FROM alembic_version")}
    finally:
        conn.close()
    unknown = sorted(revisions - _known_revisions())
    if unknown or not revisions:
        raise InputError(
            f"file '{file}': its schema ({', '.join(unknown) or 'none'}) is newer than this "
            "version of crampwise knows; update crampwise first",
            field="file",
        )
    return revisions


def _known_revisions() -> set[str]:
    found = set()
    for script in (MIGRATIONS_DIR / "versions").glob("*.py"):
        for line in script.read_text(encoding="utf-8").splitlines():
            if line.startswith("revision = "):
                found.add(line.split("=", 1)[1].strip().strip("\"'"))
    return found


def restore(url: str, file: Path, *, now: datetime | None = None) -> Restored:
    """Replace the database at `url` with the backup `file`, keeping a safety copy first."""
    path = sqlite_path(url)
    if path is None:
        raise UsePostgresTools(pg_command(url, "pg_restore", file))
    revisions = check_backup(file)
    if path.exists() and path.resolve() == file.resolve():
        raise InputError(f"file '{file}': that is the database itself", field="file")
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    safety = path.with_name(f"{path.stem}.before-restore-{stamp}{path.suffix or '.sqlite3'}")
    kept: Path | None = None
    counted = 0
    if path.exists():
        _copy(path, safety)
        kept = safety
        counted = _access_count(path)
    src = sqlite3.connect(f"{file.resolve().as_uri()}?mode=ro", uri=True)
    try:
        dest = sqlite3.connect(path)
        try:
            src.backup(dest)
        finally:
            dest.close()
    finally:
        src.close()
    upgraded = revisions != script_heads()
    if upgraded:
        engine = make_engine(f"sqlite:///{path}")
        try:
            upgrade(engine)
        finally:
            engine.dispose()
    _count_past(path, counted)
    return Restored(file, path, kept, upgraded)


def _access_count(path: Path) -> int:
    """The database's access count (migration 0010), 0 where it has none."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        row = conn.execute("SELECT n FROM change_counts WHERE name = 'access'").fetchone()
    except sqlite3.Error:  # older than 0010
        row = None
    finally:
        conn.close()
    return int(row[0]) if row else 0


def _count_past(path: Path, counted: int) -> None:
    """Move the restored access count past the one it replaced. The backup API copies pages
    and fires no trigger, so a running web process could otherwise find a number it kept
    sessions under, and trust them, though the sessions table itself was replaced."""
    conn = sqlite3.connect(path)
    try:
        with conn:
            conn.execute(
                "UPDATE change_counts SET n = MAX(n, ?) + 1 WHERE name = 'access'", (counted,)
            )
    finally:
        conn.close()
