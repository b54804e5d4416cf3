"""One rule for a cramp in the future, whichever way it comes in: the CLI, the web forms
(/cramp, /diary/new, an episode's edit) and the JSON API refuse it with the same message and
store nothing.

The times are three days after the real clock, so the test holds on any day; the rule itself
is checked against fixed clocks in tests/diary/test_validation.py.
"""

from __future__ import annotations

import html
import json
import sys
from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI

from crampwise.cli import main
from crampwise.diary.model import Episode, episode_json
from crampwise.store import UserDiary

from .support import TestClient, form_csrf, session_csrf

# "In the future" is judged against the real clock by every face (CLI, form, API), so the
# refused cramp is three days after whenever the test runs.
AHEAD = (datetime.now() + timedelta(days=3)).replace(hour=3, minute=0, second=0, microsecond=0)
MESSAGE = f"field 'episode.started_at': {AHEAD:%Y-%m-%d %H:%M} is in the future"
PAST = datetime(2026, 11, 2, 3, 0)


def _diary(app: FastAPI) -> UserDiary:
    diary: UserDiary = app.state.ctx.store.diary("olive")
    return diary


def _cli(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], url: str, *args: str
) -> tuple[int, str, str]:
    """Run `crampwise` in this process on the app's database: (exit code, stdout, stderr)."""
    monkeypatch.setenv("CRAMPWISE_DATABASE_URL", url)
    monkeypatch.setattr(sys, "argv", ["crampwise", "--user", "olive", *args])
    code = 0
    try:
        main()
    except SystemExit as exited:
        code = int(exited.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def _page_error(response: Any) -> str:
    return html.unescape(response.text)


def test_a_cramp_in_the_future_is_refused_alike_everywhere(
    app: FastAPI,
    owner: TestClient,
    sqlite_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    at = AHEAD.isoformat(timespec="minutes")
    code, _, err = _cli(monkeypatch, capsys, sqlite_url, "log", "cramp", "--at", at)
    assert code == 2 and err == f"crampwise: error: {MESSAGE}\n"

    api = owner.post(
        "/api/v1/episodes", json={"started_at": at}, headers={"X-CSRF-Token": session_csrf(owner)}
    )
    assert api.status_code == 422 and api.json()["detail"] == MESSAGE

    token = form_csrf(owner.get("/cramp").text)
    cramp = owner.post("/cramp", data={"csrf_token": token, "started_at": at, "muscle": "calf"})
    assert cramp.status_code == 422 and cramp.text == MESSAGE

    form = {"csrf_token": token, "started_at": at, "muscle": "calf", "pain": "5"}
    new = owner.post("/diary/new", data=form)
    assert new.status_code == 422 and MESSAGE in _page_error(new)
    assert _diary(app).episodes() == []


def test_moving_a_cramp_into_the_future_is_refused_alike(
    app: FastAPI,
    owner: TestClient,
    sqlite_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    stored = _diary(app).add_episode(Episode(PAST, pain=4))
    at = AHEAD.isoformat(timespec="minutes")

    code, _, err = _cli(monkeypatch, capsys, sqlite_url, "edit", str(stored.id), "--at", at)
    assert code == 2 and err == f"crampwise: error: {MESSAGE}\n"

    api = owner.patch(
        f"/api/v1/episodes/{stored.id}",
        json={"started_at": AHEAD.isoformat()},
        headers={"X-CSRF-Token": session_csrf(owner)},
    )
    assert api.status_code == 422 and api.json()["detail"] == MESSAGE

    token = form_csrf(owner.get("/cramp").text)
    form = {"csrf_token": token, "started_at": at, "muscle": "calf", "pain": "6"}
    page = owner.post(f"/diary/episodes/{stored.id}", data=form)
    assert page.status_code == 422 and MESSAGE in _page_error(page)
    assert _diary(app).episodes() == [stored]


def test_a_cramp_a_minute_ahead_of_the_clock_is_still_taken(
    app: FastAPI, owner: TestClient
) -> None:
    # Phones and servers drift: the CLI always allowed a few minutes, and so does every face.
    soon = datetime.now() + timedelta(minutes=1)
    made = owner.post(
        "/api/v1/episodes",
        json={"started_at": soon.isoformat(timespec="seconds")},
        headers={"X-CSRF-Token": session_csrf(owner)},
    )
    assert made.status_code == 201
    assert [e.id for e in _diary(app).episodes()] == [made.json()["id"]]


def test_the_cli_and_the_api_print_one_shape_of_episode(
    app: FastAPI,
    owner: TestClient,
    sqlite_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    stored = _diary(app).add_episode(Episode(PAST, side="left", pain=4, helped=["walk"]))
    edit = ("edit", str(stored.id), "--pain", "5", "--format", "json")
    code, out, _ = _cli(monkeypatch, capsys, sqlite_url, *edit)
    assert code == 0
    from_cli = json.loads(out)
    from_api = owner.get(f"/api/v1/episodes/{stored.id}").json()
    assert from_cli == from_api == episode_json(_diary(app).get_episode(stored.id))
    assert from_api["started_at"] == "2026-11-02T03:00:00" and from_api["origin"] == "manual"
