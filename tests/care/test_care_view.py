"""The dashboard's figures: trend of cramps per night, per week, nights woken."""

from __future__ import annotations

from datetime import date, timedelta

from crampwise.web.care.view import cramp_trend

TODAY = date(2026, 11, 25)


def _nights(before: list[int], recent: list[int]) -> tuple[list[date], list[int]]:
    """`before`: nights 28-55 days ago, `recent`: nights 0-27 days ago (oldest first)."""
    dates = [TODAY - timedelta(days=55 - i) for i in range(len(before))]
    dates += [TODAY - timedelta(days=27 - i) for i in range(len(recent))]
    return dates, before + recent


def test_trend_rising_falling_steady() -> None:
    assert cramp_trend(*_nights([0] * 28, [1] * 28), TODAY) == "rising"  # 0 -> 7 a week
    assert cramp_trend(*_nights([1] * 28, [0] * 28), TODAY) == "falling"
    assert cramp_trend(*_nights([1] * 28, [1] * 28), TODAY) == "steady"
    # 2.0 -> 2.2 a night: 1.5 cramps a week more, but under a quarter more: steady.
    assert cramp_trend(*_nights([2] * 28, [2] * 22 + [3] * 6), TODAY) == "steady"
    assert cramp_trend(*_nights([2] * 28, [2] * 10 + [3] * 18), TODAY) == "rising"
    # Less than one cramp a week of difference is noise, however large the ratio.
    assert cramp_trend(*_nights([0] * 27 + [1], [0] * 26 + [1, 1]), TODAY) == "steady"


def test_trend_needs_a_week_of_nights_in_each_window() -> None:
    assert cramp_trend(*_nights([0] * 6, [3] * 28), TODAY) is None
    assert cramp_trend(*_nights([0] * 28, [3] * 6), TODAY) is None
    assert cramp_trend(*_nights([0] * 7, [3] * 7), TODAY) == "rising"
