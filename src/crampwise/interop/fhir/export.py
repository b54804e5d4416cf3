"""FHIR R5 export of a diary (`fhir.resources` 8, whose default models are R5).

A Bundle (type `collection`) holds the Patient, one Observation per cramp episode, one
Observation per day-log value, one Observation per night with a count of cramps not logged
one by one (`valueInteger`, with a plain-words narrative) and one MedicationStatement per
medicine.

Times: diary times are local wall-clock times. FHIR requires an offset on a dateTime with a
time, so we write the offset the exporting machine had at that moment; the import keeps the
wall-clock part as written, which round-trips exactly.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any, Protocol

from fhir.resources.bundle import Bundle

from crampwise.diary.model import (
    BUILTIN_BY_NAME,
    CustomFactor,
    DayLog,
    Episode,
    FactorValue,
    Medicine,
)
from crampwise.interop.fhir.codes import (
    CRAMP_CODE,
    CW,
    CW_CUSTOM_FACTOR,
    CW_DAY_FACTOR,
    CW_EPISODE,
    CW_MUSCLE,
    CW_PATIENT_ID,
    CW_SIDE,
    FACTOR_LOINC,
    LOINC,
    MUSCLE_SITES,
    OBS_CATEGORY,
    PAIN_CODE,
    SIDE_CODES,
    SNOMED,
    UCUM,
    UCUM_UNITS,
    UNLOGGED_CODE,
    coding,
)
from crampwise.interop.records import StoredAssessment
from crampwise.knowledge.labels import MUSCLE_LABELS


class ExportDiary(Protocol):
    """The part of `crampwise.store.UserDiary` a FHIR export reads."""

    def episodes(self) -> list[Episode]: ...
    def days(self) -> list[DayLog]: ...
    def medicines(self) -> list[Medicine]: ...
    def custom_factors(self) -> list[CustomFactor]: ...
    def latest_assessment(self) -> StoredAssessment | None: ...
    def unlogged_cramps(self) -> Mapping[date, NightCount]: ...


class NightCount(Protocol):
    """A night's cramps counted but not logged one by one (`store.diary.nights.Unlogged`)."""

    @property
    def count(self) -> int: ...
    @property
    def pain(self) -> int | None: ...


def _stamp(moment: datetime) -> str:
    """A FHIR dateTime for a naive local wall-clock time (offset of this machine then)."""
    aware = moment if moment.tzinfo else moment.astimezone()
    return aware.isoformat(timespec="seconds")


def _episode_observation(ep: Episode, n: int) -> dict[str, Any]:
    codings = [coding(*CRAMP_CODE), coding(CW_EPISODE, "cramp", "Cramp episode")]
    site = MUSCLE_SITES.get(ep.muscle)
    site_codings = [coding(SNOMED, *site)] if site else []
    where = MUSCLE_LABELS.get(ep.muscle, ep.muscle.replace("_", " "))  # "Front of thigh"
    site_codings.append(coding(CW_MUSCLE, ep.muscle, where))
    components: list[dict[str, Any]] = []
    if ep.pain is not None:
        components.append({"code": {"coding": [coding(*PAIN_CODE)]}, "valueInteger": ep.pain})
    if ep.duration_s is not None:
        components.append({
            "code": {"coding": [coding(CW_EPISODE, "duration", "Duration of the cramp")]},
            "valueQuantity": {"value": ep.duration_s, "unit": "s", "system": UCUM, "code": "s"},
        })  # fmt: skip
    if ep.woke is not None:
        components.append({
            "code": {"coding": [coding(CW_EPISODE, "woke", "Woke from sleep")]},
            "valueBoolean": ep.woke,
        })  # fmt: skip
    if ep.side is not None:
        components.append({
            "code": {"coding": [coding(SNOMED, "272741003", "Laterality")]},
            "valueCodeableConcept": {
                "coding": [coding(SNOMED, *SIDE_CODES[ep.side]), coding(CW_SIDE, ep.side)]
            },
        })  # fmt: skip
    for what in ep.helped:
        components.append({
            "code": {"coding": [coding(CW_EPISODE, "helped", "What helped")]},
            "valueString": what,
        })  # fmt: skip
    obs: dict[str, Any] = {
        "resourceType": "Observation",
        "id": f"episode-{n}",
        "status": "final",
        "category": [{"coding": [coding(OBS_CATEGORY, "survey", "Survey")]}],
        "code": {"coding": codings, "text": "Leg cramp"},
        "subject": {"reference": "Patient/patient"},
        "effectiveDateTime": _stamp(ep.started_at),
        "bodySite": {"coding": site_codings, "text": where},
        "valueBoolean": True,
    }
    if components:
        obs["component"] = components
    if ep.note:
        obs["note"] = [{"text": ep.note}]
    return obs


def _night_observation(night: date, count: int, pain: int | None, n: int) -> dict[str, Any]:
    """A night's count of cramps not logged one by one: a count, never made-up episodes."""
    when = f"the night of {night.day} {night:%B %Y}"
    if count == 0:
        said = f"No leg cramps in {when} beyond those logged one by one"
    else:
        said = f"{count} leg cramp{'s' if count != 1 else ''} in {when}"
        said += ", counted but not logged one by one"
    if pain is not None:
        said += f"; the worst pain {pain} out of 10"
    obs: dict[str, Any] = {
        "resourceType": "Observation",
        "id": f"night-{n}",
        "text": {
            "status": "generated",
            "div": f'<div xmlns="http://www.w3.org/1999/xhtml">{said}.</div>',
        },
        "status": "final",
        "category": [{"coding": [coding(OBS_CATEGORY, "survey", "Survey")]}],
        "code": {"coding": [coding(*UNLOGGED_CODE)], "text": "Leg cramps counted in the night"},
        "subject": {"reference": "Patient/patient"},
        "effectiveDateTime": night.isoformat(),
        "valueInteger": count,
    }
    if pain is not None:
        obs["component"] = [{"code": {"coding": [coding(*PAIN_CODE)]}, "valueInteger": pain}]
    return obs


def _factor_observation(
    day: date, name: str, value: FactorValue, unit: str | None, custom: bool, n: int
) -> dict[str, Any]:
    system = CW_CUSTOM_FACTOR if custom else CW_DAY_FACTOR
    label = name if custom else BUILTIN_BY_NAME[name].label
    codings = []
    if not custom and name in FACTOR_LOINC:
        codings.append(coding(LOINC, *FACTOR_LOINC[name]))
    codings.append(coding(system, name, label))
    obs: dict[str, Any] = {
        "resourceType": "Observation",
        "id": f"day-{n}",
        "status": "final",
        "category": [
            {"coding": [coding(OBS_CATEGORY, "activity" if name in FACTOR_LOINC else "survey")]}
        ],
        "code": {"coding": codings, "text": label},
        "subject": {"reference": "Patient/patient"},
        "effectiveDateTime": day.isoformat(),
    }
    if isinstance(value, bool):
        obs["valueBoolean"] = value
    elif isinstance(value, int | float):
        quantity: dict[str, Any] = {"value": value}
        if unit:
            quantity["unit"] = unit
            if unit in UCUM_UNITS:
                quantity |= {"system": UCUM, "code": UCUM_UNITS[unit]}
        obs["valueQuantity"] = quantity
    else:
        obs["valueCodeableConcept"] = {
            "coding": [coding(system + "-value", str(value))],
            "text": str(value),
        }
    return obs


def _medication_statement(med: Medicine, n: int) -> dict[str, Any]:
    res: dict[str, Any] = {
        "resourceType": "MedicationStatement",
        "id": f"medicine-{n}",
        "status": "recorded",
        "medication": {"concept": {"text": med.name}},
        "subject": {"reference": "Patient/patient"},
    }
    period = {k: v.isoformat() for k, v in (("start", med.started), ("end", med.stopped)) if v}
    if period:
        res["effectivePeriod"] = period
    return res


def build_bundle(
    user: str,
    episodes: list[Episode],
    days: list[DayLog],
    medicines: list[Medicine],
    custom_factors: list[CustomFactor],
    now: datetime | None = None,
    sex: str | None = None,
    counts: Mapping[date, NightCount] | None = None,
) -> dict[str, Any]:
    """A validated FHIR R5 Bundle (as a JSON-ready dict) of one user's diary.

    `sex` (female, male, other; from the last assessment) becomes Patient.gender;
    `counts`: nights' cramps counted but not logged one by one, one Observation each.
    """
    units = {f.name: f.unit for f in custom_factors}
    resources: list[dict[str, Any]] = [{
        "resourceType": "Patient",
        "id": "patient",
        "identifier": [{"system": CW_PATIENT_ID, "value": user}],
    }]  # fmt: skip
    if sex in ("female", "male", "other"):
        resources[0]["gender"] = sex
    resources += [_episode_observation(ep, n) for n, ep in enumerate(episodes, 1)]
    n = 0
    for day in days:
        for name, value in sorted(day.values.items()):
            if value is None:
                continue
            n += 1
            custom = name not in BUILTIN_BY_NAME
            unit = units.get(name) if custom else BUILTIN_BY_NAME[name].unit
            resources.append(_factor_observation(day.date, name, value, unit, custom, n))
    resources += [
        _night_observation(night, c.count, c.pain, n)
        for n, (night, c) in enumerate(sorted((counts or {}).items()), 1)
    ]
    resources += [_medication_statement(m, n) for n, m in enumerate(medicines, 1)]
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": (now or datetime.now(UTC)).isoformat(timespec="seconds"),
        "meta": {"tag": [coding(CW + "export", "crampwise-diary", "crampwise diary export")]},
        "entry": [
            {"fullUrl": f"urn:crampwise:{r['resourceType']}/{r['id']}", "resource": r}
            for r in resources
        ],
    }
    # Validation by the FHIR models: a bad resource fails here, not at the clinician's end.
    valid: dict[str, Any] = json.loads(
        Bundle.model_validate(bundle).model_dump_json(exclude_none=True)
    )
    return valid


def export_diary(diary: ExportDiary, user: str) -> dict[str, Any]:
    """The whole diary of one user as a FHIR Bundle dict."""
    last = diary.latest_assessment()
    person = (last.situation.get("person") or {}) if last is not None else {}
    return build_bundle(
        user, diary.episodes(), diary.days(), diary.medicines(), diary.custom_factors(),
        sex=person.get("sex"), counts=diary.unlogged_cramps(),
    )  # fmt: skip
