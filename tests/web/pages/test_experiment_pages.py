"""Experiment pages: the wizard, its power statement, tonight's condition, the .ics, the result."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from html import unescape
from itertools import pairwise
from typing import Any

import pytest
from fastapi import FastAPI
from icalendar import Calendar

from crampwise.diary.model import DayLog, Episode, night_of
from crampwise.experiments.plan import plan_experiment
from crampwise.experiments.power import power_statement
from crampwise.experiments.running import power_from_history, start_experiment
from crampwise.web.pages.common import local_now

from ..support import TestClient, session_csrf


def _diary(app: FastAPI, name: str = "olive") -> Any:
    return app.state.ctx.store.diary(name)


def _tonight() -> date:
    return night_of(local_now())


def _log_night(diary: Any, night: date, cramps: int, values: dict[str, Any] | None = None) -> None:
    diary.put_day(DayLog(night, values or {"sleep_hours": 7.0}))
    for i in range(cramps):
        diary.add_episode(Episode(datetime.combine(night + timedelta(days=1), time(2, 10 * i))))


def _text(html: str) -> str:
    """The page's visible words, tags stripped and spaces collapsed."""
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip())


def _plan_form(csrf: str, **fields: str) -> dict[str, str]:
    form = {
        "csrf_token": csrf,
        "intervention": "warm_footbath",
        "pairs": "2",
        "period_days": "7",
        "washout_days": "0",
        "start": _tonight().isoformat(),
    }
    form.update(fields)
    return form


def test_the_wizard_offers_the_testable_remedies_and_never_quinine(owner: TestClient) -> None:
    page = owner.get("/experiment")
    assert page.status_code == 200
    text = _text(page.text)
    assert "Plan an experiment" in text
    for title in ("Warm footbath before bed", "Calf and hamstring stretching at bedtime"):
        assert title in text
    assert 'value="quinine"' not in page.text
    assert 'action="/experiment/plan"' in page.text
    # Every form field has a label (the axe scan checks the rest in the browser).
    for field_id in re.findall(r'<input id="([^"]+)"', page.text):
        assert f'for="{field_id}"' in page.text


def test_the_preview_states_the_power_from_the_diary_and_the_schedule(
    app: FastAPI, owner: TestClient
) -> None:
    diary = _diary(app)
    first = _tonight() - timedelta(days=28)
    for i in range(28):
        _log_night(diary, first + timedelta(days=i), [1, 0, 2, 0][i % 4])
    page = owner.post("/experiment/plan", data=_plan_form(session_csrf(owner)))
    assert page.status_code == 200, page.text
    text = _text(page.text)
    assert "4 periods" in text
    assert len(re.findall(r'<tr class="exp-row-(?:on|off)', page.text)) == 4
    assert text.count("ON : do it") == 2 and text.count("OFF: skip it") == 2
    expected = power_from_history(diary.day_table(), 2, 7, 0, before=_tonight())
    assert expected is not None
    assert f"this plan has a {expected.power * 100:.0f}% chance" in text
    if expected.suggested_pairs:
        assert f"For an 80% chance, plan {expected.suggested_pairs} pairs" in text
    assert "Start this experiment" in text
    assert 'name="seed"' in page.text


def test_without_a_diary_the_preview_uses_the_stated_rate(owner: TestClient) -> None:
    csrf = session_csrf(owner)
    page = owner.post("/experiment/plan", data=_plan_form(csrf, rate="1.5", pairs="3"))
    text = _text(page.text)
    expected = power_statement(1.5, 3, 7, 0)
    assert f"about 1.5 cramps a night, this plan has a {expected.power * 100:.0f}% chance" in text
    page = owner.post("/experiment/plan", data=_plan_form(csrf))
    assert "Your diary is too short to say what this plan can detect" in _text(page.text)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"intervention": "quinine"}, "never suggested or tested by crampwise"),
        ({"pairs": "0"}, "field 'pairs': 0 must be from 1 to 16"),
        ({"washout_days": "7"}, "field 'washout_days': 7 must be ≥ 0 and shorter than a period"),
        ({"start": "2001-01-01"}, "is in the past"),
    ],
)
def test_bad_plans_come_back_with_the_reason(
    owner: TestClient, fields: dict[str, str], message: str
) -> None:
    page = owner.post("/experiment/plan", data=_plan_form(session_csrf(owner), **fields))
    assert page.status_code == 422
    assert message in _text(page.text)
    assert 'role="alert"' in page.text and "Plan an experiment" in page.text


def test_starting_shows_tonights_condition_and_records_what_was_done(
    app: FastAPI, owner: TestClient
) -> None:
    csrf = session_csrf(owner)
    started = owner.post("/experiment/start", data=_plan_form(csrf, seed="7"))
    assert started.status_code == 303
    expected = plan_experiment("warm_footbath", 2, 7, _tonight(), seed=7)
    [record] = _diary(app).experiments()
    assert record.status == "active" and record.schedule == [p.to_dict() for p in expected.periods]
    condition = expected.condition_on(_tonight())
    assert condition is not None
    page = _text(owner.get("/experiment").text)
    assert "Experiment: warm footbath before bed" in page
    verb = "do it" if condition == "on" else "skip it"
    assert f"Tonight is an {condition.upper()} night: {verb}." in page
    assert "Night 1 of 28" in page and "Not recorded yet." in page
    tonight_page = _text(owner.get("/").text)
    assert f"tonight is an {condition.upper()} night" in tonight_page
    # A second experiment cannot start while one runs.
    again = owner.post("/experiment/start", data=_plan_form(csrf, seed="8"))
    assert again.status_code == 422 and "is still running" in _text(again.text)
    done = owner.post("/experiment/record", data={"csrf_token": csrf, "done": "no"})
    assert done.status_code == 303
    day = _diary(app).get_day(_tonight())
    assert day is not None and day.values["footbath"] is False
    assert "Recorded: no ." in _text(owner.get("/experiment").text)


def test_the_schedule_downloads_as_a_calendar_with_one_event_per_period(
    owner: TestClient,
) -> None:
    csrf = session_csrf(owner)
    owner.post("/experiment/start", data=_plan_form(csrf, pairs="3", period_days="5", seed="3"))
    response = owner.get("/experiment/schedule.ics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    assert "attachment" in response.headers["content-disposition"]
    cal = Calendar.from_ical(response.content)
    events = list(cal.walk("VEVENT"))
    periods = [e for e in events if not isinstance(e.decoded("dtstart"), datetime)]
    assert len(periods) == 6
    expected = plan_experiment("warm_footbath", 3, 5, _tonight(), seed=3)
    assert [e.decoded("dtstart") for e in periods] == [p.start for p in expected.periods]
    on_summaries = [str(e["summary"]) for e in periods if " ON:" in str(e["summary"])]
    assert len(on_summaries) == 3
    # One evening reminder series per ON period, each at 21:00.
    reminders = [e for e in events if isinstance(e.decoded("dtstart"), datetime)]
    assert len(reminders) == 3
    assert {e.decoded("dtstart").time() for e in reminders} == {time(21, 0)}


def _finished_experiment(
    app: FastAPI, cramps_on: list[int], cramps_off: list[int], washout_days: int = 0
) -> Any:
    """A 4-pair, 7-night experiment that ended last week, followed to the letter."""
    diary = _diary(app)
    start = _tonight() - timedelta(days=63)
    plan = plan_experiment("warm_footbath", 4, 7, start, seed=11, washout_days=washout_days)
    start_experiment(diary, plan)
    on_i = off_i = 0
    for period in plan.periods:
        for k in range(7):
            night = period.start + timedelta(days=k)
            if period.condition == "on":
                cramps, on_i = cramps_on[on_i % len(cramps_on)], on_i + 1
            else:
                cramps, off_i = cramps_off[off_i % len(cramps_off)], off_i + 1
            _log_night(diary, night, cramps, {"footbath": period.condition == "on"})
    return plan


@pytest.mark.parametrize(
    ("cramps_on", "cramps_off", "verdict"),
    [
        ([0, 0, 1, 0], [2, 1, 2, 3], "sure it helps you"),
        ([1, 0, 2, 1], [1, 2, 0, 1], "could be chance"),
    ],
)
def test_a_finished_experiment_gives_a_verdict_in_plain_words_and_a_chart(
    app: FastAPI, owner: TestClient, cramps_on: list[int], cramps_off: list[int], verdict: str
) -> None:
    _finished_experiment(app, cramps_on, cramps_off)
    status = _text(owner.get("/experiment").text)
    assert "The schedule has ended" in status
    assert owner.get("/experiment/result").status_code == 303  # no verdict while running
    stopped = owner.post("/experiment/stop", data={"csrf_token": session_csrf(owner)})
    assert stopped.status_code == 303
    page = owner.get(stopped.headers["location"])
    assert page.status_code == 200
    text = _text(page.text)
    assert verdict in text
    assert "Nights compared: 28 with warm footbath before bed, 28 without" in text
    on_rate = sum(cramps_on) / len(cramps_on)
    assert f"{on_rate:.2f} with" in text
    for limit in ("Carry-over", "Placebo and expectation", "Seasons and life events"):
        assert limit in text
    svg = page.text[page.text.index("<svg") : page.text.index("</svg>")]
    assert len(re.findall(r'class="exp-bar exp-on', svg)) == 28
    assert len(re.findall(r'class="exp-bar exp-off', svg)) == 28
    assert len(re.findall(r'class="exp-band"', svg)) == 28  # scheduled ON nights shaded
    # The experiment is now listed as an earlier one, and a new one can be planned.
    wizard = owner.get("/experiment").text
    assert "Earlier experiments" in wizard and "/experiment/result?id=" in wizard


def test_the_chart_marks_the_same_wash_out_nights_the_analysis_leaves_out(
    app: FastAPI, owner: TestClient
) -> None:
    plan = _finished_experiment(app, [0, 1], [2, 1], washout_days=2)
    owner.post("/experiment/stop", data={"csrf_token": session_csrf(owner)})
    page = owner.get("/experiment/result")
    found = re.search(
        r"Nights compared: (\d+) with warm footbath before bed, (\d+) without", _text(page.text)
    )
    assert found, _text(page.text)
    svg = page.text[page.text.index("<svg") : page.text.index("</svg>")]
    compared_on = len(re.findall(r'class="exp-bar exp-on"', svg))
    compared_off = len(re.findall(r'class="exp-bar exp-off"', svg))
    assert (compared_on, compared_off) == (int(found.group(1)), int(found.group(2)))
    # Each run of the same condition loses its first two nights; adjacent periods merge.
    runs = 1 + sum(a.condition != b.condition for a, b in pairwise(plan.periods))
    assert len(re.findall(r"exp-washout", svg)) == 2 * runs
    assert compared_on + compared_off == 56 - 2 * runs


def test_another_person_cannot_see_my_experiment(
    app: FastAPI, owner: TestClient, guest: TestClient
) -> None:
    _finished_experiment(app, [0], [1])
    owner.post("/experiment/stop", data={"csrf_token": session_csrf(owner)})
    [record] = _diary(app).experiments()
    assert owner.get(f"/experiment/result?id={record.id}").status_code == 200
    assert guest.get(f"/experiment/result?id={record.id}").status_code == 404
    assert "Plan an experiment" in guest.get("/experiment").text


def test_pages_need_sign_in_and_a_csrf_token(client: TestClient, owner: TestClient) -> None:
    assert client.get("/experiment").status_code == 303
    assert owner.post("/experiment/start", data=_plan_form("wrong")).status_code == 403


def test_pages_keep_to_the_content_security_policy(app: FastAPI, owner: TestClient) -> None:
    _finished_experiment(app, [0, 1], [2, 1])
    pages = [owner.get("/experiment").text]
    owner.post("/experiment/stop", data={"csrf_token": session_csrf(owner)})
    pages += [owner.get("/experiment/result").text, owner.get("/experiment").text]
    for html in pages:
        assert "style=" not in html
        assert not re.search(r"<script(?![^>]*\bsrc=)", html)
        assert " on" + "click=" not in html
