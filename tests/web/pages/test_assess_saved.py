"""The saved assessment on the web: shown again with its date, updated from pre-filled
answers, in the user's units; the experiment wizard and the guide follow it."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

from fastapi import FastAPI

from crampwise.assess.assessment import assess
from crampwise.assess.plain import plain_result

from ..support import form_csrf


def _diary(app: FastAPI) -> Any:
    return app.state.ctx.store.diary("olive")


def _text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def test_a_blank_form_until_an_assessment_is_saved(owner: Any) -> None:
    page = owner.get("/assess").text
    assert "Assess my cramps" in page and "Your assessment of" not in page


def test_the_saved_assessment_comes_first_with_its_date_and_prefilled_answers(
    app: FastAPI, owner: Any
) -> None:
    token = form_csrf(owner.get("/assess").text)
    form = {
        "csrf_token": token, "symptoms": ["one_leg_swollen"], "conditions": ["diabetes"],
        "age": "64", "muscle": "thigh_front", "when": "during_exercise", "legs_cold": "true",
        "sleep_position": "prone", "medications": "bendroflumethiazide, Lipitor",
        "bedroom_temp": "15",
    }  # fmt: skip
    posted = owner.post("/assess", data=form)
    assert posted.status_code == 200 and "Your assessment of" in posted.text
    saved = _diary(app).latest_assessment()
    assert saved is not None and saved.situation["day"]["sleep_position"] == "prone"
    page = owner.get("/assess").text
    main = page[page.index("<main") :]
    assert main.index('id="last-triage"') < main.index('id="update"') < main.index("<form")
    assert "triage-urgent" in main and "Your assessment of" in main
    text = _text(main)
    assert "Because one leg swollen" in text and "your legs feel cold" in text
    assert "you take Lipitor (atorvastatin, a statin)" in text
    assert "you sleep on your front" in text
    for checked in ('value="one_leg_swollen" checked', 'value="diabetes" checked'):
        assert checked in main
    assert 'value="thigh_front" selected>Front of thigh' in main
    assert 'value="during_exercise" selected>During exercise' in main
    assert 'value="prone" selected>On your front' in main
    assert 'name="age" min="0" max="120" inputmode="numeric" value="64"' in main
    assert "bendroflumethiazide, Lipitor</textarea>" in main
    # Medicines typed there are in the medicine list (the report and FHIR export read it).
    assert [m.name for m in _diary(app).medicines()] == ["bendroflumethiazide", "Lipitor"]
    # Updating: the diabetes box unticked; the new answers replace the old.
    update = {**form, "conditions": [], "csrf_token": form_csrf(page)}
    owner.post("/assess", data=update)
    assert _diary(app).latest_assessment().situation.get("conditions") in (None, [])
    assert len(_diary(app).medicines()) == 2  # the same medicines are not added twice


def test_answers_the_form_does_not_ask_survive_an_update(app: FastAPI, owner: Any) -> None:
    situation = {"day": {"fluids_l": 0.8, "hours_sitting": 9, "legs_cold": True}}
    _diary(app).save_assessment(situation, plain_result(assess(situation)))
    page = owner.get("/assess").text
    kept = re.search(r'name="kept" value="([^"]*)"', page)
    assert kept is not None
    form = {"csrf_token": form_csrf(page), "legs_cold": "true", "kept": unescape(kept[1])}
    owner.post("/assess", data=form)
    day = _diary(app).latest_assessment().situation["day"]
    assert day == {"fluids_l": 0.8, "hours_sitting": 9, "legs_cold": True}


def test_fahrenheit_users_read_and_type_fahrenheit(app: FastAPI, owner: Any) -> None:
    _diary(app).set_units("us")
    page = owner.get("/assess").text
    owner.post("/assess", data={"csrf_token": form_csrf(page), "bedroom_temp": "59",
                                "legs_cold": "true"})  # fmt: skip
    assert _diary(app).latest_assessment().situation["day"]["bedroom_temp_f"] == 59
    page = owner.get("/assess").text
    assert "your bedroom is 59 °F" in _text(page) and 'value="59"' in page


def test_fahrenheit_users_read_the_knowledge_base_temperatures_once_in_fahrenheit(
    app: FastAPI, owner: Any
) -> None:
    _diary(app).set_units("us")
    form = {"csrf_token": form_csrf(owner.get("/assess").text), "legs_cold": "true"}
    result = _text(owner.post("/assess", data=form).text)
    saved = _text(owner.get("/assess").text)
    for page in (result, saved):
        # The footbath's water, rounded the safe way (a range inwards, a limit downwards).
        assert "99–100 °F, never above 104 °F" in page
        assert "°C" not in page and "about 100 °F" not in page


def test_the_wizard_and_the_guide_follow_a_diabetes_assessment(app: FastAPI, owner: Any) -> None:
    wizard = owner.get("/experiment").text
    assert re.search(r'value="warm_footbath"\s+checked', wizard)
    situation = {"conditions": ["diabetes"]}
    _diary(app).save_assessment(situation, plain_result(assess(situation)))
    wizard = owner.get("/experiment").text
    assert re.search(r'value="warm_footbath" disabled', wizard)
    assert "Not for you." in wizard and "lukewarm foot wash" in _text(wizard)
    assert re.search(r'value="calf_stretch_bedtime"\s+checked', wizard)
    refused = owner.post(
        "/experiment/plan",
        data={"csrf_token": form_csrf(wizard), "intervention": "warm_footbath", "pairs": "2",
              "period_days": "7", "washout_days": "0", "rate": "1"},
    )  # fmt: skip
    assert refused.status_code == 422 and "no soaking" in refused.text
    guide = owner.get("/guide/remedies").text
    footbath = guide[guide.index('id="warm_footbath"') :]
    assert "Not for you now" in footbath[: footbath.index("</article>")]
