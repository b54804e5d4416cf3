"""Forgiving parsing of what people type: times, dates, durations, temperatures, volumes.

Every parser takes the text and returns a plain value, or raises `InputError` naming the
field and showing examples of what works. Times are local wall-clock times (naive).
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from crampwise.diary.model import night_of
from crampwise.diary.units import f_to_c, litres
from crampwise.errors import InputError

_CLOCK = re.compile(r"(?P<h>\d{1,2})(?:[:.h](?P<m>\d{2}))?\s*(?P<ampm>am|pm|a|p)?")
_AGO = re.compile(
    r"(?P<n>\d+(?:\.\d+)?)\s*(?P<unit>s|sec|secs|seconds?|m|min|mins|minutes?|h|hr|hrs|hours?)"
    r"\s+ago"
)
_DURATION_PART = re.compile(
    # Longest unit names first: findall takes the first alternative that matches.
    r"(\d+(?:\.\d+)?)(hours?|hrs|hr|h|minutes?|mins|min|m|seconds?|secs|sec|s)"
)
TIME_EXAMPLES = "now, 3am, 3:15, last night 2:30, yesterday 23:10, 10 min ago, 2026-11-24T03:10"


def _unit_seconds(unit: str) -> int:
    return {"h": 3600, "m": 60, "s": 1}[unit[0]]


def parse_clock(text: str, field: str = "time") -> time:
    """'3am', '3:15', '15:40', '2.30pm', '23h10' → a time of day."""
    match = _CLOCK.fullmatch(text.strip().lower())
    if match is None:
        raise InputError(
            f"field '{field}': {text!r} is not a time of day (e.g. 3am, 03:15)", field=field
        )
    hour, minute = int(match["h"]), int(match["m"] or 0)
    ampm = match["ampm"]
    if ampm:
        if not 1 <= hour <= 12:
            raise InputError(f"field '{field}': {text!r}: hours 1–12 with am/pm", field=field)
        hour = hour % 12 + (12 if ampm.startswith("p") else 0)
    if hour > 23 or minute > 59:
        raise InputError(f"field '{field}': {text!r} is not a time of day", field=field)
    return time(hour, minute)


def parse_when(text: str, now: datetime | None = None, field: str = "at") -> datetime:
    """When something happened: 'now', '3am' (the latest such time), 'last night 2:30',
    'yesterday 23:10', 'today 8am', '10 min ago', ISO '2026-11-24T03:10' or '2026-11-24 3am'.
    """
    now = (now or datetime.now()).replace(microsecond=0)
    raw = " ".join(text.strip().lower().split())
    if raw in ("", "now", "just now"):
        return now
    ago = _AGO.fullmatch(raw)
    if ago:
        return now - timedelta(seconds=float(ago["n"]) * _unit_seconds(ago["unit"]))
    try:
        return datetime.fromisoformat(raw.upper() if "t" in raw else raw).replace(
            tzinfo=None, microsecond=0
        )
    except ValueError:
        pass
    for prefix in ("last night", "yesterday", "today", "tonight"):
        if raw.startswith(prefix):
            rest = re.sub(r"^[\s,]*(?:at\s+)?", "", raw[len(prefix) :])
            clock = parse_clock(rest or "0:00", field)
            if prefix == "yesterday":
                return datetime.combine(now.date() - timedelta(days=1), clock)
            if prefix in ("today", "tonight"):
                return datetime.combine(now.date(), clock)
            # The most recent night: its row is yesterday's until noon, then today's - 1.
            row = night_of(now) if now.hour < 12 else now.date() - timedelta(days=1)
            day = row if clock >= time(12) else row + timedelta(days=1)
            moment = datetime.combine(day, clock)
            return moment if moment <= now else moment - timedelta(days=1)
    parts = raw.split(" ", 1)
    if len(parts) == 2 and re.fullmatch(r"\d{4}-\d{2}-\d{2}", parts[0]):
        return datetime.combine(parse_date(parts[0], field=field), parse_clock(parts[1], field))
    try:
        clock = parse_clock(raw, field)
    except InputError:
        raise InputError(
            f"field '{field}': {text!r} is not a time I understand (try: {TIME_EXAMPLES})",
            field=field,
        ) from None
    moment = datetime.combine(now.date(), clock)
    return moment if moment <= now else moment - timedelta(days=1)


def parse_date(text: str, today: date | None = None, field: str = "date") -> date:
    """A day: 'today', 'yesterday', 'last night' (its diary row), '3 days ago', ISO."""
    today = today or date.today()
    raw = " ".join(text.strip().lower().split())
    if raw == "today":
        return today
    if raw in ("yesterday", "last night"):
        return today - timedelta(days=1)
    ago = re.fullmatch(r"(\d+)\s*days?\s+ago", raw)
    if ago:
        return today - timedelta(days=int(ago[1]))
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InputError(
            f"field '{field}': {text!r} is not a date (try: today, yesterday, 2026-11-24)",
            field=field,
        ) from None


def parse_duration(text: str, field: str = "duration") -> int:
    """Seconds from '40s', '2m', '1m30s', '1.5 min', '1h', or a bare number of seconds '90'."""
    raw = text.strip().lower().replace(" ", "")
    if re.fullmatch(r"\d+(?:\.\d+)?", raw):
        return round(float(raw))
    clock = re.fullmatch(r"(\d+):(\d{2})", raw)
    if clock:
        return int(clock[1]) * 60 + int(clock[2])
    parts = _DURATION_PART.findall(raw)
    if not parts or "".join(n + u for n, u in parts) != raw:
        raise InputError(
            f"field '{field}': {text!r} is not a duration (try: 40s, 2m, 1m30s, 90)", field=field
        )
    return round(sum(float(n) * _unit_seconds(u) for n, u in parts))


def parse_temperature_c(text: str, default_unit: str = "C", field: str = "bedroom_temp") -> float:
    """Degrees Celsius from '18', '18C', '18 °C', '64F', '64°F' (bare numbers: default_unit)."""
    match = re.fullmatch(r"(-?\d+(?:\.\d+)?)\s*°?\s*([cf])?", text.strip().lower())
    if match is None:
        raise InputError(
            f"field '{field}': {text!r} is not a temperature (try: 18C, 64F)", field=field
        )
    value = float(match[1])
    unit = (match[2] or default_unit).lower()
    celsius = round(f_to_c(value) if unit == "f" else value, 1)
    if not -10 <= celsius <= 45:
        hint = " (write 64F for Fahrenheit)" if unit == "c" and 14 <= value <= 113 else ""
        raise InputError(
            f"field '{field}': {text!r} is outside -10–45 °C (14–113 °F){hint}", field=field
        )
    return celsius


def parse_volume_l(text: str, default_unit: str = "l", field: str = "fluids") -> float:
    """Litres from '1.5', '1.5l', '1500ml', '50floz', '50 fl oz', '6 cups'."""
    raw = text.strip().lower().replace(" ", "")
    match = re.fullmatch(r"(\d+(?:\.\d+)?)(l|litres?|liters?|ml|floz|oz|cups?)?", raw)
    if match is None:
        raise InputError(
            f"field '{field}': {text!r} is not a volume (try: 1.5, 1.5l, 1500ml, 50floz)",
            field=field,
        )
    value = float(match[1])
    volume = litres(value, match[2] or default_unit)
    if volume > 20:
        raise InputError(f"field '{field}': {text!r} is more than 20 litres", field=field)
    return round(volume, 2)
