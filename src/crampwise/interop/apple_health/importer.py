"""Apple Health import: stream `export.zip` / `export.xml` into per-day diary values.

The export can be several GB, so it is streamed through lxml's parser with a callback per
start tag (no tree is built), keeping only small per-day aggregates. Nothing is written
until the whole file has parsed: a corrupt or truncated export raises `InputError` and
leaves the diary as it was.

Days are the user's local days, taken from each record's own wall-clock time and UTC offset
(a record stamped `2024-03-10 23:30:00 -0500` is on 10 March wherever it is read). Sleep is
attributed to the diary row by `crampwise.diary.model.night_of` applied to each asleep sample's
end, so the sleep that ends on the morning of D+1 lands in row D.

Watch and iPhone both count steps and distance for the same minutes. Like the Health app
(which shows, for every stretch of time, the data of the highest-priority source), we rank
sources Apple Watch > iPhone > other apps and, per day and type, count a lower-ranked
sample only for the part of its interval that no higher-ranked sample covers (pro rata).
Minutes walked with only the phone still count; minutes both devices saw count once.
"""

from __future__ import annotations

import queue
import threading
import zipfile
import zlib
from array import array
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any, NoReturn, cast

from crampwise.diary.model import BUILTIN_BY_NAME, DayLog, night_of
from crampwise.errors import InputError
from crampwise.interop.apple_health.source_merge import SourceMerger, source_rank

QTY = "HKQuantityTypeIdentifier"
SLEEP = "HKCategoryTypeIdentifierSleepAnalysis"
ASLEEP_PREFIX = "HKCategoryValueSleepAnalysisAsleep"  # Asleep, AsleepCore/Deep/REM/Unspecified
WORKOUT_TYPE_FACTOR = "workout_type"  # custom categorical factor: the day's longest workout

# Unit conversions into the diary's units, by kind of quantity.
_ENERGY_KCAL = {"Cal": 1.0, "kcal": 1.0, "cal": 0.001, "kJ": 1 / 4.184, "J": 1 / 4184}
_DISTANCE_KM = {"km": 1.0, "m": 0.001, "cm": 1e-5, "mi": 1.609344, "yd": 0.0009144, "ft": 0.0003048}
_VOLUME_L = {
    "L": 1.0,
    "mL": 0.001,
    "dL": 0.1,
    "cL": 0.01,
    "fl_oz_us": 0.0295735,
    "fl_oz_imp": 0.0284131,
    "cup_us": 0.2365882,
}
_MASS_MG = {"mg": 1.0, "g": 1000.0, "mcg": 0.001, "µg": 0.001, "kg": 1e6}
_TIME_MIN = {"min": 1.0, "s": 1 / 60, "hr": 60.0, "h": 60.0}
_COUNT = {"count": 1.0}

# type -> (diary factor, unit table, merge overlapping sources?)
# Dietary entries are instants logged by apps; they never overlap, so they are summed.
RECORD_TYPES: dict[str, tuple[str, dict[str, float], bool]] = {
    QTY + "StepCount": ("steps", _COUNT, True),
    QTY + "DistanceWalkingRunning": ("distance_km", _DISTANCE_KM, True),
    QTY + "ActiveEnergyBurned": ("active_energy_kcal", _ENERGY_KCAL, True),
    QTY + "AppleExerciseTime": ("exercise_min", _TIME_MIN, True),
    QTY + "DietaryWater": ("fluids_l", _VOLUME_L, False),
    QTY + "DietaryCalcium": ("calcium_mg", _MASS_MG, False),
    QTY + "DietaryMagnesium": ("magnesium_mg", _MASS_MG, False),
    QTY + "DietaryPotassium": ("potassium_mg", _MASS_MG, False),
    QTY + "DietarySodium": ("sodium_mg", _MASS_MG, False),
}
DECIMALS = {
    "steps": 0, "distance_km": 2, "active_energy_kcal": 0, "exercise_min": 0, "workout_min": 0,
    "fluids_l": 2, "calcium_mg": 0, "magnesium_mg": 0, "potassium_mg": 0, "sodium_mg": 0,
    "sleep_hours": 2,
}  # fmt: skip
_READ_CHUNK = 1 << 18  # 256 KiB reads (as fast as 1 MiB, less memory); at most _QUEUED wait
_QUEUED = 8
# "MM:SS" -> seconds, for the minutes and seconds of a timestamp (3,600 entries).
_MMSS = {f"{m:02d}:{s:02d}": m * 60 + s for m in range(60) for s in range(60)}


@dataclass
class HealthImport:
    """What an export holds, per diary day, ready to write (nothing written yet)."""

    days: dict[date, dict[str, float | str]] = field(default_factory=dict)
    records_read: int = 0
    records_used: int = 0
    workouts: int = 0
    bytes_read: int = 0
    skipped: dict[str, int] = field(default_factory=dict)  # reason -> count
    days_changed: int = 0  # set by import_export

    def summary(self) -> dict[str, Any]:
        """A JSON-ready account of the import."""
        dates = sorted(self.days)
        return {
            "days": len(self.days),
            "days_changed": self.days_changed,
            "first_day": dates[0].isoformat() if dates else None,
            "last_day": dates[-1].isoformat() if dates else None,
            "records_read": self.records_read,
            "records_used": self.records_used,
            "workouts": self.workouts,
            "bytes_read": self.bytes_read,
            "skipped": self.skipped,
        }

    def day_logs(self) -> list[DayLog]:
        """One DayLog per day with data, dates ascending."""
        return [DayLog(d, dict(v)) for d, v in sorted(self.days.items())]


class _Prefetch:
    """Reads the stream in a background thread, 256 KiB at a time, counting bytes.

    zlib and file reads release the GIL, so on two cores unzipping overlaps parsing (from
    export.zip ~0.3-0.5 s faster per 500 MB than reading in the parsing thread; from a plain
    export.xml it makes no measurable difference).
    """

    def __init__(self, raw: IO[bytes], on_progress: Callable[[int], None] | None) -> None:
        self.done = 0
        self.on_progress = on_progress
        self._queue: queue.Queue[bytes | BaseException] = queue.Queue(maxsize=_QUEUED)
        self._stop = threading.Event()
        self._finished = False
        self._thread = threading.Thread(target=self._pump, args=(raw,), daemon=True)
        self._thread.start()

    def _pump(self, raw: IO[bytes]) -> None:
        item: bytes | BaseException = b""
        while not self._stop.is_set():
            try:
                item = raw.read(_READ_CHUNK)
            except BaseException as exc:  # handed to the parsing thread, raised there
                item = exc
            while not self._stop.is_set():
                try:
                    self._queue.put(item, timeout=0.1)
                    break
                except queue.Full:
                    continue
            if not isinstance(item, bytes) or not item:
                return

    def read(self, n: int = -1) -> bytes:
        if self._finished:
            return b""
        item = self._queue.get()
        if isinstance(item, BaseException):
            self._finished = True
            raise item
        if not item:
            self._finished = True
        self.done += len(item)
        if self.on_progress is not None:
            self.on_progress(self.done)
        return item

    def close(self) -> None:
        """Stop the reader thread (also when parsing stopped early)."""
        self._stop.set()
        self._thread.join()


@contextmanager
def _open_export(path: Path) -> Iterator[tuple[IO[bytes], int]]:
    """Yield (binary stream of export.xml, its uncompressed size) from a zip, xml or folder."""
    if path.is_dir():
        path = path / "export.xml"
    if not path.is_file():
        raise InputError(f"file '{path}': not found")
    if zipfile.is_zipfile(path):
        try:
            zf = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as exc:
            raise InputError(f"file '{path}': corrupt zip archive ({exc})") from exc
        with zf:
            names = [i for i in zf.infolist() if i.filename.rsplit("/", 1)[-1] == "export.xml"]
            if not names:
                raise InputError(
                    f"file '{path}': no export.xml inside; is this an Apple Health export?"
                )
            info = min(names, key=lambda i: i.filename.count("/"))
            with zf.open(info) as fh:
                yield fh, info.file_size
        return
    with path.open("rb") as fh:
        yield fh, path.stat().st_size


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
    from lxml import etree

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
            raw, total_bytes = stack.enter_context(_open_export(path))
            src = _Prefetch(
                raw, (lambda done: on_progress(done, total_bytes)) if on_progress else None
            )
            stack.callback(src.close)
            # cast: the stubs' ParserTarget protocol also wants data(); asking for text would
            # cost a call per whitespace run.
            target = cast(Any, _Target(start, end))
            parser = etree.XMLParser(target=target, **_PARSER_OPTIONS)
            feed, read = parser.feed, src.read
            try:
                while chunk := read(_READ_CHUNK):
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
    _fill_days(out, totals, workouts)
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
    from lxml import etree

    with _open_export(path) as (raw, _):
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
            minutes = float(duration) * _TIME_MIN.get(attrib.get("durationUnit", "min"), 1.0)
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


def _fill_days(
    out: HealthImport, totals: dict[tuple[str, date], float], workouts: dict[date, dict[str, float]]
) -> None:
    for (factor, day), value in totals.items():
        _put(out, day, factor, value)
    for day, per_kind in workouts.items():
        _put(out, day, "workout_min", sum(per_kind.values()))
        out.days[day][WORKOUT_TYPE_FACTOR] = max(per_kind.items(), key=lambda kv: (kv[1], kv[0]))[0]


def _put(out: HealthImport, day: date, factor: str, value: float) -> None:
    spec = BUILTIN_BY_NAME[factor]
    value = round(value, DECIMALS.get(factor, 2))
    if (spec.maximum is not None and value > spec.maximum) or value < 0:
        reason = f"{factor} outside {spec.minimum}–{spec.maximum}"
        out.skipped[reason] = out.skipped.get(reason, 0) + 1
        return
    out.days.setdefault(day, {})[factor] = value


def progress_printer() -> tuple[Callable[[int, int], None] | None, Callable[[], None]]:
    """A Rich progress bar on stderr when it is a terminal, else nothing: (update, close)."""
    import sys

    if not sys.stderr.isatty():
        return None, lambda: None
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TimeRemainingColumn,
        TransferSpeedColumn,
    )

    bar = Progress(
        "[progress.description]{task.description}", BarColumn(), DownloadColumn(),
        TransferSpeedColumn(), TimeRemainingColumn(), transient=True,
    )  # fmt: skip
    bar.start()
    task = bar.add_task("Reading Apple Health export", total=None)
    last = [0]

    def update(done: int, total: int) -> None:
        if done - last[0] >= 4 << 20 or done >= total:  # redraw every 4 MB
            last[0] = done
            bar.update(task, completed=done, total=total)

    return update, bar.stop


def import_export(
    diary: Any, path: str | Path, on_progress: Callable[[int, int], None] | None = None
) -> HealthImport:
    """Parse the whole export, then write every day in one transaction (source apple_health).

    `diary` is a `crampwise.store.UserDiary`. Values typed by hand are kept; a re-import
    replaces the earlier apple_health values of a day instead of adding to them.
    """
    from crampwise.diary.model import CustomFactor

    parsed = read_export(path, on_progress)
    if parsed.workouts and WORKOUT_TYPE_FACTOR not in {f.name for f in diary.custom_factors()}:
        diary.define_factor(CustomFactor(WORKOUT_TYPE_FACTOR, "categorical"))
    parsed.days_changed = diary.put_days(parsed.day_logs(), source="apple_health")
    return parsed
