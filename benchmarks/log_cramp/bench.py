"""Time a cold `crampwise log cramp` (a durable SQLite write) against the import floor.

Both commands run alternately N times in fresh processes, in the same run; the report
gives medians and the ratio. Writes benchmarks/results/log_cramp.json.
Usage: python benchmarks/log_cramp/bench.py [--runs 15]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RESULT = ROOT / "benchmarks" / "results" / "log_cramp.json"
TARGET_RATIO = 1.5


def _time(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def _count_episodes(path: Path) -> int:
    import sqlite3

    with sqlite3.connect(path) as conn:
        return int(conn.execute("SELECT count(*) FROM episodes").fetchone()[0])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    python = sys.executable
    exe = str(Path(python).with_name("crampwise"))
    floor_cmd = [python, "-c", "import typer, sqlalchemy"]
    log_cmd = [exe, "log", "cramp", "--pain", "5", "--format", "json"]
    # An installed package has compiled bytecode; an editable checkout with
    # PYTHONDONTWRITEBYTECODE set would otherwise recompile our modules on every run.
    subprocess.run([python, "-m", "compileall", "-q", str(ROOT / "src" / "crampwise")], check=True)
    with tempfile.TemporaryDirectory(prefix="crampwise-bench-") as tmp:
        env = {k: v for k, v in os.environ.items() if not k.startswith("CRAMPWISE_")}
        # The default database: a SQLite file in the user's data folder (platformdirs).
        env["XDG_DATA_HOME"] = tmp
        # The first run creates and migrates the database; it is not what we measure.
        subprocess.run(log_cmd, env=env, check=True, stdout=subprocess.DEVNULL)
        floor, log = [], []
        for _ in range(args.runs):
            floor.append(_time(floor_cmd, env))
            log.append(_time(log_cmd, env))
        stored = _count_episodes(Path(tmp) / "crampwise" / "crampwise.sqlite3")
    if stored != args.runs + 1:
        raise SystemExit(f"expected {args.runs + 1} stored cramps, found {stored}")
    result = {
        "benchmark": "log_cramp",
        "runs": args.runs,
        "floor_cmd": "python -c 'import typer, sqlalchemy'",
        "log_cmd": "crampwise log cramp --pain 5 --format json (default SQLite file, WAL, "
        "synchronous=FULL, BEGIN IMMEDIATE)",
        "cramps_stored": stored,
        "floor_median_ms": round(statistics.median(floor) * 1000, 1),
        "log_median_ms": round(statistics.median(log) * 1000, 1),
        "floor_min_ms": round(min(floor) * 1000, 1),
        "log_min_ms": round(min(log) * 1000, 1),
        "ratio_median": round(statistics.median(log) / statistics.median(floor), 2),
        "target_ratio": TARGET_RATIO,
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    result["meets_target"] = result["ratio_median"] <= TARGET_RATIO
    RESULT.parent.mkdir(parents=True, exist_ok=True)
    RESULT.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
