"""Medicines typed as brand or generic names, in any case, are recognised."""

from __future__ import annotations

import pytest

from crampwise.assess.assessment import assess
from crampwise.assess.medicines import match_medicine
from crampwise.knowledge import Knowledge

# Brand names users type, from the clinical reference §3.
BRANDS = [
    ("Lasix", "furosemide", "loop diuretic"),
    ("Lipitor", "atorvastatin", "statin"),
    ("Zocor", "simvastatin", "statin"),
    ("Crestor", "rosuvastatin", "statin"),
    ("Aldactone", "spironolactone", "potassium-sparing diuretic"),
    ("HCTZ", "hydrochlorothiazide", "thiazide or thiazide-like diuretic"),
    ("Microzide", "hydrochlorothiazide", "thiazide or thiazide-like diuretic"),
    ("Serevent", "salmeterol", "inhaled long-acting beta-2 agonist"),
    ("Advair", "salmeterol", "inhaled long-acting beta-2 agonist"),
    ("Seretide", "salmeterol", "inhaled long-acting beta-2 agonist"),
    ("Symbicort", "formoterol", "inhaled long-acting beta-2 agonist"),
    ("Evista", "raloxifene", "selective oestrogen receptor modulator"),
    ("Forteo", "teriparatide", "parathyroid hormone analogue"),
    ("Aleve", "naproxen", "non-steroidal anti-inflammatory drug"),
    ("Venofer", "iron sucrose", "intravenous iron"),
    ("Premarin", "conjugated oestrogens", "oestrogen"),
]


@pytest.mark.parametrize(("typed", "generic", "label"), BRANDS)
def test_brand_names_in_any_case(typed: str, generic: str, label: str, kb: Knowledge) -> None:
    for variant in (typed, typed.lower(), typed.upper(), f"  {typed}® "):
        m = match_medicine(variant, kb)
        assert m.recognised and m.generic == generic and m.class_label == label, variant
        assert m.linked_to_cramps
        assert m.sources and all(s in kb.sources for s in m.sources)
        assert "Do not stop it yourself" in m.advice


def test_combination_resolves_to_the_cramp_linked_component(kb: Knowledge) -> None:
    m = match_medicine("Advair", kb)
    assert m.components == ("fluticasone", "salmeterol")
    assert m.generic == "salmeterol" and m.link == "strong"
    assert match_medicine("Caduet", kb).generic == "atorvastatin"
    assert match_medicine("Symbicort", kb).to_dict()["components"] == ["budesonide", "formoterol"]


@pytest.mark.parametrize(
    ("typed", "generic", "how"),
    [
        ("Lipitor 20mg", "atorvastatin", "name without dose"),
        ("furosemide 40 mg tablets", "furosemide", "name without dose"),
        ("Advair 250/50 inhaler", "salmeterol", "name without dose"),
        ("frusemide", "furosemide", "name"),
        ("albuterol", "salbutamol", "name"),
        ("Liptor", "atorvastatin", "spelling"),
        ("simvastatine", "simvastatin", "spelling"),
    ],
)
def test_doses_alternative_names_and_typos(
    typed: str, generic: str, how: str, kb: Knowledge
) -> None:
    m = match_medicine(typed, kb)
    assert (m.generic, m.matched_as) == (generic, how)
    assert m.input == typed


def test_unlinked_medicine_is_recognised_but_not_linked(kb: Knowledge) -> None:
    m = match_medicine("Metformin", kb)
    assert m.recognised and not m.linked_to_cramps and m.generic == "metformin"


def test_unknown_names_are_reported_not_fatal(kb: Knowledge) -> None:
    result = assess({"medications": ["xyzzy-9", "Lasix"]}, kb).to_dict()
    unknown, lasix = result["medications"]
    assert unknown == {
        **unknown,
        "input": "xyzzy-9",
        "recognised": False,
        "generic": None,
        "class": None,
        "linked_to_cramps": False,
    }
    assert "not recognise" in unknown["advice"]
    assert lasix["generic"] == "furosemide" and lasix["linked_to_cramps"] is True


def test_quinine_is_recognised_and_flagged(kb: Knowledge) -> None:
    m = match_medicine("Qualaquin", kb)
    assert m.generic == "quinine" and "FDA" in m.advice
