"""The Tonight page: its 14-night strip, routine and counts, read in one transaction."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from crampwise.diary.model import DayLog, Episode, night_of
from crampwise.web.app import create_app

from ..support import fast_settings, form_csrf, login, new_client, session_csrf, setup_owner


def test_the_strip_shows_each_of_the_last_14_nights_with_its_count(app: Any, owner: Any) -> None:
    diary = app.state.ctx.diary("olive")
    night = night_of(datetime.now())
    for day, hour in ((night, 23), (night, 23), (night - timedelta(days=13), 22)):
        diary.add_episode(Episode(started_at=datetime.combine(day, time(hour, 0))))
    diary.add_episode(Episode(started_at=datetime.combine(night - timedelta(days=14), time(23))))
    diary.put_day(DayLog(night, {"footbath": True}))
    page = owner.get("/").text
    labels = re.findall(
        r'<span class="visually-hidden">([^<]+): (\d+ cramps?|nothing entered)</span>', page
    )
    days = [night - timedelta(days=13 - i) for i in range(14)]
    # Nights with nothing entered are gaps, never zeros.
    assert labels == [
        (d.strftime("%A %d %B"), {night: "2 cramps", days[0]: "1 cramp"}.get(d, "nothing entered"))
        for d in days
    ]
    shorts = re.findall(r'<span class="n-day" aria-hidden="true">(\w+)<br>(\d+)</span>', page)
    assert shorts == [(d.strftime("%a"), str(d.day)) for d in days]
    assert "3 cramps on 2 of the last 14 nights. A dash is a night with nothing entered." in page
    # The routine: the footbath is done tonight (Undo offered), the stretch is not.
    assert re.search(r'Warm footbath <span class="tick-words done-mark">Done ✓', page)
    assert re.search(r'Calf and hamstring stretch <span class="tick-words done-mark"></span>', page)


def test_the_strip_starts_at_the_first_entry_and_a_new_diary_shows_no_zeros(
    app: Any, owner: Any
) -> None:
    page = owner.get("/").text
    assert "No nights in your diary yet." in page and 'class="nights"' not in page
    diary = app.state.ctx.diary("olive")
    night = night_of(datetime.now())
    diary.put_day(DayLog(night - timedelta(days=2), {"stretched": True}))
    page = owner.get("/").text
    labels = re.findall(r'<span class="visually-hidden">([^<]+): ([^<]+)</span>', page)
    assert [words for _, words in labels] == ["0 cramps", "nothing entered", "nothing entered"]


def _statements_during(engine: Any, request: Any) -> tuple[Any, int]:
    """`request()`'s response and how many SQL statements the app ran meanwhile."""
    seen: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        response = request()
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    return response, len(seen)


def _strip_total(page: str) -> str:
    if "No nights in your diary yet." in page:
        return "no nights yet"
    found = re.search(r"(\d+) cramps? on (\d+) of the last 14 nights", page)
    assert found, page
    return found.group(0)


def test_an_unchanged_page_is_served_again_without_reading_the_database(
    app: Any, owner: Any
) -> None:
    engine = app.state.ctx.store.engine
    first, reads = _statements_during(engine, lambda: owner.get("/"))
    assert reads >= 1
    again, reads = _statements_during(engine, lambda: owner.get("/"))
    assert (again.status_code, again.text, reads) == (200, first.text, 0)
    assert again.headers["cache-control"] == "no-store"  # kept by the server, not the browser
    # A write through the web app is seen on the very next view.
    csrf = session_csrf(owner)
    logged = owner.post(
        "/api/v1/episodes",
        json={"started_at": datetime.now().isoformat(timespec="seconds")},
        headers={"X-CSRF-Token": csrf},
    )
    assert logged.status_code == 201
    fresh, reads = _statements_during(engine, lambda: owner.get("/"))
    assert reads >= 1
    assert _strip_total(fresh.text) == "1 cramp on 1 of the last 14 nights"


def test_a_cramp_logged_from_the_cli_shows_on_the_next_view(
    app: Any, owner: Any, web_settings: Any
) -> None:
    assert _strip_total(owner.get("/").text) == "no nights yet"
    assert _strip_total(owner.get("/").text) == "no nights yet"
    env = {**os.environ, "CRAMPWISE_DATABASE_URL": web_settings.database_url}
    subprocess.run(
        [
            Path(sys.executable).with_name("crampwise"),
            "--user",
            "olive",
            "log",
            "cramp",
            "--muscle",
            "calf",
        ],
        env=env,
        check=True,
        capture_output=True,
    )
    assert _strip_total(owner.get("/").text) == "1 cramp on 1 of the last 14 nights"


def test_each_session_sees_its_own_csrf_token_and_flash(app: Any, owner: Any) -> None:
    with new_client(app) as second:
        assert login(second, "olive").status_code == 303
        mine, theirs = owner.get("/").text, second.get("/").text
        assert form_csrf(mine) == session_csrf(owner) != form_csrf(theirs)
        assert form_csrf(theirs) == session_csrf(second)
        assert "Cramp logged" in owner.get("/?logged=cramp").text
        assert "Cramp logged" not in owner.get("/").text
        assert "Cramp logged" not in owner.get("/?logged=something-else").text
        # Signing out drops that session's kept pages with it.
        pages = app.state.ctx.pages
        assert pages.size() > 0
        second.post("/logout", data={"csrf_token": session_csrf(second)})
        owner.post("/logout", data={"csrf_token": session_csrf(owner)})
        assert pages.size() == 0
        assert owner.get("/").status_code == 303


@pytest.mark.postgres
def test_on_postgresql_the_kept_page_follows_the_users_data(postgres_url: str) -> None:
    app = create_app(fast_settings(postgres_url))
    try:
        assert app.state.ctx.pages.enabled  # kept by the user's data generation
        with new_client(app) as client:
            setup_owner(client)
            assert _strip_total(client.get("/").text) == "no nights yet"
            app.state.ctx.diary("olive").add_episode(Episode(started_at=datetime.now()))
            assert _strip_total(client.get("/").text) == "1 cramp on 1 of the last 14 nights"
    finally:
        app.state.ctx.close()
