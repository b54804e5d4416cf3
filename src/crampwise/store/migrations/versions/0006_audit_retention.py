"""Audit retention: rows older than 90 days may be deleted, never younger ones.

0003 refused every UPDATE and DELETE on `audit_log`. The owner may now keep the trail for a
set time (`CRAMPWISE_WEB_AUDIT_RETENTION_DAYS`), so the triggers let a DELETE through for a
row whose `at` is more than 90 days old (`RETENTION_FLOOR_DAYS` in
`crampwise.store.care.audit`), and only then: the last 90 days stay untouchable by the
application, UPDATE and TRUNCATE stay refused. PostgreSQL also gets
`prune_audit_log(keep_days)`, SECURITY DEFINER, so an app role without DELETE on the table
(see docs/care-team.md) can apply the retention and nothing else.

Revision ID: 0006_audit_retention
Revises: 0005_shared_web_state
"""

from __future__ import annotations

from alembic import op

revision = "0006_audit_retention"
down_revision = "0005_shared_web_state"
branch_labels = None
depends_on = None

APPEND_ONLY = "audit_log is append-only"
FLOOR_DAYS = 90  # crampwise.store.care.audit.RETENTION_FLOOR_DAYS, frozen as of this revision

_PG_GUARD = f"""
CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.at < (now() AT TIME ZONE 'UTC') - interval '{FLOOR_DAYS} days' THEN
            RETURN OLD;
        END IF;
    END IF;
    RAISE EXCEPTION '{APPEND_ONLY}';
END $$
"""

_PG_PRUNE = f"""
CREATE FUNCTION prune_audit_log(keep_days integer) RETURNS bigint LANGUAGE plpgsql
SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
    gone bigint;
BEGIN
    DELETE FROM audit_log
    WHERE at < (now() AT TIME ZONE 'UTC')
        - make_interval(days => greatest(keep_days, {FLOOR_DAYS}));
    GET DIAGNOSTICS gone = ROW_COUNT;
    RETURN gone;
END $$
"""

_PG_ORIGINAL = (
    "CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
    f"BEGIN RAISE EXCEPTION '{APPEND_ONLY}'; END $$"
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_GUARD)
        op.execute(_PG_PRUNE)
        return
    # SQLite stores `at` as 'YYYY-MM-DD HH:MM:SS.ffffff' (UTC), which compares as text with
    # datetime('now', ...) ('YYYY-MM-DD HH:MM:SS', UTC).
    op.execute("DROP TRIGGER audit_log_no_delete")
    op.execute(
        "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
        f"WHEN old.at >= datetime('now', '-{FLOOR_DAYS} days') "
        f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS prune_audit_log(integer)")
        op.execute(_PG_ORIGINAL)
        return
    op.execute("DROP TRIGGER audit_log_no_delete")
    op.execute(
        "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
        f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"
    )
