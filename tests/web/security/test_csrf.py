"""CSRF: every state-changing request needs the right token; bearer tokens need none."""

from __future__ import annotations

from datetime import datetime

import pytest
from fastapi import FastAPI

from crampwise.web.deps import ANON_CSRF_COOKIE, SESSION_COOKIE

from ..pages.night_support import freeze_clock
from ..support import PASSWORD, TestClient, form_csrf, login, new_client, session_csrf

CRAMP = {"started_at": "2026-11-21T03:10:00", "muscle": "calf", "pain": 7}


@pytest.mark.parametrize("token", [None, "", "forged-token"])
def test_form_post_without_the_right_token_is_403(owner: TestClient, token: str | None) -> None:
    data = {} if token is None else {"csrf_token": token}
    assert owner.post("/logout", data=data).status_code == 403
    assert owner.get("/api/v1/episodes").status_code == 200  # still signed in
    response = owner.post("/account/tokens", data={**data, "name": "x"})
    assert response.status_code == 403
    assert owner.get("/api/v1/tokens").json() == []


def test_api_write_with_the_session_cookie_needs_the_header(owner: TestClient) -> None:
    assert owner.post("/api/v1/episodes", json=CRAMP).status_code == 403
    wrong = owner.post("/api/v1/episodes", json=CRAMP, headers={"X-CSRF-Token": "nope"})
    assert wrong.status_code == 403
    assert owner.get("/api/v1/episodes").json() == []
    good = owner.post("/api/v1/episodes", json=CRAMP, headers={"X-CSRF-Token": session_csrf(owner)})
    assert good.status_code == 201
    episode_id = good.json()["id"]
    assert owner.delete(f"/api/v1/episodes/{episode_id}").status_code == 403
    assert owner.put("/api/v1/days/2026-11-20", json={"values": {}}).status_code == 403
    assert len(owner.get("/api/v1/episodes").json()) == 1


def test_one_sessions_token_does_not_work_for_another(owner: TestClient, guest: TestClient) -> None:
    olive_token = session_csrf(owner)
    response = guest.post("/api/v1/episodes", json=CRAMP, headers={"X-CSRF-Token": olive_token})
    assert response.status_code == 403


def test_login_form_needs_its_pre_session_token(app: FastAPI, owner: TestClient) -> None:
    with new_client(app) as c:
        form = {"name": "olive", "password": PASSWORD}
        assert c.post("/login", data=form).status_code == 403  # no cookie, no field
        token = form_csrf(c.get("/login").text)
        assert c.cookies[ANON_CSRF_COOKIE] == token
        assert c.post("/login", data={**form, "csrf_token": "other"}).status_code == 403
        assert SESSION_COOKIE not in c.cookies
        assert c.post("/login", data={**form, "csrf_token": token}).status_code == 303


def test_bearer_token_requests_need_no_csrf_and_stop_when_revoked(
    app: FastAPI, owner: TestClient
) -> None:
    made = owner.post(
        "/api/v1/tokens", json={"name": "script"}, headers={"X-CSRF-Token": session_csrf(owner)}
    )
    assert made.status_code == 201
    secret, token_id = made.json()["token"], made.json()["id"]
    with new_client(app) as script:
        auth = {"Authorization": f"Bearer {secret}"}
        assert script.post("/api/v1/episodes", json=CRAMP, headers=auth).status_code == 201
        assert script.get("/api/v1/episodes", headers=auth).json()[0]["pain"] == 7
        bad = script.get("/api/v1/episodes", headers={"Authorization": "Bearer cw_nope"})
        assert bad.status_code == 401
        revoked = owner.delete(
            f"/api/v1/tokens/{token_id}", headers={"X-CSRF-Token": session_csrf(owner)}
        )
        assert revoked.status_code == 204
        assert script.get("/api/v1/episodes", headers=auth).status_code == 401
        assert script.post("/api/v1/episodes", json=CRAMP, headers=auth).status_code in (401, 403)
    assert len(owner.get("/api/v1/episodes").json()) == 1


def test_a_bearer_header_does_not_lift_csrf_for_a_cookie(owner: TestClient) -> None:
    # A forged request carrying the victim's cookie and a junk bearer must not pass.
    headers = {"Authorization": "Bearer cw_junk"}
    assert owner.post("/api/v1/episodes", json=CRAMP, headers=headers).status_code in (401, 403)
    assert owner.get("/api/v1/episodes").json() == []


def test_session_endpoint_gives_the_current_token_after_a_new_sign_in(
    app: FastAPI, owner: TestClient
) -> None:
    first = owner.get("/api/v1/session").json()
    assert first["name"] == "olive" and first["owner"] is True
    assert first["csrf_token"] == session_csrf(owner)
    with new_client(app) as other_device:
        login(other_device, "olive")
        second = other_device.get("/api/v1/session").json()["csrf_token"]
    assert second != first["csrf_token"]
    cramp = {"started_at": "2026-11-21T03:10:00"}
    stale = owner.post("/api/v1/episodes", json=cramp, headers={"X-CSRF-Token": second})
    assert stale.status_code == 403


def _from(site: str, mode: str, dest: str) -> dict[str, str]:
    return {"Sec-Fetch-Site": site, "Sec-Fetch-Mode": mode, "Sec-Fetch-Dest": dest}


def _exports_audited(app: FastAPI) -> int:
    with app.state.ctx.store.engine.connect() as conn:
        return int(conn.exec_driver_sql("SELECT count(*) FROM audit_log").scalar_one())


def _stretch_ticked(page: str) -> bool:
    """Tonight shows the bedtime stretch as done (the done mark beside it)."""
    return 'done-mark">Done ✓</span>' in page


def test_requests_another_site_makes_the_browser_send_are_refused(
    app: FastAPI, owner: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    freeze_clock(monkeypatch, datetime(2026, 11, 21, 21, 30))  # one evening: one night's ticks
    csrf = session_csrf(owner)
    assert not _stretch_ticked(owner.get("/").text)
    before = _exports_audited(app)
    # An <img> or fetch() on another site pointing at an export: refused, nothing audited.
    for site in ("cross-site", "same-site"):
        for mode, dest in (("no-cors", "image"), ("cors", "empty"), ("no-cors", "script")):
            refused = owner.get("/api/v1/export.csv", headers=_from(site, mode, dest))
            assert refused.status_code == 403, (site, mode, dest)
            assert "another site" in refused.text
            assert refused.headers["x-frame-options"] == "DENY"
    assert _exports_audited(app) == before
    # A form on another site posting here, token or not: refused before the handler.
    posted = owner.post(
        "/tonight/routine",
        data={"item": "stretched", "done": "true", "csrf_token": csrf},
        headers=_from("cross-site", "navigate", "document"),
    )
    assert posted.status_code == 403
    assert not _stretch_ticked(owner.get("/").text)
    # Following a link from elsewhere, opening the installed app, and the app's own requests.
    assert owner.get("/", headers=_from("cross-site", "navigate", "document")).status_code == 200
    assert owner.get("/", headers=_from("none", "navigate", "document")).status_code == 200
    mine = _from("same-origin", "cors", "empty")
    assert owner.get("/api/v1/export.csv", headers=mine).status_code == 200
    assert _exports_audited(app) == before + 1
    same = owner.post(
        "/tonight/routine",
        data={"item": "stretched", "done": "true", "csrf_token": csrf},
        headers=_from("same-origin", "navigate", "document"),
    )
    assert same.status_code == 303
    assert _stretch_ticked(owner.get("/").text)
