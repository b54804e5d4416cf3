"""Invitations can carry the practitioner role: `invitations.profession` (NULL = an ordinary
account, as before). Joining with such a link makes the new account a practitioner in the
same transaction, so a therapist never meets a page that is not theirs yet.

Revision ID: 0008_invitation_role
Revises: 0007_unlogged_cramps
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_invitation_role"
down_revision = "0007_unlogged_cramps"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("invitations", sa.Column("profession", sa.String(32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("invitations") as batch:
        batch.drop_column("profession")
