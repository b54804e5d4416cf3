"""A person's situation (contract §1): parsed from JSON, checked field by field.

Every field is optional; unknown keys, unknown vocabulary, wrong types and out-of-range
numbers raise InputError with one line naming the field path and what is allowed.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

from crampwise.diary.units import f_to_c
from crampwise.errors import InputError
from crampwise.knowledge import vocabulary as v

TOP_LEVEL = ("person", "conditions", "medications", "symptoms", "episode", "day")
MAX_MEDICINE_NAME = 200
MAX_MEDICINES = 100


@dataclass(frozen=True)
class Situation:
    """A validated situation. Missing values are absent from the blocks, never zero."""

    person: dict[str, Any] = field(default_factory=dict)
    episode: dict[str, Any] = field(default_factory=dict)
    day: dict[str, Any] = field(default_factory=dict)
    conditions: tuple[str, ...] = ()
    symptoms: tuple[str, ...] = ()
    medications: tuple[str, ...] = ()

    @property
    def bedroom_temp_c(self) -> float | None:
        """The bedroom temperature in °C, whichever unit it was given in."""
        if "bedroom_temp_c" in self.day:
            return float(self.day["bedroom_temp_c"])
        if "bedroom_temp_f" in self.day:
            return round(f_to_c(float(self.day["bedroom_temp_f"])), 1)
        return None

    def to_dict(self) -> dict[str, Any]:
        """The situation as contract JSON (only the fields that were given)."""
        out: dict[str, Any] = {}
        for name in TOP_LEVEL:
            value = getattr(self, name)
            if value:
                out[name] = dict(value) if isinstance(value, dict) else list(value)
        return out


def shown_path(path: str) -> str:
    """A field path fit for a one-line message: control characters escaped, length capped."""
    text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in path)
    return text if len(text) <= 80 else text[:77] + "..."


def _fail(path: str, message: str) -> InputError:
    return InputError(f"field '{shown_path(path)}': {message}", field=path)


def _show(value: Any) -> str:
    """A short rendering of a bad value for an error message."""
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _number(path: str, value: Any, low: float, high: float | None) -> int | float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _fail(path, f"must be a number, got {_show(value)}")
    allowed = f"{low:g} to {high:g}" if high is not None else f"{low:g} or more"
    try:
        as_float = float(value)
    except OverflowError:
        raise _fail(path, f"number too large (allowed: {allowed})") from None
    if not math.isfinite(as_float):
        raise _fail(path, f"must be a finite number (allowed: {allowed})")
    if as_float < low or (high is not None and as_float > high):
        raise _fail(path, f"{value:g} is out of range (allowed: {allowed})")
    return value


def _block(name: str, raw: Any) -> dict[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise _fail(name, f"must be an object with fields: {', '.join(v.BLOCK_FIELDS[name])}")
    out: dict[str, Any] = {}
    for key, value in raw.items():
        path = f"{name}.{key}"
        ident = (name, key)
        if key not in v.BLOCK_FIELDS[name]:
            raise _fail(path, f"unknown field; allowed: {', '.join(v.BLOCK_FIELDS[name])}")
        if value is None:
            continue
        if ident in v.NUMERIC_RANGES:
            low, high = v.NUMERIC_RANGES[ident]
            out[key] = _number(path, value, low, high)
        elif ident in v.BOOLEAN_FIELDS:
            if not isinstance(value, bool):
                raise _fail(path, f"must be true or false, got {_show(value)}")
            out[key] = value
        else:
            choices = v.CHOICE_FIELDS[ident]
            if not isinstance(value, str) or value not in choices:
                raise _fail(path, f"{_show(value)} is not one of: {', '.join(choices)}")
            out[key] = value
    if "bedroom_temp_c" in out and "bedroom_temp_f" in out:
        raise _fail("day.bedroom_temp_f", "give bedroom_temp_c or bedroom_temp_f, not both")
    return out


def _names(name: str, raw: Any, vocabulary: tuple[str, ...] | None) -> tuple[str, ...]:
    if raw is None:
        return ()
    what = "names" if vocabulary is None else "values"
    if not isinstance(raw, list):
        raise _fail(name, f"must be a list of {what}, got {_show(raw)}")
    if vocabulary is None and len(raw) > MAX_MEDICINES:
        raise _fail(name, f"at most {MAX_MEDICINES} entries")
    out: list[str] = []
    for i, item in enumerate(raw):
        path = f"{name}[{i}]"
        if not isinstance(item, str):
            allowed = f"; allowed: {', '.join(vocabulary)}" if vocabulary else ""
            raise _fail(path, f"must be a string, got {_show(item)}{allowed}")
        if vocabulary is not None:
            if item not in vocabulary:
                raise _fail(path, f"{_show(item)} is not one of: {', '.join(vocabulary)}")
        else:
            item = " ".join(item.split())
            if not item:
                raise _fail(path, "must not be empty")
            if len(item) > MAX_MEDICINE_NAME:
                raise _fail(path, f"longer than {MAX_MEDICINE_NAME} characters")
        if item not in out:
            out.append(item)
    return tuple(out)


def parse_situation(data: Any) -> Situation:
    """Check a decoded JSON situation and return it; InputError names the first bad field."""
    if not isinstance(data, dict):
        raise InputError(
            f"the situation must be a JSON object with fields: {', '.join(TOP_LEVEL)}",
            field="",
        )
    for key in data:
        if key not in TOP_LEVEL:
            raise _fail(str(key), f"unknown field; allowed: {', '.join(TOP_LEVEL)}")
    return Situation(
        person=_block("person", data.get("person")),
        episode=_block("episode", data.get("episode")),
        day=_block("day", data.get("day")),
        conditions=_names("conditions", data.get("conditions"), v.CONDITIONS),
        symptoms=_names("symptoms", data.get("symptoms"), v.SYMPTOMS),
        medications=_names("medications", data.get("medications"), None),
    )


def parse_situation_json(text: str, *, origin: str = "input") -> Situation:
    """Decode JSON text and check it; bad JSON is an InputError naming line and column."""
    if not text.strip():
        raise InputError(f"{origin} is empty: expected a JSON object (the situation)")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{origin} is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None
    except RecursionError:
        raise InputError(f"{origin} is nested too deeply") from None
    except ValueError as exc:  # e.g. an integer with more digits than Python accepts
        raise InputError(f"{origin} is not valid JSON: {exc}") from None
    return parse_situation(data)
