"""Calendars: parsed back with icalendar and checked event by event."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from icalendar import Calendar

from crampwise.errors import InputError
from crampwise.interop.ics import calendar_for_diary, experiment_calendar, routine_calendar

from .conftest import Planted


@dataclass(frozen=True)
class P:
    start: date
    end: date
    condition: str


def events(data: bytes) -> list[object]:
    cal = Calendar.from_ical(data)
    assert str(cal["PRODID"]).startswith("-//crampwise//")
    assert str(cal["VERSION"]) == "2.0"
    found = list(cal.walk("VEVENT"))
    for ev in found:  # required by RFC 5545 on every event
        assert ev.get("UID") and ev.get("DTSTAMP")
    assert len({str(ev["UID"]) for ev in found}) == len(found)
    return found


def test_routine_is_a_daily_reminder_at_the_chosen_time() -> None:
    [ev] = events(routine_calendar(time(21, 45), date(2026, 12, 1)))
    assert ev.decoded("DTSTART") == datetime(2026, 12, 1, 21, 45)  # floating local time
    assert ev["RRULE"]["FREQ"] == ["DAILY"] and "COUNT" not in ev["RRULE"]
    [alarm] = ev.walk("VALARM")
    assert str(alarm["ACTION"]) == "DISPLAY" and alarm.decoded("TRIGGER") == timedelta(0)
    assert "stretch" in str(ev["DESCRIPTION"]).lower()


def test_experiment_schedule_has_periods_and_on_day_reminders() -> None:
    periods = [
        P(date(2026, 12, 1), date(2026, 12, 7), "off"),
        P(date(2026, 12, 8), date(2026, 12, 14), "on"),
    ]
    found = events(experiment_calendar(periods, "warm footbath", time(20, 30)))
    all_day = [
        e
        for e in found
        if isinstance(e.decoded("DTSTART"), date) and not isinstance(e.decoded("DTSTART"), datetime)
    ]
    assert [(e.decoded("DTSTART"), e.decoded("DTEND")) for e in all_day] == [
        (date(2026, 12, 1), date(2026, 12, 8)), (date(2026, 12, 8), date(2026, 12, 15))
    ]  # DTEND is exclusive  # fmt: skip
    assert "OFF" in str(all_day[0]["SUMMARY"]) and "ON" in str(all_day[1]["SUMMARY"])
    [reminder] = [e for e in found if e not in all_day]
    assert reminder.decoded("DTSTART") == datetime(2026, 12, 8, 20, 30)
    assert reminder["RRULE"]["COUNT"] == [7]


def test_same_input_gives_the_same_uids() -> None:
    one = events(routine_calendar(time(22, 0), date(2026, 12, 1)))
    two = events(routine_calendar(time(22, 0), date(2026, 12, 1)))
    assert [str(e["UID"]) for e in one] == [str(e["UID"]) for e in two]


def test_bad_periods_are_refused() -> None:
    with pytest.raises(InputError, match="not one of: on, off"):
        experiment_calendar([P(date(2026, 1, 1), date(2026, 1, 2), "maybe")], "x", time(21))
    with pytest.raises(InputError, match="before start"):
        experiment_calendar([P(date(2026, 1, 5), date(2026, 1, 2), "on")], "x", time(21))


def test_diary_calendar_holds_routine_and_the_running_experiment(planted: Planted) -> None:
    found = events(calendar_for_diary(planted.diary, time(22, 0), date(2026, 4, 1)))
    summaries = [str(e["SUMMARY"]) for e in found]
    assert sum("Bedtime routine" in s for s in summaries) == 1
    assert sum(s.startswith("Experiment ") for s in summaries) == 8
    assert sum(s == "Time for: warm footbath before bed" for s in summaries) == 4


def test_cli_export_ics(planted: Planted, tmp_path: Path) -> None:
    env = dict(os.environ, CRAMPWISE_DATABASE_URL=planted.url)
    exe = Path(sys.executable).with_name("crampwise")
    out = tmp_path / "crampwise.ics"
    done = subprocess.run(
        [exe, "--user", "alice", "export", "ics", "--at", "21:30", "--start", "2026-04-01",
         "-o", out],
        env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    found = events(out.read_bytes())
    routine = [e for e in found if "Bedtime routine" in str(e["SUMMARY"])]
    assert routine[0].decoded("DTSTART") == datetime(2026, 4, 1, 21, 30)
    bad = subprocess.run([exe, "export", "ics", "--at", "late"], env=env, capture_output=True,
                         text=True, check=False)  # fmt: skip
    assert bad.returncode == 2 and "'at'" in bad.stderr and "Traceback" not in bad.stderr
