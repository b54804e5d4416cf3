"""`UserDiary.tonight` reads everything the Tonight page shows at once: which nights have an
entry, which have a stored unlogged count, the latest assessment's situation; on PostgreSQL
the six statements go in one round trip (psycopg's pipeline) with the same rows as one by one."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from crampwise.diary.model import DayLog, Episode
from crampwise.store import Store
from crampwise.store.auth import AuthStore
from crampwise.store.base import at_once
from crampwise.store.care.tables import care_notes
from crampwise.store.diary.userdiary import _TONIGHT

NIGHT = date(2026, 3, 20)
WHEN = datetime(2026, 3, 20, 23, 0)


def _lived_in(store: Store) -> None:
    diary = store.diary("me")
    diary.add_episode(Episode(started_at=WHEN, muscle="calf", pain=4), now=WHEN)
    diary.put_day(DayLog(NIGHT, {"stretched": True, "fluids_l": 1.5}))
    diary.put_day(DayLog(NIGHT - timedelta(days=3), {"footbath": True}))
    diary.set_unlogged_cramps(NIGHT - timedelta(days=1), 0)
    diary.set_unlogged_cramps(NIGHT - timedelta(days=2), 2)
    diary.save_experiment("warm_footbath", [{"start": NIGHT, "end": NIGHT, "condition": "on"}])
    diary.save_assessment({"age": 70}, {"level": "routine"})
    diary.save_assessment({"age": 71}, {"level": "routine"})
    therapist = AuthStore(store.engine).create_account("theo", "hash", "user", claim=False)
    with store.engine.begin() as conn:
        conn.execute(
            care_notes.insert().values(
                client_id=diary.user_id(),
                practitioner_id=therapist.id,
                text="Calf stretch",
                created_at=WHEN,
            )
        )


def test_entries_counts_and_the_latest_situation(store: Store) -> None:
    _lived_in(store)
    summary = store.diary("me").tonight(NIGHT)
    nights_ago = [NIGHT - timedelta(days=n) for n in range(4)]
    assert summary.entered == set(nights_ago)  # every day's entry, values or not
    assert summary.counted == {nights_ago[1], nights_ago[2]}  # stored counts, 0 included
    assert summary.counts == {NIGHT: 1, nights_ago[2]: 2}
    assert summary.values == {"stretched": True, "fluids_l": 1.5}
    assert summary.situation == {"age": 71}
    assert [(n.text, n.practitioner_name) for n in summary.notes] == [("Calf stretch", "theo")]
    assert store.diary("nobody").tonight(NIGHT).situation is None


@pytest.mark.postgres
def test_the_pipeline_reads_what_one_statement_at_a_time_reads(postgres_url: str) -> None:
    from crampwise.store import open_store

    store = open_store(postgres_url)
    try:
        _lived_in(store)
        window = {"name": "me", "first": NIGHT - timedelta(days=13), "last": NIGHT}
        params = (
            window,
            window,
            {"name": "me", "day": NIGHT},
            {"name": "me"},
            {"name": "me", "notes": 5},
            {"name": "me"},
        )
        with store.engine.connect() as conn:
            one_by_one = [conn.execute(q, p).all() for q, p in zip(_TONIGHT, params, strict=True)]
            pipelined = at_once(conn, _TONIGHT, params)
        assert [list(map(tuple, rows)) for rows in pipelined] == [
            list(map(tuple, rows)) for rows in one_by_one
        ]
        assert all(rows for rows in pipelined)  # every statement found something to compare
        assert isinstance(pipelined[1][0][0], date) and isinstance(one_by_one[1][0][0], date)
    finally:
        store.close()
