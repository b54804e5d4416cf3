"""The owner's view of the whole audit trail: who did what to whose data, when, from where.

Owner only (anyone else gets 404, like any page they may not see). Filters by action,
outcome and person (actor or subject), newest first, a page of `PAGE_SIZE` rows with a link
to older ones. Reading the trail is itself recorded (`audit_read`). Rows hold no secrets and
no health data (see `crampwise.store.care.audit`).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from crampwise.care.consent import AUDIT_ACTIONS, OUTCOMES
from crampwise.errors import InputError
from crampwise.store.care.audit import Audit
from crampwise.web.care.common import care_store, person
from crampwise.web.deps import OwnerDep, render
from crampwise.web.security.address import client_address

router = APIRouter()
PAGE_SIZE = 100


def _choice(field: str, value: str, allowed: tuple[str, ...]) -> str | None:
    if not value:
        return None
    if value not in allowed:
        raise InputError(f"field '{field}': one of {', '.join(allowed)}", field=field)
    return value


def _before(value: str) -> int | None:
    if not value:
        return None
    if not value.isdigit():
        raise InputError("field 'before': a row number (digits only)", field="before")
    return int(value)


@router.get("/audit")
async def audit_trail(
    request: Request,
    user: OwnerDep,
    action: str = "",
    outcome: str = "",
    person_name: str = "",
    before: str = "",
) -> Response:
    """The audit trail for the server's owner, newest first, filtered."""
    chosen_action = _choice("action", action, AUDIT_ACTIONS)
    chosen_outcome = _choice("outcome", outcome, OUTCOMES)
    name = person_name.strip()[:64] or None
    care = care_store(request)
    rows = care.audit_rows(
        action=chosen_action,
        outcome=chosen_outcome,
        person=name,
        before=_before(before),
        limit=PAGE_SIZE + 1,
    )
    filters = {"action": action, "outcome": outcome, "person_name": name or ""}
    detail = "; ".join(f"{k}={v}" for k, v in filters.items() if v)
    care.record(Audit("audit_read", "success", person(user), None, client_address(request), detail))
    return render(
        request,
        "care_audit.html",
        rows=rows[:PAGE_SIZE],
        older=rows[PAGE_SIZE - 1].id if len(rows) > PAGE_SIZE else None,
        filters=filters,
        actions=AUDIT_ACTIONS,
        outcomes=OUTCOMES,
    )
