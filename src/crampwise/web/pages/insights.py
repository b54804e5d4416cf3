"""Insights: cramps over time and the triggers `crampwise analyze` finds, in plain words."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import APIRouter, Request
from fastapi.responses import Response

from crampwise.web.charts.cramps import WEEKS_SHOWN, chart_rows, effects_chart, weekly_bars
from crampwise.web.charts.svg import bar_chart
from crampwise.web.deps import DiaryDep, UserDep, render, run_blocking
from crampwise.web.pages.common import local_now

if TYPE_CHECKING:  # the analysis modules import scipy: only the type checker needs them here
    from crampwise.analysis.results import Finding

router = APIRouter()


def _finding_label(finding: Finding) -> str:
    # Imported here: crampwise.analysis pulls in numpy and scipy (~0.5 s at start-up), which
    # only this page and the practitioner's client page need.
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


@router.get("/insights")
async def insights(request: Request, user: UserDep, diary: DiaryDep) -> Response:
    """The same analysis as `crampwise analyze`, as charts and sentences."""
    from crampwise.analysis.triggers import find_triggers  # scipy: see _finding_label

    table = diary.day_table()
    report = await run_blocking(find_triggers, table)
    bars = weekly_bars(table.dates, table.cramps, local_now().date())
    over_time = bar_chart(bars, f"Cramps per week, last {WEEKS_SHOWN} weeks")
    rows = chart_rows(report.findings)
    effects = effects_chart(rows, _finding_label)
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
