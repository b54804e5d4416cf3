"""Which Health records fill which diary column, in which units, and the per-day result.

Unit tables convert every unit Apple writes into the diary column's unit; a unit not in the
table is skipped and counted, never guessed. Daily totals are rounded like the column and
checked against its limits before they become a day's value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from crampwise.diary.model import BUILTIN_BY_NAME, DayLog

QTY = "HKQuantityTypeIdentifier"
SLEEP = "HKCategoryTypeIdentifierSleepAnalysis"
ASLEEP_PREFIX = "HKCategoryValueSleepAnalysisAsleep"  # Asleep, AsleepCore/Deep/REM/Unspecified
WORKOUT_TYPE_FACTOR = "workout_type"  # custom categorical factor: the day's longest workout

# Unit conversions into the diary's units, by kind of quantity.
ENERGY_KCAL = {"Cal": 1.0, "kcal": 1.0, "cal": 0.001, "kJ": 1 / 4.184, "J": 1 / 4184}
DISTANCE_KM = {"km": 1.0, "m": 0.001, "cm": 1e-5, "mi": 1.609344, "yd": 0.0009144, "ft": 0.0003048}
VOLUME_L = {
    "L": 1.0,
    "mL": 0.001,
    "dL": 0.1,
    "cL": 0.01,
    "fl_oz_us": 0.0295735,
    "fl_oz_imp": 0.0284131,
    "cup_us": 0.2365882,
}
MASS_MG = {"mg": 1.0, "g": 1000.0, "mcg": 0.001, "µg": 0.001, "kg": 1e6}
TIME_MIN = {"min": 1.0, "s": 1 / 60, "hr": 60.0, "h": 60.0}
COUNT = {"count": 1.0}

# type -> (diary factor, unit table, merge overlapping sources?)
# Dietary entries are instants logged by apps; they never overlap, so they are summed.
RECORD_TYPES: dict[str, tuple[str, dict[str, float], bool]] = {
    QTY + "StepCount": ("steps", COUNT, True),
    QTY + "DistanceWalkingRunning": ("distance_km", DISTANCE_KM, True),
    QTY + "ActiveEnergyBurned": ("active_energy_kcal", ENERGY_KCAL, True),
    QTY + "AppleExerciseTime": ("exercise_min", TIME_MIN, True),
    QTY + "DietaryWater": ("fluids_l", VOLUME_L, False),
    QTY + "DietaryCalcium": ("calcium_mg", MASS_MG, False),
    QTY + "DietaryMagnesium": ("magnesium_mg", MASS_MG, False),
    QTY + "DietaryPotassium": ("potassium_mg", MASS_MG, False),
    QTY + "DietarySodium": ("sodium_mg", MASS_MG, False),
}
DECIMALS = {
    "steps": 0, "distance_km": 2, "active_energy_kcal": 0, "exercise_min": 0, "workout_min": 0,
    "fluids_l": 2, "calcium_mg": 0, "magnesium_mg": 0, "potassium_mg": 0, "sodium_mg": 0,
    "sleep_hours": 2,
}  # fmt: skip


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


def fill_days(
    out: HealthImport, totals: dict[tuple[str, date], float], workouts: dict[date, dict[str, float]]
) -> None:
    """Turn daily totals and each day's workout minutes by type into `out.days`."""
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
