"""The clinician report: at most two A4 pages a doctor can read in a minute (PDF).

`gather_report` collects the figures from a diary (pure data, testable on its own),
`render_report` lays them out with reportlab, `diary_report` does both.
"""

from __future__ import annotations

from datetime import date

from crampwise.interop.report.gather import ReportData, ReportDiary, gather_report
from crampwise.interop.report.render import render_report

__all__ = ["ReportData", "ReportDiary", "diary_report", "gather_report", "render_report"]


def diary_report(
    diary: ReportDiary,
    user: str,
    first: date | None = None,
    last: date | None = None,
    *,
    today: date,
) -> bytes:
    """The clinician report of one user's diary as PDF bytes."""
    return render_report(gather_report(diary, user, first, last, today))
