"""Bedtime: each number said once and in the user's units, ticks that answer in place, and a
saved assessment's substitutions (no footbath timer for a diabetic person)."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

import pytest

from crampwise.diary.units import in_units

from ..support import session_csrf
from .night_support import freeze_clock

EVENING = datetime(2025, 12, 1, 22, 0)
NIGHT = date(2025, 12, 1)


@pytest.fixture
def frozen(monkeypatch: Any) -> None:
    freeze_clock(monkeypatch, EVENING)


def _visible(page: str) -> str:
    main = page[page.index("<main") : page.index("</main>")]
    return re.sub(r"<details.*?</details>", "", main, flags=re.S)


def test_temperatures_in_text_follow_the_units_rounded_the_safe_way() -> None:
    text = "Water 37-38 °C (about 100 °F), never above 40 °C; below 37 °C."
    assert in_units(text, "metric") == "Water 37–38 °C, never above 40 °C; below 37 °C."
    assert in_units(text, "us") == "Water 99–100 °F, never above 104 °F; below 98 °F."
    # A Fahrenheit figure with Celsius in brackets is said once, in °F.
    assert (
        in_units("Soak at 100 °F (38 °C) for 5 minutes.", "us") == "Soak at 100 °F for 5 minutes."
    )
    assert in_units("Soak at 100 °F (38 °C).", "metric") == "Soak at 100 °F (38 °C)."


@pytest.mark.parametrize(
    "units,water,limit", [("metric", "37–38 °C", "40 °C"), ("us", "99–100 °F", "104 °F")]
)
def test_each_number_is_said_once_in_the_chosen_units(
    app: Any, owner: Any, frozen: None, units: str, water: str, limit: str
) -> None:
    app.state.ctx.diary("olive").set_units(units)
    page = owner.get("/bedtime").text
    shown = _visible(page)
    assert shown.count(water) == 1 and shown.count(limit) == 1
    other = "°C" if units == "us" else "°F"
    assert other not in page[page.index("<main") : page.index("</main>")]
    assert len(re.findall(r"data-timer ", page)) == 2  # stretch and footbath


def test_a_tick_answers_in_place_and_is_stored(app: Any, owner: Any, frozen: None) -> None:
    page = owner.get("/bedtime").text
    assert page.count("data-tick") == 2 and "Not done yet" in page
    response = owner.post(
        "/tonight/routine",
        data={
            "csrf_token": session_csrf(owner),
            "item": "footbath",
            "done": "true",
            "next": "/bedtime",
        },
        headers={"Accept": "application/json"},
    )
    assert response.json() == {"item": "footbath", "done": True}
    assert app.state.ctx.diary("olive").get_day(NIGHT).values["footbath"] is True  # type: ignore[union-attr]
    assert re.search(
        r'is-done" data-routine-item aria-labelledby="bath-h"', owner.get("/bedtime").text
    )
    # Without JavaScript the same form posts and comes back to Bedtime.
    plain = owner.post(
        "/tonight/routine",
        data={"csrf_token": session_csrf(owner), "item": "stretched", "next": "/bedtime"},
    )
    assert (plain.status_code, plain.headers["location"]) == (303, "/bedtime")


def test_a_diabetic_person_gets_the_lukewarm_wash_and_no_footbath_timer(
    app: Any, owner: Any, frozen: None
) -> None:
    app.state.ctx.diary("olive").save_assessment({"conditions": ["diabetes"]}, {})
    page = owner.get("/bedtime").text
    assert "Brief lukewarm foot wash" in page
    assert 'id="bath-h"' not in page and 'label="footbath"' not in page
    assert len(re.findall(r"data-timer ", page)) == 1  # the stretch only
    tonight = owner.get("/").text
    assert 'name="item" value="footbath"' not in tonight
    assert "Brief lukewarm foot wash" in tonight


def test_a_possible_clot_withholds_the_footbath_with_the_reason(
    app: Any, owner: Any, frozen: None
) -> None:
    app.state.ctx.diary("olive").save_assessment({"symptoms": ["one_leg_swollen"]}, {})
    page = owner.get("/bedtime").text
    assert 'id="bath-h"' not in page and "blood clot" in page
    assert "massage" not in page.lower()
