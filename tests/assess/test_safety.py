"""Safety rules are data and always applied: footbath limits and substitutions, calcium with
kidney disease, quinine only under "avoid"."""

from __future__ import annotations

import pytest

from crampwise.assess.assessment import assess
from crampwise.knowledge import Knowledge

NUMB_FEET = [
    {"conditions": ["diabetes"]},
    {"conditions": ["peripheral_neuropathy"]},
    {"conditions": ["peripheral_arterial_disease"]},
    {"symptoms": ["numbness_or_tingling_feet"]},
]


def plan(situation: dict, kb: Knowledge) -> dict:  # type: ignore[type-arg]
    return {p["id"]: p for p in assess(situation, kb).to_dict()["plan"]}


def test_footbath_always_carries_its_temperature_limits(kb: Knowledge) -> None:
    footbath = plan({}, kb)["warm_footbath"]
    text = " ".join(footbath["cautions"]) + footbath["how"]
    for needed in ("thermometer", "37-38 °C", "100 °F", "5 to 10 minutes", "never above 40 °C"):
        assert needed in text
    assert footbath["evidence"] == "very_low"
    assert "seed_article" in footbath["sources"]


@pytest.mark.parametrize("situation", NUMB_FEET, ids=lambda s: str(s))
def test_footbath_replaced_for_numb_or_poorly_supplied_feet(situation: dict, kb: Knowledge) -> None:  # type: ignore[type-arg]
    items = plan(situation, kb)
    assert "warm_footbath" not in items
    alt = items["lukewarm_foot_wash_and_check"]
    assert alt["replaces"] == "warm_footbath"
    assert alt["replaced_because"]
    assert "no soaking" in alt["replacement_reason"]
    assert "elbow" in alt["how"] and "look at your feet" in alt["how"]
    assert any("Never use hot water" in c for c in alt["cautions"])
    avoid = {a["id"] for a in assess(situation, kb).to_dict()["avoid"]}
    assert "soaking_numb_feet" in avoid
    heat = items["heat_after"]
    assert any("you may not feel a burn" in c for c in heat["cautions"])


def test_footbath_kept_without_those_conditions(kb: Knowledge) -> None:
    items = plan({"conditions": ["hypothyroidism"], "symptoms": ["muscle_twitching"]}, kb)
    assert "warm_footbath" in items and "lukewarm_foot_wash_and_check" not in items
    assert not any("you may not feel a burn" in c for c in items["heat_after"]["cautions"])


@pytest.mark.parametrize("condition", ["chronic_kidney_disease", "dialysis"])
def test_calcium_with_kidney_disease_says_ask_the_doctor_first(
    condition: str, kb: Knowledge
) -> None:
    result = assess({"conditions": [condition]}, kb).to_dict()
    calcium = next(p for p in result["plan"] if p["id"] == "calcium_vitamin_d_diet")
    assert any("ask your kidney doctor before" in c for c in calcium["cautions"])
    assert "calcium_supplements_without_doctor" in {a["id"] for a in result["avoid"]}
    fluids = next(p for p in result["plan"] if p["id"] == "hydrate_and_replace_salts")
    assert any("fluid or salt limit" in c for c in fluids["cautions"])


def test_calcium_caution_absent_without_kidney_disease(kb: Knowledge) -> None:
    calcium = plan({"conditions": ["liver_disease"]}, kb)["calcium_vitamin_d_diet"]
    assert not any("kidney" in c for c in calcium["cautions"])


@pytest.mark.parametrize(
    "situation",
    [
        {},
        {"person": {"pregnant": True}},
        {"medications": ["quinine"]},
        {"conditions": ["dialysis"]},
    ],
    ids=lambda s: str(s),
)
def test_quinine_only_under_avoid_with_the_fda_warning(situation: dict, kb: Knowledge) -> None:  # type: ignore[type-arg]
    result = assess(situation, kb).to_dict()
    quinine = next(a for a in result["avoid"] if a["id"] == "quinine")
    assert "FDA" in quinine["why"] and "fda_quinine_2009" in quinine["sources"]
    for item in result["plan"]:
        assert "quinine" not in (item["id"] + item["title"] + item["how"]).lower()


def test_nothing_in_the_knowledge_recommends_quinine(kb: Knowledge) -> None:
    for remedy in kb.remedies.values():
        assert "quinine" not in (remedy.id + remedy.title + remedy.how).lower()


def test_every_plan_item_caution_and_avoid_is_graded_and_sourced(kb: Knowledge) -> None:
    busy = {
        "conditions": ["diabetes", "dialysis", "liver_disease"],
        "medications": ["Lasix"],
        "episode": {"per_week": 4},
        "person": {"age": 70},
    }
    result = assess(busy, kb).to_dict()
    for item in result["plan"]:
        assert item["evidence"] and item["sources"]
        for c in item["caution_details"]:
            assert c["evidence"] and c["sources"]
    for a in result["avoid"]:
        assert a["evidence"] and a["sources"]
