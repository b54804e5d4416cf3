"""Accounts and sessions: setup, argon2id, cookie flags, logout, password change, limits."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from fastapi import FastAPI

from crampwise.store.auth import web_sessions
from crampwise.store.tables import users
from crampwise.web.app import create_app
from crampwise.web.deps import SESSION_COOKIE
from crampwise.web.security.signin_limits import DEVICE_COOKIE

from ..support import (
    PASSWORD,
    TestClient,
    fast_settings,
    form_csrf,
    invite_and_join,
    login,
    new_client,
    session_csrf,
    setup_owner,
)


def _rows(app: FastAPI, query: sa.Select) -> list[sa.Row]:
    with app.state.ctx.store.engine.connect() as conn:
        return list(conn.execute(query))


def test_empty_database_sends_first_visit_to_setup(client: TestClient) -> None:
    assert client.get("/login").headers["location"] == "/setup"
    assert client.get("/account/tokens").headers["location"] == "/setup"
    assert client.get("/api/v1/episodes").status_code == 401


def test_setup_makes_one_owner_with_an_argon2id_hash(app: FastAPI, client: TestClient) -> None:
    setup_owner(client, "olive")
    rows = _rows(app, sa.select(users.c.name, users.c.role, users.c.password_hash))
    assert [(r.name, r.role) for r in rows] == [("olive", "owner")]
    assert rows[0].password_hash.startswith("$argon2id$")
    assert PASSWORD not in rows[0].password_hash
    # Setup is over: the form is gone, and posting it again changes nothing.
    with new_client(app) as other:
        assert other.get("/setup").headers["location"] == "/login"
        token = form_csrf(other.get("/login").text)
        response = other.post(
            "/setup",
            data={
                "name": "mallory",
                "password": "x" * 12,
                "password2": "x" * 12,
                "csrf_token": token,
            },
        )
        assert response.status_code == 404
    assert len(_rows(app, sa.select(users.c.id))) == 1


def test_session_cookie_is_opaque_secure_httponly_lax_and_stored_hashed(
    app: FastAPI, client: TestClient
) -> None:
    token = form_csrf(client.get("/setup").text)
    response = client.post(
        "/setup",
        data={"name": "olive", "password": PASSWORD, "password2": PASSWORD, "csrf_token": token},
    )
    header = next(
        h for h in response.headers.get_list("set-cookie") if h.startswith(SESSION_COOKIE)
    )
    flags = [part.strip().lower() for part in header.split(";")]
    assert "secure" in flags and "httponly" in flags and "samesite=lax" in flags
    raw = client.cookies[SESSION_COOKIE]
    stored = [r.token_hash for r in _rows(app, sa.select(web_sessions.c.token_hash))]
    assert stored == [hashlib.sha256(raw.encode()).hexdigest()]


def test_replayed_cookie_after_logout_is_refused(app: FastAPI, owner: TestClient) -> None:
    raw = owner.cookies[SESSION_COOKIE]
    assert owner.get("/api/v1/episodes").status_code == 200
    assert owner.post("/logout", data={"csrf_token": session_csrf(owner)}).status_code == 303
    assert _rows(app, sa.select(web_sessions.c.id)) == []
    with new_client(app) as replay:
        replay.cookies.set(SESSION_COOKIE, raw, domain="testserver.local")
        assert replay.get("/api/v1/episodes").status_code == 401
        assert replay.get("/account/tokens").headers["location"].startswith("/login")


def test_logout_is_not_a_get(owner: TestClient) -> None:
    assert owner.get("/logout").status_code == 405
    assert owner.get("/api/v1/episodes").status_code == 200


def test_password_change_ends_every_other_session(app: FastAPI, owner: TestClient) -> None:
    with new_client(app) as laptop:
        assert login(laptop, "olive").status_code == 303
        old_phone_cookie = owner.cookies[SESSION_COOKIE]
        response = owner.post(
            "/account/password",
            data={
                "current": PASSWORD,
                "password": "a new passphrase",
                "password2": "a new passphrase",
                "csrf_token": session_csrf(owner),
            },
        )
        assert response.status_code == 303
        assert laptop.get("/api/v1/episodes").status_code == 401
        assert owner.cookies[SESSION_COOKIE] != old_phone_cookie
        assert owner.get("/api/v1/episodes").status_code == 200
        assert login(laptop, "olive").status_code == 401
        assert login(laptop, "olive", "a new passphrase").status_code == 303
    with new_client(app) as replay:
        replay.cookies.set(SESSION_COOKIE, old_phone_cookie, domain="testserver.local")
        assert replay.get("/api/v1/episodes").status_code == 401


def test_password_change_needs_the_current_password(owner: TestClient) -> None:
    response = owner.post(
        "/account/password",
        data={
            "current": "wrong wrong",
            "password": "a new passphrase",
            "password2": "a new passphrase",
            "csrf_token": session_csrf(owner),
        },
    )
    assert response.status_code == 422
    assert "current password is wrong" in response.text


def test_idle_and_absolute_session_limits(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # A clock the test moves: the limits are about time, not about how fast this machine is.
    now = [datetime(2026, 12, 2, 3, 0)]  # naive UTC, as the store keeps it

    def clock() -> datetime:
        return now[0]

    def wait(seconds: float) -> None:
        now[0] += timedelta(seconds=seconds)

    monkeypatch.setattr("crampwise.web.security.sessions.utcnow", clock)
    monkeypatch.setattr("crampwise.store.auth.utcnow", clock)
    idle_app = create_app(fast_settings(sqlite_url, session_idle_s=60, session_touch_s=0))
    with new_client(idle_app) as c:
        setup_owner(c)
        for _ in range(3):  # activity keeps an idle-limited session alive
            wait(40)
            assert c.get("/api/v1/episodes").status_code == 200
        wait(61)
        assert c.get("/api/v1/episodes").status_code == 401
    idle_app.state.ctx.close()
    absolute_app = create_app(fast_settings(sqlite_url, session_absolute_s=120, session_touch_s=0))
    with new_client(absolute_app) as c, new_client(absolute_app) as replay:
        assert login(c, "olive").status_code == 303
        # Replay the raw token without the cookie's Max-Age: the server alone must refuse it.
        replay.cookies.set(SESSION_COOKIE, c.cookies[SESSION_COOKIE], domain="testserver.local")
        for _ in range(3):
            assert replay.get("/api/v1/episodes").status_code == 200
            wait(30)
        wait(31)
        assert replay.get("/api/v1/episodes").status_code == 401
    absolute_app.state.ctx.close()


def test_wrong_passwords_are_rate_limited_per_account(app: FastAPI, owner: TestClient) -> None:
    with new_client(app) as attacker:
        for _ in range(5):
            assert login(attacker, "olive", "guess guess").status_code == 401
        blocked = login(attacker, "olive", PASSWORD)  # even the right one, while blocked
        assert blocked.status_code == 429
        assert 0 < int(blocked.headers["retry-after"]) <= 15 * 60
        assert SESSION_COOKIE not in attacker.cookies


def test_a_stranger_locking_the_account_does_not_lock_out_its_known_devices(
    app: FastAPI, owner: TestClient
) -> None:
    # The owner's phone signed in before (the /setup form), so it holds a device cookie.
    assert DEVICE_COOKIE in owner.cookies
    owner.post("/logout", data={"csrf_token": session_csrf(owner)})
    with new_client(app) as stranger, new_client(app) as new_phone:
        for _ in range(5):
            assert login(stranger, "olive", "guess guess").status_code == 401
        assert login(stranger, "olive", PASSWORD).status_code == 429
        assert login(new_phone, "olive", PASSWORD).status_code == 429  # an unknown browser
        assert login(owner, "olive", PASSWORD).status_code == 303  # the known phone
        # A cookie is known only for the account it was issued for, and only if unforged.
        nonce, _, signature = owner.cookies[DEVICE_COOKIE].partition(".")
        for cookie in (f"{nonce}.{'0' * len(signature)}", "garbage", f"{nonce}."):
            new_phone.cookies.set(DEVICE_COOKIE, cookie, domain="testserver.local")
            assert login(new_phone, "olive", PASSWORD).status_code == 429, cookie
    devices = app.state.ctx.devices()
    assert devices.trusted("olive", f"{nonce}.{signature}") == nonce
    assert devices.trusted("olive", f"{nonce}.é{signature[1:]}") is None  # no TypeError
    with new_client(app) as bobs:
        bobs.cookies.set(DEVICE_COOKIE, devices.issue("bob"))
        assert login(bobs, "olive", PASSWORD).status_code == 429


def test_a_known_device_has_its_own_limit(app: FastAPI, owner: TestClient) -> None:
    owner.post("/logout", data={"csrf_token": session_csrf(owner)})
    for _ in range(5):
        assert login(owner, "olive", "guess guess").status_code == 401
    assert login(owner, "olive", PASSWORD).status_code == 429
    with new_client(app) as other:  # the account itself was not locked by the device
        assert login(other, "olive", PASSWORD).status_code == 303


def test_wrong_passwords_are_rate_limited_per_address(app: FastAPI, owner: TestClient) -> None:
    with new_client(app) as attacker:
        for i in range(20):  # 20 accounts, never 5 on one: only the address limit applies
            assert login(attacker, f"user{i}", "guess guess").status_code == 401
        assert login(attacker, "olive", PASSWORD).status_code == 429


def test_login_redirects_only_to_local_paths(app: FastAPI, owner: TestClient) -> None:
    with new_client(app) as c:
        token = form_csrf(c.get("/login").text)
        for target, expected in [
            ("/diary", "/diary"),
            ("//evil.example", "/"),
            ("https://evil.example/", "/"),
        ]:
            response = c.post(
                "/login",
                data={"name": "olive", "password": PASSWORD, "next": target, "csrf_token": token},
            )
            assert response.headers["location"] == expected
            c.cookies.delete(SESSION_COOKIE)


def test_invitations_are_owner_only_and_single_use(app: FastAPI, owner: TestClient) -> None:
    with new_client(app) as bob:
        invite_and_join(owner, bob, "bob")
        assert bob.get("/invite").status_code == 404
        assert bob.post("/invite", data={"csrf_token": session_csrf(bob)}).status_code == 404
    page = owner.post("/invite", data={"csrf_token": session_csrf(owner)}).text
    link = page.split('value="https://testserver', 1)[1].split('"', 1)[0]
    with new_client(app) as carol, new_client(app) as dave:
        token = form_csrf(carol.get(link).text)
        form = {"name": "carol", "password": PASSWORD, "password2": PASSWORD, "csrf_token": token}
        assert carol.post(link, data=form).status_code == 303
        assert dave.get(link).status_code == 404
        assert dave.get("/join/not-a-token").status_code == 404
    roles = {r.name: r.role for r in _rows(app, sa.select(users.c.name, users.c.role))}
    assert roles == {"olive": "owner", "bob": "user", "carol": "user"}


def test_open_signup_is_off_by_default_and_works_when_on(
    sqlite_url: str, app: FastAPI, owner: TestClient
) -> None:
    with new_client(app) as c:
        assert c.get("/join").status_code == 404
    open_app = create_app(fast_settings(sqlite_url, open_signup=True))
    with new_client(open_app) as c:
        token = form_csrf(c.get("/join").text)
        response = c.post(
            "/join",
            data={"name": "erin", "password": PASSWORD, "password2": PASSWORD, "csrf_token": token},
        )
        assert response.status_code == 303
        assert c.get("/api/v1/episodes").status_code == 200
    open_app.state.ctx.close()


def test_delete_account_removes_every_row_of_that_user_only(
    app: FastAPI, owner: TestClient, guest: TestClient
) -> None:
    for who in (owner, guest):
        response = who.post(
            "/api/v1/episodes",
            json={"started_at": "2026-11-20T02:30:00", "pain": 5},
            headers={"X-CSRF-Token": session_csrf(who)},
        )
        assert response.status_code == 201
    refused = guest.post(
        "/account/delete", data={"password": "wrong wrong", "csrf_token": session_csrf(guest)}
    )
    assert refused.status_code == 422
    response = guest.post(
        "/account/delete", data={"password": PASSWORD, "csrf_token": session_csrf(guest)}
    )
    assert response.status_code == 303
    assert guest.get("/api/v1/episodes").status_code == 401
    names = [r.name for r in _rows(app, sa.select(users.c.name))]
    assert names == ["olive"]
    assert len(owner.get("/api/v1/episodes").json()) == 1
    assert login(guest, "bob").status_code == 401


def test_owner_switches_open_signup_on_and_off(app: FastAPI, owner: TestClient) -> None:
    with new_client(app) as visitor:
        assert visitor.get("/join").status_code == 404
        turn_on = {"csrf_token": session_csrf(owner), "open_signup": "true"}
        assert owner.post("/invite/open-signup", data=turn_on).status_code == 303
        token = form_csrf(visitor.get("/join").text)
        form = {"name": "erin", "password": PASSWORD, "password2": PASSWORD, "csrf_token": token}
        assert visitor.post("/join", data=form).status_code == 303
    with new_client(app) as bob:
        invite_and_join(owner, bob, "bob")
        flip = {"csrf_token": session_csrf(bob), "open_signup": "true"}
        assert bob.post("/invite/open-signup", data=flip).status_code == 404
    turn_off = {"csrf_token": session_csrf(owner), "open_signup": "false"}
    assert owner.post("/invite/open-signup", data=turn_off).status_code == 303
    with new_client(app) as late:
        assert late.get("/join").status_code == 404


def test_owner_may_take_over_the_command_line_diary_of_the_same_name(
    app: FastAPI, client: TestClient
) -> None:
    from datetime import datetime

    from crampwise.diary.model import Episode

    app.state.ctx.store.diary("me").add_episode(Episode(datetime(2026, 11, 3, 2, 0), pain=4))
    setup_owner(client, "me")
    assert [e["pain"] for e in client.get("/api/v1/episodes").json()] == [4]
    with new_client(app) as bob:
        invite_page = client.post("/invite", data={"csrf_token": session_csrf(client)})
        link = invite_page.text.split('value="https://testserver', 1)[1].split('"')[0]
        token = form_csrf(bob.get(link).text)
        form = {"name": "me", "password": PASSWORD, "password2": PASSWORD, "csrf_token": token}
        taken = bob.post(link, data=form)  # an invitation never takes over an existing name
        assert taken.status_code == 422 and "taken" in taken.text


def test_a_stolen_session_cannot_guess_the_password(app: FastAPI, owner: TestClient) -> None:
    def change(current: str) -> int:
        data = {
            "current": current,
            "password": "a new passphrase",
            "password2": "a new passphrase",
            "csrf_token": session_csrf(owner),
        }
        return owner.post("/account/password", data=data).status_code

    for _ in range(5):
        assert change("guess guess") == 422
    assert change(PASSWORD) == 429  # even the right one, while the limit holds
    delete = owner.post(
        "/account/delete", data={"password": PASSWORD, "csrf_token": session_csrf(owner)}
    )
    assert delete.status_code == 429
    assert owner.get("/api/v1/episodes").status_code == 200  # nothing was changed or deleted
    # The guesses counted against this browser (a known device of the account), so signing
    # in from it is held back too, but the account is not locked for its other devices.
    owner.post("/logout", data={"csrf_token": session_csrf(owner)})
    assert login(owner, "olive", PASSWORD).status_code == 429
    with new_client(app) as other:
        assert login(other, "olive", PASSWORD).status_code == 303
