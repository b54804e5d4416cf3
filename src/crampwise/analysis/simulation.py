"""Simulated diaries with planted triggers, to measure trigger discovery's power and errors.

A diary here has what real ones have: over-dispersed counts, night-to-night correlation,
a season, gaps in the dates, missing values, and *bystanders* — factors that travel with a
real trigger without causing anything (steps and fluids with exercise). Planted effects
cover a numeric trigger, a protective numeric side (colder → more), a protective yes/no,
one categorical level and a lag-1 trigger. `null=True` keeps everything but the effects.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from datetime import date, timedelta

from crampwise.analysis.results import Finding
from crampwise.analysis.triggers import find_triggers
from crampwise.diary.daytable import DayTable, FactorColumn
from crampwise.diary.model import FactorKind, FactorValue

__all__ = ["PLANTED", "SimulatedDiary", "StudyResult", "run_study", "score_run", "simulate_diary"]

# (factor, lag) of every planted trigger; for sleep_position every level at lag 0 is a true
# association (a level vs the others contrasts prone with the rest, one way or the other).
PLANTED: tuple[tuple[str, int], ...] = (
    ("exercise_min", 0),
    ("bedroom_temp_c", 0),
    ("footbath", 0),
    ("sleep_position", 0),
    ("alcohol_units", 1),
)
BYSTANDERS: tuple[str, ...] = ("steps", "fluids_l", "heavy_sweating")
EFFECTS = {
    "exercise_min": math.log(2.0) / 60.0,  # 2x per hour
    "bedroom_temp_c": -math.log(1.7) / 5.0,  # 1.7x per 5 °C colder
    "footbath": math.log(0.55),  # protective
    "prone": math.log(1.9),
    "alcohol_units": math.log(1.3),  # per unit, the day before
}


@dataclass
class SimulatedDiary:
    """A diary table and what was planted in it."""

    table: DayTable
    null: bool


def simulate_diary(
    seed: int,
    nights: int = 400,
    null: bool = False,
    noise_factors: int = 6,
    missing: float = 0.05,
    gaps: float = 0.02,
    alpha: float = 0.3,
    rho: float = 0.5,
    mean_cramps: float = 0.5,
) -> SimulatedDiary:
    """A diary of about `nights` nights (a share `gaps` of days dropped) from one seed."""
    import numpy as np

    rng = np.random.default_rng(seed)
    n = nights
    start = date(2024, 1, 1)
    doy = np.array([(start + timedelta(days=i)).timetuple().tm_yday for i in range(n)], float)
    season = np.cos(2.0 * np.pi * (doy - 15.0) / 365.25)  # +1 mid-January

    exercise = np.where(rng.random(n) < 0.4, rng.gamma(3.0, 20.0, n), 0.0).round()
    steps = np.clip(3000 + 60.0 * exercise + rng.normal(0, 1200, n), 0, None).round()
    fluids = np.clip(1.4 + 0.01 * exercise + rng.normal(0, 0.35, n), 0.1, 20).round(2)
    sweating = rng.random(n) < 0.1 + 0.5 * (exercise > 60)
    temp = (18.0 - 3.0 * season + rng.normal(0, 2.0, n)).round(1)
    footbath = rng.random(n) < 0.35
    position = rng.choice(np.array(["back", "side", "prone"]), n, p=[0.4, 0.4, 0.2])
    alcohol = rng.poisson(1.2, n).astype(float)

    eta = np.full(n, math.log(mean_cramps)) + 0.15 * season
    if not null:
        eta += EFFECTS["exercise_min"] * (exercise - exercise.mean())
        eta += EFFECTS["bedroom_temp_c"] * (temp - temp.mean())
        eta += EFFECTS["footbath"] * footbath
        eta += EFFECTS["prone"] * (position == "prone")
        eta[1:] += EFFECTS["alcohol_units"] * (alcohol[:-1] - alcohol.mean())
    latent = np.zeros(n)
    innovation = rng.normal(0, 0.3 * math.sqrt(1 - rho**2), n)
    latent[0] = rng.normal(0, 0.3)
    for t in range(1, n):
        latent[t] = rho * latent[t - 1] + innovation[t]
    mu = np.exp(eta + latent)
    rate = mu * rng.gamma(1.0 / alpha, alpha, n) if alpha > 0 else mu
    cramps = rng.poisson(rate)

    keep = np.flatnonzero(rng.random(n) >= gaps)
    columns: dict[str, tuple[FactorKind, list[FactorValue]]] = {
        "exercise_min": ("numeric", list(exercise)),
        "steps": ("numeric", list(steps)),
        "fluids_l": ("numeric", list(fluids)),
        "heavy_sweating": ("boolean", [bool(v) for v in sweating]),
        "bedroom_temp_c": ("numeric", list(temp)),
        "footbath": ("boolean", [bool(v) for v in footbath]),
        "sleep_position": ("categorical", [str(v) for v in position]),
        "alcohol_units": ("numeric", list(alcohol)),
    }
    for j in range(noise_factors):
        name = f"noise_{j}"
        if j % 3 == 0:
            columns[name] = ("numeric", [float(v) for v in rng.normal(5, 2, n).round(2)])
        elif j % 3 == 1:
            columns[name] = ("boolean", [bool(v) for v in rng.random(n) < 0.3])
        else:
            levels = np.array(["a", "b", "c"])
            columns[name] = ("categorical", [str(v) for v in rng.choice(levels, n)])
    factors = []
    for name, (kind, values) in columns.items():
        lost = rng.random(n) < missing
        kept: list[FactorValue | None] = [None if lost[i] else values[i] for i in keep]
        factors.append(FactorColumn(name, kind, kept))
    table = DayTable(
        dates=[start + timedelta(days=int(i)) for i in keep],
        cramps=[int(cramps[i]) for i in keep],
        pain=[None] * len(keep),
        factors=factors,
    )
    return SimulatedDiary(table, null)


@dataclass
class RunScore:
    """What one analysis of a simulated diary got right and wrong."""

    detected: dict[tuple[str, int], bool]
    bystander_hits: dict[str, bool]
    false_discoveries: int
    discoveries: int

    @property
    def fdp(self) -> float:
        return self.false_discoveries / self.discoveries if self.discoveries else 0.0


def score_run(findings: list[Finding], null: bool) -> RunScore:
    """Score significant findings against the planted truth (nothing is true in a null diary)."""
    truth = set() if null else set(PLANTED)
    significant = [f for f in findings if f.significant]
    detected = {key: any((f.factor, f.lag_days) == key for f in significant) for key in PLANTED}
    bystanders = {b: any(f.factor == b for f in significant) for b in BYSTANDERS}
    false = sum(1 for f in significant if (f.factor, f.lag_days) not in truth)
    return RunScore(detected, bystanders, false, len(significant))


# True log rate ratio per factor unit (yes/no, level: present vs the rest) at the planted lag.
TRUE_LOG_EFFECT: dict[tuple[str, str | None, int], float] = {
    ("exercise_min", None, 0): EFFECTS["exercise_min"],
    ("bedroom_temp_c", None, 0): EFFECTS["bedroom_temp_c"],
    ("footbath", None, 0): EFFECTS["footbath"],
    ("sleep_position", "prone", 0): EFFECTS["prone"],
    ("alcohol_units", None, 1): EFFECTS["alcohol_units"],
}


def covers(finding: Finding, true_log_effect: float) -> bool:
    """Whether a finding's 95% interval holds the planted effect (on the signed log scale)."""
    low, high = (math.log(v) for v in finding.effect.ci95)
    if finding.direction == "lower":  # the ratio is for a step down: flip back
        low, high = -high, -low
    truth = true_log_effect * finding.effect.step
    return low <= truth <= high


@dataclass
class StudyResult:
    """Power and error rates over many simulated diaries (planted and null)."""

    replicates: int
    nights: int
    power: dict[str, float]  # "factor@lag" -> share of planted diaries where it was found
    bystander_rate: dict[str, float]  # share of planted diaries where it came out (any lag)
    mean_fdp: float  # mean false discovery proportion, planted diaries
    null_any_rate: float  # share of null diaries with any significant finding
    null_mean_findings: float  # significant findings per null diary
    coverage: dict[str, float]  # share of 95% intervals holding the planted effect
    seconds_per_diary: float

    def to_dict(self) -> dict[str, object]:
        return {
            "replicates": self.replicates,
            "nights": self.nights,
            "power": self.power,
            "bystander_rate": self.bystander_rate,
            "mean_false_discovery_proportion": self.mean_fdp,
            "null_any_significant_rate": self.null_any_rate,
            "null_mean_significant_findings": self.null_mean_findings,
            "ci95_coverage": self.coverage,
            "seconds_per_diary": self.seconds_per_diary,
        }


def run_study(replicates: int, nights: int, first_seed: int = 0) -> StudyResult:
    """Analyse `replicates` planted and as many null diaries; seeds first_seed, first_seed+1, ..."""
    found = dict.fromkeys(PLANTED, 0)
    bystanders = dict.fromkeys(BYSTANDERS, 0)
    fdps: list[float] = []
    null_any = 0
    null_total = 0
    held = dict.fromkeys(TRUE_LOG_EFFECT, 0)
    tested = dict.fromkeys(TRUE_LOG_EFFECT, 0)
    started = time.perf_counter()
    for r in range(replicates):
        planted = simulate_diary(first_seed + r, nights=nights)
        findings = find_triggers(planted.table).findings
        score = score_run(findings, null=False)
        for f in findings:
            term = (f.factor, f.level, f.lag_days)
            if term in TRUE_LOG_EFFECT:
                tested[term] += 1
                held[term] += covers(f, TRUE_LOG_EFFECT[term])
        for key, hit in score.detected.items():
            found[key] += hit
        for name, hit in score.bystander_hits.items():
            bystanders[name] += hit
        fdps.append(score.fdp)
        null = simulate_diary(first_seed + 1_000_000 + r, nights=nights, null=True)
        null_score = score_run(find_triggers(null.table).findings, null=True)
        null_any += null_score.discoveries > 0
        null_total += null_score.discoveries
    elapsed = time.perf_counter() - started
    return StudyResult(
        replicates=replicates,
        nights=nights,
        power={f"{f}@{lag}": found[(f, lag)] / replicates for f, lag in PLANTED},
        bystander_rate={b: bystanders[b] / replicates for b in BYSTANDERS},
        mean_fdp=sum(fdps) / replicates,
        null_any_rate=null_any / replicates,
        null_mean_findings=null_total / replicates,
        coverage={
            f"{f}{'=' + lv if lv else ''}@{lag}": held[(f, lv, lag)] / max(tested[(f, lv, lag)], 1)
            for f, lv, lag in TRUE_LOG_EFFECT
        },
        seconds_per_diary=elapsed / (2 * replicates),
    )
