"""now.toml and bedtime.toml: the routine during a cramp, the bedtime routine's numbers
and the experiments' evening reminders."""

from __future__ import annotations

from typing import Any

from crampwise.knowledge.entry import Entry
from crampwise.knowledge.loading.reader import Reader
from crampwise.knowledge.models import (
    BedtimeRoutine,
    Caution,
    FootbathLimits,
    NowStep,
    Reminder,
    StretchTiming,
)


def load_now(r: Reader, data: dict[str, Any]) -> tuple[tuple[NowStep, ...], Caution]:
    steps = []
    for i, raw in enumerate(r.tables(data, "now.toml", "step")):
        e = Entry(
            f"knowledge/now.toml: step #{i + 1}",
            raw,
            ("id", "title", "how", "seconds", "evidence", "sources"),
            "id",
        )
        seconds = e.get("seconds", int)
        if seconds < 0:
            raise e.fail("seconds must be >= 0")
        steps.append(
            NowStep(
                e.get("id", str),
                e.get("title", str),
                e.get("how", str),
                seconds,
                r.grade(e),
                r.source_ids(e),
            )
        )
    w = Entry("knowledge/now.toml: warning", data.get("warning"), ("text", "evidence", "sources"))
    return tuple(steps), Caution("now_warning", w.get("text", str), r.grade(w), r.source_ids(w))


def load_bedtime(r: Reader, data: dict[str, Any]) -> BedtimeRoutine:
    where = "knowledge/bedtime.toml"
    s = Entry(
        f"{where}: stretch",
        data.get("stretch"),
        ("hold_s", "rest_s", "rounds", "evidence", "sources"),
    )
    stretch = StretchTiming(
        _positive(s, "hold_s"),
        _positive(s, "rest_s"),
        _positive(s, "rounds"),
        r.grade(s),
        r.source_ids(s),
    )
    f = Entry(
        f"{where}: footbath",
        data.get("footbath"),
        ("low_c", "high_c", "max_c", "minutes", "evidence", "sources"),
    )
    footbath = FootbathLimits(
        f.get("low_c", float),
        f.get("high_c", float),
        f.get("max_c", float),
        _positive(f, "minutes"),
        r.grade(f),
        r.source_ids(f),
    )
    if not footbath.low_c <= footbath.high_c <= footbath.max_c:
        raise f.fail("needs low_c <= high_c <= max_c")
    reminders: dict[str, Reminder] = {}
    for i, raw in enumerate(r.tables(data, "bedtime.toml", "reminder")):
        e = Entry(
            f"{where}: reminder #{i + 1}",
            raw,
            ("intervention", "text", "evidence", "sources"),
            "intervention",
        )
        key = e.get("intervention", str)
        e.where = f"{where}: reminder {key!r}"
        if key in reminders:
            raise e.fail("duplicate intervention")
        reminders[key] = Reminder(key, e.get("text", str), r.grade(e), r.source_ids(e))
    return BedtimeRoutine(stretch, footbath, reminders)


def _positive(e: Entry, key: str) -> int:
    value = e.get(key, int)
    if value <= 0:
        raise e.fail(f"{key} must be > 0")
    return value
