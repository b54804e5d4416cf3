"""Care team pages for clients (share, change, revoke, who saw my data) and the owner.

The practitioner's side lives in `crampwise.web.care.practice`. Every route acts only on
the signed-in user's own shares: another client's share id answers 404 like a missing one.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from crampwise.care.consent import (
    CONSENT_WORDING,
    PROFESSIONS,
    SCOPE_LABELS,
    SCOPES,
    WORDING_VERSION,
    parse_profession,
)
from crampwise.errors import InputError
from crampwise.web.care.common import care_store, consent_form, person, today
from crampwise.web.deps import OwnerDep, UserDep, WebUser, render
from crampwise.web.security.address import client_address

router = APIRouter()

# Fixed confirmations chosen by a query flag: nothing typed by anyone is echoed back.
DONE = {
    "changed": "The share is changed.",
    "revoked": "The share is revoked. They can no longer see your data.",
    "accepted": "You now share with this practitioner.",
    "declined": "The request is declined.",
    "plan": "Added to your plan.",
    "marked": "Saved.",
}


def _care_page(request: Request, user: WebUser, status: int = 200, **ctx: Any) -> Response:
    care = care_store(request)
    return render(
        request,
        "care.html",
        status,
        shares=care.shares_of_client(user.id),
        pending=care.pending_requests(user.id),
        notes=care.notes_for(user.id),
        is_practitioner=care.profession(user.id) is not None,
        scopes=SCOPES,
        scope_labels=SCOPE_LABELS,
        wording=CONSENT_WORDING,
        wording_version=WORDING_VERSION,
        today=today(),
        **ctx,
    )


@router.get("/care")
async def care_page(request: Request, user: UserDep, done: str = "") -> Response:
    """Who the client shares with, pending requests, notes, and a form for a new code."""
    return _care_page(request, user, flash=DONE.get(done))


@router.post("/care/invite")
async def care_invite(request: Request, user: UserDep) -> Response:
    """A one-use code (and link) for a practitioner; shown once, stored only as a hash."""
    try:
        scopes, ends_on = await consent_form(request)
        code = care_store(request).create_invitation(
            person(user), scopes, ends_on, client_address(request)
        )
    except InputError as exc:
        return _care_page(request, user, 422, error=str(exc))
    link = str(request.url_for("practice_accept_form").include_query_params(code=code))
    return _care_page(request, user, code=code, code_link=link)


@router.post("/care/requests/{request_id}")
async def care_answer(request: Request, user: UserDep, request_id: int) -> Response:
    """Accept a practitioner's request with the scopes ticked, or decline it."""
    form = await request.form()
    care = care_store(request)
    if form.get("decision") == "decline":
        care.answer_request(person(user), request_id, None, None, client_address(request))
        return RedirectResponse("/care?done=declined", status_code=303)
    try:
        scopes, ends_on = await consent_form(request)
        care.answer_request(person(user), request_id, scopes, ends_on, client_address(request))
    except InputError as exc:
        return _care_page(request, user, 422, error=str(exc))
    return RedirectResponse("/care?done=accepted", status_code=303)


@router.post("/care/shares/{share_id}")
async def care_change(request: Request, user: UserDep, share_id: int) -> Response:
    """Change the scopes or end date of a live share (a new consent, audited)."""
    try:
        scopes, ends_on = await consent_form(request)
        care_store(request).change_share(
            person(user), share_id, scopes, ends_on, client_address(request)
        )
    except InputError as exc:
        return _care_page(request, user, 422, error=str(exc))
    return RedirectResponse("/care?done=changed", status_code=303)


@router.post("/care/shares/{share_id}/revoke")
async def care_revoke(request: Request, user: UserDep, share_id: int) -> Response:
    """End a share now: the practitioner's next request is refused."""
    care_store(request).revoke_share(person(user), share_id, client_address(request))
    return RedirectResponse("/care?done=revoked", status_code=303)


@router.post("/care/notes/{note_id}/plan")
async def care_note_to_plan(request: Request, user: UserDep, note_id: int) -> Response:
    """Keep a practitioner's note in the client's plan."""
    care_store(request).add_note_to_plan(user.id, note_id)
    back = "/" if request.query_params.get("from") == "tonight" else "/care?done=plan"
    return RedirectResponse(back, status_code=303)


@router.get("/care/views")
async def care_views(request: Request, user: UserDep) -> Response:
    """Who saw my data: every practitioner read of this client's data, newest first."""
    rows = [(v, describe_read(v.detail)) for v in care_store(request).views_of(user.id)]
    return render(request, "care_views.html", rows=rows)


PAGE_WORDS = {
    "client": "Your page",
    "dashboard": "Their client list",
    "report": "PDF report",
    # Reads through the practitioner JSON API (crampwise.web.api.practice).
    "api-summary": "Your summary, by their app",
    "api-episodes": "Your cramps, by their app",
    "api-days": "Your day logs, by their app",
    "api-insights": "Your insights, by their app",
    "api-assessment": "Your latest assessment, by their app",
    "api-report": "PDF report, by their app",
}


def describe_read(detail: str | None) -> str:
    """An audit row's detail ("page=client; scopes=diary,reports") in words."""
    parts = dict(p.split("=", 1) for p in (detail or "").split("; ") if "=" in p)
    page = PAGE_WORDS.get(parts.get("page", ""), "Your data")
    scopes = parts.get("scopes", "").replace(",", ", ")
    return f"{page} ({scopes})" if scopes else page


# ---- the owner marks practitioner accounts -------------------------------------------------
def _practitioners_page(request: Request, status: int = 200, **ctx: Any) -> Response:
    return render(
        request,
        "care_practitioners.html",
        status,
        practitioners=care_store(request).practitioners(),
        professions=PROFESSIONS,
        **ctx,
    )


@router.get("/care/practitioners")
async def practitioners_page(request: Request, user: OwnerDep, done: str = "") -> Response:
    """The owner's list of practitioner accounts."""
    return _practitioners_page(request, flash=DONE.get(done))


@router.post("/care/practitioners")
async def practitioners_mark(request: Request, user: OwnerDep) -> Response:
    """Mark an account a practitioner (with a profession), or unmark it."""
    form = await request.form()
    name = str(form.get("name") or "").strip()
    try:
        raw = str(form.get("profession") or "")
        profession = None if raw == "none" else parse_profession(raw)
        care_store(request).mark_practitioner(
            name, profession, person(user), client_address(request)
        )
    except InputError as exc:
        return _practitioners_page(request, 422, error=str(exc))
    return RedirectResponse("/care/practitioners?done=marked", status_code=303)
