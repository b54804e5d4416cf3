"""HTML pages through the real app (no browser): what each page shows and what forms write."""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta
from typing import Any

import pytest

from crampwise.diary.model import DayLog, Episode
from crampwise.web.pages.common import bath_temperatures

from ..support import form_csrf

PAGES = [
    "/",
    "/cramp",
    "/bedtime",
    "/checkin",
    "/diary",
    "/diary/new",
    "/insights",
    "/assess",
    "/guide",
    "/guide/causes",
    "/guide/remedies",
    "/guide/avoid",
    "/guide/warning-signs",
    "/guide/medicines",
    "/guide/sources",
    "/settings",
    "/more",
    "/offline",
]


def _diary(app: Any, name: str = "olive") -> Any:
    return app.state.ctx.store.diary(name)


def _token(client: Any) -> str:
    return form_csrf(client.get("/cramp").text)


@pytest.mark.parametrize("path", PAGES)
def test_every_page_renders_without_inline_code_or_outside_urls(owner: Any, path: str) -> None:
    response = owner.get(path)
    assert response.status_code == 200
    html = response.text
    assert "<h1" in html
    # The CSP allows no inline script or style: the pages must not need any.
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert not re.search(r"\sstyle=|<style|\son[a-z]+=", html)
    assert not re.search(r'(src|href|action)="(https?:)?//', html)


@pytest.mark.parametrize("path", ["/", "/cramp", "/diary", "/insights", "/settings"])
def test_pages_need_a_signed_in_user(owner: Any, client: Any, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


def test_service_worker_and_manifest_are_served_for_the_whole_app(client: Any) -> None:
    sw = client.get("/sw.js")
    assert sw.status_code == 200
    assert sw.headers["content-type"].startswith("text/javascript")
    assert sw.headers["service-worker-allowed"] == "/"
    manifest = client.get("/manifest.webmanifest")
    assert manifest.headers["content-type"].startswith("application/manifest+json")
    data = json.loads(manifest.text)
    assert data["start_url"] == "/" and data["display"] == "standalone"
    sizes = {icon["sizes"] for icon in data["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in data["icons"]:
        assert client.get(icon["src"]).status_code == 200


def test_cramp_form_without_javascript_logs_a_cramp(app: Any, owner: Any) -> None:
    started = (datetime.now() - timedelta(seconds=90)).strftime("%Y-%m-%dT%H:%M:%S")
    response = owner.post(
        "/cramp",
        data={
            "csrf_token": _token(owner),
            "muscle": "toes",
            "pain": "8",
            "started_at": started,
            "side": "right",
            "duration": "1_5",
        },
    )
    assert response.status_code == 303
    (episode,) = _diary(app).episodes()
    assert (episode.muscle, episode.pain, episode.side) == ("toes", 8, "right")
    # The tapped "1–5 min" chip, not the time the page was open.
    assert episode.duration_s == 180
    tonight = owner.get("/").text
    assert "1 cramp on 1 of the last 14 nights" in tonight


def test_routine_check_off_and_undo(app: Any, owner: Any) -> None:
    token = _token(owner)
    owner.post("/tonight/routine", data={"csrf_token": token, "item": "footbath", "done": "true"})
    (log,) = _diary(app).days()
    assert log.values["footbath"] is True
    assert "Done ✓" in owner.get("/").text
    owner.post("/tonight/routine", data={"csrf_token": token, "item": "footbath", "done": "false"})
    assert "footbath" not in (_diary(app).get_day(log.date).values if _diary(app).days() else {})
    bad = owner.post("/tonight/routine", data={"csrf_token": token, "item": "quinine"})
    assert bad.status_code == 422


def test_checkin_offers_yesterdays_values_and_replays_change_nothing(app: Any, owner: Any) -> None:
    diary = _diary(app)
    yesterday = date.today() - timedelta(days=1)
    diary.put_day(DayLog(yesterday - timedelta(days=1), {"exercise_min": 45.0, "legs_cold": True}))
    page = owner.get("/checkin").text
    assert 'name="exercise_min"' in page and 'value="45"' in page
    assert re.search(r'name="legs_cold" value="true"\s+checked', page)
    body = {"date": yesterday.isoformat(), "values": {"fluids_l": 1.5, "heavy_sweating": False}}
    headers = {"X-CSRF-Token": _token(owner), "Content-Type": "application/json"}
    for _ in range(2):  # the offline queue may send the same check-in twice
        response = owner.post("/checkin", content=json.dumps(body), headers=headers)
        assert response.status_code == 200
    logs = [log for log in diary.days() if log.date == yesterday]
    assert len(logs) == 1
    assert logs[0].values == {"fluids_l": 1.5, "heavy_sweating": False}


def test_checkin_in_fahrenheit_is_stored_in_celsius(app: Any, owner: Any) -> None:
    token = _token(owner)
    owner.post("/settings/units", data={"csrf_token": token, "units": "us"})
    page = owner.get("/checkin").text
    assert 'name="bedroom_temp_f"' in page
    owner.post("/checkin", data={"csrf_token": token, "date": "2026-11-01", "bedroom_temp_f": "68"})
    assert _diary(app).get_day(date(2026, 11, 1)).values["bedroom_temp_c"] == 20.0
    assert "99–100 °F" in owner.get("/bedtime").text


def test_checkin_rejects_a_bad_value_and_writes_nothing(app: Any, owner: Any) -> None:
    response = owner.post(
        "/checkin", data={"csrf_token": _token(owner), "date": "2026-11-01", "fluids_l": "lots"}
    )
    assert response.status_code == 422
    assert "fluids_l" in response.text
    assert _diary(app).days() == []


def test_diary_edit_and_delete(app: Any, owner: Any) -> None:
    diary = _diary(app)
    episode = diary.add_episode(Episode(started_at=datetime(2026, 11, 2, 3, 0), pain=4))
    diary.put_day(DayLog(date(2026, 11, 1), {"alcohol_units": 2.0}))
    page = owner.get("/diary").text
    assert "Sun 01 Nov 2026" in page and "Alcohol: 2 units" in page
    token = _token(owner)
    form = {"csrf_token": token, "started_at": "2026-11-02T04:30", "muscle": "calf", "pain": "6"}
    assert owner.post(f"/diary/episodes/{episode.id}", data=form).status_code == 303
    assert diary.get_episode(episode.id).pain == 6
    assert diary.get_episode(episode.id).started_at == datetime(2026, 11, 2, 4, 30)
    owner.post("/diary/days/2026-11-01/delete", data={"csrf_token": token})
    assert diary.get_day(date(2026, 11, 1)) is None
    owner.post(f"/diary/episodes/{episode.id}/delete", data={"csrf_token": token})
    assert diary.episodes() == []


def test_another_users_cramp_is_not_found(app: Any, owner: Any, guest: Any) -> None:
    episode = _diary(app).add_episode(Episode(started_at=datetime(2026, 11, 2, 3, 0)))
    assert guest.get(f"/diary/episodes/{episode.id}").status_code == 404
    token = _token(guest)
    response = guest.post(f"/diary/episodes/{episode.id}/delete", data={"csrf_token": token})
    assert response.status_code == 404
    assert len(_diary(app).episodes()) == 1


def test_insights_says_how_many_more_nights_are_needed(app: Any, owner: Any) -> None:
    from crampwise.analysis.triggers import find_triggers

    diary = _diary(app)
    for i in range(10):
        diary.put_day(DayLog(date(2026, 10, 1) + timedelta(days=i), {"fluids_l": 1.0 + i / 10}))
    needed = find_triggers(diary.day_table()).nights_needed
    page = owner.get("/insights").text
    assert "Not enough data yet" in page
    assert f"{needed} more nights" in page
    assert page.count('class="chart-narrow chart"') == 1  # over time, drawn for phone and desktop


@pytest.mark.parametrize(
    ("symptoms", "level"),
    [(["chest_pain"], "emergency"), (["one_leg_swollen"], "urgent"), ([], "self_care")],
)
def test_assessment_puts_the_triage_level_first(
    owner: Any, symptoms: list[str], level: str
) -> None:
    from crampwise.assess.assessment import assess

    expected = assess({"symptoms": symptoms}).to_dict()["triage"]
    assert expected["level"] == level
    response = owner.post("/assess", data={"csrf_token": _token(owner), "symptoms": symptoms})
    html = response.text
    main = html[html.index("<main") :]
    first_section = re.search(r"<section class=\"triage triage-(\w+)\"", main)
    assert first_section and first_section.group(1) == level
    assert main.index("triage-") < main.index("What to do")
    assert expected["title"] in html
    if level == "emergency":
        assert 'role="alert"' in html and 'href="tel:' in html
    else:
        assert 'href="tel:' not in html


def test_settings_factor_medicine_and_import(app: Any, owner: Any) -> None:
    diary = _diary(app)
    token = _token(owner)
    owner.post(
        "/settings/factors",
        data={"csrf_token": token, "name": "Coffee cups", "kind": "numeric", "unit": "cups"},
    )
    assert [f.name for f in diary.custom_factors()] == ["coffee_cups"]
    assert 'name="coffee_cups"' in owner.get("/checkin").text
    owner.post(
        "/settings/medicines", data={"csrf_token": token, "name": "Lasix", "started": "2026-01-05"}
    )
    (medicine,) = diary.medicines()
    assert medicine.name == "Lasix" and medicine.started == date(2026, 1, 5)
    owner.post(f"/settings/medicines/{medicine.id}/delete", data={"csrf_token": token})
    assert diary.medicines() == []

    csv_text = "date,cramps,fluids_l\n2026-10-01,1,1.5\n2026-10-02,0,2\n"
    files = {"file": ("diary.csv", csv_text.encode(), "text/csv")}
    first = owner.post("/settings/import", data={"csrf_token": token}, files=files)
    assert "2 days added" in first.text
    again = owner.post("/settings/import", data={"csrf_token": token}, files=files)
    assert "0 days added, 0 changed, cramp counts set for 0 nights" in again.text
    assert len(diary.days()) == 2

    broken = {"file": ("bad.csv", b"date,cramps\n2026-10-03,many\n", "text/csv")}
    response = owner.post("/settings/import", data={"csrf_token": token}, files=broken)
    assert response.status_code == 422 and "Nothing imported" in response.text
    assert len(diary.days()) == 2


def test_footbath_temperatures_stay_below_the_burn_limits() -> None:
    metric, us = bath_temperatures("metric"), bath_temperatures("us")
    assert (metric["low"], metric["high"], metric["max"], metric["unit"]) == (37, 38, 40, "°C")
    assert (us["low"], us["high"], us["max"], us["unit"]) == (99, 100, 104, "°F")
    # Rounded the safe way: °F shown never exceed the °C limits they stand for.
    assert (us["max"] - 32) * 5 / 9 <= 40 and (us["high"] - 32) * 5 / 9 <= 38


def test_tonight_shows_an_active_experiments_condition(app: Any, owner: Any) -> None:
    from crampwise.diary.model import night_of

    night = night_of(datetime.now())
    schedule = [
        {
            "start": (night - timedelta(days=3)).isoformat(),
            "end": night.isoformat(),
            "condition": "off",
        },
        {
            "start": (night + timedelta(days=1)).isoformat(),
            "end": (night + timedelta(days=4)).isoformat(),
            "condition": "on",
        },
    ]
    record = _diary(app).save_experiment("warm_footbath", schedule)
    page = owner.get("/").text
    assert "Your experiment tonight" in page and "<strong>OFF</strong>" in page
    _diary(app).stop_experiment(record.id)
    assert "Your experiment tonight" not in owner.get("/").text


def test_checkin_json_refusal_names_the_field(app: Any, owner: Any) -> None:
    headers = {"X-CSRF-Token": _token(owner), "Content-Type": "application/json"}
    body = {"date": "2026-11-01", "values": {"fluids_l": "lots"}}
    response = owner.post("/checkin", content=json.dumps(body), headers=headers)
    assert response.status_code == 422
    assert response.json()["field"] == "fluids_l"
    assert _diary(app).days() == []


def test_add_a_cramp_after_the_fact(app: Any, owner: Any) -> None:
    token = _token(owner)
    form = {
        "csrf_token": token,
        "started_at": "2026-11-03T02:15",
        "muscle": "thigh_back",
        "side": "left",
        "pain": "5",
        "duration_min": "2.5",
        "note": "after a long walk",
    }
    assert owner.post("/diary/new", data=form).status_code == 303
    (episode,) = _diary(app).episodes()
    assert episode.night == date(2026, 11, 2)  # 02:15 belongs to the night before
    assert (episode.muscle, episode.side, episode.pain, episode.duration_s) == (
        "thigh_back",
        "left",
        5,
        150,
    )
    bad = owner.post("/diary/new", data={**form, "muscle": "knee"})
    assert bad.status_code == 422 and "knee" in bad.text
    assert len(_diary(app).episodes()) == 1


def test_questionnaire_asks_about_every_symptom_and_condition(owner: Any) -> None:
    from crampwise.knowledge.vocabulary import CONDITIONS, SYMPTOMS

    page = owner.get("/assess").text
    asked = set(re.findall(r'name="symptoms" value="(\w+)"', page))
    assert asked == set(SYMPTOMS)
    assert set(re.findall(r'name="conditions" value="(\w+)"', page)) == set(CONDITIONS)
    # The signs of an emergency come before the slower ones.
    assert page.index('value="chest_pain"') < page.index('value="muscle_wasting"')


def test_bedtime_shows_the_footbath_safety_notes(owner: Any) -> None:
    from crampwise.knowledge import load_knowledge

    footbath = load_knowledge().remedies["warm_footbath"]
    from crampwise.diary.units import in_units

    page = owner.get("/bedtime").text
    assert "37–38 °C" in page and "never above 40 °C" in page
    for caution in footbath.cautions:
        assert in_units(caution.text, "metric") in page
    assert footbath.substitute is not None and footbath.substitute.reason in page
    assert 'data-seconds="600"' in page  # the 10-minute footbath timer
    assert 'data-hold="10" data-rest="10"' in page  # the stretch rounds


def test_checkin_shows_whole_numbers_without_a_decimal_point(app: Any, owner: Any) -> None:
    from crampwise.diary.model import CustomFactor

    diary = _diary(app)
    diary.define_factor(CustomFactor("coffee_cups", "numeric", "cups"))
    earlier = date.today() - timedelta(days=2)
    diary.put_day(DayLog(earlier, {"coffee_cups": 2.0, "fluids_l": 1.5}))
    page = owner.get("/checkin").text
    assert re.search(r'name="coffee_cups"[^>]*value="2"', page, re.S)
    assert re.search(r'name="fluids_l"[^>]*value="1.5"', page, re.S)
