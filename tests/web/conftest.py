"""Web fixtures: a fresh app per test on its own database, signed-in clients, a live server."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi import FastAPI

from crampwise.web.app import create_app
from crampwise.web.settings import WebSettings

from .support import TestClient, fast_settings, invite_and_join, new_client, setup_owner


@pytest.fixture
def web_settings(sqlite_url: str) -> WebSettings:
    return fast_settings(sqlite_url)


@pytest.fixture
def app(web_settings: WebSettings) -> Iterator[FastAPI]:
    application = create_app(web_settings)
    yield application
    application.state.ctx.close()


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with new_client(app) as c:
        yield c


@pytest.fixture
def owner(app: FastAPI) -> Iterator[TestClient]:
    """A client signed in as the owner `olive`."""
    with new_client(app) as c:
        setup_owner(c)
        yield c


@pytest.fixture
def guest(app: FastAPI, owner: TestClient) -> Iterator[TestClient]:
    """A second client signed in as `bob`, invited by the owner."""
    with new_client(app) as c:
        invite_and_join(owner, c, "bob")
        yield c


# --- a live server for browser tests (tests/web/browser/, helper E2) ----------------------
@dataclass
class LiveServer:
    """A uvicorn serving a fresh app on loopback: `url` is e.g. http://127.0.0.1:41234."""

    url: str
    app: FastAPI
    settings: WebSettings


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One uvicorn in a thread for the whole session, on an empty SQLite database.

    The first browser test to arrive sees /setup; use distinct account names per test.
    """
    import uvicorn

    path: Path = tmp_path_factory.mktemp("live") / "live.sqlite3"
    settings = fast_settings(f"sqlite:///{path}")
    application = create_app(settings)
    port = _free_port()
    config = uvicorn.Config(
        application, host="127.0.0.1", port=port, log_level="warning", lifespan="off"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the live server did not start")
        time.sleep(0.02)
    yield LiveServer(f"http://127.0.0.1:{port}", application, settings)
    server.should_exit = True
    thread.join(timeout=10)
    application.state.ctx.close()
