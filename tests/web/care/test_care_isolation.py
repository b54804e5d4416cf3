"""Every care team route tried by people who must get nothing: 404 (or sign-in), never data."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from fastapi import FastAPI

from ..support import TestClient, invite_and_join, new_client, session_csrf
from .test_care_pages import Team, accept, make_code, mark_practitioner, post, share_id
from .test_care_pages import team as team  # the fixture

SECRET_NOTE = "carl-private-marker"


@pytest.fixture
def outsiders(app: FastAPI, team: Team) -> Iterator[dict[str, TestClient]]:
    """A signed-out stranger, another client (eve) and a practitioner without consent (pete)."""
    with new_client(app) as stranger, new_client(app) as eve, new_client(app) as pete:
        invite_and_join(team.olive, eve, "eve")
        invite_and_join(team.olive, pete, "pete")
        mark_practitioner(team.olive, "pete", "doctor")
        yield {"stranger": stranger, "eve": eve, "pete": pete}


def _shared(team: Team) -> tuple[int, int, int]:
    """carl shares everything with dana and gets a note; returns (carl id, share id, note id)."""
    carl_id = accept(
        team.dana, make_code(team.carl, ["diary", "insights", "assessments", "reports"])
    )
    post(team.dana, f"/practice/clients/{carl_id}/notes", {"text": SECRET_NOTE})
    note_id = team.care().notes_for(carl_id)[0].id
    return carl_id, share_id(team.carl), note_id


def _probes(who: TestClient, carl_id: int, share: int, note: int) -> list[tuple[str, Any]]:
    signed_in = who.cookies.get("crampwise_session") is not None
    token = session_csrf(who) if signed_in else "x"
    form = {"csrf_token": token}
    return [
        ("client page", who.get(f"/practice/clients/{carl_id}")),
        ("report", who.get(f"/practice/clients/{carl_id}/report.pdf")),
        ("note", who.post(f"/practice/clients/{carl_id}/notes", data={**form, "text": "hi"})),
        ("change", who.post(f"/care/shares/{share}", data={**form, "scopes": "diary"})),
        ("revoke", who.post(f"/care/shares/{share}/revoke", data=form)),
        ("note to plan", who.post(f"/care/notes/{note}/plan", data=form)),
        ("answer", who.post("/care/requests/1", data={**form, "scopes": "diary"})),
    ]


@pytest.mark.parametrize("who", ["eve", "pete"])
def test_signed_in_outsiders_get_404_and_no_data(
    team: Team, outsiders: dict[str, TestClient], who: str
) -> None:
    carl_id, share, note = _shared(team)
    client = outsiders[who]
    for what, response in _probes(client, carl_id, share, note):
        assert response.status_code == 404, what
        assert SECRET_NOTE not in response.text and "carl" not in response.text, what
    # A client id that exists answers exactly like one that does not.
    assert (
        client.get(f"/practice/clients/{carl_id}").text
        == client.get(f"/practice/clients/{carl_id + 999}").text
    )
    if who == "eve":  # not a practitioner: the practitioner pages do not exist for her
        assert client.get("/practice").status_code == 404
        code = make_code(team.carl, ["diary"])
        assert client.get(f"/practice/accept?code={code}").status_code == 404
        assert post(client, "/practice/accept", {"code": code}).status_code == 404
        assert post(client, "/practice/requests", {"name": "carl"}).status_code == 404
        assert team.care().pending_requests(carl_id) == []
    else:
        assert "carl" not in client.get("/practice").text
    assert client.get("/care/practitioners").status_code == 404  # owner only
    assert SECRET_NOTE not in client.get("/").text + client.get("/care").text
    # carl's share and note are untouched.
    assert team.care().share_for(team.care().practitioners()[0][0].id, carl_id, _today())
    assert not team.care().notes_for(carl_id)[0].in_plan


def test_signed_out_stranger_is_sent_to_sign_in(
    team: Team, outsiders: dict[str, TestClient]
) -> None:
    carl_id, share, note = _shared(team)
    for what, response in _probes(outsiders["stranger"], carl_id, share, note):
        assert response.status_code in (303, 403), what
        assert SECRET_NOTE not in response.text and "carl" not in response.text, what
        if response.status_code == 303:
            assert response.headers["location"].startswith("/login"), what


def test_practitioner_cannot_change_the_clients_diary(team: Team) -> None:
    _shared(team)
    before = team.carl.get("/api/v1/episodes").json()
    headers = {"X-CSRF-Token": session_csrf(team.dana)}
    for episode in before:
        assert (
            team.dana.delete(f"/api/v1/episodes/{episode['id']}", headers=headers).status_code
            == 404
        )
        assert team.dana.get(f"/api/v1/episodes/{episode['id']}").status_code == 404
    assert team.dana.get("/api/v1/episodes").json() == []
    assert team.dana.get("/api/v1/days").json() == []
    assert "2026-11-2" not in team.dana.get("/api/v1/export.csv").text
    assert team.carl.get("/api/v1/episodes").json() == before


def test_expired_share_is_refused(team: Team) -> None:
    from datetime import timedelta

    import sqlalchemy as sa

    from crampwise.store.care.tables import care_shares

    carl_id = accept(team.dana, make_code(team.carl, ["diary"]))
    assert team.dana.get(f"/practice/clients/{carl_id}").status_code == 200
    yesterday = _today() - timedelta(days=1)
    with team.app.state.ctx.store.engine.begin() as conn:
        conn.execute(sa.update(care_shares).values(ends_on=yesterday))
    assert team.dana.get(f"/practice/clients/{carl_id}").status_code == 404


def _today() -> date:
    from crampwise.web.care.common import today

    return today()
