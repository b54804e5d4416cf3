"""What the diary's charts show: cramps per week, and which trigger findings are charted
with their effects (the client's Insights page and the practitioner's client page)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import TYPE_CHECKING

from markupsafe import Markup

from crampwise.web.charts.svg import Bar, Interval, effect_chart

if TYPE_CHECKING:  # the analysis module imports scipy: only the type checker needs it here
    from crampwise.analysis.results import Finding

WEEKS_SHOWN = 26
# Findings charted: the significant ones, then the strongest hints, at most this many rows.
CHART_ROWS = 10
HINT_Q = 0.25


def weekly_bars(dates: list[date], cramps: list[int], today: date) -> list[Bar]:
    """Cramps per week (Monday-based) for the last WEEKS_SHOWN weeks, oldest first."""
    this_monday = today - timedelta(days=today.weekday())
    first = this_monday - timedelta(weeks=WEEKS_SHOWN - 1)
    totals = [0] * WEEKS_SHOWN
    logged = [0] * WEEKS_SHOWN
    for d, c in zip(dates, cramps, strict=True):
        if d < first or d > today:
            continue
        week = (d - first).days // 7
        totals[week] += c
        logged[week] += 1
    bars = []
    for i in range(WEEKS_SHOWN):
        monday = first + timedelta(weeks=i)
        label = monday.strftime("%b") if i == 0 or monday.day <= 7 else ""
        title = (
            f"Week of {monday.strftime('%d %b %Y')}: {totals[i]} cramps, {logged[i]} nights logged"
        )
        bars.append(Bar(label=label, value=totals[i], title=title))
    return bars


def chart_rows(findings: list[Finding]) -> list[Finding]:
    """Significant findings first, then hints (q ≤ HINT_Q), each list by q-value."""
    chosen = [f for f in findings if f.significant]
    chosen += [f for f in findings if not f.significant and f.q_value <= HINT_Q]
    return sorted(chosen, key=lambda f: (not f.significant, f.q_value))[:CHART_ROWS]


def effects_chart(rows: list[Finding], label: Callable[[Finding], str]) -> Markup | None:
    """The effect of each charted finding with its 95% interval; None when none is charted."""
    if not rows:
        return None
    intervals = [
        Interval(label(f), f.effect.estimate, f.effect.ci95[0], f.effect.ci95[1], f.significant)
        for f in rows
    ]
    return effect_chart(intervals, "Effects of the factors on cramps, with 95% intervals")
