"""Personal access tokens: lifetimes, expiry, and revocation with a password change."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from fastapi import FastAPI

from crampwise.store.auth import api_tokens, utcnow

from ..support import PASSWORD, TestClient, new_client, session_csrf


def _bearer(app: FastAPI, secret: str) -> int:
    """Status of an API read made with `secret` alone (a fresh client, no cookie)."""
    with new_client(app) as script:
        headers = {"Authorization": f"Bearer {secret}"}
        return script.get("/api/v1/episodes", headers=headers).status_code


def _make_on_page(owner: TestClient, name: str, valid_days: str | None) -> Any:
    form = {"name": name, "csrf_token": session_csrf(owner)}
    if valid_days is not None:
        form["valid_days"] = valid_days
    return owner.post("/account/tokens", data=form)


def _secret(page: str) -> str:
    found = re.search(r'id="token-secret" class="wide" value="(cw_[^"]+)"', page)
    assert found, page
    return found.group(1)


def test_a_token_lasts_90_days_unless_its_maker_chooses(app: FastAPI, owner: TestClient) -> None:
    made = _make_on_page(owner, "backup", None)
    assert made.status_code == 200
    assert _bearer(app, _secret(made.text)) == 200
    today = utcnow().date()  # the store keeps UTC
    in_90 = (today + timedelta(days=90)).isoformat()
    assert f"backup — made {today.isoformat()},\n    expires {in_90}" in made.text
    year = _make_on_page(owner, "yearly", "365")
    forever = _make_on_page(owner, "forever", "never")
    listed = {t["name"]: t["expires_at"] for t in owner.get("/api/v1/tokens").json()}
    assert listed["backup"][:10] == in_90
    assert listed["yearly"][:10] == (today + timedelta(days=365)).isoformat()
    assert listed["forever"] is None
    assert "forever — made" in forever.text and "never expires" in forever.text
    assert _bearer(app, _secret(year.text)) == 200


def test_a_lifetime_off_the_list_is_refused_and_makes_nothing(owner: TestClient) -> None:
    refused = _make_on_page(owner, "odd", "7")
    assert refused.status_code == 422
    assert "valid_days" in refused.text and "30, 90, 365, never" in refused.text
    assert owner.get("/api/v1/tokens").json() == []
    headers = {"X-CSRF-Token": session_csrf(owner)}
    for bad in (0, 3651, "soon", "30", True, 1.5):
        answer = owner.post(
            "/api/v1/tokens", json={"name": "x", "valid_days": bad}, headers=headers
        )
        assert answer.status_code == 422, bad
    unnamed = owner.post("/api/v1/tokens", json={"name": ""}, headers=headers)
    assert unnamed.status_code == 422
    assert owner.get("/api/v1/tokens").json() == []


def test_an_expired_token_is_refused_and_shown_as_expired(app: FastAPI, owner: TestClient) -> None:
    headers = {"X-CSRF-Token": session_csrf(owner)}
    made = owner.post("/api/v1/tokens", json={"name": "short", "valid_days": 1}, headers=headers)
    assert made.status_code == 201
    secret = made.json()["token"]
    assert made.json()["expires_at"][:10] == (utcnow().date() + timedelta(days=1)).isoformat()
    assert _bearer(app, secret) == 200
    # A day later (the clock moved by moving the end: the app reads the real time).
    with app.state.ctx.store.engine.begin() as conn:
        conn.execute(sa.update(api_tokens).values(expires_at=utcnow() - timedelta(seconds=1)))
    assert _bearer(app, secret) == 401
    assert "<strong>expired</strong>" in owner.get("/account/tokens").text


def _change_password(client: TestClient, new: str, keep: bool) -> Any:
    form = {"current": PASSWORD, "password": new, "password2": new}
    if keep:
        form["keep_tokens"] = "yes"
    return client.post("/account/password", data={**form, "csrf_token": session_csrf(client)})


def test_a_password_change_revokes_tokens_unless_asked_to_keep_them(
    app: FastAPI, owner: TestClient
) -> None:
    assert 'name="keep_tokens"' not in owner.get("/account/password").text  # none to keep
    secret = _secret(_make_on_page(owner, "script", "30").text)
    form = owner.get("/account/password").text
    assert 'name="keep_tokens" value="yes">' in form  # offered, not ticked
    assert "Keep my 1 access token working (otherwise it is revoked" in form
    changed = _change_password(owner, "a new passphrase", keep=False)
    assert changed.headers["location"] == "/account/password?changed=tokens"
    assert _bearer(app, secret) == 401
    assert "Your access tokens were revoked" in owner.get(changed.headers["location"]).text
    assert owner.get("/api/v1/tokens").json() == []


def test_a_password_change_keeps_tokens_when_asked(app: FastAPI, owner: TestClient) -> None:
    secret = _secret(_make_on_page(owner, "script", "30").text)
    changed = _change_password(owner, "a new passphrase", keep=True)
    assert changed.headers["location"] == "/account/password?changed=1"
    assert _bearer(app, secret) == 200


def test_a_token_opens_the_api_only_and_cannot_make_tokens(app: FastAPI, owner: TestClient) -> None:
    secret = _secret(_make_on_page(owner, "short", "30").text)
    with new_client(app) as script:
        script.headers["Authorization"] = f"Bearer {secret}"
        assert script.get("/api/v1/tokens").status_code == 200
        made = script.post("/api/v1/tokens", json={"name": "forever", "valid_days": None})
        assert made.status_code == 403
        for path in ("/", "/account/tokens", "/settings", "/invite"):
            page = script.get(path)
            assert (page.status_code, page.headers["location"].split("?")[0]) == (303, "/login")
        refused = script.post("/account/tokens", data={"name": "x", "valid_days": "never"})
        assert refused.status_code == 303
    assert [t["name"] for t in owner.get("/api/v1/tokens").json()] == ["short"]
