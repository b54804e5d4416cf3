"""The codes a crampwise FHIR Bundle carries: SNOMED CT, LOINC, UCUM and crampwise's own.

Every coded element carries the standard code where one exists *and* a crampwise code, so a
bundle we wrote reads back to exactly the same diary. The `crampwise.example` code systems are
local to crampwise (the `.example` top-level domain is reserved). See docs/interop.md for where
the standard codes come from.
"""

from __future__ import annotations

from typing import Any

FHIR_VERSION = "5.0.0"
SNOMED = "http://snomed.info/sct"
LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
CW = "https://crampwise.example/fhir/CodeSystem/"
CW_DAY_FACTOR = CW + "day-factor"
CW_CUSTOM_FACTOR = CW + "custom-factor"
CW_EPISODE = CW + "episode"
CW_MUSCLE = CW + "muscle"
CW_SIDE = CW + "side"
# A night's cramps counted but not logged one by one (code "unlogged-cramps").
CW_NIGHT = CW + "night"
UNLOGGED_CODE = (
    CW_NIGHT,
    "unlogged-cramps",
    "Leg cramps in the night, counted, not logged one by one",
)
CW_PATIENT_ID = "https://crampwise.example/fhir/NamingSystem/user"
OBS_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"

CRAMP_CODE = (SNOMED, "449918009", "Cramp in lower leg")
PAIN_CODE = (LOINC, "72514-3", "Pain severity - 0-10 verbal numeric rating [Score] - Reported")
MUSCLE_SITES: dict[str, tuple[str, str] | None] = {
    "calf": ("53840002", "Structure of calf of leg"),
    "foot": ("56459004", "Foot structure"),
    "toes": ("29707007", "Toe structure"),
    "thigh_front": ("68367000", "Thigh structure"),
    "thigh_back": ("68367000", "Thigh structure"),
    "hand": ("85562004", "Hand structure"),
    "other": None,
}
SIDE_CODES = {
    "left": ("7771000", "Left"),
    "right": ("24028007", "Right"),
    "both": ("51440002", "Right and left"),
}
# Built-in day factors with a LOINC code; the rest use the crampwise day-factor system.
FACTOR_LOINC = {
    "steps": ("55423-8", "Number of steps"),
    "sleep_hours": ("93832-4", "Sleep duration"),
    "exercise_min": ("55411-3", "Exercise duration"),
    "active_energy_kcal": ("41981-2", "Calories burned"),
    "distance_km": ("41953-1", "Distance traveled"),
}
UCUM_UNITS = {
    "min": "min", "L": "L", "°C": "Cel", "mg": "mg", "h": "h", "kcal": "kcal", "km": "km",
    "steps": "{steps}", "units": "{units}",
}  # fmt: skip


def coding(system: str, code: str, display: str | None = None) -> dict[str, str]:
    """A FHIR Coding; `display` only when there is one."""
    out = {"system": system, "code": code}
    if display:
        out["display"] = display
    return out


def codes_of(concept: dict[str, Any] | None) -> dict[str, str]:
    """system -> code of each coding of a CodeableConcept (empty when there is none)."""
    return {c.get("system", ""): c.get("code", "") for c in (concept or {}).get("coding", [])}
