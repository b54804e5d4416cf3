"""A night's cramps: its episodes plus cramps counted but not logged one by one.

Some cramps are known only as a number: a CSV row's `cramps`, or a morning check-in's "how
many last night". They are stored as that number (`day_logs.unlogged_cramps`, with the worst
pain among them in `unlogged_pain`), never as episodes with made-up times. Every reader that
counts a night's cramps counts episodes + unlogged: the day table analyses read, the CSV
export, Tonight's counts and the diary's nights (`night_totals`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa

from crampwise.diary.daytable import DayTable, FactorColumn
from crampwise.diary.model import BUILTIN_FACTORS
from crampwise.errors import InputError
from crampwise.store.base import utc_now
from crampwise.store.diary.days import DaysMixin
from crampwise.store.tables import SOURCES, day_logs, episodes

# Far past any real night; keeps a typo (or a hostile file) from becoming a huge number.
MAX_UNLOGGED = 1000
SOURCE_KEY = "unlogged_cramps"  # its entry in day_logs.sources


@dataclass(frozen=True)
class Unlogged:
    """A night's cramps counted but not logged one by one."""

    count: int
    pain: int | None  # the worst among them, when known
    source: str  # manual, csv, ...


@dataclass(frozen=True)
class NightTotal:
    """A night's whole count: episodes + unlogged cramps, and the worst pain of all."""

    cramps: int
    worst_pain: int | None
    unlogged: int


def check_unlogged(count: object, pain: object = None) -> tuple[int, int | None]:
    """The one rule for an unlogged count and its pain (InputError names the field)."""
    if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= MAX_UNLOGGED:
        raise InputError(
            f"field 'unlogged_cramps': {count!r} is not a whole number from 0 to {MAX_UNLOGGED}",
            field="unlogged_cramps",
        )
    if pain is not None and (
        isinstance(pain, bool) or not isinstance(pain, int) or not 0 <= pain <= 10
    ):
        raise InputError(
            f"field 'unlogged_pain': {pain!r} is not a whole number from 0 to 10",
            field="unlogged_pain",
        )
    return count, (pain if count else None)


def _worst(*pains: int | None) -> int | None:
    known = [p for p in pains if p is not None]
    return max(known) if known else None


class NightsMixin(DaysMixin):
    """`set_unlogged_cramps`, `unlogged_cramps`, `night_totals` and `day_table`."""

    def set_unlogged_cramps(
        self, night: date, count: int, source: str = "manual", *, pain: int | None = None
    ) -> bool:
        """Store how many cramps of `night` were counted but not logged one by one.

        count: 0 or more (0 says "none beyond the logged ones"); pain: the worst among them.
        A count typed by hand ('manual') is never overwritten by an import. Returns whether
        anything changed.
        """
        checked = check_unlogged(count, pain)
        if source not in SOURCES:
            raise InputError(
                f"source {source!r} is not one of: {', '.join(SOURCES)}", field="source"
            )
        with self._write() as conn:
            return self._set_unlogged(conn, self._require_uid(conn), night, *checked, source)

    def _set_unlogged(
        self,
        conn: sa.Connection,
        uid: int,
        night: date,
        count: int,
        pain: int | None,
        source: str,
    ) -> bool:
        """Write a checked count (see `check_unlogged`); False when nothing changed."""
        row = conn.execute(
            sa.select(
                day_logs.c.id,
                day_logs.c.sources,
                day_logs.c.unlogged_cramps,
                day_logs.c.unlogged_pain,
            ).where(day_logs.c.user_id == uid, day_logs.c.date == night)
        ).first()
        sources: dict[str, str] = dict(row.sources) if row is not None else {}
        if row is not None:
            stored_source = sources.get(SOURCE_KEY)
            if source != "manual" and stored_source == "manual" and row.unlogged_cramps is not None:
                return False
            if (row.unlogged_cramps, row.unlogged_pain, stored_source) == (count, pain, source):
                return False
        sources[SOURCE_KEY] = source
        values = {"unlogged_cramps": count, "unlogged_pain": pain, "sources": sources}
        if row is None:
            conn.execute(
                sa.insert(day_logs).values(user_id=uid, date=night, updated_at=utc_now(), **values)
            )
        else:
            conn.execute(
                sa.update(day_logs)
                .where(day_logs.c.id == row.id)
                .values(updated_at=utc_now(), **values)
            )
        return True

    def _unlogged(
        self, conn: sa.Connection, uid: int, start: date | None, end: date | None
    ) -> dict[date, Unlogged]:
        query = sa.select(
            day_logs.c.date,
            day_logs.c.unlogged_cramps,
            day_logs.c.unlogged_pain,
            day_logs.c.sources,
        ).where(day_logs.c.user_id == uid, day_logs.c.unlogged_cramps.is_not(None))
        if start is not None:
            query = query.where(day_logs.c.date >= start)
        if end is not None:
            query = query.where(day_logs.c.date <= end)
        return {
            row.date: Unlogged(
                row.unlogged_cramps,
                row.unlogged_pain,
                (row.sources or {}).get(SOURCE_KEY, "manual"),
            )
            for row in conn.execute(query.order_by(day_logs.c.date))
        }

    def unlogged_cramps(
        self, start: date | None = None, end: date | None = None
    ) -> dict[date, Unlogged]:
        """Nights within [start, end] with a stored count (0 included), by date."""
        with self._read() as conn:
            uid = self._uid(conn)
            return {} if uid is None else self._unlogged(conn, uid, start, end)

    def _night_totals(
        self, conn: sa.Connection, uid: int, start: date | None, end: date | None
    ) -> dict[date, NightTotal]:
        query = sa.select(episodes.c.night, sa.func.count(), sa.func.max(episodes.c.pain)).where(
            episodes.c.user_id == uid
        )
        if start is not None:
            query = query.where(episodes.c.night >= start)
        if end is not None:
            query = query.where(episodes.c.night <= end)
        logged: dict[date, tuple[int, Any]] = {
            night: (int(n), pain)
            for night, n, pain in conn.execute(query.group_by(episodes.c.night))
        }
        unlogged = self._unlogged(conn, uid, start, end)
        totals: dict[date, NightTotal] = {}
        for night in logged.keys() | unlogged.keys():
            n, pain = logged.get(night, (0, None))
            extra = unlogged.get(night)
            count = extra.count if extra else 0
            totals[night] = NightTotal(
                n + count, _worst(pain, extra.pain if extra else None), count
            )
        return totals

    def night_totals(
        self, start: date | None = None, end: date | None = None
    ) -> dict[date, NightTotal]:
        """Nights within [start, end] that have episodes or a stored count, by date."""
        with self._read() as conn:
            uid = self._uid(conn)
            return {} if uid is None else self._night_totals(conn, uid, start, end)

    # --- the daily table ----------------------------------------------------------------
    def day_table(self) -> DayTable:
        """One row per day that has a day log or an episode (gaps stay gaps).

        `cramps` counts that night's episodes plus its unlogged cramps, `pain` is the worst
        of all (None if none given). Factor columns: built-ins in `BUILTIN_FACTORS` order,
        then custom factors in the order defined, each only when at least one day has a value.
        """
        with self._read() as conn:
            uid = self._uid(conn)
            if uid is None:
                return DayTable(dates=[], cramps=[], pain=[], factors=[])
            logs = {log.date: log for log in self._days(conn, uid, None, None)}
            totals = self._night_totals(conn, uid, None, None)
            factors = self._factors(conn, uid)
        dates = sorted(set(logs) | set(totals))
        columns: list[FactorColumn] = []
        specs = [(s.name, s.kind) for s in BUILTIN_FACTORS]
        specs += [(f.name, f.kind) for _, f in factors.values()]
        for name, kind in specs:
            values = [logs[d].values.get(name) if d in logs else None for d in dates]
            if any(v is not None for v in values):
                columns.append(FactorColumn(name, kind, values))
        empty = NightTotal(0, None, 0)
        return DayTable(
            dates=dates,
            cramps=[totals.get(d, empty).cramps for d in dates],
            pain=[_pain(totals.get(d, empty).worst_pain) for d in dates],
            factors=columns,
        )


def _pain(value: int | None) -> float | None:
    return None if value is None else float(value)
