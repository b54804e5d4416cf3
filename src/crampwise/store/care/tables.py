"""The care team's tables (practitioners, shares, invitations, requests, notes) and `Note`.

Apart from `crampwise.store.care.repository` so that the diary's Tonight read (`UserDiary.tonight`)
can read notes without importing the care team's store.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from crampwise.store.tables import NEVER_REUSED, id_column, metadata


def _fk(name: str) -> sa.Column[int]:
    return sa.Column(
        name, sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False
    )


practitioners = sa.Table(
    "practitioners",
    metadata,
    sa.Column(
        "user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("profession", sa.String(32), nullable=False),
    sa.Column("marked_at", sa.DateTime, nullable=False),
)
care_shares = sa.Table(
    "care_shares",
    metadata,
    id_column(),
    _fk("client_id"),
    _fk("practitioner_id"),
    sa.Column("scopes", sa.JSON, nullable=False),
    sa.Column("ends_on", sa.Date),
    sa.Column("consented_at", sa.DateTime, nullable=False),
    sa.Column("wording_version", sa.String(32), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("revoked_at", sa.DateTime),
    sa.Index("ix_care_shares_client", "client_id"),
    sa.Index("ix_care_shares_practitioner", "practitioner_id"),
    **NEVER_REUSED,
)
care_invitations = sa.Table(
    "care_invitations",
    metadata,
    id_column(),
    sa.Column("code_hash", sa.String(64), nullable=False, unique=True),
    _fk("client_id"),
    sa.Column("scopes", sa.JSON, nullable=False),
    sa.Column("ends_on", sa.Date),
    sa.Column("wording_version", sa.String(32), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("expires_at", sa.DateTime, nullable=False),
    sa.Column("used_at", sa.DateTime),
    **NEVER_REUSED,
)
care_requests = sa.Table(
    "care_requests",
    metadata,
    id_column(),
    _fk("practitioner_id"),
    _fk("client_id"),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("answered_at", sa.DateTime),
    sa.Index("ix_care_requests_client", "client_id"),
    **NEVER_REUSED,
)
care_notes = sa.Table(
    "care_notes",
    metadata,
    id_column(),
    _fk("client_id"),
    _fk("practitioner_id"),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("in_plan_at", sa.DateTime),
    sa.Index("ix_care_notes_client", "client_id"),
    **NEVER_REUSED,
)


@dataclass(frozen=True)
class Note:
    """A practitioner's recommendation to a client."""

    id: int
    client_id: int
    practitioner_name: str
    text: str
    created_at: datetime
    in_plan: bool


def note_from_row(row: Any) -> Note:
    """A `Note` from a `care_notes` row joined with its practitioner's `name`."""
    return Note(
        row.id, row.client_id, row.name, row.text, row.created_at, row.in_plan_at is not None
    )
