"""Adversarial review (SR): sign-in timing and audit trails across reused account ids."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from crampwise.store.care.audit import Audit, Person
from crampwise.store.care.repository import CareStore

from ..support import (
    PASSWORD,
    TestClient,
    invite_and_join,
    login,
    new_client,
    run_in_own_loop,
    session_csrf,
)


def test_login_with_unknown_name_still_costs_one_password_hash(
    app: FastAPI, owner: TestClient, client: TestClient, monkeypatch: Any
) -> None:
    """An unknown name must take as long as a wrong password (no user enumeration by timing)."""
    passwords = app.state.ctx.passwords
    calls: list[Any] = []
    real = passwords.verify

    def counting(stored: Any, password: str) -> bool:
        calls.append(stored)
        return bool(real(stored, password))

    monkeypatch.setattr(passwords, "verify", counting)
    assert login(client, "nobody-here", "wrong password").status_code == 401
    assert len(calls) == 1, "unknown account answered without hashing: timing reveals names"
    assert login(client, "olive", "wrong password").status_code == 401
    assert len(calls) == 2


def test_new_account_never_sees_a_deleted_accounts_viewers(app: FastAPI, owner: TestClient) -> None:
    """SQLite may give a deleted account's id to the next account: its audit must not carry over."""
    care = CareStore(app.state.ctx.store.engine)
    with new_client(app) as bob:
        invite_and_join(owner, bob, "bob")
        bob_id = app.state.ctx.auth.account_by_name("bob").id
        care.record(
            Audit(
                "practitioner_read",
                "success",
                Person(99, "dr-snoop"),
                Person(bob_id, "bob"),
                None,
                "page=client",
            )
        )
        assert "dr-snoop" in bob.get("/care/views").text
        response = bob.post(
            "/account/delete", data={"password": PASSWORD, "csrf_token": session_csrf(bob)}
        )
        assert response.status_code == 303
    with new_client(app) as carol:
        invite_and_join(owner, carol, "carol")
        carol_id = app.state.ctx.auth.account_by_name("carol").id
        page = carol.get("/care/views")
        assert page.status_code == 200
        assert "dr-snoop" not in page.text, f"carol (id {carol_id}, bob was {bob_id}) sees bob's"


def test_account_deletion_leaves_no_row_that_points_at_the_account(
    app: FastAPI, owner: TestClient
) -> None:
    """Diary, custom factors, care shares, invitations, notes, requests: every row goes."""
    import sqlalchemy as sa

    from crampwise.store.tables import metadata

    care = CareStore(app.state.ctx.store.engine)
    with new_client(app) as bob:
        invite_and_join(owner, bob, "bob")
        auth = app.state.ctx.auth
        olive = Person(auth.account_by_name("olive").id, "olive")
        bob_p = Person(auth.account_by_name("bob").id, "bob")
        headers = {"X-CSRF-Token": session_csrf(bob)}
        assert (
            bob.post(
                "/api/v1/factors", headers=headers, json={"name": "stress", "kind": "numeric"}
            ).status_code
            == 201
        )
        assert (
            bob.put(
                "/api/v1/days/2026-11-20",
                headers=headers,
                json={"values": {"stress": 3, "fluids_l": 1.5}},
            ).status_code
            == 200
        )
        assert (
            bob.post(
                "/api/v1/episodes",
                headers=headers,
                json={"started_at": "2026-11-20T02:30:00", "pain": 5},
            ).status_code
            == 201
        )
        assert bob.post("/api/v1/assessment", headers=headers, json={}).status_code == 200
        care.mark_practitioner("olive", "physiotherapist", by=olive)
        care.create_invitation(bob_p, {"diary"}, ends_on=None)
        code = care.create_invitation(bob_p, {"diary"}, ends_on=None)
        care.redeem_invitation(olive, code)
        care.request_share(olive, "bob")
        from datetime import date

        care.add_note(olive, bob_p.id, "Stretch calves at bedtime.", date.today())
        response = bob.post(
            "/account/delete", data={"password": PASSWORD, "csrf_token": session_csrf(bob)}
        )
        assert response.status_code == 303
    left = []
    with app.state.ctx.store.engine.connect() as conn:
        for table in metadata.sorted_tables:
            for column in table.columns:
                if any(fk.column.table.name == "users" for fk in column.foreign_keys):
                    n = conn.execute(
                        sa.select(sa.func.count()).select_from(table).where(column == bob_p.id)
                    ).scalar()
                    if n:
                        left.append(f"{table.name}.{column.name}: {n}")
        n = conn.execute(sa.text("SELECT count(*) FROM custom_values")).scalar()
        if n:
            left.append(f"custom_values: {n}")
    assert left == []


def test_concurrent_wrong_passwords_cannot_outrun_the_login_limit(
    app: FastAPI, owner: TestClient, monkeypatch: Any
) -> None:
    """Attempts sent all at once must not each pass the limiter before any failure is counted."""
    import asyncio
    import time

    import httpx

    from ..support import form_csrf

    passwords = app.state.ctx.passwords
    real = passwords.verify
    verified: list[str] = []

    def slow(stored: Any, password: str) -> bool:
        time.sleep(0.05)  # a real argon2id check takes this long or longer
        verified.append(password)
        return bool(real(stored, password))

    monkeypatch.setattr(passwords, "verify", slow)
    limit = app.state.ctx.settings.login_max_per_account

    async def attack() -> list[int]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as c:
            token = form_csrf((await c.get("/login")).text)
            tries = [
                c.post(
                    "/login", data={"name": "olive", "password": f"guess {i}", "csrf_token": token}
                )
                for i in range(4 * limit)
            ]
            return [r.status_code for r in await asyncio.gather(*tries)]

    codes = run_in_own_loop(attack())
    assert len(verified) <= limit, f"{len(verified)} guesses checked, limit {limit}: {codes}"
    assert codes.count(429) >= 3 * limit


def test_a_made_up_invitation_costs_no_password_hash(
    app: FastAPI, owner: TestClient, client: TestClient, monkeypatch: Any
) -> None:
    """Anyone may POST /join/<anything>: a hash (64 MiB, ~0.1 s) must wait for a real link."""
    from ..support import form_csrf

    passwords = app.state.ctx.passwords
    hashed: list[str] = []
    real = passwords.hash

    def counting(password: str) -> str:
        hashed.append(password)
        return str(real(password))

    monkeypatch.setattr(passwords, "hash", counting)
    token = form_csrf(client.get("/login").text)
    form = {"name": "mallory", "password": PASSWORD, "password2": PASSWORD, "csrf_token": token}
    assert client.post("/join/not-a-real-invitation", data=form).status_code == 404
    assert hashed == []
