"""Domain validation in crampwise.diary.model (no database involved)."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from crampwise.diary.model import (
    CustomFactor,
    Episode,
    check_builtin_value,
    check_custom_factor,
    check_episode,
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
