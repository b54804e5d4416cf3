"""FHIR R5 export and import of a diary (`fhir.resources` 8, whose default models are R5).

A Bundle (type `collection`) holds the Patient, one Observation per cramp episode, one
Observation per day-log value and one MedicationStatement per medicine. Every coded element
carries the standard code where one exists (SNOMED CT, LOINC, UCUM) *and* a crampwise code,
so `import_bundle` can read our own export back to exactly the same diary.

Times: diary times are local wall-clock times. FHIR requires an offset on a dateTime with a
time, so we write the offset the exporting machine had at that moment and, on import, keep
the wall-clock part as written (no conversion), which round-trips exactly.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from crampwise.diary.model import (
    BUILTIN_BY_NAME,
    CustomFactor,
    DayLog,
    Episode,
    FactorValue,
    Medicine,
)
from crampwise.errors import InputError

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
CW_PATIENT_ID = "https://crampwise.example/fhir/NamingSystem/user"
OBS_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"

# SNOMED CT 449918009 |Cramp in lower leg| (see docs/interop.md for the source).
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


@dataclass
class FhirDiary:
    """What a bundle holds, in diary terms."""

    episodes: list[Episode] = field(default_factory=list)
    days: list[DayLog] = field(default_factory=list)
    medicines: list[Medicine] = field(default_factory=list)
    custom_factors: list[CustomFactor] = field(default_factory=list)


def _coding(system: str, code: str, display: str | None = None) -> dict[str, str]:
    out = {"system": system, "code": code}
    if display:
        out["display"] = display
    return out


def _stamp(moment: datetime) -> str:
    """A FHIR dateTime for a naive local wall-clock time (offset of this machine then)."""
    aware = moment if moment.tzinfo else moment.astimezone()
    return aware.isoformat(timespec="seconds")


def _wall_clock(text: str, where: str) -> datetime:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).replace(tzinfo=None)
    except ValueError:
        raise InputError(f"field '{where}': {text!r} is not a FHIR dateTime", field=where) from None


def _episode_observation(ep: Episode, n: int) -> dict[str, Any]:
    codings = [_coding(*CRAMP_CODE), _coding(CW_EPISODE, "cramp", "Cramp episode")]
    site = MUSCLE_SITES.get(ep.muscle)
    site_codings = [_coding(SNOMED, *site)] if site else []
    site_codings.append(_coding(CW_MUSCLE, ep.muscle, ep.muscle.replace("_", " ")))
    components: list[dict[str, Any]] = []
    if ep.pain is not None:
        components.append({"code": {"coding": [_coding(*PAIN_CODE)]}, "valueInteger": ep.pain})
    if ep.duration_s is not None:
        components.append({
            "code": {"coding": [_coding(CW_EPISODE, "duration", "Duration of the cramp")]},
            "valueQuantity": {"value": ep.duration_s, "unit": "s", "system": UCUM, "code": "s"},
        })  # fmt: skip
    if ep.woke is not None:
        components.append({
            "code": {"coding": [_coding(CW_EPISODE, "woke", "Woke from sleep")]},
            "valueBoolean": ep.woke,
        })  # fmt: skip
    if ep.side is not None:
        components.append({
            "code": {"coding": [_coding(SNOMED, "272741003", "Laterality")]},
            "valueCodeableConcept": {
                "coding": [_coding(SNOMED, *SIDE_CODES[ep.side]), _coding(CW_SIDE, ep.side)]
            },
        })  # fmt: skip
    for what in ep.helped:
        components.append({
            "code": {"coding": [_coding(CW_EPISODE, "helped", "What helped")]},
            "valueString": what,
        })  # fmt: skip
    obs: dict[str, Any] = {
        "resourceType": "Observation",
        "id": f"episode-{n}",
        "status": "final",
        "category": [{"coding": [_coding(OBS_CATEGORY, "survey", "Survey")]}],
        "code": {"coding": codings, "text": "Leg cramp"},
        "subject": {"reference": "Patient/patient"},
        "effectiveDateTime": _stamp(ep.started_at),
        "bodySite": {"coding": site_codings, "text": ep.muscle.replace("_", " ")},
        "valueBoolean": True,
    }
    if components:
        obs["component"] = components
    if ep.note:
        obs["note"] = [{"text": ep.note}]
    return obs


def _factor_observation(
    day: date, name: str, value: FactorValue, unit: str | None, custom: bool, n: int
) -> dict[str, Any]:
    system = CW_CUSTOM_FACTOR if custom else CW_DAY_FACTOR
    label = name if custom else BUILTIN_BY_NAME[name].label
    codings = []
    if not custom and name in FACTOR_LOINC:
        codings.append(_coding(LOINC, *FACTOR_LOINC[name]))
    codings.append(_coding(system, name, label))
    obs: dict[str, Any] = {
        "resourceType": "Observation",
        "id": f"day-{n}",
        "status": "final",
        "category": [
            {"coding": [_coding(OBS_CATEGORY, "activity" if name in FACTOR_LOINC else "survey")]}
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
            "coding": [_coding(system + "-value", str(value))],
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
) -> dict[str, Any]:
    """A validated FHIR R5 Bundle (as a JSON-ready dict) of one user's diary.

    `sex` (female, male, other; from the last assessment) becomes Patient.gender.
    """
    from fhir.resources.bundle import Bundle

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
    resources += [_medication_statement(m, n) for n, m in enumerate(medicines, 1)]
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": (now or datetime.now(UTC)).isoformat(timespec="seconds"),
        "meta": {"tag": [_coding(CW + "export", "crampwise-diary", "crampwise diary export")]},
        "entry": [
            {"fullUrl": f"urn:crampwise:{r['resourceType']}/{r['id']}", "resource": r}
            for r in resources
        ],
    }
    # Validation by the FHIR models: a bad resource fails here, not at the clinician's end.
    return json.loads(Bundle.model_validate(bundle).model_dump_json(exclude_none=True))  # type: ignore[no-any-return]


def _codes(concept: dict[str, Any] | None) -> dict[str, str]:
    return {c.get("system", ""): c.get("code", "") for c in (concept or {}).get("coding", [])}


def read_bundle(text: str | bytes) -> FhirDiary:
    """Parse and validate a Bundle written by `build_bundle` back into diary objects."""
    from fhir.resources.bundle import Bundle
    from pydantic import ValidationError

    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"line {exc.lineno}: not JSON ({exc.msg})", line=exc.lineno) from None
    if not isinstance(raw, dict) or raw.get("resourceType") != "Bundle":
        raise InputError("field 'resourceType': expected a FHIR Bundle", field="resourceType")
    try:
        data = json.loads(Bundle.model_validate(raw).model_dump_json(exclude_none=True))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InputError(f"field '{where}': {first['msg']}", field=where) from None
    out = FhirDiary()
    days: dict[date, dict[str, FactorValue]] = {}
    customs: dict[str, CustomFactor] = {}
    for i, entry in enumerate(data.get("entry", [])):
        where = f"entry[{i}]"
        try:
            _read_entry(entry.get("resource", {}), where, out, days, customs)
        except InputError:
            raise
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(f"field '{where}': cannot be read ({exc!r})", field=where) from None
    out.days = [DayLog(d, v) for d, v in sorted(days.items())]
    out.custom_factors = list(customs.values())
    return out


def _read_entry(
    res: dict[str, Any],
    where: str,
    out: FhirDiary,
    days: dict[date, dict[str, FactorValue]],
    customs: dict[str, CustomFactor],
) -> None:
    kind = res.get("resourceType")
    if kind == "Observation":
        codes = _codes(res.get("code"))
        if codes.get(CW_EPISODE) == "cramp" or codes.get(SNOMED) == CRAMP_CODE[1]:
            out.episodes.append(_read_episode(res, where))
        elif CW_DAY_FACTOR in codes or CW_CUSTOM_FACTOR in codes:
            name, value, factor = _read_factor(res, codes, where)
            if factor is not None:
                customs.setdefault(name, factor)
            day = date.fromisoformat(res["effectiveDateTime"][:10])
            days.setdefault(day, {})[name] = value
    elif kind == "MedicationStatement":
        period = res.get("effectivePeriod", {})
        name = res.get("medication", {}).get("concept", {}).get("text")
        if not name:
            raise InputError(f"field '{where}.medication.concept.text': missing", field=where)
        out.medicines.append(Medicine(
            name,
            started=date.fromisoformat(period["start"][:10]) if "start" in period else None,
            stopped=date.fromisoformat(period["end"][:10]) if "end" in period else None,
        ))  # fmt: skip


def _read_episode(res: dict[str, Any], where: str) -> Episode:
    if "effectiveDateTime" not in res:
        raise InputError(f"field '{where}.effectiveDateTime': missing", field=where)
    muscle = _codes(res.get("bodySite")).get(CW_MUSCLE, "other")
    ep = Episode(started_at=_wall_clock(res["effectiveDateTime"], where), muscle=muscle)
    for comp in res.get("component", []):
        codes = _codes(comp.get("code"))
        if codes.get(LOINC) == PAIN_CODE[1]:
            ep.pain = comp["valueInteger"]
        elif codes.get(CW_EPISODE) == "duration":
            ep.duration_s = round(float(comp["valueQuantity"]["value"]))
        elif codes.get(CW_EPISODE) == "woke":
            ep.woke = bool(comp["valueBoolean"])
        elif codes.get(CW_EPISODE) == "helped":
            ep.helped.append(comp["valueString"])
        elif codes.get(SNOMED) == "272741003":
            ep.side = _codes(comp.get("valueCodeableConcept")).get(CW_SIDE)
    notes = [n["text"] for n in res.get("note", []) if n.get("text")]
    ep.note = "\n".join(notes) or None
    from crampwise.diary.model import check_episode

    return check_episode(ep)


def _read_factor(
    res: dict[str, Any], codes: dict[str, str], where: str
) -> tuple[str, FactorValue, CustomFactor | None]:
    from crampwise.diary.model import check_builtin_value

    custom = CW_CUSTOM_FACTOR in codes
    name = codes[CW_CUSTOM_FACTOR] if custom else codes[CW_DAY_FACTOR]
    value: FactorValue
    if "valueBoolean" in res:
        value, kind, unit = bool(res["valueBoolean"]), "boolean", None
    elif "valueQuantity" in res:
        value, kind, unit = (
            float(res["valueQuantity"]["value"]),
            "numeric",
            res["valueQuantity"].get("unit"),
        )
    elif "valueCodeableConcept" in res:
        value, kind, unit = res["valueCodeableConcept"].get("text", ""), "categorical", None
    else:
        raise InputError(f"field '{where}.value[x]': missing for factor {name!r}", field=where)
    if not custom:
        if name not in BUILTIN_BY_NAME:
            raise InputError(f"field '{where}.code': unknown day factor {name!r}", field=where)
        return name, check_builtin_value(name, value), None
    return name, value, CustomFactor(name, kind, unit)  # type: ignore[arg-type]


def export_diary(diary: Any, user: str) -> dict[str, Any]:
    """The whole diary of one user (a `crampwise.store.UserDiary`) as a FHIR Bundle dict."""
    last = diary.latest_assessment()
    person = (last.situation.get("person") or {}) if last is not None else {}
    return build_bundle(
        user, diary.episodes(), diary.days(), diary.medicines(), diary.custom_factors(),
        sex=person.get("sex"),
    )  # fmt: skip


def import_diary(diary: Any, text: str | bytes) -> FhirDiary:
    """Read a bundle and add it to a diary, all or nothing; records already there are kept once."""
    from crampwise.diary.model import check_factor_value

    parsed = read_bundle(text)  # everything validated before the first write
    known = {f.name: f for f in diary.custom_factors()}
    wanted = {f.name: f for f in parsed.custom_factors}
    for name, factor in wanted.items():
        have = known.get(name)
        if have is not None and have.kind != factor.kind:
            raise InputError(
                f"field 'factor.{name}': the bundle has it {factor.kind}, "
                f"this diary has it {have.kind}; nothing was imported",
                field=name,
            )
    for day in parsed.days:  # values of factors this diary already has must fit them
        for name, value in day.values.items():
            if name in known:
                f = known[name]
                check_factor_value(f"{day.date}.{name}", f.kind, value, choices=f.choices)
    # One transaction: a failure on the bundle's last record leaves the diary as it was.
    diary.import_records(
        factors=[f for name, f in wanted.items() if name not in known],
        episodes=parsed.episodes,
        days=parsed.days,
        medicines=parsed.medicines,
        source="fhir",
    )
    return parsed
