"""The clinician PDF report of one's own diary, as a download (Settings links here)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from crampwise.web.care.audit import audit_export
from crampwise.web.deps import DiaryDep, UserDep, run_blocking
from crampwise.web.pages.common import local_now, report_period

router = APIRouter()


@router.get("/report.pdf")
async def report_pdf(request: Request, user: UserDep, diary: DiaryDep) -> Response:
    """The signed-in person's clinician report for `?from=&to=` (YYYY-MM-DD), as a PDF file."""
    # Imported here: reportlab costs ~0.2 s at start-up and only the report needs it.
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
