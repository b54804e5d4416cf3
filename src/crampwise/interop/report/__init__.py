"""The clinician report: one A4 page a doctor can read in a minute, two when the diary holds
a saved assessment with its warning signs and conditions, several experiments or many
medicines (PDF).

`gather_report` collects the figures from a diary (pure data, testable on its own),
`render_report` lays them out with reportlab, `diary_report` does both.
"""

from __future__ import annotations

import re
from datetime import date

from crampwise.interop.report.gather import ReportData, ReportDiary, gather_report
from crampwise.interop.report.render import render_report

__all__ = [
    "ReportData",
    "ReportDiary",
    "diary_report",
    "gather_report",
    "page_count",
    "render_report",
]


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


def page_count(pdf: bytes) -> int:
    """How many pages a PDF reportlab wrote has (its page tree's /Count), without a PDF reader."""
    found = re.findall(rb"/Count (\d+)", pdf)
    return max((int(n) for n in found), default=0)
