"""Black-box fixtures: the installed `crampwise` program on a throwaway database and home.

Every check in `tests/contracts/` goes through a real subprocess, so these tests see
exactly what a script calling the CLI sees: stdout, stderr, the exit code and the rows
left in the SQLite file.
"""

from __future__ import annotations

import json
import os
import pty
import select
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest


def _program() -> str:
    beside = Path(sys.executable).with_name("crampwise")
    if beside.exists():
        return str(beside)
    found = shutil.which("crampwise")
    if found is None:  # pragma: no cover - the package is installed editable
        pytest.fail("the `crampwise` program is not installed next to this Python")
    return found


PROGRAM = _program()


def _not_json(constant: str) -> None:
    raise AssertionError(f"{constant} is not JSON")


@dataclass
class Cli:
    """Runs `crampwise` with a private HOME, data folder and (optionally) database URL."""

    home: Path
    db_path: Path | None  # None: CRAMPWISE_DATABASE_URL unset (the default location)
    extra_env: dict[str, str] = field(default_factory=dict)

    @property
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("CRAMPWISE_")}
        env.update(
            HOME=str(self.home),
            XDG_DATA_HOME=str(self.home / "data"),
            XDG_CONFIG_HOME=str(self.home / "config"),
            XDG_CACHE_HOME=str(self.home / "cache"),
            COLUMNS="100",
        )
        if self.db_path is not None:
            env["CRAMPWISE_DATABASE_URL"] = f"sqlite:///{self.db_path}"
        env.update(self.extra_env)
        return env

    def run(
        self, *args: str, user: str | None = None, stdin: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        cmd = [PROGRAM] + (["--user", user] if user is not None else []) + list(args)
        return subprocess.run(
            cmd,
            input=stdin if stdin is not None else "",
            capture_output=True,
            text=True,
            env=self.env,
            timeout=120,
            check=False,
        )

    def json(self, *args: str, user: str | None = None, stdin: str | None = None) -> Any:
        """Run a `--format json` command that must succeed; stdout is ONE JSON document."""
        proc = self.run(*args, "--format", "json", user=user, stdin=stdin)
        assert proc.returncode == 0, (args, proc.returncode, proc.stderr)
        assert "Traceback" not in proc.stderr, proc.stderr
        # Exactly one document, and strict JSON: NaN / Infinity break other parsers (jq, JS).
        return json.loads(proc.stdout, parse_constant=_not_json)

    def ok(self, *args: str, user: str | None = None, stdin: str | None = None) -> str:
        proc = self.run(*args, user=user, stdin=stdin)
        assert proc.returncode == 0, (args, proc.returncode, proc.stderr)
        return proc.stdout

    def fails(self, *args: str, user: str | None = None, stdin: str | None = None) -> str:
        """Run a command that must reject its input: exit 2, ONE line on stderr."""
        proc = self.run(*args, user=user, stdin=stdin)
        assert proc.returncode == 2, (args, proc.returncode, proc.stdout, proc.stderr)
        assert "Traceback" not in proc.stderr, proc.stderr
        message = proc.stderr.strip()
        assert message, "an error must say what is wrong"
        assert len(message.splitlines()) == 1, proc.stderr
        return message

    def on_terminal(self, *args: str, until: bytes | None = None) -> tuple[bytes, int | None]:
        """Run with a pseudo-terminal as stdin/stdout; (output, exit code or None if waiting).

        With `until`, stop reading once that text shows (the program may wait for input).
        """
        leader, follower = pty.openpty()
        proc = subprocess.Popen(
            [PROGRAM, *args], stdin=follower, stdout=follower, stderr=follower, env=self.env
        )
        os.close(follower)
        seen = b""
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                if until is not None and until in seen:
                    break
                ready, _, _ = select.select([leader], [], [], 0.2)
                if ready:
                    try:
                        chunk = os.read(leader, 65536)
                    except OSError:  # the program ended and closed the terminal
                        break
                    if not chunk:
                        break
                    seen += chunk
                elif proc.poll() is not None:
                    break
            if until is None:  # the output has ended: let the program finish
                proc.wait(timeout=30)
            return seen, proc.poll()
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.wait(timeout=10)
            os.close(leader)

    def snapshot(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every row of every table (sorted), to prove a command wrote nothing."""
        path = self.db_path
        if path is None or not path.exists():
            return {}
        con = sqlite3.connect(path)
        try:
            names = [r[0] for r in con.execute("select name from sqlite_master where type='table'")]
            return {
                n: sorted(map(repr, con.execute(f'select * from "{n}"')))  # type: ignore[arg-type]
                for n in names
            }
        finally:
            con.close()

    def users(self) -> set[str]:
        assert self.db_path is not None
        con = sqlite3.connect(self.db_path)
        try:
            return {r[0] for r in con.execute("select name from users")}
        finally:
            con.close()


def make_cli(root: Path) -> Cli:
    root.mkdir(parents=True, exist_ok=True)
    return Cli(home=root, db_path=root / "x.db")


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    """A fresh, empty database and home for one test."""
    return make_cli(tmp_path / "cw")


@pytest.fixture(scope="session")
def demo_cli(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cli]:
    """One database holding `crampwise demo` (≈ 4 s), shared; tests add users, never edit `demo`."""
    c = make_cli(tmp_path_factory.mktemp("demo"))
    c.json("demo")
    yield c


def write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[object]]) -> Path:
    lines = [",".join(header)] + [",".join("" if v is None else str(v) for v in r) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
