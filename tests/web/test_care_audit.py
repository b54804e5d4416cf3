"""Audit rows for sign-ins, exports and account deletion, written through the real routes."""

from __future__ import annotations

from fastapi import FastAPI

from crampwise.store.care import CareStore

from .support import (
    PASSWORD,
    TestClient,
    form_csrf,
    invite_and_join,
    login,
    new_client,
    session_csrf,
    setup_owner,
)
from .test_care_pages import post


def _care(app: FastAPI) -> CareStore:
    return CareStore(app.state.ctx.store.engine)


def test_sign_ins_are_audited_without_secrets(app: FastAPI, owner: TestClient) -> None:
    with new_client(app) as browser:
        assert login(browser, "olive", "wrong password 123").status_code == 401
        assert login(browser, "hunter2-typed-as-a-name", "x").status_code == 401
        assert login(browser, "olive", PASSWORD).status_code == 303
    rows = _care(app).audit_rows(action="sign_in")
    assert [(r.outcome, r.actor_name, r.detail) for r in reversed(rows)] == [
        ("success", "olive", "setup"),  # the owner fixture signed in through /setup
        ("failure", "olive", None),
        ("failure", None, "unknown account"),
        ("success", "olive", None),
    ]
    assert all(r.address == "testclient" for r in rows)
    text = " ".join(str(r) for r in _care(app).audit_rows())
    for secret in ("wrong password 123", "hunter2", PASSWORD):
        assert secret not in text


def test_export_is_audited(app: FastAPI, owner: TestClient) -> None:
    assert owner.get("/api/v1/export.csv").status_code == 200
    [row] = _care(app).audit_rows(action="export")
    assert (row.actor_name, row.subject_name, row.outcome, row.detail) == (
        "olive",
        "olive",
        "success",
        "format=csv",
    )


def test_account_deletion_is_audited_and_the_trail_survives(
    app: FastAPI, owner: TestClient, guest: TestClient
) -> None:
    guest.get("/api/v1/export.csv")
    bob_id = _care(app).audit_rows(action="export")[0].actor_id
    deleted = post(guest, "/account/delete", {"password": PASSWORD})
    assert deleted.status_code == 303
    rows = _care(app).audit_rows(subject_id=bob_id)
    assert [(r.action, r.outcome, r.actor_name) for r in rows[:2]] == [
        ("account_delete", "success", "bob"),
        ("export", "success", "bob"),
    ]


def test_refused_sign_ins_are_audited(app: FastAPI, owner: TestClient) -> None:
    with new_client(app) as browser:
        statuses = [login(browser, "olive", f"guess {i}").status_code for i in range(7)]
    assert statuses[-1] == 429
    rows = _care(app).audit_rows(action="sign_in")
    refused = [r for r in rows if r.detail == "too many attempts"]
    assert len(refused) == statuses.count(429) >= 1
    assert all((r.outcome, r.actor_name) == ("failure", "olive") for r in refused)
    assert len(rows) == 7 + 1  # and the owner's sign-in through /setup


def test_sign_ins_through_setup_and_join_are_audited(app: FastAPI, client: TestClient) -> None:
    token = form_csrf(client.get("/setup").text)
    short = {"name": "olive", "password": "short", "password2": "short", "csrf_token": token}
    assert client.post("/setup", data=short).status_code == 422
    setup_owner(client)
    with new_client(app) as bob, new_client(app) as carl:
        invite_and_join(client, bob, "bob")
        forged = bob.post("/join/not-a-token", data=_join_form(session_csrf(bob), "zed"))
        assert forged.status_code == 404
        post(client, "/invite/open-signup", {"open_signup": "true"})
        token = form_csrf(carl.get("/join").text)
        assert carl.post("/join", data=_join_form(token, "bob")).status_code == 422  # taken
        assert carl.post("/join", data=_join_form(token, "carl")).status_code == 303
    rows = list(reversed(_care(app).audit_rows(action="sign_in")))
    assert [(r.outcome, r.actor_name, r.subject_name, r.detail) for r in rows] == [
        ("failure", None, None, "setup refused"),
        ("success", "olive", "olive", "setup"),
        ("success", "bob", "bob", "invitation"),
        ("failure", None, None, "invitation not valid"),
        ("failure", None, None, "open sign-up refused"),
        ("success", "carl", "carl", "open sign-up"),
    ]
    assert all(r.address == "testclient" for r in rows)
    assert PASSWORD not in " ".join(str(r) for r in _care(app).audit_rows())


def _join_form(csrf: str, name: str) -> dict[str, str]:
    return {"name": name, "password": PASSWORD, "password2": PASSWORD, "csrf_token": csrf}
