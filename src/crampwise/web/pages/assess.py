"""Assess: the questionnaire and its result page, which puts the triage level first."""

from __future__ import annotations

import json
import re
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from crampwise.diary.units import c_to_f
from crampwise.errors import InputError
from crampwise.knowledge import labels
from crampwise.knowledge.labels import CONDITION_LABELS, SYMPTOM_LABELS
from crampwise.knowledge.vocabulary import (
    CONDITIONS,
    INTENSITIES,
    MUSCLES,
    SEXES,
    SLEEP_POSITIONS,
    WHENS,
)
from crampwise.web.deps import DiaryDep, UserDep, render, run_blocking
from crampwise.web.pages.common import units_of

router = APIRouter()

# The warning signs in groups, so the form stays short: the signs that mean help now and
# the leg signs are always shown; the rest sit in folds whose summary names what is inside
# (a fold opens by itself when a saved answer in it is ticked). Every symptom is in one group.
SYMPTOM_GROUPS: tuple[tuple[str, str, bool, tuple[str, ...]], ...] = (
    (
        "now",
        "Get help now if you have any of these",
        False,
        (
            "chest_pain",
            "short_of_breath",
            "coughing_blood",
            "face_arm_speech_problem",
            "leg_cold_pale_or_blue",
            "sudden_leg_weakness_or_numbness",
            "saddle_numbness_or_bladder_change",
            "tense_swelling_pain_on_stretch",
            "cramp_not_easing",
            "stiff_jaw_or_spasms_after_wound",
            "confusion",
        ),
    ),
    (
        "leg",
        "Your leg, now or in the last few days",
        False,
        (
            "one_leg_swollen",
            "leg_red_or_warm",
            "calf_pain_persists",
            "severe_pain_swelling_after_exertion",
            "dark_urine",
        ),
    ),
    (
        "unwell",
        "Fever, being sick, great thirst, tingling or spasms, or a long race",
        True,
        (
            "fever",
            "vomiting_or_diarrhoea",
            "very_thirsty_little_urine",
            "after_endurance_event",
            "tingling_lips_or_fingers",
            "hand_or_foot_spasms",
        ),
    ),
    (
        "other",
        "Numbness, weakness, pain on walking or at night, back pain, travel, medicines, sleep",
        True,
        (
            "pain_walking_eases_with_rest",
            "rest_pain_relieved_hanging_leg",
            "numbness_or_tingling_feet",
            "muscle_weakness",
            "muscle_wasting",
            "muscle_twitching",
            "back_pain_into_leg",
            "recent_long_travel_or_bed_rest",
            "recent_leg_injury_or_surgery",
            "cramps_started_after_new_medicine",
            "frequent_daytime_cramps",
            "sleep_badly_disrupted",
        ),
    ),
)
# Day fields the form does not ask: kept from the saved answers when they are updated.
KEPT_DAY_FIELDS = (
    "exercise_min",
    "fluids_l",
    "calcium_mg",
    "vitamin_d",
    "alcohol_units",
    "hours_sitting",
    "hours_standing",
)
EMERGENCY_NUMBER = re.compile(r"\b(999|911|112|111)\b")


def _labelled(ids: tuple[str, ...], words: dict[str, str]) -> list[dict[str, str]]:
    return [{"value": i, "label": words.get(i, i.replace("_", " ").capitalize())} for i in ids]


def _questionnaire(
    request: Request, status_code: int = 200, answers: dict[str, Any] | None = None, **ctx: Any
) -> Response:
    return render(
        request,
        "assess.html",
        status_code=status_code,
        symptom_groups=[
            {"id": key, "title": title, "folded": folded, "items": _labelled(ids, SYMPTOM_LABELS)}
            for key, title, folded, ids in SYMPTOM_GROUPS
        ],
        conditions=_labelled(CONDITIONS, CONDITION_LABELS),
        muscles=_labelled(MUSCLES, labels.MUSCLE_LABELS),
        whens=_labelled(WHENS, labels.WHEN_LABELS),
        intensities=_labelled(INTENSITIES, labels.INTENSITY_LABELS),
        positions=_labelled(SLEEP_POSITIONS, labels.POSITION_LABELS),
        sexes=_labelled(SEXES, labels.SEX_LABELS),
        units=units_of(request),
        answers=answers or {},
        **ctx,
    )


def form_answers(situation: dict[str, Any], units: str) -> dict[str, Any]:
    """A saved situation as the questionnaire's pre-filled answers (in the user's units)."""
    person = situation.get("person") or {}
    episode = situation.get("episode") or {}
    day = situation.get("day") or {}
    answers: dict[str, Any] = {
        "symptoms": set(situation.get("symptoms") or []),
        "conditions": set(situation.get("conditions") or []),
        "medications": ", ".join(situation.get("medications") or []),
        **{k: person[k] for k in ("age", "sex", "pregnant", "postmenopausal") if k in person},
        **{k: episode[k] for k in ("muscle", "when", "pain", "per_week") if k in episode},
        **{k: day[k] for k in ("legs_cold", "heavy_sweating", "exercise_intensity") if k in day},
        "sleep_position": day.get("sleep_position"),
        "kept": json.dumps({k: day[k] for k in KEPT_DAY_FIELDS if k in day}),
    }
    for key in ("age", "pain", "per_week"):  # 64.0 reads 64
        if isinstance(answers.get(key), int | float) and not isinstance(answers[key], bool):
            answers[key] = f"{answers[key]:g}"
    if "duration_s" in episode:
        answers["duration_min"] = f"{episode['duration_s'] / 60:g}"
    celsius = day.get("bedroom_temp_c")
    if "bedroom_temp_f" in day:
        celsius = (float(day["bedroom_temp_f"]) - 32) * 5 / 9
    if celsius is not None:
        shown = c_to_f(float(celsius)) if units == "us" else float(celsius)
        answers["bedroom_temp"] = f"{round(shown, 1):g}"
    return answers


async def _saved_page(request: Request, diary: Any) -> Response | None:
    """The latest saved assessment (recomputed with today's knowledge) above its answers."""
    saved = await run_blocking(diary.latest_assessment)
    if saved is None:
        return None
    units = units_of(request)
    result = run_assessment(saved.situation, units)
    return _questionnaire(
        request,
        answers=form_answers(saved.situation, units),
        saved_on=saved.created_at,
        **result_context(result, units),
    )


@router.get("/assess")
async def assess_form(request: Request, user: UserDep, diary: DiaryDep) -> Response:
    """The latest saved assessment first (with its date) and its answers to update; with
    none saved (or `?new=1`), the blank questionnaire: red flags first, then the person,
    the cramps, conditions, medicines."""
    if request.query_params.get("new") != "1":
        page = await _saved_page(request, diary)
        if page is not None:
            return page
    return _questionnaire(request)


def _number(form: Any, name: str, scale: float = 1.0) -> float | None:
    raw = str(form.get(name) or "").strip()
    if not raw:
        return None
    try:
        return float(raw) * scale
    except ValueError:
        raise InputError(f"field '{name}': {raw!r} is not a number", field=name) from None


def situation_from_form(form: Any, units: str) -> dict[str, Any]:
    """The contract §1 situation from the questionnaire (only what was answered)."""
    person: dict[str, Any] = {}
    if (age := _number(form, "age")) is not None:
        person["age"] = age
    if form.get("sex"):
        person["sex"] = form.get("sex")
    for flag in ("pregnant", "postmenopausal"):
        if form.get(flag):
            person[flag] = True
    episode: dict[str, Any] = {}
    for name in ("muscle", "when"):
        if form.get(name):
            episode[name] = form.get(name)
    for name, scale in (("pain", 1.0), ("per_week", 1.0), ("duration_min", 60.0)):
        value = _number(form, name, scale)
        if value is not None:
            episode["duration_s" if name == "duration_min" else name] = value
    day: dict[str, Any] = {}
    if (temp := _number(form, "bedroom_temp")) is not None:
        # Kept in the unit it was typed in, so the reasons quote it back the same way.
        day["bedroom_temp_f" if units == "us" else "bedroom_temp_c"] = temp
    for flag in ("legs_cold", "heavy_sweating"):
        if form.get(flag):
            day[flag] = True
    for name in ("exercise_intensity", "sleep_position"):
        if form.get(name):
            day[name] = form.get(name)
    day = {**_kept(form), **day}
    meds = [m.strip() for m in re.split(r"[,\n]", str(form.get("medications") or "")) if m.strip()]
    situation: dict[str, Any] = {
        "conditions": form.getlist("conditions"),
        "medications": meds,
        "symptoms": form.getlist("symptoms"),
    }
    for key, block in (("person", person), ("episode", episode), ("day", day)):
        if block:
            situation[key] = block
    return situation


def _kept(form: Any) -> dict[str, Any]:
    """The saved day fields the form does not ask (a JSON object of KEPT_DAY_FIELDS)."""
    try:
        kept = json.loads(str(form.get("kept") or "{}"))
    except ValueError:
        raise InputError("field 'kept': not the saved answers (JSON)", field="kept") from None
    if not isinstance(kept, dict):
        raise InputError("field 'kept': not the saved answers (JSON)", field="kept")
    return {k: v for k, v in kept.items() if k in KEPT_DAY_FIELDS}


def run_assessment(situation: dict[str, Any], units: str | None = None) -> dict[str, Any]:
    """The same assessment as `crampwise assess`: its contract JSON plus the plain words."""
    # The knowledge base: ~0.1 s, loaded on use.
    from crampwise.assess.assessment import assess
    from crampwise.assess.plain import plain_result

    return plain_result(assess(situation), units)


@router.post("/assess")
async def assess_result(request: Request, user: UserDep, diary: DiaryDep) -> Response:
    """The result page: the triage level first, impossible to miss when it is an emergency."""
    form = await request.form()
    units = units_of(request)
    try:
        situation = situation_from_form(form, units)
        result = run_assessment(situation, units)
    except InputError as exc:
        return _questionnaire(request, status_code=422, error=str(exc))
    # Kept so the user can see it again, and so every page that offers a remedy honours it.
    saved = diary.save_assessment(situation, result)
    return render(
        request, "assess_result.html", **result_context(result, units), saved_on=saved.created_at
    )


def result_context(result: dict[str, Any], units: str) -> dict[str, Any]:
    """What the result templates need: the result (its temperatures in the reader's units),
    its level and the numbers to call."""
    from crampwise.assess.plain import for_reader

    result = for_reader(result, units)
    triage = result["triage"]
    text = " ".join([triage.get("action", ""), *(r["advice"] for r in triage["reasons"])])
    # Emergency numbers named in the advice become big call buttons (111 is not for emergencies).
    numbers = sorted(set(EMERGENCY_NUMBER.findall(text)) - {"111"})
    return {
        "result": result,
        "level": triage["level"],
        "call_numbers": numbers if triage["level"] == "emergency" else [],
    }
