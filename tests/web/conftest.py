"""Web fixtures: a fresh app per test on its own database, signed-in clients.

Browser tests (tests/web/browser/) run their own live uvicorn per module.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

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


# The care team's "today" (the recent 28 days, share end dates) for tests whose diaries hold
# fixed dates: frozen, so they mean the same on any day the tests run.
CARE_NOW = datetime(2026, 12, 2, 10, 0)


@pytest.fixture
def care_clock(monkeypatch: pytest.MonkeyPatch) -> datetime:
    monkeypatch.setattr("crampwise.web.care.common.local_now", lambda: CARE_NOW)
    return CARE_NOW
