"""Every red-flag rule fires on its facts and stays silent without them; levels combine up."""

from __future__ import annotations

from typing import Any

import pytest

from crampwise.assess.assessment import assess
from crampwise.knowledge import Knowledge, load_knowledge
from crampwise.knowledge.models import RedFlagRule

from .situations import add_fact

RULES = [r for r in load_knowledge().rules if not r.baseline]


def fired(situation: dict[str, Any], kb: Knowledge) -> list[str]:
    return [r.id for r in assess(situation, kb).triage.reasons]


def minimal(rule: RedFlagRule, kb: Knowledge, group_choice: int = 0) -> dict[str, Any]:
    """One fact from each of the rule's groups (the `group_choice`-th where it exists)."""
    situation: dict[str, Any] = {}
    for group in rule.when:
        situation = add_fact(situation, group[min(group_choice, len(group) - 1)], kb)
    return situation


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_rule_fires_on_each_of_its_facts(rule: RedFlagRule, kb: Knowledge) -> None:
    widest = max(len(g) for g in rule.when)
    for choice in range(widest):
        situation = minimal(rule, kb, choice)
        result = assess(situation, kb)
        assert rule.id in [r.id for r in result.triage.reasons], situation
        # The situation is at least as urgent as the rule says.
        levels = ("emergency", "urgent", "routine", "self_care")
        assert levels.index(result.triage.level) <= levels.index(rule.level)


@pytest.mark.parametrize("rule", [r for r in RULES if len(r.when) > 1], ids=lambda r: r.id)
def test_rule_needs_every_group(rule: RedFlagRule, kb: Knowledge) -> None:
    for missing in range(len(rule.when)):
        situation: dict[str, Any] = {}
        for i, group in enumerate(rule.when):
            if i != missing:
                situation = add_fact(situation, group[0], kb)
        assert rule.id not in fired(situation, kb), (rule.id, situation)


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_rule_does_not_fire_on_an_ordinary_night_cramp(rule: RedFlagRule, kb: Knowledge) -> None:
    ordinary = {
        "person": {"age": 60, "sex": "female"},
        "episode": {"muscle": "calf", "when": "night", "duration_s": 60, "pain": 5, "per_week": 1},
        "day": {"exercise_min": 30, "exercise_intensity": "light", "fluids_l": 1.8},
    }
    assert rule.id not in fired(ordinary, kb)
    assert assess(ordinary, kb).triage.level == "self_care"


def test_chest_pain_is_always_an_emergency(kb: Knowledge) -> None:
    for extra in ({}, {"symptoms": ["sleep_badly_disrupted"]}, {"person": {"age": 20}}):
        situation = {**extra, "symptoms": [*extra.get("symptoms", []), "chest_pain"]}
        assert assess(situation, kb).triage.level == "emergency"


def test_most_urgent_rule_sets_level_and_comes_first(kb: Knowledge) -> None:
    result = assess({"symptoms": ["back_pain_into_leg", "one_leg_swollen", "short_of_breath"]}, kb)
    assert result.triage.level == "emergency"
    assert [r.level for r in result.triage.reasons] == ["emergency", "urgent", "routine"]


def test_statin_and_dark_urine_is_same_day_unless_muscles_are_affected(kb: Knowledge) -> None:
    # NHS statin pages: dark urine alone on a statin means stop it and get same-day advice;
    # with muscle pain, weakness or swelling it is rhabdomyolysis (CDC NIOSH): an emergency.
    statin_dark = {"medications": ["Lipitor"], "symptoms": ["dark_urine"]}
    assert assess(statin_dark, kb).triage.level == "urgent"
    weak = {**statin_dark, "symptoms": ["dark_urine", "muscle_weakness"]}
    assert assess(weak, kb).triage.level == "emergency"
    # A painful ordinary night cramp is not a muscle sign of rhabdomyolysis.
    cramp = {**statin_dark, "episode": {"pain": 9, "duration_s": 60}}
    assert assess(cramp, kb).triage.level == "urgent"
    advice = assess(statin_dark, kb).triage.reasons[0].advice
    assert "Stop taking the statin" in advice and "same day" in advice
    assert (
        assess({"medications": ["Lipitor"], "symptoms": ["muscle_weakness"]}, kb).triage.level
        == "urgent"
    )
    assert assess({"medications": ["Lipitor"]}, kb).triage.level == "self_care"


@pytest.mark.parametrize(
    ("seconds", "level"), [(599, "self_care"), (600, "self_care"), (601, "routine")]
)
def test_a_cramp_over_ten_minutes_that_is_over_is_routine(
    seconds: int, level: str, kb: Knowledge
) -> None:
    assert assess({"episode": {"duration_s": seconds}}, kb).triage.level == level


@pytest.mark.parametrize(
    ("extra", "level"),
    [
        ({}, "urgent"),
        ({"day": {"exercise_intensity": "hard"}}, "emergency"),
        ({"symptoms": ["cramp_not_easing", "one_leg_swollen"]}, "emergency"),
        ({"symptoms": ["cramp_not_easing", "leg_cold_pale_or_blue"]}, "emergency"),
    ],
)
def test_a_cramp_that_will_not_ease_is_urgent_and_with_danger_signs_an_emergency(
    extra: dict[str, Any], level: str, kb: Knowledge
) -> None:
    situation = {"symptoms": ["cramp_not_easing"], "episode": {"duration_s": 900}, **extra}
    assert assess(situation, kb).triage.level == level


def test_emergency_advice_says_whether_to_call_999_or_go_to_a_and_e(kb: Knowledge) -> None:
    for rule in kb.rules:
        if rule.level == "emergency":
            assert "999" in rule.advice or "A&E" in rule.advice, rule.id
    stroke = kb.rule("possible_stroke")
    assert "stroke" in stroke.advice and "FAST" in stroke.advice


def test_because_names_the_situations_facts(kb: Knowledge) -> None:
    result = assess({"person": {"pregnant": True}, "symptoms": ["one_leg_swollen"]}, kb)
    reason = next(r for r in result.triage.reasons if r.id == "dvt_sign_with_risk")
    assert set(reason.because) == {"one_leg_swollen", "pregnant"}
    assert reason.sources and all(s in kb.sources for s in reason.sources)
