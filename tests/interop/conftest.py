"""Fixtures for the interop tests: a real SQLite diary with planted, known figures."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest

from crampwise.assess.assessment import assess
from crampwise.diary.model import DayLog, Episode, Medicine
from crampwise.store import Store, UserDiary, open_store

FIRST = date(2026, 1, 5)  # a Monday
NIGHTS = 84


@dataclass
class Planted:
    """What the planted diary holds, so tests can look for the exact figures."""

    diary: UserDiary
    url: str  # the database, for CLI runs
    episodes: int
    cramp_nights: int
    woke: int
    first: date
    last: date
    cold_nights: int


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with open_store(f"sqlite:///{tmp_path / 'crampwise.db'}") as s:
        yield s


def plant_diary(diary: UserDiary, seed: int = 7) -> Planted:
    """12 weeks where a cold bedroom (14 °C) goes with cramps; fixed seed, known totals."""
    rng = random.Random(seed)
    # A warm-footbath experiment over weeks 5-12: 4 pairs of 7-day periods, footbath logged.
    periods = []
    for pair in range(4):
        first_on = rng.random() < 0.5
        for k, cond in enumerate(("on", "off") if first_on else ("off", "on")):
            start = FIRST + timedelta(days=28 + 14 * pair + 7 * k)
            periods.append(
                {
                    "start": start.isoformat(),
                    "end": (start + timedelta(days=6)).isoformat(),
                    "condition": cond,
                }
            )
    on_days = {
        FIRST + timedelta(days=28 + i) for i in range(56) if periods[i // 7]["condition"] == "on"
    }
    days, episodes, cramp_nights, woke, cold = [], 0, 0, 0, 0
    for i in range(NIGHTS):
        d = FIRST + timedelta(days=i)
        is_cold = rng.random() < 0.4
        cold += is_cold
        temp = 14.0 if is_cold else 20.0
        days.append(
            DayLog(
                d,
                {
                    "bedroom_temp_c": temp,
                    "fluids_l": round(rng.uniform(1, 2.5), 1),
                    "stretched": rng.random() < 0.5,
                    "footbath": d in on_days,
                },
            )
        )
        n = (rng.random() < 0.75) + (rng.random() < 0.4) if is_cold else int(rng.random() < 0.12)
        if n:
            cramp_nights += 1
        for k in range(n):
            w = k == 0
            woke += w
            diary.add_episode(
                Episode(
                    started_at=datetime.combine(d + timedelta(days=1), time(2 + k, 15)),
                    muscle="calf" if k == 0 else "foot",
                    side="left",
                    duration_s=30 + 20 * k,
                    pain=5 + k,
                    woke=w,
                    helped=["stretch"],
                )
            )
            episodes += 1
    diary.put_days(days, source="manual")
    diary.add_medicine(Medicine("furosemide", started=date(2025, 11, 1)))
    diary.save_experiment("warm_footbath", periods, washout_days=0, factor="footbath")
    # The real assessment of a swollen leg (urgent: possible clot), saved as the app saves it.
    situation = {"symptoms": ["one_leg_swollen"], "medications": ["furosemide"]}
    diary.save_assessment(situation, assess(situation).to_dict())
    url = diary.engine.url.render_as_string(hide_password=False)
    last = FIRST + timedelta(days=NIGHTS - 1)
    return Planted(diary, url, episodes, cramp_nights, woke, FIRST, last, cold)


@pytest.fixture
def planted(store: Store) -> Planted:
    return plant_diary(store.diary("alice"))
