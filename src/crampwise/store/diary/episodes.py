"""Cramp episodes of one user: add, list by night, fix, delete; and many users' cramps at once.

Every episode is checked by `crampwise.diary.model.check_episode` before it is written. A
cramp someone logs or edits is checked against the clock (`now`); recorded history (imports,
the demo) is not.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from crampwise.diary.model import Episode, check_episode, night_of
from crampwise.errors import InputError, NotFoundError, SessionEnded
from crampwise.store.auth_tables import web_sessions
from crampwise.store.base import DiaryBase, at_once, local_now, utc_now
from crampwise.store.tables import episodes, users

EDITABLE = ("started_at", "muscle", "side", "duration_s", "pain", "woke", "helped", "note")


def row_to_episode(row: sa.Row[Any]) -> Episode:
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


def episode_values(episode: Episode) -> dict[str, object]:
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

    def add_episode(self, episode: Episode, *, now: datetime | None = None) -> Episode:
        """Store one cramp; with a `client_id` already stored, returns that episode instead.

        now: for a cramp someone logs, the clock its start may not be later than; None
        (recorded history, tests) skips that check.
        """
        new = check_episode(episode, now)
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

    def add_episodes(self, items: Sequence[Episode]) -> list[Episode]:
        """Store recorded episodes in one transaction (all checked before any is written)."""
        checked = [check_episode(episode) for episode in items]
        with self._write() as conn:
            uid = self._require_uid(conn)
            return [self._insert_episode(conn, uid, new) for new in checked]

    def _by_client_id(self, conn: sa.Connection, uid: int | None, cid: str) -> Episode | None:
        row = conn.execute(
            sa.select(episodes).where(episodes.c.user_id == uid, episodes.c.client_id == cid)
        ).first()
        return row_to_episode(row) if row else None

    def _insert_episode(self, conn: sa.Connection, uid: int, new: Episode) -> Episode:
        """Insert a checked episode (the caller ran `check_episode`) and return it with its id."""
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

    def update_episode(self, episode_id: int, **changes: object) -> Episode:
        """Change some fields (started_at, muscle, side, duration_s, pain, woke, helped, note).

        An edit is someone's, now: the result is checked against the local clock as a
        newly logged cramp is.
        """
        unknown = sorted(set(changes) - set(EDITABLE))
        if unknown:
            raise InputError(
                f"field '{unknown[0]}': cannot be edited (editable: {', '.join(EDITABLE)})",
                field=unknown[0],
            )
        with self._write() as conn:
            edited = self._get_episode(conn, episode_id)
            for name, value in changes.items():  # names are EDITABLE; check_episode the values
                setattr(edited, name, value)
            updated = check_episode(edited, local_now())
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


def add_for_users(
    engine: sa.Engine,
    batch: Sequence[tuple[str, Episode]],
    now: datetime,
    sessions: Sequence[str | None] | None = None,
) -> list[Episode | InputError | SessionEnded]:
    """Store cramps of many users in ONE transaction; see `Store.add_episodes_for`.

    Each cramp is checked, and its row built, before the transaction begins: on SQLite the
    file's write lock is held for the database work alone.
    """
    results: list[Episode | InputError | SessionEnded | None] = []
    # (place in results, diary, episode, row) of the cramps that passed their checks.
    todo: list[tuple[int, EpisodesMixin, Episode, dict[str, object]]] = []
    created = utc_now()
    hashes = list(sessions) if sessions is not None else [None] * len(batch)
    for name, episode in batch:
        try:
            new = check_episode(episode, now)
            diary = EpisodesMixin(engine, name)
        except InputError as exc:
            results.append(exc)
            continue
        row: dict[str, object] = {"origin": new.origin, "client_id": None, "created_at": created}
        todo.append((len(results), diary, new, {**row, **episode_values(new)}))
        results.append(None)
    with engine.begin() as conn:
        # In the batch's own transaction: the sessions still live, and the users' ids.
        asked = sorted({h for h in hashes if h is not None})
        names = sorted({diary.user_name for _, diary, _, _ in todo})
        live_rows, user_rows = at_once(
            conn, _lookups(conn.dialect.name), ({"hashes": asked}, {"names": names})
        )
        live = {alive.token_hash for alive in live_rows}
        uids: dict[str, int] = {user.name: user.id for user in user_rows}
        # An ended session is the answer even for a cramp its checks refused: whoever sent
        # it must sign in again before anything else they send can count.
        for place, session in enumerate(hashes):
            if session is not None and session not in live:
                results[place] = SessionEnded()
        # Cramps with a client_id go one by one (a retry is de-duplicated); the rest are one
        # multi-row INSERT ... RETURNING, in order (a statement per row costs ~0.3 ms here).
        plain: list[tuple[Episode, dict[str, object]]] = []
        for place, diary, new, row in todo:
            if isinstance(results[place], SessionEnded):
                continue
            name = diary.user_name
            if name not in uids:
                uids[name] = diary._require_uid(conn)
            if new.client_id is not None:
                results[place] = diary._insert_episode(conn, uids[name], new)
                continue
            plain.append((new, {**row, "user_id": uids[name]}))
            results[place] = new
        ids = _insert_rows(conn, [row for _, row in plain])
        for (new, _), new_id in zip(plain, ids, strict=True):
            new.id = new_id
    done = [result for result in results if result is not None]
    assert len(done) == len(batch)  # every cramp has its answer, in its place
    return done


@functools.cache
def _lookups(dialect: str) -> tuple[sa.Select[Any], sa.Select[Any]]:
    """The live sessions among `hashes` and (id, name) of the users among `names`.

    A list travels as one array on PostgreSQL (`= ANY`), so the statements are fixed and
    `at_once` sends them together with the transaction's BEGIN."""
    if dialect == "postgresql":
        # Imported here: the dialect costs a cold `crampwise log cramp` on SQLite ~120 ms.
        from sqlalchemy.dialects import postgresql as pg

        hashes: Any = sa.any_(sa.bindparam("hashes", type_=pg.ARRAY(sa.Text)))
        names: Any = sa.any_(sa.bindparam("names", type_=pg.ARRAY(sa.Text)))
        live = web_sessions.c.token_hash == hashes
        named = users.c.name == names
    else:
        live = web_sessions.c.token_hash.in_(sa.bindparam("hashes", expanding=True))
        named = users.c.name.in_(sa.bindparam("names", expanding=True))
    return (
        sa.select(web_sessions.c.token_hash).where(live),
        sa.select(users.c.id, users.c.name).where(named),
    )


# Rows per SQLite INSERT: 13 values each, well under its 32,766 variables a statement.
_SQLITE_ROWS = 500


@functools.cache
def _pg_insert(names: tuple[str, ...]) -> sa.Insert:
    """INSERT ... SELECT FROM unnest(one array a column) ORDER BY the rows' order RETURNING id.

    A statement with one parameter a column, whatever the batch's size: SQLAlchemy's own
    multi-row form has a parameter a value, so every batch size is a new statement that
    psycopg parses again (no cache past 50 parameters), ~0.5 ms a batch on the writer's
    thread. Strings travel as text, so the column's own length refuses one too long (a cast
    to VARCHAR(n) would cut it short), and `helped` as JSON text, cast back.
    """

    # Imported here: the dialect costs a cold `crampwise log cramp` on SQLite ~120 ms.
    from sqlalchemy.dialects import postgresql as pg

    def array(column: sa.Column[Any]) -> pg.ARRAY[Any]:
        text = column.name == "helped" or isinstance(column.type, sa.String)
        return pg.ARRAY(sa.Text if text else column.type)

    arrays = [sa.bindparam(name, type_=array(episodes.c[name])) for name in names]
    rows = sa.func.unnest(*arrays).table_valued(*names, with_ordinality="n").render_derived()
    values = [sa.cast(rows.c.helped, sa.JSON) if n == "helped" else rows.c[n] for n in names]
    select = sa.select(*values).order_by(rows.c.n)
    return sa.insert(episodes).from_select(list(names), select).returning(episodes.c.id)


def _insert_rows(conn: sa.Connection, rows: list[dict[str, object]]) -> list[int]:
    """Insert episode rows (each with the same keys); their new ids, in the rows' order.

    Both forms insert the rows in order in one statement and sort the ids they return: an
    id from the identity (PostgreSQL) or AUTOINCREMENT (SQLite, `NEVER_REUSED`,
    https://sqlite.org/autoinc.html) is larger than every id before it, so the ids sorted
    are the rows' ids in order. (SQLAlchemy keeps the order on PostgreSQL the same way; on
    SQLite it falls back to a statement a row, most of a batch's time in the writer's
    turn.) RETURNING itself gives its rows in no set order.
    """
    if not rows:
        return []
    if conn.dialect.name == "postgresql":
        names = tuple(rows[0])
        columns = {
            name: [json.dumps(row[name]) if name == "helped" else row[name] for row in rows]
            for name in names
        }
        return sorted(conn.execute(_pg_insert(names), columns).scalars())
    ids: list[int] = []
    insert = sa.insert(episodes).returning(episodes.c.id)
    for at in range(0, len(rows), _SQLITE_ROWS):
        ids.extend(sorted(conn.execute(insert, rows[at : at + _SQLITE_ROWS]).scalars()))
    return ids
