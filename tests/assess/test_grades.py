"""Grades follow the narrower claim a situation makes (the second clinical review, §3-§4),
and the added content says what its sources say."""

from __future__ import annotations

from typing import Any

import pytest

from crampwise.assess.assessment import assess
from crampwise.knowledge import Knowledge


def grade(situation: dict[str, Any], cause_id: str, kb: Knowledge) -> str:
    return next(c for c in assess(situation, kb).causes if c.id == cause_id).evidence


@pytest.mark.parametrize(
    ("medicine", "expected"),
    [
        ("salmeterol", "moderate"),  # long-acting inhaler
        ("Aldactone", "moderate"),  # potassium-sparing diuretic
        ("bendroflumethiazide", "moderate"),  # thiazide
        ("atorvastatin", "low"),
        ("furosemide", "low"),  # loop: not clearly more than chance
        ("raloxifene", "very_low"),  # the rare list
        ("gabapentin", "very_low"),  # reported only
    ],
)
def test_a_medicine_is_graded_by_its_class(medicine: str, expected: str, kb: Knowledge) -> None:
    assert grade({"medications": [medicine]}, "medication_side_effect", kb) == expected


def test_overuse_is_moderate_for_exercise_cramps_and_a_hypothesis_at_night(kb: Knowledge) -> None:
    day = {"day": {"exercise_intensity": "hard", "exercise_min": 120}}
    assert grade({**day, "episode": {"when": "after_exercise"}}, "muscle_overuse", kb) == "moderate"
    night = assess({**day, "episode": {"when": "night"}}, kb)
    overuse = next(c for c in night.causes if c.id == "muscle_overuse")
    assert overuse.evidence == "expert_opinion"
    assert overuse.evidence_note and "hypothesis" in overuse.evidence_note
    assert night.to_dict()["causes"][0]["evidence_note"]


def test_low_calcium_is_two_claims(kb: Knowledge) -> None:
    assert grade({"day": {"calcium_mg": 300}}, "low_calcium", kb) == "very_low"
    assert grade({"symptoms": ["tingling_lips_or_fingers"]}, "low_calcium", kb) == "high"
    assert grade({"conditions": ["hypoparathyroidism"]}, "low_calcium", kb) == "high"
    # A foot spasm alone is an ordinary cramp, not evidence of a true deficiency.
    assert grade({"symptoms": ["hand_or_foot_spasms"]}, "low_calcium", kb) == "very_low"


def test_nerve_causes_are_graded_higher_for_motor_neurone_disease_and_neuropathy(
    kb: Knowledge,
) -> None:
    assert grade({"conditions": ["motor_neuron_disease"]}, "nerve_disorder", kb) == "moderate"
    assert grade({"conditions": ["peripheral_neuropathy"]}, "nerve_disorder", kb) == "moderate"
    assert grade({"conditions": ["multiple_sclerosis"]}, "nerve_disorder", kb) == "low"
    # The vitamin K2 trial excluded these people: it is no evidence of cause.
    assert "tan_2024_vitamin_k2" not in kb.cause("nerve_disorder").sources


def test_regrades_of_the_plan(kb: Knowledge) -> None:
    r = kb.remedies
    assert r["moderate_exercise_plan"].evidence == "very_low"
    assert r["calcium_vitamin_d_diet"].evidence == "very_low"
    assert r["massage_therapy"].evidence == "expert_opinion"
    assert r["massage_therapy"].title == "Regular massage"
    assert r["calf_stretch_bedtime"].sources[0] == "hawke_2021"
    assert r["calf_stretch_bedtime"].evidence_note.startswith("The Cochrane review")
    assert "thirst" in r["hydrate_and_replace_salts"].how
    assert "hew_butler_2015" in r["hydrate_and_replace_salts"].sources
    k2 = r["vitamin_k2_discuss"].evidence_note
    assert "correction" not in k2 and "not yet repeated" in k2


def test_magnesium_pregnancy_and_kidneys(kb: Knowledge) -> None:
    magnesium = next(a for a in kb.avoid if a.id == "magnesium_for_ordinary_cramps")
    assert "ask your midwife" in magnesium.why and "kidney" in magnesium.why
    assert "high certainty" in magnesium.why


def test_statins_are_the_exception_to_never_stopping_a_medicine(kb: Knowledge) -> None:
    stop = next(a for a in kb.avoid if a.id == "stopping_medicines_yourself")
    assert "statin" in stop.why and "nhs_statins" in stop.sources


def test_medicines_a_doctor_may_discuss_never_recommend_quinine(kb: Knowledge) -> None:
    result = assess({"symptoms": ["sleep_badly_disrupted"], "episode": {"per_week": 5}}, kb)
    item = next(p for p in result.plan if p.id == "medicines_doctor_may_discuss")
    assert item.when == "with_doctor" and "aan_2010" in item.sources
    assert "4 to 6 weeks" in item.how and "quinine" not in item.how.lower()
    quinine = next(a for a in result.avoid if a.id == "quinine")
    assert "mhra_2010_quinine" in quinine.sources and "4-week trial" in quinine.why


def test_dialysis_goes_to_the_renal_team_first(kb: Knowledge) -> None:
    result = assess(
        {"conditions": ["dialysis"], "symptoms": ["sleep_badly_disrupted"], "episode": {}}, kb
    )
    ids = [p.id for p in result.plan]
    assert "dialysis_renal_team" in ids and "medicines_doctor_may_discuss" not in ids
    why = {w.remedy: w.why for w in result.withheld}["medicines_doctor_may_discuss"]
    assert "renal team" in why


def test_pregnancy_plan(kb: Knowledge) -> None:
    result = assess({"person": {"pregnant": True}, "symptoms": ["sleep_badly_disrupted"]}, kb)
    ids = {p.id for p in result.plan}
    assert "pregnancy_cramp_care" in ids
    assert "medicines_doctor_may_discuss" not in ids and "painkiller_after" not in ids
    care = next(p for p in result.plan if p.id == "pregnancy_cramp_care")
    assert "midwife" in care.how and "no ibuprofen" in care.how and "swells" in care.how


def test_pickle_juice_is_not_recommended_outside_cirrhosis(kb: Knowledge) -> None:
    ordinary = assess({"episode": {"when": "night"}}, kb)
    assert "pickle_juice" not in {p.id for p in ordinary.plan}
    assert "pickle_juice_or_cramp_shots" in {a.id for a in ordinary.avoid}
    cirrhosis = assess({"conditions": ["liver_disease"]}, kb)
    assert "pickle_juice" in {p.id for p in cirrhosis.plan}
    assert "tapper_2022_pickle" in kb.remedies["pickle_juice"].sources
