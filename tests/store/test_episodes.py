"""Cramp episodes: stored, listed by night, fixed, deleted — and only ever the user's own."""

from __future__ import annotations

import dataclasses
import threading
from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa

from crampwise.diary.model import Episode
from crampwise.errors import InputError, NotFoundError, SessionEnded
from crampwise.store import Store, open_store
from crampwise.store.tables import episodes


def test_add_and_read_back(store: Store) -> None:
    diary = store.diary("me")
    saved = diary.add_episode(
        Episode(
            datetime(2026, 11, 24, 3, 10, 42, 999),
            muscle="Foot",
            side="left",
            duration_s=40,
            pain=7,
            woke=True,
            helped=["Stretch"],
            note=" ouch ",
        )
    )
    assert saved.id is not None
    got = diary.get_episode(saved.id)
    assert got.started_at == datetime(2026, 11, 24, 3, 10, 42)
    assert (got.muscle, got.side, got.duration_s, got.pain, got.woke) == (
        "foot",
        "left",
        40,
        7,
        True,
    )
    assert got.helped == ["stretch"] and got.note == "ouch"
    assert got.night == date(2026, 11, 23)


def test_listing_is_by_night_and_oldest_first(store: Store) -> None:
    diary = store.diary("me")
    for moment in (
        datetime(2026, 11, 25, 2, 0),
        datetime(2026, 11, 23, 23, 0),
        datetime(2026, 11, 24, 3, 0),
        datetime(2026, 11, 24, 13, 0),
    ):
        diary.add_episode(Episode(moment))
    night_23 = diary.episodes(date(2026, 11, 23), date(2026, 11, 23))
    assert [e.started_at for e in night_23] == [
        datetime(2026, 11, 23, 23, 0),
        datetime(2026, 11, 24, 3, 0),
    ]
    assert len(diary.episodes()) == 4
    assert [e.night for e in diary.episodes(start=date(2026, 11, 24))] == [date(2026, 11, 24)] * 2


def test_bad_values_are_refused_with_the_allowed_ones(store: Store) -> None:
    diary = store.diary("me")
    with pytest.raises(InputError, match="'knee' is not one of: calf, foot"):
        diary.add_episode(Episode(datetime(2026, 1, 1, 3), muscle="knee"))
    with pytest.raises(InputError, match=r"episode.pain"):
        diary.add_episode(Episode(datetime(2026, 1, 1, 3), pain=11))
    with pytest.raises(InputError, match=r"episode.side"):
        diary.add_episode(Episode(datetime(2026, 1, 1, 3), side="middle"))
    assert diary.episodes() == [] and store.users() == []


def test_client_id_makes_retries_idempotent(store: Store) -> None:
    diary = store.diary("me")
    first = diary.add_episode(Episode(datetime(2026, 11, 24, 3), client_id="abc-1"))
    again = diary.add_episode(Episode(datetime(2026, 11, 24, 3), client_id="abc-1"))
    assert again.id == first.id and len(diary.episodes()) == 1
    # The same client id from another user is another episode.
    theirs = store.diary("you").add_episode(Episode(datetime(2026, 11, 24, 3), client_id="abc-1"))
    assert theirs.id != first.id


def test_update_recomputes_the_night_and_validates(store: Store) -> None:
    diary = store.diary("me")
    ep = diary.add_episode(Episode(datetime(2026, 11, 24, 3), pain=4))
    assert ep.id is not None
    moved = diary.update_episode(ep.id, started_at=datetime(2026, 11, 24, 22, 0), pain=6)
    assert moved.night == date(2026, 11, 24) and moved.pain == 6
    with pytest.raises(InputError):
        diary.update_episode(ep.id, pain=42)
    with pytest.raises(InputError, match="cannot be edited"):
        diary.update_episode(ep.id, user_id=2)
    assert diary.get_episode(ep.id).pain == 6
    assert diary.episodes(date(2026, 11, 24), date(2026, 11, 24))[0].id == ep.id


def test_other_users_episodes_are_absent(store: Store) -> None:
    mine = store.diary("me").add_episode(Episode(datetime(2026, 11, 24, 3)))
    assert mine.id is not None
    other = store.diary("mallory")
    with pytest.raises(NotFoundError, match=f"no episode {mine.id} in your diary"):
        other.get_episode(mine.id)
    with pytest.raises(NotFoundError):
        other.update_episode(mine.id, pain=1)
    with pytest.raises(NotFoundError):
        other.delete_episode(mine.id)
    assert other.episodes() == []
    assert store.diary("me").get_episode(mine.id).pain is None


def test_delete(store: Store) -> None:
    diary = store.diary("me")
    ep = diary.add_episode(Episode(datetime(2026, 11, 24, 3)))
    assert ep.id is not None
    assert diary.delete_episode(ep.id).id == ep.id
    with pytest.raises(NotFoundError):
        diary.get_episode(ep.id)


def test_concurrent_writers_lose_nothing(database_url: str) -> None:
    """Four writers on their own connections: every cramp is stored, none fails."""
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            with open_store(database_url) as store:
                diary = store.diary("me")
                for i in range(15):
                    diary.add_episode(Episode(datetime(2026, 11, 1 + n, 1, i)))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with open_store(database_url) as store:
        assert len(store.diary("me").episodes()) == 60
        with store.engine.connect() as conn:
            assert conn.execute(sa.select(sa.func.count()).select_from(episodes)).scalar() == 60


def test_a_cramp_someone_logs_is_read_against_their_clock(store: Store) -> None:
    diary = store.diary("me")
    now = datetime(2026, 11, 24, 3, 0)
    with pytest.raises(InputError, match="2026-11-27 03:00 is in the future"):
        diary.add_episode(Episode(now + timedelta(days=3)), now=now)
    assert diary.add_episode(Episode(now + timedelta(minutes=4)), now=now).id is not None
    # Recorded history (the demo, imports) carries no clock: tonight's stand-ins are at 03:00.
    assert len(diary.add_episodes([Episode(now + timedelta(days=1))])) == 1
    assert len(diary.episodes()) == 2


def test_an_edit_is_read_against_the_local_clock(store: Store) -> None:
    diary = store.diary("me")
    ep = diary.add_episode(Episode(datetime(2026, 11, 24, 3), pain=4))
    assert ep.id is not None
    ahead = datetime.now() + timedelta(days=3)
    with pytest.raises(InputError, match="is in the future"):
        diary.update_episode(ep.id, started_at=ahead)
    assert diary.get_episode(ep.id).started_at == datetime(2026, 11, 24, 3)


def test_many_users_in_one_commit_refuse_only_the_bad_cramps(store: Store) -> None:
    now = datetime(2026, 11, 24, 3, 0)
    results = store.add_episodes_for(
        [
            ("ann", Episode(now - timedelta(hours=1), client_id="q-1")),
            ("ben", Episode(now + timedelta(days=1))),
            ("ann", Episode(now - timedelta(hours=1), client_id="q-1")),
            ("", Episode(now)),
            ("ben", Episode(now, pain=3)),
        ],
        now=now,
    )
    first, future, again, nameless, ben = results
    assert isinstance(first, Episode) and isinstance(again, Episode) and first.id == again.id
    assert isinstance(future, InputError) and "in the future" in str(future)
    assert isinstance(nameless, InputError) and "user name" in str(nameless)
    assert isinstance(ben, Episode) and ben.id is not None
    assert [e.id for e in store.diary("ann").episodes()] == [first.id]
    assert [e.pain for e in store.diary("ben").episodes()] == [3]


def test_a_batch_gets_each_cramp_its_own_id_in_order(store: Store) -> None:
    # More rows than one SQLite statement takes, two users interleaved, a refused cramp and
    # a client_id among them: every answer must be the row stored under its id.
    now = datetime(2026, 11, 24, 3, 0)
    store.diary("ben").add_episode(Episode(now - timedelta(days=9)))  # ids not from 1
    batch = [
        (
            "ann" if i % 3 else "ben",
            Episode(
                now - timedelta(minutes=i),
                pain=i % 11,
                helped=["stretch", "walk"][: i % 3],
                note=f"n{i}" if i % 2 else None,
                woke=bool(i % 2),
            ),
        )
        for i in range(1_234)
    ]
    batch[7] = ("ann", Episode(now + timedelta(days=1)))
    batch[11] = ("ben", Episode(now - timedelta(hours=30), client_id="phone-1"))
    results = store.add_episodes_for(batch, now=now)
    assert isinstance(results[7], InputError)
    stored = [r for r in results if isinstance(r, Episode)]
    assert len(stored) == len(batch) - 1 and len({e.id for e in stored}) == len(stored)
    for (name, sent), got in zip(batch, results, strict=True):
        if isinstance(got, Episode):
            assert got.id is not None
            row = store.diary(name).get_episode(got.id)
            assert row == got == dataclasses.replace(sent, id=got.id)


def test_an_ended_session_is_the_answer_even_for_a_refused_cramp(store: Store) -> None:
    now = datetime(2026, 11, 24, 3, 0)
    results = store.add_episodes_for(
        [
            ("ann", Episode(now, muscle="knee")),  # refused by its checks, session gone
            ("ann", Episode(now, muscle="knee")),  # refused, no session to check
            ("ann", Episode(now)),  # fine, session gone
        ],
        now=now,
        sessions=["no-such-session", None, "no-such-session"],
    )
    assert [type(r) for r in results] == [SessionEnded, InputError, SessionEnded]
    assert store.diary("ann").episodes() == []


def test_a_value_too_long_for_its_column_is_never_stored_cut_short(store: Store) -> None:
    # Origins are set by code, not typed; this guards the batch insert's own types.
    now = datetime(2026, 11, 24, 3, 0)
    try:
        store.add_episodes_for([("ann", Episode(now, origin="o" * 40))], now=now)
    except sa.exc.DBAPIError:
        assert store.diary("ann").episodes() == []  # PostgreSQL: refused by the column
    else:
        assert [e.origin for e in store.diary("ann").episodes()] == ["o" * 40]  # SQLite
