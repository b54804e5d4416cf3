"""Clinical vignettes (tests/assess/vignettes.toml): every one gets its expected level."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from crampwise.assess.assessment import assess
from crampwise.knowledge import Knowledge
from crampwise.knowledge.vocabulary import LEVELS, SYMPTOMS

VIGNETTES: list[dict[str, Any]] = tomllib.loads(
    (Path(__file__).with_name("vignettes.toml")).read_text(encoding="utf-8")
)["vignette"]


def test_vignettes_cover_every_level_with_enough_cases() -> None:
    assert len(VIGNETTES) >= 30
    for level in LEVELS:
        assert sum(v["level"] == level for v in VIGNETTES) >= 7, level
    assert len({v["id"] for v in VIGNETTES}) == len(VIGNETTES)


@pytest.mark.parametrize("vignette", VIGNETTES, ids=[v["id"] for v in VIGNETTES])
def test_vignette_level(vignette: dict[str, Any], kb: Knowledge) -> None:
    result = assess(vignette["situation"], kb)
    got = result.triage.level
    # Under-triage is the failure that matters most; report it distinctly.
    assert LEVELS.index(got) <= LEVELS.index(vignette["level"]), (
        f"UNDER-TRIAGE: {vignette['id']} got {got}, expected {vignette['level']}"
    )
    assert got == vignette["level"], f"over-triage: {vignette['id']} got {got}"
    reasons = [r.id for r in result.triage.reasons]
    for rule_id in _fires(vignette):
        assert rule_id in reasons, f"{vignette['id']}: {rule_id} did not fire ({reasons})"
    for rule_id in vignette.get("misses", []):
        assert rule_id not in reasons, f"{vignette['id']}: {rule_id} fired but should just miss"
    # The first reason shown is one that sets the level.
    assert result.triage.reasons[0].level == got


def _fires(vignette: dict[str, Any]) -> list[str]:
    return ([vignette["reason"]] if "reason" in vignette else []) + vignette.get("fires", [])


def test_every_rule_has_a_vignette_that_fires_it_and_one_that_just_misses_it(
    kb: Knowledge,
) -> None:
    fired = {rule_id for v in VIGNETTES for rule_id in _fires(v)}
    missed = {rule_id for v in VIGNETTES for rule_id in v.get("misses", [])}
    rules = {r.id for r in kb.rules}
    assert not (fired | missed) - rules, "vignettes name rules that do not exist"
    assert sorted(rules - fired) == [], "rules no vignette fires"
    assert sorted(rules - missed) == [], "rules no vignette just misses"


def test_every_new_symptom_has_vignettes(kb: Knowledge) -> None:
    # The symptoms added in the clinical review's second edition (contracts §1).
    added = SYMPTOMS[SYMPTOMS.index("tense_swelling_pain_on_stretch") :]
    assert len(added) == 7
    for symptom in added:
        assert any(symptom in v["situation"].get("symptoms", []) for v in VIGNETTES), symptom


def test_a_changed_level_names_the_sources_that_moved_it(kb: Knowledge) -> None:
    changed = [v for v in VIGNETTES if "was" in v or "level_source" in v]
    assert len(changed) >= 3
    for v in changed:
        assert v["was"] in LEVELS and v["was"] != v["level"], v["id"]
        assert v["level_source"] and all(s in kb.sources for s in v["level_source"]), v["id"]


def test_every_emergency_vignette_is_caught(kb: Knowledge) -> None:
    emergencies = [v for v in VIGNETTES if v["level"] == "emergency"]
    caught = [
        v["id"] for v in emergencies if assess(v["situation"], kb).triage.level == "emergency"
    ]
    assert len(caught) == len(emergencies)
