"""Care team: practitioners, shares (consent), invitations, requests, notes, the audit log.

The audit log is append-only in the database itself: a trigger aborts any UPDATE or DELETE
(SQLite `RAISE(ABORT)`, PostgreSQL a trigger function that raises, also on TRUNCATE). The
app connects as the table owner, so grants alone could not stop it; a deployment that runs
the app under its own role should also `REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM
<app role>` (see docs/care-team.md). The audit log has no foreign keys on purpose: deleting
an account must leave its trail in place.

Revision ID: 0003_care_team
Revises: 0002_web_auth
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_care_team"
down_revision = "0002_web_auth"
branch_labels = None
depends_on = None

APPEND_ONLY = "audit_log is append-only"


def _user_fk(column: str, table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], ["users.id"], name=op.f(f"fk_{table}_{column}_users"), ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "practitioners",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("profession", sa.String(length=32), nullable=False),
        sa.Column("marked_at", sa.DateTime(), nullable=False),
        _user_fk("user_id", "practitioners"),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_practitioners")),
    )
    op.create_table(
        "care_shares",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("practitioner_id", sa.Integer(), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("consented_at", sa.DateTime(), nullable=False),
        sa.Column("wording_version", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        _user_fk("client_id", "care_shares"),
        _user_fk("practitioner_id", "care_shares"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_shares")),
    )
    op.create_index("ix_care_shares_client", "care_shares", ["client_id"], unique=False)
    op.create_index("ix_care_shares_practitioner", "care_shares", ["practitioner_id"], unique=False)
    op.create_table(
        "care_invitations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("wording_version", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        _user_fk("client_id", "care_invitations"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_invitations")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_care_invitations_code_hash")),
    )
    op.create_table(
        "care_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("practitioner_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("answered_at", sa.DateTime(), nullable=True),
        _user_fk("practitioner_id", "care_requests"),
        _user_fk("client_id", "care_requests"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_requests")),
    )
    op.create_index("ix_care_requests_client", "care_requests", ["client_id"], unique=False)
    op.create_table(
        "care_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("practitioner_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("in_plan_at", sa.DateTime(), nullable=True),
        _user_fk("client_id", "care_notes"),
        _user_fk("practitioner_id", "care_notes"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_notes")),
    )
    op.create_index("ix_care_notes_client", "care_notes", ["client_id"], unique=False)
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_name", sa.String(length=64), nullable=True),
        sa.Column("subject_id", sa.Integer(), nullable=True),
        sa.Column("subject_name", sa.String(length=64), nullable=True),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=True),
        sa.Column("detail", sa.String(length=255), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index("ix_audit_log_subject", "audit_log", ["subject_id", "at"], unique=False)
    op.create_index("ix_audit_log_actor", "audit_log", ["actor_id", "at"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN RAISE EXCEPTION '{APPEND_ONLY}'; END $$"
        )
        op.execute(
            "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
            "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()"
        )
        op.execute(
            "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()"
        )
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_log_no_{event.lower()} BEFORE {event} ON audit_log "
                f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"
            )


def downgrade() -> None:
    # Dropping the table drops its triggers on both databases; the function goes after.
    op.drop_index("ix_audit_log_actor", table_name="audit_log")
    op.drop_index("ix_audit_log_subject", table_name="audit_log")
    op.drop_table("audit_log")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS audit_log_append_only()")
    op.drop_index("ix_care_notes_client", table_name="care_notes")
    op.drop_table("care_notes")
    op.drop_index("ix_care_requests_client", table_name="care_requests")
    op.drop_table("care_requests")
    op.drop_table("care_invitations")
    op.drop_index("ix_care_shares_practitioner", table_name="care_shares")
    op.drop_index("ix_care_shares_client", table_name="care_shares")
    op.drop_table("care_shares")
    op.drop_table("practitioners")
