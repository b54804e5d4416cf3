"""`UserDiary`: one user's whole diary; every query is scoped to that user."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from crampwise.diary.model import FactorValue
from crampwise.store.base import at_once
from crampwise.store.care.tables import Note, care_notes, note_from_row
from crampwise.store.diary.bulk import BulkMixin
from crampwise.store.diary.days import BUILTIN_NAMES
from crampwise.store.diary.portable import PortableMixin
from crampwise.store.diary.records import ExperimentRecord, RecordsMixin, _experiment
from crampwise.store.diary.table_import import TableImportMixin
from crampwise.store.tables import assessments, day_logs, episodes, experiments, users

# Built once: the Tonight page reads these on every visit, and building a statement costs
# more than running it. The user is resolved by name inside each statement (never cached:
# SQLite may hand a deleted user's id to the next new user).
_USER = sa.select(users.c.id).where(users.c.name == sa.bindparam("name")).scalar_subquery()
_NIGHT_COUNTS = (
    sa.select(episodes.c.night, sa.func.count())
    .where(
        episodes.c.user_id == _USER,
        episodes.c.night >= sa.bindparam("first"),
        episodes.c.night <= sa.bindparam("last"),
    )
    .group_by(episodes.c.night)
)
# Every day's entry of the window: which nights have one at all (the strip's gaps), and the
# cramps counted but not logged one by one (see `NightsMixin`), added to the night's episodes.
_NIGHT_DAYS = sa.select(day_logs.c.date, day_logs.c.unlogged_cramps).where(
    day_logs.c.user_id == _USER,
    day_logs.c.date >= sa.bindparam("first"),
    day_logs.c.date <= sa.bindparam("last"),
)
_DAY = sa.select(*(day_logs.c[name] for name in BUILTIN_NAMES)).where(
    day_logs.c.user_id == _USER, day_logs.c.date == sa.bindparam("day")
)
_ACTIVE_EXPERIMENTS = (
    sa.select(experiments)
    .where(experiments.c.user_id == _USER, experiments.c.status == "active")
    .order_by(experiments.c.created_at.desc(), experiments.c.id.desc())
)
_PRACTITIONER = users.alias("practitioner")
_NEWEST_NOTES = (
    sa.select(care_notes, _PRACTITIONER.c.name)
    .join(_PRACTITIONER, _PRACTITIONER.c.id == care_notes.c.practitioner_id)
    .where(care_notes.c.client_id == _USER)
    .order_by(care_notes.c.id.desc())
    .limit(sa.bindparam("notes"))
)
# The latest saved assessment's situation: what it withholds from tonight's routine.
_LATEST_SITUATION = (
    sa.select(assessments.c.situation)
    .where(assessments.c.user_id == _USER)
    .order_by(assessments.c.created_at.desc(), assessments.c.id.desc())
    .limit(1)
)

# In this order: what `UserDiary.tonight` reads.
_TONIGHT = (
    _NIGHT_COUNTS,
    _NIGHT_DAYS,
    _DAY,
    _ACTIVE_EXPERIMENTS,
    _NEWEST_NOTES,
    _LATEST_SITUATION,
)


@dataclass
class TonightSummary:
    """What the Tonight screen shows, read in one transaction (see `UserDiary.tonight`)."""

    night: date
    counts: dict[date, int]  # cramps (episodes + unlogged) per night; nights without any absent
    values: dict[str, FactorValue]  # tonight's built-in day values that are set
    experiments: list[ExperimentRecord]  # active ones, newest first
    notes: list[Note]  # the newest notes from the user's care team, newest first
    # Nights of the window with a day's entry (any row, values or not).
    entered: set[date] = field(default_factory=set)
    # Nights of the window whose unlogged count is stored (0 included).
    counted: set[date] = field(default_factory=set)
    # The latest saved assessment's situation (None without one): `personal_rules` reads it.
    situation: dict[str, Any] | None = None


class UserDiary(BulkMixin, TableImportMixin, PortableMixin, RecordsMixin):
    """One user's diary. Reads never create the user; the first write does.

    See `crampwise.store` for the method list. Methods: episodes (`add_episode`,
    `episodes`, `get_episode`, `update_episode`, `delete_episode`), days (`put_day`,
    `put_days`, `get_day`, `days`, `delete_day`), factors (`define_factor`,
    `custom_factors`), nights (`set_unlogged_cramps`, `unlogged_cramps`, `night_totals`),
    `day_table`, `import_day_table`,
    medicines, experiments, assessments, `tonight`, the whole diary as data (`dump`,
    `load`, `is_empty`), and `delete_everything`.
    """

    def tonight(self, night: date, nights: int = 14, notes: int = 5) -> TonightSummary:
        """Cramp counts of the `nights` nights ending at `night`, its built-in values, the
        active experiments, the newest `notes` care-team notes, which nights have a day's
        entry or a stored unlogged count, and the latest assessment's situation: one read
        (one connection, six statements built once). A night's count is its episodes plus
        its unlogged cramps."""
        first = night - timedelta(days=nights - 1)
        name = self.user_name
        window: dict[str, Any] = {"name": name, "first": first, "last": night}
        params: tuple[dict[str, Any], ...] = (
            window,
            window,
            {"name": name, "day": night},
            {"name": name},
            {"name": name, "notes": notes},
            {"name": name},
        )
        results: list[Sequence[Any]]
        with self._read() as conn:
            # One round trip on PostgreSQL: six of them were most of a busy server's render.
            results = at_once(conn, _TONIGHT, params)
        counts, days, day_rows, active, newest, situations = results
        row = day_rows[0] if day_rows else None
        situation = situations[0][0] if situations else None
        values = {}
        if row is not None:
            values = {k: v for k, v in zip(BUILTIN_NAMES, row, strict=True) if v is not None}
        totals = {day: int(n) for day, n in counts}
        for day, n in days:
            if n:
                totals[day] = totals.get(day, 0) + int(n)
        return TonightSummary(
            night,
            totals,
            values,
            [_experiment(r) for r in active],
            [note_from_row(r) for r in newest],
            entered={day for day, _ in days},
            counted={day for day, n in days if n is not None},
            situation=None if situation is None else dict(situation),
        )

    def __repr__(self) -> str:
        return f"UserDiary({self.user_name!r})"
