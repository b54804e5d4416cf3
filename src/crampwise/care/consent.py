"""Care team consent rules: what a client may share with a practitioner, and when it counts.

Pure domain code (no database, no web): the scopes vocabulary, the consent wording and its
version, the `Share` a client grants, and `allowed(share, scope, today)` — the one rule every
page, API route and export asks before sending a practitioner anything.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from crampwise.errors import InputError

# What a client can share. Each scope unlocks one part of the practitioner's client page.
SCOPES: tuple[str, ...] = ("diary", "insights", "assessments", "reports")
SCOPE_LABELS: dict[str, str] = {
    "diary": "Diary: cramps, nights woken, check-ins",
    "insights": "Insights and experiments: triggers found, remedies tested",
    "assessments": "Assessments: the latest triage and the answers behind it",
    "reports": "Reports: the clinician PDF report for the shared period",
}

PROFESSIONS: tuple[str, ...] = (
    "massage_therapist",
    "physiotherapist",
    "doctor",
    "nurse",
    "other",
)

# Bump the version whenever the wording changes: each share stores the version its client saw.
WORDING_VERSION = "care-consent-1"
CONSENT_WORDING = (
    "I let this practitioner read the parts of my crampwise diary ticked below, until the "
    "end date (if any) or until I revoke this share. They can only read, never change my "
    "diary. I can revoke at any time on the Care team page, and I can see every time they "
    "read my data."
)

NOTE_MAX_CHARS = 500
INVITE_DAYS = 7

# Audit vocabulary: what happened, and how it ended.
AUDIT_ACTIONS: tuple[str, ...] = (
    "sign_in",
    "practitioner_read",
    "share_grant",
    "share_change",
    "share_revoke",
    "invite_create",
    "note_add",
    "practitioner_mark",
    "export",
    "account_delete",
    "clinic_settings",
    "audit_read",
)
OUTCOMES: tuple[str, ...] = ("success", "failure", "denied")


@dataclass(frozen=True)
class Share:
    """A client's consent that one practitioner may read some scopes of their data."""

    id: int
    client_id: int
    client_name: str
    practitioner_id: int
    practitioner_name: str
    scopes: frozenset[str]
    consented_at: datetime
    wording_version: str
    ends_on: date | None = None
    revoked_at: datetime | None = None

    def active(self, today: date) -> bool:
        """Not revoked and not past its end date (the end date itself still counts)."""
        return self.revoked_at is None and (self.ends_on is None or today <= self.ends_on)


def allowed(share: Share | None, scope: str, today: date) -> bool:
    """Whether `share` lets its practitioner read `scope` on `today`."""
    if scope not in SCOPES:
        raise ValueError(f"unknown scope {scope!r}")
    return share is not None and share.active(today) and scope in share.scopes


def parse_scopes(values: Iterable[str]) -> frozenset[str]:
    """The chosen scopes, checked against the vocabulary; at least one is required."""
    chosen = frozenset(v.strip() for v in values if v.strip())
    unknown = sorted(chosen - set(SCOPES))
    if unknown:
        raise InputError(
            f"field 'scopes': {unknown[0]!r} is not one of: {', '.join(SCOPES)}", field="scopes"
        )
    if not chosen:
        raise InputError("field 'scopes': choose at least one thing to share", field="scopes")
    return chosen


def parse_ends_on(text: str | None, today: date) -> date | None:
    """An optional end date (YYYY-MM-DD) that is not in the past."""
    if text is None or not text.strip():
        return None
    try:
        ends = date.fromisoformat(text.strip())
    except ValueError:
        raise InputError("field 'ends_on': not a date (YYYY-MM-DD)", field="ends_on") from None
    if ends < today:
        raise InputError("field 'ends_on': the end date is in the past", field="ends_on")
    return ends


def parse_profession(text: str) -> str:
    """A profession from the vocabulary."""
    value = text.strip()
    if value not in PROFESSIONS:
        raise InputError(
            f"field 'profession': {value!r} is not one of: {', '.join(PROFESSIONS)}",
            field="profession",
        )
    return value


def parse_note(text: str) -> str:
    """A practitioner's note: non-empty, at most NOTE_MAX_CHARS characters."""
    value = text.strip()
    if not value:
        raise InputError("field 'text': the note is empty", field="text")
    if len(value) > NOTE_MAX_CHARS:
        raise InputError(
            f"field 'text': at most {NOTE_MAX_CHARS} characters ({len(value)} given)",
            field="text",
        )
    return value
