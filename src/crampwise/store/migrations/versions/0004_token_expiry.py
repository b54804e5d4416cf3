"""Personal access tokens get an end: `api_tokens.expires_at` (NULL = never, as before).

Tokens made before this revision keep working until revoked (NULL); new ones default to 90
days, chosen when the token is made.

Revision ID: 0004_token_expiry
Revises: 0003_care_team
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_token_expiry"
down_revision = "0003_care_team"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("api_tokens", sa.Column("expires_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_column("expires_at")
