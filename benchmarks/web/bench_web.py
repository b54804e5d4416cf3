"""Web throughput: the Tonight page and logging a cramp vs a bare FastAPI hello-world.

Starts two uvicorn servers on loopback (uvloop + httptools, one worker each, like `crampwise
serve`): crampwise on a fresh SQLite file and a one-endpoint FastAPI app. Each target gets
a bounded wrk run (1 thread, 32 connections) in the same session, so machine noise hits
all of them. Writes benchmarks/results/web.json.
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
from datetime import datetime, timedelta
from http.cookies import SimpleCookie
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE.parent / "results" / "web.json"
HELLO_APP = HERE / "hello_app.py"
CONNECTIONS = 32
TARGETS = {"tonight": 0.40, "log_cramp": 0.20}  # share of the hello-world rate
P99_LIMIT_MS = 100.0
WRITE_EVERY_S = 0.1  # tonight_while_logging: a cramp logged every 100 ms
SEED_CRAMPS = 20  # in the Tonight page's 14-night window, like a bad fortnight

SERVE = """
import sys
from crampwise.web.server import serve
from crampwise.web.settings import WebSettings
settings = WebSettings(database_url=sys.argv[2], page_cache=sys.argv[3] == "cache")
serve("127.0.0.1", int(sys.argv[1]), settings)
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


def parse_wrk(output: str) -> dict[str, float]:
    """Requests/s, p50/p99 latency (ms) and error counts from `wrk --latency`."""

    def ms(text: str) -> float:
        value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    p50 = ms(re.search(r"^\s+50%\s+(\S+)", output, re.M).group(1))  # type: ignore[union-attr]
    p99 = ms(re.search(r"^\s+99%\s+(\S+)", output, re.M).group(1))  # type: ignore[union-attr]
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    errors = re.search(r"Socket errors:.*", output)
    return {
        "requests_per_s": round(rps, 1),
        "p50_ms": round(p50, 2),
        "p99_ms": round(p99, 2),
        "non_2xx": int(non2xx.group(1)) if non2xx else 0,
        "socket_errors": errors.group(0) if errors else "",
    }


def run_wrk(url: str, seconds: int, script: Path | None = None) -> dict[str, float]:
    cmd = ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency", "--timeout", "5s"]
    if script is not None:
        cmd += ["-s", str(script)]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, check=True).stdout
    return parse_wrk(out)


def tonight_while_logging(
    base: str, cookies: dict[str, str], csrf: str, seconds: int, script: Path
) -> dict[str, float]:
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
        result = run_wrk(f"{base}/", seconds, script)
    finally:
        stop.set()
        writer.join(timeout=10)
    result["cramps_logged_meanwhile"] = logged[0]
    return result


def start(cmd: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=10, help="length of each wrk run")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: apt-get install -y wrk")
    load_before = os.getloadavg()[0]
    tmp = Path(tempfile.mkdtemp(prefix="crampwise-bench-web-"))
    env = {**os.environ, "CRAMPWISE_DATA_DIR": str(tmp)}
    env.pop("CRAMPWISE_DATABASE_URL", None)
    py = sys.executable
    cw_port, hello_port, nocache_port = free_port(), free_port(), free_port()
    db_url = f"sqlite:///{tmp / 'bench.sqlite3'}"
    servers = [
        start([py, "-c", SERVE, str(cw_port), db_url, "cache"], env),
        start([py, str(HELLO_APP), str(hello_port)], env),
    ]
    try:
        cw, hello = f"http://127.0.0.1:{cw_port}", f"http://127.0.0.1:{hello_port}"
        wait_up(f"{cw}/login")
        wait_up(f"{hello}/hello")
        # The same app and database with the page cache off: every view reads and renders,
        # as on PostgreSQL or when something was written since the last view.
        servers.append(start([py, "-c", SERVE, str(nocache_port), db_url, "nocache"], env))
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
        # Warm-up: imports, template compilation, SQLite page cache; then the measured runs.
        run_wrk(f"{cw}/", 2, get_lua)
        run_wrk(f"{nocache}/", 2, get_lua)
        run_wrk(f"{hello}/hello", 2)
        results = {
            "hello_world": run_wrk(f"{hello}/hello", args.seconds),
            "tonight": run_wrk(f"{cw}/", args.seconds, get_lua),
            "tonight_uncached": run_wrk(f"{nocache}/", args.seconds, get_lua),
            "tonight_while_logging": tonight_while_logging(
                cw, cookies, csrf, args.seconds, get_lua
            ),
            "log_cramp": run_wrk(f"{cw}/api/v1/episodes", args.seconds, post_lua),
        }
    finally:
        for proc in servers:
            proc.send_signal(signal.SIGINT)
        for proc in servers:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
    base = results["hello_world"]["requests_per_s"]
    report: dict[str, object] = {
        "connections": CONNECTIONS,
        "seconds_per_run": args.seconds,
        "cpus": os.cpu_count(),
        "tool": "wrk -t1 -c32 --latency",
        "seeded_cramps": SEED_CRAMPS,
        "load_average_1min": {"before": load_before, "after": os.getloadavg()[0]},
        "results": results,
        "checks": {},
    }
    checks: dict[str, dict[str, object]] = {}
    print(f"{'endpoint':<22} {'req/s':>9} {'% hello':>8} {'p50 ms':>8} {'p99 ms':>8}  non-2xx")
    for name, res in results.items():
        share = res["requests_per_s"] / base if base else 0.0
        print(
            f"{name:<22} {res['requests_per_s']:>9.0f} {share:>7.0%} {res['p50_ms']:>8.2f}"
            f" {res['p99_ms']:>8.2f}  {res['non_2xx']}"
        )
        if name in TARGETS:
            checks[name] = {
                "share_of_hello": round(share, 3),
                "target_share": TARGETS[name],
                "share_ok": share >= TARGETS[name],
                "p99_ok": res["p99_ms"] < P99_LIMIT_MS,
                "errors_ok": res["non_2xx"] == 0,
            }
    report["checks"] = checks
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"load average (1 min): {load_before:.1f} before, {os.getloadavg()[0]:.1f} after")
    print(f"wrote {RESULTS}")
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
