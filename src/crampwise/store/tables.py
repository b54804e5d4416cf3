"""The database tables (SQLAlchemy Core), shared by every store module and Alembic.

Other modules that add tables (e.g. `crampwise.store.auth`) attach them to `metadata`
here, so one Alembic history covers them all. `Base` is an ORM declarative base bound to
the same `metadata`, built on first access so the CLI's fast path never imports the ORM.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from crampwise.diary.model import BUILTIN_FACTORS, FactorSpec

# Stable constraint names so migrations can refer to them on SQLite and PostgreSQL alike.
metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

SOURCES = ("manual", "csv", "apple_health", "fhir")


def id_column() -> sa.Column[int]:
    """A generated id never given out twice (migration 0009): an identity on PostgreSQL;
    the table also needs `**NEVER_REUSED` for AUTOINCREMENT on SQLite."""
    return sa.Column("id", sa.Integer, sa.Identity(), primary_key=True)


# Table options: SQLite's plain rowid ids reuse the largest id once its row is deleted.
NEVER_REUSED: dict[str, Any] = {"sqlite_autoincrement": True}


def _user_fk() -> sa.Column[int]:
    return sa.Column(
        "user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False
    )


def _factor_type(spec: FactorSpec) -> Any:
    if spec.kind == "numeric":
        return sa.Float
    if spec.kind == "boolean":
        return sa.Boolean
    return sa.String(32)


users = sa.Table(
    "users",
    metadata,
    id_column(),
    sa.Column("name", sa.String(64), nullable=False, unique=True),
    sa.Column("display_name", sa.String(128)),
    sa.Column("password_hash", sa.String(255)),
    sa.Column("role", sa.String(16), nullable=False, server_default="user"),
    sa.Column("units", sa.String(8), nullable=False, server_default="metric"),
    sa.Column("created_at", sa.DateTime, nullable=False),
    **NEVER_REUSED,
)

episodes = sa.Table(
    "episodes",
    metadata,
    id_column(),
    _user_fk(),
    sa.Column("started_at", sa.DateTime, nullable=False),
    sa.Column("night", sa.Date, nullable=False),
    sa.Column("muscle", sa.String(32), nullable=False),
    sa.Column("side", sa.String(8)),
    sa.Column("duration_s", sa.Integer),
    sa.Column("pain", sa.Integer),
    sa.Column("woke", sa.Boolean),
    sa.Column("helped", sa.JSON, nullable=False),
    sa.Column("note", sa.Text),
    # 'manual' (typed), 'demo', 'apple_health', 'fhir', ... ('csv' stand-ins of old
    # imports became day_logs.unlogged_cramps in migration 0007).
    sa.Column("origin", sa.String(16), nullable=False, server_default="manual"),
    # The web app's offline queue sends its own id so a retried upload is stored once.
    sa.Column("client_id", sa.String(64)),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.UniqueConstraint("user_id", "client_id", name="uq_episodes_user_client"),
    sa.Index("ix_episodes_user_night", "user_id", "night"),
    **NEVER_REUSED,
)

day_logs = sa.Table(
    "day_logs",
    metadata,
    id_column(),
    _user_fk(),
    sa.Column("date", sa.Date, nullable=False),
    *(sa.Column(spec.name, _factor_type(spec)) for spec in BUILTIN_FACTORS),
    # Cramps of that night counted but not logged one by one (a CSV's `cramps` beyond the
    # night's episodes, a morning check-in's "how many"), and the worst pain among them.
    # The night's total is its episodes plus this; never a candidate factor.
    sa.Column("unlogged_cramps", sa.Integer),
    sa.Column("unlogged_pain", sa.Integer),
    # field name -> where its value came from; imports never overwrite a 'manual' value
    # ("unlogged_cramps" included).
    sa.Column("sources", sa.JSON, nullable=False),
    sa.Column("updated_at", sa.DateTime, nullable=False),
    sa.UniqueConstraint("user_id", "date", name="uq_day_logs_user_date"),
    **NEVER_REUSED,
)

custom_factors = sa.Table(
    "custom_factors",
    metadata,
    id_column(),
    _user_fk(),
    sa.Column("name", sa.String(64), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("unit", sa.String(32)),
    sa.Column("choices", sa.JSON, nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.UniqueConstraint("user_id", "name", name="uq_custom_factors_user_name"),
    **NEVER_REUSED,
)

custom_values = sa.Table(
    "custom_values",
    metadata,
    id_column(),
    _user_fk(),
    sa.Column("date", sa.Date, nullable=False),
    sa.Column(
        "factor_id",
        sa.Integer,
        sa.ForeignKey("custom_factors.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("value", sa.Text, nullable=False),
    sa.Column("source", sa.String(16), nullable=False, server_default="manual"),
    sa.UniqueConstraint("user_id", "date", "factor_id", name="uq_custom_values_user_date_factor"),
    **NEVER_REUSED,
)

medicines = sa.Table(
    "medicines",
    metadata,
    id_column(),
    _user_fk(),
    sa.Column("name", sa.String(128), nullable=False),
    sa.Column("started", sa.Date),
    sa.Column("stopped", sa.Date),
    sa.Column("source", sa.String(16), nullable=False, server_default="manual"),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Index("ix_medicines_user", "user_id"),
    **NEVER_REUSED,
)

experiments = sa.Table(
    "experiments",
    metadata,
    id_column(),
    _user_fk(),
    sa.Column("intervention", sa.String(64), nullable=False),
    # The diary column that records whether the intervention was done (e.g. `footbath`).
    sa.Column("factor", sa.String(64)),
    sa.Column("schedule", sa.JSON, nullable=False),
    sa.Column("washout_days", sa.Integer, nullable=False, server_default="0"),
    sa.Column("status", sa.String(16), nullable=False, server_default="active"),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("stopped_at", sa.DateTime),
    sa.Index("ix_experiments_user", "user_id"),
    **NEVER_REUSED,
)

assessments = sa.Table(
    "assessments",
    metadata,
    id_column(),
    _user_fk(),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("situation", sa.JSON, nullable=False),
    sa.Column("result", sa.JSON, nullable=False),
    sa.Index("ix_assessments_user", "user_id"),
    **NEVER_REUSED,
)

_base: Any = None


def __getattr__(name: str) -> Any:
    """`Base`: a declarative ORM base sharing `metadata`, created on first use."""
    global _base
    if name != "Base":
        raise AttributeError(name)
    if _base is None:
        # The ORM costs ~90 ms of a cold `crampwise log cramp`; no command uses it.
        from sqlalchemy.orm import DeclarativeBase

        shared = metadata

        class Base(DeclarativeBase):
            metadata = shared

        _base = Base
    return _base
