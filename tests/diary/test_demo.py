"""The demo diary: six months, reproducible, with the planted relationships visible."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest

from crampwise.diary.demo import MIN_DAYS, fill_demo, simulate
from crampwise.errors import InputError
from crampwise.interop.csv import export_diary
from crampwise.store import Store

END = date(2026, 11, 1)


def _rate(logs: list, counts: dict, factor: str, value: object) -> float:
    nights = [log.date for log in logs if log.values.get(factor) == value]
    return sum(counts.get(d, 0) for d in nights) / len(nights)


def test_same_seed_same_diary_other_seed_other_diary() -> None:
    a_logs, a_eps = simulate(seed=5, end=END)
    b_logs, b_eps = simulate(seed=5, end=END)
    c_logs, _ = simulate(seed=6, end=END)
    assert a_logs == b_logs and a_eps == b_eps
    assert a_logs != c_logs


def test_six_months_with_gaps_and_planted_effects() -> None:
    # Several seeds pooled, so the check is about the model, not one lucky draw.
    logs, episodes = [], []
    for seed in range(4):
        day_logs, eps = simulate(seed=seed, days=200, end=END - timedelta(days=300 * seed))
        assert (day_logs[-1].date - day_logs[0].date).days + 1 >= MIN_DAYS
        assert len(day_logs) >= 170  # about one day in twelve is missing
        assert len(day_logs) < 200
        logs += day_logs
        episodes += eps
    counts: dict[date, int] = {}
    for ep in episodes:
        counts[ep.night] = counts.get(ep.night, 0) + 1
    assert _rate(logs, counts, "stretched", True) < 0.7 * _rate(logs, counts, "stretched", False)
    assert _rate(logs, counts, "exercise_intensity", "hard") > 1.8 * _rate(
        logs, counts, "exercise_intensity", "light"
    )
    cold = [log.date for log in logs if log.values.get("bedroom_temp_c", 99) < 16]
    warm = [log.date for log in logs if 20 <= log.values.get("bedroom_temp_c", 0) < 99]
    assert sum(counts.get(d, 0) for d in cold) / len(cold) > sum(
        counts.get(d, 0) for d in warm
    ) / len(warm)
    assert all(ep.pain is None or 0 <= ep.pain <= 10 for ep in episodes)


def test_too_short_is_refused() -> None:
    with pytest.raises(InputError, match="at least 183"):
        simulate(days=100)


def test_fill_replaces_what_was_there(store: Store) -> None:
    diary = store.diary("demo")
    first = fill_demo(diary, seed=1, days=190, end=END)
    out1 = io.StringIO()
    export_diary(diary, out1)
    again = fill_demo(diary, seed=1, days=190, end=END)
    out2 = io.StringIO()
    export_diary(diary, out2)
    assert first == again and out1.getvalue() == out2.getvalue()
    assert len(diary.episodes()) == first["episodes"] > 30
    assert [m.name for m in diary.medicines()] == ["atorvastatin"]
    assert store.users() == ["demo"]
