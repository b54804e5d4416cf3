"""On PostgreSQL a write never trusts a kept session: a session whose row is gone changes
nothing, even while this process has not yet heard of the change.

The row is deleted here with triggers off (`session_replication_role = replica`), so no
notification is sent: the process keeps trusting its copy for views, as it would in the
moment before a notification arrives, and each kind of write must still refuse."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest
import sqlalchemy as sa
from fastapi import FastAPI

from crampwise.store.auth import web_sessions
from crampwise.store.tables import episodes
from crampwise.web.app import create_app

from ..support import TestClient, fast_settings, new_client, session_csrf, setup_owner

pytestmark = pytest.mark.postgres


@pytest.fixture
def app(postgres_url: str) -> Iterator[FastAPI]:
    application = create_app(fast_settings(postgres_url))
    yield application
    application.state.ctx.close()


def _end_sessions_silently(app: FastAPI) -> None:
    """Another process ends every session, and its notification has not come yet."""
    url = app.state.ctx.store.engine.url
    other = sa.create_engine(url)
    try:
        with other.begin() as conn:
            conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
            conn.execute(sa.delete(web_sessions))
    finally:
        other.dispose()


def _cramps(app: FastAPI) -> int:
    with app.state.ctx.store.engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(episodes)).scalar_one())


@pytest.fixture
def owner(app: FastAPI) -> Iterator[TestClient]:
    with new_client(app) as client:
        setup_owner(client)
        assert client.get("/").status_code == 200  # the session is now kept
        yield client


def test_a_cramp_logged_through_the_api_checks_the_session_in_its_own_write(
    app: FastAPI, owner: TestClient
) -> None:
    csrf = session_csrf(owner)
    # The app judges "in the future" by the real clock: a cramp now is valid on any day.
    when = datetime.now().replace(microsecond=0).isoformat()
    logged = owner.post(
        "/api/v1/episodes", json={"started_at": when}, headers={"X-CSRF-Token": csrf}
    )
    assert logged.status_code == 201  # a kept session, checked in the writing transaction
    _end_sessions_silently(app)
    assert owner.get("/").status_code == 200  # a view still trusts the copy (no news yet)
    refused = owner.post(
        "/api/v1/episodes", json={"started_at": when}, headers={"X-CSRF-Token": csrf}
    )
    assert refused.status_code == 401
    assert _cramps(app) == 1
    assert owner.get("/").status_code == 303  # the copy is dropped with the refusal


def test_the_cramp_form_sends_an_ended_session_to_sign_in(app: FastAPI, owner: TestClient) -> None:
    csrf = session_csrf(owner)
    _end_sessions_silently(app)
    sent = owner.post("/cramp", data={"csrf_token": csrf, "muscle": "calf"})
    assert (sent.status_code, sent.headers["location"]) == (303, "/login?next=/cramp")
    assert _cramps(app) == 0


def test_any_other_write_reads_the_session_row(app: FastAPI, owner: TestClient) -> None:
    csrf = session_csrf(owner)
    _end_sessions_silently(app)
    put = owner.put(
        "/api/v1/days/2026-03-01",
        json={"values": {"stretched": True}},
        headers={"X-CSRF-Token": csrf},
    )
    assert put.status_code in (401, 403)
