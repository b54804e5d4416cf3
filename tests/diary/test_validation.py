"""Domain validation in crampwise.diary.model (no database involved)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from crampwise.diary.model import (
    CustomFactor,
    Episode,
    check_builtin_value,
    check_custom_factor,
    check_episode,
    episode_json,
    night_of,
)
from crampwise.errors import InputError


def test_night_runs_noon_to_noon() -> None:
    assert night_of(datetime(2026, 12, 2, 3, 0)) == date(2026, 12, 1)
    assert night_of(datetime(2026, 12, 2, 11, 59)) == date(2026, 12, 1)
    assert night_of(datetime(2026, 12, 2, 12, 0)) == date(2026, 12, 2)


def test_episode_is_normalised() -> None:
    ep = check_episode(
        Episode(
            datetime(2026, 1, 1),
            muscle=" CALF ",
            side="Left",
            pain=7.0,  # type: ignore[arg-type]
            duration_s=40.4,
            helped=[" Stretch ", ""],
            note="  ",
        )
    )  # type: ignore[arg-type]
    assert (ep.muscle, ep.side, ep.pain, ep.duration_s, ep.helped, ep.note) == (
        "calf",
        "left",
        7,
        40,
        ["stretch"],
        None,
    )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"pain": 7.5}, "whole number"),
        ({"pain": -1}, "outside 0–10"),
        ({"duration_s": -3}, "duration_s"),
        ({"woke": "maybe"}, "true, false"),
        ({"muscle": "neck"}, "calf, foot, toes, thigh_front, thigh_back, hand, other"),
    ],
)
def test_episode_errors_name_the_field(changes: dict, message: str) -> None:
    with pytest.raises(InputError, match=message):
        check_episode(Episode(datetime(2026, 1, 1), **changes))


def test_builtin_values() -> None:
    assert check_builtin_value("fluids_l", "1.5") == 1.5
    assert check_builtin_value("legs_cold", "yes") is True
    assert check_builtin_value("sleep_position", "Prone") == "prone"
    for name, bad in [
        ("fluids_l", "nan"),
        ("fluids_l", True),
        ("hours_sitting", 25),
        ("vitamin_d", "sometimes"),
    ]:
        with pytest.raises(InputError, match=name):
            check_builtin_value(name, bad)


def test_custom_factor_names() -> None:
    assert check_custom_factor(CustomFactor(" Coffee_Cups ", "numeric")).name == "coffee_cups"
    for bad in ("9lives", "my factor", "", "cramps", "steps"):
        with pytest.raises(InputError, match=r"factor.name"):
            check_custom_factor(CustomFactor(bad, "numeric"))
    with pytest.raises(InputError, match="only categorical"):
        check_custom_factor(CustomFactor("x", "numeric", choices=("a",)))


def test_diary_vocabulary_matches_the_assess_contract() -> None:
    from crampwise.diary import model as diary
    from crampwise.knowledge import vocabulary

    assert diary.MUSCLES == vocabulary.MUSCLES
    assert diary.INTENSITIES == vocabulary.INTENSITIES
    assert diary.SLEEP_POSITIONS == vocabulary.SLEEP_POSITIONS


NOW = datetime(2026, 11, 24, 3, 0)


def test_a_cramp_later_than_now_is_refused_beyond_a_few_minutes_of_drift() -> None:
    assert check_episode(Episode(NOW + timedelta(minutes=5)), NOW).started_at == datetime(
        2026, 11, 24, 3, 5
    )
    with pytest.raises(InputError) as refused:
        check_episode(Episode(NOW + timedelta(days=3)), NOW)
    assert str(refused.value) == "field 'episode.started_at': 2026-11-27 03:00 is in the future"
    assert refused.value.field == "episode.started_at"
    # Recorded history (imports, stand-ins) is not read against a clock.
    assert check_episode(Episode(NOW + timedelta(days=3))).started_at == NOW + timedelta(days=3)


def test_a_zoned_start_becomes_local_wall_time_before_the_clock_is_read() -> None:
    zoned = (NOW + timedelta(hours=2)).astimezone(UTC)  # two hours after NOW, local time
    with pytest.raises(InputError, match="in the future"):
        check_episode(Episode(zoned), NOW)
    assert check_episode(Episode(zoned)).started_at == NOW + timedelta(hours=2)


@pytest.mark.parametrize(
    "zoned",
    [
        datetime(1, 1, 1, 1, 0, 1, tzinfo=timezone(timedelta(hours=8, minutes=51))),
        datetime(9999, 12, 31, 23, 0, tzinfo=timezone(timedelta(hours=-12))),
    ],
)
def test_a_zoned_start_that_local_time_cannot_hold_is_refused_by_name(zoned: datetime) -> None:
    # Found by the API fuzzer: year 1 at +08:51 made the edit answer 500.
    with pytest.raises(InputError) as refused:
        check_episode(Episode(zoned))
    assert refused.value.field == "episode.started_at"
    assert "outside the dates a diary can hold" in str(refused.value)


@pytest.mark.parametrize("start", [datetime(1, 1, 1, 1, 2, 2), datetime(1, 1, 1, 11, 59)])
def test_a_start_whose_night_no_date_can_hold_is_refused_by_name(start: datetime) -> None:
    # Found by the API fuzzer: before noon on 1 January of year 1 the night is the day
    # before, which no date holds, and logging it answered 500.
    with pytest.raises(InputError) as refused:
        check_episode(Episode(start))
    assert refused.value.field == "episode.started_at"
    assert "0001-01-01" in str(refused.value) and "outside the dates" in str(refused.value)
    assert check_episode(Episode(datetime(1, 1, 1, 12, 0))).started_at.year == 1


def test_checking_returns_a_copy_and_leaves_the_input_alone() -> None:
    typed = Episode(NOW, muscle=" Foot ", helped=["Stretch"])
    checked = check_episode(typed, NOW)
    assert (checked.muscle, checked.helped) == ("foot", ["stretch"])
    assert (typed.muscle, typed.helped) == (" Foot ", ["Stretch"])


def test_one_json_shape_for_an_episode() -> None:
    episode = Episode(NOW, side="left", pain=6, helped=["walk"], id=7, client_id="q-1")
    assert episode_json(episode) == {
        "id": 7,
        "started_at": "2026-11-24T03:00:00",
        "night": "2026-11-23",
        "muscle": "calf",
        "side": "left",
        "duration_s": None,
        "pain": 6,
        "woke": None,
        "helped": ["walk"],
        "note": None,
        "origin": "manual",
        "client_id": "q-1",
    }
