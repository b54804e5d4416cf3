"""The diary's domain: cramp episodes, day logs and the factors a day can carry.

One diary row is one *day and the night that follows it*: a cramp at 03:00 on 2 Dec
belongs to the row dated 1 Dec (see `night_of`). Everything here is plain data and
validation; storage lives in `crampwise.store`, analysis in `crampwise.analysis`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Literal

FactorKind = Literal["numeric", "boolean", "categorical"]

MUSCLES = ("calf", "foot", "toes", "thigh_front", "thigh_back", "hand", "other")
SIDES = ("left", "right", "both")
INTENSITIES = ("none", "light", "moderate", "hard")
SLEEP_POSITIONS = ("back", "side", "prone")

# A night runs from noon to noon: anything before this hour belongs to the previous day's row.
NIGHT_ENDS_AT = time(12, 0)


def night_of(moment: datetime) -> date:
    """The diary row (day and following night) that a moment belongs to."""
    local = moment.date()
    if moment.time() < NIGHT_ENDS_AT:
        return date.fromordinal(local.toordinal() - 1)
    return local


@dataclass(frozen=True)
class FactorSpec:
    """A built-in day-log factor: its column name in CSV and storage, kind, unit, limits."""

    name: str
    kind: FactorKind
    label: str
    unit: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()


# The contract's `day` block first, then the diary's own factors. Order = CSV column order.
BUILTIN_FACTORS: tuple[FactorSpec, ...] = (
    FactorSpec("exercise_min", "numeric", "Exercise", "min", 0, 1440),
    FactorSpec("exercise_intensity", "categorical", "Exercise intensity", choices=INTENSITIES),
    FactorSpec("fluids_l", "numeric", "Fluids", "L", 0, 20),
    FactorSpec("heavy_sweating", "boolean", "Heavy sweating"),
    FactorSpec("bedroom_temp_c", "numeric", "Bedroom temperature", "°C", -10, 45),
    FactorSpec("legs_cold", "boolean", "Legs cold in bed"),
    FactorSpec("sleep_position", "categorical", "Sleep position", choices=SLEEP_POSITIONS),
    FactorSpec("calcium_mg", "numeric", "Calcium", "mg", 0, 10000),
    FactorSpec("vitamin_d", "boolean", "Vitamin D taken"),
    FactorSpec("alcohol_units", "numeric", "Alcohol", "units", 0, 100),
    FactorSpec("hours_sitting", "numeric", "Hours sitting", "h", 0, 24),
    FactorSpec("hours_standing", "numeric", "Hours standing", "h", 0, 24),
    FactorSpec("stretched", "boolean", "Stretched before bed"),
    FactorSpec("footbath", "boolean", "Warm footbath before bed"),
    FactorSpec("massage", "boolean", "Massage"),
    FactorSpec("steps", "numeric", "Steps", "steps", 0, 200000),
    FactorSpec("sleep_hours", "numeric", "Sleep", "h", 0, 24),
    # Filled mostly by the Apple Health importer.
    FactorSpec("active_energy_kcal", "numeric", "Active energy", "kcal", 0, 20000),
    FactorSpec("distance_km", "numeric", "Walking + running distance", "km", 0, 500),
    FactorSpec("workout_min", "numeric", "Workouts", "min", 0, 1440),
    FactorSpec("magnesium_mg", "numeric", "Magnesium", "mg", 0, 10000),
    FactorSpec("potassium_mg", "numeric", "Potassium", "mg", 0, 50000),
    FactorSpec("sodium_mg", "numeric", "Sodium", "mg", 0, 50000),
)
BUILTIN_BY_NAME: dict[str, FactorSpec] = {f.name: f for f in BUILTIN_FACTORS}

FactorValue = float | bool | str


@dataclass
class Episode:
    """One cramp. `started_at` is the local wall-clock time (naive = the user's local time)."""

    started_at: datetime
    muscle: str = "calf"
    side: str | None = None
    duration_s: int | None = None
    pain: int | None = None
    woke: bool | None = None
    helped: list[str] = field(default_factory=list)
    note: str | None = None
    id: int | None = None

    @property
    def night(self) -> date:
        return night_of(self.started_at)


@dataclass
class DayLog:
    """What a person did and felt on one day. Missing values are None, never zero."""

    date: date
    values: dict[str, FactorValue] = field(default_factory=dict)  # built-in and custom factors


@dataclass(frozen=True)
class CustomFactor:
    """A factor a user defines for themselves (e.g. `coffee_cups`, numeric, cups)."""

    name: str
    kind: FactorKind
    unit: str | None = None
    choices: tuple[str, ...] = ()


@dataclass
class Medicine:
    """A medicine the user takes, as typed (brand or generic), with its dates."""

    name: str
    started: date | None = None
    stopped: date | None = None
    id: int | None = None
