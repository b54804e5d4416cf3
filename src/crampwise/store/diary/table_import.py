"""Merging a daily table (`DayTable`, one row per night) into a diary, safe to repeat.

A row carries a night's cramp *count* and worst pain, not the episodes, and an import
invents none: the count minus the episodes already logged that night is stored as the
night's unlogged cramps (`NightsMixin.set_unlogged_cramps`), with the row's pain as their
worst when the logged episodes do not already reach it. So importing the same table twice
changes nothing, and `day_table()` → import into an empty diary → `day_table()` gives the
same table. Logged episodes and hand-typed values (day values, a count typed at a morning
check-in) always win; a night where they disagree with the table is reported in
`ImportSummary.conflicts`.

Every row becomes a day log (possibly empty): a row says "this night was recorded", and a
recorded night without cramps is a zero, while a missing day stays a gap. Reading and
writing the CSV file is `crampwise.interop.csv`'s.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa

from crampwise.diary.daytable import DayTable
from crampwise.diary.model import (
    BUILTIN_BY_NAME,
    CustomFactor,
    FactorValue,
    check_custom_factor,
)
from crampwise.errors import InputError
from crampwise.store.diary.episodes import EpisodesMixin
from crampwise.store.diary.nights import MAX_UNLOGGED, SOURCE_KEY, NightsMixin, check_unlogged
from crampwise.store.diary.records import ImportSummary
from crampwise.store.tables import day_logs, episodes


class TableImportMixin(EpisodesMixin, NightsMixin):
    """`UserDiary.import_day_table`."""

    def import_day_table(self, table: DayTable, source: str = "csv") -> ImportSummary:
        """Merge a daily table: all checked first, then written in ONE transaction."""
        pains = table.pain or [None] * len(table.dates)
        for day, count in zip(table.dates, table.cramps, strict=True):
            if count > MAX_UNLOGGED:
                raise InputError(
                    f"row {day.isoformat()}, column 'cramps': {count} — the diary keeps at "
                    f"most {MAX_UNLOGGED} cramps a night",
                    field="cramps",
                )
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
                    conn,
                    uid,
                    day,
                    table.cramps[i],
                    None if pain is None else int(pain),
                    source,
                    summary,
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
        source: str,
        summary: ImportSummary,
    ) -> None:
        """Store the row's count beyond the night's episodes as its unlogged cramps."""
        rows: list[sa.Row[Any]] = list(
            conn.execute(
                sa.select(episodes.c.pain).where(
                    episodes.c.user_id == uid, episodes.c.night == night
                )
            )
        )
        logged_pain = _worst(rows)
        unlogged = count - len(rows)
        unlogged_pain = (
            pain if pain is not None and (logged_pain is None or logged_pain < pain) else None
        )
        if (
            unlogged < 0
            or (unlogged == 0 and unlogged_pain is not None)
            or (pain is not None and logged_pain is not None and logged_pain > pain)
        ):
            summary.conflicts.append(
                f"{night.isoformat()}: the file says {count} cramp(s), worst pain "
                f"{'unknown' if pain is None else pain}; your diary has {len(rows)} logged "
                "one by one (kept as logged)"
            )
            unlogged = max(unlogged, 0)
            if unlogged == 0:
                unlogged_pain = None
        checked = check_unlogged(unlogged, unlogged_pain)
        stored = conn.execute(
            sa.select(day_logs.c.unlogged_cramps, day_logs.c.sources).where(
                day_logs.c.user_id == uid, day_logs.c.date == night
            )
        ).first()
        if (
            stored is not None
            and stored.unlogged_cramps is not None
            and (stored.sources or {}).get(SOURCE_KEY) == "manual"
            and stored.unlogged_cramps != checked[0]
        ):
            summary.conflicts.append(
                f"{night.isoformat()}: the file says {count} cramp(s); you counted "
                f"{stored.unlogged_cramps + len(rows)} (kept as you counted)"
            )
        if checked == (0, None) and (stored is None or stored.unlogged_cramps is None):
            return  # nothing beyond the logged episodes, and nothing stored to correct
        if self._set_unlogged(conn, uid, night, *checked, source):
            summary.nights_counted += 1


def _worst(rows: Sequence[sa.Row[Any]]) -> int | None:
    pains = [r.pain for r in rows if r.pain is not None]
    return max(pains) if pains else None
