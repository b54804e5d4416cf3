"""The result of an n-of-1 experiment: the comparison of on and off nights, its verdict, and
the words a person reads for it.

Two ways in, and the result says which (`randomised`):
- `analyze_planned`: the nights of a randomised plan (`crampwise experiment plan`), analysed
  by the night-level model of `crampwise.experiments.model`, calibrated for over-dispersion,
  night-to-night correlation, slow drift and small samples. A verdict here is causal.
- `analyze_experiment`: a diary column with no plan behind it. Whether the remedy was done
  was chosen by the person, night by night, so nights with and without it may differ in
  other ways; the effect is adjusted for the diary's other factors with the trigger model
  and reported as a link, never as proof.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from itertools import pairwise
from typing import Any, Literal

import numpy as np

from crampwise.analysis.results import Finding
from crampwise.analysis.triggers import same_night_effect
from crampwise.diary.daytable import DayTable, FactorColumn
from crampwise.errors import InputError
from crampwise.experiments.model import HELPS_AT, MIN_NIGHTS_PER_ARM, analyze_nights
from crampwise.experiments.plan import ExperimentPlan

Verdict = Literal["helps", "worse", "no_clear_effect", "not_enough_data"]
WORSE_AT = 1.0 - HELPS_AT

METHOD_RANDOMISED = (
    "Every night of the plan counts (after the wash-out). Cramps are compared within each "
    "pair of periods, so slow ups and downs and the seasons cancel; the uncertainty allows "
    "for nights that are more alike than chance (a run of bad weeks) and for cramps that "
    "come in clusters, estimated from your own diary. How sure we are comes from simulating "
    "your diary many times with no effect at all, with each pair's order re-drawn as the "
    "plan did, and seeing how often chance alone gives a difference as large."
)
METHOD_OBSERVED = (
    "The nights were not assigned at random, so nights with and without the remedy may "
    "differ in other ways. The comparison is adjusted for every other factor in the diary "
    "(and for a slow trend and the season) with the same model as `crampwise analyze`; what "
    "was not recorded cannot be adjusted for. This shows a link, not proof."
)
CANNOT_TELL = (
    "carry-over: a remedy whose effect lasts beyond the wash-out blurs the difference",
    "placebo and expectation: you knew which nights were 'on'",
    "seasons and life events: comparing within pairs of periods absorbs slow changes, not "
    "sudden ones",
    "adherence: the analysis uses what you did, not what the schedule said; "
    "skipped or extra evenings weaken the comparison",
    "other people: the result is about you, over these weeks",
)
CANNOT_TELL_OBSERVED = (
    "cause and effect: you chose when to do it, so something else that changed on those "
    "nights may explain the difference; a randomised experiment can tell",
    *CANNOT_TELL[1:],
)


@dataclass(frozen=True)
class Effect:
    """The rate ratio on/off with its 95% interval."""

    estimate: float
    ci95: tuple[float, float]
    measure: str = "rate_ratio"

    def to_dict(self) -> dict[str, Any]:
        return {"measure": self.measure, "estimate": self.estimate, "ci95": list(self.ci95)}


@dataclass(frozen=True)
class ExperimentResult:
    """The comparison of on and off nights (contract §3) and how it was reached."""

    column: str
    washout_days: int
    nights_on: int
    nights_off: int
    cramps_on: int
    cramps_off: int
    rate_on: float
    rate_off: float
    effect: Effect | None  # None when one arm has no nights or there are no cramps at all
    probability_helps: float | None
    verdict: Verdict
    randomised: bool
    adherence: float | None = None  # share of planned nights done as planned (with a plan)
    pairs: int = 0  # pairs of periods compared (with a plan)
    adjusted_for: tuple[str, ...] = ()  # other factors adjusted for (without a plan)
    method: str = METHOD_OBSERVED
    cannot_tell: tuple[str, ...] = field(default=CANNOT_TELL_OBSERVED)

    def to_dict(self) -> dict[str, Any]:
        return {
            "nights_on": self.nights_on,
            "nights_off": self.nights_off,
            "rate_on": self.rate_on,
            "rate_off": self.rate_off,
            "effect": self.effect.to_dict() if self.effect else None,
            "probability_helps": self.probability_helps,
            "verdict": self.verdict,
            "randomised": self.randomised,
            "adherence": self.adherence,
            "column": self.column,
            "washout_days": self.washout_days,
            "cramps_on": self.cramps_on,
            "cramps_off": self.cramps_off,
            "pairs": self.pairs,
            "adjusted_for": list(self.adjusted_for),
            "method": self.method,
            "cannot_tell": list(self.cannot_tell),
        }


def verdict_of(probability_helps: float | None, nights_on: int, nights_off: int) -> Verdict:
    """The contract's rule: 14 nights in each arm, then 95% either way."""
    if min(nights_on, nights_off) < MIN_NIGHTS_PER_ARM or probability_helps is None:
        return "not_enough_data"
    if probability_helps >= HELPS_AT:
        return "helps"
    if probability_helps <= WORSE_AT:
        return "worse"
    return "no_clear_effect"


def experiment_nights(table: DayTable, column: str) -> tuple[list[date], list[int], list[bool]]:
    """Dates, cramps and on/off of the nights where boolean `column` is recorded."""
    found = _column(table, column)
    rows = [
        (d, c, bool(v))
        for d, c, v in zip(table.dates, table.cramps, found.values, strict=True)
        if v is not None
    ]
    return [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]


def switch_runs(plan: ExperimentPlan) -> list[int]:
    """For each period of the plan, the run of same-condition periods it belongs to.

    The wash-out drops the first nights after a switch between on and off: two periods in a
    row with the same condition (where two pairs meet) are one stretch, with no carry-over
    to wait out at their border.
    """
    runs = [0]
    for before, period in pairwise(plan.periods):
        runs.append(runs[-1] + (before.condition != period.condition))
    return runs[: len(plan.periods)]


def washout_nights(plan: ExperimentPlan) -> set[date]:
    """The nights the wash-out leaves out: the first `washout_days` of every run."""
    out: set[date] = set()
    runs = switch_runs(plan)
    for i, period in enumerate(plan.periods):
        if i == 0 or runs[i] != runs[i - 1]:
            first = period.start.toordinal()
            out.update(date.fromordinal(first + k) for k in range(plan.washout_days))
    return out


def analyze_planned(
    plan: ExperimentPlan, table: DayTable, last_day: date | None = None
) -> ExperimentResult:
    """The randomised analysis of the nights inside `plan` (up to `last_day`, if earlier)."""
    last = min(last_day or plan.end, plan.end)
    values = _recorded(table, plan.column)
    days: list[int] = []
    counts: list[int] = []
    on: list[bool] = []
    periods: list[int] = []
    pairs: list[int] = []
    matched = 0
    for index, (run, period) in enumerate(zip(switch_runs(plan), plan.periods, strict=True)):
        for ordinal in range(period.start.toordinal(), min(period.end, last).toordinal() + 1):
            done, cramps = values.get(ordinal, (None, 0))
            if done is None:
                continue  # the remedy was not recorded that evening: the night says nothing
            days.append(ordinal)
            counts.append(cramps)
            on.append(done)
            periods.append(run)
            pairs.append(index // 2)
            matched += done == (period.condition == "on")
    adherence = round(matched / len(days), 3) if days else None
    if not days:
        return _empty(plan.column, plan.washout_days, randomised=True, adherence=adherence)
    night = analyze_nights(
        np.asarray(days),
        np.asarray(counts),
        np.asarray(on),
        period_index=np.asarray(periods),
        pair_index=np.asarray(pairs),
        washout_days=plan.washout_days,
    )
    effect = None
    probability = None
    if math.isfinite(night.estimate) and night.nights_on and night.nights_off:
        effect = Effect(_round(night.estimate), (_round(night.ci95_low), _round(night.ci95_high)))
        probability = round(night.probability_helps, 4)
    return ExperimentResult(
        column=plan.column,
        washout_days=plan.washout_days,
        nights_on=night.nights_on,
        nights_off=night.nights_off,
        cramps_on=night.cramps_on,
        cramps_off=night.cramps_off,
        rate_on=_rate(night.cramps_on, night.nights_on),
        rate_off=_rate(night.cramps_off, night.nights_off),
        effect=effect,
        probability_helps=probability,
        verdict=verdict_of(probability, night.nights_on, night.nights_off),
        randomised=True,
        adherence=adherence,
        pairs=night.pairs,
        method=METHOD_RANDOMISED,
        cannot_tell=CANNOT_TELL,
    )


def analyze_experiment(table: DayTable, column: str, washout_days: int = 0) -> ExperimentResult:
    """Nights with `column` true against nights with it false, in a diary with no plan.

    The first `washout_days` nights of every run of the same condition are dropped (a run
    also ends at a missing date); the effect is adjusted for the diary's other factors.
    """
    if washout_days < 0:
        raise InputError(f"field 'washout_days': {washout_days} must be ≥ 0", field="washout_days")
    part = table.rows(_after_washout(table, column, washout_days))
    _, cramps, on = experiment_nights(part, column)
    n_on, n_off = sum(on), len(on) - sum(on)
    c_on = sum(c for c, o in zip(cramps, on, strict=True) if o)
    c_off = sum(c for c, o in zip(cramps, on, strict=True) if not o)
    others = tuple(sorted(f.name for f in part.factors if f.name != column))
    effect = None
    probability = None
    if n_on and n_off and c_on + c_off:
        found = same_night_effect(part, column)
        if isinstance(found, Finding):
            effect, probability = _observed_effect(found)
    return ExperimentResult(
        column=column,
        washout_days=washout_days,
        nights_on=n_on,
        nights_off=n_off,
        cramps_on=c_on,
        cramps_off=c_off,
        rate_on=_rate(c_on, n_on),
        rate_off=_rate(c_off, n_off),
        effect=effect,
        probability_helps=probability,
        verdict=verdict_of(probability, n_on, n_off),
        randomised=False,
        adjusted_for=others,
    )


def _observed_effect(found: Finding) -> tuple[Effect, float]:
    """Rate ratio, interval and P(ratio < 1) from the adjusted yes/no finding (normal
    approximation of the log ratio, as its Wald interval)."""
    estimate = found.effect.estimate
    low, high = found.effect.ci95
    se = (math.log(high) - math.log(low)) / (2 * 1.959963984540054)
    z = math.log(estimate) / se if se > 0 else 0.0
    probability = 0.5 * math.erfc(z / math.sqrt(2.0))
    return Effect(_round(estimate), (_round(low), _round(high))), round(probability, 4)


def _column(table: DayTable, column: str) -> FactorColumn:
    found = next((f for f in table.factors if f.name == column), None)
    if found is None:
        names = ", ".join(f.name for f in table.factors) or "none"
        raise InputError(
            f"column '{column}': not in the diary (its factor columns are: {names})",
            field=column,
        )
    if found.kind != "boolean":
        raise InputError(
            f"column '{column}': is {found.kind}, not boolean (true/false, yes/no or 0/1)",
            field=column,
        )
    return found


def _after_washout(table: DayTable, column: str, washout_days: int) -> list[int]:
    """Rows kept: a run of the same recorded condition restarts at a change or a gap."""
    values = _column(table, column).values
    kept: list[int] = []
    run = 0
    previous: tuple[int, object] | None = None
    for i, (day, value) in enumerate(zip(table.dates, values, strict=True)):
        ordinal = day.toordinal()
        if value is None:
            previous = None
            continue
        same = previous is not None and previous == (ordinal - 1, value)
        run = run + 1 if same else 0
        previous = (ordinal, value)
        if run >= washout_days:
            kept.append(i)
    return kept


def _recorded(table: DayTable, column: str) -> dict[int, tuple[bool | None, int]]:
    found = next((f for f in table.factors if f.name == column), None)
    out: dict[int, tuple[bool | None, int]] = {}
    for i, day in enumerate(table.dates):
        value = found.values[i] if found is not None else None
        out[day.toordinal()] = (value if isinstance(value, bool) else None, table.cramps[i])
    return out


def _empty(
    column: str, washout_days: int, randomised: bool, adherence: float | None
) -> ExperimentResult:
    return ExperimentResult(
        column=column,
        washout_days=washout_days,
        nights_on=0,
        nights_off=0,
        cramps_on=0,
        cramps_off=0,
        rate_on=0.0,
        rate_off=0.0,
        effect=None,
        probability_helps=None,
        verdict="not_enough_data",
        randomised=randomised,
        adherence=adherence,
        method=METHOD_RANDOMISED if randomised else METHOD_OBSERVED,
        cannot_tell=CANNOT_TELL if randomised else CANNOT_TELL_OBSERVED,
    )


def _rate(cramps: int, nights: int) -> float:
    return round(cramps / nights, 4) if nights else 0.0


def _round(value: float) -> float:
    """Three significant figures: enough for a ratio, stable across platforms."""
    return float(f"{value:.3g}")
