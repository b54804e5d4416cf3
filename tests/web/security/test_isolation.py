"""One user never reads or changes another's data: their ids answer 404, by page or API."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI

from crampwise.web.app import create_app

from ..support import (
    TestClient,
    fast_settings,
    invite_and_join,
    new_client,
    session_csrf,
    setup_owner,
)

CRAMP = {"started_at": "2026-11-21T03:10:00", "muscle": "foot", "pain": 8, "note": "olive's"}


def _olive_records(olive: TestClient) -> tuple[int, str]:
    headers = {"X-CSRF-Token": session_csrf(olive)}
    episode = olive.post("/api/v1/episodes", json=CRAMP, headers=headers)
    assert episode.status_code == 201
    day = olive.put("/api/v1/days/2026-11-20", json={"values": {"fluids_l": 1.5}}, headers=headers)
    assert day.status_code == 200
    return episode.json()["id"], "2026-11-20"


def _assert_untouched(olive: TestClient, episode_id: int) -> None:
    assert olive.get(f"/api/v1/episodes/{episode_id}").json()["note"] == "olive's"
    assert olive.get("/api/v1/days/2026-11-20").json()["values"] == {"fluids_l": 1.5}


def _api_probes(bob: TestClient, episode_id: int, day: str) -> list[tuple[str, int, str]]:
    """(what, status, body) for every API way of touching olive's records as bob."""
    headers = {"X-CSRF-Token": session_csrf(bob)}
    calls = [
        ("get", bob.get(f"/api/v1/episodes/{episode_id}")),
        ("patch", bob.patch(f"/api/v1/episodes/{episode_id}", json={"pain": 1}, headers=headers)),
        ("delete", bob.delete(f"/api/v1/episodes/{episode_id}", headers=headers)),
        ("get day", bob.get(f"/api/v1/days/{day}")),
        ("delete day", bob.delete(f"/api/v1/days/{day}", headers=headers)),
    ]
    return [(what, r.status_code, r.text) for what, r in calls]


def test_other_users_episode_and_day_answer_404_like_missing_ones(
    owner: TestClient, guest: TestClient
) -> None:
    episode_id, day = _olive_records(owner)
    probes = _api_probes(guest, episode_id, day)
    assert [status for _, status, _ in probes] == [404] * len(probes)
    # The same answer as for an id that exists for nobody: nothing leaks existence.
    missing = _api_probes(guest, episode_id + 1000, "1999-01-01")
    assert [(s, b) for _, s, b in probes] == [(s, b) for _, s, b in missing]
    assert guest.get("/api/v1/episodes").json() == []
    assert guest.get("/api/v1/days").json() == []
    assert "2026-11-20" not in guest.get("/api/v1/export.csv").text
    _assert_untouched(owner, episode_id)


def test_other_users_episode_pages_answer_404(owner: TestClient, guest: TestClient) -> None:
    episode_id, _day = _olive_records(owner)
    token = session_csrf(guest)
    page = f"/diary/episodes/{episode_id}"
    assert guest.get(page).status_code == 404
    assert guest.post(page, data={"csrf_token": token, "pain": "1"}).status_code == 404
    assert guest.post(f"{page}/delete", data={"csrf_token": token}).status_code == 404
    assert owner.get(page).status_code == 200
    _assert_untouched(owner, episode_id)


def test_other_users_tokens_cannot_be_revoked(owner: TestClient, guest: TestClient) -> None:
    made = owner.post(
        "/api/v1/tokens", json={"name": "mine"}, headers={"X-CSRF-Token": session_csrf(owner)}
    )
    token_id = made.json()["id"]
    bob_headers = {"X-CSRF-Token": session_csrf(guest)}
    assert guest.delete(f"/api/v1/tokens/{token_id}", headers=bob_headers).status_code == 404
    revoke_page = guest.post(
        f"/account/tokens/{token_id}/revoke", data={"csrf_token": bob_headers["X-CSRF-Token"]}
    )
    assert revoke_page.status_code == 404
    assert guest.get("/api/v1/tokens").json() == []
    assert [t["id"] for t in owner.get("/api/v1/tokens").json()] == [token_id]


@pytest.fixture
def pg_pair(database_url: str) -> Iterator[tuple[TestClient, TestClient]]:
    """Olive and Bob on the same app, on SQLite and on PostgreSQL."""
    app: FastAPI = create_app(fast_settings(database_url))
    with new_client(app) as olive, new_client(app) as bob:
        setup_owner(olive)
        invite_and_join(olive, bob, "bob")
        yield olive, bob
    app.state.ctx.close()


def test_isolation_and_logout_on_each_database(pg_pair: tuple[TestClient, TestClient]) -> None:
    olive, bob = pg_pair
    episode_id, day = _olive_records(olive)
    assert {s for _, s, _ in _api_probes(bob, episode_id, day)} == {404}
    _assert_untouched(olive, episode_id)
    raw = bob.cookies.get("crampwise_session")
    assert bob.post("/logout", data={"csrf_token": session_csrf(bob)}).status_code == 303
    bob.cookies.set("crampwise_session", raw, domain="testserver.local")
    assert bob.get("/api/v1/episodes").status_code == 401
