"""What kept copies are checked against: change notifications on PostgreSQL, an access
count on SQLite.

PostgreSQL tells every web process what changed: NOTIFY on commit (`store/notify.py`).

Two kinds of notification on channel `crampwise_changes`, sent by triggers in the same
transaction as the change, so they are delivered only if it commits:

* `a`: a statement changed a table that decides who may do what or that every page shows
  besides the diary (ACCESS_TABLES below);
* the user id: that person's data generation moved (`data_generations`, bumped by the 0005
  triggers with every write to their diary, care notes or users row).

PostgreSQL folds identical notifications of one transaction into one, so a bulk import
sends one per user.

SQLite has no notifications, but `PRAGMA data_version` tells a process cheaply that
*something* committed; kept sessions and settings checked against it were read again after
every cramp anyone logged. So the same access tables bump one row, `change_counts.access`,
in the writing transaction; a process reads it on its own connection (a few microseconds,
`store.engine.ChangeCounter.access`) and keeps sessions while it holds still.

The audit trail and the sign-in failure counts move nothing: no process keeps anything read
from them.

Revision ID: 0010_change_notifications
Revises: 0009_ids_never_reused
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_change_notifications"
down_revision = "0009_ids_never_reused"
branch_labels = None
depends_on = None

CHANNEL = "crampwise_changes"  # frozen here; `crampwise.store.notify.CHANNEL` must match
# A session's clock (`last_seen`, touched about once a minute by every active session)
# decides nothing another process keeps: updating it alone notifies nothing. The other
# columns of `web_sessions`, and every column of the other tables, do.
UPDATES_THAT_NOTIFY = {
    "web_sessions": ("token_hash", "user_id", "csrf_token", "created_at", "expires_at")
}
ACCESS_TABLES = (
    "web_sessions",
    "users",
    "invitations",
    "api_tokens",
    "site_settings",
    "practitioners",
    "care_shares",
    "care_invitations",
    "care_requests",
)


def upgrade() -> None:
    # On both backends, so the schema is one; only SQLite's triggers write it.
    op.create_table(
        "change_counts",
        sa.Column("name", sa.String(32), primary_key=True),
        sa.Column("n", sa.BigInteger, nullable=False),
    )
    op.execute("INSERT INTO change_counts (name, n) VALUES ('access', 0)")
    if op.get_bind().dialect.name != "postgresql":
        _sqlite_upgrade()
        return
    op.execute(
        "CREATE FUNCTION crampwise_notify_access() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN PERFORM pg_notify('{CHANNEL}', 'a'); RETURN NULL; END $$"
    )
    op.execute(
        "CREATE FUNCTION crampwise_notify_user() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN PERFORM pg_notify('{CHANNEL}', NEW.user_id::text); RETURN NULL; END $$"
    )
    for table in ACCESS_TABLES:
        op.execute(
            f"CREATE TRIGGER {table}_notify AFTER INSERT OR {_update(table)} OR DELETE "
            f"OR TRUNCATE ON {table} FOR EACH STATEMENT EXECUTE FUNCTION crampwise_notify_access()"
        )
    op.execute(
        "CREATE TRIGGER data_generations_notify AFTER INSERT OR UPDATE ON data_generations "
        "FOR EACH ROW EXECUTE FUNCTION crampwise_notify_user()"
    )


def _sqlite_upgrade() -> None:
    for table in ACCESS_TABLES:
        for name, event in (("insert", "INSERT"), ("update", _update(table)), ("delete", "DELETE")):
            op.execute(
                f"CREATE TRIGGER {table}_access_{name} AFTER {event} ON {table} "
                "BEGIN UPDATE change_counts SET n = n + 1 WHERE name = 'access'; END"
            )


def _update(table: str) -> str:
    """The UPDATE event that notifies: of any column, or only of the columns listed."""
    columns = UPDATES_THAT_NOTIFY.get(table)
    return "UPDATE OF " + ", ".join(columns) if columns else "UPDATE"


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        for table in ACCESS_TABLES:
            for event in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_access_{event}")
        op.drop_table("change_counts")
        return
    op.drop_table("change_counts")
    op.execute("DROP TRIGGER IF EXISTS data_generations_notify ON data_generations")
    for table in ACCESS_TABLES:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_notify ON {table}")
    op.execute("DROP FUNCTION IF EXISTS crampwise_notify_user()")
    op.execute("DROP FUNCTION IF EXISTS crampwise_notify_access()")
