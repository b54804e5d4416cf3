"""Several real `crampwise serve` processes on one database, and a browser-like client.

`cluster` starts, on one fresh database, server A (`crampwise serve`, one process) and
server B (two uvicorn workers: `--workers 2` on SQLite, `WEB_CONCURRENCY=2` on
PostgreSQL), once per module and backend; the PostgreSQL run is marked `postgres`. Both
start at once, so a cluster is ready in about the time one server takes.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from ..support import PASSWORD

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
COOKIE_RE = re.compile(r"^([^=]+)=([^;]*)(.*)$")
EXE = str(Path(sys.executable).with_name("crampwise"))
# Cheap argon2id (the algorithm is the same), as in tests/web/support.fast_settings.
FAST_ENV = {
    "CRAMPWISE_WEB_ARGON2_TIME_COST": "1",
    "CRAMPWISE_WEB_ARGON2_MEMORY_KIB": "1024",
    "CRAMPWISE_WEB_ARGON2_PARALLELISM": "1",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    """One `crampwise serve` (its supervisor, when it runs workers) on a free port."""

    name: str
    proc: subprocess.Popen[str]
    port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_ready(self, deadline: float) -> None:
        while True:
            try:
                httpx.get(self.url + "/login", timeout=2)
                return
            except httpx.TransportError:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"server {self.name} exited: {self.stderr()}") from None
                if time.monotonic() > deadline:
                    raise RuntimeError(f"server {self.name} did not start") from None
                time.sleep(0.05)

    def workers(self) -> list[int]:
        """Process ids of this server's uvicorn worker processes (spawned children)."""
        found = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
                cmdline = (stat.parent / "cmdline").read_bytes()
            except OSError:
                continue
            if parent == self.proc.pid and b"spawn_main" in cmdline:
                found.append(int(stat.parent.name))
        return found

    def stop(self) -> str:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        text = self.stderr()
        if self.proc.stderr is not None:
            self.proc.stderr.close()
        return text

    def stderr(self) -> str:
        if self.proc.poll() is None or self.proc.stderr is None or self.proc.stderr.closed:
            return ""
        return self.proc.stderr.read()


def start_server(name: str, env: dict[str, str], *args: str) -> Server:
    port = free_port()
    proc = subprocess.Popen(
        [EXE, "serve", "--port", str(port), *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    return Server(name, proc, port)


@dataclass
class Cluster:
    backend: str
    database_url: str
    a: Server
    b: Server
    env: dict[str, str]


def server_env(tmp: Path, database_url: str) -> dict[str, str]:
    env = {**os.environ, **FAST_ENV}
    env["CRAMPWISE_DATA_DIR"] = str(tmp / "data")
    env["CRAMPWISE_DATABASE_URL"] = database_url
    env.pop("WEB_CONCURRENCY", None)
    return env


BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def _launch(
    backend: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Cluster:
    """Start A and B on a fresh database of `backend` (not waiting for them)."""
    tmp = tmp_path_factory.mktemp(f"cluster-{backend}")
    if backend == "sqlite":
        template = request.getfixturevalue("_sqlite_template")
        shutil.copyfile(template, tmp / "shared.sqlite3")
        url = f"sqlite:///{tmp / 'shared.sqlite3'}"
    else:
        pg = request.getfixturevalue("postgres_server")
        name = f"cluster{os.getpid()}_{int(time.time() * 1000) % 10**8}"
        pg.execute(f"CREATE DATABASE {name} TEMPLATE crampwise_template STRATEGY FILE_COPY")
        url = pg.url(name)
    env = server_env(tmp, url)
    a = start_server("A", env)
    if backend == "sqlite":
        b = start_server("B", env, "--workers", "2")
    else:
        b = start_server("B", {**env, "WEB_CONCURRENCY": "2"})
    return Cluster(backend, url, a, b, env)


@pytest.fixture(scope="module")
def _clusters(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Cluster]]:
    """Every cluster this module's selected tests need, all started at once: their start-up
    (imports, PostgreSQL's initdb) overlaps instead of adding up."""
    wanted = set()
    for item in request.session.items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        if item.path == request.path and "cluster" in params:
            wanted.add(params["cluster"])
    launched: dict[str, Cluster] = {}
    try:
        for backend in ("sqlite", "postgres"):  # SQLite's servers import while initdb runs
            if backend in wanted:
                launched[backend] = _launch(backend, request, tmp_path_factory)
        yield launched
    finally:
        for started in launched.values():
            started.a.stop()
            started.b.stop()


@pytest.fixture(scope="module", params=BACKENDS)
def cluster(request: pytest.FixtureRequest, _clusters: dict[str, Cluster]) -> Cluster:
    """Servers A and B on one fresh database (see the module docstring), ready."""
    started = _clusters[request.param]
    deadline = time.monotonic() + 45
    started.a.wait_ready(deadline)
    started.b.wait_ready(deadline)
    return started


@dataclass
class Browser:
    """Keeps cookies like a browser on a secure origin (the app's cookies are `Secure`, which
    httpx will not send over plain http) and talks to whichever server it is told to."""

    cookies: dict[str, str] = field(default_factory=dict)
    client: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=10))

    def request(self, method: str, server: Server, path: str, **kwargs: Any) -> httpx.Response:
        # A new connection each time: a server with several workers may answer on any.
        headers = {"connection": "close", **kwargs.pop("headers", {})}
        if self.cookies:
            headers["cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        response = self.client.request(method, server.url + path, headers=headers, **kwargs)
        self.client.cookies.clear()
        for line in response.headers.get_list("set-cookie"):
            found = COOKIE_RE.match(line)
            assert found, line
            cookie, value, attributes = found.groups()
            if (
                "max-age=0" in attributes.lower()
                or "expires=thu, 01 jan 1970" in attributes.lower()
            ):
                self.cookies.pop(cookie, None)
            else:
                self.cookies[cookie] = value.strip('"')
        return response

    def get(self, server: Server, path: str) -> httpx.Response:
        return self.request("GET", server, path)

    def form(self, server: Server, page: str, action: str, **data: str) -> httpx.Response:
        """Open `page`, then post `data` with the CSRF token of its form to `action`."""
        found = CSRF_RE.search(self.get(server, page).text)
        assert found, f"no form on {page}: {self.get(server, page).status_code}"
        return self.request("POST", server, action, data={**data, "csrf_token": found.group(1)})

    def log_cramp(self, server: Server, when: datetime) -> httpx.Response:
        """Log a cramp through the JSON API with the session cookie and its CSRF token."""
        session = self.get(server, "/api/v1/session")
        headers = {}
        if session.status_code == 200:
            headers["x-csrf-token"] = session.json()["csrf_token"]
        body = {"started_at": when.isoformat(), "muscle": "calf"}
        return self.request("POST", server, "/api/v1/episodes", json=body, headers=headers)

    def sign_in(self, server: Server, name: str, password: str = PASSWORD) -> httpx.Response:
        return self.form(server, "/login", "/login", name=name, password=password)

    def close(self) -> None:
        self.client.close()


@pytest.fixture
def browsers() -> Iterator[Any]:
    """`browsers()` makes a new Browser; all are closed after the test."""
    made: list[Browser] = []

    def new() -> Browser:
        made.append(Browser())
        return made[-1]

    yield new
    for browser in made:
        browser.close()


NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
NGINX_CONF = """
{user}worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 128; }}
http {{
  access_log off;
  client_body_temp_path {dir}/body;
  proxy_temp_path {dir}/proxy;
  fastcgi_temp_path {dir}/fastcgi;
  uwsgi_temp_path {dir}/uwsgi;
  scgi_temp_path {dir}/scgi;
  upstream crampwise {{ server 127.0.0.1:{a}; server 127.0.0.1:{b}; }}
  server {{
    listen 127.0.0.1:{port};
    location / {{
      proxy_pass http://crampwise;
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $remote_addr;
      proxy_set_header X-Forwarded-Proto $scheme;
    }}
  }}
}}
"""


@pytest.fixture(scope="module")
def proxy(cluster: Cluster, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A real nginx sending requests round-robin to A and B (Debian's package)."""
    if not Path(NGINX).exists():
        pytest.fail("nginx not found: scripts/ensure-system-deps.sh installs it", pytrace=False)
    tmp = tmp_path_factory.mktemp("nginx")
    port = free_port()
    conf = tmp / "nginx.conf"
    user = "user root root;\n" if os.geteuid() == 0 else ""
    conf.write_text(
        NGINX_CONF.format(user=user, dir=tmp, a=cluster.a.port, b=cluster.b.port, port=port)
    )
    proc = subprocess.Popen(
        [NGINX, "-p", str(tmp), "-c", str(conf), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    server = Server("nginx", proc, port)
    try:
        server.wait_ready(time.monotonic() + 10)
        yield server
    finally:
        proc.send_signal(signal.SIGQUIT)  # graceful: workers finish, then the master exits
        server.stop()
