"""Stream an Apple Health export through lxml into per-day totals (nothing written).

lxml's parser calls back once per start and end tag with the attributes in a dict, so no
tree is built and memory stays flat whatever the export's size. Only small per-day
aggregates are kept. A corrupt or truncated export raises `InputError` naming the line.

Days are the user's local days, taken from each record's own wall-clock time and UTC offset
(a record stamped `2024-03-10 23:30:00 -0500` is on 10 March wherever it is read). Sleep is
attributed to the diary row by `crampwise.diary.model.night_of` applied to each asleep sample's
end, so the sleep that ends on the morning of D+1 lands in row D. Overlapping Watch and iPhone
samples are counted once (`source_merge`).
"""

from __future__ import annotations

import zipfile
import zlib
from array import array
from collections.abc import Callable
from contextlib import ExitStack
from datetime import date, datetime
from pathlib import Path
from typing import Any, NoReturn, cast

from lxml import etree

from crampwise.diary.model import night_of
from crampwise.errors import InputError
from crampwise.interop.apple_health.columns import (
    ASLEEP_PREFIX,
    RECORD_TYPES,
    SLEEP,
    TIME_MIN,
    HealthImport,
    fill_days,
)
from crampwise.interop.apple_health.export_file import READ_CHUNK, Prefetch, open_export
from crampwise.interop.apple_health.source_merge import SourceMerger, source_rank

# "MM:SS" -> seconds, for the minutes and seconds of a timestamp (3,600 entries).
_MMSS = {f"{m:02d}:{s:02d}": m * 60 + s for m in range(60) for s in range(60)}


class _BadRecord(Exception):
    """Raised inside the parser's callbacks; turned into an InputError with the line."""

    def __init__(self, tag: str, kind: str | None, what: str) -> None:
        super().__init__(tag, kind, what)
        self.tag, self.kind, self.what = tag, kind, what


class _RootClosed(Exception):
    """</HealthData> was parsed: stop reading."""


_PARSER_OPTIONS: dict[str, Any] = {
    # resolve_entities="internal" (lxml's default since 5.0): external entities are refused and
    # libxml2 caps internal expansion; unlike False it keeps attribute values with "&lt;"
    # (every device="...") on libxml2's fast path, ~0.2 s per 500 MB.
    "resolve_entities": "internal",
    "no_network": True,
    "huge_tree": True,
    "load_dtd": False,
}


def read_export(
    path: str | Path, on_progress: Callable[[int, int], None] | None = None
) -> HealthImport:
    """Parse a whole Apple Health export into per-day values; raises InputError if unreadable.

    `on_progress(bytes_done, bytes_total)` is called as the file is read.

    The parser calls back for each start tag with its attributes in a dict (lxml "target"
    parser): no tree is built, so there is nothing to clear, and each attribute is a plain
    dict look-up. A Record is used only when its parent is <HealthData>: one inside a
    Correlation (e.g. a meal) is also written top-level.
    """
    path = Path(path)
    out = HealthImport()
    totals: dict[tuple[str, date], float] = {}
    workouts: dict[date, dict[str, float]] = {}
    merger = SourceMerger()
    pending = merger.pending  # (factor, day, rank) -> start, end, value triples
    dates: dict[str, date] = {}
    ranks: dict[str, int] = {}
    hour_starts: dict[str, float] = {}
    mmss = _MMSS
    open_tags: list[str | None] = [None]  # the elements open around the current one
    push, pop = open_tags.append, open_tags.pop
    current_type = ""
    spec: tuple[str, dict[str, float], bool] | None = None
    is_sleep = False
    records = used = 0
    record_tags = workout_tags = 0  # every <Record>/<Workout> so far, to find a line again

    def day_of(stamp: str) -> date:
        d = dates.get(stamp[:10])
        if d is None:
            d = dates[stamp[:10]] = date.fromisoformat(stamp[:10])
        return d

    def seconds(stamp: str) -> float:
        # "2024-03-10 23:30:05 -0500" -> absolute time, from the record's own offset. The
        # hour's start is cached per hour and offset; minutes and seconds come from a table.
        # (The same steps are written out inline below, for speed.)
        base = hour_starts.get(stamp[:13] + stamp[19:])
        if base is None:
            base = hour_starts[stamp[:13] + stamp[19:]] = _hour_start(stamp)
        return base + (mmss.get(stamp[14:19]) or _mm_ss(stamp))

    def start(tag: str, attrib: dict[str, str]) -> None:
        nonlocal current_type, spec, is_sleep, records, used, record_tags, workout_tags
        parent = open_tags[-1]
        push(tag)
        if tag == "Record":
            record_tags += 1
            if parent != "HealthData" and parent is not None:
                return
            records += 1
            typ = attrib.get("type", "")
            if typ != current_type:
                merger.flush(totals)  # exports group records by type: keep memory flat
                current_type = typ
                spec = RECORD_TYPES.get(typ)
                is_sleep = typ == SLEEP
            if spec is None and not is_sleep:
                return
            # The hot path (half a million records), kept inline on purpose.
            start, end = attrib.get("startDate"), attrib.get("endDate")
            if not start or not end or len(start) < 25 or len(end) < 25:
                _bad(attrib, tag, "startDate/endDate")
            name = attrib.get("sourceName", "")
            rank = ranks.get(name)
            if rank is None:
                # Device strings carry a per-sample object address: never cache by them.
                rank = source_rank(name, attrib.get("device"))
                if rank < 2 or "device" not in attrib:
                    ranks[name] = rank
            if spec is None:
                used += _take_sleep(attrib, start, end, rank, merger, seconds)
                return
            factor, units, merge = spec
            unit = attrib.get("unit", "")
            scale = units.get(unit)
            if scale is None:
                why = f"{typ} in unit {unit!r}"
                out.skipped[why] = out.skipped.get(why, 0) + 1
                return
            try:
                value = float(attrib.get("value", "")) * scale
                day = dates.get(start[:10])
                if day is None:
                    day = dates[start[:10]] = date.fromisoformat(start[:10])
                if merge:
                    # seconds(start), seconds(end), written out
                    key = start[:13] + start[19:]
                    base = hour_starts.get(key)
                    if base is None:
                        base = hour_starts[key] = _hour_start(start)
                    t0 = base + (mmss.get(start[14:19]) or _mm_ss(start))
                    key = end[:13] + end[19:]
                    base = hour_starts.get(key)
                    if base is None:
                        base = hour_starts[key] = _hour_start(end)
                    t1 = base + (mmss.get(end[14:19]) or _mm_ss(end))
                    arr = pending.get((factor, day, rank))
                    if arr is None:
                        arr = pending[(factor, day, rank)] = array("d")
                    arr.extend((t0, t1, value))
                else:
                    totals[(factor, day)] = totals.get((factor, day), 0.0) + value
            except ValueError:
                _bad(attrib, tag, "value or date")
            used += 1
        elif tag == "Workout":
            workout_tags += 1
            if parent == "HealthData" or parent is None:
                _take_workout(attrib, out, workouts, day_of, seconds)

    def end(tag: str) -> None:
        pop()
        if tag == "HealthData":
            parent = open_tags[-1]
            if parent == "HealthData" or parent is None:
                raise _RootClosed

    saw_root = False
    try:
        with ExitStack() as stack:
            raw, total_bytes = stack.enter_context(open_export(path))
            src = Prefetch(
                raw, (lambda done: on_progress(done, total_bytes)) if on_progress else None
            )
            stack.callback(src.close)
            # cast: the stubs' ParserTarget protocol also wants data(); asking for text would
            # cost a call per whitespace run.
            target = cast(Any, _Target(start, end))
            parser = etree.XMLParser(target=target, **_PARSER_OPTIONS)
            feed, read = parser.feed, src.read
            try:
                while chunk := read(READ_CHUNK):
                    feed(chunk)
                parser.close()
            except _RootClosed:
                saw_root = True
            out.bytes_read = src.done
            out.records_read = records
            out.records_used = used
            if not saw_root:
                raise InputError(
                    f"file '{path}': not an Apple Health export (no <HealthData> root)"
                )
    except _BadRecord as bad:
        index = record_tags if bad.tag == "Record" else workout_tags
        line = _source_line(path, bad.tag, index)
        raise InputError(
            f"line {line}: <{bad.tag} type={bad.kind!r}> "
            f"has an unreadable {bad.what}; nothing was imported",
            line=line,
        ) from None
    except etree.XMLSyntaxError as exc:
        raise InputError(
            f"file '{path}': corrupt or truncated Apple Health export "
            f"(line {exc.lineno}: {exc.msg}); nothing was imported"
        ) from exc
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
        raise InputError(
            f"file '{path}': corrupt or truncated archive ({exc}); nothing was imported"
        ) from exc
    merger.flush(totals)
    fill_days(out, totals, workouts)
    return out


class _Target:
    """The lxml parser target: only start and end tags are asked for."""

    def __init__(
        self, start: Callable[[str, dict[str, str]], None], end: Callable[[str], None]
    ) -> None:
        self.start = start
        self.end = end

    def close(self) -> None:
        return None


def _source_line(path: Path, tag: str, index: int) -> int | None:
    """The line of the index-th (from 1) <tag> element: a second pass, on the error path only."""
    with open_export(path) as (raw, _):
        seen = 0
        for event, elem in etree.iterparse(
            raw, events=("start", "end"), tag=tag, **_PARSER_OPTIONS
        ):
            if event == "start":
                seen += 1
                if seen == index:
                    return int(elem.sourceline)
            else:
                elem.clear(keep_tail=True)
                parent = elem.getparent()
                if parent is not None:
                    while elem.getprevious() is not None:
                        del parent[0]
    return None


def _hour_start(stamp: str) -> float:
    """POSIX time of the start of the hour of "2024-03-10 23:30:05 -0500" (ValueError if bad)."""
    hour = stamp[:10] + "T" + stamp[11:13] + ":00:00" + stamp[20:]
    return datetime.fromisoformat(hour).timestamp()


def _mm_ss(stamp: str) -> int:
    """Minutes and seconds of a stamp whose "MM:SS" is not in `_MMSS`: let int() decide."""
    return int(stamp[14:16]) * 60 + int(stamp[17:19])


def _take_sleep(
    attrib: dict[str, str],
    start: str,
    end: str,
    rank: int,
    merger: SourceMerger,
    seconds: Callable[[str], float],
) -> int:
    """Queue an asleep sample for the night it ends in; 1 if used, 0 if not (in bed, awake)."""
    if not attrib.get("value", "").startswith(ASLEEP_PREFIX):
        return 0
    try:
        s, e = seconds(start), seconds(end)
        wall_end = datetime.fromisoformat(end[:19])
    except ValueError:
        _bad(attrib, "Record", "value or date")
    merger.add("sleep_hours", night_of(wall_end), rank, s, e, max(0.0, e - s) / 3600)
    return 1


def _take_workout(
    attrib: dict[str, str],
    out: HealthImport,
    workouts: dict[date, dict[str, float]],
    day_of: Callable[[str], date],
    seconds: Callable[[str], float],
) -> None:
    start, end = attrib.get("startDate"), attrib.get("endDate")
    if not start or not end or len(start) < 25:
        _bad(attrib, "Workout", "startDate/endDate")
    try:
        duration = attrib.get("duration")
        if duration is not None:
            minutes = float(duration) * TIME_MIN.get(attrib.get("durationUnit", "min"), 1.0)
        else:
            minutes = (seconds(end) - seconds(start)) / 60
        day = day_of(start)
    except ValueError:
        _bad(attrib, "Workout", "duration or date")
    kind = _snake(
        attrib.get("workoutActivityType", "HKWorkoutActivityTypeOther").removeprefix(
            "HKWorkoutActivityType"
        )
    )
    per_kind = workouts.setdefault(day, {})
    per_kind[kind] = per_kind.get(kind, 0.0) + max(0.0, minutes)
    out.workouts += 1


def _snake(name: str) -> str:
    return "".join("_" + c.lower() if c.isupper() and i else c.lower() for i, c in enumerate(name))


def _bad(attrib: dict[str, str], tag: str, what: str) -> NoReturn:
    raise _BadRecord(tag, attrib.get("type") or attrib.get("workoutActivityType"), what)
