"""Audit rows for sign-ins, exports and account deletion, written through the real routes."""

from __future__ import annotations

from fastapi import FastAPI

from crampwise.store.care import CareStore

from .support import PASSWORD, TestClient, login, new_client
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
    assert len(rows) == 7
