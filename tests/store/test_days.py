"""Day logs, custom factors and the daily table."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from crampwise.diary.model import CustomFactor, DayLog, Episode
from crampwise.errors import InputError
from crampwise.store import Store

D1, D2, D3 = date(2026, 11, 20), date(2026, 11, 21), date(2026, 11, 23)


def test_put_day_merges_and_reads_back(store: Store) -> None:
    diary = store.diary("me")
    diary.put_day(DayLog(D1, {"fluids_l": 1.5, "exercise_intensity": "Hard"}))
    got = diary.put_day(DayLog(D1, {"stretched": "yes", "exercise_min": "45"}))
    assert got.values == {
        "exercise_min": 45.0,
        "exercise_intensity": "hard",
        "fluids_l": 1.5,
        "stretched": True,
    }
    assert diary.get_day(D2) is None


def test_imports_never_overwrite_what_was_typed(store: Store) -> None:
    diary = store.diary("me")
    diary.put_day(DayLog(D1, {"fluids_l": 1.5}))
    diary.put_day(DayLog(D1, {"fluids_l": 3.0, "steps": 8000}), source="apple_health")
    diary.put_day(DayLog(D1, {"steps": None}), source="apple_health")  # unknown, not "clear"
    day = diary.get_day(D1)
    assert day is not None and day.values == {"fluids_l": 1.5, "steps": 8000.0}
    # A later import may update its own values; a person may overwrite anything.
    diary.put_day(DayLog(D1, {"steps": 9000}), source="fhir")
    diary.put_day(DayLog(D1, {"fluids_l": None, "steps": 100}))
    day = diary.get_day(D1)
    assert day is not None and day.values == {"steps": 100.0}
    diary.put_day(DayLog(D1, {"steps": 7}), source="csv")
    day = diary.get_day(D1)
    assert day is not None and day.values == {"steps": 100.0}


def test_unknown_factor_or_value_writes_nothing(store: Store) -> None:
    diary = store.diary("me")
    with pytest.raises(InputError, match=r"day.coffee.*known: exercise_min"):
        diary.put_days([DayLog(D1, {"fluids_l": 1}), DayLog(D2, {"coffee": 2})])
    with pytest.raises(InputError, match=r"sleep_position.*back, side, prone"):
        diary.put_days([DayLog(D1, {"fluids_l": 1}), DayLog(D2, {"sleep_position": "upside"})])
    with pytest.raises(InputError, match="bedroom_temp_c"):
        diary.put_day(DayLog(D1, {"bedroom_temp_c": 64}))
    with pytest.raises(InputError, match="source"):
        diary.put_day(DayLog(D1, {}), source="guess")
    assert diary.days() == []


def test_custom_factors(store: Store) -> None:
    diary = store.diary("me")
    diary.define_factor(CustomFactor("Coffee", "numeric", "cups"))
    diary.define_factor(CustomFactor("coffee", "numeric", "cups"))  # again: no change
    diary.define_factor(CustomFactor("mood", "categorical", choices=("good", "bad")))
    assert [f.name for f in diary.custom_factors()] == ["coffee", "mood"]
    with pytest.raises(InputError, match="already defined as numeric"):
        diary.define_factor(CustomFactor("coffee", "boolean"))
    with pytest.raises(InputError, match="built-in"):
        diary.define_factor(CustomFactor("fluids_l", "numeric"))
    with pytest.raises(InputError, match=r"factor.kind"):
        diary.define_factor(CustomFactor("x", "colour"))  # type: ignore[arg-type]
    diary.put_day(DayLog(D1, {"coffee": "2.5", "mood": "Good"}))
    day = diary.get_day(D1)
    assert day is not None and day.values == {"coffee": 2.5, "mood": "good"}
    with pytest.raises(InputError, match="mood"):
        diary.put_day(DayLog(D1, {"mood": "meh"}))
    assert store.diary("you").custom_factors() == []


def test_delete_day_keeps_the_nights_episodes(store: Store) -> None:
    diary = store.diary("me")
    diary.put_day(DayLog(D1, {"fluids_l": 2}))
    diary.add_episode(Episode(datetime(2026, 11, 21, 3)))
    assert diary.delete_day(D1) is True
    assert diary.delete_day(D1) is False
    assert diary.get_day(D1) is None and len(diary.episodes()) == 1


def test_day_table_rows_counts_and_columns(store: Store) -> None:
    diary = store.diary("me")
    diary.define_factor(CustomFactor("coffee", "numeric"))
    diary.define_factor(CustomFactor("unused", "boolean"))
    diary.put_day(DayLog(D1, {"stretched": True, "fluids_l": 2.0, "coffee": 1}))
    diary.put_day(DayLog(D2, {}))  # a logged day without values: a zero-cramp night
    diary.add_episode(Episode(datetime(2026, 11, 21, 2, 0), pain=3))
    diary.add_episode(Episode(datetime(2026, 11, 21, 4, 0), pain=8))
    diary.add_episode(Episode(datetime(2026, 11, 24, 1, 0)))  # night of D3, no day log
    store.diary("you").add_episode(Episode(datetime(2026, 11, 22, 2, 0)))
    table = diary.day_table()
    assert table.dates == [D1, D2, D3]  # 22 Nov is a gap: nothing recorded
    assert table.cramps == [2, 0, 1]
    assert table.pain == [8.0, None, None]
    assert [(c.name, c.kind) for c in table.factors] == [
        ("fluids_l", "numeric"),
        ("stretched", "boolean"),
        ("coffee", "numeric"),
    ]
    assert table.factors[1].values == [True, None, None]


def test_day_table_of_a_new_user_is_empty(store: Store) -> None:
    assert len(store.diary("nobody").day_table()) == 0
    assert store.users() == []
