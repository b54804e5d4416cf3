"""Apple Health import into a diary: parse the whole export first, then write once.

Nothing is written until the whole file has parsed, so a corrupt or truncated export leaves
the diary as it was.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Protocol

from crampwise.diary.model import CustomFactor, DayLog
from crampwise.interop.apple_health.columns import WORKOUT_TYPE_FACTOR, HealthImport
from crampwise.interop.apple_health.limits import DEFAULT_LIMITS, ImportLimits
from crampwise.interop.apple_health.parser import read_export


class HealthDiary(Protocol):
    """The part of `crampwise.store.UserDiary` an Apple Health import writes through."""

    def custom_factors(self) -> list[CustomFactor]: ...
    def define_factor(self, factor: CustomFactor) -> CustomFactor: ...
    def put_days(self, logs: Iterable[DayLog], source: str = "manual") -> int: ...


def import_export(
    diary: HealthDiary,
    path: str | Path,
    on_progress: Callable[[int, int], None] | None = None,
    limits: ImportLimits = DEFAULT_LIMITS,
) -> HealthImport:
    """Parse the whole export, then write every day in one transaction (source apple_health).

    Values typed by hand are kept; a re-import replaces the earlier apple_health values of a
    day instead of adding to them.
    """
    parsed = read_export(path, on_progress, limits)
    if parsed.workouts and WORKOUT_TYPE_FACTOR not in {f.name for f in diary.custom_factors()}:
        diary.define_factor(CustomFactor(WORKOUT_TYPE_FACTOR, "categorical"))
    parsed.days_changed = diary.put_days(parsed.day_logs(), source="apple_health")
    return parsed
