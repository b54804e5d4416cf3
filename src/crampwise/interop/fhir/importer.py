"""FHIR R5 import: a Bundle written by `crampwise export fhir` read back into a diary.

The whole Bundle is validated by the FHIR models before anything is written, and it is
written in one transaction. A diary time keeps the wall-clock part as written (no offset
conversion), so an export read back gives exactly the same diary.
"""

from __future__ import annotations

import json
import math
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
    CW_NIGHT,
    CW_SIDE,
    LOINC,
    PAIN_CODE,
    SNOMED,
    UNLOGGED_CODE,
    codes_of,
)
from crampwise.store.diary.nights import check_unlogged


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
        counts: Sequence[tuple[date, int, int | None]] = (),
        source: str,
    ) -> object: ...


@dataclass
class FhirDiary:
    """What a bundle holds, in diary terms."""

    episodes: list[Episode] = field(default_factory=list)
    days: list[DayLog] = field(default_factory=list)
    medicines: list[Medicine] = field(default_factory=list)
    custom_factors: list[CustomFactor] = field(default_factory=list)
    # (night, count, worst pain): cramps counted but not logged one by one.
    counts: list[tuple[date, int, int | None]] = field(default_factory=list)


def _wall_clock(text: str, where: str) -> datetime:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).replace(tzinfo=None)
    except ValueError:
        raise InputError(f"field '{where}': {text!r} is not a FHIR dateTime", field=where) from None


# A Bundle from `export fhir` nests about a dozen levels and holds only small numbers; these
# bounds leave room for any real bundle and refuse hostile ones before they cost anything.
MAX_DEPTH = 64
MAX_NUMBER_CHARS = 32
MAX_BUNDLE_BYTES = 64 << 20  # ten years of diary export to ~30 MB


def _parse_int(text: str) -> int:
    if len(text) > MAX_NUMBER_CHARS:  # before int(): a 5,000-digit literal is refused by Python
        raise _NumberTooLarge(text)
    return int(text)


def _parse_float(text: str) -> float:
    value = float(text)
    if len(text) > MAX_NUMBER_CHARS or not math.isfinite(value):
        raise _NumberTooLarge(text)
    return value


def _parse_constant(text: str) -> float:
    raise _NumberTooLarge(text)  # NaN, Infinity, -Infinity are not JSON numbers


class _NumberTooLarge(ValueError):
    pass


def _depth(value: object) -> int:
    """How deeply lists and objects nest (iterative: a hostile file cannot exhaust the stack)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            item = list(item.values())
        if isinstance(item, list):
            deepest = max(deepest, level)
            if level <= MAX_DEPTH:
                stack.extend((v, level + 1) for v in item)
    return deepest


def _load_json(text: str | bytes) -> object:
    """JSON text to Python values, every failure an InputError naming what is wrong."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InputError(
                f"not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at offset {exc.start}); "
                "a FHIR JSON file is UTF-8; nothing was imported"
            ) from None
    try:
        raw = json.loads(
            text,
            parse_int=_parse_int,
            parse_float=_parse_float,
            parse_constant=_parse_constant,
        )
    except json.JSONDecodeError as exc:
        raise InputError(f"line {exc.lineno}: not JSON ({exc.msg})", line=exc.lineno) from None
    except _NumberTooLarge as exc:
        shown = str(exc)[:20] + ("..." if len(str(exc)) > 20 else "")
        raise InputError(
            f"number too large or not finite ({shown}, {len(str(exc)):,} characters); "
            "nothing was imported"
        ) from None
    except RecursionError:
        raise InputError(
            f"nested too deeply (more than {MAX_DEPTH} levels of lists and objects); "
            "nothing was imported"
        ) from None
    if _depth(raw) > MAX_DEPTH:
        raise InputError(
            f"nested too deeply (more than {MAX_DEPTH} levels of lists and objects); "
            "nothing was imported"
        )
    return raw


def read_bundle(text: str | bytes) -> FhirDiary:
    """Parse and validate a Bundle written by `build_bundle` back into diary objects.

    Refuses (InputError) text that is not UTF-8 JSON, nests too deeply, holds an absurd
    number, is not a valid R5 Bundle, or holds nothing crampwise reads.
    """
    raw = _load_json(text)
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
    counts: dict[date, tuple[int, int | None]] = {}
    entries = data.get("entry", [])
    for i, entry in enumerate(entries):
        where = f"entry[{i}]"
        try:
            resource = entry.get("resource", {})
            if codes_of(resource.get("code")).get(CW_NIGHT) == UNLOGGED_CODE[1]:
                night, count, pain = _read_night(resource, where)
                counts[night] = (count, pain)
                continue
            _read_entry(resource, where, out, days, customs)
        except InputError:
            raise
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(f"field '{where}': cannot be read ({exc!r})", field=where) from None
    out.days = [DayLog(d, v) for d, v in sorted(days.items())]
    out.custom_factors = list(customs.values())
    out.counts = [(night, count, pain) for night, (count, pain) in sorted(counts.items())]
    if not (out.episodes or out.days or out.medicines or out.counts):
        kinds = sorted({str(e.get("resource", {}).get("resourceType")) for e in entries})
        held = f"it holds only {', '.join(kinds)}" if kinds else "it has no entries"
        raise InputError(
            "the Bundle holds no cramp observations, day values or medicines "
            f"({held}); nothing was imported"
        )
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


def _read_night(res: dict[str, Any], where: str) -> tuple[date, int, int | None]:
    """A night's count of cramps not logged one by one (as `build_bundle` writes it)."""
    if "effectiveDateTime" not in res:
        raise InputError(f"field '{where}.effectiveDateTime': missing", field=where)
    count = res.get("valueInteger")
    if isinstance(count, bool) or not isinstance(count, int):
        raise InputError(
            f"field '{where}.valueInteger': a night's count of cramps is missing", field=where
        )
    pain = None
    for comp in res.get("component", []):
        if codes_of(comp.get("code")).get(LOINC) == PAIN_CODE[1]:
            pain = comp.get("valueInteger")
    try:
        checked = check_unlogged(count, pain)
    except InputError as exc:
        raise InputError(f"field '{where}': {exc}", field=where) from None
    return date.fromisoformat(res["effectiveDateTime"][:10]), *checked


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
        counts=parsed.counts,
        source="fhir",
    )
    return parsed
