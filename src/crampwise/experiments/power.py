"""What an n-of-1 experiment can detect: power to see a halving of cramps, by simulation.

The simulated person has a cramp rate that waxes and wanes by itself: the log-rate follows a
stationary AR(1) process (standard deviation `latent_sd`, night-to-night correlation
`autocorrelation`), nights are Poisson given that rate, and on-nights are multiplied by the
true rate ratio `rr`. Each simulated experiment is analysed exactly as a real diary is
(`crampwise.experiments.periods`: windows around each switch, paired t; wash-out, the
14-nights rule, helps = P(RR<1) ≥ 0.95),
so power is the share of simulated experiments whose verdict is "helps". Adherence is
assumed perfect: missed evenings lower the real power.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from random import Random

import numpy as np

from crampwise.errors import InputError
from crampwise.experiments.periods import build_windows, fit_windows, window_totals

HELPS_AT = 0.95
MIN_NIGHTS_PER_ARM = 14
TARGET_POWER = 0.80
MAX_PAIRS = 16
DEFAULT_LATENT_SD = 0.5
DEFAULT_AUTOCORRELATION = 0.85
SCHEDULES_PER_RUN = 16


@dataclass(frozen=True)
class PowerStatement:
    """Power of one design for one cramp rate, and the shortest design reaching the target."""

    rate_per_night: float
    rate_ratio: float
    pairs: int
    period_days: int
    washout_days: int
    power: float
    suggested_pairs: int | None  # smallest number of pairs reaching TARGET_POWER, if any ≤ MAX
    target: float = TARGET_POWER
    latent_sd: float = DEFAULT_LATENT_SD
    autocorrelation: float = DEFAULT_AUTOCORRELATION

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def schedule_on(pairs: int, period_days: int, rng: Random) -> list[bool]:
    """One randomised on/off sequence of nights: each pair is on-off or off-on (coin flip)."""
    nights: list[bool] = []
    for _ in range(pairs):
        first = rng.random() < 0.5
        nights += [first] * period_days + [not first] * period_days
    return nights


def power_to_detect(
    rate_per_night: float,
    pairs: int,
    period_days: int,
    rr: float = 0.5,
    washout_days: int = 0,
    latent_sd: float = DEFAULT_LATENT_SD,
    autocorrelation: float = DEFAULT_AUTOCORRELATION,
    reps: int = 800,
    seed: int = 20261201,
) -> float:
    """Share of simulated experiments whose verdict is 'helps' when the true ratio is `rr`."""
    _check_design(rate_per_night, pairs, period_days, washout_days)
    if not 0 <= autocorrelation < 1 or latent_sd < 0 or rr <= 0:
        raise InputError("power: need rr > 0, latent_sd ≥ 0 and 0 ≤ autocorrelation < 1")
    schedule_rng = Random(seed)
    rng = np.random.default_rng(seed)
    nights = 2 * pairs * period_days
    days = np.arange(nights, dtype=np.int64)
    per_schedule = max(1, math.ceil(reps / SCHEDULES_PER_RUN))
    hits = 0
    total = 0
    for _ in range(SCHEDULES_PER_RUN):
        on = np.asarray(schedule_on(pairs, period_days, schedule_rng), dtype=np.bool_)
        design = build_windows(days, on, washout_days)
        kept = design.night_window >= 0
        total += per_schedule
        if min(int((kept & on).sum()), int((kept & ~on).sum())) < MIN_NIGHTS_PER_ARM:
            continue  # the verdict would be not_enough_data in every replicate
        latent = _latent_ar1(rng, per_schedule, nights, latent_sd, autocorrelation)
        mean = rate_per_night * np.exp(latent - latent_sd**2 / 2) * np.where(on, rr, 1.0)
        counts = rng.poisson(mean).astype(np.float64)
        fit = fit_windows(design, *window_totals(design, counts))
        hits += int((fit.probability_helps() >= HELPS_AT).sum())
    return hits / total


def suggest_pairs(
    rate_per_night: float,
    period_days: int,
    rr: float = 0.5,
    washout_days: int = 0,
    target: float = TARGET_POWER,
    latent_sd: float = DEFAULT_LATENT_SD,
    autocorrelation: float = DEFAULT_AUTOCORRELATION,
    max_pairs: int = MAX_PAIRS,
) -> int | None:
    """Smallest number of pairs whose power reaches `target`, or None if none ≤ max_pairs."""
    for pairs in range(1, max_pairs + 1):
        power = power_to_detect(
            rate_per_night, pairs, period_days, rr, washout_days, latent_sd, autocorrelation
        )
        if power >= target:
            return pairs
    return None


def power_statement(
    rate_per_night: float,
    pairs: int,
    period_days: int,
    washout_days: int = 0,
    rr: float = 0.5,
    latent_sd: float = DEFAULT_LATENT_SD,
    autocorrelation: float = DEFAULT_AUTOCORRELATION,
) -> PowerStatement:
    """Power of this design to detect `rr` (a halving by default) and a suggested length."""
    power = power_to_detect(
        rate_per_night, pairs, period_days, rr, washout_days, latent_sd, autocorrelation
    )
    suggested = (
        pairs
        if power >= TARGET_POWER
        else suggest_pairs(
            rate_per_night, period_days, rr, washout_days, TARGET_POWER, latent_sd, autocorrelation
        )
    )
    return PowerStatement(
        rate_per_night=rate_per_night,
        rate_ratio=rr,
        pairs=pairs,
        period_days=period_days,
        washout_days=washout_days,
        power=round(power, 3),
        suggested_pairs=suggested,
        latent_sd=latent_sd,
        autocorrelation=autocorrelation,
    )


def estimate_variability(
    cramps: Sequence[int], autocorrelation: float = DEFAULT_AUTOCORRELATION
) -> tuple[float, float]:
    """Cramp rate and latent SD from consecutive nights of a diary (moment-matching on weeks).

    The weekly totals' variance beyond Poisson, Var(S) − E(S), equals
    μ² Σ_i Σ_j (exp(σ² ρ^|i−j|) − 1) under the simulation model; σ is solved for by
    bisection and kept within 0.2–1.0 (short diaries give noisy spreads).
    """
    counts = np.asarray(cramps, dtype=np.float64)
    rate = float(counts.mean()) if counts.size else 0.0
    weeks = counts.size // 7
    if weeks < 4 or rate <= 0:
        return rate, DEFAULT_LATENT_SD
    totals = counts[: weeks * 7].reshape(weeks, 7).sum(axis=1)
    excess = float(totals.var(ddof=1)) - float(totals.mean())
    lags = np.abs(np.subtract.outer(np.arange(7), np.arange(7)))

    def implied(sd: float) -> float:
        return float(rate**2 * np.expm1(sd**2 * autocorrelation**lags).sum())

    low, high = 0.2, 1.0
    if excess <= implied(low):
        return rate, low
    if excess >= implied(high):
        return rate, high
    for _ in range(40):
        mid = (low + high) / 2
        low, high = (mid, high) if implied(mid) < excess else (low, mid)
    return rate, round((low + high) / 2, 3)


def _latent_ar1(
    rng: np.random.Generator, reps: int, nights: int, sd: float, rho: float
) -> np.typing.NDArray[np.float64]:
    latent = np.empty((reps, nights))
    latent[:, 0] = rng.normal(0.0, sd, reps)
    shocks = rng.normal(0.0, sd * math.sqrt(1 - rho**2), (reps, nights))
    for night in range(1, nights):
        latent[:, night] = rho * latent[:, night - 1] + shocks[:, night]
    return latent


def _check_design(rate: float, pairs: int, period_days: int, washout_days: int) -> None:
    if not rate >= 0:
        raise InputError(f"field 'rate': {rate} must be ≥ 0 cramps per night")
    if pairs < 1:
        raise InputError(f"field 'pairs': {pairs} must be at least 1")
    if period_days < 1:
        raise InputError(f"field 'period_days': {period_days} must be at least 1")
    if not 0 <= washout_days < period_days:
        raise InputError(
            f"field 'washout_days': {washout_days} must be ≥ 0 and shorter than a period"
            f" ({period_days} days)"
        )
