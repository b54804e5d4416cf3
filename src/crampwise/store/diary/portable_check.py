"""Checks of each record of a whole-diary import (`PortableMixin.load`), before any write.

Each check takes the record's place in the file (`episodes[3]`) so that an error names it,
applies the rule every other path applies (`check_episode`, `check_custom_factor`,
`check_medicine`, `check_unlogged`), refuses unknown keys and wrong types, and returns
values ready to insert.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, NoReturn

from crampwise.diary.model import (
    FACTOR_KINDS,
    CustomFactor,
    Episode,
    Medicine,
    check_custom_factor,
    check_episode,
)
from crampwise.errors import InputError
from crampwise.store.base import UNITS
from crampwise.store.diary.nights import check_unlogged
from crampwise.store.diary.records import check_medicine
from crampwise.store.tables import SOURCES

SECTIONS = (
    "factors",
    "episodes",
    "days",
    "medicines",
    "assessments",
    "experiments",
    "care_notes",
)
CONDITIONS = ("on", "off")
STATUSES = ("active", "stopped")


def fail(where: str, problem: str) -> NoReturn:
    raise InputError(f"{where}: {problem}", field=where)


def _record(
    where: str, data: object, required: tuple[str, ...], optional: tuple[str, ...] = ()
) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        fail(where, "expected an object")
    unknown = sorted(set(data) - set(required) - set(optional))
    if unknown:
        fail(f"{where}.{unknown[0]}", "unknown field")
    missing = [k for k in required if k not in data]
    if missing:
        fail(f"{where}.{missing[0]}", "required")
    return data


def _text(where: str, value: object, most: int, *, empty: bool = False) -> str:
    if not isinstance(value, str) or len(value) > most or (not empty and not value.strip()):
        fail(where, f"expected text of 1–{most} characters")
    return value


def _opt_text(where: str, value: object, most: int) -> str | None:
    return None if value is None else _text(where, value, most, empty=True)


def _int(where: str, value: object, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        fail(where, f"expected a whole number from {low} to {high}")
    return value


def _day(where: str, value: object) -> date:
    try:
        if isinstance(value, str) and len(value) == 10:
            return date.fromisoformat(value)
    except ValueError:
        pass
    fail(where, f"{value!r} is not a date (YYYY-MM-DD)")


def _opt_day(where: str, value: object) -> date | None:
    return None if value is None else _day(where, value)


def _moment(where: str, value: object) -> datetime:
    try:
        if isinstance(value, str) and 19 <= len(value) <= 26:
            moment = datetime.fromisoformat(value)
            if moment.tzinfo is None:
                return moment
    except ValueError:
        pass
    fail(where, f"{value!r} is not a local date and time (YYYY-MM-DDTHH:MM:SS)")


def _opt_moment(where: str, value: object) -> datetime | None:
    return None if value is None else _moment(where, value)


def _source(where: str, value: object) -> str:
    if value not in SOURCES:
        fail(where, f"{value!r} is not one of: {', '.join(SOURCES)}")
    return str(value)


def _rule(where: str, check: Any, *args: Any) -> Any:
    """Apply a shared rule, naming the record in its error."""
    try:
        return check(*args)
    except InputError as exc:
        fail(where, str(exc))


def check_settings(data: object) -> dict[str, Any]:
    rec = _record("settings", data, (), ("units", "display_name"))
    units = rec.get("units", "metric")
    if units not in UNITS:
        fail("settings.units", f"{units!r} is not one of: {', '.join(UNITS)}")
    return {
        "units": units,
        "display_name": _opt_text("settings.display_name", rec.get("display_name"), 128),
    }


def check_factor(where: str, data: object) -> CustomFactor:
    rec = _record(where, data, ("name", "kind"), ("unit", "choices"))
    choices = rec.get("choices", [])
    if not isinstance(choices, list) or len(choices) > 100:
        fail(f"{where}.choices", "expected a list of at most 100 words")
    if rec["kind"] not in FACTOR_KINDS:
        fail(f"{where}.kind", f"{rec['kind']!r} is not one of: {', '.join(FACTOR_KINDS)}")
    factor = CustomFactor(
        _text(f"{where}.name", rec["name"], 64),
        rec["kind"],
        _opt_text(f"{where}.unit", rec.get("unit"), 32),
        tuple(_text(f"{where}.choices", c, 64) for c in choices),
    )
    checked: CustomFactor = _rule(where, check_custom_factor, factor)
    return checked


_EPISODE_FIELDS = (
    "muscle",
    "side",
    "duration_s",
    "pain",
    "woke",
    "helped",
    "note",
    "origin",
    "client_id",
)


def check_episode_data(where: str, data: object) -> Episode:
    rec = _record(where, data, ("started_at",), _EPISODE_FIELDS)
    helped = rec.get("helped", [])
    if not isinstance(helped, list) or len(helped) > 50:
        fail(f"{where}.helped", "expected a list of at most 50 words")
    for name in ("duration_s", "pain"):
        if rec.get(name) is not None:
            _int(f"{where}.{name}", rec[name], 0, 86400)
    if rec.get("woke") is not None and not isinstance(rec["woke"], bool):
        fail(f"{where}.woke", "expected true, false or null")
    episode = Episode(
        started_at=_moment(f"{where}.started_at", rec["started_at"]),
        muscle=_text(f"{where}.muscle", rec.get("muscle", "calf"), 32),
        side=_opt_text(f"{where}.side", rec.get("side"), 8),
        duration_s=rec.get("duration_s"),
        pain=rec.get("pain"),
        woke=rec.get("woke"),
        helped=[_text(f"{where}.helped", h, 64) for h in helped],
        note=_opt_text(f"{where}.note", rec.get("note"), 10_000),
        origin=_text(f"{where}.origin", rec.get("origin", "manual"), 16),
        client_id=_opt_text(f"{where}.client_id", rec.get("client_id"), 64),
    )
    checked: Episode = _rule(where, check_episode, episode)  # recorded history: no clock
    return checked


def check_day(where: str, data: object) -> dict[str, Any]:
    rec = _record(where, data, ("date",), ("values", "sources", "unlogged_cramps", "unlogged_pain"))
    values = rec.get("values", {})
    sources = rec.get("sources", {})
    if not isinstance(values, Mapping) or len(values) > 500:
        fail(f"{where}.values", "expected an object of at most 500 values")
    for name, value in values.items():
        if value is not None and not isinstance(value, bool | int | float | str):
            fail(f"{where}.values.{name}", "expected a number, true/false or text")
    if not isinstance(sources, Mapping) or len(sources) > 501:
        fail(f"{where}.sources", "expected an object")
    count, pain = rec.get("unlogged_cramps"), rec.get("unlogged_pain")
    if count is not None:
        count, pain = _rule(where, check_unlogged, count, pain)
    elif pain is not None:
        fail(f"{where}.unlogged_pain", "given without unlogged_cramps")
    return {
        "date": _day(f"{where}.date", rec["date"]),
        "values": dict(values),
        "sources": {
            _text(f"{where}.sources", k, 64): _source(f"{where}.sources.{k}", v)
            for k, v in sources.items()
        },
        "unlogged_cramps": count,
        "unlogged_pain": pain,
    }


def check_medicine_data(where: str, data: object) -> dict[str, Any]:
    rec = _record(where, data, ("name",), ("started", "stopped", "source", "created_at"))
    medicine = Medicine(
        _text(f"{where}.name", rec["name"], 128),
        _opt_day(f"{where}.started", rec.get("started")),
        _opt_day(f"{where}.stopped", rec.get("stopped")),
    )
    checked: Medicine = _rule(where, check_medicine, medicine)
    return {
        "name": checked.name,
        "started": checked.started,
        "stopped": checked.stopped,
        "source": _text(f"{where}.source", rec.get("source", "manual"), 16),
        "created_at": _moment(f"{where}.created_at", rec.get("created_at", "2000-01-01T00:00:00")),
    }


def check_assessment(where: str, data: object) -> dict[str, Any]:
    rec = _record(where, data, ("created_at", "situation", "result"))
    for name in ("situation", "result"):
        if not isinstance(rec[name], Mapping):
            fail(f"{where}.{name}", "expected an object")
    return {
        "created_at": _moment(f"{where}.created_at", rec["created_at"]),
        "situation": dict(rec["situation"]),
        "result": dict(rec["result"]),
    }


def check_experiment(where: str, data: object) -> dict[str, Any]:
    rec = _record(
        where,
        data,
        ("intervention", "schedule", "created_at"),
        ("factor", "washout_days", "status", "stopped_at"),
    )
    schedule = rec["schedule"]
    if not isinstance(schedule, list) or not 1 <= len(schedule) <= 1000:
        fail(f"{where}.schedule", "expected a list of 1–1000 periods")
    for n, period in enumerate(schedule):
        at = f"{where}.schedule[{n}]"
        item = _record(at, period, ("start", "end", "condition"))
        start, end = _day(f"{at}.start", item["start"]), _day(f"{at}.end", item["end"])
        if end < start:
            fail(f"{at}.end", "before its start")
        if item["condition"] not in CONDITIONS:
            fail(f"{at}.condition", f"{item['condition']!r} is not one of: on, off")
    status = rec.get("status", "active")
    if status not in STATUSES:
        fail(f"{where}.status", f"{status!r} is not one of: {', '.join(STATUSES)}")
    return {
        "intervention": _text(f"{where}.intervention", rec["intervention"], 64),
        "factor": _opt_text(f"{where}.factor", rec.get("factor"), 64),
        "schedule": [dict(p) for p in schedule],
        "washout_days": _int(f"{where}.washout_days", rec.get("washout_days", 0), 0, 365),
        "status": status,
        "created_at": _moment(f"{where}.created_at", rec["created_at"]),
        "stopped_at": _opt_moment(f"{where}.stopped_at", rec.get("stopped_at")),
    }


def check_note(where: str, data: object) -> dict[str, Any]:
    rec = _record(where, data, ("from", "text", "created_at", "in_plan_at"))
    return {
        "from": _text(f"{where}.from", rec["from"], 64),
        "text": _text(f"{where}.text", rec["text"], 10_000),
        "created_at": _moment(f"{where}.created_at", rec["created_at"]),
        "in_plan_at": _moment(f"{where}.in_plan_at", rec["in_plan_at"]),
    }
