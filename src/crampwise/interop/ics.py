"""Calendars (RFC 5545 iCalendar) for the bedtime routine and an experiment's schedule.

Times are *floating* local times (no TZID): a bedtime reminder at 22:00 should ring at
22:00 wherever the person is, which is what a floating time means in iCalendar. UIDs are
derived from the content, so importing a regenerated calendar updates events instead of
duplicating them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol

from icalendar import Alarm, Calendar, Event

from crampwise.errors import InputError
from crampwise.experiments.catalogue import TESTABLE
from crampwise.interop.records import StoredExperiment

PRODID = "-//crampwise//crampwise calendar 1.0//EN"
UID_DOMAIN = "crampwise.local"
REMINDER_MINUTES = 15
ROUTINE_TITLE = "Bedtime routine for leg cramps"
ROUTINE_DESCRIPTION = (
    "Calf stretch (3 × 30 s each leg), warm footbath, log last night's cramps in crampwise."
)


class Period(Protocol):
    """One period of an experiment schedule (dates inclusive)."""

    @property
    def start(self) -> date: ...
    @property
    def end(self) -> date: ...
    @property
    def condition(self) -> str: ...


def _uid(*parts: object) -> str:
    digest = hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()[:24]
    return f"{digest}@{UID_DOMAIN}"


def new_calendar(name: str) -> Calendar:
    """An empty calendar with PRODID, VERSION and a display name."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    return cal


def _timed_event(
    uid: str,
    title: str,
    first_day: date,
    at: time,
    description: str,
    stamp: datetime,
    count: int | None = None,
) -> Event:
    """A short event at `at` (floating local time) with a display alarm; daily if repeating."""
    start = datetime.combine(first_day, at.replace(second=0, microsecond=0, tzinfo=None))
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("summary", title)
    event.add("description", description)
    event.add("dtstart", start)
    event.add("dtend", start + timedelta(minutes=REMINDER_MINUTES))
    rule: dict[str, object] = {"freq": "daily"}
    if count is not None:
        rule["count"] = count
    event.add("rrule", rule)
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", title)
    alarm.add("trigger", timedelta(0))
    event.add_component(alarm)
    return event


def _all_day_event(
    uid: str, title: str, first: date, last: date, description: str, stamp: datetime
) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("summary", title)
    event.add("description", description)
    event.add("dtstart", first)
    event.add("dtend", last + timedelta(days=1))  # DTEND of an all-day event is exclusive
    event.add("transp", "TRANSPARENT")
    return event


def add_routine(
    cal: Calendar,
    at: time,
    start: date,
    title: str = ROUTINE_TITLE,
    description: str = ROUTINE_DESCRIPTION,
    stamp: datetime | None = None,
) -> None:
    """Add the bedtime routine to `cal` as a daily reminder at `at`, from `start`."""
    stamp = stamp or datetime.now(UTC)
    cal.add_component(
        _timed_event(_uid("routine", start, at, title), title, start, at, description, stamp)
    )


def add_experiment(
    cal: Calendar,
    periods: Iterable[Period],
    intervention_title: str,
    reminder_at: time,
    stamp: datetime | None = None,
) -> None:
    """Add an n-of-1 schedule to `cal`: one all-day event per period and, on the 'on'
    days, a daily reminder at `reminder_at` to do the intervention."""
    stamp = stamp or datetime.now(UTC)
    periods = list(periods)
    total = len(periods)
    for n, period in enumerate(periods, start=1):
        if period.condition not in ("on", "off"):
            raise InputError(
                f"field 'periods[{n - 1}].condition': {period.condition!r} is not one of: on, off"
            )
        if period.end < period.start:
            raise InputError(
                f"field 'periods[{n - 1}].end': {period.end} is before start {period.start}"
            )
        on = period.condition == "on"
        label = intervention_title if on else f"no {intervention_title}"
        what = (
            f"Experiment period {n} of {total}: {'DO' if on else 'do NOT do'} {intervention_title} "
            f"every evening from {period.start} to {period.end}. Log your cramps every morning."
        )
        cal.add_component(
            _all_day_event(
                _uid("period", intervention_title, period.start, period.end, period.condition),
                f"Experiment {n}/{total} {period.condition.upper()}: {label}",
                period.start,
                period.end,
                what,
                stamp,
            )
        )
        if on:
            days = (period.end - period.start).days + 1
            cal.add_component(
                _timed_event(
                    _uid("reminder", intervention_title, period.start, period.end, reminder_at),
                    f"Time for: {intervention_title}",
                    period.start,
                    reminder_at,
                    what,
                    stamp,
                    count=days,
                )
            )


def routine_calendar(
    at: time,
    start: date,
    title: str = ROUTINE_TITLE,
    description: str = ROUTINE_DESCRIPTION,
    stamp: datetime | None = None,
) -> bytes:
    """An iCalendar with the bedtime routine as a daily reminder at `at`, from `start`."""
    cal = new_calendar("crampwise bedtime routine")
    add_routine(cal, at, start, title, description, stamp)
    return bytes(cal.to_ical())


def experiment_calendar(
    periods: Sequence[Period] | Iterable[Period],
    intervention_title: str,
    reminder_at: time,
    stamp: datetime | None = None,
) -> bytes:
    """An iCalendar for an n-of-1 schedule (see `add_experiment`)."""
    cal = new_calendar(f"crampwise experiment: {intervention_title}")
    add_experiment(cal, periods, intervention_title, reminder_at, stamp)
    return bytes(cal.to_ical())


def diary_calendar(
    at: time | None,
    start: date,
    experiments: Iterable[tuple[str, Sequence[Period]]] = (),
    reminder_at: time | None = None,
    stamp: datetime | None = None,
) -> bytes:
    """One calendar with the bedtime routine (when `at` is given) and each experiment's
    schedule (title, periods); experiment reminders ring at `reminder_at` (default `at`)."""
    cal = new_calendar("crampwise")
    if at is not None:
        add_routine(cal, at, start, stamp=stamp)
    for title, periods in experiments:
        add_experiment(cal, periods, title, reminder_at or at or time(21, 0), stamp)
    return bytes(cal.to_ical())


def intervention_title(intervention_id: str) -> str:
    """The readable name of a testable remedy (`warm footbath before bed`), else the id."""
    found = TESTABLE.get(intervention_id)
    return found.title if found else intervention_id.replace("_", " ")


@dataclass(frozen=True)
class _StoredPeriod:
    start: date
    end: date
    condition: str


class CalendarDiary(Protocol):
    """The part of `crampwise.store.UserDiary` a calendar reads."""

    def experiments(self) -> Sequence[StoredExperiment]: ...


def calendar_for_diary(
    diary: CalendarDiary, at: time, start: date, experiments: bool = True
) -> bytes:
    """The bedtime routine plus every active experiment of a diary."""
    schedules: list[tuple[str, list[_StoredPeriod]]] = []
    if experiments:
        for record in diary.experiments():
            if record.status != "active":
                continue
            periods = [
                _StoredPeriod(
                    date.fromisoformat(p["start"]), date.fromisoformat(p["end"]), p["condition"]
                )
                for p in record.schedule
            ]
            schedules.append((intervention_title(record.intervention), periods))
    return diary_calendar(at, start, schedules)
