"""Cramps counted but not logged one by one: stored as a count, read as part of the night."""

from __future__ import annotations

import io
from datetime import date, datetime

import pytest
import sqlalchemy as sa
from alembic import command

from crampwise.analysis.triggers import find_triggers
from crampwise.diary.demo import fill_demo
from crampwise.diary.model import DayLog, Episode
from crampwise.errors import InputError
from crampwise.interop.csv import export_diary, import_diary, read_day_table
from crampwise.store import Store
from crampwise.store.diary.entry import recent_nights
from crampwise.store.engine import alembic_config, make_engine, upgrade

N1, N2 = date(2026, 11, 20), date(2026, 11, 21)


def test_a_count_is_checked_before_anything_is_written(store: Store) -> None:
    diary = store.diary("me")
    for bad in (-1, 1001, 2.0, True, "2", None):
        with pytest.raises(InputError, match="unlogged_cramps"):
            diary.set_unlogged_cramps(N1, bad)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="unlogged_pain"):
        diary.set_unlogged_cramps(N1, 1, pain=11)
    with pytest.raises(InputError, match="source"):
        diary.set_unlogged_cramps(N1, 1, source="guess")
    assert store.users() == [] and diary.unlogged_cramps() == {}


def test_every_reader_counts_episodes_plus_unlogged(store: Store) -> None:
    diary = store.diary("me")
    diary.add_episode(Episode(datetime(2026, 11, 20, 23, 10), pain=4))
    assert diary.set_unlogged_cramps(N1, 2, pain=6)
    assert not diary.set_unlogged_cramps(N1, 2, pain=6)  # the same again changes nothing
    diary.set_unlogged_cramps(N2, 1)
    table = diary.day_table()
    assert (table.dates, table.cramps, table.pain) == ([N1, N2], [3, 1], [6.0, None])
    assert diary.tonight(N2, nights=3).counts == {N1: 3, N2: 1}
    rows = recent_nights(diary, nights=3, today=N2)
    assert [(r.date, r.cramps, r.worst_pain, r.unlogged) for r in rows] == [
        (N2, 1, None, 1),
        (N1, 3, 6, 2),
    ]
    assert rows[1].to_json()["unlogged_cramps"] == 2
    out = io.StringIO()
    export_diary(diary, out)
    assert out.getvalue() == "date,cramps,pain\n2026-11-20,3,6\n2026-11-21,1,\n"
    # A count of 0 says "none beyond the logged ones": the night stays recorded, at zero.
    diary.set_unlogged_cramps(N2, 0)
    assert diary.day_table().cramps == [3, 0]
    # Deleting the day's log deletes its count; the episodes stay.
    assert diary.delete_day(N1)
    assert diary.day_table().cramps == [1, 0]


def test_a_count_typed_by_hand_is_never_overwritten_by_an_import(store: Store) -> None:
    diary = store.diary("me")
    diary.set_unlogged_cramps(N1, 2, source="manual")
    summary = import_diary(diary, io.StringIO("date,cramps,pain\n2026-11-20,5,\n"))
    assert len(summary.conflicts) == 1 and "kept as you counted" in summary.conflicts[0]
    assert diary.unlogged_cramps()[N1].count == 2 and diary.day_table().cramps == [2]
    # Typed again by hand, it changes.
    diary.set_unlogged_cramps(N1, 4)
    assert diary.day_table().cramps == [4]


def test_a_huge_count_in_a_file_is_refused_by_row(store: Store) -> None:
    diary = store.diary("me")
    with pytest.raises(InputError, match=r"row 2026-11-20, column 'cramps': 99999999999"):
        import_diary(diary, io.StringIO("date,cramps\n2026-11-20,99999999999\n"))
    assert store.users() == []


def test_demo_round_trip_keeps_every_logged_cramp_and_the_analysis(store: Store) -> None:
    """Importing a diary's own export changes nothing: its right-foot cramps at 22:43 stay."""
    demo = store.diary("demo")
    fill_demo(demo, seed=5, days=190, end=date(2026, 11, 1))
    before = demo.episodes()
    out = io.StringIO()
    export_diary(demo, out)
    assert not import_diary(demo, io.StringIO(out.getvalue())).changed
    assert demo.episodes() == before
    copy = store.diary("copy")
    import_diary(copy, io.StringIO(out.getvalue()))
    assert copy.episodes() == []  # counts only: nothing invented
    again = io.StringIO()
    export_diary(copy, again)
    assert again.getvalue() == out.getvalue()
    from_file = find_triggers(read_day_table(io.StringIO(out.getvalue())))
    assert find_triggers(copy.day_table()).to_dict() == from_file.to_dict()


def test_migration_turns_old_stand_ins_into_counts(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        # The fixtures' databases are at head: step back to the schema before counts.
        command.downgrade(alembic_config(engine), "0006_audit_retention")
        created = datetime(2026, 11, 1)
        with engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO users (name, role, units, created_at) "
                    "VALUES ('me', 'user', 'metric', :c)"
                ),
                {"c": created},
            )
            uid = conn.execute(sa.text("SELECT id FROM users")).scalar_one()
            conn.execute(
                sa.text(
                    "INSERT INTO day_logs (user_id, date, fluids_l, sources, updated_at) "
                    "VALUES (:u, :d, 1.5, :s, :c)"
                ),
                {"u": uid, "d": N1, "s": '{"fluids_l": "csv"}', "c": created},
            )
            rows = [
                (datetime(2026, 11, 20, 22, 43), N1, 3, "manual"),
                (datetime(2026, 11, 21, 3, 0), N1, 8, "csv"),
                (datetime(2026, 11, 21, 3, 1), N1, None, "csv"),
                (datetime(2026, 11, 22, 3, 0), N2, None, "csv"),
            ]
            for started, night, pain, origin in rows:
                conn.execute(
                    sa.text(
                        "INSERT INTO episodes (user_id, started_at, night, muscle, pain, "
                        "helped, origin, created_at) VALUES (:u, :t, :n, 'calf', :p, '[]', :o, :c)"
                    ),
                    {"u": uid, "t": started, "n": night, "p": pain, "o": origin, "c": created},
                )
        upgrade(engine)
        diary = Store(engine).diary("me")
        assert [(e.started_at, e.origin) for e in diary.episodes()] == [
            (datetime(2026, 11, 20, 22, 43), "manual")
        ]
        counted = diary.unlogged_cramps()
        assert {d: (u.count, u.pain, u.source) for d, u in counted.items()} == {
            N1: (2, 8, "csv"),
            N2: (1, None, "csv"),
        }
        table = diary.day_table()
        assert (table.dates, table.cramps, table.pain) == ([N1, N2], [3, 1], [8.0, None])
        assert diary.get_day(N1) == DayLog(N1, {"fluids_l": 1.5})
    finally:
        engine.dispose()
