"""Cramp now: the log on the first screen (leg, duration chips, pain), the usual muscle as
the default, durations stored from a chip or the routine's timer, and when to get help."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import pytest

from crampwise.diary.model import Episode
from crampwise.web.pages.cramp import DURATIONS, usual_muscle, usual_side

from ..support import form_csrf
from .night_support import freeze_clock

NOW = datetime(2025, 12, 2, 3, 0)


@pytest.fixture
def frozen(monkeypatch: Any) -> None:
    freeze_clock(monkeypatch, NOW)


def test_usual_muscle_is_the_most_frequent_not_the_last() -> None:
    assert usual_muscle(["foot", "calf", "calf", "toes"]) == "calf"
    assert usual_muscle(["calf", "foot"]) == "foot"  # a tie: the latest of the tied
    assert usual_muscle([]) == "calf"


def test_usual_side_only_once_it_is_clear() -> None:
    assert usual_side(["left", None, "right"]) is None  # two legs known: tapped each time
    assert usual_side(["left", "right", "left", None]) == "left"
    assert usual_side(["left", "right", "right", "left"]) == "left"  # a tie: the latest
    assert usual_side([None, None, None]) is None


def test_the_usual_leg_is_chosen_in_advance_after_three_cramps(
    app: Any, owner: Any, frozen: None
) -> None:
    diary = app.state.ctx.diary("olive")
    for days in (4, 3):
        diary.add_episode(Episode(started_at=NOW - timedelta(days=days), side="right"))
    page = owner.get("/cramp").text
    assert (
        'name="side" value="right" checked' not in page
        and "usual one is chosen" not in (page.split("Which leg?")[1].split("</legend>")[0])
    )
    diary.add_episode(Episode(started_at=NOW - timedelta(days=2), side="right"))
    page = owner.get("/cramp").text
    assert 'name="side" value="right" checked' in page
    assert "Your usual one is chosen." in page.split("Which leg?")[1].split("</legend>")[0]


def test_the_page_defaults_to_the_most_frequent_muscle(app: Any, owner: Any, frozen: None) -> None:
    diary = app.state.ctx.diary("olive")
    for days, muscle in ((5, "foot"), (4, "foot"), (3, "foot"), (2, "toes")):
        diary.add_episode(Episode(started_at=NOW - timedelta(days=days), muscle=muscle))
    page = owner.get("/cramp").text
    assert re.search(r'value="foot" checked', page)
    assert not re.search(r'value="toes" checked', page)
    # Leg and duration chips are offered, with the help for long cramps ready at the top.
    for words in ("Left", "Right", "Both", "Under 1 min", "1–5 min", "5–10 min", "Over 10 min"):
        assert f"<span>{words}</span>" in page
    assert page.index('id="help-now"') < page.index('id="cramp-log"')
    assert "get help now" in page.lower()


def test_a_chip_sets_a_representative_duration_and_the_side_is_kept(
    app: Any, owner: Any, frozen: None
) -> None:
    csrf = form_csrf(owner.get("/cramp").text)
    for chip, seconds in (("under_1", 30), ("1_5", 180), ("5_10", 450), ("over_10", 720)):
        response = owner.post(
            "/cramp",
            data={
                "csrf_token": csrf,
                "side": "left",
                "duration": chip,
                "pain": "6",
                "muscle": "calf",
                "started_at": "2025-12-02T02:50:00",
            },
        )
        assert response.status_code == 303
        stored = app.state.ctx.diary("olive").episodes()[-1]
        assert (stored.side, stored.duration_s, stored.pain) == ("left", seconds, 6)
    assert [d.seconds for d in DURATIONS] == [30, 180, 450, 720]


def test_without_a_chip_the_routine_timer_is_the_duration(
    app: Any, owner: Any, frozen: None
) -> None:
    csrf = form_csrf(owner.get("/cramp").text)
    owner.post(
        "/cramp",
        data={
            "csrf_token": csrf,
            "routine_s": "95",
            "pain": "3",
            "started_at": "2025-12-02T02:55:00",
        },
    )
    # No chip and no timer: the duration is unknown, not the time the page was open.
    owner.post(
        "/cramp", data={"csrf_token": csrf, "pain": "2", "started_at": "2025-12-02T02:00:00"}
    )
    assert [e.duration_s for e in app.state.ctx.diary("olive").episodes()] == [None, 95]


@pytest.mark.parametrize("field,value", [("duration", "forever"), ("routine_s", "-3")])
def test_a_bad_duration_is_refused_and_nothing_is_stored(
    app: Any, owner: Any, frozen: None, field: str, value: str
) -> None:
    csrf = form_csrf(owner.get("/cramp").text)
    response = owner.post("/cramp", data={"csrf_token": csrf, field: value, "pain": "4"})
    assert response.status_code in (400, 422)
    assert field in response.text
    assert app.state.ctx.diary("olive").episodes() == []


def test_a_withheld_rub_is_not_offered_during_a_cramp(app: Any, owner: Any, frozen: None) -> None:
    assert "Rub the muscle" in owner.get("/cramp").text
    app.state.ctx.diary("olive").save_assessment({"symptoms": ["one_leg_swollen"]}, {})
    page = owner.get("/cramp").text
    assert "Rub the muscle" not in page and "Massage" not in page
    assert "Straighten the leg" in page
