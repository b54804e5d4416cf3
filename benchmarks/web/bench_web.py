"""Web throughput: the Tonight page and logging a cramp vs a bare FastAPI hello-world,
with 1 and 2 worker processes, on SQLite and on PostgreSQL.

Servers run on loopback with uvicorn, uvloop + httptools, as `crampwise serve [--workers N]`
runs them: the one-endpoint FastAPI app with 1 and 2 workers, then crampwise on a fresh
seeded database for each (backend, workers): a SQLite file, or a database on a throwaway
PostgreSQL server started here (initdb in a temporary folder). Each target gets a bounded
wrk run (1 thread, 32 connections) in the same session, so machine noise hits all of them.
Writes benchmarks/results/web.json.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import UTC, datetime, timedelta
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
RESULTS = HERE.parent / "results" / "web.json"
HELLO_APP = HERE / "hello_app.py"
CONNECTIONS = 32
# Share of the hello-world rate with as many workers (i.e. per worker), on both backends.
SHARE_TARGETS = {"tonight": 0.40, "log_cramp": 0.20}
SCALING_TARGET = 1.6  # 2 workers' rate over 1 worker's, for Tonight and logging a cramp

Metrics = dict[str, Any]  # wrk's figures for one run (socket_errors is text)
Runs = dict[str, dict[str, dict[str, Metrics]]]  # backend -> workers -> endpoint -> figures
P99_LIMIT_MS = 100.0
WRITE_EVERY_S = 0.1  # tonight_while_logging: a cramp logged every 100 ms
SEED_CRAMPS = 20  # in the Tonight page's 14-night window, like a bad fortnight

SERVE = """
import sys
from crampwise.web.server import serve
from crampwise.web.settings import WebSettings
settings = WebSettings(database_url=sys.argv[2], page_cache=sys.argv[3] == "cache")
serve("127.0.0.1", int(sys.argv[1]), settings, workers=int(sys.argv[4]))
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_up(url: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"server at {url} did not start")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def request(url: str, data: dict[str, str] | None, cookies: dict[str, str]) -> tuple[int, str]:
    """One request with explicit cookies (Secure cookies are not stored by urllib for http)."""
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    req = urllib.request.Request(url, data=body)
    if cookies:
        req.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in cookies.items()))
    opener = urllib.request.build_opener(NoRedirect)
    try:
        resp = opener.open(req, timeout=10)
        status, headers, text = resp.status, resp.headers, resp.read().decode()
    except urllib.error.HTTPError as err:
        status, headers, text = err.code, err.headers, err.read().decode()
    for header in headers.get_all("Set-Cookie") or []:
        jar = SimpleCookie()
        jar.load(header)
        for key, morsel in jar.items():
            cookies[key] = morsel.value
    return status, text


def sign_up(base: str) -> tuple[dict[str, str], str]:
    """Create the owner through the /setup form; return the session cookies and CSRF token."""
    cookies: dict[str, str] = {}
    _, page = request(f"{base}/setup", None, cookies)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token, "no CSRF token on /setup"
    form = {
        "name": "bench",
        "password": "benchmark pass",
        "password2": "benchmark pass",
        "csrf_token": token.group(1),
    }
    status, _ = request(f"{base}/setup", form, cookies)
    assert status == 303, status
    _, page = request(f"{base}/account/tokens", None, cookies)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token, "no CSRF token on a signed-in page"
    return {"crampwise_session": cookies["crampwise_session"]}, token.group(1)


def seed_diary(base: str, cookies: dict[str, str], csrf: str) -> int:
    """A lived-in diary for the Tonight page: 20 cramps over the last 14 nights, a ticked item.

    Through the real API and form, before anything is measured; returns the cramps logged.
    """
    now = datetime.now().replace(microsecond=0)
    header = "; ".join(f"{k}={v}" for k, v in cookies.items())
    for i in range(SEED_CRAMPS):
        started = now - timedelta(days=i % 14, hours=1 + i % 3)
        body = json.dumps({"started_at": started.isoformat(), "muscle": "calf", "pain": 4})
        req = urllib.request.Request(f"{base}/api/v1/episodes", data=body.encode())
        req.add_header("Content-Type", "application/json")
        req.add_header("Cookie", header)
        req.add_header("X-CSRF-Token", csrf)
        with urllib.request.urlopen(req, timeout=10) as resp:
            assert resp.status == 201, resp.status
    form = {"item": "stretched", "done": "true", "csrf_token": csrf}
    status, _ = request(f"{base}/tonight/routine", form, dict(cookies))
    assert status == 303, status
    return SEED_CRAMPS


def lua_post(path: Path, cookie: str, csrf: str) -> None:
    # Each request logs a distinct cramp (a real insert, not an idempotent replay).
    path.write_text(
        'wrk.method = "POST"\n'
        'wrk.headers["Content-Type"] = "application/json"\n'
        f'wrk.headers["Cookie"] = "{cookie}"\n'
        f'wrk.headers["X-CSRF-Token"] = "{csrf}"\n'
        "local n = 0\n"
        "request = function()\n"
        "  n = n + 1\n"
        '  local body = string.format(\'{"started_at": "2026-11-24T%02d:%02d:%02d", '
        '"muscle": "calf", "pain": %d}\', n % 12, n % 60, n % 60, n % 11)\n'
        "  return wrk.format(nil, nil, nil, body)\n"
        "end\n",
        encoding="utf-8",
    )


def lua_get(path: Path, cookie: str) -> None:
    path.write_text(f'wrk.headers["Cookie"] = "{cookie}"\n', encoding="utf-8")


def parse_wrk(output: str) -> Metrics:
    """Requests/s, p50/p99 latency (ms) and error counts from `wrk --latency`."""

    def ms(text: str) -> float:
        value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    total = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    p50 = ms(re.search(r"^\s+50%\s+(\S+)", output, re.M).group(1))  # type: ignore[union-attr]
    p99 = ms(re.search(r"^\s+99%\s+(\S+)", output, re.M).group(1))  # type: ignore[union-attr]
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    errors = re.search(r"Socket errors:.*", output)
    return {
        "requests": total,
        "requests_per_s": round(rps, 1),
        "p50_ms": round(p50, 2),
        "p99_ms": round(p99, 2),
        "non_2xx": int(non2xx.group(1)) if non2xx else 0,
        "socket_errors": errors.group(0) if errors else "",
    }


def cpu_seconds(groups: list[int]) -> dict[str, float]:
    """CPU time (user + system, s) used so far by the processes of the given process groups
    (a server and its workers) and by every PostgreSQL server process on this machine."""
    tick = os.sysconf("SC_CLK_TCK")
    used = {"app": 0, "postgres": 0}
    for entry in Path("/proc").iterdir():
        pid = entry.name
        if not pid.isdigit():
            continue
        try:
            comm = Path(f"/proc/{pid}/comm").read_text().strip()
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile
        ticks = int(fields[11]) + int(fields[12])
        if int(fields[2]) in groups:
            used["app"] += ticks
        elif comm in ("postgres", "postmaster"):
            used["postgres"] += ticks
    return {k: v / tick for k, v in used.items()}


def run_wrk(
    url: str, seconds: int, script: Path | None = None, groups: list[int] | None = None
) -> Metrics:
    """One bounded wrk run; with `groups` (the servers' process groups), also the CPU ms
    that the servers and PostgreSQL spent per request: work done, which moves far less with
    other jobs on the machine than the rate does."""
    cmd = ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency", "--timeout", "5s"]
    if script is not None:
        cmd += ["-s", str(script)]
    before = cpu_seconds(groups or [])
    out = subprocess.run([*cmd, url], capture_output=True, text=True, check=True).stdout
    after = cpu_seconds(groups or [])
    metrics = parse_wrk(out)
    if groups:
        n = max(metrics["requests"], 1)
        metrics["app_cpu_ms"] = round((after["app"] - before["app"]) * 1000 / n, 3)
        metrics["db_cpu_ms"] = round((after["postgres"] - before["postgres"]) * 1000 / n, 3)
    return metrics


def tonight_while_logging(
    base: str, cookies: dict[str, str], csrf: str, seconds: int, script: Path, groups: list[int]
) -> Metrics:
    """The Tonight page while the same person logs a cramp every 100 ms (10 a second, far
    more than any household): each write makes every kept page stale, so this shows what
    the page cache is worth when the diary does change."""
    stop = threading.Event()
    logged = [0]
    header = "; ".join(f"{k}={v}" for k, v in cookies.items())

    def log_cramps() -> None:
        while not stop.wait(WRITE_EVERY_S):
            started = datetime.now().replace(microsecond=0) - timedelta(hours=1)
            body = json.dumps({"started_at": started.isoformat(), "muscle": "calf"}).encode()
            req = urllib.request.Request(f"{base}/api/v1/episodes", data=body)
            req.add_header("Content-Type", "application/json")
            req.add_header("Cookie", header)
            req.add_header("X-CSRF-Token", csrf)
            with urllib.request.urlopen(req, timeout=10) as resp:
                assert resp.status == 201, resp.status
            logged[0] += 1

    writer = threading.Thread(target=log_cramps, daemon=True)
    writer.start()
    try:
        result = run_wrk(f"{base}/", seconds, script, groups)
    finally:
        stop.set()
        writer.join(timeout=10)
    result["cramps_logged_meanwhile"] = logged[0]
    return result


def start(cmd: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    # A session of its own: a server with workers is stopped as a group if it hangs.
    return subprocess.Popen(
        cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
    )


def stop(servers: list[subprocess.Popen[bytes]]) -> None:
    for proc in servers:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
    for proc in servers:
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    servers.clear()


def server_user() -> dict[str, object]:
    # PostgreSQL refuses to run as root (as in tests/conftest.py).
    if os.geteuid() == 0:
        return {"user": "postgres", "group": "postgres", "extra_groups": []}
    return {}


class Postgres:
    """A throwaway PostgreSQL server on loopback, started like the tests' (initdb, then the
    server in a temporary folder), but durable: fsync and synchronous_commit stay on, so a
    logged cramp is on disk when it is answered, as with SQLite's synchronous=FULL."""

    def __init__(self) -> None:
        found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
        if not found:
            sys.exit("PostgreSQL server binaries missing: apt-get install -y postgresql")
        bindir = found[-1].parent
        self.dir = Path(tempfile.mkdtemp(prefix="crampwise-bench-pg-"))
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        data = self.dir / "data"
        initdb = [str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust"]
        subprocess.run(
            [*initdb, "-E", "UTF8", "--locale=C"],
            check=True,
            capture_output=True,
            cwd=self.dir,
            **server_user(),  # type: ignore[call-overload]
        )
        self.port = free_port()
        self.log = (self.dir / "server.log").open("wb")
        self.proc = subprocess.Popen(
            [
                str(bindir / "postgres"),
                "-D",
                str(data),
                "-p",
                str(self.port),
                "-k",
                str(self.dir),
                "-c",
                "listen_addresses=127.0.0.1",
                "-c",
                "max_connections=200",
            ],
            stdout=self.log,
            stderr=subprocess.STDOUT,
            cwd=self.dir,
            **server_user(),  # type: ignore[call-overload]
        )
        import psycopg

        deadline = time.monotonic() + 30
        while True:
            try:
                psycopg.connect(self.dsn("postgres"), connect_timeout=2).close()
                break
            except psycopg.OperationalError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def dsn(self, database: str) -> str:
        return f"host=127.0.0.1 port={self.port} user=postgres dbname={database}"

    def new_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(self.dsn("postgres"), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def measure_config(
    backend: str,
    workers: int,
    db_url: str,
    env: dict[str, str],
    tmp: Path,
    seconds: int,
    with_writer: bool,
) -> dict[str, Metrics]:
    """Tonight (kept copy), Tonight rendered every view, and logging a cramp on a fresh
    database seeded as above, served by `workers` processes (page cache on and off)."""
    py = sys.executable
    servers: list[subprocess.Popen[bytes]] = []
    try:
        cw_port, nocache_port = free_port(), free_port()
        servers.append(start([py, "-c", SERVE, str(cw_port), db_url, "cache", str(workers)], env))
        cw = f"http://127.0.0.1:{cw_port}"
        wait_up(f"{cw}/login")  # schema upgraded by now: the second server only checks it
        servers.append(
            start([py, "-c", SERVE, str(nocache_port), db_url, "nocache", str(workers)], env)
        )
        nocache = f"http://127.0.0.1:{nocache_port}"
        wait_up(f"{nocache}/login")
        cookies, csrf = sign_up(cw)
        seed_diary(cw, cookies, csrf)
        status, _ = request(f"{cw}/", None, dict(cookies))
        if status != 200:
            sys.exit(f"the Tonight page answers {status}, not 200: nothing to measure")
        cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())
        post_lua, get_lua = tmp / "post.lua", tmp / "get.lua"
        lua_post(post_lua, cookie, csrf)
        lua_get(get_lua, cookie)
        # Warm-up: imports, template compilation, every worker's caches and connections.
        run_wrk(f"{cw}/", 2, get_lua)
        run_wrk(f"{nocache}/", 2, get_lua)
        cw_group, nocache_group = [servers[0].pid], [servers[1].pid]
        results = {
            "tonight": run_wrk(f"{cw}/", seconds, get_lua, cw_group),
            "tonight_uncached": run_wrk(f"{nocache}/", seconds, get_lua, nocache_group),
        }
        if with_writer:
            results["tonight_while_logging"] = tonight_while_logging(
                cw, cookies, csrf, seconds, get_lua, cw_group
            )
        results["log_cramp"] = run_wrk(f"{cw}/api/v1/episodes", seconds, post_lua, cw_group)
        print(f"  measured {backend}, {workers} worker(s)", file=sys.stderr)
        return results
    finally:
        stop(servers)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=10, help="length of each wrk run")
    parser.add_argument(
        "--backends", default="sqlite,postgres", help="comma-separated: sqlite, postgres"
    )
    parser.add_argument(
        "--workers", default="1,2", help="comma-separated worker counts (default: 1,2)"
    )
    args = parser.parse_args()
    workers_list = tuple(int(w) for w in args.workers.split(",") if w)
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: apt-get install -y wrk")
    backends = [b for b in args.backends.split(",") if b]
    started_at = datetime.now(UTC)
    load_before = os.getloadavg()[0]
    tmp = Path(tempfile.mkdtemp(prefix="crampwise-bench-web-"))
    env = {**os.environ, "CRAMPWISE_DATA_DIR": str(tmp)}
    env.pop("CRAMPWISE_DATABASE_URL", None)
    env.pop("WEB_CONCURRENCY", None)
    py = sys.executable
    hello: dict[str, Metrics] = {}
    runs: Runs = {}
    postgres = Postgres() if "postgres" in backends else None
    try:
        for workers in workers_list:
            port = free_port()
            hello_server = [start([py, str(HELLO_APP), str(port), str(workers)], env)]
            try:
                wait_up(f"http://127.0.0.1:{port}/hello")
                run_wrk(f"http://127.0.0.1:{port}/hello", 2)
                hello[str(workers)] = run_wrk(
                    f"http://127.0.0.1:{port}/hello", args.seconds, None, [hello_server[0].pid]
                )
            finally:
                stop(hello_server)
        for backend in backends:
            runs[backend] = {}
            for workers in workers_list:
                if backend == "sqlite":
                    db_url = f"sqlite:///{tmp / f'bench-{workers}.sqlite3'}"
                else:
                    assert postgres is not None
                    db_url = postgres.new_database(f"bench_{workers}w")
                runs[backend][str(workers)] = measure_config(
                    backend,
                    workers,
                    db_url,
                    env,
                    tmp,
                    args.seconds,
                    with_writer=(backend == "sqlite" and workers == 1),
                )
    finally:
        if postgres is not None:
            postgres.stop()
    load_after = os.getloadavg()[0]
    checks = check_targets(hello, runs)
    report: dict[str, object] = {
        "date_utc": started_at.strftime("%Y-%m-%d %H:%M"),
        "connections": CONNECTIONS,
        "seconds_per_run": args.seconds,
        "cpus": os.cpu_count(),
        "tool": "wrk -t1 -c32 --latency",
        "seeded_cramps": SEED_CRAMPS,
        "postgres": "throwaway local server, loopback TCP, fsync and synchronous_commit on",
        "load_average_1min": {"before": load_before, "after": load_after},
        "targets": {
            "share_of_hello_same_workers": SHARE_TARGETS,
            "two_workers_vs_one": SCALING_TARGET,
            "p99_ms_below": P99_LIMIT_MS,
        },
        "results": {"hello_world": hello, **runs},
        "checks": checks,
    }
    print_table(hello, runs, checks)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(
        f"{started_at:%Y-%m-%d %H:%M} UTC; load average (1 min): {load_before:.1f} before,"
        f" {load_after:.1f} after"
    )
    print(f"wrote {RESULTS}")
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


def check_targets(hello: dict[str, Metrics], runs: Runs) -> dict[str, dict[str, object]]:
    """Every target, met or not, per (backend, workers, endpoint)."""
    checks: dict[str, dict[str, object]] = {}
    for workers, res in hello.items():
        checks[f"hello_world/{workers}"] = {"p99_ok": res["p99_ms"] < P99_LIMIT_MS}
    for backend, by_workers in runs.items():
        for workers, endpoints in by_workers.items():
            for name, res in endpoints.items():
                share = res["requests_per_s"] / hello[workers]["requests_per_s"]
                check: dict[str, object] = {
                    "share_of_hello": round(share, 3),
                    "p99_ok": res["p99_ms"] < P99_LIMIT_MS,
                    "errors_ok": res["non_2xx"] == 0,
                }
                if name in SHARE_TARGETS:
                    check["share_ok"] = share >= SHARE_TARGETS[name]
                one = by_workers.get("1", {}).get(name)
                if workers != "1" and one:
                    ratio = res["requests_per_s"] / one["requests_per_s"]
                    check["vs_one_worker"] = round(ratio, 2)
                    if name in SHARE_TARGETS:
                        check["scaling_ok"] = ratio >= SCALING_TARGET
                checks[f"{backend}/{workers}/{name}"] = check
    return checks


def print_table(
    hello: dict[str, Metrics], runs: Runs, checks: dict[str, dict[str, object]]
) -> None:
    def ok(flag: object) -> str:
        return "ok" if flag else "MISSED"

    def line(backend: str, workers: str, name: str, res: Metrics, share: str, ratio: str) -> str:
        return (
            f"{backend:<9}{workers:>2} {name:<22}{res['requests_per_s']:>8.0f} {share:>7}"
            f" {ratio:>5} {res['p50_ms']:>7.2f} {res['p99_ms']:>7.2f}"
            f" {res.get('app_cpu_ms', 0):>6.3f} {res.get('db_cpu_ms', 0):>6.3f}"
        )

    print(
        f"{'backend':<9}{'w':>2} {'endpoint':<22}{'req/s':>8} {'%hello':>7} {'x1w':>5}"
        f" {'p50':>7} {'p99':>7} {'cpu':>6} {'db cpu':>6}  targets"
    )
    limit = f"p99<{P99_LIMIT_MS:.0f}"
    for workers, res in hello.items():
        print(line("-", workers, "hello_world", res, "100%", ""), end="")
        print(f"  {limit} {ok(checks[f'hello_world/{workers}']['p99_ok'])}")
    for backend, by_workers in runs.items():
        for workers, endpoints in by_workers.items():
            for name, res in endpoints.items():
                c = checks[f"{backend}/{workers}/{name}"]
                notes = [f"{limit} {ok(c['p99_ok'])}"]
                if name in SHARE_TARGETS:
                    notes.append(f">={SHARE_TARGETS[name]:.0%} hello {ok(c['share_ok'])}")
                if "scaling_ok" in c:
                    notes.append(f">={SCALING_TARGET}x 1w {ok(c['scaling_ok'])}")
                if res["non_2xx"]:
                    notes.append(f"{res['non_2xx']:.0f} non-2xx")
                share = f"{float(c['share_of_hello']):.0%}"  # type: ignore[arg-type]
                ratio = f"{c['vs_one_worker']:.2f}" if "vs_one_worker" in c else ""
                print(f"{line(backend, workers, name, res, share, ratio)}  {'; '.join(notes)}")


if __name__ == "__main__":
    sys.exit(main())
