"""Merging a daily table (`DayTable`, one row per night) into a diary, safe to repeat.

A row carries a night's cramp *count* and worst pain, not the episodes, so an import makes
stand-in episodes (origin 'csv', 03:00 the next morning, one minute apart, the night's pain
on the first). Importing a row changes a night only when the night's total count or worst
pain differ from the row; then the night's stand-ins (never hand-typed episodes) are
replaced. So importing the same table twice changes nothing, and `day_table()` → import into
an empty diary → `day_table()` gives the same table. Hand-typed episodes and hand-typed day
values always win; a night where they disagree with the table is reported in
`ImportSummary.conflicts`.

Every row becomes a day log (possibly empty): a row says "this night was recorded", and a
recorded night without cramps is a zero, while a missing day stays a gap. Reading and
writing the CSV file is `crampwise.interop.csv`'s.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa

from crampwise.diary.daytable import DayTable
from crampwise.diary.model import (
    BUILTIN_BY_NAME,
    CustomFactor,
    Episode,
    FactorValue,
    check_custom_factor,
    check_episode,
)
from crampwise.errors import InputError
from crampwise.store.diary.days import DaysMixin
from crampwise.store.diary.episodes import EpisodesMixin
from crampwise.store.diary.records import ImportSummary
from crampwise.store.tables import day_logs, episodes

STAND_IN_HOUR = time(3, 0)


def stand_in_times(night: date, count: int) -> list[datetime]:
    """When stand-in episodes for a night's count are placed (03:00, 03:01, ...)."""
    start = datetime.combine(night + timedelta(days=1), STAND_IN_HOUR)
    return [start + timedelta(minutes=i) for i in range(count)]


class TableImportMixin(EpisodesMixin, DaysMixin):
    """`UserDiary.import_day_table`."""

    def import_day_table(self, table: DayTable, source: str = "csv") -> ImportSummary:
        """Merge a daily table: all checked first, then written in ONE transaction."""
        pains = table.pain or [None] * len(table.dates)
        for day, pain in zip(table.dates, pains, strict=True):
            if pain is not None and not float(pain).is_integer():
                raise InputError(
                    f"row {day.isoformat()}, column 'pain': {pain:g} — the diary keeps "
                    "whole numbers 0–10",
                    field="pain",
                )
        new_factors: list[CustomFactor] = []
        for column in table.factors:
            if column.name not in BUILTIN_BY_NAME:
                new_factors.append(check_custom_factor(CustomFactor(column.name, column.kind)))
        summary = ImportSummary()
        with self._write() as conn:
            uid = self._require_uid(conn)
            known = self._factors(conn, uid)
            for factor in new_factors:
                if factor.name not in known:
                    summary.factors_defined.append(factor.name)
                self._define_factor(conn, uid, factor)
            factors = self._factors(conn, uid)
            for i, day in enumerate(table.dates):
                values: dict[str, FactorValue | None] = {
                    c.name: c.values[i] for c in table.factors if c.values[i] is not None
                }
                checked = self._check_values(values, factors)
                existed = self._has_day(conn, uid, day)
                if self._merge_day(conn, uid, day, checked, source, factors):
                    if existed:
                        summary.days_changed += 1
                    else:
                        summary.days_added += 1
                pain = pains[i]
                self._sync_night(
                    conn, uid, day, table.cramps[i], None if pain is None else int(pain), summary
                )
        return summary

    def _has_day(self, conn: sa.Connection, uid: int, day: date) -> bool:
        return (
            conn.execute(
                sa.select(day_logs.c.id).where(day_logs.c.user_id == uid, day_logs.c.date == day)
            ).first()
            is not None
        )

    def _sync_night(
        self,
        conn: sa.Connection,
        uid: int,
        night: date,
        count: int,
        pain: int | None,
        summary: ImportSummary,
    ) -> None:
        rows: list[sa.Row[Any]] = list(
            conn.execute(
                sa.select(episodes.c.id, episodes.c.origin, episodes.c.pain).where(
                    episodes.c.user_id == uid, episodes.c.night == night
                )
            )
        )
        if len(rows) == count and _worst(rows) == pain:
            return
        typed = [r for r in rows if r.origin != "csv"]
        stand_ins = [r for r in rows if r.origin == "csv"]
        needed = count - len(typed)
        typed_pain = _worst(typed)
        if needed < 0 or (needed == 0 and typed_pain != pain):
            summary.conflicts.append(
                f"{night.isoformat()}: the file says {count} cramp(s), worst pain {pain}; "
                f"your diary has {len(typed)} typed by hand (kept as typed)"
            )
            needed = max(needed, 0)
        if stand_ins:
            conn.execute(sa.delete(episodes).where(episodes.c.id.in_([r.id for r in stand_ins])))
            summary.episodes_removed += len(stand_ins)
        stand_in_pain = pain
        if pain is not None and typed_pain is not None and typed_pain >= pain:
            stand_in_pain = None  # the typed episodes already carry the worst pain
        for n, moment in enumerate(stand_in_times(night, needed)):
            episode = Episode(
                started_at=moment,
                pain=stand_in_pain if n == 0 else None,
                note="from a CSV import (count only)",
                origin="csv",
            )
            # Recorded history, not checked against the clock: tonight's stand-ins sit at
            # 03:00 tomorrow.
            self._insert_episode(conn, uid, check_episode(episode))
            summary.episodes_added += 1


def _worst(rows: Sequence[sa.Row[Any]]) -> int | None:
    pains = [r.pain for r in rows if r.pain is not None]
    return max(pains) if pains else None
