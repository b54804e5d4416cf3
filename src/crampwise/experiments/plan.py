"""Randomised n-of-1 schedules: N consecutive pairs of on/off periods, each pair's order
decided by a fair coin from `random.Random(seed)`, so the same seed always gives the same
schedule (contract §3). The analysis of the nights lives in `crampwise.experiments.verdict`.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from random import Random
from typing import Any, Literal

from crampwise.errors import InputError
from crampwise.experiments.catalogue import testable_intervention
from crampwise.experiments.power import PowerStatement

Condition = Literal["on", "off"]
MAX_PLAN_DAYS = 366


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


def read_plan(
    text: str, column: str | None = None, washout_days: int | None = None
) -> ExperimentPlan:
    """A plan from the JSON `crampwise experiment plan` prints (or one saved with `to_dict`).

    column, washout_days: when given, they replace the plan's own (the diary's column may
    have another name than the remedy's default).
    """
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"field 'plan': not JSON (line {exc.lineno}: {exc.msg})", field="plan"
        ) from None
    if (
        not isinstance(data, dict)
        or not isinstance(data.get("periods"), list)
        or not data["periods"]
    ):
        raise InputError(
            "field 'plan': expected the JSON `crampwise experiment plan` prints, with "
            "'intervention' and a list of 'periods'",
            field="plan",
        )
    try:
        plan = ExperimentPlan.from_dict(data)
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(
            f"field 'plan': a period or field is malformed ({exc})", field="plan"
        ) from None
    _check_periods(plan)
    changes: dict[str, Any] = {}
    if column is not None:
        changes["column"] = column
    if washout_days is not None and washout_days > 0:
        changes["washout_days"] = washout_days
    return replace(plan, **changes) if changes else plan


def _check_periods(plan: ExperimentPlan) -> None:
    previous: Period | None = None
    for n, period in enumerate(plan.periods, start=1):
        if period.condition not in ("on", "off") or period.end < period.start:
            raise InputError(
                f"field 'plan': period {n} must have start <= end and condition 'on' or 'off'",
                field="plan",
            )
        if previous is not None and period.start <= previous.end:
            raise InputError(f"field 'plan': period {n} overlaps the one before", field="plan")
        previous = period
