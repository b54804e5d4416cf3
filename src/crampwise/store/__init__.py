"""Durable storage of every user's diary (SQLAlchemy Core; SQLite or PostgreSQL).

Public API — everything is scoped to one user, and another user's rows count as absent:

    store = open_store()                  # settings' URL (CRAMPWISE_DATABASE_URL or SQLite file)
    diary = store.diary("me")             # never writes; the user row is made on first write
    ep = diary.add_episode(Episode(started_at=t), now=datetime.now())   # -> Episode with .id
    diary.episodes(start=date, end=date)  # by night (crampwise.diary.model.night_of), oldest first
    diary.get_episode(id) / update_episode(id, pain=5) / delete_episode(id)   # NotFoundError
    diary.put_day(DayLog(d, {"fluids_l": 1.5, "coffee": 2}), source="manual")
    diary.put_days([DayLog, ...], source="apple_health")   # one transaction
    diary.get_day(d) -> DayLog | None;  diary.days(start, end) -> list[DayLog];  delete_day(d)
    diary.define_factor(CustomFactor("coffee", "numeric", "cups")); diary.custom_factors()
    diary.add_medicine(Medicine("Lasix", started=d)); diary.medicines(); delete_medicine(id)
    diary.set_unlogged_cramps(night, 2)  # cramps counted, not logged one by one (no times)
    diary.night_totals(start, end) -> {date: NightTotal}   # episodes + unlogged, worst pain
    diary.day_table() -> DayTable        # what `analyze` and `export csv` read
    diary.import_day_table(DayTable) -> ImportSummary   # `import csv` (crampwise.interop.csv)
    diary.save_experiment(intervention, schedule, washout_days=0, factor=None) -> ExperimentRecord
    diary.experiments(); diary.get_experiment(id); diary.stop_experiment(id)
    diary.save_assessment(situation, result); diary.latest_assessment()
    diary.delete_everything()             # the user and every row of theirs (cascade)
    store.add_episodes_for([(user, Episode), ...], now=...)   # many users, one commit
    store.users() -> list[str]; store.close()

Sources: `put_day(..., source=)` is one of 'manual', 'csv', 'apple_health', 'fhir'. A value
typed by hand ('manual') is never overwritten by an import; an import never clears a value.
A manual `put_day` with a value of None clears that field.

Validation errors raise `crampwise.errors.InputError` before anything is written (episodes:
`crampwise.diary.model.check_episode`, the one rule for every path); a missing record raises
`crampwise.errors.NotFoundError`. The store knows no file format: CSV, FHIR and Apple Health
live in `crampwise.interop` and call these methods.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from types import TracebackType

import sqlalchemy as sa

from crampwise.diary.model import Episode
from crampwise.errors import InputError, NotFoundError, SessionEnded
from crampwise.settings import get_settings
from crampwise.store.diary.episodes import add_for_users
from crampwise.store.diary.records import ExperimentRecord, ImportSummary
from crampwise.store.diary.userdiary import UserDiary
from crampwise.store.engine import WRITE_OPTION, ensure_schema, make_engine
from crampwise.store.tables import users

__all__ = [
    "ExperimentRecord",
    "ImportSummary",
    "Store",
    "UserDiary",
    "open_store",
]


class Store:
    """One database: hands out per-user diaries. Close it (or use `with`) when done."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    @property
    def url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    def diary(self, user_name: str, create: bool = True) -> UserDiary:
        """The diary of `user_name`. With create=False a missing user raises NotFoundError."""
        diary = UserDiary(self.engine, user_name)
        if not create and diary.user_id() is None:
            raise NotFoundError(f"no user {user_name!r}")
        return diary

    def users(self) -> list[str]:
        """Names of every user, alphabetically."""
        with self.engine.connect().execution_options(**{WRITE_OPTION: False}) as conn:
            return list(conn.execute(sa.select(users.c.name).order_by(users.c.name)).scalars())

    def add_episodes_for(
        self,
        batch: Sequence[tuple[str, Episode]],
        *,
        now: datetime,
        sessions: Sequence[str | None] | None = None,
    ) -> list[Episode | InputError | SessionEnded]:
        """Store cramps of many users (user name, episode) in ONE transaction, in order.

        Each is checked against `now` as a cramp someone logs; one that fails comes back as
        its InputError in its place and the others are stored. A stored `client_id` returns
        the episode already stored, as `UserDiary.add_episode` does. `sessions`, one per
        cramp: the web session's token hash each was sent with (None: none to check); a
        cramp whose session is no longer in the database, read in the same transaction,
        comes back as SessionEnded and is not stored.
        """
        return add_for_users(self.engine, batch, now, sessions)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def open_store(url: str | None = None, *, migrate: bool = True) -> Store:
    """Open the database at `url` (default: settings), upgrading its schema when behind."""
    if url is None:
        url = get_settings().database_url
    engine = make_engine(url)
    try:
        if migrate:
            ensure_schema(engine)
    except BaseException:
        engine.dispose()
        raise
    return Store(engine)
