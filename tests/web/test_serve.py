"""`crampwise serve` starts the web app on the SQLite default and answers on loopback."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_serve_starts_on_the_default_sqlite_file_and_sends_first_visit_to_setup(
    tmp_path: Path,
) -> None:
    port = _free_port()
    exe = str(Path(sys.executable).with_name("crampwise"))
    env = {**os.environ, "CRAMPWISE_DATA_DIR": str(tmp_path / "data")}
    env.pop("CRAMPWISE_DATABASE_URL", None)
    proc = subprocess.Popen(
        [exe, "serve", "--port", str(port)], env=env, stderr=subprocess.PIPE, text=True
    )
    try:
        opener = urllib.request.build_opener(_NoRedirect)
        deadline = time.monotonic() + 20
        while True:
            try:
                response = opener.open(f"http://127.0.0.1:{port}/", timeout=2)
                status, location = response.status, response.headers.get("location")
                break
            except urllib.error.HTTPError as err:
                status, location = err.code, err.headers.get("location")
                break
            except OSError:
                assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
                assert time.monotonic() < deadline, "crampwise serve did not start"
                time.sleep(0.1)
        assert (status, location) == (303, "/setup")
        # A page whose own name was rebound to 127.0.0.1 (DNS rebinding) sends its name as
        # Host: refused before anything runs, so it cannot create the owner on /setup.
        for host in (f"evil.example:{port}", "evil.example"):
            request = urllib.request.Request(f"http://127.0.0.1:{port}/setup")
            request.add_header("Host", host)
            try:
                opener.open(request, timeout=5)
                raise AssertionError(f"Host {host} was answered")
            except urllib.error.HTTPError as err:
                assert err.code == 400, host
                assert err.headers["content-security-policy"].startswith("default-src 'self'")
        for host in (f"localhost:{port}", f"127.0.0.1:{port}"):
            request = urllib.request.Request(f"http://127.0.0.1:{port}/setup")
            request.add_header("Host", host)
            assert opener.open(request, timeout=5).status == 200, host
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=15)
    assert f"http://127.0.0.1:{port}/" in err
    assert (tmp_path / "data" / "crampwise.sqlite3").exists()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None
