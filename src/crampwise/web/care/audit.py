"""Audit hooks for the server core: sign-ins, account deletion and exports (one call each).

The audit trail's other events (grants, changes, revocations, practitioner reads) are written
by `crampwise.store.care.shares` itself. These hooks never record a secret: the name typed at a
failed sign-in is kept only when it is a real account's name (a password typed into the
name field must never reach the log).
"""

from __future__ import annotations

from typing import Any

from fastapi import Request

from crampwise.store.care.audit import Audit, Person
from crampwise.web.care.common import address, care_store


def _who(account: Any) -> Person | None:
    return Person(account.id, account.name) if account is not None else None


def audit_sign_in(request: Request, account: Any, success: bool, detail: str | None = None) -> None:
    """A sign-in attempt; `account` is the account the name matched (None: unknown name)."""
    who = _who(account)
    if who is None:
        detail = detail or "unknown account"
    outcome = "success" if success else "failure"
    care_store(request).record(Audit("sign_in", outcome, who, who, address(request), detail))


def audit_account_delete(request: Request, user: Any) -> None:
    """An account deleted by its holder (recorded after the rows are gone; the trail stays)."""
    who = _who(user)
    care_store(request).record(Audit("account_delete", "success", who, who, address(request)))


def audit_export(request: Request, user: Any, what: str) -> None:
    """A user exporting their own data (`what`: e.g. "csv")."""
    who = _who(user)
    care_store(request).record(
        Audit("export", "success", who, who, address(request), f"format={what}")
    )
