"""Personal n-of-1 experiments: a randomised on/off schedule, and its honest analysis.

`plan_experiment` makes N consecutive pairs of periods; within each pair a fair coin from
`random.Random(seed)` decides whether "on" or "off" comes first, so the same seed always gives
the same schedule. `analyze_experiment` compares the nights a diary's boolean column says the
remedy was done with the nights it was not, by the paired analysis of local on/off contrasts in
`crampwise.experiments.periods` (robust to over-dispersion, night-to-night correlation and
slow drift).
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from random import Random
from typing import Any, Literal

import numpy as np

from crampwise.diary.daytable import DayTable
from crampwise.errors import InputError
from crampwise.experiments.catalogue import testable_intervention
from crampwise.experiments.periods import build_windows, fit_windows, window_totals
from crampwise.experiments.power import HELPS_AT, MIN_NIGHTS_PER_ARM, PowerStatement

Condition = Literal["on", "off"]
Verdict = Literal["helps", "worse", "no_clear_effect", "not_enough_data"]
WORSE_AT = 0.05
MAX_PLAN_DAYS = 366

METHOD = (
    "After dropping the wash-out nights at the start of each run, the nights are cut into "
    "windows, one around each switch between on and off (the second half of the stretch "
    "before the switch and the first half of the one after it). Each window gives a local "
    "rate ratio (on / off, with one pseudo-cramp per window); slow changes cancel within a "
    "window. The effect is the geometric mean of the window ratios; its uncertainty comes "
    "from how much the windows disagree (neighbouring windows allowed to move together). "
    "The probability that the remedy helps is P(rate ratio < 1) under the t posterior of "
    "this paired analysis; the interval is the 95% credible interval."
)
CANNOT_TELL = (
    "carry-over: a remedy whose effect lasts beyond the wash-out blurs the difference",
    "placebo and expectation: you knew which nights were 'on'",
    "seasons and life events: comparing neighbouring weeks absorbs slow changes, not sudden ones",
    "adherence: the analysis uses what you did, not what the schedule said; "
    "skipped or extra evenings weaken the comparison",
    "other people: the result is about you, over these weeks",
)


@dataclass(frozen=True)
class Period:
    """One period of the schedule (dates inclusive)."""

    start: date
    end: date
    condition: Condition

    def to_dict(self) -> dict[str, str]:
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "condition": self.condition,
        }


@dataclass(frozen=True)
class ExperimentPlan:
    """A randomised schedule of pairs of on/off periods for one remedy."""

    intervention: str
    column: str
    pairs: int
    period_days: int
    washout_days: int
    seed: int | None  # None when rebuilt from storage, which keeps only the periods
    periods: tuple[Period, ...]
    power: PowerStatement | None = None

    @property
    def start(self) -> date:
        return self.periods[0].start

    @property
    def end(self) -> date:
        return self.periods[-1].end

    def condition_on(self, day: date) -> Condition | None:
        """The scheduled condition of `day`, or None outside the experiment."""
        for period in self.periods:
            if period.start <= day <= period.end:
                return period.condition
        return None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "intervention": self.intervention,
            "periods": [p.to_dict() for p in self.periods],
            "column": self.column,
            "pairs": self.pairs,
            "period_days": self.period_days,
            "washout_days": self.washout_days,
            "seed": self.seed,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "randomisation": "random.Random(seed): per pair, on first when random() < 0.5",
        }
        if self.power is not None:
            out["power"] = self.power.to_dict()
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ExperimentPlan:
        """Rebuild a plan saved with `to_dict` (e.g. from storage)."""
        periods = tuple(
            Period(date.fromisoformat(p["start"]), date.fromisoformat(p["end"]), p["condition"])
            for p in data["periods"]
        )
        return cls(
            intervention=str(data["intervention"]),
            column=str(data.get("column") or testable_intervention(data["intervention"]).column),
            pairs=int(data.get("pairs", len(periods) // 2)),
            period_days=int(data.get("period_days", (periods[0].end - periods[0].start).days + 1)),
            washout_days=int(data.get("washout_days", 0)),
            seed=int(data["seed"]) if data.get("seed") is not None else None,
            periods=periods,
        )


def plan_experiment(
    intervention: str,
    pairs: int,
    period_days: int,
    start: date | str,
    seed: int | None = None,
    washout_days: int = 0,
    column: str | None = None,
) -> ExperimentPlan:
    """A randomised schedule: `pairs` consecutive pairs of on/off periods of `period_days`.

    seed: the same seed gives the same schedule; None draws one (and records it in the plan).
    column: the diary's boolean column for custom remedies (warm_bedroom, supplement).
    """
    remedy = testable_intervention(intervention, column)
    if isinstance(start, str):
        try:
            start = date.fromisoformat(start)
        except ValueError:
            raise InputError(
                f"field 'start': {start!r} is not a date (YYYY-MM-DD)", field="start"
            ) from None
    if pairs < 1:
        raise InputError(f"field 'pairs': {pairs} must be at least 1", field="pairs")
    if period_days < 1:
        raise InputError(
            f"field 'period_days': {period_days} must be at least 1", field="period_days"
        )
    if 2 * pairs * period_days > MAX_PLAN_DAYS:
        raise InputError(
            f"field 'pairs': {pairs} pairs of {period_days}-day periods last "
            f"{2 * pairs * period_days} days; at most {MAX_PLAN_DAYS}",
            field="pairs",
        )
    if not 0 <= washout_days < period_days:
        raise InputError(
            f"field 'washout_days': {washout_days} must be ≥ 0 and shorter than a period "
            f"({period_days} days)",
            field="washout_days",
        )
    if seed is None:
        seed = secrets.randbelow(2**31)
    rng = Random(seed)
    periods: list[Period] = []
    day = start
    for _ in range(pairs):
        order: tuple[Condition, Condition] = ("on", "off") if rng.random() < 0.5 else ("off", "on")
        for condition in order:
            end = day + timedelta(days=period_days - 1)
            periods.append(Period(day, end, condition))
            day = end + timedelta(days=1)
    return ExperimentPlan(
        remedy.id, remedy.column, pairs, period_days, washout_days, seed, tuple(periods)
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
    effect: Effect | None  # None only when no window has both conditions
    probability_helps: float | None
    verdict: Verdict
    blocks: int = 0  # windows compared
    dispersion: float | None = None  # spread of the window ratios / Poisson spread
    trend_degree: int = 0  # no trend term: windows cancel slow changes
    method: str = METHOD
    cannot_tell: tuple[str, ...] = field(default=CANNOT_TELL)

    def to_dict(self) -> dict[str, Any]:
        return {
            "nights_on": self.nights_on,
            "nights_off": self.nights_off,
            "rate_on": self.rate_on,
            "rate_off": self.rate_off,
            "effect": self.effect.to_dict() if self.effect else None,
            "probability_helps": self.probability_helps,
            "verdict": self.verdict,
            "column": self.column,
            "washout_days": self.washout_days,
            "cramps_on": self.cramps_on,
            "cramps_off": self.cramps_off,
            "blocks": self.blocks,
            "dispersion": self.dispersion,
            "trend_degree": self.trend_degree,
            "method": self.method,
            "cannot_tell": list(self.cannot_tell),
        }


def experiment_nights(table: DayTable, column: str) -> tuple[list[date], list[int], list[bool]]:
    """Dates, cramps and on/off of the nights where boolean `column` is recorded."""
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
    rows = [
        (d, c, bool(v))
        for d, c, v in zip(table.dates, table.cramps, found.values, strict=True)
        if v is not None
    ]
    return [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]


def analyze_experiment(table: DayTable, column: str, washout_days: int = 0) -> ExperimentResult:
    """Compare nights with `column` true (on) and false (off), dropping wash-out nights."""
    if washout_days < 0:
        raise InputError(f"field 'washout_days': {washout_days} must be ≥ 0", field="washout_days")
    dates, cramps, on = experiment_nights(table, column)
    return analyze_nights(dates, cramps, on, washout_days, column)


def analyze_nights(
    dates: list[date], cramps: list[int], on: list[bool], washout_days: int = 0, column: str = ""
) -> ExperimentResult:
    """The model on plain lists (sorted unique dates); see the module docstring."""
    day_numbers = np.asarray([d.toordinal() for d in dates], dtype=np.int64)
    on_arr = np.asarray(on, dtype=np.bool_)
    counts = np.asarray(cramps, dtype=np.float64)
    design = build_windows(day_numbers, on_arr, washout_days)
    kept = design.night_window >= 0
    n_on, n_off = int((kept & on_arr).sum()), int((kept & ~on_arr).sum())
    c_on, c_off = int(counts[kept & on_arr].sum()), int(counts[kept & ~on_arr].sum())
    effect: Effect | None = None
    prob: float | None = None
    dispersion: float | None = None
    if n_on and n_off and design.windows >= 1:
        fit = fit_windows(design, *window_totals(design, counts))
        low, high = fit.interval()
        effect = Effect(
            estimate=_round(float(np.exp(fit.log_rr[0]))),
            ci95=(_round(float(np.exp(low[0]))), _round(float(np.exp(high[0])))),
        )
        prob = round(float(fit.probability_helps()[0]), 4)
        dispersion = round(float(fit.dispersion[0]), 3)
    verdict: Verdict
    if min(n_on, n_off) < MIN_NIGHTS_PER_ARM or prob is None:
        verdict = "not_enough_data"
    elif prob >= HELPS_AT:
        verdict = "helps"
    elif prob <= WORSE_AT:
        verdict = "worse"
    else:
        verdict = "no_clear_effect"
    return ExperimentResult(
        column=column,
        washout_days=washout_days,
        nights_on=n_on,
        nights_off=n_off,
        cramps_on=c_on,
        cramps_off=c_off,
        rate_on=round(c_on / n_on, 4) if n_on else 0.0,
        rate_off=round(c_off / n_off, 4) if n_off else 0.0,
        effect=effect,
        probability_helps=prob,
        verdict=verdict,
        blocks=design.windows,
        dispersion=dispersion,
        trend_degree=0,
    )


def _round(value: float) -> float:
    """Three significant figures: enough for a ratio, stable across platforms."""
    return float(f"{value:.3g}")
