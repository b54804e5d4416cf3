"""Assess: the questionnaire and its result page, which puts the triage level first."""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from crampwise.diary.units import f_to_c
from crampwise.errors import InputError
from crampwise.knowledge.vocabulary import CONDITIONS, MUSCLES, SEXES, SYMPTOMS, WHENS
from crampwise.web.deps import DiaryDep, UserDep, render
from crampwise.web.pages.common import units_of

router = APIRouter()

# Plain-words questions for the contract's vocabularies (the ids stay the contract's).
SYMPTOM_LABELS = {
    "chest_pain": "Chest pain",
    "short_of_breath": "Short of breath",
    "coughing_blood": "Coughing up blood",
    "leg_cold_pale_or_blue": "A leg that is cold, pale or blue",
    "sudden_leg_weakness_or_numbness": "Sudden weakness or numbness in a leg",
    "dark_urine": "Dark (tea or cola coloured) urine",
    "one_leg_swollen": "One leg swollen",
    "leg_red_or_warm": "Red or warm skin on the leg",
    "calf_pain_persists": "Calf pain that does not go away",
    "severe_pain_swelling_after_exertion": "Severe muscle pain or swelling after hard exercise",
    "confusion": "Confusion",
    "fever": "Fever",
    "tingling_lips_or_fingers": "Tingling lips or fingertips",
    "hand_or_foot_spasms": "Spasms of the hands or feet",
    "vomiting_or_diarrhoea": "Vomiting or diarrhoea",
    "very_thirsty_little_urine": "Very thirsty and passing little urine",
    "pain_walking_eases_with_rest": "Calf pain when walking that eases with rest",
    "muscle_weakness": "Muscle weakness",
    "muscle_wasting": "Muscles getting thinner",
    "muscle_twitching": "Muscle twitching",
    "numbness_or_tingling_feet": "Numbness or tingling in the feet",
    "back_pain_into_leg": "Back pain spreading into the leg",
    "recent_long_travel_or_bed_rest": "Recent long journey or bed rest",
    "recent_leg_injury_or_surgery": "Recent leg injury or surgery",
    "cramps_started_after_new_medicine": "Cramps started after a new medicine",
    "frequent_daytime_cramps": "Frequent cramps in the daytime too",
    "sleep_badly_disrupted": "Cramps badly disrupt my sleep",
}
CONDITION_LABELS = {
    "chronic_kidney_disease": "Chronic kidney disease",
    "dialysis": "On dialysis",
    "liver_disease": "Liver disease",
    "diabetes": "Diabetes",
    "peripheral_neuropathy": "Nerve damage in the feet or legs (neuropathy)",
    "peripheral_arterial_disease": "Narrowed leg arteries (peripheral arterial disease)",
    "hypothyroidism": "Underactive thyroid",
    "hypoparathyroidism": "Underactive parathyroid",
    "vitamin_d_deficiency": "Vitamin D deficiency",
    "heart_failure": "Heart failure",
    "parkinsons_disease": "Parkinson's disease",
    "multiple_sclerosis": "Multiple sclerosis",
    "motor_neuron_disease": "Motor neurone disease",
    "lumbar_spinal_stenosis": "Narrowed spinal canal in the lower back",
    "venous_insufficiency": "Varicose veins or venous insufficiency",
    "alcohol_use_disorder": "Drinking too much alcohol",
}
# Shown first, under "right now": the signs that can make it urgent or an emergency.
ACUTE_SYMPTOMS = tuple(SYMPTOM_LABELS)[:16]
WHEN_LABELS = {
    "night": "At night",
    "day": "In the day",
    "during_exercise": "During exercise",
    "after_exercise": "After exercise",
}
EMERGENCY_NUMBER = re.compile(r"\b(999|911|112|111)\b")


def _labelled(ids: tuple[str, ...], labels: dict[str, str]) -> list[dict[str, str]]:
    return [{"value": i, "label": labels.get(i, i.replace("_", " ").capitalize())} for i in ids]


def _questionnaire(request: Request, status_code: int = 200, **ctx: Any) -> Response:
    return render(
        request,
        "assess.html",
        status_code=status_code,
        acute=_labelled(ACUTE_SYMPTOMS, SYMPTOM_LABELS),
        lately=_labelled(tuple(s for s in SYMPTOMS if s not in ACUTE_SYMPTOMS), SYMPTOM_LABELS),
        conditions=_labelled(CONDITIONS, CONDITION_LABELS),
        muscles=_labelled(MUSCLES, {}),
        whens=_labelled(WHENS, WHEN_LABELS),
        sexes=SEXES,
        units=units_of(request),
        **ctx,
    )


@router.get("/assess")
async def assess_form(request: Request, user: UserDep) -> Response:
    """The questionnaire: red flags first, then the person, the cramps, conditions, medicines."""
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
        day["bedroom_temp_c"] = round(f_to_c(temp), 1) if units == "us" else temp
    for flag in ("legs_cold", "heavy_sweating"):
        if form.get(flag):
            day[flag] = True
    if form.get("exercise_intensity"):
        day["exercise_intensity"] = form.get("exercise_intensity")
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


def run_assessment(situation: dict[str, Any]) -> dict[str, Any]:
    """The same assessment as `crampwise assess`, as its contract JSON."""
    from crampwise.assess.assessment import assess  # the knowledge base: ~0.1 s, loaded on use

    result: dict[str, Any] = assess(situation).to_dict()
    return result


@router.post("/assess")
async def assess_result(request: Request, user: UserDep, diary: DiaryDep) -> Response:
    """The result page: the triage level first, impossible to miss when it is an emergency."""
    form = await request.form()
    try:
        situation = situation_from_form(form, units_of(request))
        result = run_assessment(situation)
    except InputError as exc:
        return _questionnaire(request, status_code=422, error=str(exc))
    diary.save_assessment(situation, result)  # kept so the user can see it again
    triage = result["triage"]
    text = " ".join([triage.get("action", ""), *(r["advice"] for r in triage["reasons"])])
    # Emergency numbers named in the advice become big call buttons (111 is not for emergencies).
    numbers = sorted(set(EMERGENCY_NUMBER.findall(text)) - {"111"})
    return render(
        request,
        "assess_result.html",
        result=result,
        level=triage["level"],
        call_numbers=numbers if triage["level"] == "emergency" else [],
    )
