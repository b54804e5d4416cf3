"""Audit hooks for the server core: sign-ins, account deletion and exports (one call each).

The audit trail's other events (grants, changes, revocations, practitioner reads) are written
by the care store (`crampwise.store.care`) itself. These hooks never record a secret: the
name typed at a failed sign-in is kept only when it is a real account's name (a password
typed into the name field must never reach the log).

Refused sign-ins come from anyone, so they are bounded: at most
`audit_refusals_per_minute` rows per client address and minute, then one row with the count
of the rest (`RefusalSummary`). The retention setting is applied here too (`prune_due`).
"""

from __future__ import annotations

import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

import sqlalchemy as sa
from fastapi import Request

from crampwise.store.auth import utcnow
from crampwise.store.care.audit import Audit, Person, prune_audit
from crampwise.web.care.common import care_store
from crampwise.web.context import WebContext
from crampwise.web.deps import web_context
from crampwise.web.security.address import client_address
from crampwise.web.settings import audit_retention

WINDOW_S = 60.0
PRUNE_EVERY_S = 24 * 3600.0


@dataclass
class _Window:
    opened: float  # monotonic
    opened_at: datetime  # UTC, for the summary's wording
    written: int = 0
    held: int = 0


@dataclass
class RefusalSummary:
    """Refused sign-ins per client address in one-minute windows: the first `per_minute`
    are written in full, the rest only counted, and the count is written as one row when
    the window has passed (at the next refusal from anyone)."""

    per_minute: int
    clock: Callable[[], float] = time.monotonic
    _windows: dict[str, _Window] = field(default_factory=dict)
    _last_sweep: float = float("-inf")

    def admit(self, address: str) -> tuple[bool, list[Audit]]:
        """Whether this refusal gets its own row, and the summaries now due."""
        now = self.clock()
        due = self._sweep(now)
        window = self._windows.get(address)
        if window is None:
            window = self._windows[address] = _Window(now, utcnow())
        if window.written < self.per_minute:
            window.written += 1
            return True, due
        window.held += 1
        return False, due

    def _sweep(self, now: float) -> list[Audit]:
        if now - self._last_sweep < 1.0:
            return []
        self._last_sweep = now
        due: list[Audit] = []
        for address, window in list(self._windows.items()):
            if now - window.opened < WINDOW_S:
                continue
            del self._windows[address]
            if window.held:
                since = window.opened_at.strftime("%Y-%m-%d %H:%M:%S")
                detail = (
                    f"{window.held} more refused sign-ins from this address"
                    f" in the minute from {since} UTC (not written one by one)"
                )
                due.append(Audit("sign_in", "failure", None, None, address, detail))
        return due


@dataclass
class _Upkeep:
    refusals: RefusalSummary
    last_prune: float = float("-inf")


# One per app (its WebContext), gone with it.
_UPKEEP: weakref.WeakKeyDictionary[WebContext, _Upkeep] = weakref.WeakKeyDictionary()


def _upkeep(ctx: WebContext) -> _Upkeep:
    found = _UPKEEP.get(ctx)
    if found is None:
        found = _UPKEEP[ctx] = _Upkeep(RefusalSummary(ctx.settings.audit_refusals_per_minute))
    return found


def prune_due(ctx: WebContext, engine: sa.Engine, force: bool = False) -> int | None:
    """Apply the audit retention (`audit_retention_days`) when a day has passed since the
    last time (or `force`); the number of rows deleted, None when nothing was due."""
    days = audit_retention(ctx.settings)
    upkeep = _upkeep(ctx)
    now = time.monotonic()
    if days is None or (not force and now - upkeep.last_prune < PRUNE_EVERY_S):
        return None
    upkeep.last_prune = now
    return prune_audit(engine, days)


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
    """A sign-in attempt; `account` is the account the name matched (None: unknown name).

    A refusal is written only while its address is under the minute's allowance; past it,
    it is counted into the summary row (so anyone can add at most `per_minute` + 1 rows a
    minute from one address)."""
    who = _who(account)
    if who is None:
        detail = detail or "unknown account"
    outcome = "success" if success else "failure"
    address = client_address(request)
    store = care_store(request)
    ctx = web_context(request)
    events = [Audit("sign_in", outcome, who, who, address, detail)]
    if not success:
        admitted, due = _upkeep(ctx).refusals.admit(address)
        events = due + (events if admitted else [])  # the earlier count first
    for event in events:
        store.record(event)
    prune_due(ctx, store.engine)


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


def audit_invited_practitioner(request: Request, account: Holder) -> None:
    """An account that joined by a practitioner invitation: marked as the owner's marking
    is (the invitation was the owner's act; the trail shows who made the link)."""
    store = care_store(request)
    profession = store.profession(account.id)
    if profession is None:
        return
    who = Person(account.id, account.name)
    detail = f"profession={profession}; via=invitation"
    store.record(Audit("practitioner_mark", "success", who, who, client_address(request), detail))
