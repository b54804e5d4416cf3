"""What the care team's page modules share: the store, the caller, the date, the gates."""

from __future__ import annotations

from datetime import date

from fastapi import HTTPException, Request

from crampwise.care.consent import parse_ends_on
from crampwise.store.care.audit import Person
from crampwise.store.care.shares import CareStore
from crampwise.web.deps import WebUser, web_context


def care_store(request: Request) -> CareStore:
    """The care team store on the app's database."""
    return CareStore(web_context(request).store.engine)


def person(user: WebUser) -> Person:
    return Person(user.id, user.name)


def address(request: Request) -> str:
    """The caller's address for the audit (the same rule as sign-in's limiter)."""
    from crampwise.web.pages.account import client_address

    return client_address(request)


def today() -> date:
    from crampwise.web.pages.common import local_now

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
