"""Time a cold `crampwise log cramp` (a durable SQLite write) against the import floor.

Both commands run alternately N times in fresh processes, in the same run; the report
gives medians and the ratio. Writes benchmarks/results/log_cramp.json.
Usage: python benchmarks/log_cramp/bench.py [--runs 15]
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from coldstart import (  # benchmarks/coldstart.py, one folder up
    CRAMPWISE,
    PYTHON,
    alternate,
    compile_package,
    machine,
    ms,
    run_timed,
    write_result,
)

TARGET_RATIO = 1.5


def _count_episodes(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return int(conn.execute("SELECT count(*) FROM episodes").fetchone()[0])


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    floor_cmd = [PYTHON, "-c", "import typer, sqlalchemy"]
    log_cmd = [CRAMPWISE, "log", "cramp", "--pain", "5", "--format", "json"]
    compile_package()
    with tempfile.TemporaryDirectory(prefix="crampwise-bench-") as tmp:
        env = {k: v for k, v in os.environ.items() if not k.startswith("CRAMPWISE_")}
        # The default database: a SQLite file in the user's data folder (platformdirs).
        env["XDG_DATA_HOME"] = tmp
        # The first run creates and migrates the database; it is not what we measure.
        run_timed(log_cmd, env=env)
        runs = alternate({"floor": floor_cmd, "log": log_cmd}, args.runs, env=env)
        stored = _count_episodes(Path(tmp) / "crampwise" / "crampwise.sqlite3")
    if stored != args.runs + 1:
        raise SystemExit(f"expected {args.runs + 1} stored cramps, found {stored}")
    floor = [run.seconds for run in runs["floor"]]
    log = [run.seconds for run in runs["log"]]
    result = {
        "benchmark": "log_cramp",
        "runs": args.runs,
        "floor_cmd": "python -c 'import typer, sqlalchemy'",
        "log_cmd": "crampwise log cramp --pain 5 --format json (default SQLite file, WAL, "
        "synchronous=FULL, BEGIN IMMEDIATE)",
        "cramps_stored": stored,
        "floor_median_ms": ms(statistics.median(floor)),
        "log_median_ms": ms(statistics.median(log)),
        "floor_min_ms": ms(min(floor)),
        "log_min_ms": ms(min(log)),
        "ratio_median": round(statistics.median(log) / statistics.median(floor), 2),
        "target_ratio": TARGET_RATIO,
        **machine(),
    }
    result["meets_target"] = result["ratio_median"] <= TARGET_RATIO
    write_result("log_cramp", result)
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
