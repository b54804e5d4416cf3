"""Making a throwaway PostgreSQL cluster, shared by the suite's server (conftest.py) and the
one the network-namespace test runs on another (virtual) host."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest


def pg_bin() -> Path:
    """The newest installed PostgreSQL server's bin folder (fails the test if none)."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not found:
        pytest.fail(
            "PostgreSQL server binaries not found (/usr/lib/postgresql/*/bin/initdb). "
            "`make test` installs them (scripts/ensure-system-deps.sh); or run "
            "`apt-get install postgresql`.",
            pytrace=False,
        )
    return Path(found[-1]).parent


def init_cluster(data: Path, prefix: list[str] | None = None, **run: Any) -> None:
    """initdb a trust-authenticated UTF-8 cluster in `data`; `prefix` wraps the command
    (e.g. setpriv to drop root), `run` goes to subprocess.run (cwd, user...)."""
    command = [str(pg_bin() / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust"]
    subprocess.run(
        [*(prefix or []), *command, "-E", "UTF8", "--locale=C", "--no-sync"],
        check=True,
        capture_output=True,
        **run,
    )
