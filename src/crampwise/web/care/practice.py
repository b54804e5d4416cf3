"""The practitioner's pages: dashboard, accepting a client's code, the read-only client page.

Every route first checks that the caller is a practitioner (else 404), and every read of a
client goes through `care_view.client_view`, which checks the share in the database on each
request (a revocation stops the next one) and audits the read. Practitioners only read:
the one thing they can write is a note to a client they hold a live share with.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from crampwise.care.consent import SCOPE_LABELS, allowed
from crampwise.errors import InputError, NotFoundError
from crampwise.store.care.audit import Audit, Person
from crampwise.web.care.common import address, care_store, person, require_practitioner, today
from crampwise.web.care.view import client_view, dashboard_rows
from crampwise.web.deps import UserDep, current_user, render, run_blocking, web_context

router = APIRouter()

DONE = {
    "requested": "If that account exists, they will see your request on their Care team page.",
    "noted": "Note sent. They see it on their Tonight page.",
}


@router.get("/practice")
async def practice(request: Request, user: UserDep, done: str = "") -> Response:
    """The dashboard: every client sharing today, with what each share allows."""
    profession = require_practitioner(request, user)
    store = web_context(request).store
    rows = dashboard_rows(care_store(request), store, person(user), today(), address(request))
    return render(
        request,
        "practice.html",
        rows=rows,
        profession=profession,
        flash=DONE.get(done),
        today=today(),
    )


@router.get("/practice/accept", name="practice_accept_form")
async def practice_accept_form(request: Request, code: str = "") -> Response:
    """The form a client's link opens: confirm to start reading their shared data."""
    user = await current_user(request)
    if user is None:
        # Keep the code through sign-in (the usual redirect keeps only the path).
        target = quote(f"/practice/accept?code={code}", safe="")
        return RedirectResponse(f"/login?next={target}", status_code=303)
    require_practitioner(request, user)
    return render(request, "practice_accept.html", code=code)


@router.post("/practice/accept")
async def practice_accept(request: Request, user: UserDep) -> Response:
    """Redeem a client's code; the client's page opens."""
    require_practitioner(request, user)
    form = await request.form()
    code = str(form.get("code") or "")
    try:
        share = care_store(request).redeem_invitation(person(user), code, address(request))
    except InputError as exc:
        return render(request, "practice_accept.html", 422, code="", error=str(exc))
    return RedirectResponse(f"/practice/clients/{share.client_id}", status_code=303)


@router.post("/practice/requests")
async def practice_request(request: Request, user: UserDep) -> Response:
    """Ask a client (by account name) to share; the answer is the same whether or not they exist."""
    require_practitioner(request, user)
    form = await request.form()
    care_store(request).request_share(person(user), str(form.get("name") or ""))
    return RedirectResponse("/practice?done=requested", status_code=303)


@router.get("/practice/clients/{client_id}")
async def practice_client(request: Request, user: UserDep, client_id: int) -> Response:
    """A client's charts and findings, read-only, limited to the scopes they granted."""
    from crampwise.web.charts.svg import bar_chart
    from crampwise.web.pages.insights import WEEKS_SHOWN, weekly_bars

    require_practitioner(request, user)
    store = web_context(request).store
    when = today()
    view = client_view(
        care_store(request), store, person(user), client_id, when, address(request),
        with_triggers=False,
    )  # fmt: skip
    chart = effects = None
    if view.diary is not None:
        bars = weekly_bars(view.diary.dates, view.diary.cramps, when)
        chart = bar_chart(bars, f"Cramps per week, last {WEEKS_SHOWN} weeks")
    if view.insights is not None:
        from crampwise.analysis.triggers import find_triggers

        table = store.diary(view.share.client_name, create=False).day_table()
        view.insights.report = await run_blocking(find_triggers, table)
        effects = _effects(view.insights.report)
    notes = care_store(request).notes_for(client_id, practitioner_id=user.id)
    return render(
        request,
        "practice_client.html",
        view=view,
        chart=chart,
        effects=effects,
        notes=notes,
        scope_labels=SCOPE_LABELS,
        flash=DONE.get(request.query_params.get("done", "")),
    )


def _effects(report: Any) -> Any:
    """The effect chart the client's Insights page draws, for the same findings."""
    from crampwise.web.charts.svg import Interval, effect_chart
    from crampwise.web.pages.insights import chart_rows

    rows = chart_rows(report.findings) if report.enough_data else []
    if not rows:
        return None
    intervals = [
        Interval(
            f.factor.replace("_", " ") + (f": {f.level}" if f.level else ""),
            f.effect.estimate,
            f.effect.ci95[0],
            f.effect.ci95[1],
            f.significant,
        )
        for f in rows
    ]
    return effect_chart(intervals, "Effects of the factors on cramps, with 95% intervals")


@router.get("/practice/clients/{client_id}/report.pdf")
async def practice_report(request: Request, user: UserDep, client_id: int) -> Response:
    """The clinician PDF report, only with the `reports` scope."""
    from crampwise.interop.report import diary_report

    require_practitioner(request, user)
    care, when = care_store(request), today()
    share = care.share_for(user.id, client_id, when)
    if not allowed(share, "reports", when) or share is None:
        subject = care.person(client_id) or Person(client_id, "")
        care.record(Audit("practitioner_read", "denied", person(user), subject, address(request)))
        raise NotFoundError(f"no report for {client_id}")
    from crampwise.web.pages.report import report_period

    params = request.query_params
    first, last = report_period(params.get("from", ""), params.get("to", ""), when)
    if share.ends_on is not None:  # never past the end the client granted
        last = min(last, share.ends_on)
        first = min(first, last)
    diary = web_context(request).store.diary(share.client_name, create=False)
    pdf = await run_blocking(diary_report, diary, share.client_name, first, last, today=when)
    client = Person(share.client_id, share.client_name)
    care.record(
        Audit("practitioner_read", "success", person(user), client, address(request), "page=report")
    )
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="crampwise-{share.client_name}.pdf"'},
    )


@router.post("/practice/clients/{client_id}/notes")
async def practice_note(request: Request, user: UserDep, client_id: int) -> Response:
    """A short recommendation the client sees on their Tonight page."""
    require_practitioner(request, user)
    form = await request.form()
    text = str(form.get("text") or "")
    care_store(request).add_note(person(user), client_id, text, today(), address(request))
    return RedirectResponse(f"/practice/clients/{client_id}?done=noted", status_code=303)
