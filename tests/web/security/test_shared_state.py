"""Two apps on one database stand in for two web processes: whatever one decides (sign-out,
limits, settings, writes) the other sees at its next request, on SQLite and PostgreSQL.

The same cases run against real `crampwise serve` processes in tests/web/multiprocess/;
these are the quick, in-process versions, with a look inside (renders counted, rows read).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi import FastAPI

from crampwise.diary.model import DayLog, Episode
from crampwise.store import open_store
from crampwise.store.auth import AuthStore, signin_failures
from crampwise.store.tables import users
from crampwise.web.app import create_app
from crampwise.web.deps import SESSION_COOKIE
from crampwise.web.pages import tonight
from crampwise.web.security.signin_limits import LoginLimiter

from ..support import TestClient, fast_settings, new_client, session_csrf, setup_owner


@pytest.fixture
def two_apps(database_url: str) -> Iterator[tuple[FastAPI, FastAPI]]:
    apps = (create_app(fast_settings(database_url)), create_app(fast_settings(database_url)))
    yield apps
    for app in apps:
        app.state.ctx.close()


def _change_heard_by(ctx: Any, change: Any) -> None:
    """`change()` made by one process, then the moment another's next request could come.

    Called directly, with no request in between, B could ask before PostgreSQL has
    delivered the change's notification to it (it is sent at commit, but to each process's
    socket in its own time): here B waits for it, as the browser's round trip does. On
    SQLite the count is in the file: nothing to wait for."""
    notes = ctx.notes
    before = notes.access() if notes is not None else None
    change()
    if notes is not None and before is not None:
        assert notes.wait_past(before, timeout=10)


def _same_browser(client: TestClient, app: FastAPI) -> TestClient:
    """A client for `app` carrying `client`'s cookies (one browser, another process)."""
    other = new_client(app)
    for cookie in client.cookies.jar:
        other.cookies.set(cookie.name, cookie.value or "", domain=cookie.domain)
    return other


def test_generation_moves_with_every_write_to_that_users_data_only(database_url: str) -> None:
    store = open_store(database_url)
    auth = AuthStore(store.engine)
    try:
        me, other = store.diary("me"), store.diary("other")
        me.put_day(DayLog(date(2026, 3, 1), {"fluids_l": 1.0}), source="manual")
        other.put_day(DayLog(date(2026, 3, 1), {"fluids_l": 1.0}), source="manual")
        ids: dict[str, int] = {}
        for name in ("me", "other"):
            user_id = store.diary(name).user_id()
            assert user_id is not None
            ids[name] = user_id
        seen = [auth.data_generation(ids["me"])]
        me.add_episode(Episode(started_at=datetime(2026, 3, 1, 23, 0)), now=datetime(2026, 3, 2))
        seen.append(auth.data_generation(ids["me"]))
        me.put_day(DayLog(date(2026, 3, 1), {"fluids_l": 2.0}), source="manual")
        seen.append(auth.data_generation(ids["me"]))
        with store.engine.begin() as conn:  # a role change, as an owner's heir gets
            conn.execute(users.update().where(users.c.id == ids["me"]).values(role="owner"))
        seen.append(auth.data_generation(ids["me"]))
        assert seen == sorted(set(seen)) and len(seen) == 4, seen  # strictly rising
        before_other = auth.data_generation(ids["other"])
        me.delete_everything()
        assert auth.data_generation(ids["me"]) > seen[-1]
        assert auth.data_generation(ids["other"]) == before_other  # untouched
    finally:
        store.close()


def test_sign_out_and_password_change_hold_in_the_other_process(
    two_apps: tuple[FastAPI, FastAPI],
) -> None:
    a, b = two_apps
    with new_client(a) as on_a:
        setup_owner(on_a)
        with _same_browser(on_a, b) as on_b:
            assert on_b.get("/").status_code == 200
            assert on_b.get("/").status_code == 200  # now kept by B, where it may be
            cookie = on_a.cookies[SESSION_COOKIE]
            on_a.post("/logout", data={"csrf_token": session_csrf(on_a)})
            on_b.cookies.set(SESSION_COOKIE, cookie, domain="testserver.local")
            assert on_b.get("/").headers["location"] == "/login"


def test_tonight_page_is_kept_on_both_backends_until_a_write_from_anywhere(
    two_apps: tuple[FastAPI, FastAPI], monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = two_apps
    renders: list[int] = []
    real = tonight._render_tonight

    def counted(*args: Any) -> Any:
        renders.append(1)
        return real(*args)

    monkeypatch.setattr(tonight, "_render_tonight", counted)
    with new_client(a) as on_a:
        setup_owner(on_a)
        first = on_a.get("/").text
        assert on_a.get("/").text == first
        assert len(renders) == 1  # the second visit was the kept copy (PostgreSQL too)
        with _same_browser(on_a, b) as on_b:
            token = on_b.get("/api/v1/session").json()["csrf_token"]
            now = datetime.now().replace(microsecond=0)
            logged = on_b.post(
                "/api/v1/episodes",
                json={"started_at": now.isoformat()},
                headers={"x-csrf-token": token},
            )
            assert logged.status_code == 201
        assert "1 cramp on 1 of the last 14 nights" in on_a.get("/").text
        assert len(renders) == 2


def test_a_kept_visit_reads_nothing_and_the_other_process_role_change_holds_at_once(
    two_apps: tuple[FastAPI, FastAPI],
) -> None:
    """Sessions, the open-sign-up switch and the page are kept (on PostgreSQL by its change
    notifications): a repeat visit runs no SQL at all; a change made through the other
    process is seen by the very next request."""
    from ..support import invite_and_join

    a, b = two_apps
    statements: list[str] = []
    engine_b = b.state.ctx.store.engine
    sa.event.listen(engine_b, "before_cursor_execute", lambda *args: statements.append(args[2]))
    with new_client(a) as owner, new_client(a) as dan_a:
        setup_owner(owner)
        invite_and_join(owner, dan_a, "dan")
        with _same_browser(owner, b) as owner_b:
            assert owner_b.get("/").status_code == 200
            statements.clear()
            assert owner_b.get("/").status_code == 200
            assert statements == []  # session, settings and page all kept
            assert owner_b.get("/invite").status_code == 200  # an owner's page
            with a.state.ctx.store.engine.begin() as conn:  # the owner hands over the role
                conn.execute(users.update().where(users.c.name == "olive").values(role="user"))
            assert owner_b.get("/invite").status_code == 404


def test_open_signup_and_the_device_key_are_one_for_all_processes(
    two_apps: tuple[FastAPI, FastAPI],
) -> None:
    a, b = two_apps
    ctx_a, ctx_b = a.state.ctx, b.state.ctx
    assert not ctx_b.open_signup()  # read and kept by B
    _change_heard_by(ctx_b, lambda: ctx_a.set_open_signup(True))
    assert ctx_b.open_signup()
    _change_heard_by(ctx_a, lambda: ctx_b.set_open_signup(False))
    assert not ctx_a.open_signup()
    # Both make a key "at once": each keeps the one stored first, not its own.
    first = ctx_a.auth.site_setting_or_create("device_cookie_key", "aa" * 32)
    second = ctx_b.auth.site_setting_or_create("device_cookie_key", "bb" * 32)
    assert first == second == "aa" * 32
    cookie = ctx_a.devices().issue("olive")
    assert ctx_b.devices().trusted("olive", cookie) is not None


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def test_sign_in_failures_are_shared_and_end_with_their_window(database_url: str) -> None:
    store = open_store(database_url)
    try:
        clock = Clock()
        limits = {"account": 3, "device": 3, "address": 10}
        one = LoginLimiter(AuthStore(store.engine), 60, limits, clock)
        two = LoginLimiter(AuthStore(store.engine), 60, limits, clock)
        keys = ["account:nina", "address:10.0.0.1"]
        one.failed(keys)
        two.failed(keys)
        assert one.retry_after(keys) is None
        one.failed(keys)
        clock.now += 20
        assert two.retry_after(keys) == 40  # the window opened 20 s ago and lasts 60
        two.forgive(["account:nina"])  # a failure counted in advance, taken back
        assert one.retry_after(keys) is None
        one.failed(keys)
        clock.now += 41  # the window has passed: a failure now opens a new one
        assert two.retry_after(keys) is None
        two.failed(keys)
        with store.engine.connect() as conn:
            query = sa.select(signin_failures.c.key, signin_failures.c.failures)
            rows = {row.key: row.failures for row in conn.execute(query)}
        assert rows == {"account:nina": 1, "address:10.0.0.1": 1}
        one.succeeded("account:nina")
        with store.engine.connect() as conn:
            left = set(conn.execute(sa.select(signin_failures.c.key)).scalars())
        assert left == {"address:10.0.0.1"}
    finally:
        store.close()


def test_deleted_account_cannot_write_through_the_other_process(
    two_apps: tuple[FastAPI, FastAPI],
) -> None:
    from ..support import PASSWORD, invite_and_join

    a, b = two_apps
    with new_client(a) as owner, new_client(a) as dan_a:
        setup_owner(owner)
        invite_and_join(owner, dan_a, "dan")
        with _same_browser(dan_a, b) as dan_b:
            token = dan_b.get("/api/v1/session").json()["csrf_token"]
            deleted = dan_a.post(
                "/account/delete", data={"password": PASSWORD, "csrf_token": session_csrf(dan_a)}
            )
            assert deleted.status_code == 303
            when = (datetime.now() - timedelta(hours=1)).replace(microsecond=0).isoformat()
            posted = dan_b.post(
                "/api/v1/episodes", json={"started_at": when}, headers={"x-csrf-token": token}
            )
            assert posted.status_code in (401, 403)
    with a.state.ctx.store.engine.connect() as conn:
        assert conn.execute(sa.select(users.c.id).where(users.c.name == "dan")).first() is None
