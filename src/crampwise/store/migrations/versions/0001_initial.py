"""Initial schema: users, episodes, day logs, custom factors, medicines, experiments.

Revision ID: 0001_initial
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_initial"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=128), nullable=True),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column("role", sa.String(length=16), server_default="user", nullable=False),
        sa.Column("units", sa.String(length=8), server_default="metric", nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("name", name=op.f("uq_users_name")),
    )
    op.create_table(
        "assessments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("situation", sa.JSON(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_assessments_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessments")),
    )
    op.create_index("ix_assessments_user", "assessments", ["user_id"], unique=False)
    op.create_table(
        "custom_factors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("unit", sa.String(length=32), nullable=True),
        sa.Column("choices", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_custom_factors_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_custom_factors")),
        sa.UniqueConstraint("user_id", "name", name="uq_custom_factors_user_name"),
    )
    op.create_table(
        "day_logs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("exercise_min", sa.Float(), nullable=True),
        sa.Column("exercise_intensity", sa.String(length=32), nullable=True),
        sa.Column("fluids_l", sa.Float(), nullable=True),
        sa.Column("heavy_sweating", sa.Boolean(), nullable=True),
        sa.Column("bedroom_temp_c", sa.Float(), nullable=True),
        sa.Column("legs_cold", sa.Boolean(), nullable=True),
        sa.Column("sleep_position", sa.String(length=32), nullable=True),
        sa.Column("calcium_mg", sa.Float(), nullable=True),
        sa.Column("vitamin_d", sa.Boolean(), nullable=True),
        sa.Column("alcohol_units", sa.Float(), nullable=True),
        sa.Column("hours_sitting", sa.Float(), nullable=True),
        sa.Column("hours_standing", sa.Float(), nullable=True),
        sa.Column("stretched", sa.Boolean(), nullable=True),
        sa.Column("footbath", sa.Boolean(), nullable=True),
        sa.Column("massage", sa.Boolean(), nullable=True),
        sa.Column("steps", sa.Float(), nullable=True),
        sa.Column("sleep_hours", sa.Float(), nullable=True),
        sa.Column("active_energy_kcal", sa.Float(), nullable=True),
        sa.Column("distance_km", sa.Float(), nullable=True),
        sa.Column("workout_min", sa.Float(), nullable=True),
        sa.Column("magnesium_mg", sa.Float(), nullable=True),
        sa.Column("potassium_mg", sa.Float(), nullable=True),
        sa.Column("sodium_mg", sa.Float(), nullable=True),
        sa.Column("sources", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_day_logs_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_day_logs")),
        sa.UniqueConstraint("user_id", "date", name="uq_day_logs_user_date"),
    )
    op.create_table(
        "episodes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("night", sa.Date(), nullable=False),
        sa.Column("muscle", sa.String(length=32), nullable=False),
        sa.Column("side", sa.String(length=8), nullable=True),
        sa.Column("duration_s", sa.Integer(), nullable=True),
        sa.Column("pain", sa.Integer(), nullable=True),
        sa.Column("woke", sa.Boolean(), nullable=True),
        sa.Column("helped", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("origin", sa.String(length=16), server_default="manual", nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_episodes_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_episodes")),
        sa.UniqueConstraint("user_id", "client_id", name="uq_episodes_user_client"),
    )
    op.create_index("ix_episodes_user_night", "episodes", ["user_id", "night"], unique=False)
    op.create_table(
        "experiments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("intervention", sa.String(length=64), nullable=False),
        sa.Column("factor", sa.String(length=64), nullable=True),
        sa.Column("schedule", sa.JSON(), nullable=False),
        sa.Column("washout_days", sa.Integer(), server_default="0", nullable=False),
        sa.Column("status", sa.String(length=16), server_default="active", nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("stopped_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_experiments_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_experiments")),
    )
    op.create_index("ix_experiments_user", "experiments", ["user_id"], unique=False)
    op.create_table(
        "medicines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("started", sa.Date(), nullable=True),
        sa.Column("stopped", sa.Date(), nullable=True),
        sa.Column("source", sa.String(length=16), server_default="manual", nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_medicines_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_medicines")),
    )
    op.create_index("ix_medicines_user", "medicines", ["user_id"], unique=False)
    op.create_table(
        "custom_values",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("factor_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=16), server_default="manual", nullable=False),
        sa.ForeignKeyConstraint(
            ["factor_id"],
            ["custom_factors.id"],
            name=op.f("fk_custom_values_factor_id_custom_factors"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_custom_values_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_custom_values")),
        sa.UniqueConstraint(
            "user_id", "date", "factor_id", name="uq_custom_values_user_date_factor"
        ),
    )


def downgrade() -> None:
    op.drop_table("custom_values")
    op.drop_index("ix_medicines_user", table_name="medicines")
    op.drop_table("medicines")
    op.drop_index("ix_experiments_user", table_name="experiments")
    op.drop_table("experiments")
    op.drop_index("ix_episodes_user_night", table_name="episodes")
    op.drop_table("episodes")
    op.drop_table("day_logs")
    op.drop_table("custom_factors")
    op.drop_index("ix_assessments_user", table_name="assessments")
    op.drop_table("assessments")
    op.drop_table("users")
