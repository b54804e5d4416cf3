"""One Apple Health record's attributes turned into diary values: timestamps, asleep samples,
workouts, and the errors a bad record raises (the parser adds the line)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import NoReturn

from crampwise.diary.model import night_of
from crampwise.interop.apple_health.columns import ASLEEP_PREFIX, TIME_MIN, HealthImport
from crampwise.interop.apple_health.source_merge import SourceMerger

# "MM:SS" -> seconds, for the minutes and seconds of a timestamp (3,600 entries).
MMSS = {f"{m:02d}:{s:02d}": m * 60 + s for m in range(60) for s in range(60)}
KINDS_PER_DAY = 64  # distinct workout types kept per day


class BadRecord(Exception):
    """Raised inside the parser's callbacks; turned into an InputError with the line."""

    def __init__(self, tag: str, kind: str | None, what: str) -> None:
        super().__init__(tag, kind, what)
        self.tag, self.kind, self.what = tag, kind, what


class OutOfRange(Exception):
    """A record dated outside the days an import accepts (see ImportLimits.first_day)."""


def hour_start_of(stamp: str) -> float:
    """POSIX time of the start of the hour of "2024-03-10 23:30:05 -0500" (ValueError if bad)."""
    hour = stamp[:10] + "T" + stamp[11:13] + ":00:00" + stamp[20:]
    return datetime.fromisoformat(hour).timestamp()


def mm_ss(stamp: str) -> int:
    """Minutes and seconds of a stamp whose "MM:SS" is not in `MMSS`: let int() decide."""
    return int(stamp[14:16]) * 60 + int(stamp[17:19])


def take_sleep(
    attrib: dict[str, str],
    start: str,
    end: str,
    rank: int,
    merger: SourceMerger,
    seconds: Callable[[str], float],
    new_day: Callable[[str], date],
) -> int:
    """Queue an asleep sample for the night it ends in; 1 if used, 0 if not (in bed, awake)."""
    if not attrib.get("value", "").startswith(ASLEEP_PREFIX):
        return 0
    try:
        new_day(end)  # in range?
        s, e = seconds(start), seconds(end)
        wall_end = datetime.fromisoformat(end[:19])
    except ValueError:
        bad_record(attrib, "Record", "value or date")
    except OutOfRange:
        return 0
    merger.add("sleep_hours", night_of(wall_end), rank, s, e, max(0.0, e - s) / 3600)
    return 1


def take_workout(
    attrib: dict[str, str],
    out: HealthImport,
    workouts: dict[date, dict[str, float]],
    day_of: Callable[[str], date],
    seconds: Callable[[str], float],
) -> None:
    start, end = attrib.get("startDate"), attrib.get("endDate")
    if not start or not end or len(start) < 25:
        bad_record(attrib, "Workout", "startDate/endDate")
    try:
        duration = attrib.get("duration")
        if duration is not None:
            minutes = float(duration) * TIME_MIN.get(attrib.get("durationUnit", "min"), 1.0)
        else:
            minutes = (seconds(end) - seconds(start)) / 60
        day = day_of(start)
    except ValueError:
        bad_record(attrib, "Workout", "duration or date")
    except OutOfRange:
        skip_date(out, "Workout")
        return
    kind = snake_case(
        attrib.get("workoutActivityType", "HKWorkoutActivityTypeOther")[:80].removeprefix(
            "HKWorkoutActivityType"
        )
    )
    per_kind = workouts.setdefault(day, {})
    if kind not in per_kind and len(per_kind) >= KINDS_PER_DAY:
        kind = "other"  # HealthKit has ~80 activity types; a day never holds this many
    per_kind[kind] = per_kind.get(kind, 0.0) + max(0.0, minutes)
    out.workouts += 1


def skip_date(out: HealthImport, what: str) -> None:
    why = f"{what[:80]} dated outside the accepted days"
    out.skipped[why] = out.skipped.get(why, 0) + 1


def snake_case(name: str) -> str:
    return "".join("_" + c.lower() if c.isupper() and i else c.lower() for i, c in enumerate(name))


def bad_record(attrib: dict[str, str], tag: str, what: str) -> NoReturn:
    raise BadRecord(tag, attrib.get("type") or attrib.get("workoutActivityType"), what)
