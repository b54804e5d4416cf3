"""Insights: the whole diary over a chosen range (cramps per week or month, a calendar of
nights, pain, which leg) and the triggers `crampwise analyze` finds, in plain words."""

from __future__ import annotations

import functools
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from crampwise.web.charts.cramps import (
    DEFAULT_RANGE,
    RANGES,
    chart_rows,
    chart_span,
    effects_chart,
    over_time_chart,
    periods,
)
from crampwise.web.charts.nights import (
    legend,
    month_calendar,
    pain_chart,
    pain_points,
    side_bars,
    side_counts,
)
from crampwise.web.charts.words import finding_details, finding_label, finding_sentence
from crampwise.web.deps import DiaryDep, UserDep, render, run_blocking
from crampwise.web.pages.common import local_now, units_of

router = APIRouter()

# Calendar months shown open; older ones sit in a fold so a phone page stays short.
OPEN_MONTHS = 2


@router.get("/insights")
async def insights(
    request: Request, user: UserDep, diary: DiaryDep, range: str = DEFAULT_RANGE
) -> Response:
    """The same analysis as `crampwise analyze`, as charts and sentences."""
    # Imported here: the analysis pulls in numpy and scipy (~0.5 s at start-up).
    from crampwise.analysis.triggers import find_triggers

    key = range if range in RANGES else DEFAULT_RANGE
    table = diary.day_table()
    span = chart_span(table.dates, local_now().date(), key)
    charts: dict[str, Any] = {}
    if span is not None:
        found, monthly = periods(table.dates, table.cramps, span)
        charts["over_time"] = over_time_chart(found, monthly)
        charts["periods"] = [p for p in found if p.nights]
        charts["monthly"] = monthly
        charts["months"] = month_calendar(table.dates, table.cramps, span)
        points, _ = pain_points(table.dates, table.pain, table.cramps, span)
        charts["pain"] = pain_chart(points, monthly)
        sides = [e.side for e in diary.episodes(start=span.first, end=span.last)]
        charts["sides"] = side_bars(side_counts(sides))
        shown = table.window(span.first, span.last)
        charts["nights"], charts["cramps"] = len(shown), sum(shown.cramps)
    report = await run_blocking(find_triggers, table)
    rows = chart_rows(report.findings)
    units = units_of(request)
    return render(
        request,
        "insights.html",
        report=report,
        span=span,
        ranges=RANGES,
        range_key=key,
        legend=legend(),
        open_months=OPEN_MONTHS,
        effects=effects_chart(rows, functools.partial(finding_label, units=units)),
        sentence=functools.partial(finding_sentence, units=units),
        details=functools.partial(finding_details, units=units),
        significant=report.significant,
        others=[f for f in report.findings if not f.significant],
        **charts,
    )
