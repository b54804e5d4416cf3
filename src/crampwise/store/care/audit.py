"""The append-only audit trail: who did what to whose data, when, from where, and how it ended.

Rows are never updated, and never deleted while younger than `RETENTION_FLOOR_DAYS`:
migration 0003 installs database triggers that abort any UPDATE or DELETE on `audit_log`
(SQLite and PostgreSQL), and 0006 lets DELETE through only for rows past that floor, so the
owner may set a retention (`prune_audit`) while the recent trail stays untouchable. The
table has no foreign keys, so a deleted account's trail stays. Nothing secret is ever
written here: no passwords, tokens, invitation codes or note text — `detail` holds scopes,
a page name or a count at most.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from crampwise.store.auth import utcnow
from crampwise.store.tables import NEVER_REUSED, id_column, metadata

# The database refuses to delete younger audit rows (migration 0006_audit_retention's
# triggers hold the same number): a retention setting cannot go below it.
RETENTION_FLOOR_DAYS = 90

# Append-only (database triggers, see migration 0003); no foreign keys so it outlives accounts.
audit_log = sa.Table(
    "audit_log",
    metadata,
    id_column(),
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
    **NEVER_REUSED,
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


def prune_audit(engine: sa.Engine, keep_days: int) -> int:
    """Delete audit rows older than `keep_days` (at least `RETENTION_FLOOR_DAYS`); the count.

    PostgreSQL goes through the migration's `prune_audit_log` function (SECURITY DEFINER),
    so an app role without DELETE on the table can still apply the retention."""
    keep = max(keep_days, RETENTION_FLOOR_DAYS)
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            gone = conn.execute(sa.text("SELECT prune_audit_log(:keep)"), {"keep": keep})
            return int(gone.scalar_one())
        cutoff = utcnow() - timedelta(days=keep)
        return conn.execute(audit_log.delete().where(audit_log.c.at < cutoff)).rowcount
