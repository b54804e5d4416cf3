"""Run the real `crampwise` entry point in-process (main(), with its exit codes)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from crampwise.cli import main


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
