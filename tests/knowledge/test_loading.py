"""The knowledge files load into typed records, and a broken file names the file and entry."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from crampwise.knowledge import DIRECTORY, KnowledgeError, load_directory, load_knowledge
from crampwise.knowledge import vocabulary as v


def test_loads_once_and_is_cached() -> None:
    kb = load_knowledge()
    assert load_knowledge() is kb
    assert re.fullmatch(r"\d{4}\.\d+\.\d+\+[0-9a-f]{8}", kb.version)


def test_everything_is_graded_and_sourced() -> None:
    kb = load_knowledge()
    graded = [*kb.causes, *kb.remedies.values(), *kb.avoid, *kb.rules, *kb.now_steps]
    graded += [c for r in kb.remedies.values() for c in r.cautions]
    assert len(graded) > 60
    for item in graded:
        assert item.evidence in v.GRADES, item
        assert item.sources, item
        assert all(s in kb.sources for s in item.sources), item


def test_bibliography_entries_are_complete() -> None:
    kb = load_knowledge()
    assert len(kb.sources) >= 30
    for s in kb.sources.values():
        assert s.citation and 1990 <= s.year <= 2026 and s.status in v.SOURCE_STATUSES
    # Sources beyond the clinical reference say where they were found.
    assert kb.sources["heartonline_fluid"].found_via
    assert kb.sources["hallegraeff_2012"].doi == "10.1016/S1836-9553(12)70068-1"


def test_contract_ids_and_the_seeds_content_are_present() -> None:
    kb = load_knowledge()
    assert {c.id for c in kb.causes} == set(v.CAUSE_IDS)
    assert set(v.CONTRACT_PLAN_IDS) <= set(kb.remedies)
    # Every cause and remedy the seed article names carries the seed's claim.
    seed_causes = {
        "low_calcium",
        "muscle_overuse",
        "fluid_electrolyte_loss",
        "cold_exposure",
        "sleep_posture",
    }
    seed_remedies = {
        "warm_bedroom",
        "moderate_exercise_plan",
        "calcium_vitamin_d_diet",
        "warm_footbath",
        "massage_therapy",
        "calf_stretch_bedtime",
    }
    for cid in seed_causes:
        assert kb.cause(cid).seed_claim and "seed_article" in kb.cause(cid).sources
    for rid in seed_remedies:
        assert kb.remedies[rid].seed_claim and "seed_article" in kb.remedies[rid].sources


def test_medicine_names_index_brands_and_combinations() -> None:
    kb = load_knowledge()
    assert kb.names["lasix"] == ("furosemide",)
    assert kb.names["advair"] == ("fluticasone", "salmeterol")
    assert kb.classes["inhaled_laba"].link == "strong"


# ----- broken files --------------------------------------------------------------------------


def _broken(tmp_path: Path, name: str, old: str, new: str) -> Path:
    folder = tmp_path / "kb"
    shutil.copytree(DIRECTORY, folder, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    path = folder / name
    text = path.read_text(encoding="utf-8")
    assert old in text, f"test setup: {old!r} not in {name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    ("name", "old", "new", "message"),
    [
        (
            "causes.toml",
            'evidence = "very_low"\nsources = ["garrison_2015"',
            'evidence = "strong"\nsources = ["garrison_2015"',
            "causes.toml: cause 'cold_exposure': field 'evidence': 'strong' is not one of",
        ),
        (
            "causes.toml",
            'sources = ["garrison_2015"',
            'sources = ["garrison_2051"',
            "cause 'cold_exposure': source 'garrison_2051' is not in bibliography.toml",
        ),
        (
            "causes.toml",
            '{ fact = "day.legs_cold", weight = 0.3 }',
            '{ fact = "day.legs_frozen", weight = 0.3 }',
            "cause 'cold_exposure' signal: fact 'day.legs_frozen': unknown field day.legs_frozen",
        ),
        (
            "causes.toml",
            'id = "alcohol"',
            'id = "booze"',
            "knowledge/causes.toml: cause 'booze': field 'id': 'booze' is not one of",
        ),
        (
            "red_flags.toml",
            'when = [["symptom:chest_pain"]]',
            'when = [["symptom:chest_pains"]]',
            "rule 'chest_pain': fact 'symptom:chest_pains': 'chest_pains' is not one of",
        ),
        (
            "red_flags.toml",
            'level = "emergency"',
            'level = "asap"',
            "rule 'chest_pain': field 'level': 'asap' is not one of: emergency, urgent, routine",
        ),
        (
            "remedies.toml",
            'phase = "bedtime"',
            'phase = "bedtime"\ncolour = "blue"',
            "remedies.toml: remedy 'calf_stretch_bedtime': unknown field 'colour'",
        ),
        (
            "remedies.toml",
            'with = "lukewarm_foot_wash_and_check"',
            'with = "cold_plunge"',
            "remedy 'warm_footbath': substitute 'cold_plunge' must be a remedy",
        ),
        (
            "remedies.toml",
            'id = "massage_therapy"',
            'id = "massage_therapy_x"',
            "knowledge/remedies.toml: missing plan ids: massage_therapy",
        ),
        (
            "avoid.toml",
            'id = "quinine"',
            'id = "quinine_tonic"',
            "knowledge/avoid.toml: quinine must be listed",
        ),
        (
            "medicines.toml",
            'class = "statin"\nnames = ["Zocor"]',
            'class = "statins"\nnames = ["Zocor"]',
            "medicines.toml: medicine 'simvastatin': field 'class': 'statins' is not one of",
        ),
        (
            "medicines.toml",
            'names = ["Crestor"]',
            'names = ["Crestor", "Lipitor"]',
            "medicine 'rosuvastatin': name 'Lipitor' already stands for atorvastatin",
        ),
        (
            "bibliography.toml",
            'year = 2012\nurl = "https://cks',
            'year = "2012"\nurl = "https://cks',
            "bibliography.toml: source 'nice_cks_leg_cramps': field 'year' must be int",
        ),
        (
            "now.toml",
            "seconds = 30",
            "seconds = -30",
            "knowledge/now.toml: step 'stretch_lying': seconds must be >= 0",
        ),
        ("meta.toml", 'version = "', "version = '", "knowledge/meta.toml: not valid TOML"),
    ],
)
def test_broken_file_names_file_entry_and_field(
    tmp_path: Path, name: str, old: str, new: str, message: str
) -> None:
    folder = _broken(tmp_path, name, old, new)
    with pytest.raises(KnowledgeError) as info:
        load_directory(folder)
    assert message in str(info.value)


def test_missing_file_is_named(tmp_path: Path) -> None:
    folder = _broken(tmp_path, "now.toml", "seconds", "seconds")
    (folder / "avoid.toml").unlink()
    with pytest.raises(KnowledgeError, match=r"knowledge/avoid\.toml: cannot read"):
        load_directory(folder)


def test_every_contract_symptom_and_condition_is_used_by_a_rule_or_cause() -> None:
    kb = load_knowledge()
    used = {f.text for r in kb.rules for group in r.when for f in group}
    used |= {s.fact.text for c in kb.causes for s in c.signals}
    assert not [s for s in v.SYMPTOMS if f"symptom:{s}" not in used]
    assert not [c for c in v.CONDITIONS if f"condition:{c}" not in used]
