"""The `analyze` command's input (a CSV or the user's own diary) and its human report (Rich)."""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

from crampwise.analysis.design import factor_label
from crampwise.analysis.results import MIN_CRAMP_NIGHTS, MIN_NIGHTS, Finding, TriggerReport
from crampwise.analysis.wording import describe, finding_sentence, level_words
from crampwise.cli.common import console, hanging
from crampwise.diary.daytable import DayTable
from crampwise.interop.csv import read_day_table

__all__ = ["load_day_table", "render_trigger_report"]


def load_day_table(path: Path | None, user: str, stdin: TextIO) -> tuple[DayTable, str]:
    """The diary CSV at `path` ('-' = stdin), or with no path the user's stored diary; with
    the unit system to show it in (the user's choice for their own diary; a CSV file's
    columns are metric, and reading one never opens the database)."""
    if path is None:
        # Imported here: a CSV analysis never needs SQLAlchemy (~150 ms at start-up).
        from crampwise.store import open_store

        with open_store() as store:
            # Reading never creates the user: an unknown user simply has an empty diary.
            diary = store.diary(user)
            return diary.day_table(), diary.units()
    if str(path) == "-":
        return read_day_table(stdin), "metric"
    return read_day_table(path), "metric"


def sentence(finding: Finding, units: str) -> str:
    """A finding with its numbers (rate ratio, interval, q-value), for the details."""
    return describe(finding, units, level_words(finding.factor, finding.level))


def render_trigger_report(report: TriggerReport, units: str = "metric") -> None:
    """Print the findings in plain words: what was found, how sure, what was not, what's next.

    units: 'metric' or 'us', for the step of a numeric factor ('per 9 °F lower').
    """
    # Imported here: `analyze --format json` never loads Rich.
    from rich.markup import escape
    from rich.panel import Panel

    out = console()
    out.print(
        f"[bold]Trigger discovery[/bold] — {report.nights} nights, "
        f"{report.cramp_nights} with cramps ({report.cramps} cramps in all)"
    )
    if not report.enough_data:
        out.print(
            Panel(
                f"Not enough data yet to look for triggers. The analysis needs at least "
                f"{MIN_NIGHTS} nights, {MIN_CRAMP_NIGHTS} with cramps and {MIN_CRAMP_NIGHTS} "
                f"without. Keep the diary for about [bold]{report.nights_needed} more "
                f"nights[/bold] and run it again.",
                title="Too little data",
                border_style="yellow",
            )
        )
        return
    found = report.significant
    if found:
        out.print("\n[bold]Found[/bold] (strongest evidence first):")
        for finding in found:
            out.print(hanging(escape(finding_sentence(finding, units=units)), 2, "•"))
    else:
        out.print("\n[bold]No trigger stood out[/bold] clearly enough to name.")
    hits = {f.factor for f in found}
    quiet = sorted({f.factor for f in report.findings} - hits)
    hints: list[Finding] = []
    if quiet:
        names = ", ".join(factor_label(name)[0] for name in quiet)
        out.print(f"\n[bold]Not found[/bold] — no clear link, that day or the day before: {names}.")
        hints = [f for f in report.findings if not f.significant and f.q_value <= 0.25][:3]
        for finding in hints:
            out.print(hanging(escape(finding_sentence(finding, units=units)), 2, "◦"))
    if report.untested:
        out.print("\n[bold]Could not test[/bold]:")
        for item in report.untested[:12]:
            level = f" '{level_words(item.factor, item.level)}'" if item.level else ""
            lag = "that day" if item.lag_days == 0 else "the day before"
            said = f"{factor_label(item.factor)[0]}{level} ({lag}): {item.reason}"
            out.print(hanging(escape(said), 2, "-"))
        if len(report.untested) > 12:
            out.print(f"  … and {len(report.untested) - 12} more (see --format json).")
    details = [*found, *hints]
    if details:
        # The numbers behind the sentences above, apart, so the main text stays in words.
        out.print("\n[bold]Details[/bold] (rate ratio, 95% interval, false-discovery q-value):")
        for finding in details:
            out.print(hanging(escape(sentence(finding, units)), 2, "-"))
    out.print(
        "\n[dim]An association in your own diary, not proof of cause: confirm a suspected "
        "trigger or remedy with `crampwise experiment plan`. Method: docs/methods.md.[/dim]"
    )
