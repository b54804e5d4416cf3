"""The lane for logging a cramp (`crampwise.web.api.lane`): it answers as the route does, and
hands everything it does not answer to the full stack with the body intact.

A body sent without a length (chunked) always takes the full stack, so each answer below is
compared with the full stack's answer to the same body from the same client.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from starlette.middleware import Middleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from crampwise.web.api.lane import CrampLane

from ..support import TestClient, session_csrf

Seen = list[tuple[str, str, bytes]]


class HandedOn:
    """What reached the stack behind the lane: (method, path, body) per request."""

    def __init__(self, app: ASGIApp, seen: Seen):
        self.app = app
        self.seen = seen

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []

        async def recording() -> Message:
            message = await receive()
            chunks.append(message.get("body", b""))
            return message

        await self.app(scope, recording, send)
        self.seen.append((scope["method"], scope["path"], b"".join(chunks)))


@pytest.fixture
def seen(app: FastAPI) -> Seen:
    """Put a `HandedOn` right behind the lane."""
    log: Seen = []
    lane = next(i for i, m in enumerate(app.user_middleware) if m.cls is CrampLane)
    app.user_middleware.insert(lane + 1, Middleware(HandedOn, seen=log))
    app.middleware_stack = None  # built again, with it, at the next request
    return log


def _post(
    client: TestClient, body: bytes, headers: dict[str, str], chunked: bool
) -> httpx.Response:
    # An iterator of bytes makes httpx send the body chunked, without a Content-Length.
    content: Any = iter([body]) if chunked else body
    return client.post("/api/v1/episodes", content=content, headers=headers)


def _same_answer(lane: httpx.Response, full: httpx.Response) -> None:
    assert lane.status_code == full.status_code
    for header in ("content-type", "cache-control", "content-security-policy", "www-authenticate"):
        assert lane.headers.get(header) == full.headers.get(header), header
    if lane.headers.get("content-type") == "application/json":
        left, right = lane.json(), full.json()
        if isinstance(left, dict) and "id" in left:
            left, right = {**left, "id": None}, {**right, "id": None}
        assert left == right
    else:
        assert lane.text == full.text


@pytest.fixture
def signed_in(owner: TestClient, seen: Seen) -> Iterator[dict[str, str]]:
    headers = {"Content-Type": "application/json", "X-CSRF-Token": session_csrf(owner)}
    seen.clear()  # the page the token was read from
    yield headers


def test_a_cramp_is_logged_in_the_lane_as_the_route_logs_it(
    owner: TestClient, seen: Seen, signed_in: dict[str, str]
) -> None:
    body = b'{"started_at": "2026-11-22T02:15:00", "muscle": "calf", "pain": 6}'
    lane = _post(owner, body, signed_in, chunked=False)
    assert seen == []  # answered in the lane
    full = _post(owner, body, signed_in, chunked=True)
    assert seen == [("POST", "/api/v1/episodes", body)]
    assert lane.status_code == 201
    _same_answer(lane, full)
    stored = owner.get("/api/v1/episodes").json()
    assert [e["id"] for e in stored] == [lane.json()["id"], full.json()["id"]]
    assert stored[0] == lane.json()


def test_a_retried_client_id_is_stored_once_in_the_lane(
    owner: TestClient, seen: Seen, signed_in: dict[str, str]
) -> None:
    body = b'{"started_at": "2026-11-22T04:00:00", "client_id": "phone-7"}'
    first = _post(owner, body, signed_in, chunked=False)
    again = _post(owner, body, signed_in, chunked=False)
    assert seen == [] and first.json() == again.json()
    assert len(owner.get("/api/v1/episodes").json()) == 1


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b'{"started_at": "2026-11-22T02:15:00", "muscle": "knee"}', id="vocabulary"),
        pytest.param(b'{"started_at": "2999-01-01T02:15:00"}', id="in-the-future"),
        # Its night would be before year 1 (the API fuzzer's find: it answered 500).
        pytest.param(b'{"started_at": "0001-01-01T01:02:02", "client_id": "q"}', id="year-1"),
    ],
)
def test_a_cramp_the_diary_refuses_is_answered_by_the_apis_own_handler(
    owner: TestClient, seen: Seen, signed_in: dict[str, str], body: bytes
) -> None:
    lane = _post(owner, body, signed_in, chunked=False)
    assert seen == []
    full = _post(owner, body, signed_in, chunked=True)
    assert lane.status_code == 422 and lane.json()["field"]
    _same_answer(lane, full)
    assert owner.get("/api/v1/episodes").json() == []


@pytest.mark.parametrize(
    ("body", "change"),
    [
        pytest.param(b'{"started_at": "2026-11-22', {}, id="not-json"),
        pytest.param(b'{"started_at": "2026-11-22T02:15:00", "pain": "x"}', {}, id="model"),
        pytest.param(b'{"started_at": "2026-11-22T02:15:00", "pain": 11}', {}, id="range"),
        pytest.param(b"[]", {}, id="not-an-object"),
        pytest.param(b"[" * 5000 + b"]" * 5000, {}, id="nested-past-the-parser"),
        pytest.param(b"", {}, id="empty"),
        pytest.param(
            b'{"started_at": "2026-11-22T02:15:00"}', {"X-CSRF-Token": "wrong"}, id="csrf"
        ),
        pytest.param(
            b'{"started_at": "2026-11-22T02:15:00"}', {"Content-Type": "text/plain"}, id="type"
        ),
    ],
)
def test_what_the_lane_does_not_answer_reaches_the_route_whole(
    owner: TestClient, seen: Seen, signed_in: dict[str, str], body: bytes, change: dict[str, str]
) -> None:
    headers = {**signed_in, **change}
    lane = _post(owner, body, headers, chunked=False)
    assert seen == [("POST", "/api/v1/episodes", body)]
    full = _post(owner, body, headers, chunked=True)
    assert lane.status_code in (400, 403, 415, 422)
    _same_answer(lane, full)
    assert owner.get("/api/v1/episodes").json() == []


def test_no_session_is_the_routes_answer(client: TestClient, seen: Seen) -> None:
    body = b'{"started_at": "2026-11-22T02:15:00"}'
    headers = {"Content-Type": "application/json"}
    lane = _post(client, body, headers, chunked=False)
    assert seen == [("POST", "/api/v1/episodes", body)]
    _same_answer(lane, _post(client, body, headers, chunked=True))
    assert lane.status_code == 403  # no session, so no CSRF token can match


def test_a_bearer_token_logs_in_the_lane_and_a_revoked_one_is_refused(
    owner: TestClient, client: TestClient, seen: Seen, signed_in: dict[str, str]
) -> None:
    made = owner.post("/api/v1/tokens", json={"name": "phone"}, headers=signed_in).json()
    seen.clear()
    bearer = {"Content-Type": "application/json", "Authorization": f"Bearer {made['token']}"}
    body = b'{"started_at": "2026-11-22T03:00:00", "muscle": "foot"}'
    logged = _post(client, body, bearer, chunked=False)
    assert logged.status_code == 201 and seen == []
    revoked = owner.post(
        f"/account/tokens/{made['id']}/revoke", data={"csrf_token": signed_in["X-CSRF-Token"]}
    )
    assert revoked.status_code in (200, 303)
    seen.clear()
    refused = _post(client, body, bearer, chunked=False)
    assert seen == [("POST", "/api/v1/episodes", body)]
    _same_answer(refused, _post(client, body, bearer, chunked=True))
    assert refused.status_code in (401, 403)
    assert [e["muscle"] for e in owner.get("/api/v1/episodes").json()] == ["foot"]


def test_other_requests_pass_the_lane_untouched(
    owner: TestClient, seen: Seen, signed_in: dict[str, str]
) -> None:
    owner.get("/api/v1/episodes")
    owner.post("/api/v1/factors", json={"name": "naps", "kind": "numeric"}, headers=signed_in)
    assert [(m, p) for m, p, _ in seen] == [
        ("GET", "/api/v1/episodes"),
        ("POST", "/api/v1/factors"),
    ]
