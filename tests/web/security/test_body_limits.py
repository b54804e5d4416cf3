"""Request bodies are bounded while they are read, before sign-in or CSRF is looked at.

Against a real `crampwise serve` over raw sockets: TestClient hands the app the whole body
in one message, so it cannot show what happens while a body is still arriving. Bodies are
generated here, a megabyte at a time; nothing large is kept in the repository.
"""

from __future__ import annotations

import os
import select
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

MIB = 1 << 20
UPLOAD_MAX = 2 * MIB  # the import route's limit in this test (the default is 200 MiB)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _rss_mib(pid: int, key: str = "VmHWM") -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key):
            return int(line.split()[1]) // 1024
    raise AssertionError(key)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, int]]:
    """(port, pid) of `crampwise serve` on a fresh SQLite file."""
    port = _free_port()
    data = tmp_path_factory.mktemp("serve")
    env = {
        **os.environ,
        "CRAMPWISE_DATA_DIR": str(data),
        "CRAMPWISE_WEB_UPLOAD_MAX_BYTES": str(UPLOAD_MAX),
    }
    env.pop("CRAMPWISE_DATABASE_URL", None)
    exe = str(Path(sys.executable).with_name("crampwise"))
    proc = subprocess.Popen(
        [exe, "serve", "--port", str(port)], env=env, stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            assert time.monotonic() < deadline, "crampwise serve did not start"
            time.sleep(0.1)
    yield port, proc.pid
    proc.send_signal(signal.SIGINT)
    proc.communicate(timeout=15)


def _head(method: str, path: str, content_type: str, length: int | None) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", f"Content-Type: {content_type}"]
    lines.append(
        f"Content-Length: {length}" if length is not None else "Transfer-Encoding: chunked"
    )
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def _answer(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (h.partition(":") for h in header_lines)}
    length = int(headers.get("content-length", "0"))
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return int(status_line.split()[1]), headers, body


def _declared(
    port: int, path: str, content_type: str, length: int, body: bytes = b""
) -> tuple[int, dict[str, str], bytes]:
    """Declare `length` bytes, send `body` (none: the answer must come without it), read the
    answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(_head("POST", path, content_type, length))
        if body:
            sock.sendall(body)
        return _answer(sock)


def _file_form(size: int) -> bytes:
    """A multipart form of one file field, `size` bytes in all."""
    start = (
        b'--b\r\nContent-Disposition: form-data; name="file"; filename="diary.csv"\r\n'
        b"Content-Type: text/csv\r\n\r\n"
    )
    end = b"\r\n--b--\r\n"
    return start + b"x" * (size - len(start) - len(end)) + end


def _streamed(port: int, path: str, content_type: str, most: int) -> tuple[int, int, bytes]:
    """Send a chunked body a megabyte at a time until the server answers (or `most` bytes);
    (status, bytes sent, body)."""
    block = b"a" * MIB
    sent = 0
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(_head("POST", path, content_type, None))
        while sent < most:
            readable, _, _ = select.select([sock], [], [], 0)
            if readable:
                break
            try:
                sock.sendall(b"%x\r\n" % len(block) + block + b"\r\n")
            except OSError:
                break
            sent += len(block)
        status, _, body = _answer(sock)
    return status, sent, body


def test_a_200_mb_anonymous_post_is_refused_before_it_is_read(server: tuple[int, int]) -> None:
    port, pid = server
    before = _rss_mib(pid)
    status, headers, body = _declared(port, "/api/v1/episodes", "application/json", 200 * MIB)
    assert status == 413
    assert body.decode() == "Request body too large: at most 64 KiB here."
    assert headers["content-security-policy"].startswith("default-src 'self'")
    assert headers["cache-control"] == "no-store"
    # The same body without a length: counted as it arrives, refused once past 64 KiB.
    status, sent, _ = _streamed(port, "/api/v1/episodes", "application/json", 200 * MIB)
    assert status == 413
    assert sent < 64 * MIB  # answered while the body was still coming
    assert _rss_mib(pid) - before < 32  # it grew by hundreds of MiB when bodies were read whole


def test_a_300_mb_multipart_login_is_refused_before_it_is_spooled(server: tuple[int, int]) -> None:
    port, pid = server
    before = _rss_mib(pid)
    form = "multipart/form-data; boundary=b"
    status, _, body = _declared(port, "/login", form, 300 * MIB)
    assert status == 413 and b"64 KiB" in body
    status, sent, _ = _streamed(port, "/login", "application/x-www-form-urlencoded", 300 * MIB)
    assert status == 413 and sent < 64 * MIB
    assert _rss_mib(pid) - before < 32


def test_the_import_has_its_own_larger_limit(server: tuple[int, int]) -> None:
    port, _ = server
    form = "multipart/form-data; boundary=b"
    status, _, body = _declared(port, "/settings/import", form, UPLOAD_MAX + 1)
    assert status == 413 and body.decode() == "Request body too large: at most 2 MiB here."
    # Within the limit the body is read, and the usual checks answer (no CSRF token: 403).
    within = _file_form(MIB)
    status, _, _ = _declared(port, "/settings/import", form, len(within), body=within)
    assert status == 403
    # The same form sent elsewhere is over the small limit.
    status, _, _ = _declared(port, "/settings", form, len(within))
    assert status == 413
