"""Where a running n-of-1 experiment stands: today's condition, progress, adherence.

Interim cramp counts are shown without a verdict until the schedule has ended: peeking at a
running comparison and stopping when it looks good would make "helps" come out far more often
than the 5% the analysis promises when a remedy does nothing.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from crampwise.diary.daytable import DayTable
from crampwise.experiments.plan import Condition, ExperimentPlan
from crampwise.experiments.verdict import ExperimentResult, analyze_planned


@dataclass(frozen=True)
class ExperimentStatus:
    """Progress and adherence of a plan as of `today`, from the diary's boolean column."""

    intervention: str
    column: str
    today: date
    today_condition: Condition | None
    day: int  # 1-based day of the experiment today (0 before it starts)
    total_days: int
    finished: bool
    scheduled_on_days: int  # scheduled "on" days so far with the column recorded
    done_on_days: int  # ... of which the remedy was done
    done_off_days: int  # scheduled "off" days when it was done anyway
    scheduled_off_days: int
    missing_days: int  # days so far with the column not recorded
    nights_on: int  # interim, by what was done (no verdict until finished)
    nights_off: int
    cramps_on: int
    cramps_off: int

    @property
    def adherence(self) -> float | None:
        """Share of recorded days on which what was done matched the schedule."""
        recorded = self.scheduled_on_days + self.scheduled_off_days
        if recorded == 0:
            return None
        matched = self.done_on_days + (self.scheduled_off_days - self.done_off_days)
        return round(matched / recorded, 3)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["today"] = self.today.isoformat()
        out["adherence"] = self.adherence
        return out


def experiment_status(plan: ExperimentPlan, table: DayTable, today: date) -> ExperimentStatus:
    """Status of `plan` on `today`; days after today are ignored even if logged."""
    values = _column_values(table, plan.column)
    last = min(today, plan.end)
    on_sched = off_sched = done_on = done_off = missing = 0
    n_on = n_off = c_on = c_off = 0
    for period in plan.periods:
        for ordinal in range(period.start.toordinal(), period.end.toordinal() + 1):
            day = date.fromordinal(ordinal)
            if day > last:
                break
            done, cramps = values.get(day, (None, None))
            if done is None:
                missing += 1
                continue
            if period.condition == "on":
                on_sched += 1
                done_on += done
            else:
                off_sched += 1
                done_off += done
            if cramps is not None:
                n_on, c_on = (n_on + 1, c_on + cramps) if done else (n_on, c_on)
                n_off, c_off = (n_off, c_off) if done else (n_off + 1, c_off + cramps)
    total = (plan.end - plan.start).days + 1
    return ExperimentStatus(
        intervention=plan.intervention,
        column=plan.column,
        today=today,
        today_condition=plan.condition_on(today),
        day=max(0, min(total, (today - plan.start).days + 1)),
        total_days=total,
        finished=today > plan.end,
        scheduled_on_days=on_sched,
        done_on_days=done_on,
        done_off_days=done_off,
        scheduled_off_days=off_sched,
        missing_days=missing,
        nights_on=n_on,
        nights_off=n_off,
        cramps_on=c_on,
        cramps_off=c_off,
    )


def analyze_plan(plan: ExperimentPlan, table: DayTable, today: date) -> ExperimentResult:
    """The randomised analysis of the plan's nights up to today (or its end)."""
    return analyze_planned(plan, table, today)


def _column_values(table: DayTable, column: str) -> dict[date, tuple[bool | None, int]]:
    found = next((f for f in table.factors if f.name == column), None)
    result: dict[date, tuple[bool | None, int]] = {}
    for i, day in enumerate(table.dates):
        value = found.values[i] if found is not None else None
        result[day] = (bool(value) if isinstance(value, bool) else None, table.cramps[i])
    return result
