"""Running an n-of-1 experiment in a person's own diary: start, status, stop.

Works on any object with the `crampwise.store.UserDiary` methods used below (the CLI and the
web pass a real one); it imports no database code itself.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any, Protocol

from crampwise.diary.daytable import DayTable
from crampwise.diary.model import BUILTIN_BY_NAME, CustomFactor
from crampwise.errors import InputError
from crampwise.experiments.plan import ExperimentPlan, plan_experiment
from crampwise.experiments.power import PowerStatement, estimate_variability, power_statement
from crampwise.experiments.status import ExperimentStatus, analyze_plan, experiment_status
from crampwise.experiments.verdict import ExperimentResult

# Rate and variability come from at most the last 12 weeks before the experiment.
HISTORY_NIGHTS = 84
MIN_HISTORY_NIGHTS = 14


class ExperimentDiary(Protocol):
    """The part of `crampwise.store.UserDiary` an experiment needs."""

    def save_experiment(
        self, intervention: str, schedule: Any, washout_days: int = 0, factor: str | None = None
    ) -> Any: ...
    def experiments(self) -> list[Any]: ...
    def stop_experiment(self, experiment_id: int) -> Any: ...
    def define_factor(self, factor: CustomFactor) -> CustomFactor: ...
    def day_table(self) -> DayTable: ...


@dataclass(frozen=True)
class RunningExperiment:
    """A stored experiment (its id and status) with its plan."""

    id: int
    status: str
    plan: ExperimentPlan

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "status": self.status, **self.plan.to_dict()}


def power_from_history(
    table: DayTable, pairs: int, period_days: int, washout_days: int, before: date | None = None
) -> PowerStatement | None:
    """Power to detect a halving, from the person's own recent cramp rate (None if too little)."""
    cramps = [
        c for d, c in zip(table.dates, table.cramps, strict=True) if before is None or d < before
    ]
    recent = cramps[-HISTORY_NIGHTS:]
    if len(recent) < MIN_HISTORY_NIGHTS:
        return None
    rate, latent_sd = estimate_variability(recent)
    if rate <= 0:
        return None
    return power_statement(rate, pairs, period_days, washout_days, latent_sd=latent_sd)


def start_experiment(diary: ExperimentDiary, plan: ExperimentPlan) -> RunningExperiment:
    """Save `plan` as the person's running experiment (one at a time)."""
    running = [e for e in diary.experiments() if e.status == "active"]
    if running:
        raise InputError(
            f"experiment {running[0].id} ({running[0].intervention}) is still running; "
            "stop it first with `crampwise experiment stop`",
            field="intervention",
        )
    if plan.column not in BUILTIN_BY_NAME:
        diary.define_factor(CustomFactor(plan.column, "boolean"))
    record = diary.save_experiment(
        plan.intervention, list(plan.periods), plan.washout_days, factor=plan.column
    )
    return RunningExperiment(int(record.id), str(record.status), plan)


def current_experiment(diary: ExperimentDiary) -> RunningExperiment:
    """The running experiment, or InputError when there is none."""
    for record in diary.experiments():
        if record.status == "active":
            return _running(record)
    raise InputError(
        "no experiment is running; start one with `crampwise experiment start`",
        field="experiment",
    )


def status_of(diary: ExperimentDiary, today: date) -> tuple[RunningExperiment, ExperimentStatus]:
    """Where the running experiment stands today."""
    running = current_experiment(diary)
    return running, experiment_status(running.plan, diary.day_table(), today)


def stop_and_analyze(
    diary: ExperimentDiary, today: date
) -> tuple[RunningExperiment, ExperimentResult]:
    """End the running experiment and analyse the diary from its first day to today."""
    running = current_experiment(diary)
    result = analyze_plan(running.plan, diary.day_table(), today)
    record = diary.stop_experiment(running.id)
    return RunningExperiment(running.id, str(record.status), running.plan), result


def _running(record: Any) -> RunningExperiment:
    plan = ExperimentPlan.from_dict(
        {
            "intervention": record.intervention,
            "periods": record.schedule,
            "washout_days": record.washout_days,
            "column": record.factor,
        }
    )
    return RunningExperiment(int(record.id), str(record.status), plan)


def plan_with_power(
    intervention: str,
    pairs: int,
    period_days: int,
    start: date | str,
    seed: int | None = None,
    washout_days: int = 0,
    column: str | None = None,
    rate: float | None = None,
    history: DayTable | None = None,
) -> ExperimentPlan:
    """A randomised plan with what it can detect: from `rate` (cramps per night) if given,
    else from the person's recent diary `history`, else without a power statement."""
    plan = plan_experiment(intervention, pairs, period_days, start, seed, washout_days, column)
    power: PowerStatement | None = None
    if rate is not None:
        power = power_statement(rate, pairs, period_days, washout_days)
    elif history is not None:
        power = power_from_history(history, pairs, period_days, washout_days, before=plan.start)
    return replace(plan, power=power)
