"""Analysis commands: `analyze` (trigger discovery) and the n-of-1 experiment commands.

The analysis pulls in SciPy, the store SQLAlchemy: both are imported inside the commands
that use them, so that every other command starts quickly.
"""

from __future__ import annotations

import sys
from datetime import date, time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from crampwise.cli import app, common, experiment_app
from crampwise.cli.common import (
    FormatOption,
    OutputFormat,
    console,
    current_user,
    print_json,
    wants_json,
)
from crampwise.cli.experiment_view import plan_json, show_plan, show_result, show_status
from crampwise.errors import InputError, NotFoundError

if TYPE_CHECKING:
    from crampwise.diary.daytable import DayTable
    from crampwise.experiments.catalogue import RemedyRules
    from crampwise.experiments.plan import ExperimentPlan
    from crampwise.experiments.verdict import ExperimentResult


@app.command("analyze")
def analyze(
    ctx: typer.Context,
    diary: Annotated[
        Path | None,
        typer.Argument(help="Diary CSV (contract §2; '-' = stdin). Default: your own diary."),
    ] = None,
    fmt: FormatOption = None,
) -> None:
    """Find which day factors go with more (or fewer) cramps that night."""
    from crampwise.analysis.triggers import find_triggers
    from crampwise.cli.trigger_view import load_day_table, render_trigger_report

    table, units = load_day_table(diary, current_user(ctx), sys.stdin)
    report = find_triggers(table)
    if wants_json(fmt):
        print_json(report.to_dict())  # the contract's JSON stays metric ("5 °C lower")
    else:
        render_trigger_report(report, units)


# --- experiments ---
# n-of-1 experiments: plan, analyze, start, status, stop. The library lives in
# crampwise.experiments.plan and crampwise.experiments.running; rendering in experiment_view.

# The design options `experiment plan` and `experiment start` share.
Intervention = Annotated[str, typer.Option("--intervention", "-i", help="Remedy id to test.")]
Pairs = Annotated[int, typer.Option("--pairs", help="Number of on/off pairs of periods.")]
PeriodDays = Annotated[int, typer.Option("--period-days", help="Days in each period.")]
StartDay = Annotated[str | None, typer.Option("--start", help="First day (YYYY-MM-DD; today).")]
Seed = Annotated[int | None, typer.Option("--seed", help="Same seed, same schedule.")]
WashoutDays = Annotated[
    int, typer.Option("--washout-days", help="Nights not compared after a switch.")
]
RemedyColumn = Annotated[
    str | None, typer.Option("--column", help="Diary yes/no column (custom remedies).")
]
IcsFile = Annotated[
    Path | None, typer.Option("--ics", help="Also write the schedule as an iCalendar file.")
]
RemindAt = Annotated[str, typer.Option("--remind-at", help="Evening reminder time (HH:MM).")]


@experiment_app.command("plan")
def experiment_plan(
    ctx: typer.Context,
    intervention: Intervention,
    pairs: Pairs = 4,
    period_days: PeriodDays = 7,
    start: StartDay = None,
    seed: Seed = None,
    washout_days: WashoutDays = 0,
    column: RemedyColumn = None,
    rate: Annotated[
        float | None, typer.Option("--rate", help="Your cramps per night (default: your diary).")
    ] = None,
    ics: IcsFile = None,
    remind_at: RemindAt = "21:00",
    fmt: FormatOption = None,
) -> None:
    """Make a randomised n-of-1 schedule and say what it can detect."""
    from crampwise.experiments.running import plan_with_power

    _check_personal_rules(intervention, current_user(ctx))
    history = _experiment_history(current_user(ctx)) if rate is None else None
    start_day = start or _today().isoformat()
    plan = plan_with_power(
        intervention, pairs, period_days, start_day, seed, washout_days, column, rate, history
    )
    _write_experiment_ics(ics, _experiment_ics(plan, ics, remind_at))
    _show_experiment_plan(plan, None, ics, fmt)


@experiment_app.command("analyze")
def experiment_analyze(
    diary_csv: Path = typer.Argument(..., help="Diary CSV (see `crampwise analyze`)."),
    column: str = typer.Option(..., "--column", help="Yes/no column: was the remedy done?"),
    washout_days: int = typer.Option(0, "--washout-days", help="Nights dropped after a switch."),
    plan_file: Annotated[
        Path | None,
        typer.Option(
            "--plan",
            help="The plan the nights followed (the JSON `experiment plan` prints). Without "
            "it the nights were not randomised, and the result shows a link, not proof.",
        ),
    ] = None,
    fmt: FormatOption = None,
) -> None:
    """Compare nights with and without a remedy (randomised n-of-1 analysis)."""
    from crampwise.experiments.plan import read_plan
    from crampwise.experiments.verdict import analyze_experiment, analyze_planned
    from crampwise.interop.csv import read_day_table

    if plan_file is None:
        result = analyze_experiment(read_day_table(diary_csv), column, washout_days)
    else:
        plan = read_plan(_read_text(plan_file, "plan"), column, washout_days)
        result = analyze_planned(plan, read_day_table(diary_csv))
    _show_experiment_result(result, fmt)


def _read_text(path: Path, field: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"field '{field}': no such file: {path}", field=field) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"field '{field}': cannot read {path}: {exc}", field=field) from None


@experiment_app.command("start")
def experiment_start(
    ctx: typer.Context,
    intervention: Intervention,
    pairs: Pairs = 4,
    period_days: PeriodDays = 7,
    washout_days: WashoutDays = 0,
    start: StartDay = None,
    seed: Seed = None,
    column: RemedyColumn = None,
    ics: IcsFile = None,
    remind_at: RemindAt = "21:00",
    fmt: FormatOption = None,
) -> None:
    """Start an experiment in your diary: schedule, power statement, reminders."""
    from crampwise.experiments.running import plan_with_power, start_experiment
    from crampwise.store import open_store

    with open_store() as store:
        diary = store.diary(current_user(ctx))
        _refuse_ruled_out(intervention, diary.personal_rules())
        start_day = start or _today().isoformat()
        plan = plan_with_power(
            intervention,
            pairs,
            period_days,
            start_day,
            seed,
            washout_days,
            column,
            history=diary.day_table(),
        )
        calendar = _experiment_ics(plan, ics, remind_at)
        running = start_experiment(diary, plan)
    _write_experiment_ics(ics, calendar)
    _show_experiment_plan(plan, running.id, ics, fmt)


@experiment_app.command("status")
def experiment_status_cmd(ctx: typer.Context, fmt: FormatOption = None) -> None:
    """Today's condition, progress and adherence of your running experiment."""
    from crampwise.experiments.running import status_of
    from crampwise.store import open_store

    with open_store() as store:
        running, status = status_of(store.diary(current_user(ctx)), _today())
    if wants_json(fmt):
        print_json({"id": running.id, **status.to_dict()})
        return
    show_status(running.id, status)


@experiment_app.command("stop")
def experiment_stop(ctx: typer.Context, fmt: FormatOption = None) -> None:
    """End your running experiment and show what your diary says so far."""
    from crampwise.experiments.running import stop_and_analyze
    from crampwise.store import open_store

    with open_store() as store:
        running, result = stop_and_analyze(store.diary(current_user(ctx)), _today())
    if wants_json(fmt):
        print_json({"id": running.id, "status": running.status, **result.to_dict()})
        return
    console().print(f"Experiment {running.id} ({running.plan.intervention}) stopped.")
    _show_experiment_result(result, fmt)


def _today() -> date:
    """The night in progress, by the web app's rule (at 01:00 still the evening before's);
    CRAMPWISE_TODAY (YYYY-MM-DD) replays a given night for scripts and tests."""
    return common.tonight()


def _check_personal_rules(intervention: str, user: str) -> None:
    """Refuse (exit 2, the reason in words) a remedy the user's saved assessment rules out:
    a footbath with diabetes, massage while a clot is possible."""
    from crampwise.store import open_store

    with open_store() as store:
        _refuse_ruled_out(intervention, store.diary(user).personal_rules())


def _refuse_ruled_out(intervention: str, rules: RemedyRules) -> None:
    """One message: why the remedy is ruled out, what to do instead, and the remedies that
    can be tested by name, each with the option to type ('calf and hamstring stretching at
    bedtime (--intervention calf_stretch_bedtime)')."""
    from crampwise.experiments.catalogue import TESTABLE, not_for_you

    reason = not_for_you(intervention, rules)
    if reason is None:
        return
    others = [f"{t.title} (--intervention {t.id})" for t in TESTABLE.values() if rules.allows(t.id)]
    if others:
        reason += f" Remedies you can test: {'; '.join(others)}."
    raise InputError(f"field 'intervention': {reason}", field="intervention")


def _experiment_history(user: str) -> DayTable | None:
    """The user's diary table for a power statement, or None when they have no diary."""
    from crampwise.store import open_store

    with open_store() as store:
        try:
            return store.diary(user, create=False).day_table()
        except NotFoundError:
            return None


def _check_remind_at(remind_at: str) -> time:
    try:
        return time.fromisoformat(remind_at)
    except ValueError:
        raise InputError(f"field 'remind_at': {remind_at!r} is not a time (HH:MM)") from None


def _experiment_ics(plan: ExperimentPlan, ics: Path | None, remind_at: str) -> bytes | None:
    """The schedule as iCalendar bytes, checked before anything is saved."""
    at = _check_remind_at(remind_at)
    if ics is None:
        return None
    if not ics.parent.is_dir():
        raise InputError(f"field 'ics': folder {ics.parent} does not exist")
    from crampwise.experiments.catalogue import testable_intervention
    from crampwise.interop.ics import experiment_calendar

    title = testable_intervention(plan.intervention, plan.column).title
    return experiment_calendar(plan.periods, title, at)


def _write_experiment_ics(ics: Path | None, content: bytes | None) -> None:
    if ics is None or content is None:
        return
    try:
        ics.write_bytes(content)
    except OSError as exc:
        raise InputError(f"field 'ics': cannot write {ics}: {exc.strerror}") from None
    events = content.count(b"BEGIN:VEVENT")
    common.say_wrote(ics, f"the schedule as a calendar of {events} event{'s' * (events != 1)}")


def _show_experiment_plan(
    plan: ExperimentPlan, experiment_id: int | None, ics: Path | None, fmt: OutputFormat | None
) -> None:
    if wants_json(fmt):
        print_json(plan_json(plan, experiment_id))
    else:
        show_plan(plan, str(ics) if ics else None)


def _show_experiment_result(result: ExperimentResult, fmt: OutputFormat | None) -> None:
    if wants_json(fmt):
        print_json(result.to_dict())
        return
    show_result(result)
