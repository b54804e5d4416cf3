"""Tonight in the morning: last night's check-in question comes first until it is answered;
ticks answer in place; a long cramp's help follows the log."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

import pytest

from crampwise.diary.model import last_night, night_of
from crampwise.web.pages.tonight import is_morning

from ..support import form_csrf, session_csrf
from .night_support import freeze_clock

NIGHT = date(2025, 12, 1)


def test_the_night_rule_after_midnight_and_the_check_in_night() -> None:
    assert night_of(datetime(2025, 12, 2, 1, 0)) == NIGHT
    assert night_of(datetime(2025, 12, 2, 12, 0)) == date(2025, 12, 2)
    assert last_night(datetime(2025, 12, 2, 1, 0)) == NIGHT
    assert last_night(datetime(2025, 12, 2, 8, 0)) == NIGHT
    assert last_night(datetime(2025, 12, 2, 13, 0)) == NIGHT
    assert last_night(datetime(2025, 12, 2, 23, 30)) == NIGHT


@pytest.mark.parametrize(
    "clock,morning",
    [(time(3, 59), False), (time(4, 0), True), (time(11, 59), True), (time(12, 0), False)],
)
def test_morning_is_four_to_noon(clock: time, morning: bool) -> None:
    assert is_morning(datetime.combine(date(2025, 12, 2), clock)) is morning


def test_the_morning_question_comes_first_until_answered(
    app: Any, owner: Any, monkeypatch: Any
) -> None:
    freeze_clock(monkeypatch, datetime(2025, 12, 2, 7, 30))
    page = owner.get("/").text
    assert "Any cramps last night you did not log?" in page
    assert page.index('id="morning-checkin"') < page.index('class="cramp-now"')
    assert f'name="date" value="{NIGHT.isoformat()}"' in page
    response = owner.post(
        "/checkin",
        data={"csrf_token": form_csrf(page), "date": NIGHT.isoformat(), "unlogged_cramps": "1"},
    )
    assert response.headers["location"] == "/?logged=checkin"
    assert app.state.ctx.diary("olive").unlogged_cramps()[NIGHT].count == 1
    assert "Any cramps last night you did not log?" not in owner.get("/").text


def test_no_morning_question_in_the_evening(owner: Any, monkeypatch: Any) -> None:
    freeze_clock(monkeypatch, datetime(2025, 12, 2, 21, 0))
    assert "Any cramps last night you did not log?" not in owner.get("/").text


def test_a_tick_on_tonight_answers_in_place(app: Any, owner: Any, monkeypatch: Any) -> None:
    freeze_clock(monkeypatch, datetime(2025, 12, 1, 22, 0))
    assert owner.get("/").text.count("data-tick") == 2
    response = owner.post(
        "/tonight/routine",
        data={"csrf_token": session_csrf(owner), "item": "stretched", "done": "true"},
        headers={"Accept": "application/json"},
    )
    assert response.json() == {"item": "stretched", "done": True}
    assert app.state.ctx.diary("olive").get_day(NIGHT).values["stretched"] is True  # type: ignore[union-attr]


def test_after_a_long_cramp_tonight_says_when_to_get_help(owner: Any, monkeypatch: Any) -> None:
    freeze_clock(monkeypatch, datetime(2025, 12, 2, 3, 0))
    page = owner.get("/?logged=long_cramp").text
    assert "Cramp logged" in page and "A cramp over 10 minutes" in page
    assert "A cramp over 10 minutes" not in owner.get("/?logged=cramp").text
