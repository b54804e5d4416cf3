"""Audit rows for sign-ins, exports and account deletion, written through the real routes."""

from __future__ import annotations

import re

from fastapi import FastAPI

from crampwise.store.care.repository import CareStore

from ..support import (
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


def _trail(page: str) -> list[list[str]]:
    """The audit table's rows as cell texts (when, who, action, whose, outcome, from, detail)."""
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in page else ""
    return [re.findall(r"<td>(.*?)</td>", row) for row in re.findall(r"<tr>(.*?)</tr>", body)]


def test_the_owner_reads_the_whole_trail_and_nobody_else_can(
    app: FastAPI, owner: TestClient, guest: TestClient
) -> None:
    assert guest.get("/audit").status_code == 404
    assert owner.get("/api/v1/export.csv").status_code == 200
    with new_client(app) as browser:
        assert login(browser, "bob", "wrong password 123").status_code == 401
    page = owner.get("/audit")
    assert page.status_code == 200
    expected = [
        (r.actor_name or "—", r.action.replace("_", " "), r.outcome)
        for r in _care(app).audit_rows()[1:]  # [0] is this very read of the trail
    ]
    assert [(c[1], c[2], c[4]) for c in _trail(page.text)] == expected
    assert ("—", "sign in", "failure") not in expected  # bob's name is kept: a real account
    assert ("bob", "sign in", "failure") in expected
    assert ("olive", "export", "success") in expected
    # Reading the trail is on the trail.
    assert _care(app).audit_rows()[0].action == "audit_read"
    filtered = _trail(owner.get("/audit?action=sign_in&outcome=failure").text)
    assert [(c[1], c[2], c[4]) for c in filtered] == [("bob", "sign in", "failure")]
    by_person = _trail(owner.get("/audit?person_name=BOB").text)
    assert by_person and all("bob" in (c[1], c[3]) for c in by_person)
    assert _care(app).audit_rows()[0].detail == "person_name=BOB"


def test_the_trail_pages_back_and_refuses_unknown_filters(app: FastAPI, owner: TestClient) -> None:
    for _ in range(120):
        assert owner.get("/api/v1/export.csv").status_code == 200
    first = owner.get("/audit?action=export")
    rows = _trail(first.text)
    assert len(rows) == 100
    older = re.search(r'<a href="(/audit\?[^"]+)">Older rows</a>', first.text)
    assert older, "no link to older rows"
    second = owner.get(older.group(1).replace("&amp;", "&")).text
    rest = _trail(second)
    assert len(rest) == 20 and "Older rows" not in second
    assert all(row[2] == "export" for row in rows + rest)
    for query, field in (("action=drop_tables", "action"), ("outcome=meh", "outcome")):
        refused = owner.get(f"/audit?{query}")
        assert refused.status_code == 422 and f"field '{field}': one of" in refused.text
    assert owner.get("/audit?before=x").status_code == 422
