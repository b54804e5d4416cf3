"""State several web processes share: per-user data generations and sign-in failure counts.

`data_generations` holds one number per user, bumped by database triggers in the same
transaction as any write to that user's diary (episodes, day values, custom factors and
values, medicines, experiments, assessments, care-team notes) or to the users row itself.
A process keeping a rendered page for a user checks the number (one primary-key read)
instead of waiting for the copy to expire, and no Python write path has to remember it.
There is no foreign key: the cascade that deletes a user fires these triggers while the
user row is going away. PostgreSQL bumps once per statement (transition tables), so a
bulk import costs one upsert per statement; SQLite has row triggers only.

`signin_failures` counts failed sign-ins per limiter key (account, device, address) in a
window, shared by every process (`crampwise.store.auth.AuthStore.count_signin_failure`).

Revision ID: 0005_shared_web_state
Revises: 0004_token_expiry
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_shared_web_state"
down_revision = "0004_token_expiry"
branch_labels = None
depends_on = None

# table -> the column naming the user whose data a row belongs to
DIARY_TABLES = {
    "episodes": "user_id",
    "day_logs": "user_id",
    "custom_factors": "user_id",
    "custom_values": "user_id",
    "medicines": "user_id",
    "experiments": "user_id",
    "assessments": "user_id",
    "care_notes": "client_id",
    "users": "id",
}
EVENTS = {"INSERT": "NEW", "UPDATE": "NEW", "DELETE": "OLD"}


def _pg_function(column: str) -> str:
    return (
        f"CREATE FUNCTION bump_data_generation_{column}() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN "
        "INSERT INTO data_generations (user_id, generation) "
        f"SELECT DISTINCT {column}, 1 FROM changed "
        "ON CONFLICT (user_id) DO UPDATE SET generation = data_generations.generation + 1; "
        "RETURN NULL; END $$"
    )


def upgrade() -> None:
    op.create_table(
        "data_generations",
        sa.Column("user_id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("generation", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "signin_failures",
        sa.Column("key", sa.String(255), primary_key=True),
        sa.Column("failures", sa.Integer, nullable=False),
        # Seconds since the epoch when the window opened (first failure after a quiet spell).
        sa.Column("window_start", sa.Float, nullable=False),
    )
    if op.get_bind().dialect.name == "postgresql":
        for column in sorted(set(DIARY_TABLES.values())):
            op.execute(_pg_function(column))
        for table, column in DIARY_TABLES.items():
            for event, side in EVENTS.items():
                op.execute(
                    f"CREATE TRIGGER {table}_generation_{event.lower()} AFTER {event} ON {table} "
                    f"REFERENCING {side} TABLE AS changed FOR EACH STATEMENT "
                    f"EXECUTE FUNCTION bump_data_generation_{column}()"
                )
        return
    for table, column in DIARY_TABLES.items():
        for event, side in EVENTS.items():
            op.execute(
                f"CREATE TRIGGER {table}_generation_{event.lower()} AFTER {event} ON {table} "
                "BEGIN INSERT INTO data_generations (user_id, generation) "
                f"VALUES ({side}.{column}, 1) "
                "ON CONFLICT (user_id) DO UPDATE SET generation = generation + 1; END"
            )


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for table in DIARY_TABLES:
        for event in EVENTS:
            name = f"{table}_generation_{event.lower()}"
            op.execute(f"DROP TRIGGER IF EXISTS {name}" + (f" ON {table}" if postgres else ""))
    if postgres:
        for column in sorted(set(DIARY_TABLES.values())):
            op.execute(f"DROP FUNCTION IF EXISTS bump_data_generation_{column}()")
    op.drop_table("signin_failures")
    op.drop_table("data_generations")
