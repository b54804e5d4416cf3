"""Cases 1 and 4 with the servers and PostgreSQL on separate machines, as in a clinic.

The test makes four network namespaces of its own: `db` (PostgreSQL), `a` (`crampwise
serve`, one process), `b` (two worker processes) and `hub`, which holds a bridge joining the
others through veth pairs, and the HTTP client. Every address is in 10.231.0.0/24 and lives
inside those namespaces only: nothing is added to or changed in the host's own network. So
A and B reach PostgreSQL over a (virtual) network, not over loopback or a Unix socket, and
nothing A or B knows can travel between them except through the database.

Needs root, `ip` (Debian's iproute2) and permission to make namespaces; it skips, saying
why, where any of these is missing. The namespaces are deleted after the module, failed or
not.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from pgserver import init_cluster, pg_bin

from ..support import PASSWORD
from .conftest import EXE, Browser, Cluster, Server, server_env
from .test_shared_state import NewBrowser, csrf, join, signed_in

# One worker runs every test here: the module fixture owns fixed namespace names and addresses.
pytestmark = [pytest.mark.postgres, pytest.mark.xdist_group("netns")]

SUBNET = "10.231.0"  # private, and assigned inside the test's namespaces only
HOSTS = {"db": 1, "a": 2, "b": 3}  # the hub's bridge (and the client) is .254
PG_PORT = 5432
APP_PORT = 8000
PREFIX = "cwnet"  # namespaces are cwnet<pid>-<role>; the pid finds leftovers of a killed run
CLONE_NEWNET = 0x40000000


def address(role: str) -> str:
    return f"{SUBNET}.{HOSTS[role]}" if role in HOSTS else f"{SUBNET}.254"


def ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True, text=True, timeout=10)


def _setns(fd: int) -> None:
    # Python 3.11 has no os.setns. A network namespace belongs to one thread: only the
    # calling thread moves, and sockets it opens meanwhile stay in the namespace.
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.setns(fd, CLONE_NEWNET) != 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))


@contextmanager
def inside(namespace: str) -> Iterator[None]:
    """Run this thread's network calls inside `namespace`, then come back."""
    home = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
    target = os.open(f"/var/run/netns/{namespace}", os.O_RDONLY)
    try:
        _setns(target)
        yield
    finally:
        _setns(home)
        os.close(target)
        os.close(home)


def _remove_leftovers() -> None:
    """Delete namespaces left by a run that was killed before its clean-up."""
    listed = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    for line in listed.splitlines():
        name = line.split()[0] if line.split() else ""
        pid = name[len(PREFIX) :].split("-")[0]
        if name.startswith(PREFIX) and pid.isdigit() and not Path(f"/proc/{pid}").exists():
            subprocess.run(["ip", "netns", "del", name], capture_output=True)


@dataclass
class Network:
    names: dict[str, str]  # role -> namespace name

    def run(self, role: str, *argv: str) -> list[str]:
        """A command line that runs `argv` inside `role`'s namespace (ip execs it: same pid)."""
        return ["ip", "netns", "exec", self.names[role], *argv]


def _build(names: dict[str, str]) -> None:
    hub = names["hub"]
    for name in names.values():
        ip("netns", "add", name)
        ip("-n", name, "link", "set", "lo", "up")
    ip("-n", hub, "link", "add", "br0", "type", "bridge")
    ip("-n", hub, "addr", "add", f"{address('hub')}/24", "dev", "br0")
    ip("-n", hub, "link", "set", "br0", "up")
    for role in HOSTS:
        # Made in the hub, one end moved straight into the role's namespace: the host's
        # namespace never holds either end.
        port = f"to-{role}"
        ip(
            "-n",
            hub,
            "link",
            "add",
            port,
            "type",
            "veth",
            "peer",
            "name",
            "eth0",
            "netns",
            names[role],
        )
        ip("-n", hub, "link", "set", port, "master", "br0")
        ip("-n", hub, "link", "set", port, "up")
        ip("-n", names[role], "addr", "add", f"{address(role)}/24", "dev", "eth0")
        ip("-n", names[role], "link", "set", "eth0", "up")


@pytest.fixture(scope="module")
def network() -> Iterator[Network]:
    """The four namespaces and their bridge; skipped where they cannot be made."""
    if os.geteuid() != 0:
        pytest.skip("network namespaces need root (ip netns add)")
    if shutil.which("ip") is None:
        pytest.skip("`ip` not found: apt-get install iproute2")
    _remove_leftovers()
    names = {role: f"{PREFIX}{os.getpid()}-{role}" for role in ("hub", *HOSTS)}
    try:
        try:
            _build(names)
        except subprocess.CalledProcessError as err:
            pytest.skip(
                f"cannot make network namespaces here: {' '.join(err.cmd)}: {err.stderr.strip()}"
            )
        yield Network(names)
    finally:
        for name in names.values():
            subprocess.run(["ip", "netns", "del", name], capture_output=True, timeout=10)


def _wait(
    check: Callable[[], object], what: str, proc: subprocess.Popen[bytes], seconds: float
) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            check()
            return
        except Exception:
            if proc.poll() is not None:
                raise RuntimeError(f"{what} exited at start") from None
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


@pytest.fixture(scope="module")
def remote_postgres(network: Network) -> Iterator[str]:
    """A throwaway PostgreSQL in the `db` namespace, listening on its address only, that
    trusts the test subnet; yields the URL of a database at the newest schema."""
    import psycopg

    from crampwise.store import open_store

    bindir = pg_bin()
    folder = Path(tempfile.mkdtemp(prefix="crampwise-netns-pg-"))
    shutil.chown(folder, "postgres", "postgres")  # the server refuses to run as root
    as_postgres = ["setpriv", "--reuid=postgres", "--regid=postgres", "--clear-groups"]
    data = folder / "data"
    init_cluster(data, as_postgres, cwd=folder)
    with (data / "pg_hba.conf").open("a") as hba:
        hba.write(f"host all all {SUBNET}.0/24 trust\n")
    log = (folder / "server.log").open("wb")
    proc = subprocess.Popen(
        network.run(
            "db",
            *as_postgres,
            str(bindir / "postgres"),
            "-D",
            str(data),
            "-p",
            str(PG_PORT),
            "-k",
            str(folder),
            "-c",
            f"listen_addresses={address('db')}",
            "-c",
            "fsync=off",
            "-c",
            "synchronous_commit=off",
            "-c",
            "full_page_writes=off",
        ),
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=folder,
    )
    dsn = f"host={address('db')} port={PG_PORT} user=postgres connect_timeout=2"
    try:
        with inside(network.names["hub"]):
            _wait(lambda: psycopg.connect(dsn).close(), "PostgreSQL", proc, 30)
            with psycopg.connect(dsn, autocommit=True) as conn:
                conn.execute("CREATE DATABASE crampwise")
            url = f"postgresql+psycopg://postgres@{address('db')}:{PG_PORT}/crampwise"
            open_store(url).close()  # migrated once, before either server starts
        yield url
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
        shutil.rmtree(folder, ignore_errors=True)


@dataclass
class NetServer(Server):
    host: str

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"


@pytest.fixture(scope="module")
def cluster(
    network: Network, remote_postgres: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Cluster]:
    """A (one process) in namespace `a`, B (two workers) in `b`, both on the remote database."""
    env = server_env(tmp_path_factory.mktemp("netns"), remote_postgres)
    started: list[NetServer] = []
    for role, extra in (("a", []), ("b", ["--workers", "2"])):
        argv = [EXE, "serve", "--host", address(role), "--port", str(APP_PORT), *extra]
        proc = subprocess.Popen(
            network.run(role, *argv),
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        started.append(NetServer(role.upper(), proc, APP_PORT, address(role)))
    try:
        with inside(network.names["hub"]):
            deadline = time.monotonic() + 30
            for server in started:
                server.wait_ready(deadline)
        yield Cluster("postgres", remote_postgres, started[0], started[1], env)
    finally:
        for server in started:
            server.stop()


@pytest.fixture
def client_side(network: Network) -> Iterator[None]:
    """The test's own requests go out from the hub (10.231.0.254), like a clinic's browser."""
    with inside(network.names["hub"]):
        yield


@pytest.fixture(scope="module")
def olive(cluster: Cluster, network: Network) -> Iterator[Browser]:
    """The owner, set up through A's /setup form."""
    browser = Browser()
    data = {"name": "olive", "password": PASSWORD, "password2": PASSWORD}
    with inside(network.names["hub"]):
        assert browser.form(cluster.a, "/setup", "/setup", **data).status_code == 303
    yield browser
    browser.close()


def _net_namespace(pid: int) -> str:
    return str(Path(f"/proc/{pid}/ns/net").readlink())


def test_the_servers_reach_postgresql_over_the_network(
    cluster: Cluster, network: Network, olive: Browser, client_side: None
) -> None:
    import psycopg

    assert signed_in(olive, cluster.a) and signed_in(olive, cluster.b)
    # A, B's workers, and the test each sit in a namespace of their own ...
    where = {_net_namespace(pid) for pid in [cluster.a.proc.pid, *cluster.b.workers()]}
    assert len(where) == 2 and _net_namespace(os.getpid()) not in where
    # ... and PostgreSQL sees their connections arrive from their addresses.
    dsn = f"host={address('db')} port={PG_PORT} user=postgres dbname=crampwise"
    with psycopg.connect(dsn) as conn:
        rows = conn.execute(
            "SELECT DISTINCT host(client_addr) FROM pg_stat_activity WHERE datname = 'crampwise'"
        ).fetchall()
    assert {address("a"), address("b")} <= {row[0] for row in rows}


def test_sign_out_on_a_is_refused_on_b(
    cluster: Cluster, olive: Browser, browsers: NewBrowser, client_side: None
) -> None:
    mia = join(cluster, olive, browsers, "mia")
    assert signed_in(mia, cluster.b) and signed_in(mia, cluster.b)
    cookie = dict(mia.cookies)
    signed_out = mia.request("POST", cluster.a, "/logout", headers=csrf(mia, cluster.a))
    assert signed_out.status_code == 303
    mia.cookies = cookie  # the old cookie, as a copied or stolen one would be
    assert not signed_in(mia, cluster.b)
    assert not signed_in(mia, cluster.a)


def test_sign_in_failures_count_across_servers(
    cluster: Cluster, olive: Browser, browsers: NewBrowser, client_side: None
) -> None:
    # The owner exists (olive): before that, /login sends everyone to /setup.
    guesser = browsers()
    for n in range(5):  # the account limit, alternating A, B, A, B, A
        server = (cluster.a, cluster.b)[n % 2]
        assert guesser.sign_in(server, "nina", f"guess {n}").status_code == 401
    for server in (cluster.b, cluster.a):
        refused = guesser.sign_in(server, "nina", "guess again")
        assert refused.status_code == 429
        assert 1 <= int(refused.headers["retry-after"]) <= 15 * 60
