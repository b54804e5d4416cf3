"""Group commit for logging cramps: requests that arrive together share one durable commit.

A durable SQLite commit (WAL, `synchronous=FULL`) waits for an fsync, ~2–4 ms on this
machine, so one commit per request caps logging near 300–500 cramps/s and stalls the event
loop meanwhile. Here each request queues its validated episode and awaits its own future;
one writer thread commits everything queued so far in a single transaction and only then
answers every request in it. Each answer still means "your cramp is on disk".
"""

from __future__ import annotations

import asyncio
import dataclasses
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import sqlalchemy as sa

from crampwise.diary.model import Episode, check_episode
from crampwise.errors import InputError
from crampwise.store import UserDiary
from crampwise.store.base import utc_now
from crampwise.store.diary.episodes import episode_values, local_naive
from crampwise.store.tables import episodes

Item = tuple[str, Episode, "asyncio.Future[Episode]"]


def prepare_episode(episode: Episode) -> Episode:
    """Validate and normalise as `UserDiary.add_episode` does, before anything is queued."""
    new = check_episode(dataclasses.replace(episode, helped=list(episode.helped)))
    new.started_at = local_naive(new.started_at)
    if new.client_id is not None and not 1 <= len(new.client_id) <= 64:
        raise InputError("field 'episode.client_id': 1–64 characters", field="client_id")
    return new


class EpisodeWriter:
    """Queues cramps from many requests and commits them together on one writer thread."""

    def __init__(self, engine: sa.Engine):
        self.engine = engine
        self._pending: list[Item] = []
        self._flushing = False
        self._task: asyncio.Task[None] | None = None
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="crampwise-writer")

    async def add(self, user_name: str, episode: Episode) -> Episode:
        """Store one cramp durably; returns it with its id (or the stored one for a client_id)."""
        new = prepare_episode(episode)
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Episode] = loop.create_future()
        self._pending.append((user_name, new, future))
        if not self._flushing:
            self._flushing = True
            # Keep a reference: the loop holds tasks only weakly.
            self._task = loop.create_task(self._flush())
        return await future

    async def _flush(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            while self._pending:
                batch, self._pending = self._pending, []
                work = [(name, ep) for name, ep, _ in batch]
                try:
                    results: list[Any] = await loop.run_in_executor(
                        self._executor, self._write, work
                    )
                except Exception:
                    # One bad row must not sink its neighbours: retry each on its own.
                    results = [await self._write_one(loop, item) for item in work]
                for (_, _, future), result in zip(batch, results, strict=True):
                    if future.done():  # the client went away; the row is stored regardless
                        continue
                    if isinstance(result, BaseException):
                        future.set_exception(result)
                    else:
                        future.set_result(result)
        finally:
            self._flushing = False

    async def _write_one(
        self, loop: asyncio.AbstractEventLoop, item: tuple[str, Episode]
    ) -> Episode | BaseException:
        try:
            return (await loop.run_in_executor(self._executor, self._write, [item]))[0]
        except Exception as exc:
            return exc

    def _write(self, items: list[tuple[str, Episode]]) -> list[Episode]:
        # Many users, one transaction: one fsync for the whole batch. Cramps with a client_id
        # go through the store's own insert (it de-duplicates retries); the rest are one
        # multi-row INSERT ... RETURNING, in order (a statement per row costs ~0.3 ms here).
        stored: list[Episode | None] = [None] * len(items)
        plain: list[tuple[int, dict[str, Any]]] = []
        uids: dict[str, int] = {}
        now = utc_now()
        with self.engine.begin() as conn:
            for index, (name, episode) in enumerate(items):
                if name not in uids:
                    uids[name] = UserDiary(self.engine, name)._require_uid(conn)
                new = dataclasses.replace(episode)
                if new.client_id is not None:
                    diary = UserDiary(self.engine, name)
                    stored[index] = diary._insert_episode(conn, uids[name], new)
                    continue
                row = {
                    "user_id": uids[name],
                    "origin": new.origin,
                    "client_id": None,
                    "created_at": now,
                    **episode_values(new),
                }
                plain.append((index, row))
                stored[index] = new
            if plain:
                insert = sa.insert(episodes).returning(episodes.c.id, sort_by_parameter_order=True)
                ids = conn.execute(insert, [row for _, row in plain]).scalars().all()
                for (index, _), new_id in zip(plain, ids, strict=True):
                    stored[index].id = new_id  # type: ignore[union-attr]
        return [ep for ep in stored if ep is not None]

    def submit(self, fn: Any, *args: Any) -> None:
        """Run a small write on the writer thread, without waiting (e.g. a session's clock).

        A write from the event loop would block every request while this thread holds
        SQLite's write lock, and SQLite's busy handler sleeps in steps of up to 100 ms.
        """
        self._executor.submit(fn, *args)

    def close(self) -> None:
        self._executor.shutdown(wait=True)
