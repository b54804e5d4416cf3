"""Run the real `crampwise`: in-process through `main()` (`cli` fixture, with its exit codes)
or as the installed program in a fresh process (`run_cli`)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from crampwise.cli import main

EXE = str(Path(sys.executable).with_name("crampwise"))


@dataclass
class Result:
    code: int
    out: str
    err: str


Cli = Callable[..., Result]


@pytest.fixture
def cli(
    database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Cli:
    """`cli("log", "cramp")` runs crampwise on this test's fresh database."""
    return in_process(database_url, monkeypatch, capsys)


def in_process(
    database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Cli:
    """A runner of crampwise through `main()` on `database_url`, with its exit code."""
    monkeypatch.setenv("CRAMPWISE_DATABASE_URL", database_url)

    def run(*args: str) -> Result:
        monkeypatch.setattr(sys, "argv", ["crampwise", *args])
        code = 0
        try:
            main()
        except SystemExit as exc:
            code = int(exc.code or 0)
        out, err = capsys.readouterr()
        return Result(code, out, err)

    return run


def run_cli(
    *args: str, stdin: str | None = None, timeout: float = 30
) -> subprocess.CompletedProcess[str]:
    """Run the installed `crampwise` in a fresh process (stdin is not a terminal)."""
    return subprocess.run(
        [EXE, *args],
        input=stdin if stdin is not None else "",
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
