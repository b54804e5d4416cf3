"""Group commit: concurrent cramps share transactions, yet each answer means "stored"."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from crampwise.diary.model import Episode
from crampwise.errors import InputError
from crampwise.store import open_store
from crampwise.store.engine import writer_turn
from crampwise.web.writes import EpisodeWriter

from .support import run_in_own_loop


def test_concurrent_cramps_are_all_stored_once_for_their_own_user(sqlite_url: str) -> None:
    store = open_store(sqlite_url)
    writer = EpisodeWriter(store.engine)
    start = datetime(2026, 11, 1, 3, 0)

    async def burst() -> list[Episode | BaseException]:
        jobs = [
            writer.add(
                "ann" if i % 2 else "ben", Episode(start + timedelta(minutes=i), pain=i % 11)
            )
            for i in range(60)
        ]
        # A retried upload from the offline queue, twice in the same burst.
        jobs += [writer.add("ann", Episode(start, client_id="q-1")) for _ in range(2)]
        jobs.append(writer.add("ann", Episode(start, muscle="knee")))  # refused up front
        jobs.append(writer.add("", Episode(start)))  # fails inside a batch: neighbours land
        return await asyncio.gather(*jobs, return_exceptions=True)

    results = run_in_own_loop(burst())
    writer.close()
    stored = [r for r in results[:62] if isinstance(r, Episode)]
    assert len(stored) == 62
    assert isinstance(results[62], InputError) and "episode.muscle" in str(results[62])
    assert isinstance(results[63], InputError)
    assert results[60].id == results[61].id  # type: ignore[union-attr]
    ann, ben = store.diary("ann").episodes(), store.diary("ben").episodes()
    assert len(ann) == 31 and len(ben) == 30
    assert {e.pain for e in ben} == {i % 11 for i in range(0, 60, 2)}
    by_id = {e.id: e for e in ann + ben}
    for i, result in enumerate(results[:60]):
        assert isinstance(result, Episode)
        assert by_id[result.id].started_at == start + timedelta(minutes=i)
    store.close()


def test_a_logged_cramp_survives_a_fresh_connection(sqlite_url: str) -> None:
    store = open_store(sqlite_url)
    writer = EpisodeWriter(store.engine)
    ep = run_in_own_loop(writer.add("ann", Episode(datetime(2026, 11, 2, 2, 30), pain=4)))
    writer.close()
    store.close()
    reopened = open_store(sqlite_url)
    assert [e.id for e in reopened.diary("ann").episodes()] == [ep.id]
    reopened.close()


@pytest.mark.parametrize("bad", ["x" * 65, ""])
def test_client_id_length_is_checked_before_queueing(sqlite_url: str, bad: str) -> None:
    store = open_store(sqlite_url)
    writer = EpisodeWriter(store.engine)
    with pytest.raises(InputError, match="client_id"):
        run_in_own_loop(writer.add("ann", Episode(datetime(2026, 11, 2, 2, 30), client_id=bad)))
    writer.close()
    assert store.diary("ann").episodes() == []
    store.close()


def test_cramps_are_read_against_the_writers_clock(sqlite_url: str) -> None:
    store = open_store(sqlite_url)
    now = datetime(2026, 11, 2, 3, 0)
    writer = EpisodeWriter(store.engine, clock=lambda: now)
    with pytest.raises(InputError, match="2026-11-05 03:00 is in the future"):
        run_in_own_loop(writer.add("ann", Episode(now + timedelta(days=3))))
    assert run_in_own_loop(writer.add("ann", Episode(now))).id is not None
    writer.close()
    assert [e.started_at for e in store.diary("ann").episodes()] == [now]
    store.close()


def test_cramps_queued_while_another_process_writes_share_the_next_commit(
    sqlite_url: str,
) -> None:
    """The writer takes its batch once its turn has come, not before it waits for it."""
    store = open_store(sqlite_url)
    commits: list[int] = []
    sa.event.listen(store.engine, "commit", lambda conn: commits.append(1))
    writer = EpisodeWriter(store.engine)
    other = writer_turn(store.engine)  # the turn as another worker process takes it
    assert other is not None
    start = datetime(2026, 11, 1, 3, 0)

    async def burst() -> list[Episode]:
        first = asyncio.ensure_future(writer.add("ann", Episode(start)))
        await asyncio.sleep(0.2)  # the writer thread is now waiting for the turn
        rest = [writer.add("ann", Episode(start + timedelta(minutes=i))) for i in range(1, 20)]
        gathered = asyncio.gather(first, *rest)
        await asyncio.sleep(0.2)
        other.__exit__(None, None, None)  # the other process's commit is done
        return list(await gathered)

    with ThreadPoolExecutor(1) as pool:
        pool.submit(other.__enter__).result()  # held from a thread of its own, as flock is
        stored = run_in_own_loop(burst())
    writer.close()
    other.close()
    assert len({e.id for e in stored}) == 20
    assert len(commits) == 1
    store.close()


def test_a_turn_that_cannot_be_taken_answers_every_cramp_with_the_error(
    sqlite_url: str,
) -> None:
    store = open_store(sqlite_url)
    # A folder where the turn's lock file goes: opening it fails, as on a read-only disk.
    Path(sqlite_url.removeprefix("sqlite:///") + "-writer-turn").mkdir()
    writer = EpisodeWriter(store.engine)
    start = datetime(2026, 11, 1, 3, 0)

    async def burst() -> list[Episode | BaseException]:
        jobs = [writer.add("ann", Episode(start + timedelta(minutes=i))) for i in range(5)]
        return list(await asyncio.wait_for(asyncio.gather(*jobs, return_exceptions=True), 10))

    answers = run_in_own_loop(burst())
    assert all(isinstance(a, IsADirectoryError) for a in answers), answers
    writer.close()
    assert store.diary("ann").episodes() == []
    store.close()


def test_a_cramp_after_the_writer_has_closed_is_refused_not_left_waiting(
    sqlite_url: str,
) -> None:
    store = open_store(sqlite_url)
    writer = EpisodeWriter(store.engine)
    writer.close()
    with pytest.raises(RuntimeError):
        run_in_own_loop(asyncio.wait_for(writer.add("ann", Episode(datetime(2026, 11, 1))), 10))
    store.close()
