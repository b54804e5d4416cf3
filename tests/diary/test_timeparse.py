"""Forgiving parsing of typed times, dates, durations, temperatures and volumes."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from crampwise.diary.timeparse import (
    parse_clock,
    parse_date,
    parse_duration,
    parse_temperature_c,
    parse_volume_l,
    parse_when,
)
from crampwise.errors import InputError

MORNING = datetime(2026, 11, 25, 9, 30)  # Wednesday morning
EVENING = datetime(2026, 11, 25, 20, 0)
SMALL_HOURS = datetime(2026, 11, 25, 1, 0)


@pytest.mark.parametrize(
    ("text", "now", "expected"),
    [
        ("now", MORNING, MORNING),
        ("", MORNING, MORNING),
        ("3am", MORNING, datetime(2026, 11, 25, 3, 0)),
        ("3am", SMALL_HOURS, datetime(2026, 11, 24, 3, 0)),  # latest 3am already past
        ("3:15", MORNING, datetime(2026, 11, 25, 3, 15)),
        ("11pm", MORNING, datetime(2026, 11, 24, 23, 0)),
        ("2.30pm", EVENING, datetime(2026, 11, 25, 14, 30)),
        ("12am", MORNING, datetime(2026, 11, 25, 0, 0)),
        ("last night 2:30", MORNING, datetime(2026, 11, 25, 2, 30)),
        ("last night 2:30", EVENING, datetime(2026, 11, 25, 2, 30)),
        ("last night 23:10", MORNING, datetime(2026, 11, 24, 23, 10)),
        ("Last Night at 11pm", EVENING, datetime(2026, 11, 24, 23, 0)),
        ("last night 2:30", SMALL_HOURS, datetime(2026, 11, 24, 2, 30)),
        ("yesterday 23:10", MORNING, datetime(2026, 11, 24, 23, 10)),
        ("today 8am", MORNING, datetime(2026, 11, 25, 8, 0)),
        ("10 min ago", MORNING, datetime(2026, 11, 25, 9, 20)),
        ("2h ago", MORNING, datetime(2026, 11, 25, 7, 30)),
        ("90 seconds ago", MORNING, datetime(2026, 11, 25, 9, 28, 30)),
        ("2026-11-24T03:10", MORNING, datetime(2026, 11, 24, 3, 10)),
        ("2026-11-24 03:10", MORNING, datetime(2026, 11, 24, 3, 10)),
        ("2026-11-24 3am", MORNING, datetime(2026, 11, 24, 3, 0)),
    ],
)
def test_when(text: str, now: datetime, expected: datetime) -> None:
    assert parse_when(text, now=now) == expected


@pytest.mark.parametrize("text", ["soon", "25:00", "13pm", "last night 99", "3:75"])
def test_when_refuses_nonsense_and_shows_examples(text: str) -> None:
    with pytest.raises(InputError, match="field 'at'"):
        parse_when(text, now=MORNING)


def test_clock() -> None:
    assert parse_clock("23h10") == time(23, 10)
    assert parse_clock("12pm") == time(12, 0)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("today", date(2026, 11, 25)),
        ("yesterday", date(2026, 11, 24)),
        ("last night", date(2026, 11, 24)),
        ("3 days ago", date(2026, 11, 22)),
        ("2026-02-28", date(2026, 2, 28)),
    ],
)
def test_dates(text: str, expected: date) -> None:
    assert parse_date(text, today=date(2026, 11, 25)) == expected


def test_bad_date() -> None:
    with pytest.raises(InputError, match=r"field 'date'.*2026-11-24"):
        parse_date("2026-02-30")


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("40s", 40),
        ("2m", 120),
        ("1m30s", 90),
        ("90", 90),
        ("1.5 min", 90),
        ("1h", 3600),
        ("2:05", 125),
        ("45 sec", 45),
    ],
)
def test_durations(text: str, seconds: int) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["forever", "2x", "m30"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(InputError, match="40s, 2m, 1m30s"):
        parse_duration(text)


@pytest.mark.parametrize(
    ("text", "celsius"),
    [("64F", 17.8), ("64 °F", 17.8), ("18C", 18.0), ("18", 18.0), ("18.5°c", 18.5), ("-2", -2.0)],
)
def test_temperatures(text: str, celsius: float) -> None:
    assert parse_temperature_c(text) == celsius


def test_bare_temperatures_follow_the_users_units() -> None:
    assert parse_temperature_c("64", default_unit="F") == 17.8


def test_fahrenheit_typed_as_celsius_gets_a_hint() -> None:
    with pytest.raises(InputError, match="write 64F for Fahrenheit"):
        parse_temperature_c("64")
    with pytest.raises(InputError, match="not a temperature"):
        parse_temperature_c("warm")


@pytest.mark.parametrize(
    ("text", "litres"),
    [
        ("1.5", 1.5),
        ("1.5l", 1.5),
        ("1500ml", 1.5),
        ("50floz", 1.48),
        ("50 fl oz", 1.48),
        ("6 cups", 1.42),
        ("2 litres", 2.0),
    ],
)
def test_volumes(text: str, litres: float) -> None:
    assert parse_volume_l(text) == litres


def test_bad_volumes() -> None:
    with pytest.raises(InputError, match="1500ml"):
        parse_volume_l("a glass")
    with pytest.raises(InputError, match="20 litres"):
        parse_volume_l("50")
    assert parse_volume_l("50", default_unit="floz") == 1.48
