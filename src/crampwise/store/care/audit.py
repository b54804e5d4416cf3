"""The append-only audit trail: who did what to whose data, when, from where, and how it ended.

Rows are never updated or deleted: migration 0003 installs database triggers that abort any
UPDATE or DELETE on `audit_log` (SQLite and PostgreSQL). The table has no foreign keys, so a
deleted account's trail stays. Nothing secret is ever written here: no passwords, tokens,
invitation codes or note text — `detail` holds scopes, a page name or a count at most.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from crampwise.store.auth import utcnow
from crampwise.store.tables import metadata

# Append-only (database triggers, see migration 0003); no foreign keys so it outlives accounts.
audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("at", sa.DateTime, nullable=False),
    sa.Column("actor_id", sa.Integer),
    sa.Column("actor_name", sa.String(64)),
    sa.Column("subject_id", sa.Integer),
    sa.Column("subject_name", sa.String(64)),
    sa.Column("action", sa.String(32), nullable=False),
    sa.Column("outcome", sa.String(16), nullable=False),
    sa.Column("address", sa.String(64)),
    sa.Column("detail", sa.String(255)),
    sa.Index("ix_audit_log_subject", "subject_id", "at"),
    sa.Index("ix_audit_log_actor", "actor_id", "at"),
)


@dataclass(frozen=True)
class Person:
    """An account as the care team sees it."""

    id: int
    name: str


@dataclass(frozen=True)
class Audit:
    """One audit event. `detail` must never hold a secret (password, token, note text)."""

    action: str
    outcome: str
    actor: Person | None = None
    subject: Person | None = None
    address: str | None = None
    detail: str | None = None


@dataclass(frozen=True)
class AuditRow:
    """A stored audit row."""

    id: int
    at: datetime
    actor_id: int | None
    actor_name: str | None
    subject_id: int | None
    subject_name: str | None
    action: str
    outcome: str
    address: str | None
    detail: str | None


def write_audit(conn: sa.Connection, event: Audit) -> None:
    """Append one audit row inside the caller's transaction."""
    actor, subject = event.actor, event.subject
    conn.execute(
        audit_log.insert().values(
            at=utcnow(),
            actor_id=actor.id if actor else None,
            actor_name=actor.name if actor else None,
            subject_id=subject.id if subject else None,
            subject_name=subject.name if subject else None,
            action=event.action,
            outcome=event.outcome,
            address=(event.address or None) and event.address[:64],
            detail=(event.detail or None) and event.detail[:255],
        )
    )
