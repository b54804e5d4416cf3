"""`crampwise demo`: six months of realistic, reproducible diary for the user `demo`.

The diary is simulated from a small model with planted relationships, so every feature
has something to find: nights after hard exercise, with little to drink or in a cold
bedroom bring more cramps; stretching before bed and a warm footbath bring fewer. Heavy
sweating travels with hard exercise but has no effect of its own (a confounder the trigger
analysis must not flag), and coffee is pure noise. Bedroom temperature follows the
seasons; about one day in twelve is missing, and some entries are partial. Only a
handful of factors are logged, as a real person would, so six months can show the effects.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from typing import Any, Protocol

from crampwise.diary.model import CustomFactor, DayLog, Episode, Medicine

# Planted effects as rate ratios (per night), documented for tests and the README.
BASE_RATE = 0.35
RR_HARD_EXERCISE = 3.5
RR_PER_LITRE_LESS = 2.6  # below 2 L of fluids
RR_PER_5C_COLDER = 2.0  # below 20 °C in the bedroom
RR_STRETCHED = 0.35
RR_FOOTBATH = 0.6

MIN_DAYS = 183


def _night_rate(day: dict[str, Any]) -> float:
    rate: float = BASE_RATE
    if day["exercise_intensity"] == "hard":
        rate *= RR_HARD_EXERCISE
    rate *= RR_PER_LITRE_LESS ** max(0.0, 2.0 - day["fluids_l"])
    rate *= RR_PER_5C_COLDER ** (max(0.0, 20.0 - day["bedroom_temp_c"]) / 5)
    if day["stretched"]:
        rate *= RR_STRETCHED
    if day["footbath"]:
        rate *= RR_FOOTBATH
    return rate


def _poisson(rng: random.Random, rate: float) -> int:
    # Knuth's method: fine for the small rates here.
    limit, k, p = math.exp(-rate), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def _simulate_day(rng: random.Random, day: date) -> dict[str, Any]:
    season = math.cos(2 * math.pi * (day.timetuple().tm_yday - 200) / 365)  # 1 = midsummer
    roll = rng.random()
    intensity = "none" if roll < 0.25 else "light" if roll < 0.55 else "moderate"
    if roll > 0.82:
        intensity = "hard"
    minutes = {"none": 0, "light": 30, "moderate": 45, "hard": 75}[intensity]
    minutes = 0 if minutes == 0 else max(10, round(minutes + rng.gauss(0, 25)))
    temp = 18.0 + 3.0 * season + rng.gauss(0, 1.5)
    hard = intensity == "hard"
    return {
        "exercise_min": float(minutes),
        "exercise_intensity": intensity,
        "fluids_l": round(min(3.5, max(0.6, rng.gauss(1.9, 0.45))), 1),
        "heavy_sweating": rng.random() < (0.7 if hard else 0.08) + 0.1 * max(season, 0),
        "bedroom_temp_c": round(temp * 2) / 2,
        "legs_cold": rng.random() < (0.45 if temp < 17 else 0.1),
        "stretched": rng.random() < 0.4,
        "footbath": rng.random() < 0.2,
        "sleep_hours": round(min(10.0, max(3.5, rng.gauss(7.1, 0.8))) * 4) / 4,
        "coffee_cups": float(rng.choice([0, 1, 1, 2, 2, 3])),
    }


def _episodes(rng: random.Random, night: date, count: int) -> list[Episode]:
    episodes = []
    for _ in range(count):
        minutes_after_22 = rng.randint(30, 8 * 60)
        started = datetime.combine(night, time(22)) + timedelta(minutes=minutes_after_22)
        muscle = rng.choices(["calf", "foot", "toes"], [0.8, 0.15, 0.05])[0]
        episodes.append(
            Episode(
                started_at=started,
                muscle=muscle,
                side=rng.choice(["left", "right", "right", "left", "both"]),
                duration_s=int(min(600, max(10, rng.lognormvariate(4.0, 0.7)))),
                pain=None if rng.random() < 0.1 else rng.randint(3, 9),
                woke=rng.random() < 0.8,
                helped=rng.sample(["stretch", "walk", "massage", "heat"], rng.randint(0, 2)),
                origin="demo",
            )
        )
    return episodes


def simulate(
    seed: int = 2,
    days: int = 210,
    end: date | None = None,
    planned: Mapping[date, Mapping[str, Any]] | None = None,
) -> tuple[list[DayLog], list[Episode]]:
    """The demo's day logs and episodes (same seed and end → same diary).

    planned: values that days follow (an experiment's schedule: {day: {"stretched": True}}),
    set before the night's cramps are drawn, so the planted effects show in the experiment.
    """
    if days < MIN_DAYS:
        from crampwise.errors import InputError

        raise InputError(f"field 'days': at least {MIN_DAYS} (six months)", field="days")
    rng = random.Random(seed)
    last = end or date.today() - timedelta(days=1)
    logs: list[DayLog] = []
    episodes: list[Episode] = []
    for offset in range(days - 1, -1, -1):
        day = last - timedelta(days=offset)
        values = _simulate_day(rng, day)
        values.update((planned or {}).get(day, {}))
        count = _poisson(rng, _night_rate(values))
        if rng.random() < 1 / 12:
            continue  # a day the diary was forgotten: neither log nor cramps recorded
        for name in list(values):
            kept = ("exercise_min", "exercise_intensity", *(planned or {}).get(day, {}))
            if name not in kept and rng.random() < 0.04:
                del values[name]  # a partial entry
        logs.append(DayLog(day, values))
        episodes.extend(_episodes(rng, day, count))
    return logs, episodes


class DemoDiary(Protocol):
    """What `fill_demo` needs of a diary (a store's `UserDiary` has it)."""

    user_name: str

    def delete_everything(self) -> object: ...
    def define_factor(self, factor: CustomFactor) -> object: ...
    def put_days(self, logs: list[DayLog], source: str) -> object: ...
    def add_episodes(self, episodes: list[Episode]) -> object: ...
    def add_medicine(self, medicine: Medicine) -> object: ...


def fill_demo(
    diary: DemoDiary,
    seed: int = 2,
    days: int = 210,
    end: date | None = None,
    planned: Mapping[date, Mapping[str, Any]] | None = None,
    replace: bool = True,
) -> dict[str, Any]:
    """Replace the diary's contents with the simulated demo; returns a short summary.

    replace=False fills a new, empty account as it is (deleting first would drop the
    account's row and its id with it)."""
    logs, episodes = simulate(seed, days, end, planned)
    if replace:
        diary.delete_everything()
    diary.define_factor(CustomFactor("coffee_cups", "numeric", "cups"))
    diary.put_days(logs, source="manual")
    diary.add_episodes(episodes)
    diary.add_medicine(Medicine("atorvastatin", started=logs[0].date - timedelta(days=400)))
    return {
        "user": diary.user_name,
        "seed": seed,
        "days": len(logs),
        "episodes": len(episodes),
        "first": logs[0].date.isoformat(),
        "last": logs[-1].date.isoformat(),
    }
