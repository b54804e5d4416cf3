"""Group commit for logging cramps: requests that arrive together share one durable commit.

A durable SQLite commit (WAL, `synchronous=FULL`) waits for an fsync, ~2–4 ms on this
machine, so one commit per request caps logging near 300–500 cramps/s and stalls the event
loop meanwhile. Here each request queues its episode and awaits its own future; one writer
thread hands everything queued so far to `Store.add_episodes_for` (one transaction, each
cramp checked as every stored cramp is) and only then answers every request in it. Each
answer still means "your cramp is on disk".
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from datetime import datetime
from typing import TypeVar

import sqlalchemy as sa

from crampwise.diary.model import Episode
from crampwise.store import Store
from crampwise.store.base import local_now
from crampwise.store.engine import writer_turn

# (user name, cramp, the session hash to check in the writing transaction or None, answer)
Item = tuple[str, Episode, str | None, "asyncio.Future[Episode]"]
Work = tuple[str, Episode, str | None]
T = TypeVar("T")


class EpisodeWriter:
    """Queues cramps from many requests and commits them together on one writer thread.

    clock: the local time cramps are checked against (a cramp in the future is refused).
    """

    def __init__(self, engine: sa.Engine, clock: Callable[[], datetime] = local_now):
        self.store = Store(engine)
        self.clock = clock
        # Filled on the event loop, emptied by the writer thread once its turn has come.
        self._pending: list[Item] = []
        self._pending_lock = threading.Lock()
        self._flushing = False
        self._task: asyncio.Task[None] | None = None
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="crampwise-writer")
        # SQLite: the writers of several processes (`--workers N`) take turns on the file
        # instead of meeting its busy handler's sleeps (see `WriterTurn`).
        self._turn = writer_turn(engine)

    async def add(self, user_name: str, episode: Episode, session: str | None = None) -> Episode:
        """Store one cramp durably; returns it with its id (or the stored one for a client_id).

        Raises InputError as `UserDiary.add_episode` does, and nothing is stored; with
        `session` (a token hash), SessionEnded when that session is gone at the write.
        """
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Episode] = loop.create_future()
        with self._pending_lock:
            self._pending.append((user_name, episode, session, future))
        if not self._flushing:
            self._flushing = True
            # Keep a reference: the loop holds tasks only weakly.
            self._task = loop.create_task(self._flush())
        return await future

    async def _flush(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            while self._pending:  # read on the loop, where `add` appends: no wake-up is lost
                try:
                    batch, outcome = await loop.run_in_executor(self._executor, self._write_queued)
                except BaseException as exc:
                    # The writer thread could not take the work (shut down): nothing was
                    # taken or written, and no request may wait for ever.
                    with self._pending_lock:
                        batch, self._pending = self._pending, []
                    _answer(batch, [_as_error(exc)] * len(batch))
                    if not isinstance(exc, Exception):
                        raise  # cancelled, or the process is stopping
                    return
                if isinstance(outcome, BaseException):
                    # One bad row must not sink its neighbours: retry each on its own.
                    work = [(name, ep, session) for name, ep, session, _ in batch]
                    outcome = [await self._write_one(loop, item) for item in work]
                _answer(batch, outcome)
        finally:
            self._flushing = False

    def _write_queued(self) -> tuple[list[Item], list[Episode | BaseException] | Exception]:
        """Wait for the turn, then write everything queued by then: the cramps that came while
        another process wrote go in this batch, not the next (on SQLite, with two workers,
        batches grew and the file's one writer at a time carried more cramps a commit).

        A turn that cannot be taken (its file unwritable, say) answers everything queued
        with that error. Once the batch is written its answers stand, whatever giving the
        turn back does: a cramp told "not stored" would be sent again and stored twice."""
        batch: list[Item] = []
        outcome: list[Episode | BaseException] | Exception | None = None
        try:
            with self._turn or nullcontext():
                with self._pending_lock:
                    batch, self._pending = self._pending, []
                work = [(name, ep, session) for name, ep, session, _ in batch]
                try:
                    outcome = self._write(work)
                except Exception as exc:
                    outcome = exc
        except Exception as exc:
            if outcome is None:
                with self._pending_lock:
                    batch, self._pending = batch + self._pending, []
                outcome = exc
        assert outcome is not None
        return batch, outcome

    async def _write_one(
        self, loop: asyncio.AbstractEventLoop, item: Work
    ) -> Episode | BaseException:
        try:
            return (await loop.run_in_executor(self._executor, self._in_turn, self._write, [item]))[
                0
            ]
        except Exception as exc:
            return exc

    def _write(self, items: list[Work]) -> list[Episode | BaseException]:
        # Many users, one transaction: one fsync for the whole batch.
        cramps = [(name, episode) for name, episode, _ in items]
        sessions = [session for *_, session in items]
        return list(self.store.add_episodes_for(cramps, now=self.clock(), sessions=sessions))

    def submit(self, fn: Callable[..., object], *args: object) -> None:
        """Run a small write on the writer thread, without waiting (e.g. a session's clock).

        A write from the event loop would block every request while this thread holds
        SQLite's write lock, and SQLite's busy handler sleeps in steps of up to 100 ms.
        """
        self._executor.submit(self._in_turn, fn, *args)

    def _in_turn(self, fn: Callable[..., T], *args: object) -> T:
        with self._turn or nullcontext():
            return fn(*args)

    def close(self) -> None:
        self._executor.shutdown(wait=True)
        if self._turn is not None:
            self._turn.close()


def _as_error(exc: BaseException) -> Exception:
    return exc if isinstance(exc, Exception) else RuntimeError("the cramp writer stopped")


def _answer(batch: list[Item], outcome: list[Episode | BaseException]) -> None:
    """Give each request in `batch` its result or its error."""
    for (*_, future), result in zip(batch, outcome, strict=True):
        if future.done():  # the client went away; the row is stored regardless
            continue
        if isinstance(result, BaseException):
            future.set_exception(result)
        else:
            future.set_result(result)
