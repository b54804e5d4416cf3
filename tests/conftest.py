"""Shared fixtures: a throwaway PostgreSQL server and a fresh database for every test.

`database_url` runs a test twice, on SQLite and on PostgreSQL (that run is marked
`postgres`). The PostgreSQL server is Debian's (`/usr/lib/postgresql/*/bin`), started once
per test session (per xdist worker) in a temporary folder on a free port and removed
afterwards. Each test gets its own database, copied from a template that is already
migrated to the newest schema, so no test sees another's rows.
"""

from __future__ import annotations

import itertools
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from pgserver import init_cluster, pg_bin  # tests/ is on sys.path: the rootdir of the test packages

TEMPLATE_DB = "crampwise_template"
_counter = itertools.count()


@pytest.fixture(autouse=True)
def _private_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test touches the real data folder or a database named in the environment."""
    monkeypatch.setenv("CRAMPWISE_DATA_DIR", str(tmp_path / "crampwise-data"))
    monkeypatch.delenv("CRAMPWISE_DATABASE_URL", raising=False)


# --- SQLite ------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from crampwise.store import open_store

    path = tmp_path_factory.mktemp("sqlite-template") / "template.sqlite3"
    open_store(f"sqlite:///{path}").close()  # migrates to head; closing folds the WAL in
    return path


@pytest.fixture
def sqlite_url(_sqlite_template: Path, tmp_path: Path) -> str:
    """A fresh SQLite file at the newest schema."""
    path = tmp_path / "crampwise.sqlite3"
    shutil.copyfile(_sqlite_template, path)
    return f"sqlite:///{path}"


# --- PostgreSQL --------------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _server_user() -> dict[str, object]:
    # PostgreSQL refuses to run as root; containers often run tests as root. Popen's
    # user= switches in the child itself, so signals reach the server directly.
    if os.geteuid() == 0:
        return {"user": "postgres", "group": "postgres", "extra_groups": []}
    return {}


class PostgresServer:
    """A private PostgreSQL server in a temporary folder."""

    def __init__(self) -> None:
        bindir = pg_bin()
        self.dir = Path(tempfile.mkdtemp(prefix="crampwise-pg-"))
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        data = self.dir / "data"
        init_cluster(data, cwd=self.dir, **_server_user())
        self.port = _free_port()
        self.log = (self.dir / "server.log").open("wb")
        self.process = subprocess.Popen(
            [
                str(bindir / "postgres"),
                "-D",
                str(data),
                "-p",
                str(self.port),
                "-k",
                str(self.dir),
                "-c",
                "listen_addresses=127.0.0.1",
                # Throwaway data: durability off makes CREATE DATABASE and commits fast.
                "-c",
                "fsync=off",
                "-c",
                "synchronous_commit=off",
                "-c",
                "full_page_writes=off",
                "-c",
                "max_connections=200",
            ],
            stdout=self.log,
            stderr=subprocess.STDOUT,
            cwd=self.dir,
            **_server_user(),  # type: ignore[call-overload]
        )
        self._wait_ready()

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def _wait_ready(self) -> None:
        import psycopg

        deadline = time.monotonic() + 30
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(
                    "PostgreSQL exited at start:\n" + (self.dir / "server.log").read_text()
                )
            try:
                psycopg.connect(self._dsn("postgres"), connect_timeout=2).close()
                return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def _dsn(self, database: str) -> str:
        return f"host=127.0.0.1 port={self.port} user=postgres dbname={database}"

    def execute(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self._dsn("postgres"), autocommit=True) as conn:
            conn.execute(sql)

    def stop(self) -> None:
        self.process.send_signal(signal.SIGINT)  # "fast" shutdown
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """The session's PostgreSQL server, with a template database at the newest schema."""
    from crampwise.store import open_store

    server = PostgresServer()
    try:
        server.execute(f"CREATE DATABASE {TEMPLATE_DB}")
        open_store(server.url(TEMPLATE_DB)).close()
        yield server
    finally:
        server.stop()


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> str:
    """A fresh PostgreSQL database at the newest schema."""
    name = f"t{os.getpid()}_{next(_counter)}"
    # FILE_COPY: with fsync off its checkpoint is cheap, and it beats WAL_LOG for tiny DBs.
    postgres_server.execute(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE_DB} STRATEGY FILE_COPY")
    return postgres_server.url(name)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest) -> str:
    """A fresh database at the newest schema: the test runs once on each backend."""
    return str(request.getfixturevalue(f"{request.param}_url"))


@pytest.fixture
def store(database_url: str) -> Iterator[object]:
    """An open `crampwise.store.Store` on a fresh database (both backends)."""
    from crampwise.store import open_store

    opened = open_store(database_url)
    yield opened
    opened.close()
