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


def test_statin_and_dark_urine_is_emergency_but_statin_weakness_urgent(kb: Knowledge) -> None:
    assert (
        assess({"medications": ["Lipitor"], "symptoms": ["dark_urine"]}, kb).triage.level
        == "emergency"
    )
    assert (
        assess({"medications": ["Lipitor"], "symptoms": ["muscle_weakness"]}, kb).triage.level
        == "urgent"
    )
    assert assess({"medications": ["Lipitor"]}, kb).triage.level == "self_care"


@pytest.mark.parametrize(
    ("seconds", "level"), [(599, "self_care"), (600, "self_care"), (601, "urgent")]
)
def test_duration_over_ten_minutes_is_urgent(seconds: int, level: str, kb: Knowledge) -> None:
    assert assess({"episode": {"duration_s": seconds}}, kb).triage.level == level


def test_because_names_the_situations_facts(kb: Knowledge) -> None:
    result = assess({"person": {"pregnant": True}, "symptoms": ["one_leg_swollen"]}, kb)
    reason = next(r for r in result.triage.reasons if r.id == "dvt_sign_with_risk")
    assert set(reason.because) == {"one_leg_swollen", "pregnant"}
    assert reason.sources and all(s in kb.sources for s in reason.sources)
