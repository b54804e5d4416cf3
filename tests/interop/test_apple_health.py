"""Apple Health import: real generated exports (zip and xml), hand-made edge cases, storage."""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from datetime import date
from pathlib import Path

import pytest

from crampwise.diary.model import DayLog
from crampwise.errors import InputError
from crampwise.interop.apple_health.importer import import_export
from crampwise.interop.apple_health.parser import read_export
from crampwise.store import Store

# The shared generator lives next to the repository (../shared/tools); override with an env var.
GENERATOR = Path(
    os.environ.get(
        "CRAMPWISE_HEALTH_GENERATOR",
        Path(__file__).resolve().parents[3] / "shared" / "tools" / "make_health_export.py",
    )
)
HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<HealthData locale="en_US">\n'
    ' <ExportDate value="2024-03-12 08:00:00 -0500"/>\n'
)
WATCH = (
    'sourceName="Alex’s Apple Watch" '
    'device="&lt;&lt;HKDevice: 0x1&gt;, name:Apple Watch, model:Watch&gt;"'
)
PHONE = (
    'sourceName="Alex’s iPhone" device="&lt;&lt;HKDevice: 0x2&gt;, name:iPhone, model:iPhone&gt;"'
)


def generate(out: Path, size_mb: float, days: int | None = None) -> Path:
    if not GENERATOR.is_file():
        pytest.skip(f"needs the export generator at {GENERATOR} (set CRAMPWISE_HEALTH_GENERATOR)")
    cmd = [sys.executable, str(GENERATOR), str(size_mb), "--out-dir", str(out)]
    if days:
        cmd += ["--days", str(days)]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return out


@pytest.fixture(scope="module")
def export_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """About 4 MB: ten days ending 2024-11-30 (seed 42)."""
    return generate(tmp_path_factory.mktemp("health"), 0, days=10)


def write_xml(path: Path, body: str) -> Path:
    path.write_text(HEAD + body + "</HealthData>\n", encoding="utf-8")
    return path


def record(typ: str, src: str, start: str, end: str, value: object, unit: str = "count") -> str:
    return (
        f' <Record type="HKQuantityTypeIdentifier{typ}" {src} unit="{unit}" '
        f'startDate="{start}" endDate="{end}" value="{value}"/>\n'
    )


def sleep(src: str, start: str, end: str, stage: str) -> str:
    return (
        f' <Record type="HKCategoryTypeIdentifierSleepAnalysis" {src} startDate="{start}" '
        f'endDate="{end}" value="HKCategoryValueSleepAnalysis{stage}"/>\n'
    )


def workout(kind: str, minutes: int, start: str, end: str) -> str:
    return (
        f' <Workout workoutActivityType="HKWorkoutActivityType{kind}" duration="{minutes}" '
        f'durationUnit="min" {WATCH} startDate="2024-03-11 {start}:00 -0500" '
        f'endDate="2024-03-11 {end}:00 -0500"/>\n'
    )


def test_zip_and_xml_give_the_same_days(export_dir: Path) -> None:
    from_zip = read_export(export_dir / "export.zip")
    from_xml = read_export(export_dir / "export.xml")
    assert from_zip.days == from_xml.days
    assert len(from_zip.days) == 10
    assert min(from_zip.days) == date(2024, 11, 21)
    assert from_zip.bytes_read == (export_dir / "export.xml").stat().st_size


def test_exercise_minutes_match_the_activity_summaries(export_dir: Path) -> None:
    """The Health app's own daily rings (ActivitySummary) are an independent account."""
    parsed = read_export(export_dir / "export.xml")
    rings = {
        date.fromisoformat(el.get("dateComponents", "")): float(el.get("appleExerciseTime", ""))
        for el in ET.parse(export_dir / "export.xml").getroot().iter("ActivitySummary")
    }
    assert rings
    for day, minutes in rings.items():
        assert parsed.days.get(day, {}).get("exercise_min", 0.0) == minutes, day


def test_steps_from_both_devices_are_not_double_counted(export_dir: Path) -> None:
    parsed = read_export(export_dir / "export.xml")
    root = ET.parse(export_dir / "export.xml").getroot()
    watch: dict[str, float] = {}
    both: dict[str, float] = {}
    for el in root.iter("Record"):
        if el.get("type") == "HKQuantityTypeIdentifierStepCount":
            day = el.get("startDate", "")[:10]
            both[day] = both.get(day, 0) + float(el.get("value", ""))
            if "Watch" in el.get("sourceName", ""):
                watch[day] = watch.get(day, 0) + float(el.get("value", ""))
    for day, total in both.items():
        steps = parsed.days[date.fromisoformat(day)]["steps"]
        if day in watch:  # both devices: more than the watch alone, less than the naive sum
            assert watch[day] <= steps < total, day
        else:  # the watch was not worn: the phone's count is the day's count
            assert steps == total, day
    assert len(watch) < len(both)  # the generated export has a day without the watch


def test_overlap_rules_on_hand_made_records(tmp_path: Path) -> None:
    body = (
        # the same 10 minutes seen by both devices: counted once (the watch's figure)
        record("StepCount", WATCH, "2024-03-11 09:00:00 -0500", "2024-03-11 09:10:00 -0500", 1000)
        + record("StepCount", PHONE, "2024-03-11 09:00:00 -0500", "2024-03-11 09:10:00 -0500", 900)
        # phone alone (watch off): counted in full
        + record("StepCount", PHONE, "2024-03-11 12:00:00 -0500", "2024-03-11 12:10:00 -0500", 500)
        # phone half covered by the watch: half of it counts
        + record("StepCount", WATCH, "2024-03-11 15:00:00 -0500", "2024-03-11 15:05:00 -0500", 300)
        + record("StepCount", PHONE, "2024-03-11 15:00:00 -0500", "2024-03-11 15:10:00 -0500", 400)
    )
    parsed = read_export(write_xml(tmp_path / "export.xml", body))
    assert parsed.days == {date(2024, 3, 11): {"steps": 1000 + 500 + 300 + 200}}


def test_days_follow_each_records_own_utc_offset(tmp_path: Path) -> None:
    body = (
        # 23:30 in New York is 04:30 UTC next day: still the 10th for this person
        record("StepCount", WATCH, "2024-03-10 23:30:00 -0500", "2024-03-10 23:40:00 -0500", 100)
        # after flying to Europe: 00:30 local on the 12th is the 12th
        + record("StepCount", WATCH, "2024-03-12 00:30:00 +0100", "2024-03-12 00:40:00 +0100", 200)
    )
    parsed = read_export(write_xml(tmp_path / "export.xml", body))
    assert parsed.days == {date(2024, 3, 10): {"steps": 100}, date(2024, 3, 12): {"steps": 200}}


def test_units_are_converted(tmp_path: Path) -> None:
    day = ("2024-03-11 10:00:00 -0500", "2024-03-11 10:30:00 -0500")
    body = (
        record("ActiveEnergyBurned", WATCH, *day, 418.4, unit="kJ")
        + record("DistanceWalkingRunning", WATCH, *day, 2, unit="mi")
        + record("DietaryWater", 'sourceName="WaterMinder"', *day, 500, unit="mL")
        + record("DietaryWater", 'sourceName="WaterMinder"', *day, 16, unit="fl_oz_us")
        + record("DietaryCalcium", 'sourceName="MyFitnessPal"', *day, 0.3, unit="g")
        + record("DietaryMagnesium", 'sourceName="MyFitnessPal"', *day, 120, unit="mg")
        + record("AppleExerciseTime", WATCH, *day, 30, unit="min")
    )
    values = read_export(write_xml(tmp_path / "export.xml", body)).days[date(2024, 3, 11)]
    assert values == {
        "active_energy_kcal": 100, "distance_km": 3.22, "fluids_l": 0.97,
        "calcium_mg": 300, "magnesium_mg": 120, "exercise_min": 30,
    }  # fmt: skip


def test_records_inside_a_correlation_are_not_counted_twice(tmp_path: Path) -> None:
    meal = record("DietaryCalcium", 'sourceName="MyFitnessPal"', "2024-03-11 12:00:00 -0500",
                  "2024-03-11 12:00:00 -0500", 250, unit="mg")  # fmt: skip
    body = (
        ' <Correlation type="HKCorrelationTypeIdentifierFood" sourceName="MyFitnessPal"'
        ' startDate="2024-03-11 12:00:00 -0500" endDate="2024-03-11 12:00:00 -0500">\n'
        + meal
        + " </Correlation>\n"
        + meal  # the export repeats every correlation's records at the top level
    )
    parsed = read_export(write_xml(tmp_path / "export.xml", body))
    assert parsed.days == {date(2024, 3, 11): {"calcium_mg": 250}}


def test_sleep_counts_asleep_stages_for_the_night_they_end(tmp_path: Path) -> None:
    body = (
        sleep(PHONE, "2024-03-10 22:30:00 -0500", "2024-03-11 07:00:00 -0500", "InBed")
        + sleep(WATCH, "2024-03-10 23:00:00 -0500", "2024-03-11 01:00:00 -0500", "AsleepCore")
        + sleep(WATCH, "2024-03-11 01:00:00 -0500", "2024-03-11 01:30:00 -0500", "Awake")
        + sleep(WATCH, "2024-03-11 01:30:00 -0500", "2024-03-11 03:00:00 -0500", "AsleepDeep")
        + sleep(WATCH, "2024-03-11 03:00:00 -0500", "2024-03-11 06:45:00 -0500", "AsleepREM")
    )
    parsed = read_export(write_xml(tmp_path / "export.xml", body))
    assert parsed.days == {date(2024, 3, 10): {"sleep_hours": 7.25}}


def test_workouts_give_minutes_and_the_longest_type(tmp_path: Path) -> None:
    body = workout("Running", 30, "07:00", "07:30") + workout(
        "TraditionalStrengthTraining", 45, "18:00", "18:45"
    )
    parsed = read_export(write_xml(tmp_path / "export.xml", body))
    assert parsed.days == {
        date(2024, 3, 11): {"workout_min": 75, "workout_type": "traditional_strength_training"}
    }


def test_import_is_idempotent_and_keeps_manual_values(store: Store, export_dir: Path) -> None:
    diary = store.diary("ann")
    day = date(2024, 11, 25)
    diary.put_day(DayLog(day, {"steps": 4321.0, "legs_cold": True}), source="manual")
    first = import_export(diary, export_dir / "export.zip")
    assert first.days_changed == 10
    after_first = diary.days()
    again = import_export(diary, export_dir / "export.xml")
    assert again.days_changed == 0
    assert diary.days() == after_first
    kept = diary.get_day(day)
    assert kept is not None
    assert kept.values["steps"] == 4321.0 and kept.values["legs_cold"] is True
    assert kept.values["sleep_hours"] == first.days[day]["sleep_hours"]
    assert "workout_type" in {f.name for f in diary.custom_factors()}


def test_a_newer_export_adds_days_without_counting_twice(
    store: Store, export_dir: Path, tmp_path: Path
) -> None:
    diary = store.diary("ben")
    import_export(diary, export_dir / "export.zip")
    before = {d.date: d.values for d in diary.days()}
    newer = generate(tmp_path / "newer", 0, days=14)  # same seed: a superset of the 10 days
    result = import_export(diary, newer / "export.zip")
    after = {d.date: d.values for d in diary.days()}
    assert len(after) == 14 and result.days_changed == 4
    assert all(after[d] == v for d, v in before.items())


@pytest.mark.parametrize("damage", ["truncated_xml", "truncated_zip", "corrupt_zip", "not_health"])
def test_damaged_files_are_refused_and_nothing_is_written(
    store: Store, export_dir: Path, tmp_path: Path, damage: str
) -> None:
    xml = (export_dir / "export.xml").read_bytes()
    zipped = (export_dir / "export.zip").read_bytes()
    bad = tmp_path / ("export.zip" if "zip" in damage else "export.xml")
    if damage == "truncated_xml":
        bad.write_bytes(xml[: len(xml) * 2 // 3])
    elif damage == "truncated_zip":
        bad.write_bytes(zipped[: len(zipped) // 2])
    elif damage == "corrupt_zip":
        mid = len(zipped) // 2
        bad.write_bytes(
            zipped[:mid] + bytes(b ^ 0x5A for b in zipped[mid : mid + 64]) + zipped[mid + 64 :]
        )
    else:
        bad.write_text("<?xml version='1.0'?><gpx><trk/></gpx>")
    diary = store.diary("cat")
    diary.put_day(DayLog(date(2024, 11, 25), {"fluids_l": 1.0}))
    with pytest.raises(InputError) as err:
        import_export(diary, bad)
    assert "nothing was imported" in str(err.value) or "not an Apple Health export" in str(
        err.value
    )
    assert [d.values for d in diary.days()] == [{"fluids_l": 1.0}]


def test_cli_imports_and_reports_bad_files_on_one_line(export_dir: Path, tmp_path: Path) -> None:
    env = dict(os.environ, CRAMPWISE_DATABASE_URL=f"sqlite:///{tmp_path / 'cli.db'}")
    exe = Path(sys.executable).with_name("crampwise")
    ok = subprocess.run(
        [exe, "import", "apple-health", export_dir / "export.zip", "--format", "json"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert ok.returncode == 0, ok.stderr
    assert '"days": 10' in ok.stdout
    broken = tmp_path / "export.xml"
    broken.write_bytes((export_dir / "export.xml").read_bytes()[:200_000])
    bad = subprocess.run(
        [exe, "import", "apple-health", broken],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 2
    assert bad.stderr.count("\n") == 1 and "truncated" in bad.stderr
    with zipfile.ZipFile(tmp_path / "other.zip", "w") as zf:
        zf.writestr("notes.txt", "hello")
    nozip = subprocess.run(
        [exe, "import", "apple-health", tmp_path / "other.zip"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert nozip.returncode == 2 and "no export.xml" in nozip.stderr


def test_the_unzipped_folder_works_too(export_dir: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(export_dir / "export.zip") as zf:
        zf.extractall(tmp_path)
    folder = tmp_path / "apple_health_export"
    assert read_export(folder).days == read_export(export_dir / "export.zip").days
    with pytest.raises(InputError, match="not found"):
        read_export(tmp_path / "missing.zip")
