"""Causes are ranked by how well the situation's facts support them, each with its facts."""

from __future__ import annotations

from crampwise.assess.assessment import assess
from crampwise.knowledge import Knowledge
from crampwise.knowledge.vocabulary import CAUSE_IDS


def ids(situation: dict, kb: Knowledge) -> list[str]:  # type: ignore[type-arg]
    return [c.id for c in assess(situation, kb).causes]


def test_no_facts_no_causes_but_a_note(kb: Knowledge) -> None:
    result = assess({}, kb)
    assert result.causes == ()
    assert "idiopathic" in result.note


def test_single_fact_puts_its_cause_first(kb: Knowledge) -> None:
    assert ids({"day": {"sleep_position": "prone"}}, kb)[0] == "sleep_posture"
    assert ids({"person": {"pregnant": True}}, kb)[0] == "pregnancy"
    assert ids({"conditions": ["dialysis"]}, kb)[0] == "kidney_or_liver_disease"
    assert ids({"symptoms": ["pain_walking_eases_with_rest"]}, kb)[0] == "circulation_disorder"
    assert ids({"medications": ["Serevent"]}, kb)[0] == "medication_side_effect"
    assert ids({"day": {"alcohol_units": 10}}, kb)[0] == "alcohol"
    assert ids({"episode": {"when": "during_exercise"}}, kb)[0] == "muscle_overuse"


def test_more_supporting_facts_rank_higher(kb: Knowledge) -> None:
    situation = {
        "day": {"legs_cold": True, "bedroom_temp_c": 10, "sleep_position": "prone"},
    }
    result = assess(situation, kb).causes
    assert [c.id for c in result][:2] == ["cold_exposure", "sleep_posture"]
    assert result[0].score > result[1].score
    assert set(result[0].because) == {"legs_cold", "bedroom_temp_c=10"}
    assert all(0 < c.score < 1 for c in result)
    scores = [c.score for c in result]
    assert scores == sorted(scores, reverse=True)


def test_fahrenheit_counts_as_cold_and_is_shown_as_given(kb: Knowledge) -> None:
    cause = assess({"day": {"bedroom_temp_f": 59}}, kb).causes[0]
    assert cause.id == "cold_exposure"
    assert cause.because == ("bedroom_temp_f=59",)
    assert assess({"day": {"bedroom_temp_f": 72}}, kb).causes == ()


def test_stronger_medicine_link_scores_higher(kb: Knowledge) -> None:
    def med_score(name: str) -> float:
        causes = assess({"medications": [name]}, kb).causes
        return next(c.score for c in causes if c.id == "medication_side_effect")

    assert med_score("salmeterol") > med_score("hydrochlorothiazide") > med_score("furosemide")
    assert "medication_side_effect" not in ids({"medications": ["metformin"]}, kb)


def test_cause_ids_evidence_and_sources_follow_the_contract(kb: Knowledge) -> None:
    everything = {
        "person": {"age": 80, "pregnant": True, "postmenopausal": True},
        "conditions": [
            "dialysis",
            "hypothyroidism",
            "peripheral_neuropathy",
            "peripheral_arterial_disease",
            "alcohol_use_disorder",
            "hypoparathyroidism",
        ],
        "medications": ["Lasix"],
        "symptoms": ["muscle_twitching", "vomiting_or_diarrhoea"],
        "episode": {"when": "after_exercise"},
        "day": {"legs_cold": True, "sleep_position": "prone", "hours_sitting": 12},
    }
    causes = assess(everything, kb).causes
    assert {c.id for c in causes} == set(CAUSE_IDS)
    for c in causes:
        assert c.evidence in ("high", "moderate", "low", "very_low", "expert_opinion")
        assert c.sources and all(s in kb.sources for s in c.sources)
        assert c.because


def test_evidence_honesty_where_the_seed_is_contradicted(kb: Knowledge) -> None:
    calcium = kb.cause("low_calcium")
    cold = kb.cause("cold_exposure")
    assert calcium.evidence in ("low", "very_low")
    assert cold.evidence in ("low", "very_low")
    assert "disagrees with the seed" in calcium.summary
    assert "summer" in cold.summary and "other way" in cold.summary
    plan = {p.id: p for p in kb.remedies.values()}
    assert "disagrees with the seed" in plan["calcium_vitamin_d_diet"].evidence_note
    assert "disagrees with the seed" in plan["warm_bedroom"].evidence_note
