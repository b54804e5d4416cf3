"""The practitioner's access gate: may this practitioner read this scope of a client today?

One rule for every practitioner page, API route and export, without HTTP or SQL: the caller
reads the share in force (if any) and asks `open_share`; a refusal is answered exactly like
a client that does not exist (404), whatever the reason, so nothing hints at why.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from crampwise.care.consent import Share, allowed


@dataclass(frozen=True)
class Refusal:
    """The gate said no. `reason` is for the audit trail and tests, never for the caller."""

    reason: str  # "no_share" | "inactive" | "scope"


def open_share(share: Share | None, scope: str | None, today: date) -> Share | Refusal:
    """`share` when it is in force on `today` and grants `scope` (None: any scope), else why
    not. `share` is the one between this practitioner and this client, read fresh."""
    if share is None:
        return Refusal("no_share")
    if not share.active(today):
        return Refusal("inactive")
    if scope is not None and not allowed(share, scope, today):
        return Refusal("scope")
    return share


def capped_end(end: date | None, share: Share) -> date | None:
    """`end` (None: open) never past the end date the client granted."""
    if share.ends_on is None:
        return end
    return share.ends_on if end is None else min(end, share.ends_on)


def capped_period(first: date, last: date, share: Share) -> tuple[date, date]:
    """The nights first..last, cut at the share's end date (an empty period stays a day)."""
    last = capped_end(last, share) or last
    return min(first, last), last
