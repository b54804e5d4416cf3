"""One plan that never contradicts the triage: plan_rules.toml withholds what a red flag or a
condition makes unsafe, everywhere the assessment's plan and `withheld` list are read."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from crampwise.assess.assessment import assess
from crampwise.assess.personal import Withheld, personal_rules
from crampwise.knowledge import DIRECTORY, Knowledge, KnowledgeError, load_directory, load_knowledge
from crampwise.knowledge.models import PlanRule

from .situations import add_fact

DVT = {"symptoms": ["one_leg_swollen", "calf_pain_persists"]}
PLAN_RULES = load_knowledge().plan_rules


def shown_text(result: dict[str, Any]) -> str:
    """Everything of the plan a page could show."""
    parts = []
    for item in result["plan"]:
        parts += [item["id"], item["title"], item["how"], item["evidence_note"], *item["cautions"]]
    return " ".join(parts).lower()


def test_an_urgent_clot_assessment_offers_no_rubbing_or_heat_anywhere(kb: Knowledge) -> None:
    result = assess(DVT, kb)
    assert result.triage.level == "urgent"
    data = result.to_dict()
    assert "massage" not in shown_text(data) and "rub the" not in shown_text(data)
    withheld = {w["remedy"]: w for w in data["withheld"]}
    assert {"massage_now", "massage_therapy", "heat_after", "warm_footbath"} <= set(withheld)
    for w in withheld.values():
        assert w["why"] and w["sources"] and all(s in kb.sources for s in w["sources"])
        # The reason is read on the same page: it must not advertise what it withholds.
        assert "massage" not in w["why"].lower()
    rules = personal_rules(DVT)
    assert not rules.allows("massage_now") and not rules.allows("warm_footbath")
    assert rules.allows("calf_stretch_bedtime")


@pytest.mark.parametrize("rule", PLAN_RULES, ids=[r.id for r in PLAN_RULES])
def test_every_plan_rule_withholds_its_remedies_on_each_of_its_facts(
    rule: PlanRule, kb: Knowledge
) -> None:
    # A situation in which the remedies would otherwise be offered.
    base: dict[str, Any] = {
        "person": {"age": 70},
        "episode": {"per_week": 4},
        "symptoms": ["sleep_badly_disrupted"],
    }
    for choice in range(max(len(g) for g in rule.when)):
        situation = base
        for group in rule.when:
            situation = add_fact(situation, group[min(choice, len(group) - 1)], kb)
        result = assess(situation, kb)
        plan_ids = {p.id for p in result.plan}
        withheld = {w.remedy: w for w in result.withheld}
        for remedy in rule.remedies:
            assert remedy not in plan_ids, (rule.id, situation)
            assert remedy in withheld, (rule.id, situation)
        if rule.instead:
            alt = next(p for p in result.plan if p.id == rule.instead)
            assert alt.replaces in rule.remedies and alt.replacement_reason


def test_without_a_red_flag_nothing_is_withheld(kb: Knowledge) -> None:
    result = assess({"person": {"age": 40}, "episode": {"when": "night", "per_week": 1}}, kb)
    assert result.withheld == ()
    ids = {p.id for p in result.plan}
    assert {"stretch_now", "massage_now", "heat_after", "warm_footbath", "painkiller_after"} <= ids


@pytest.mark.parametrize(
    ("symptoms", "gone"),
    [
        (["tense_swelling_pain_on_stretch"], {"stretch_now", "massage_now", "heat_after"}),
        (["cramp_not_easing"], {"stretch_now"}),
        (["leg_red_or_warm", "fever"], {"massage_now", "massage_therapy", "warm_footbath"}),
    ],
)
def test_stretching_rubbing_and_heat_leave_with_their_red_flags(
    symptoms: list[str], gone: set[str], kb: Knowledge
) -> None:
    result = assess({"symptoms": symptoms}, kb)
    assert not gone & {p.id for p in result.plan}
    assert gone <= {w.remedy for w in result.withheld}


def test_cramp_not_easing_keeps_rubbing_but_not_stretching(kb: Knowledge) -> None:
    ids = {p.id for p in assess({"symptoms": ["cramp_not_easing"]}, kb).plan}
    assert "stretch_now" not in ids and "massage_now" in ids


@pytest.mark.parametrize(
    "situation",
    [
        {"person": {"pregnant": True}},
        {"conditions": ["chronic_kidney_disease"]},
        {"conditions": ["dialysis"]},
        {"conditions": ["heart_failure"]},
        {"medications": ["warfarin"]},
        {"medications": ["Eliquis"]},
        {"medications": ["Xarelto 20 mg"]},
    ],
    ids=lambda s: str(s),
)
def test_ibuprofen_gives_way_to_paracetamol(situation: dict[str, Any], kb: Knowledge) -> None:
    result = assess(situation, kb)
    plan = {p.id: p for p in result.plan}
    assert "painkiller_after" not in plan
    assert plan["paracetamol_after"].replaces == "painkiller_after"
    assert "ibuprofen" in plan["paracetamol_after"].replacement_reason.lower()  # type: ignore[union-attr]
    assert "not ibuprofen" in plan["paracetamol_after"].title.lower()


def test_ibuprofen_cautions_for_ulcers_always_and_over_65(kb: Knowledge) -> None:
    young = {p.id: p for p in assess({"person": {"age": 40}}, kb).plan}["painkiller_after"]
    old = {p.id: p for p in assess({"person": {"age": 70}}, kb).plan}["painkiller_after"]
    assert [c.id for c in young.cautions] == ["ibuprofen_stomach_ulcer"]
    assert [c.id for c in old.cautions] == ["ibuprofen_stomach_ulcer", "ibuprofen_over_65"]


def k2_offered(situation: dict[str, Any], kb: Knowledge) -> bool:
    full = {"person": {"age": 70}, "episode": {"per_week": 3}, **situation}
    return "vitamin_k2_discuss" in {p.id for p in assess(full, kb).plan}


@pytest.mark.parametrize(
    "situation",
    [
        {"medications": ["warfarin"]},
        {"medications": ["Lasix"]},
        {"medications": ["bendroflumethiazide"]},
        {"medications": ["Aldactone"]},
        {"conditions": ["peripheral_neuropathy"]},
        {"conditions": ["lumbar_spinal_stenosis"]},
        {"conditions": ["hypothyroidism"]},
        {"conditions": ["dialysis"]},
        {"person": {"age": 70, "pregnant": True}},
    ],
    ids=lambda s: str(s),
)
def test_vitamin_k2_is_hidden_for_people_its_trial_left_out(
    situation: dict[str, Any], kb: Knowledge
) -> None:
    assert k2_offered({}, kb)
    assert not k2_offered(situation, kb)


def test_warfarin_names_the_interaction(kb: Knowledge) -> None:
    full = {"person": {"age": 70}, "episode": {"per_week": 3}, "medications": ["Coumadin"]}
    why = {w.remedy: w.why for w in assess(full, kb).withheld}["vitamin_k2_discuss"]
    assert "warfarin" in why


def test_footbath_substitution_is_listed_as_withheld(kb: Knowledge) -> None:
    result = assess({"conditions": ["diabetes"]}, kb)
    (footbath,) = [w for w in result.withheld if w.remedy == "warm_footbath"]
    assert footbath == Withheld(
        "warm_footbath",
        "lukewarm_foot_wash_and_check",
        kb.remedies["warm_footbath"].substitute.reason,  # type: ignore[union-attr]
        kb.remedies["lukewarm_foot_wash_and_check"].sources,
    )
    assert result.to_dict()["withheld"][0]["instead"] == "lukewarm_foot_wash_and_check"


def test_a_clot_with_diabetes_withholds_the_footbath_and_offers_no_soak_at_all(
    kb: Knowledge,
) -> None:
    result = assess({"conditions": ["diabetes"], **DVT}, kb)
    (footbath,) = [w for w in result.withheld if w.remedy == "warm_footbath"]
    assert footbath.instead is None and "clot" in footbath.why
    assert not {"warm_footbath", "lukewarm_foot_wash_and_check"} & {p.id for p in result.plan}


def _copy(tmp_path: Path) -> Path:
    folder = tmp_path / "kb"
    shutil.copytree(DIRECTORY, folder, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return folder


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            'remedies = ["painkiller_after"]\nwhen = [["person.pregnant"]]',
            'remedies = ["painkillers"]\nwhen = [["person.pregnant"]]',
            "withhold 'no_ibuprofen_in_pregnancy': remedy 'painkillers' is not in remedies.toml",
        ),
        (
            'instead = "paracetamol_after"\nwhy = "Ibuprofen is not advised',
            'instead = "stretch_now"\nwhy = "Ibuprofen is not advised',
            "instead 'stretch_now' must be a remedy in remedies.toml with include = \"never\"",
        ),
        (
            'sources = ["boast_10"]\n',
            'sources = ["boast_2010"]\n',
            "source 'boast_2010' is not in bibliography.toml",
        ),
    ],
)
def test_a_broken_plan_rule_is_named(tmp_path: Path, old: str, new: str, message: str) -> None:
    folder = _copy(tmp_path)
    path = folder / "plan_rules.toml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(KnowledgeError) as info:
        load_directory(folder)
    assert message in str(info.value)
