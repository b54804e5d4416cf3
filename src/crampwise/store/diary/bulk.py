"""Whole-diary imports (a FHIR bundle): factors, cramps, days and medicines in ONE transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from crampwise.diary.model import (
    CustomFactor,
    DayLog,
    Episode,
    Medicine,
    check_custom_factor,
    check_episode,
    local_naive,
)
from crampwise.errors import InputError
from crampwise.store import tables
from crampwise.store.diary.episodes import EpisodesMixin
from crampwise.store.diary.nights import NightsMixin, check_unlogged
from crampwise.store.diary.records import RecordsMixin, check_medicine


@dataclass
class RecordsImported:
    """What `import_records` added (records already in the diary are not counted)."""

    factors: int
    episodes: int
    days_changed: int
    medicines: int
    nights_counted: int = 0  # nights whose count of cramps not logged one by one changed


class BulkMixin(EpisodesMixin, NightsMixin, RecordsMixin):
    """`UserDiary.import_records`: all or nothing, so a bad last record leaves no half import."""

    def import_records(
        self,
        *,
        factors: Sequence[CustomFactor] = (),
        episodes: Sequence[Episode] = (),
        days: Sequence[DayLog] = (),
        medicines: Sequence[Medicine] = (),
        counts: Sequence[tuple[date, int, int | None]] = (),
        source: str,
    ) -> RecordsImported:
        """Add everything in one transaction; an InputError (or any failure) writes nothing.

        Factors already defined with the same kind, cramps already stored (same start time
        and muscle) and medicines already stored (same name and dates) are kept once; days
        merge as `put_days(..., source=source)` does, and nightly counts as
        `set_unlogged_cramps(..., source)` does (a count typed by hand is kept).
        """
        if source not in tables.SOURCES:
            raise InputError(
                f"source {source!r} is not one of: {', '.join(tables.SOURCES)}", field="source"
            )
        new_factors = [check_custom_factor(f) for f in factors]
        new_episodes = [check_episode(episode) for episode in episodes]  # recorded history
        new_medicines = [check_medicine(m) for m in medicines]
        # (night, count, worst pain): cramps counted but not logged one by one.
        new_counts = [(night, *check_unlogged(count, pain)) for night, count, pain in counts]
        with self._write() as conn:
            uid = self._require_uid(conn)
            known = self._factors(conn, uid)
            added_factors = len({f.name for f in new_factors} - known.keys())
            for f in new_factors:  # a kind clash with a stored factor aborts everything
                self._define_factor(conn, uid, f)
            seen = self._episode_keys(conn, uid)
            added_episodes = 0
            for ep in new_episodes:
                if (ep.started_at, ep.muscle) not in seen:
                    self._insert_episode(conn, uid, ep)
                    seen.add((ep.started_at, ep.muscle))
                    added_episodes += 1
            all_factors = self._factors(conn, uid)
            checked = [(d.date, self._check_values(d.values, all_factors)) for d in days]
            changed = sum(self._merge_day(conn, uid, d, v, source, all_factors) for d, v in checked)
            before = len(self._medicine_ids(conn, uid))
            for med in new_medicines:
                self._insert_medicine(conn, uid, med, source)
            added_medicines = len(self._medicine_ids(conn, uid)) - before
            counted = sum(
                self._set_unlogged(conn, uid, night, count, pain, source)
                for night, count, pain in new_counts
            )
        return RecordsImported(added_factors, added_episodes, changed, added_medicines, counted)

    def _episode_keys(self, conn: sa.Connection, uid: int) -> set[tuple[object, str]]:
        rows = conn.execute(
            sa.select(tables.episodes.c.started_at, tables.episodes.c.muscle).where(
                tables.episodes.c.user_id == uid
            )
        )
        return {(local_naive(started), muscle) for started, muscle in rows}

    def _medicine_ids(self, conn: sa.Connection, uid: int) -> list[int]:
        return list(
            conn.execute(
                sa.select(tables.medicines.c.id).where(tables.medicines.c.user_id == uid)
            ).scalars()
        )
