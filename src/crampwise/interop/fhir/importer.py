"""FHIR R5 import: a Bundle written by `crampwise export fhir` read back into a diary.

The whole Bundle is validated by the FHIR models before anything is written, and it is
written in one transaction. A diary time keeps the wall-clock part as written (no offset
conversion), so an export read back gives exactly the same diary.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

from fhir.resources.bundle import Bundle
from pydantic import ValidationError

from crampwise.diary.model import (
    BUILTIN_BY_NAME,
    CustomFactor,
    DayLog,
    Episode,
    FactorKind,
    FactorValue,
    Medicine,
    check_builtin_value,
    check_episode,
    check_factor_value,
)
from crampwise.errors import InputError
from crampwise.interop.fhir.codes import (
    CRAMP_CODE,
    CW_CUSTOM_FACTOR,
    CW_DAY_FACTOR,
    CW_EPISODE,
    CW_MUSCLE,
    CW_SIDE,
    LOINC,
    PAIN_CODE,
    SNOMED,
    codes_of,
)


class ImportDiary(Protocol):
    """The part of `crampwise.store.UserDiary` a FHIR import writes through."""

    def custom_factors(self) -> list[CustomFactor]: ...
    def import_records(
        self,
        *,
        factors: Sequence[CustomFactor] = (),
        episodes: Sequence[Episode] = (),
        days: Sequence[DayLog] = (),
        medicines: Sequence[Medicine] = (),
        source: str,
    ) -> object: ...


@dataclass
class FhirDiary:
    """What a bundle holds, in diary terms."""

    episodes: list[Episode] = field(default_factory=list)
    days: list[DayLog] = field(default_factory=list)
    medicines: list[Medicine] = field(default_factory=list)
    custom_factors: list[CustomFactor] = field(default_factory=list)


def _wall_clock(text: str, where: str) -> datetime:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).replace(tzinfo=None)
    except ValueError:
        raise InputError(f"field '{where}': {text!r} is not a FHIR dateTime", field=where) from None


def read_bundle(text: str | bytes) -> FhirDiary:
    """Parse and validate a Bundle written by `build_bundle` back into diary objects."""
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
        codes = codes_of(res.get("code"))
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
    muscle = codes_of(res.get("bodySite")).get(CW_MUSCLE, "other")
    ep = Episode(started_at=_wall_clock(res["effectiveDateTime"], where), muscle=muscle)
    for comp in res.get("component", []):
        codes = codes_of(comp.get("code"))
        if codes.get(LOINC) == PAIN_CODE[1]:
            ep.pain = comp["valueInteger"]
        elif codes.get(CW_EPISODE) == "duration":
            ep.duration_s = round(float(comp["valueQuantity"]["value"]))
        elif codes.get(CW_EPISODE) == "woke":
            ep.woke = bool(comp["valueBoolean"])
        elif codes.get(CW_EPISODE) == "helped":
            ep.helped.append(comp["valueString"])
        elif codes.get(SNOMED) == "272741003":
            ep.side = codes_of(comp.get("valueCodeableConcept")).get(CW_SIDE)
    notes = [n["text"] for n in res.get("note", []) if n.get("text")]
    ep.note = "\n".join(notes) or None
    return check_episode(ep)


def _read_factor(
    res: dict[str, Any], codes: dict[str, str], where: str
) -> tuple[str, FactorValue, CustomFactor | None]:
    custom = CW_CUSTOM_FACTOR in codes
    name = codes[CW_CUSTOM_FACTOR] if custom else codes[CW_DAY_FACTOR]
    value: FactorValue
    kind: FactorKind
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
    return name, value, CustomFactor(name, kind, unit)


def import_diary(diary: ImportDiary, text: str | bytes) -> FhirDiary:
    """Read a bundle and add it to a diary, all or nothing; records already there are kept once."""
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
