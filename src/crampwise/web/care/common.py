"""What the care team's page modules share: the store, the caller, the date, the gates."""

from __future__ import annotations

from datetime import date

from fastapi import HTTPException, Request

from crampwise.care.consent import Share, parse_ends_on
from crampwise.store.care.audit import Person
from crampwise.store.care.repository import CareStore
from crampwise.web.care.view import open_share
from crampwise.web.deps import WebUser, templates, web_context
from crampwise.web.pages.common import local_now
from crampwise.web.security.address import client_address


def care_store(request: Request) -> CareStore:
    """The care team store on the app's database."""
    return CareStore(web_context(request).store.engine)


def person(user: WebUser) -> Person:
    return Person(user.id, user.name)


def today() -> date:
    return local_now().date()


async def consent_form(request: Request) -> tuple[list[str], date | None]:
    """The scopes ticked and the optional end date of a consent form."""
    form = await request.form()
    scopes = [str(v) for v in form.getlist("scopes")]
    return scopes, parse_ends_on(str(form.get("ends_on") or ""), today())


def require_practitioner(request: Request, user: WebUser) -> str:
    """The practitioner's profession; anyone else gets 404 (the page does not exist for them)."""
    profession = care_store(request).profession(user.id)
    if profession is None:
        raise HTTPException(404)
    return profession


def client_share(request: Request, user: WebUser, client_id: int, scope: str) -> Share:
    """Pages and API alike: the caller must be a practitioner (else 404) holding a share in
    force that grants `scope` (else a denied read in the audit trail and 404)."""
    require_practitioner(request, user)
    return open_share(
        care_store(request), person(user), client_id, today(), client_address(request), scope
    )


def is_practitioner(request: Request) -> bool:
    """Whether the signed-in person is a practitioner (base.html shows "My clients" in the
    main navigation then): every page asks, so kept while the database is unchanged."""
    user: WebUser | None = getattr(request.state, "user", None)
    if user is None:
        return False
    store = care_store(request)
    return web_context(request).fresh(
        ("practitioner", user.id), lambda: store.profession(user.id) is not None
    )


# Every page extends base.html, which asks this: a template global, so no page has to pass it.
templates.env.globals["practitioner_nav"] = is_practitioner
