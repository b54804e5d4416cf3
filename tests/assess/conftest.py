"""Fixtures for the assessment tests: the knowledge base and a way to run the real CLI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from crampwise.knowledge import Knowledge, load_knowledge

EXE = str(Path(sys.executable).with_name("crampwise"))


@pytest.fixture(scope="session")
def kb() -> Knowledge:
    return load_knowledge()


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
