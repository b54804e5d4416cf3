"""The practitioner's pages: dashboard, accepting a client's code, the read-only client page.

Every route first checks that the caller is a practitioner (else 404), and every read of a
client passes the one gate (`crampwise.web.care.view.open_share`, through `client_view` or
`client_share`), which checks the share in the database on each request (a revocation stops
the next one) and audits the read. Practitioners only read: the one thing they can write is
a note to a client they hold a live share with.
"""

from __future__ import annotations

import functools
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from crampwise.care.access import capped_period
from crampwise.care.consent import SCOPE_LABELS
from crampwise.errors import InputError
from crampwise.store.care.audit import Audit, Person
from crampwise.web.care.common import (
    care_store,
    client_share,
    person,
    require_practitioner,
    today,
)
from crampwise.web.care.view import client_view, dashboard_rows
from crampwise.web.charts.cramps import (
    chart_rows,
    chart_span,
    effects_chart,
    over_time_chart,
    periods,
)
from crampwise.web.charts.words import finding_details, finding_label, finding_sentence
from crampwise.web.deps import UserDep, current_user, render, run_blocking, web_context
from crampwise.web.pages.common import remedy_title, report_period, units_of
from crampwise.web.security.address import client_address

# How a therapist reads a muscle id (the diary keeps the id).
MUSCLE_WORDS = {
    "calf": "calf",
    "foot": "foot",
    "toes": "toes",
    "thigh_front": "front of thigh",
    "thigh_back": "back of thigh",
    "hand": "hand",
    "other": "other",
}

router = APIRouter()

DONE = {
    "requested": "If that account exists, they will see your request on their Care team page.",
    "noted": "Note sent. They see it on their Tonight page.",
}


def _waiting(request: Request, code: str = "") -> Response:
    """For an account that is not (yet) a practitioner: what to do, not a bare 404."""
    return render(request, "practice_waiting.html", 404, code=code)


@router.get("/practice")
async def practice(request: Request, user: UserDep, done: str = "") -> Response:
    """The dashboard: every client sharing today, with what each share allows."""
    profession = care_store(request).profession(user.id)
    if profession is None:
        return _waiting(request)
    store = web_context(request).store
    rows = dashboard_rows(
        care_store(request), store, person(user), today(), client_address(request)
    )
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
    if care_store(request).profession(user.id) is None:
        return _waiting(request, code)
    return render(request, "practice_accept.html", code=code)


@router.post("/practice/accept")
async def practice_accept(request: Request, user: UserDep) -> Response:
    """Redeem a client's code; the client's page opens."""
    require_practitioner(request, user)
    form = await request.form()
    code = str(form.get("code") or "")
    try:
        share = care_store(request).redeem_invitation(person(user), code, client_address(request))
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
    require_practitioner(request, user)
    store = web_context(request).store
    when = today()
    view = client_view(
        care_store(request), store, person(user), client_id, when, client_address(request),
        with_triggers=False,
    )  # fmt: skip
    chart = effects = None
    if view.diary is not None:
        span = chart_span(view.diary.dates, when, "6m")
        if span is not None:
            chart = over_time_chart(*periods(view.diary.dates, view.diary.cramps, span))
    if view.insights is not None:
        # Imported here: the trigger analysis pulls in scipy (~0.5 s at start-up).
        from crampwise.analysis.triggers import find_triggers

        table = store.diary(view.share.client_name, create=False).day_table()
        view.insights.report = await run_blocking(find_triggers, table)
        rows = chart_rows(view.insights.report.findings) if view.insights.report.enough_data else []
        effects = effects_chart(rows, functools.partial(finding_label, units=units_of(request)))
    notes = care_store(request).notes_for(client_id, practitioner_id=user.id)
    return render(
        request,
        "practice_client.html",
        view=view,
        chart=chart,
        effects=effects,
        notes=notes,
        scope_labels=SCOPE_LABELS,
        sentence=functools.partial(finding_sentence, units=units_of(request)),
        details=functools.partial(finding_details, units=units_of(request)),
        muscles=MUSCLE_WORDS,
        remedy_title=remedy_title,
        status_words=EXPERIMENT_STATUS_WORDS,
        flash=DONE.get(request.query_params.get("done", "")),
    )


# How an experiment's stored status reads to a therapist.
EXPERIMENT_STATUS_WORDS = {"active": "under way", "stopped": "finished", "completed": "finished"}


@router.get("/practice/clients/{client_id}/report.pdf")
async def practice_report(request: Request, user: UserDep, client_id: int) -> Response:
    """The clinician PDF report, only with the `reports` scope."""
    # Imported here: reportlab costs ~0.2 s at start-up and only the report needs it.
    from crampwise.interop.report import diary_report

    share = client_share(request, user, client_id, "reports")
    when = today()
    params = request.query_params
    period = report_period(params.get("from", ""), params.get("to", ""), when)
    first, last = capped_period(*period, share)
    diary = web_context(request).store.diary(share.client_name, create=False)
    pdf = await run_blocking(diary_report, diary, share.client_name, first, last, today=when)
    client = Person(share.client_id, share.client_name)
    care_store(request).record(
        Audit(
            "practitioner_read",
            "success",
            person(user),
            client,
            client_address(request),
            "page=report",
        )
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
    care_store(request).add_note(person(user), client_id, text, today(), client_address(request))
    return RedirectResponse(f"/practice/clients/{client_id}?done=noted", status_code=303)
