"""`UserDiary.tonight`: the Tonight screen's counts, values and experiments in one read."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from crampwise.diary.model import DayLog, Episode, night_of
from crampwise.store import Store

NIGHT = date(2026, 3, 20)


def _cramp(night: date, hour: int = 23) -> Episode:
    return Episode(started_at=datetime.combine(night, time(hour, 0)), muscle="calf")


def test_counts_match_the_episodes_of_the_window(store: Store) -> None:
    diary = store.diary("me")
    first = NIGHT - timedelta(days=13)
    # Edges of the window, a night outside it on each side, two cramps on one night, and
    # one after midnight that belongs to the night before.
    for night in (first - timedelta(days=1), first, NIGHT, NIGHT, NIGHT + timedelta(days=1)):
        diary.add_episode(_cramp(night))
    diary.add_episode(Episode(started_at=datetime.combine(NIGHT, time(2, 30))))
    summary = diary.tonight(NIGHT)
    expected: dict[date, int] = {}
    for episode in diary.episodes(first, NIGHT):
        expected[episode.night] = expected.get(episode.night, 0) + 1
    assert summary.counts == expected
    assert summary.counts == {first: 1, NIGHT - timedelta(days=1): 1, NIGHT: 2}
    assert night_of(datetime.combine(NIGHT, time(2, 30))) == NIGHT - timedelta(days=1)
    assert diary.tonight(NIGHT, nights=1).counts == {NIGHT: 2}


def test_values_are_tonights_built_ins_that_are_set(store: Store) -> None:
    diary = store.diary("me")
    diary.put_day(DayLog(NIGHT, {"stretched": True, "fluids_l": 1.5}))
    diary.put_day(DayLog(NIGHT - timedelta(days=1), {"footbath": True}))
    summary = diary.tonight(NIGHT)
    assert summary.night == NIGHT
    assert summary.values == {"stretched": True, "fluids_l": 1.5}
    assert diary.tonight(NIGHT + timedelta(days=1)).values == {}


def test_only_active_experiments_newest_first(store: Store) -> None:
    diary = store.diary("me")
    plan = [{"start": NIGHT, "end": NIGHT + timedelta(days=6), "condition": "on"}]
    old = diary.save_experiment("warm_footbath", plan)
    stopped = diary.save_experiment("calf_stretch_bedtime", plan)
    diary.stop_experiment(stopped.id)
    newer = diary.save_experiment("warm_footbath", plan)
    assert [e.id for e in diary.tonight(NIGHT).experiments] == [newer.id, old.id]
    assert diary.tonight(NIGHT).experiments[0].schedule == newer.schedule


def test_another_users_rows_never_show(store: Store) -> None:
    mine, theirs = store.diary("me"), store.diary("them")
    theirs.add_episode(_cramp(NIGHT))
    theirs.put_day(DayLog(NIGHT, {"stretched": True}))
    theirs.save_experiment("warm_footbath", [{"start": NIGHT, "end": NIGHT, "condition": "on"}])
    empty = mine.tonight(NIGHT)  # a user who has written nothing yet
    assert (empty.counts, empty.values, empty.experiments) == ({}, {}, [])
    mine.add_episode(_cramp(NIGHT))
    assert mine.tonight(NIGHT).counts == {NIGHT: 1}
    assert store.users() == ["me", "them"]


def test_a_deleted_and_recreated_user_sees_only_new_rows(store: Store) -> None:
    # The user is looked up by name in every read: a diary object kept across a deletion
    # never reads rows by a stale id.
    diary = store.diary("me")
    diary.add_episode(_cramp(NIGHT))
    diary.delete_everything()
    store.diary("other").add_episode(_cramp(NIGHT))
    assert diary.tonight(NIGHT).counts == {}
    diary.add_episode(_cramp(NIGHT - timedelta(days=2)))
    assert diary.tonight(NIGHT).counts == {NIGHT - timedelta(days=2): 1}
