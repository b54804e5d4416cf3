"""Human-readable (Rich) rendering of n-of-1 plans, status and results, in plain words."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from crampwise.cli.common import console

if TYPE_CHECKING:
    from crampwise.experiments.plan import ExperimentPlan
    from crampwise.experiments.power import PowerStatement
    from crampwise.experiments.status import ExperimentStatus
    from crampwise.experiments.verdict import ExperimentResult


def show_plan(plan: ExperimentPlan, ics_path: str | None = None) -> None:
    """The schedule as a table, then what it can detect."""
    # Imported here: every command loads this module, and Rich and the knowledge base behind
    # the remedy catalogue add over 100 ms at start-up.
    from rich.table import Table

    from crampwise.experiments.catalogue import testable_intervention

    out = console()
    remedy = testable_intervention(plan.intervention, plan.column)
    out.print(
        f"[bold]Experiment: {remedy.title}[/bold]  ({plan.pairs} pairs of "
        f"{plan.period_days}-day periods, {plan.start} to {plan.end})"
    )
    table = Table("#", "from", "to", "do it?")
    for n, period in enumerate(plan.periods, start=1):
        doing = "[green]yes[/green]" if period.condition == "on" else "no"
        table.add_row(str(n), str(period.start), str(period.end), doing)
    out.print(table)
    out.print(
        f"Each evening, record in your diary whether you did it (column '{plan.column}'),"
        " whatever the schedule says."
    )
    if plan.washout_days:
        out.print(
            f"The first {plan.washout_days} night(s) after each switch are not compared (wash-out)."
        )
    if plan.period_days > 10:
        out.print(
            "Long periods: if your cramps drift over weeks, the comparison is less protected "
            "against that drift; more pairs of 7-day periods are safer."
        )
    if remedy.needs_doctor:
        out.print("Only test a supplement you and your doctor chose together.")
    if plan.power is not None:
        show_power(plan.power)
    else:
        out.print(
            "Your diary is too short to say what this plan can detect (two weeks are needed); "
            "`--rate` gives it for a cramp rate you state."
        )
    if ics_path:
        out.print(f"Calendar written to {ics_path}.")


def show_power(power: PowerStatement) -> None:
    """'What this experiment can detect' in one or two sentences."""
    out = console()
    out.print(
        f"With about {power.rate_per_night:.2g} cramps a night, this plan has a "
        f"{power.power:.0%} chance of showing that the remedy helps if it truly halves "
        "your cramps."
    )
    if power.power >= power.target:
        out.print("That is enough for a fair test.")
    elif power.suggested_pairs is not None:
        out.print(
            f"For an {power.target:.0%} chance, plan {power.suggested_pairs} pairs of "
            f"{power.period_days}-day periods."
        )
    else:
        out.print(
            "Even a much longer plan would have little chance at this cramp rate: cramps "
            "are too rare to compare nights reliably."
        )


def show_result(result: ExperimentResult, remedy: str | None = None) -> None:
    """The verdict in plain words, the numbers, and what the experiment cannot tell."""
    from crampwise.analysis.design import factor_label
    from crampwise.experiments.words import adherence_words, range_words, verdict_sentence

    out = console()
    name = remedy or factor_label(result.column)[0]
    out.print(f"[bold]{verdict_sentence(result, name)}[/bold]")
    out.print(
        f"Nights compared: {result.nights_on} with, {result.nights_off} without "
        f"(column '{result.column}')."
    )
    out.print(f"Cramps per night: {result.rate_on:.2f} with, {result.rate_off:.2f} without.")
    spread = range_words(result)
    if spread:
        out.print(f"Changes that fit your nights (95% range): {spread}.")
    followed = adherence_words(result)
    if followed:
        out.print(followed)
    out.print("What this cannot tell you:")
    for item in result.cannot_tell:
        out.print(f"  • {item}")


def show_status(experiment_id: int, status: ExperimentStatus) -> None:
    """Today's condition, progress and adherence; interim counts without a verdict."""
    out = console()
    if status.today_condition == "on":
        today = "[green]ON[/green]: do it this evening"
    elif status.today_condition == "off":
        today = "OFF: do not do it this evening"
    else:
        today = "finished" if status.finished else "not started yet"
    out.print(f"Experiment {experiment_id} ({status.intervention}) — today: {today}")
    out.print(f"Day {status.day} of {status.total_days}.")
    out.print(
        f"Done on {status.done_on_days} of {status.scheduled_on_days} recorded 'on' days; "
        f"done anyway on {status.done_off_days} of {status.scheduled_off_days} 'off' days; "
        f"{status.missing_days} day(s) not recorded."
    )
    out.print(
        f"So far: {status.cramps_on} cramps in {status.nights_on} nights with, "
        f"{status.cramps_off} in {status.nights_off} without. No verdict until the "
        "schedule ends: looking early and stopping when it seems to work fools you."
    )


def plan_json(plan: ExperimentPlan, experiment_id: int | None = None) -> dict[str, Any]:
    out = plan.to_dict()
    if experiment_id is not None:
        out["id"] = experiment_id
    return out
