"""Insights: cramps over time and the triggers `crampwise analyze` finds, in plain words."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from crampwise.web.charts.svg import Bar, Interval, bar_chart, effect_chart
from crampwise.web.deps import DiaryDep, UserDep, render, run_blocking

router = APIRouter()

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


def _finding_label(finding: Any) -> str:
    from crampwise.analysis.design import factor_label

    label, _ = factor_label(finding.factor)
    if finding.level:
        label = f"{label}: {finding.level.replace('_', ' ')}"
    if finding.kind == "numeric":
        label = f"{label} {finding.effect.per}"
    elif finding.kind == "boolean" and finding.direction == "absent":
        label = f"{label} (yes)"
    if finding.lag_days:
        label = f"{label}, day before"
    return label


def chart_rows(findings: list[Any]) -> list[Any]:
    """Significant findings first, then hints (q ≤ HINT_Q), each list by q-value."""
    chosen = [f for f in findings if f.significant]
    chosen += [f for f in findings if not f.significant and f.q_value <= HINT_Q]
    return sorted(chosen, key=lambda f: (not f.significant, f.q_value))[:CHART_ROWS]


@router.get("/insights")
async def insights(request: Request, user: UserDep, diary: DiaryDep) -> Response:
    """The same analysis as `crampwise analyze`, as charts and sentences."""
    from crampwise.analysis.triggers import find_triggers
    from crampwise.web.pages.common import local_now

    table = diary.day_table()
    report = await run_blocking(find_triggers, table)
    bars = weekly_bars(table.dates, table.cramps, local_now().date())
    over_time = bar_chart(bars, f"Cramps per week, last {WEEKS_SHOWN} weeks")
    rows = chart_rows(report.findings)
    effects = None
    if rows:
        effects = effect_chart(
            [
                Interval(
                    _finding_label(f),
                    f.effect.estimate,
                    f.effect.ci95[0],
                    f.effect.ci95[1],
                    f.significant,
                )
                for f in rows
            ],
            "Effects of the factors on cramps, with 95% intervals",
        )
    return render(
        request,
        "insights.html",
        report=report,
        over_time=over_time,
        weekly=bars,
        effects=effects,
        rows=rows,
        labels={id(f): _finding_label(f) for f in rows},
        significant=report.significant,
        others=[f for f in report.findings if not f.significant],
    )
