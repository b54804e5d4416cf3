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
from datetime import date, timedelta
from pathlib import Path
from typing import Any, cast

from lxml import etree

from crampwise.errors import InputError
from crampwise.interop.apple_health.columns import (
    RECORD_TYPES,
    SLEEP,
    HealthImport,
    fill_days,
)
from crampwise.interop.apple_health.export_file import READ_CHUNK, Prefetch, open_export
from crampwise.interop.apple_health.limits import DEFAULT_LIMITS, ImportLimits
from crampwise.interop.apple_health.records import (
    MMSS,
    BadRecord,
    OutOfRange,
    bad_record,
    hour_start_of,
    mm_ss,
    skip_date,
    take_sleep,
    take_workout,
)
from crampwise.interop.apple_health.source_merge import SourceMerger, TooManySamples, source_rank


class _RootClosed(Exception):
    """</HealthData> was parsed: stop reading."""


class _NotHealth(Exception):
    """The document's root is not <HealthData>: stop reading."""


# Samples used between two compactions of what is held for merging (~5 MB of arrays).
_COMPACT_EVERY = 200_000
_CACHE_MAX = 100_000  # entries of a look-up cache; cleared when full (real exports: ~30,000)
_SKIP_REASONS = 100  # distinct reasons counted in HealthImport.skipped


_PARSER_OPTIONS: dict[str, Any] = {
    # resolve_entities="internal" (lxml's default since 5.0): external entities are refused and
    # libxml2 caps internal expansion; unlike False it keeps attribute values with "&lt;"
    # (every device="...") on libxml2's fast path, ~0.2 s per 500 MB.
    "resolve_entities": "internal",
    "no_network": True,
    # huge_tree=False keeps libxml2's caps (one attribute or text run ~10-30 MB, nesting 256):
    # a gigabyte attribute is refused as it streams in instead of filling memory.
    "huge_tree": False,
    "load_dtd": False,
}


def read_export(
    path: str | Path,
    on_progress: Callable[[int, int], None] | None = None,
    limits: ImportLimits = DEFAULT_LIMITS,
) -> HealthImport:
    """Parse a whole Apple Health export into per-day values; raises InputError if unreadable.

    `on_progress(bytes_done, bytes_total)` is called as the file is read. `limits` bound
    what any file may cost (size, compression ratio, samples held); a file past one is
    refused with InputError naming it.

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
    mmss = MMSS
    open_tags: list[str | None] = [None]  # the elements open around the current one
    push, pop = open_tags.append, open_tags.pop
    current_type = ""
    spec: tuple[str, dict[str, float], bool] | None = None
    is_sleep = False
    records = used = 0
    record_tags = workout_tags = 0  # every <Record>/<Workout> so far, to find a line again

    first_day, last_day = limits.first_day, date.today() + timedelta(days=1)

    def new_day(stamp: str) -> date:
        """The day of a stamp not yet in `dates` (ValueError if bad, OutOfRange if skipped)."""
        d = date.fromisoformat(stamp[:10])
        if not first_day <= d <= last_day:
            raise OutOfRange
        if len(dates) > _CACHE_MAX:
            dates.clear()
        dates[stamp[:10]] = d
        return d

    def day_of(stamp: str) -> date:
        return dates.get(stamp[:10]) or new_day(stamp)

    def hour_start(key: str, stamp: str) -> float:
        if len(hour_starts) > _CACHE_MAX:
            hour_starts.clear()
        base = hour_starts[key] = hour_start_of(stamp)
        return base

    def seconds(stamp: str) -> float:
        # "2024-03-10 23:30:05 -0500" -> absolute time, from the record's own offset. The
        # hour's start is cached per hour and offset; minutes and seconds come from a table.
        # (The same steps are written out inline below, for speed.)
        base = hour_starts.get(stamp[:13] + stamp[19:])
        if base is None:
            base = hour_start(stamp[:13] + stamp[19:], stamp)
        return base + (mmss.get(stamp[14:19]) or mm_ss(stamp))

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
                bad_record(attrib, tag, "startDate/endDate")
            name = attrib.get("sourceName", "")
            rank = ranks.get(name)
            if rank is None:
                # Device strings carry a per-sample object address: never cache by them.
                rank = source_rank(name, attrib.get("device"))
                if rank < 2 or "device" not in attrib:
                    if len(ranks) > _CACHE_MAX:
                        ranks.clear()
                    ranks[name] = rank
            if spec is None:
                used += take_sleep(attrib, start, end, rank, merger, seconds, new_day)
                return
            factor, units, merge = spec
            unit = attrib.get("unit", "")
            scale = units.get(unit)
            if scale is None:
                why = f"{typ} in unit {unit[:40]!r}"
                if why not in out.skipped and len(out.skipped) >= _SKIP_REASONS:
                    why = f"{typ} in other units"
                out.skipped[why] = out.skipped.get(why, 0) + 1
                return
            try:
                value = float(attrib.get("value", "")) * scale
                day = dates.get(start[:10])
                if day is None:
                    day = new_day(start)
                if merge:
                    # seconds(start), seconds(end), written out
                    key = start[:13] + start[19:]
                    base = hour_starts.get(key)
                    if base is None:
                        base = hour_start(key, start)
                    t0 = base + (mmss.get(start[14:19]) or mm_ss(start))
                    key = end[:13] + end[19:]
                    base = hour_starts.get(key)
                    if base is None:
                        base = hour_start(key, end)
                    t1 = base + (mmss.get(end[14:19]) or mm_ss(end))
                    arr = pending.get((factor, day, rank))
                    if arr is None:
                        arr = pending[(factor, day, rank)] = array("d")
                    arr.extend((t0, t1, value))
                else:
                    totals[(factor, day)] = totals.get((factor, day), 0.0) + value
            except ValueError:
                bad_record(attrib, tag, "value or date")
            except OutOfRange:
                skip_date(out, typ)
                return
            used += 1
        elif tag == "Workout":
            workout_tags += 1
            if parent == "HealthData" or parent is None:
                take_workout(attrib, out, workouts, day_of, seconds)
        elif parent is None and tag != "HealthData":
            raise _NotHealth

    def end(tag: str) -> None:
        pop()
        if tag == "HealthData":
            parent = open_tags[-1]
            if parent == "HealthData" or parent is None:
                raise _RootClosed

    saw_root = False
    try:
        with ExitStack() as stack:
            raw, total_bytes = stack.enter_context(open_export(path, limits))
            src = Prefetch(
                raw, (lambda done: on_progress(done, total_bytes)) if on_progress else None
            )
            stack.callback(src.close)
            # cast: the stubs' ParserTarget protocol also wants data(); asking for text would
            # cost a call per whitespace run.
            target = cast(Any, _Target(start, end))
            parser = etree.XMLParser(target=target, **_PARSER_OPTIONS)
            feed, read = parser.feed, src.read
            lead, longest, compacted = limits.max_lead_bytes, limits.max_token_bytes, 0
            run = 0  # bytes since the last ">": the tag or text libxml2 is holding
            try:
                while chunk := read(READ_CHUNK):
                    # Per 256 KiB chunk, not per record: bounds that cost nothing per record.
                    # (Both searches stop at once on an export: ">" is every ~100 bytes.)
                    last = chunk.rfind(b">")
                    run = run + len(chunk) if last < 0 else len(chunk) - 1 - last
                    if run > longest:
                        if len(open_tags) == 1:  # not even <HealthData> yet: blank or text
                            raise _NotHealth
                        raise InputError(
                            f"file '{path}': more than {longest >> 20} MiB without a '>' "
                            f"(by byte {src.done:,}): an attribute or text far longer than a "
                            "Health export holds; nothing was imported"
                        )
                    feed(chunk)
                    if len(open_tags) == 1 and src.done > lead:
                        raise _NotHealth
                    if used - compacted > _COMPACT_EVERY:
                        compacted = used
                        if merger.compact(limits.max_samples_per_day) > limits.max_held_samples:
                            raise InputError(
                                f"file '{path}': more than {limits.max_held_samples:,} samples "
                                f"of {current_type} to merge; nothing was imported"
                            )
                parser.close()
            except _RootClosed:
                saw_root = True
            except _NotHealth:
                pass
            out.bytes_read = src.done
            out.records_read = records
            out.records_used = used
            if not saw_root:
                raise InputError(
                    f"file '{path}': no Apple Health records found (not an Apple Health "
                    "export: no <HealthData> root); nothing was imported"
                )
            if not record_tags and not workout_tags:
                raise InputError(
                    f"file '{path}': no Apple Health records found (no <Record> or "
                    "<Workout> in <HealthData>); nothing was imported"
                )
    except BadRecord as bad:
        index = record_tags if bad.tag == "Record" else workout_tags
        line = _source_line(path, bad.tag, index)
        raise InputError(
            f"line {line}: <{bad.tag} type={bad.kind!r}> "
            f"has an unreadable {bad.what}; nothing was imported",
            line=line,
        ) from None
    except TooManySamples as many:
        raise InputError(
            f"file '{path}': more than {limits.max_samples_per_day:,} different {many.factor} "
            f"samples on {many.day} from one kind of source; no device writes that many; "
            "nothing was imported"
        ) from None
    except etree.XMLSyntaxError as exc:
        if len(open_tags) == 1:  # no element was ever opened: whitespace, text, an empty file
            raise InputError(
                f"file '{path}': no Apple Health records found (not an Apple Health export: "
                f"line {exc.lineno}: {exc.msg}); nothing was imported"
            ) from None
        if "limit" in exc.msg.lower() or "too long" in exc.msg.lower():
            raise InputError(
                f"file '{path}': line {exc.lineno}: an attribute or text too long (over "
                "libxml2's 10 MB limit); not a Health export; nothing was imported"
            ) from None
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
