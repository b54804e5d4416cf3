"""Apple Health import: stream `export.zip` / `export.xml` into per-day diary values.

The export can be several GB, so it is parsed with `lxml.etree.iterparse`, keeping only
small per-day aggregates. Nothing is written until the whole file has parsed: a corrupt or
truncated export raises `InputError` and leaves the diary as it was.

Days are the user's local days, taken from each record's own wall-clock time and UTC offset
(a record stamped `2024-03-10 23:30:00 -0500` is on 10 March wherever it is read). Sleep is
attributed to the diary row by `crampwise.diary.night_of` applied to each asleep sample's
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
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

from crampwise.diary import BUILTIN_BY_NAME, DayLog, night_of
from crampwise.errors import InputError
from crampwise.interop.source_merge import SourceMerger, source_rank

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
_WANTED = frozenset([*RECORD_TYPES, SLEEP])
DECIMALS = {
    "steps": 0, "distance_km": 2, "active_energy_kcal": 0, "exercise_min": 0, "workout_min": 0,
    "fluids_l": 2, "calcium_mg": 0, "magnesium_mg": 0, "potassium_mg": 0, "sodium_mg": 0,
    "sleep_hours": 2,
}  # fmt: skip
_READ_CHUNK = 1 << 18  # 256 KiB: small buffers keep the reader thread's arena small


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

    zlib and file reads release the GIL, so on two cores unzipping overlaps parsing; lxml
    accepts chunks longer than the size it asks for.
    """

    def __init__(self, raw: IO[bytes], on_progress: Callable[[int], None] | None) -> None:
        self.done = 0
        self.on_progress = on_progress
        self._queue: queue.Queue[bytes | BaseException] = queue.Queue(maxsize=16)
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


def read_export(
    path: str | Path, on_progress: Callable[[int, int], None] | None = None
) -> HealthImport:
    """Parse a whole Apple Health export into per-day values; raises InputError if unreadable.

    `on_progress(bytes_done, bytes_total)` is called as the file is read.
    """
    from lxml import etree

    path = Path(path)
    out = HealthImport()
    totals: dict[tuple[str, date], float] = {}
    workouts: dict[date, dict[str, float]] = {}
    merger = SourceMerger()
    dates: dict[str, date] = {}
    ranks: dict[str, int] = {}
    epoch_cache: dict[str, float] = {}

    def day_of(stamp: str) -> date:
        d = dates.get(stamp[:10])
        if d is None:
            d = dates[stamp[:10]] = date.fromisoformat(stamp[:10])
        return d

    def seconds(stamp: str) -> float:
        # Absolute time from the record's own offset; the hour's start cached per offset.
        key = stamp[:13] + stamp[19:]
        base = epoch_cache.get(key)
        if base is None:
            base = epoch_cache[key] = datetime.fromisoformat(
                stamp[:10] + "T" + stamp[11:13] + ":00:00" + stamp[20:]
            ).timestamp()
        return base + int(stamp[14:16]) * 60 + int(stamp[17:19])

    try:
        with ExitStack() as stack:
            raw, total_bytes = stack.enter_context(_open_export(path))
            src = _Prefetch(
                raw, (lambda done: on_progress(done, total_bytes)) if on_progress else None
            )
            stack.callback(src.close)
            context = etree.iterparse(
                src, events=("end",), tag=("Record", "Workout", "HealthData"),
                resolve_entities=False, no_network=True, huge_tree=True, load_dtd=False,
            )  # fmt: skip
            current_type = ""
            saw_root = False
            records = 0
            wanted = _WANTED
            for _, elem in context:
                tag = elem.tag
                parent = elem.getparent()
                if parent is not None and parent.tag != "HealthData":
                    # A Record inside a Correlation (e.g. a meal) is also written top-level.
                    elem.clear(keep_tail=True)
                    continue
                if tag == "Record":
                    records += 1
                    typ = elem.get("type", "")
                    if typ != current_type:
                        merger.flush(totals)  # exports group records by type: keep memory flat
                        current_type = typ
                    if typ in wanted:
                        _take_record(elem, typ, out, totals, merger, day_of, seconds, ranks)
                elif tag == "Workout":
                    _take_workout(elem, out, workouts, day_of, seconds)
                else:
                    saw_root = True
                    break
                # Free what has been seen: the element, its children and earlier siblings.
                elem.clear(keep_tail=True)
                if parent is not None:
                    while elem.getprevious() is not None:
                        del parent[0]
            out.bytes_read = src.done
            out.records_read = records
            if not saw_root:
                raise InputError(
                    f"file '{path}': not an Apple Health export (no <HealthData> root)"
                )
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


def _take_record(
    elem: Any,
    typ: str,
    out: HealthImport,
    totals: dict[tuple[str, date], float],
    merger: SourceMerger,
    day_of: Callable[[str], date],
    seconds: Callable[[str], float],
    ranks: dict[str, int],
) -> None:
    start, end = elem.get("startDate"), elem.get("endDate")
    if not start or not end or len(start) < 25 or len(end) < 25:
        _bad(elem, "startDate/endDate")
    name = elem.get("sourceName", "")
    rank = ranks.get(name)
    if rank is None:
        # Device strings carry a per-sample object address: never cache by them.
        rank = source_rank(name, elem.get("device"))
        if rank < 2 or "device" not in elem.attrib:
            ranks[name] = rank
    try:
        if typ == SLEEP:
            if not elem.get("value", "").startswith(ASLEEP_PREFIX):
                return
            s, e = seconds(start), seconds(end)
            wall_end = datetime.fromisoformat(end[:19])
            merger.add("sleep_hours", night_of(wall_end), rank, s, e, max(0.0, e - s) / 3600)
            out.records_used += 1
            return
        factor, units, merge = RECORD_TYPES[typ]
        unit = elem.get("unit", "")
        scale = units.get(unit)
        if scale is None:
            out.skipped[f"{typ} in unit {unit!r}"] = (
                out.skipped.get(f"{typ} in unit {unit!r}", 0) + 1
            )
            return
        value = float(elem.get("value", "")) * scale
        day = day_of(start)
        if merge:
            merger.add(factor, day, rank, seconds(start), seconds(end), value)
        else:
            totals[(factor, day)] = totals.get((factor, day), 0.0) + value
        out.records_used += 1
    except ValueError:
        _bad(elem, "value or date")


def _take_workout(
    elem: Any,
    out: HealthImport,
    workouts: dict[date, dict[str, float]],
    day_of: Callable[[str], date],
    seconds: Callable[[str], float],
) -> None:
    start, end = elem.get("startDate"), elem.get("endDate")
    if not start or not end or len(start) < 25:
        _bad(elem, "startDate/endDate")
    try:
        duration = elem.get("duration")
        if duration is not None:
            minutes = float(duration) * _TIME_MIN.get(elem.get("durationUnit", "min"), 1.0)
        else:
            minutes = (seconds(end) - seconds(start)) / 60
        day = day_of(start)
    except ValueError:
        _bad(elem, "duration or date")
    kind = _snake(
        elem.get("workoutActivityType", "HKWorkoutActivityTypeOther").removeprefix(
            "HKWorkoutActivityType"
        )
    )
    per_kind = workouts.setdefault(day, {})
    per_kind[kind] = per_kind.get(kind, 0.0) + max(0.0, minutes)
    out.workouts += 1


def _snake(name: str) -> str:
    return "".join("_" + c.lower() if c.isupper() and i else c.lower() for i, c in enumerate(name))


def _bad(elem: Any, what: str) -> None:
    kind = elem.get("type") or elem.get("workoutActivityType")
    raise InputError(
        f"line {elem.sourceline}: <{elem.tag} type={kind!r}> "
        f"has an unreadable {what}; nothing was imported",
        line=elem.sourceline,
    )


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
    from crampwise.diary import CustomFactor

    parsed = read_export(path, on_progress)
    if parsed.workouts and WORKOUT_TYPE_FACTOR not in {f.name for f in diary.custom_factors()}:
        diary.define_factor(CustomFactor(WORKOUT_TYPE_FACTOR, "categorical"))
    parsed.days_changed = diary.put_days(parsed.day_logs(), source="apple_health")
    return parsed
