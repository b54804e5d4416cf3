"""Audit hooks for the server core: sign-ins, account deletion and exports (one call each).

The audit trail's other events (grants, changes, revocations, practitioner reads) are written
by the care store (`crampwise.store.care`) itself. These hooks never record a secret: the
name typed at a failed sign-in is kept only when it is a real account's name (a password
typed into the name field must never reach the log).
"""

from __future__ import annotations

from typing import Protocol

from fastapi import Request

from crampwise.store.care.audit import Audit, Person
from crampwise.web.care.common import care_store
from crampwise.web.security.address import client_address


class Holder(Protocol):
    """An account or a signed-in user: whoever the audit row is about."""

    @property
    def id(self) -> int: ...

    @property
    def name(self) -> str: ...


def _who(account: Holder | None) -> Person | None:
    return Person(account.id, account.name) if account is not None else None


def audit_sign_in(
    request: Request, account: Holder | None, success: bool, detail: str | None = None
) -> None:
    """A sign-in attempt; `account` is the account the name matched (None: unknown name)."""
    who = _who(account)
    if who is None:
        detail = detail or "unknown account"
    outcome = "success" if success else "failure"
    care_store(request).record(Audit("sign_in", outcome, who, who, client_address(request), detail))


def audit_account_delete(request: Request, user: Holder) -> None:
    """An account deleted by its holder (recorded after the rows are gone; the trail stays)."""
    who = _who(user)
    care_store(request).record(
        Audit("account_delete", "success", who, who, client_address(request))
    )


def audit_export(request: Request, user: Holder, what: str) -> None:
    """A user exporting their own data (`what`: e.g. "csv")."""
    who = _who(user)
    care_store(request).record(
        Audit("export", "success", who, who, client_address(request), f"format={what}")
    )
