"""Browser fixtures: one Debian Chromium per session, a fresh live server per test module.

Each module gets its own server on its own SQLite file, so the first-run journey really
starts on an empty database. Pages are checked for outside requests and CSP violations.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from crampwise.web.app import create_app

from ..support import fast_settings

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@dataclass
class Server:
    """A uvicorn on loopback serving a fresh app; `store` is the app's own diary store."""

    url: str
    app: Any
    path: Path

    @property
    def store(self) -> Any:
        return self.app.state.ctx.store


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A live crampwise on an empty SQLite database, for one test module."""
    import uvicorn

    path = tmp_path_factory.mktemp("browser") / "crampwise.sqlite3"
    app = create_app(fast_settings(f"sqlite:///{path}"))
    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not uv.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the live server did not start")
        time.sleep(0.02)
    yield Server(f"http://127.0.0.1:{port}", app, path)
    uv.should_exit = True
    thread.join(timeout=10)
    app.state.ctx.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium, driven by Playwright's bundled driver (no browser download)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make system-deps` (installs chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
