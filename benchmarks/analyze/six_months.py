"""Six-month diaries with planted triggers, for the six-month trigger-discovery study.

Written to the issue's description, independently of `crampwise.analysis.simulation` (which
the planted-trigger pattern is borrowed from). Every diary:

- 180 nights from a random day of the year; a base rate drawn in 0.35-0.6 cramps a night
  (the diary's mean rate, as the issue states it);
- a seasonal bedroom temperature (annual cycle + AR(1) weather, rho 0.7) and a season of the
  cramps' own (0.15 on the log scale), so season confounds temperature;
- AR(1) latent night-to-night frailty (sd 0.3, rho 0.3-0.7) and NB2 over-dispersion
  (alpha 0.2-0.5), both drawn per diary;
- 2-5% missing days (gaps in the dates) and 2-5% missing cells, drawn per diary;
- exercise more likely at weekends; steps and fluids travel with it, cold legs with a cold
  bedroom (bystanders).

Five planted triggers: exercise minutes, bedroom temperature (colder = more), a warm
footbath (protective), prone sleep position, alcohol units the day before. Two generators:

- `REALISTIC` ("realistic"): the diary a real person keeps, about as many factors as the
  demo diary -- 10 factors, 24 terms: the five planted, three bystanders, and two noise
  factors (coffee cups, sleep hours). Effects are the clinical/demo picture: exercise 2.5x
  per hour, 1.8x per 5 °C colder, footbath 0.55x, prone 1.9x, alcohol 1.3x per unit.
- `MANY_FACTORS` ("many-factors"): a heavier diary -- 22 factors, 58 terms: heavy sweating
  as a fourth bystander (after long exercise) and 13 noise factors of every kind (minerals,
  sitting/standing hours, sleep hours, coffee, vitamin D taken in runs, stretching, massage,
  dinner, mood). Effects are the two-year study's: exercise 2x per hour, 1.7x per 5 °C colder.

The effect scale (1.0) was fixed before any method work (benchmarks/analyze/README.md,
"Six-month study") and is not tuned to either method. Seeds fully determine a diary.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
from numpy.typing import NDArray

from crampwise.diary.daytable import DayTable, FactorColumn

NIGHTS = 180

Array = NDArray[np.float64]
Columns = dict[str, tuple[str, list[object]]]

# (factor, lag) of every planted trigger. Every sleep_position level at lag 0 is a true
# association (each level against the rest contrasts prone with the others, one way or other).
PLANTED: tuple[tuple[str, int], ...] = (
    ("exercise_min", 0),
    ("bedroom_temp_c", 0),
    ("footbath", 0),
    ("sleep_position", 0),
    ("alcohol_units", 1),
)


@dataclass(frozen=True)
class Diary:
    table: DayTable
    null: bool
    base_rate: float


@dataclass(frozen=True)
class SixMonthGenerator:
    """One kind of six-month diary: its planted log effects, bystanders and noise factors."""

    name: str
    effects: dict[str, float]  # log rate ratio per unit at scale 1 (yes/no: present vs absent)
    bystanders: tuple[str, ...]
    heavy_sweating: bool  # a bystander after long exercise (drawn right after fluids)
    noise: Callable[[np.random.Generator, int, NDArray[np.bool_]], Columns]
    terms: int  # terms tested per diary (every factor x level x lag 0/1)

    def true_terms(self, scale: float = 1.0) -> dict[tuple[str, str | None, int], float]:
        """The planted log effect per unit, by (factor, level, lag) as findings name them."""
        e = {k: v * scale for k, v in self.effects.items()}
        return {
            ("exercise_min", None, 0): e["exercise_min"],
            ("bedroom_temp_c", None, 0): e["bedroom_temp_c"],
            ("footbath", None, 0): e["footbath"],
            ("sleep_position", "prone", 0): e["prone"],
            ("alcohol_units", None, 1): e["alcohol_units"],
        }

    def simulate(
        self, seed: int, null: bool = False, nights: int = NIGHTS, scale: float = 1.0
    ) -> Diary:
        """One diary from one seed; `null=True` keeps everything but the planted effects."""
        return _simulate(self, seed, null, nights, scale)


def _ar1(rng: np.random.Generator, n: int, rho: float, sd: float) -> Array:
    out = np.empty(n)
    out[0] = rng.normal(0, sd)
    innov = rng.normal(0, sd * math.sqrt(1 - rho * rho), n)
    for t in range(1, n):
        out[t] = rho * out[t - 1] + innov[t]
    return out


def _few_noise(rng: np.random.Generator, n: int, weekend: NDArray[np.bool_]) -> Columns:
    coffee = rng.poisson(1.8, n).astype(float)
    sleep_hours = np.clip(7.0 + _ar1(rng, n, 0.3, 0.8), 3, 11).round(1)
    return {
        "coffee_cups": ("numeric", list(coffee)),
        "sleep_hours": ("numeric", list(sleep_hours)),
    }


def _many_noise(rng: np.random.Generator, n: int, weekend: NDArray[np.bool_]) -> Columns:
    # Some are habits that persist from day to day (sitting, sleep, vitamin D in runs).
    sitting = np.clip(7.0 + _ar1(rng, n, 0.4, 2.0) - 2.0 * weekend, 0, 16).round(1)
    standing = np.clip(3.0 - 0.3 * (sitting - 7.0) + rng.normal(0, 1.0, n), 0, 14).round(1)
    sleep_hours = np.clip(7.0 + _ar1(rng, n, 0.3, 0.8), 3, 11).round(1)
    vit_state = _ar1(rng, n, 0.9, 1.0) > 0.0
    dinners = np.array(["meat", "fish", "vegetarian", "takeaway"])
    moods = np.array(["good", "ok", "bad"])
    return {
        "calcium_mg": ("numeric", list(rng.normal(900, 250, n).clip(100).round())),
        "magnesium_mg": ("numeric", list(rng.normal(300, 80, n).clip(20).round())),
        "potassium_mg": ("numeric", list(rng.normal(3000, 700, n).clip(300).round())),
        "sodium_mg": ("numeric", list(rng.normal(2500, 600, n).clip(200).round())),
        "hours_sitting": ("numeric", list(sitting)),
        "hours_standing": ("numeric", list(standing)),
        "sleep_hours": ("numeric", list(sleep_hours)),
        "coffee_cups": ("numeric", [float(v) for v in rng.poisson(1.8, n)]),
        "vitamin_d": ("boolean", [bool(v) for v in vit_state]),
        "stretched": ("boolean", [bool(v) for v in rng.random(n) < 0.4]),
        "massage": ("boolean", [bool(v) for v in rng.random(n) < 0.1]),
        "dinner": (
            "categorical",
            [str(v) for v in rng.choice(dinners, n, p=[0.4, 0.2, 0.25, 0.15])],
        ),
        "mood": ("categorical", [str(v) for v in rng.choice(moods, n, p=[0.4, 0.45, 0.15])]),
    }


def _simulate(gen: SixMonthGenerator, seed: int, null: bool, nights: int, scale: float) -> Diary:
    # The order of the random draws is part of the study: changing it changes every diary.
    rng = np.random.default_rng(seed)
    n = nights
    start = date(2024, 1, 1) + timedelta(days=int(rng.integers(0, 365)))
    days = [start + timedelta(days=i) for i in range(n)]
    doy = np.array([d.timetuple().tm_yday for d in days], float)
    season = np.cos(2.0 * np.pi * (doy - 15.0) / 365.25)  # +1 mid-January
    weekend = np.array([d.weekday() >= 5 for d in days])

    p_ex = np.where(weekend, 0.55, 0.35)
    exercise = np.where(rng.random(n) < p_ex, rng.gamma(3.0, 20.0, n), 0.0).round()
    steps = np.clip(3500 + 60.0 * exercise + rng.normal(0, 1300, n), 0, None).round()
    fluids = np.clip(1.5 + 0.01 * exercise + rng.normal(0, 0.35, n), 0.1, 20).round(2)
    columns: Columns = {
        "exercise_min": ("numeric", list(exercise)),
        "steps": ("numeric", list(steps)),
        "fluids_l": ("numeric", list(fluids)),
    }
    if gen.heavy_sweating:
        sweating = rng.random(n) < 0.08 + 0.5 * (exercise > 60)
        columns["heavy_sweating"] = ("boolean", [bool(v) for v in sweating])
    temp = (18.5 - 3.0 * season + _ar1(rng, n, 0.7, 1.8)).round(1)
    legs_cold = rng.random(n) < np.clip(0.25 - 0.06 * (temp - 18.5), 0.03, 0.8)
    footbath = rng.random(n) < 0.35
    position = rng.choice(np.array(["back", "side", "prone"]), n, p=[0.4, 0.4, 0.2])
    alcohol = np.where(rng.random(n) < np.where(weekend, 0.6, 0.35), rng.poisson(2.0, n), 0)
    alcohol = alcohol.astype(float)
    columns |= {
        "bedroom_temp_c": ("numeric", list(temp)),
        "legs_cold": ("boolean", [bool(v) for v in legs_cold]),
        "footbath": ("boolean", [bool(v) for v in footbath]),
        "sleep_position": ("categorical", [str(v) for v in position]),
        "alcohol_units": ("numeric", list(alcohol)),
    }
    columns |= gen.noise(rng, n, weekend)

    e = {k: v * scale for k, v in gen.effects.items()}
    eta = 0.15 * season  # cramps have a season of their own, beyond the bedroom
    if not null:
        eta = eta + e["exercise_min"] * exercise + e["bedroom_temp_c"] * temp
        eta = eta + e["footbath"] * footbath + e["prone"] * (position == "prone")
        eta[1:] += e["alcohol_units"] * alcohol[:-1]
    rho = float(rng.uniform(0.3, 0.7))
    alpha = float(rng.uniform(0.2, 0.5))
    eta = eta + _ar1(rng, n, rho, 0.3)
    base_rate = float(rng.uniform(0.35, 0.6))
    mu = np.exp(eta)
    mu *= base_rate / mu.mean()  # the diary's expected cramps per night is the base rate
    cramps = rng.poisson(mu * rng.gamma(1.0 / alpha, alpha, n))

    gap_share = float(rng.uniform(0.02, 0.05))
    cell_share = float(rng.uniform(0.02, 0.05))
    keep = np.flatnonzero(rng.random(n) >= gap_share)
    factors = []
    for name, (kind, values) in columns.items():
        lost = rng.random(n) < cell_share
        vals = [
            None if lost[i] else (float(values[i]) if kind == "numeric" else values[i])  # type: ignore[arg-type]
            for i in keep
        ]
        factors.append(FactorColumn(name, kind, vals))  # type: ignore[arg-type]
    table = DayTable(
        dates=[days[i] for i in keep],
        cramps=[int(cramps[i]) for i in keep],
        pain=[None] * len(keep),
        factors=factors,
    )
    return Diary(table, null, base_rate)


REALISTIC = SixMonthGenerator(
    name="realistic",
    effects={
        "exercise_min": math.log(2.5) / 60.0,  # per minute; 2.5x per hour
        "bedroom_temp_c": -math.log(1.8) / 5.0,  # 1.8x per 5 °C colder
        "footbath": math.log(0.55),  # protective
        "prone": math.log(1.9),
        "alcohol_units": math.log(1.3),  # per unit, the day before
    },
    bystanders=("steps", "fluids_l", "legs_cold"),
    heavy_sweating=False,
    noise=_few_noise,
    terms=24,
)
MANY_FACTORS = SixMonthGenerator(
    name="many-factors",
    effects={
        "exercise_min": math.log(2.0) / 60.0,  # 2x per hour: the two-year study's effects
        "bedroom_temp_c": -math.log(1.7) / 5.0,
        "footbath": math.log(0.55),
        "prone": math.log(1.9),
        "alcohol_units": math.log(1.3),
    },
    bystanders=("steps", "fluids_l", "heavy_sweating", "legs_cold"),
    heavy_sweating=True,
    noise=_many_noise,
    terms=58,
)
GENERATORS: dict[str, SixMonthGenerator] = {g.name: g for g in (REALISTIC, MANY_FACTORS)}
