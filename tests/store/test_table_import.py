"""A daily table merged into a diary, through the CSV format (contract §4): repeatable imports,
byte-identical round trips."""

from __future__ import annotations

import io
from datetime import date, datetime

import pytest

from crampwise.diary.demo import fill_demo
from crampwise.diary.model import DayLog, Episode
from crampwise.errors import InputError
from crampwise.interop.csv import export_diary, import_diary
from crampwise.store import Store


def _export(store: Store, user: str) -> str:
    out = io.StringIO()
    export_diary(store.diary(user), out)
    return out.getvalue()


def test_round_trip_is_byte_identical_and_reimport_changes_nothing(store: Store) -> None:
    fill_demo(store.diary("demo"), seed=3, days=190, end=date(2026, 11, 1))
    original = _export(store, "demo")
    assert original.startswith("date,cramps,pain,exercise_min,exercise_intensity,fluids_l,")
    first = import_diary(store.diary("copy"), io.StringIO(original))
    assert first.days_added == original.count("\n") - 1 and first.conflicts == []
    assert _export(store, "copy") == original
    second = import_diary(store.diary("copy"), io.StringIO(original))
    assert not second.changed
    assert _export(store, "copy") == original
    # Importing into the diary it came from changes nothing either.
    assert not import_diary(store.diary("demo"), io.StringIO(original)).changed


def test_counts_are_stored_as_counts_and_follow_a_changed_file(store: Store) -> None:
    diary = store.diary("me")
    import_diary(diary, io.StringIO("date,cramps,pain\n2026-11-20,2,6\n2026-11-21,0,\n"))
    assert diary.episodes() == []  # no cramp with a made-up time
    counted = diary.unlogged_cramps()
    assert {d: (u.count, u.pain, u.source) for d, u in counted.items()} == {
        date(2026, 11, 20): (2, 6, "csv")
    }
    summary = import_diary(diary, io.StringIO("date,cramps,pain\n2026-11-20,1,4\n2026-11-21,0,\n"))
    assert summary.nights_counted == 1 and summary.changed
    totals = diary.night_totals()
    assert {d: (t.cramps, t.worst_pain) for d, t in totals.items()} == {date(2026, 11, 20): (1, 4)}
    assert _export(store, "me") == "date,cramps,pain\n2026-11-20,1,4\n2026-11-21,0,\n"


def test_a_night_imported_after_midnight_gets_no_cramp_in_the_future(store: Store) -> None:
    """A row for 1 December imported at 00:55 on 2 December made a cramp at 03:00 that day."""
    diary = store.diary("me")
    import_diary(diary, io.StringIO("date,cramps,pain\n2026-12-01,1,5\n"))
    assert diary.episodes() == []
    assert diary.day_table().cramps == [1] and diary.day_table().pain == [5.0]


def test_logged_episodes_win_over_the_file(store: Store) -> None:
    diary = store.diary("me")
    diary.add_episode(Episode(datetime(2026, 11, 21, 2, 0), pain=5))
    diary.add_episode(Episode(datetime(2026, 11, 21, 4, 0), pain=7))
    summary = import_diary(diary, io.StringIO("date,cramps,pain\n2026-11-20,1,9\n"))
    assert len(summary.conflicts) == 1 and "2026-11-20" in summary.conflicts[0]
    assert sorted(e.pain or 0 for e in diary.episodes()) == [5, 7]
    assert diary.unlogged_cramps() == {}
    # One more cramp than logged: it is counted, carrying the worse pain; no episode is made.
    import_diary(diary, io.StringIO("date,cramps,pain\n2026-11-20,3,9\n"))
    assert sorted(e.pain or 0 for e in diary.episodes()) == [5, 7]
    (counted,) = diary.unlogged_cramps().values()
    assert (counted.count, counted.pain) == (1, 9)
    assert _export(store, "me") == "date,cramps,pain\n2026-11-20,3,9\n"


def test_a_bad_row_is_reported_by_line_and_nothing_is_written(store: Store) -> None:
    diary = store.diary("me")
    text = "date,cramps,pain,fluids_l\n2026-11-20,1,5,1.5\n2026-11-21,1,5,lots\n"
    with pytest.raises(InputError, match="line 3, column 'fluids_l'"):
        import_diary(diary, io.StringIO(text))
    with pytest.raises(InputError, match="whole numbers"):
        import_diary(diary, io.StringIO("date,cramps,pain\n2026-11-20,1,6.5\n"))
    with pytest.raises(InputError, match=r"factor.name"):
        import_diary(diary, io.StringIO("date,cramps,9lives\n2026-11-20,1,1\n"))
    assert diary.days() == [] and diary.episodes() == [] and store.users() == []


def test_custom_columns_become_factors_and_typed_values_stay(store: Store) -> None:
    diary = store.diary("me")
    diary.put_day(DayLog(date(2026, 11, 20), {"fluids_l": 2.0}))
    text = "date,cramps,pain,fluids_l,coffee,mood\n2026-11-20,0,,1.0,2,calm\n"
    summary = import_diary(diary, io.StringIO(text))
    assert summary.factors_defined == ["coffee", "mood"]
    day = diary.get_day(date(2026, 11, 20))
    assert day is not None
    assert day.values == {"fluids_l": 2.0, "coffee": 2.0, "mood": "calm"}
    assert [(f.name, f.kind) for f in diary.custom_factors()] == [
        ("coffee", "numeric"),
        ("mood", "categorical"),
    ]
