"""Realistic simulated n-of-1 diaries, for the tests and the simulation study that check the
analysis (`crampwise.experiments.model`) on data it was not built from.

The generator is deliberately a different code path from the planning model in
`crampwise.experiments.power` and the bootstrap in `crampwise.experiments.nulls`: a check that
simulates with the analysis's own assumptions can only confirm them. One diary:

* Plan: `pairs` consecutive pairs of `period_days`-day periods, a fair coin per pair for the
  order (as `plan_experiment` draws it).
* Adherence: each night the condition actually done differs from the plan with probability
  1 - adherence (a skipped or an extra evening), independently of cramps.
* Cramp rate per night: base rate x slow drift x latent AR(1) frailty x over-dispersion x the
  remedy's rate ratio on nights it was done (x a fading carry-over after it stops, if asked).
* Missing nights: each night is left out of the diary with probability `missing`.

Randomness comes only from the generator passed in, and the draws are made in a fixed order,
so a seed reproduces a study (benchmarks/experiment) to the last digit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

Drift = Literal["none", "linear", "seasonal", "mixed"]
DAYS_PER_YEAR = 365.0


@dataclass(frozen=True)
class Nuisance:
    """How a simulated person's nights vary apart from the remedy.

    Each (low, high) range is drawn from uniformly, once per diary, so one study cell mixes
    calm and wild diaries as a population of users would. The defaults are the ranges the
    simulation study was specified with (set before any result was seen).

    drift: 'linear' moves the log rate from -drift_size to +drift_size (or back) over the
    experiment; 'seasonal' is drift_size x sin of a 365-day cycle at a random phase; 'mixed'
    picks one of the two per diary, 50/50.
    carryover_nights: after the remedy stops, its log effect fades linearly over this many
    nights (0: the effect stops with the remedy).
    """

    latent_sd: tuple[float, float] = (0.3, 0.6)  # marginal SD of the AR(1) log-rate frailty
    rho: tuple[float, float] = (0.3, 0.7)  # its night-to-night correlation
    dispersion: tuple[float, float] = (0.0, 0.5)  # NB alpha: independent gamma noise per night
    adherence: tuple[float, float] = (0.7, 1.0)
    drift: Drift = "mixed"
    drift_size: float = 0.5
    missing: float = 0.03
    carryover_nights: int = 0


@dataclass(frozen=True)
class SimulatedDiary:
    """One simulated experiment, as the diary and the plan would record it (recorded nights
    only, in day order)."""

    day_numbers: IntArray
    counts: IntArray
    on: BoolArray  # what was done that evening (as treated)
    planned_on: BoolArray  # what the plan said (intention to treat)
    period_index: IntArray
    pair_index: IntArray
    rate_ratio: float


def simulate_diary(
    rng: np.random.Generator,
    rate_per_night: float,
    pairs: int,
    period_days: int,
    rate_ratio: float = 1.0,
    nuisance: Nuisance = Nuisance(),
) -> SimulatedDiary:
    """Draw one diary of a person with mean `rate_per_night` cramps without the remedy.

    rate_ratio: the remedy's true effect on nights it was done (1.0: it does nothing).
    """
    days = 2 * pairs * period_days
    t = np.arange(days, dtype=np.int64)
    first_on = rng.random(pairs) < 0.5
    period = t // period_days
    pair = period // 2
    planned = np.where(period % 2 == 0, first_on[pair], ~first_on[pair])
    adherence = rng.uniform(*nuisance.adherence)
    done = planned ^ (rng.random(days) >= adherence)

    log_rate = np.full(days, np.log(rate_per_night))
    log_rate += _drift(rng, t, nuisance.drift, nuisance.drift_size)
    sd = rng.uniform(*nuisance.latent_sd)
    rho = rng.uniform(*nuisance.rho)
    latent = np.empty(days)
    latent[0] = rng.normal(0.0, sd)
    shocks = rng.normal(0.0, sd * np.sqrt(1 - rho**2), days)
    for i in range(1, days):
        latent[i] = rho * latent[i - 1] + shocks[i]
    # Minus sd^2/2: the lognormal frailty has mean 1, so the base rate stays the mean rate.
    log_rate += latent - sd**2 / 2
    log_rate += np.log(rate_ratio) * _exposure(done, nuisance.carryover_nights)
    alpha = rng.uniform(*nuisance.dispersion)
    frailty = rng.gamma(1 / alpha, alpha, days) if alpha > 0 else np.ones(days)
    counts = rng.poisson(np.exp(log_rate) * frailty)
    kept = rng.random(days) >= nuisance.missing
    return SimulatedDiary(
        day_numbers=t[kept],
        counts=counts[kept].astype(np.int64),
        on=done[kept],
        planned_on=planned[kept],
        period_index=period[kept],
        pair_index=pair[kept],
        rate_ratio=rate_ratio,
    )


def _drift(rng: np.random.Generator, t: IntArray, kind: Drift, size: float) -> FloatArray:
    """Slow change of the log rate that has nothing to do with the remedy."""
    if kind == "mixed":
        kind = "linear" if rng.random() < 0.5 else "seasonal"
    if kind == "none" or size == 0:
        return np.zeros(t.size)
    if kind == "linear":
        sign = 1.0 if rng.random() < 0.5 else -1.0
        return np.asarray(sign * size * (2 * t / max(t.size - 1, 1) - 1), dtype=np.float64)
    phase = rng.uniform(0, 2 * np.pi)
    return np.asarray(size * np.sin(2 * np.pi * t / DAYS_PER_YEAR + phase), dtype=np.float64)


def _exposure(done: BoolArray, carryover_nights: int) -> FloatArray:
    """Share of the remedy's log effect active each night: 1 when done, fading after it stops
    (carry-over is what a wash-out is meant to wait out)."""
    exposure = done.astype(np.float64)
    if carryover_nights <= 0:
        return exposure
    since = carryover_nights + 1
    for i in range(done.size):
        since = 0 if done[i] else since + 1
        if not done[i] and since <= carryover_nights:
            exposure[i] = 1 - since / (carryover_nights + 1)
    return exposure
