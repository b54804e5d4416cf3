"""The clinician PDF report of one's own diary, as a download (issue #6; Settings links here)."""

from __future__ import annotations

from datetime import date, timedelta

from fastapi import APIRouter, Request
from fastapi.responses import Response

from crampwise.errors import InputError
from crampwise.web.care.audit import audit_export
from crampwise.web.deps import DiaryDep, UserDep, run_blocking
from crampwise.web.pages.common import local_now

router = APIRouter()
# The default period: the last 12 weeks, long enough for a doctor to see a pattern.
DEFAULT_NIGHTS = 12 * 7


def _date(field: str, text: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(
            f"field '{field}': {text!r} is not a date (YYYY-MM-DD)", field=field
        ) from None


def report_period(first_text: str, last_text: str, today: date) -> tuple[date, date]:
    """The nights first..last the report covers (default: the 12 weeks up to today)."""
    last = _date("to", last_text) or today
    first = _date("from", first_text)
    if first is None:  # (date.min has no 12 weeks before it)
        first = last - timedelta(days=DEFAULT_NIGHTS - 1) if last.year > 1 else date.min
    if first > last:
        raise InputError(
            f"field 'from': {first.isoformat()} is after 'to' {last.isoformat()}", field="from"
        )
    return first, last


@router.get("/report.pdf")
async def report_pdf(request: Request, user: UserDep, diary: DiaryDep) -> Response:
    """The signed-in person's clinician report for `?from=&to=` (YYYY-MM-DD), as a PDF file."""
    from crampwise.interop.report import diary_report

    today = local_now().date()
    params = request.query_params
    first, last = report_period(params.get("from", ""), params.get("to", ""), today)
    # Trigger analysis and layout are CPU work: keep the event loop free.
    pdf = await run_blocking(diary_report, diary, user.name, first, last, today=today)
    audit_export(request, user, "pdf")
    name = f"crampwise-report-{first.isoformat()}-{last.isoformat()}.pdf"
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )
