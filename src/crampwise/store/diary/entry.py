"""Diary entry from what people type (CLI flags, web forms): parse forgivingly, then store.

The functions here turn text like "3am", "40s", "64F" or "50 fl oz" into validated records
(via `crampwise.diary.timeparse` and `crampwise.diary.model`) and write them through a `UserDiary`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import cast

from crampwise.diary.model import DayLog, Episode, FactorValue, Medicine, episode_json
from crampwise.diary.timeparse import (
    parse_date,
    parse_duration,
    parse_temperature_c,
    parse_volume_l,
    parse_when,
)
from crampwise.errors import InputError, NotFoundError
from crampwise.store.base import local_now
from crampwise.store.diary.userdiary import UserDiary

# What `edit_entry` and `delete_entry` return: an episode's or a day's JSON data.
Record = dict[str, object]


def log_cramp(
    diary: UserDiary,
    *,
    at: str | None = None,
    muscle: str = "calf",
    side: str | None = None,
    duration: str | None = None,
    pain: int | None = None,
    woke: bool | None = None,
    helped: Sequence[str] = (),
    note: str | None = None,
    now: datetime | None = None,
) -> Episode:
    """Store one cramp from typed text; every argument is optional (default: now, calf).

    now: the clock `at` is read against and the cramp may not be later than (default: local
    time now).
    """
    now = (now or local_now()).replace(microsecond=0)
    started = parse_when(at or "now", now=now, field="at")
    helped_items = [part.strip() for item in helped for part in item.split(",") if part.strip()]
    episode = Episode(
        started_at=started,
        muscle=muscle,
        side=side,
        duration_s=None if duration is None else parse_duration(duration, field="duration"),
        pain=pain,
        woke=woke,
        helped=helped_items,
        note=note,
    )
    return diary.add_episode(episode, now=now)


# CLI/form names → built-in factor names; values that need unit parsing are listed below.
DAY_ALIASES = {
    "exercise": "exercise_min",
    "intensity": "exercise_intensity",
    "fluids": "fluids_l",
    "sweating": "heavy_sweating",
    "bedroom_temp": "bedroom_temp_c",
    "position": "sleep_position",
    "calcium": "calcium_mg",
    "alcohol": "alcohol_units",
    "sitting": "hours_sitting",
    "standing": "hours_standing",
    "sleep": "sleep_hours",
}


def day_values(
    fields: Mapping[str, FactorValue | None], *, units: str = "metric"
) -> dict[str, FactorValue]:
    """Typed day values from form fields: aliases resolved, '64F' and '50floz' converted.

    `units` ('metric' or 'us') decides what a bare temperature or volume means.
    """
    values: dict[str, FactorValue] = {}
    for key, raw in fields.items():
        if raw is None:
            continue
        name = DAY_ALIASES.get(key.replace("-", "_"), key.replace("-", "_"))
        if name in ("bedroom_temp_c", "bedroom_temp_f"):
            unit = "F" if name.endswith("_f") or units == "us" else "C"
            values["bedroom_temp_c"] = parse_temperature_c(str(raw), unit, field=key)
        elif name == "fluids_l" and isinstance(raw, str):
            values[name] = parse_volume_l(raw, "floz" if units == "us" else "l", field=key)
        else:
            values[name] = raw
    return values


def parse_assignments(items: Sequence[str]) -> dict[str, str]:
    """'name=value' pairs (from `--set`) into a dict; 'name=' means clear it."""
    pairs: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise InputError(f"--set {item!r}: write NAME=VALUE, e.g. coffee=2", field="set")
        pairs[name.strip()] = value.strip()
    return pairs


def log_day(
    diary: UserDiary,
    *,
    day: str | None = None,
    fields: Mapping[str, FactorValue | None] | None = None,
    extra: Sequence[str] = (),
    units: str = "metric",
    today: date | None = None,
) -> DayLog:
    """Merge typed values into a day's log (default: today); `extra` holds NAME=VALUE."""
    when = parse_date(day or "today", today=today, field="date")
    values: dict[str, FactorValue | None] = dict(day_values(fields or {}, units=units))
    for name, text in parse_assignments(extra).items():
        if text:
            values.update(day_values({name: text}, units=units))
        else:  # NAME= clears a value typed by mistake
            values[DAY_ALIASES.get(name, name)] = None
    # None clears a value (see UserDiary.put_day), beyond DayLog's declared value type.
    return diary.put_day(DayLog(when, cast(dict[str, FactorValue], values)), source="manual")


@dataclass
class NightSummary:
    """One diary row for display: the day's log and the night's episodes."""

    date: date
    episodes: list[Episode] = field(default_factory=list)
    day: DayLog | None = None
    unlogged: int = 0  # cramps counted that night but not logged one by one
    unlogged_pain: int | None = None

    @property
    def cramps(self) -> int:
        return len(self.episodes) + self.unlogged

    @property
    def worst_pain(self) -> int | None:
        pains = [e.pain for e in self.episodes if e.pain is not None]
        if self.unlogged_pain is not None:
            pains.append(self.unlogged_pain)
        return max(pains) if pains else None

    def to_json(self) -> dict[str, object]:
        return {
            "date": self.date.isoformat(),
            "cramps": self.cramps,
            "worst_pain": self.worst_pain,
            "unlogged_cramps": self.unlogged,
            "episodes": [episode_json(e) for e in self.episodes],
            "day": dict(self.day.values) if self.day else None,
        }


def recent_nights(
    diary: UserDiary, nights: int = 14, today: date | None = None
) -> list[NightSummary]:
    """The last `nights` diary rows up to today that have a log or an episode, newest first."""
    if nights < 1:
        raise InputError("field 'nights': must be at least 1", field="nights")
    end = today or date.today()
    start = end - timedelta(days=nights - 1)
    rows: dict[date, NightSummary] = {}
    for log in diary.days(start, end):
        rows[log.date] = NightSummary(log.date, day=log)
    for episode in diary.episodes(start, end):
        rows.setdefault(episode.night, NightSummary(episode.night)).episodes.append(episode)
    for night, counted in diary.unlogged_cramps(start, end).items():
        row = rows.setdefault(night, NightSummary(night))
        row.unlogged, row.unlogged_pain = counted.count, counted.pain
    return [rows[d] for d in sorted(rows, reverse=True)]


def _target(text: str) -> int | date:
    """An episode id ('12') or a day ('2026-11-20', 'yesterday')."""
    if text.strip().isdigit():
        return int(text)
    try:
        return parse_date(text, field="target")
    except InputError:
        raise InputError(
            f"target {text!r}: give an episode id (see `crampwise diary`) or a date YYYY-MM-DD",
            field="target",
        ) from None


def edit_entry(
    diary: UserDiary,
    target: str,
    *,
    at: str | None = None,
    muscle: str | None = None,
    side: str | None = None,
    duration: str | None = None,
    pain: int | None = None,
    note: str | None = None,
    extra: Sequence[str] = (),
) -> Record:
    """Fix an episode (id) or a day (date + NAME=VALUE pairs); returns the saved record."""
    which = _target(target)
    if isinstance(which, date):
        if not extra:
            raise InputError("nothing to change: give --set NAME=VALUE", field="set")
        if diary.get_day(which) is None:
            raise NotFoundError(f"no day {which.isoformat()} in your diary")
        day = log_day(diary, day=which.isoformat(), extra=extra)
        return {"date": day.date.isoformat(), "values": dict(day.values)}
    changes: dict[str, object] = {}
    if at is not None:
        # Read a bare clock time within the episode's own night (noon to noon).
        current = diary.get_episode(which)
        end_of_night = datetime.combine(current.night + timedelta(days=1), datetime.min.time())
        changes["started_at"] = parse_when(at, now=end_of_night + timedelta(hours=11, minutes=59))
    for name, value in (("muscle", muscle), ("side", side), ("pain", pain), ("note", note)):
        if value is not None:
            changes[name] = value
    if duration is not None:
        changes["duration_s"] = parse_duration(duration)
    if not changes:
        raise InputError("nothing to change: give --at, --muscle, --pain, ...", field="target")
    return episode_json(diary.update_episode(which, **changes))


def delete_entry(diary: UserDiary, target: str) -> Record:
    """Delete an episode (id) or a day's log (date); returns what was deleted."""
    which = _target(target)
    if isinstance(which, date):
        if not diary.delete_day(which):
            raise NotFoundError(f"no day {which.isoformat()} in your diary")
        return {"date": which.isoformat()}
    return episode_json(diary.delete_episode(which))


def medicine_json(medicine: Medicine) -> dict[str, object]:
    return {
        "id": medicine.id,
        "name": medicine.name,
        "started": medicine.started.isoformat() if medicine.started else None,
        "stopped": medicine.stopped.isoformat() if medicine.stopped else None,
    }


def add_medicine(
    diary: UserDiary, name: str, *, started: str | None = None, stopped: str | None = None
) -> dict[str, object]:
    """Record a medicine with optional start/stop days (any form `parse_date` reads)."""
    med = Medicine(
        name,
        started=parse_date(started, field="started") if started else None,
        stopped=parse_date(stopped, field="stopped") if stopped else None,
    )
    return medicine_json(diary.add_medicine(med))
