"""Per-request cost of the Tonight page and of logging a cramp, robust to a busy machine.

In one process (direct ASGI calls through httpx, one request at a time) on a fresh seeded
database, SQLite and/or a throwaway PostgreSQL server (`bench_web.Postgres`): for each
target it reports what a request costs, not how many fit in a second:

- SQL statements, connection checkouts and transactions per request (SQLAlchemy events),
- the app's CPU ms per request (`time.process_time`) and, on PostgreSQL, the server
  processes' CPU ms per request (utime + stime of every postgres process, from /proc),
- wall ms per request (median and minimum): one connection, so round trips show here.

CPU time counts only work done, so it moves far less with other jobs on the cores than wrk's
rate does. Usage: `.venv/bin/python benchmarks/web/profile_requests.py [--backends ...]
[--requests N]`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
from sqlalchemy import event

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_web import SEED_CRAMPS, Postgres

BASE = "https://127.0.0.1"  # the session cookie is Secure


class SqlCount:
    """Counts statements, checkouts and transactions on an engine (and its pool)."""

    def __init__(self, engine: sa.Engine):
        self.counts: Counter[str] = Counter()
        self.statements: Counter[str] = Counter()
        event.listen(engine, "before_cursor_execute", self._statement)
        event.listen(engine.pool, "checkout", lambda *a: self.counts.update(["checkout"]))
        event.listen(engine, "begin", lambda *a: self.counts.update(["begin"]))
        event.listen(engine, "commit", lambda *a: self.counts.update(["commit"]))
        event.listen(engine, "rollback", lambda *a: self.counts.update(["rollback"]))

    def _statement(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        self.counts["statements"] += 1
        self.statements[" ".join(statement.split())[:90]] += 1

    def reset(self) -> None:
        self.counts.clear()
        self.statements.clear()


def postgres_cpu_s() -> float:
    """utime + stime of every postgres process on this machine, in seconds."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in Path("/proc").iterdir():
        pid = entry.name
        if not pid.isdigit():
            continue
        try:
            comm = Path(f"/proc/{pid}/comm").read_text().strip()
            if comm not in ("postgres", "postmaster"):
                continue
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / tick


async def sign_up(client: httpx.AsyncClient) -> tuple[dict[str, str], str]:
    import re

    page = (await client.get("/setup")).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token
    form = {
        "name": "bench",
        "password": "benchmark pass",
        "password2": "benchmark pass",
        "csrf_token": token.group(1),
    }
    resp = await client.post("/setup", data=form)
    assert resp.status_code == 303, resp.status_code
    page = (await client.get("/account/tokens")).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token
    return {"crampwise_session": client.cookies["crampwise_session"]}, token.group(1)


async def seed(client: httpx.AsyncClient, csrf: str) -> None:
    now = datetime.now().replace(microsecond=0)
    for i in range(SEED_CRAMPS):
        started = now - timedelta(days=i % 14, hours=1 + i % 3)
        body = {"started_at": started.isoformat(), "muscle": "calf", "pain": 4}
        resp = await client.post("/api/v1/episodes", json=body, headers={"x-csrf-token": csrf})
        assert resp.status_code == 201, resp.text
    resp = await client.post(
        "/tonight/routine", data={"item": "stretched", "done": "true", "csrf_token": csrf}
    )
    assert resp.status_code == 303, resp.status_code


async def measure(
    client: httpx.AsyncClient, count: SqlCount, n: int, call: Any, server_cpu: bool
) -> dict[str, Any]:
    for _ in range(20):  # warm-up
        await call(0)
    count.reset()
    walls: list[float] = []
    cpu0, pg0 = time.process_time(), postgres_cpu_s() if server_cpu else 0.0
    for i in range(n):
        t0 = time.perf_counter()
        await call(i + 1)
        walls.append(time.perf_counter() - t0)
    cpu1, pg1 = time.process_time(), postgres_cpu_s() if server_cpu else 0.0
    per = {k: round(v / n, 2) for k, v in sorted(count.counts.items())}
    result = {
        "per_request": per,
        "app_cpu_ms": round((cpu1 - cpu0) * 1000 / n, 3),
        "wall_ms_median": round(statistics.median(walls) * 1000, 3),
        "wall_ms_min": round(min(walls) * 1000, 3),
        "statements": {s: round(c / n, 2) for s, c in count.statements.most_common(12)},
    }
    if server_cpu:
        result["postgres_cpu_ms"] = round((pg1 - pg0) * 1000 / n, 3)
    return result


async def profile(url: str, n: int, server_cpu: bool) -> dict[str, Any]:
    from crampwise.store import open_store
    from crampwise.web.app import create_app
    from crampwise.web.settings import WebSettings

    results: dict[str, Any] = {}
    cookies: dict[str, str] = {}
    csrf = ""
    for cache in (True, False):
        settings = WebSettings(database_url=url, page_cache=cache)
        store = open_store(url)
        app = create_app(settings, store=store, bind_host="127.0.0.1")
        count = SqlCount(store.engine)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=BASE) as client:
            if cache:
                cookies, csrf = await sign_up(client)
                await seed(client, csrf)
            else:
                client.cookies.update(cookies)  # the session lives in the database

            async def tonight(_: int) -> None:
                resp = await client.get("/")
                assert resp.status_code == 200, resp.status_code

            async def log(i: int, csrf: str = csrf) -> None:
                body = {
                    "started_at": f"2026-11-24T{i % 12:02d}:{i % 60:02d}:{(i // 60) % 60:02d}",
                    "muscle": "calf",
                    "pain": i % 11,
                }
                resp = await client.post(
                    "/api/v1/episodes", json=body, headers={"x-csrf-token": csrf}
                )
                assert resp.status_code == 201, resp.text

            name = "tonight" if cache else "tonight_uncached"
            results[name] = await measure(client, count, n, tonight, server_cpu)
            if cache:
                results["log_cramp"] = await measure(client, count, n, log, server_cpu)
        app.state.ctx.close()
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    out: dict[str, Any] = {"load_before": os.getloadavg()[0]}
    tmp = Path(tempfile.mkdtemp(prefix="crampwise-profile-"))
    os.environ["CRAMPWISE_DATA_DIR"] = str(tmp)
    for backend in args.backends.split(","):
        if backend == "sqlite":
            out["sqlite"] = asyncio.run(
                profile(f"sqlite:///{tmp / 'p.sqlite3'}", args.requests, False)
            )
        elif backend == "postgres":
            pg = Postgres()
            try:
                url = pg.new_database("profile")
                out["postgres"] = asyncio.run(profile(url, args.requests, True))
            finally:
                pg.stop()
    out["load_after"] = os.getloadavg()[0]
    print(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
