"""Contract §1: `crampwise assess [FILE|-] --format json`: input rules and output shape."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .conftest import Cli

LEVELS = {"emergency", "urgent", "routine", "self_care"}
EVIDENCE = {"high", "moderate", "low", "very_low", "expert_opinion"}
CAUSES = {
    "low_calcium", "muscle_overuse", "fluid_electrolyte_loss", "cold_exposure",
    "sleep_posture", "medication_side_effect", "pregnancy", "kidney_or_liver_disease",
    "nerve_disorder", "circulation_disorder", "metabolic_disorder",
    "prolonged_sitting_or_standing", "alcohol", "ageing",
}  # fmt: skip
VOCAB: dict[tuple[str, ...], list[str]] = {
    ("person", "sex"): ["female", "male", "other"],
    ("episode", "muscle"): ["calf", "foot", "toes", "thigh_front", "thigh_back", "hand", "other"],
    ("episode", "when"): ["night", "day", "during_exercise", "after_exercise"],
    ("day", "exercise_intensity"): ["none", "light", "moderate", "hard"],
    ("day", "sleep_position"): ["back", "side", "prone"],
}
CONDITIONS = [
    "chronic_kidney_disease",
    "dialysis",
    "liver_disease",
    "diabetes",
    "peripheral_neuropathy",
    "peripheral_arterial_disease",
    "hypothyroidism",
    "hypoparathyroidism",
    "vitamin_d_deficiency",
    "heart_failure",
    "parkinsons_disease",
    "multiple_sclerosis",
    "motor_neuron_disease",
    "lumbar_spinal_stenosis",
    "venous_insufficiency",
    "alcohol_use_disorder",
]
SYMPTOMS = [
    "one_leg_swollen",
    "leg_red_or_warm",
    "calf_pain_persists",
    "chest_pain",
    "short_of_breath",
    "coughing_blood",
    "leg_cold_pale_or_blue",
    "sudden_leg_weakness_or_numbness",
    "dark_urine",
    "severe_pain_swelling_after_exertion",
    "pain_walking_eases_with_rest",
    "muscle_weakness",
    "muscle_wasting",
    "muscle_twitching",
    "numbness_or_tingling_feet",
    "tingling_lips_or_fingers",
    "hand_or_foot_spasms",
    "confusion",
    "fever",
    "vomiting_or_diarrhoea",
    "very_thirsty_little_urine",
    "back_pain_into_leg",
    "recent_long_travel_or_bed_rest",
    "recent_leg_injury_or_surgery",
    "cramps_started_after_new_medicine",
    "frequent_daytime_cramps",
    "sleep_badly_disrupted",
]
# (section, field, lowest allowed, highest allowed or None for "≥ 0")
RANGES: list[tuple[str, str, float, float | None]] = [
    ("person", "age", 0, 120),
    ("episode", "pain", 0, 10),
    ("episode", "duration_s", 0, None),
    ("episode", "per_week", 0, None),
    ("day", "exercise_min", 0, None),
    ("day", "fluids_l", 0, None),
    ("day", "calcium_mg", 0, None),
    ("day", "alcohol_units", 0, None),
    ("day", "hours_sitting", 0, 24),
    ("day", "hours_standing", 0, 24),
    ("day", "bedroom_temp_c", -10, 45),
    ("day", "bedroom_temp_f", 14, 113),
]

RICH = {
    "person": {"age": 67, "sex": "female", "pregnant": False, "postmenopausal": True},
    "conditions": ["chronic_kidney_disease", "peripheral_neuropathy", "hypothyroidism",
                   "peripheral_arterial_disease"],
    "medications": ["furosemide", "Lipitor", "LASIX", "AtorVaStatin", "zzq-unknown-pill"],
    "symptoms": [],
    "episode": {"muscle": "calf", "when": "night", "duration_s": 40, "pain": 7, "per_week": 3},
    "day": {"exercise_min": 90, "exercise_intensity": "hard", "fluids_l": 0.8,
            "heavy_sweating": True, "bedroom_temp_c": 15, "legs_cold": True,
            "sleep_position": "prone", "calcium_mg": 300, "vitamin_d": False,
            "alcohol_units": 8, "hours_sitting": 11, "hours_standing": 1},
}  # fmt: skip


def _assess(cli: Cli, situation: Any) -> dict[str, Any]:
    result: dict[str, Any] = cli.json("assess", "-", stdin=json.dumps(situation))
    return result


def _situation(section: str, name: str, value: Any) -> dict[str, Any]:
    return {section: {name: value}}


def _all_sources(result: dict[str, Any]) -> set[str]:
    found: set[str] = set()
    for reason in result["triage"]["reasons"]:
        found.update(reason["sources"])
    for key in ("causes", "plan", "avoid", "medications"):
        for item in result[key]:
            found.update(item["sources"])
    return found


def _check_shape(result: dict[str, Any], bibliography: set[str]) -> None:
    for key in ("triage", "causes", "plan", "avoid", "medications", "knowledge_version",
                "disclaimer"):  # fmt: skip
        assert key in result, key
    assert isinstance(result["knowledge_version"], str) and result["knowledge_version"]
    assert isinstance(result["disclaimer"], str) and result["disclaimer"]
    assert result["triage"]["level"] in LEVELS
    for reason in result["triage"]["reasons"]:
        assert {"id", "title", "because", "advice", "sources"} <= set(reason)
        assert isinstance(reason["because"], list)
    scores = []
    for cause in result["causes"]:
        assert {"id", "score", "because", "evidence", "sources"} <= set(cause)
        assert cause["id"] in CAUSES
        assert cause["evidence"] in EVIDENCE
        assert isinstance(cause["score"], int | float) and not isinstance(cause["score"], bool)
        scores.append(cause["score"])
    assert scores == sorted(scores, reverse=True), "causes: most likely first"
    for item in result["plan"]:
        assert {"id", "title", "when", "how", "evidence", "cautions", "sources"} <= set(item)
        assert item["evidence"] in EVIDENCE
        assert isinstance(item["cautions"], list)
        assert "quinine" not in item["id"].lower() and "quinine" not in item["title"].lower()
    for item in result["avoid"]:
        assert {"id", "why", "sources"} <= set(item)
    for item in result["medications"]:
        assert {"input", "generic", "class", "linked_to_cramps", "advice", "sources"} <= set(item)
    assert _all_sources(result) <= bibliography


def test_full_situation_output_contract(cli: Cli, tmp_path: Path) -> None:
    bibliography = {s["id"] for s in cli.json("sources")}
    assert bibliography
    path = tmp_path / "situation.json"
    path.write_text(json.dumps(RICH), encoding="utf-8")
    result = cli.json("assess", str(path))  # FILE, not stdin
    _check_shape(result, bibliography)

    causes = {c["id"] for c in result["causes"]}
    assert {
        "cold_exposure", "sleep_posture", "medication_side_effect", "kidney_or_liver_disease",
        "nerve_disorder", "circulation_disorder", "metabolic_disorder", "muscle_overuse",
        "fluid_electrolyte_loss", "low_calcium", "alcohol", "prolonged_sitting_or_standing",
        "ageing",
    } <= causes  # fmt: skip
    assert "pregnancy" not in causes  # pregnant: false
    plan = {p["id"] for p in result["plan"]}
    assert {
        "stretch_now", "calf_stretch_bedtime", "warm_bedroom", "loosen_bedding_avoid_prone",
        "hydrate_and_replace_salts", "calcium_vitamin_d_diet", "review_medicines_with_doctor",
        "see_doctor_if_persistent",
    } <= plan  # fmt: skip
    assert "quinine" in {a["id"] for a in result["avoid"]}

    meds = {m["input"]: m for m in result["medications"]}
    assert set(meds) == set(RICH["medications"])  # every name kept, as typed
    assert meds["furosemide"]["generic"] == meds["LASIX"]["generic"] == "furosemide"
    assert meds["Lipitor"]["generic"] == meds["AtorVaStatin"]["generic"] == "atorvastatin"
    assert meds["Lipitor"]["class"] == "statin"
    assert meds["LASIX"]["linked_to_cramps"] is True
    unknown = meds["zzq-unknown-pill"]
    assert unknown["generic"] is None and unknown["linked_to_cramps"] is False
    assert unknown.get("recognised", False) is False

    # Pregnancy is its own cause when it applies.
    pregnant = _assess(cli, {"person": {"age": 30, "sex": "female", "pregnant": True}})
    assert "pregnancy" in {c["id"] for c in pregnant["causes"]}


def test_every_field_optional_and_triage_levels(cli: Cli) -> None:
    bibliography = {s["id"] for s in cli.json("sources")}
    empty = _assess(cli, {})
    _check_shape(empty, bibliography)
    assert empty["triage"]["level"] == "self_care"
    assert {"quinine"} <= {a["id"] for a in empty["avoid"]}

    for section in ("person", "episode", "day"):
        _check_shape(_assess(cli, {section: {}}), bibliography)
    _check_shape(_assess(cli, {"conditions": [], "medications": [], "symptoms": []}),
                 bibliography)  # fmt: skip

    chest = _assess(cli, {"symptoms": ["chest_pain"]})
    assert chest["triage"]["level"] == "emergency"
    assert any("chest_pain" in r["because"] for r in chest["triage"]["reasons"])
    # The most urgent rule wins.
    both = _assess(cli, {"symptoms": ["one_leg_swollen", "chest_pain"]})
    assert both["triage"]["level"] == "emergency"
    swollen = _assess(cli, {"symptoms": ["one_leg_swollen"]})
    assert swollen["triage"]["level"] == "urgent"
    _check_shape(swollen, bibliography)

    # Every vocabulary value at once: still the contract's shape, ids and sources.
    everything = dict(RICH, conditions=CONDITIONS, symptoms=SYMPTOMS,
                      person={"age": 80, "sex": "female", "pregnant": True})  # fmt: skip
    result = _assess(cli, everything)
    _check_shape(result, bibliography)
    assert result["triage"]["level"] == "emergency"
    assert "pregnancy" in {c["id"] for c in result["causes"]}


def test_range_boundaries_accepted(cli: Cli) -> None:
    low: dict[str, dict[str, float]] = {}
    high: dict[str, dict[str, float]] = {}
    for section, name, lo, hi in RANGES:
        if name == "bedroom_temp_f":
            continue  # one of _c / _f at a time: checked below
        low.setdefault(section, {})[name] = lo
        high.setdefault(section, {})[name] = hi if hi is not None else 1e6
    _assess(cli, low)
    _assess(cli, high)
    _assess(cli, {"day": {"bedroom_temp_f": 14}})
    _assess(cli, {"day": {"bedroom_temp_f": 113}})


def test_range_boundaries_rejected(cli: Cli) -> None:
    for section, name, lo, hi in RANGES:
        outside = [lo - 0.5] + ([hi + 0.5] if hi is not None else [])
        for value in outside:
            message = cli.fails("assess", "-", stdin=json.dumps(_situation(section, name, value)))
            assert name in message, (name, value, message)


def test_wrong_types_rejected(cli: Cli) -> None:
    cases: list[tuple[Any, str]] = [
        ({"person": {"age": True}}, "age"),  # a bool is not a number
        ({"episode": {"pain": "7"}}, "pain"),
        ({"day": {"fluids_l": [1]}}, "fluids_l"),
        ({"person": {"pregnant": 1}}, "pregnant"),  # a number is not a bool
        ({"day": {"legs_cold": "yes"}}, "legs_cold"),
        ({"conditions": "diabetes"}, "conditions"),
        ({"medications": [3]}, "medications"),
        ({"episode": "calf"}, "episode"),
    ]
    for situation, field in cases:
        message = cli.fails("assess", "-", stdin=json.dumps(situation))
        assert field in message, (situation, message)


def test_unknown_keys_and_vocabulary_rejected(cli: Cli) -> None:
    unknown: list[tuple[dict[str, Any], str]] = [
        ({"mood": "sad"}, "mood"),
        ({"person": {"weight": 80}}, "weight"),
        ({"episode": {"side": "left", "muscle": "calf"}}, "side"),
        ({"day": {"bedroom_temp_k": 290}}, "bedroom_temp_k"),
    ]
    for case, field in unknown:
        assert field in cli.fails("assess", "-", stdin=json.dumps(case))

    vocabularies: dict[tuple[str, ...], list[str]] = {
        **VOCAB,
        ("conditions",): CONDITIONS,
        ("symptoms",): SYMPTOMS,
    }
    for path, allowed in vocabularies.items():
        bad = "not_a_thing"
        situation: dict[str, Any] = (
            {path[0]: [bad]} if len(path) == 1 else {path[0]: {path[1]: bad}}
        )
        message = cli.fails("assess", "-", stdin=json.dumps(situation))
        assert path[-1] in message, message
        missing = [v for v in allowed if v not in message]
        assert not missing, (path, missing, message)


def test_human_format_is_not_json(cli: Cli) -> None:
    out = cli.ok("assess", "-", "--format", "human", stdin=json.dumps({"symptoms": ["chest_pain"]}))
    assert out.strip() and not out.lstrip().startswith("{")
    assert "EMERGENCY" in out.upper()


def test_no_file_on_a_terminal_asks_questions(cli: Cli) -> None:
    seen, code = cli.on_terminal("assess", until=b"?")
    assert b"?" in seen, seen  # a question, asked on the terminal
    assert code is None, "it waits for the answer"
