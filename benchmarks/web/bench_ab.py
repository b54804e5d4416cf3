"""Before/after on a busy machine: two crampwise servers side by side, wrk runs alternated.

A is this tree; B is the same app with a folder put first on PYTHONPATH (e.g. a copy of
src/ with some files as they were: `git show REV:src/crampwise/x.py > /tmp/b/crampwise/x.py`).
Each gets its own fresh database (an SQLite file, or one on a throwaway PostgreSQL server,
`bench_web.Postgres`), seeded the same way; then `--rounds` wrk runs of `--seconds` each go
A, B, B, A, A, B ... so both sides see the same machine. Prints each run's req/s, p99 and
CPU ms per request (server, PostgreSQL), and the medians.

    .venv/bin/python benchmarks/web/bench_ab.py /tmp/b --target tonight --backend postgres
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_web as bw

TARGETS = ("tonight", "uncached", "log")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("before", help="folder put first on PYTHONPATH for side B")
    parser.add_argument("--target", choices=TARGETS, default="tonight")
    parser.add_argument("--backend", choices=("sqlite", "postgres"), default="postgres")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--seconds", type=int, default=4)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: apt-get install -y wrk")
    pg = bw.Postgres() if args.backend == "postgres" else None
    tmp = Path(tempfile.mkdtemp(prefix="crampwise-bench-ab-"))
    servers: list[Any] = []
    try:
        sides = {}
        for name, path in (("A", None), ("B", args.before)):
            env = {**os.environ, "CRAMPWISE_DATA_DIR": str(tmp / name)}
            env.pop("CRAMPWISE_DATABASE_URL", None)
            env.pop("WEB_CONCURRENCY", None)
            if path:
                env["PYTHONPATH"] = path
            url = pg.new_database(f"ab_{name.lower()}") if pg else f"sqlite:///{tmp}/{name}.db"
            port = bw.free_port()
            cache = "nocache" if args.target == "uncached" else "cache"
            command = [sys.executable, "-c", bw.SERVE, str(port), url, cache, str(args.workers)]
            servers.append(bw.start(command, env))
            base = f"http://127.0.0.1:{port}"
            bw.wait_up(f"{base}/login")
            cookies, csrf = bw.sign_up(base)
            bw.seed_diary(base, cookies, csrf)
            cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())
            script = tmp / f"{name}.lua"
            if args.target == "log":
                bw.lua_post(script, cookie, csrf)
                target = f"{base}/api/v1/episodes"
            else:
                bw.lua_get(script, cookie)
                target = f"{base}/"
            bw.run_wrk(target, 2, script)  # warm-up
            sides[name] = (target, script, [servers[-1].pid])
        runs: dict[str, list[bw.Metrics]] = {"A": [], "B": []}
        for i in range(args.rounds):
            for name in ("A", "B") if i % 2 == 0 else ("B", "A"):
                target, script, group = sides[name]
                runs[name].append(bw.run_wrk(target, args.seconds, script, group))
        for name, results in runs.items():
            line = [f"{name}:"]
            for key in ("requests_per_s", "p99_ms", "app_cpu_ms", "db_cpu_ms"):
                values = [r[key] for r in results]
                line.append(f"{key} {values} (median {statistics.median(values):g})")
            print("  ".join(line))
        print(f"load average (1 min) at the end: {os.getloadavg()[0]:.1f}")
    finally:
        bw.stop(servers)
        if pg is not None:
            pg.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
