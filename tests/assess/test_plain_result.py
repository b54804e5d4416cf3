"""An assessment in plain words: reasons in words and the user's units, summary first."""

from __future__ import annotations

from crampwise.assess.assessment import assess
from crampwise.assess.plain import for_reader, plain_result, split_statistics
from crampwise.knowledge import labels


def test_reasons_read_in_words_and_json_keeps_the_contract() -> None:
    situation = {
        "person": {"age": 64},
        "medications": ["bendroflumethiazide"],
        "episode": {"per_week": 4, "muscle": "thigh_front"},
        "day": {"legs_cold": True, "bedroom_temp_c": 15},
    }
    out = plain_result(assess(situation))
    said = {t for c in out["causes"] for t in c["because_text"]}
    assert {"you are 64", "your legs feel cold", "your bedroom is 15 °C"} <= said
    assert "you take bendroflumethiazide (a thiazide or thiazide-like diuretic)" in said
    machine = {t for c in out["causes"] for t in c["because"]}
    assert {"age=64", "legs_cold", "bedroom_temp_c=15"} <= machine  # the contract's JSON


def test_temperatures_follow_the_users_units() -> None:
    cold = {"day": {"legs_cold": True, "bedroom_temp_c": 15}}
    us = plain_result(assess(cold), units="us")
    assert "your bedroom is 59 °F" in us["causes"][0]["because_text"]
    typed_f = plain_result(assess({"day": {"legs_cold": True, "bedroom_temp_f": 59}}))
    assert "your bedroom is 59 °F" in typed_f["causes"][0]["because_text"]


def test_summary_comes_with_level_now_causes_and_tonight() -> None:
    out = plain_result(assess({"symptoms": ["one_leg_swollen"], "day": {"legs_cold": True}}))
    summary = out["summary"]
    assert summary["level"] == "urgent" and summary["now"]
    assert summary["reasons"][0]["because_text"] == ["one leg swollen"]
    assert summary["top_causes"] and all(p["when_text"] for p in summary["tonight"])


def test_medicine_names_once_and_statistics_apart() -> None:
    out = plain_result(assess({"medications": ["bendroflumethiazide", "Lipitor"]}))
    bendro, lipitor = out["medications"]
    assert bendro["name_text"] == "bendroflumethiazide (a thiazide or thiazide-like diuretic)"
    assert lipitor["name_text"] == "Lipitor (atorvastatin, a statin)"
    assert "sequence ratio" not in bendro["advice_text"]
    assert "sequence ratio" in bendro["advice_details"].lower()
    assert split_statistics("Works. Odds ratio 2.9 (95% CI 1-3). One trial (n=80) agreed.") == (
        "Works. One trial (80 people) agreed.",
        "Odds ratio 2.9 (95% CI 1-3).",
    )


def test_every_choice_has_words() -> None:
    for (block, name), choices in labels.CHOICE_LABELS.items():
        for choice in choices:
            assert "_" not in labels.choice_label(block, name, choice)
    assert labels.choice_label("episode", "muscle", "thigh_front") == "Front of thigh"
    assert labels.choice_label("episode", "when", "during_exercise") == "During exercise"
    assert labels.choice_label("day", "sleep_position", "prone") == "On your front"
    from crampwise.knowledge import vocabulary as v

    assert set(v.SYMPTOMS) <= set(labels.SYMPTOM_LABELS)
    assert set(v.CONDITIONS) <= set(labels.CONDITION_LABELS)


def test_the_summary_says_why_tonights_comforts_are_left_out() -> None:
    # A possible clot: rubbing, warmth and the footbath are withheld with no replacement;
    # the summary says why once, in words that name no withheld remedy.
    clot = plain_result(assess({"symptoms": ["one_leg_swollen", "calf_pain_persists"]}))
    assert clot["summary"]["not_tonight"] == [
        "A leg that may hold a blood clot must not be rubbed or warmed until a doctor has"
        " checked it."
    ]
    assert not any("massage" in t["title"].lower() for t in clot["summary"]["tonight"])
    # Diabetes replaces the footbath (explained at the lukewarm wash): nothing "not tonight".
    diabetes = plain_result(assess({"conditions": ["diabetes"]}))
    assert diabetes["summary"]["not_tonight"] == []
    assert any("lukewarm" in t["title"].lower() for t in diabetes["summary"]["tonight"])


def test_for_reader_says_each_knowledge_base_temperature_once_in_the_readers_units() -> None:
    out = plain_result(assess({"day": {"legs_cold": True, "bedroom_temp_c": 15}}), units="us")
    footbath = next(p for p in out["plan"] if p["id"] == "warm_footbath")
    assert "37-38 °C (about 100 °F)" in footbath["how"]  # the contract keeps the KB's words
    us = for_reader(out, "us")
    shown = next(p for p in us["plan"] if p["id"] == "warm_footbath")
    # Rounded the safe way: the range inwards, the limit downwards.
    assert "99–100 °F, never above 104 °F" in shown["how"]
    assert "°C" not in str(us) and "your bedroom is 59 °F" in str(us)
    metric = for_reader(out, "metric")
    shown = next(p for p in metric["plan"] if p["id"] == "warm_footbath")
    assert "37–38 °C, never above 40 °C" in shown["how"] and "about 100 °F" not in str(metric)
