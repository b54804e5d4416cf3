"""Cold-process timing shared by the command-line benchmarks (assess, log_cramp, analyze).

Each benchmark times a `crampwise` command in fresh processes beside a *floor* (the imports
it cannot avoid), alternating the two in the same run so that noise from other jobs on the
machine hits both alike; ratios to the floor are what compare across runs.
A benchmark script imports this module with `sys.path.insert(0, <benchmarks folder>)`.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
PYTHON = sys.executable
CRAMPWISE = str(Path(PYTHON).with_name("crampwise"))


@dataclass(frozen=True)
class Run:
    """One timed process: wall seconds, CPU seconds (user + sys) and what it printed."""

    seconds: float
    cpu_seconds: float
    stdout: bytes


def compile_package() -> None:
    """Byte-compile src/crampwise, as an installed package would be.

    This checkout may run with PYTHONDONTWRITEBYTECODE set; without compiled bytecode every
    timed run would recompile our modules and measure the compiler.
    """
    subprocess.run([PYTHON, "-m", "compileall", "-q", str(ROOT / "src" / "crampwise")], check=True)


def run_timed(
    cmd: list[str], *, stdin: bytes | None = None, env: Mapping[str, str] | None = None
) -> Run:
    """Run cmd once in a fresh process (it must succeed) and time it."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(
        cmd,
        input=stdin,
        env=None if env is None else dict(env),
        stdout=subprocess.PIPE,
        check=True,
    )
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return Run(seconds, cpu, proc.stdout)


def alternate(
    commands: Mapping[str, list[str]],
    rounds: int,
    *,
    stdin: bytes | None = None,
    env: Mapping[str, str] | None = None,
) -> dict[str, list[Run]]:
    """Each command once per round, for `rounds` rounds, so noise falls on all of them."""
    runs: dict[str, list[Run]] = {name: [] for name in commands}
    for _ in range(rounds):
        for name, cmd in commands.items():
            runs[name].append(run_timed(cmd, stdin=stdin, env=env))
    return runs


def ms(seconds: float) -> float:
    """Milliseconds, rounded for a result file."""
    return round(seconds * 1000, 1)


def machine() -> dict[str, Any]:
    """Where and when a benchmark ran (its numbers mean little without this)."""
    return {
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
        "load_average": list(os.getloadavg()),
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }


def write_result(name: str, doc: Mapping[str, Any]) -> Path:
    """Write benchmarks/results/<name>.json and return its path."""
    path = RESULTS / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    return path
