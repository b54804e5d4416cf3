"""Anyone can be refused a sign-in, so refusals cannot grow the audit trail without bound;
and the owner may keep the trail for a set time, never less than the database allows."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
import sqlalchemy as sa
from fastapi import FastAPI

from crampwise.errors import InputError
from crampwise.store.auth import utcnow
from crampwise.store.care.audit import RETENTION_FLOOR_DAYS, AuditRow, audit_log, prune_audit
from crampwise.store.care.repository import CareStore
from crampwise.web.app import create_app
from crampwise.web.care import audit

from ..support import TestClient, fast_settings, form_csrf, login, new_client, setup_owner


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def app(sqlite_url: str) -> Iterator[FastAPI]:
    application = create_app(fast_settings(sqlite_url, audit_refusals_per_minute=3))
    yield application
    application.state.ctx.close()


def _sign_in_rows(app: FastAPI) -> list[AuditRow]:
    rows = CareStore(app.state.ctx.store.engine).audit_rows(action="sign_in", outcome="failure")
    return list(reversed(rows))


def _join_form(client: TestClient) -> dict[str, str]:
    token = form_csrf(client.get("/login").text)
    return {"name": "zed", "password": "x" * 12, "password2": "x" * 12, "csrf_token": token}


def test_refused_sign_ins_from_one_address_are_summarised(app: FastAPI) -> None:
    clock = Clock()
    audit._upkeep(app.state.ctx).refusals.clock = clock
    with new_client(app) as owner:
        setup_owner(owner)
    with new_client(app) as stranger:
        form = _join_form(stranger)
        for _ in range(50):  # a forged invitation: refused before any password hashing
            assert stranger.post("/join/not-a-token", data=form).status_code == 404
        statuses = [login(stranger, "olive", f"guess {i}").status_code for i in range(20)]
        assert statuses[:5] == [401] * 5 and set(statuses[5:]) == {429}
        rows = _sign_in_rows(app)
        assert len(rows) == 3  # the minute's allowance for this address, then counted
        assert [r.detail for r in rows] == ["invitation not valid"] * 3
        clock.now += 61  # the minute has passed: the next refusal writes the count
        assert stranger.post("/join/not-a-token", data=form).status_code == 404
    rows = _sign_in_rows(app)
    assert len(rows) == 5
    summary = rows[3]
    assert summary.address == "testclient" and summary.actor_name is None
    assert summary.detail is not None
    assert summary.detail.startswith("67 more refused sign-ins from this address in the minute")
    assert rows[4].detail == "invitation not valid"  # a new minute, a new allowance


def test_the_existing_record_of_refusals_is_kept_under_the_allowance(sqlite_url: str) -> None:
    app = create_app(fast_settings(sqlite_url))  # the default: 10 a minute
    try:
        with new_client(app) as owner:
            setup_owner(owner)
        with new_client(app) as browser:
            statuses = [login(browser, "olive", f"guess {i}").status_code for i in range(7)]
        rows = _sign_in_rows(app)
        assert statuses.count(429) == 2
        assert [r.detail for r in rows].count("too many attempts") == 2
        assert all(r.actor_name == "olive" for r in rows)
    finally:
        app.state.ctx.close()


def test_the_summary_counts_per_address() -> None:
    clock = Clock()
    summary = audit.RefusalSummary(per_minute=2, clock=clock)
    assert [summary.admit("a")[0] for _ in range(4)] == [True, True, False, False]
    assert summary.admit("b") == (True, [])  # another address has its own allowance
    clock.now += 60
    admitted, due = summary.admit("b")
    assert admitted
    assert [(e.address, e.detail and e.detail.split(" ")[0]) for e in due] == [("a", "2")]


def _old_rows(engine: sa.Engine, *ages_days: int) -> None:
    with engine.begin() as conn:
        for age in ages_days:
            conn.execute(
                audit_log.insert().values(
                    at=utcnow() - timedelta(days=age), action="sign_in", outcome="failure"
                )
            )


def _ages(engine: sa.Engine) -> list[int]:
    with engine.connect() as conn:
        ats = conn.execute(sa.select(audit_log.c.at).order_by(audit_log.c.at)).scalars()
        return sorted((utcnow() - at).days for at in ats)


def test_retention_deletes_only_rows_past_it_and_never_the_last_90_days(database_url: str) -> None:
    app = create_app(fast_settings(database_url))
    engine = app.state.ctx.store.engine
    try:
        _old_rows(engine, 400, 120, 92, 3, 0)
        assert prune_audit(engine, 100) == 2
        assert _ages(engine) == [0, 3, 92]
        assert prune_audit(engine, 1) == 1  # asked for 1 day: the floor of 90 holds
        assert _ages(engine) == [0, 3]
        # The database itself still refuses to change or delete a recent row.
        for statement in (audit_log.delete(), audit_log.update().values(detail="x")):
            with pytest.raises(sa.exc.DatabaseError, match="append-only"), engine.begin() as c:
                c.execute(statement)
        assert _ages(engine) == [0, 3]
    finally:
        app.state.ctx.close()


def test_the_retention_setting_is_applied_when_the_server_starts(sqlite_url: str) -> None:
    first = create_app(fast_settings(sqlite_url))
    _old_rows(first.state.ctx.store.engine, 500, 200, 10)
    first.state.ctx.close()
    app = create_app(fast_settings(sqlite_url, audit_retention_days=365))
    try:
        assert _ages(app.state.ctx.store.engine) == [10, 200]
    finally:
        app.state.ctx.close()


def test_a_retention_below_the_floor_is_refused_at_start(sqlite_url: str) -> None:
    settings = fast_settings(sqlite_url, audit_retention_days=RETENTION_FLOOR_DAYS - 1)
    with pytest.raises(InputError, match="CRAMPWISE_WEB_AUDIT_RETENTION_DAYS: at least 90"):
        create_app(settings)
