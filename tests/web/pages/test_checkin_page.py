"""Morning check-in: unlogged cramps stored as a count, three questions first, everyday
words, the user's units, and the night asked about follows `last_night`."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

import pytest

from ..support import form_csrf, session_csrf
from .night_support import freeze_clock

MORNING = datetime(2025, 12, 2, 8, 0)
NIGHT = date(2025, 12, 1)


@pytest.fixture
def frozen(monkeypatch: Any) -> None:
    freeze_clock(monkeypatch, MORNING)


def _visible(page: str) -> str:
    """The page without its folded parts."""
    return re.sub(r"<details.*?</details>", "", page, flags=re.S)


def test_three_questions_first_the_rest_behind_more(owner: Any, frozen: None) -> None:
    page = owner.get("/checkin").text
    assert f'name="date" value="{NIGHT.isoformat()}"' in page
    shown = _visible(page)
    assert len(re.findall(r"<legend>", shown)) == 3
    assert "Any cramps last night you did not log?" in shown
    assert "Were your legs cold in bed?" in shown
    assert "How hard did you exercise yesterday?" in shown
    assert "On your front" in page and "Prone" not in page and "prone</span>" not in page
    assert "<summary>More questions" in page


def test_a_form_check_in_stores_the_count_not_invented_episodes(
    app: Any, owner: Any, frozen: None
) -> None:
    csrf = form_csrf(owner.get("/checkin").text)
    response = owner.post(
        "/checkin",
        data={
            "csrf_token": csrf,
            "date": NIGHT.isoformat(),
            "unlogged_cramps": "2",
            "legs_cold": "true",
        },
    )
    assert response.status_code == 303
    diary = app.state.ctx.diary("olive")
    assert diary.unlogged_cramps(NIGHT, NIGHT)[NIGHT].count == 2
    assert diary.episodes() == []
    assert diary.get_day(NIGHT).values["legs_cold"] is True  # type: ignore[union-attr]
    # "More than 5" wins over the chips.
    owner.post(
        "/checkin",
        data={
            "csrf_token": csrf,
            "date": NIGHT.isoformat(),
            "unlogged_cramps": "0",
            "unlogged_cramps_many": "7",
        },
    )
    assert diary.unlogged_cramps(NIGHT, NIGHT)[NIGHT].count == 7


def test_the_offline_queue_sends_the_count_as_json(app: Any, owner: Any, frozen: None) -> None:
    owner.get("/checkin")
    response = owner.post(
        "/checkin",
        json={
            "client_id": "x",
            "date": NIGHT.isoformat(),
            "values": {"unlogged_cramps": "1", "unlogged_cramps_many": None},
        },
        headers={"X-CSRF-Token": session_csrf(owner)},
    )
    assert response.json() == {"date": NIGHT.isoformat(), "saved": True}
    assert app.state.ctx.diary("olive").unlogged_cramps(NIGHT, NIGHT)[NIGHT].count == 1


@pytest.mark.parametrize("count", ["-1", "two", "1.5", "21"])
def test_a_bad_count_is_refused_and_nothing_changes(
    app: Any, owner: Any, frozen: None, count: str
) -> None:
    owner.get("/checkin")
    response = owner.post(
        "/checkin",
        json={"date": NIGHT.isoformat(), "values": {"unlogged_cramps": count, "legs_cold": True}},
        headers={"X-CSRF-Token": session_csrf(owner)},
    )
    assert response.status_code == 422
    assert response.json()["field"] == "unlogged_cramps"
    diary = app.state.ctx.diary("olive")
    assert diary.unlogged_cramps() == {} and diary.get_day(NIGHT) is None


def test_us_units_ask_in_fahrenheit_and_fluid_ounces(app: Any, owner: Any, frozen: None) -> None:
    app.state.ctx.diary("olive").set_units("us")
    page = owner.get("/checkin").text
    assert 'name="fluids_floz"' in page and "(fl oz)" in page
    assert 'name="bedroom_temp_f"' in page and "°C" not in page and "litres" not in page
    csrf = form_csrf(page)
    owner.post(
        "/checkin",
        data={
            "csrf_token": csrf,
            "date": NIGHT.isoformat(),
            "fluids_floz": "64",
            "bedroom_temp_f": "64.4",
        },
    )
    values = app.state.ctx.diary("olive").get_day(NIGHT).values  # type: ignore[union-attr]
    assert values["fluids_l"] == pytest.approx(1.89, abs=0.01)
    assert values["bedroom_temp_c"] == pytest.approx(18.0)
