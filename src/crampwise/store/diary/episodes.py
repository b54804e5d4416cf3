"""Cramp episodes of one user: add, list by night, fix, delete."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from crampwise.diary.model import Episode, check_episode, night_of
from crampwise.errors import InputError, NotFoundError
from crampwise.store.base import DiaryBase, utc_now
from crampwise.store.tables import episodes

EDITABLE = ("started_at", "muscle", "side", "duration_s", "pain", "woke", "helped", "note")


def local_naive(moment: datetime) -> datetime:
    """Diary times are local wall-clock times without a zone, to the second."""
    if moment.tzinfo is not None:
        moment = moment.astimezone().replace(tzinfo=None)
    return moment.replace(microsecond=0)


def row_to_episode(row: Any) -> Episode:
    return Episode(
        started_at=row.started_at,
        muscle=row.muscle,
        side=row.side,
        duration_s=row.duration_s,
        pain=row.pain,
        woke=row.woke,
        helped=list(row.helped or []),
        note=row.note,
        id=row.id,
        origin=row.origin,
        client_id=row.client_id,
    )


def episode_values(episode: Episode) -> dict[str, Any]:
    return {
        "started_at": episode.started_at,
        "night": night_of(episode.started_at),
        "muscle": episode.muscle,
        "side": episode.side,
        "duration_s": episode.duration_s,
        "pain": episode.pain,
        "woke": episode.woke,
        "helped": list(episode.helped),
        "note": episode.note,
    }


def not_found(episode_id: int) -> NotFoundError:
    return NotFoundError(f"no episode {episode_id} in your diary")


class EpisodesMixin(DiaryBase):
    """Episode methods of `UserDiary`."""

    def add_episode(self, episode: Episode) -> Episode:
        """Store one cramp; with a `client_id` already stored, returns that episode instead."""
        new = check_episode(dataclasses.replace(episode, helped=list(episode.helped)))
        new.started_at = local_naive(new.started_at)
        if new.client_id is not None and not 1 <= len(new.client_id) <= 64:
            raise InputError("field 'episode.client_id': 1–64 characters", field="client_id")
        try:
            with self._write() as conn:
                return self._insert_episode(conn, self._require_uid(conn), new)
        except sa.exc.IntegrityError:
            # A concurrent retry with the same client_id won the race on PostgreSQL.
            if new.client_id is None:
                raise
            with self._read() as conn:
                found = self._by_client_id(conn, self._uid(conn), new.client_id)
            if found is None:
                raise
            return found

    def add_episodes(self, items: list[Episode]) -> list[Episode]:
        """Store many episodes in one transaction (all checked before any is written)."""
        checked = []
        for episode in items:
            new = check_episode(dataclasses.replace(episode, helped=list(episode.helped)))
            new.started_at = local_naive(new.started_at)
            checked.append(new)
        with self._write() as conn:
            uid = self._require_uid(conn)
            return [self._insert_episode(conn, uid, new) for new in checked]

    def _by_client_id(self, conn: sa.Connection, uid: int | None, cid: str) -> Episode | None:
        row = conn.execute(
            sa.select(episodes).where(episodes.c.user_id == uid, episodes.c.client_id == cid)
        ).first()
        return row_to_episode(row) if row else None

    def _insert_episode(self, conn: sa.Connection, uid: int, new: Episode) -> Episode:
        if new.client_id is not None:
            existing = self._by_client_id(conn, uid, new.client_id)
            if existing is not None:
                return existing
        new.id = conn.execute(
            sa.insert(episodes)
            .values(
                user_id=uid,
                origin=new.origin,
                client_id=new.client_id,
                created_at=utc_now(),
                **episode_values(new),
            )
            .returning(episodes.c.id)
        ).scalar_one()
        return new

    def episodes(self, start: date | None = None, end: date | None = None) -> list[Episode]:
        """Episodes whose night (`night_of`) is within [start, end], oldest first."""
        with self._read() as conn:
            uid = self._uid(conn)
            if uid is None:
                return []
            query = sa.select(episodes).where(episodes.c.user_id == uid)
            if start is not None:
                query = query.where(episodes.c.night >= start)
            if end is not None:
                query = query.where(episodes.c.night <= end)
            rows = conn.execute(query.order_by(episodes.c.started_at, episodes.c.id))
            return [row_to_episode(row) for row in rows]

    def get_episode(self, episode_id: int) -> Episode:
        """One episode of this user, or NotFoundError."""
        with self._read() as conn:
            return self._get_episode(conn, episode_id)

    def _get_episode(self, conn: sa.Connection, episode_id: int) -> Episode:
        row = conn.execute(
            sa.select(episodes).where(
                episodes.c.id == episode_id, episodes.c.user_id == self._uid(conn)
            )
        ).first()
        if row is None:
            raise not_found(episode_id)
        return row_to_episode(row)

    def update_episode(self, episode_id: int, **changes: Any) -> Episode:
        """Change some fields (started_at, muscle, side, duration_s, pain, woke, helped, note)."""
        unknown = sorted(set(changes) - set(EDITABLE))
        if unknown:
            raise InputError(
                f"field '{unknown[0]}': cannot be edited (editable: {', '.join(EDITABLE)})",
                field=unknown[0],
            )
        with self._write() as conn:
            current = self._get_episode(conn, episode_id)
            updated = check_episode(dataclasses.replace(current, **changes))
            updated.started_at = local_naive(updated.started_at)
            if "origin" not in changes and changes:
                updated.origin = "manual"  # a person has now vouched for it
            conn.execute(
                sa.update(episodes)
                .where(episodes.c.id == episode_id)
                .values(origin=updated.origin, **episode_values(updated))
            )
            return updated

    def delete_episode(self, episode_id: int) -> Episode:
        """Delete one episode of this user and return what it was (NotFoundError if none)."""
        with self._write() as conn:
            current = self._get_episode(conn, episode_id)
            conn.execute(sa.delete(episodes).where(episodes.c.id == episode_id))
            return current
