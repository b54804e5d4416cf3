"""Nightly counts stored as counts: `day_logs.unlogged_cramps` and `unlogged_pain`.

Until now a CSV row's `cramps` count became stand-in episodes (origin 'csv') at 03:00 the
next morning, times nobody gave. Now a night holds its episodes plus a count of cramps that
were counted but not logged one by one, with the worst pain among them. Stand-ins made by
earlier imports are turned into that count here (their number, their worst pain) and
deleted, so no invented episode stays in a diary.

Downgrading drops the two columns (the counts are lost; the stand-ins are not made again).

Revision ID: 0007_unlogged_cramps
Revises: 0006_audit_retention
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0007_unlogged_cramps"
down_revision = "0006_audit_retention"
branch_labels = None
depends_on = None

# The tables as of this revision (not crampwise.store.tables, which moves on).
_episodes = sa.table(
    "episodes",
    sa.column("id", sa.Integer),
    sa.column("user_id", sa.Integer),
    sa.column("night", sa.Date),
    sa.column("pain", sa.Integer),
    sa.column("origin", sa.String),
)
_day_logs = sa.table(
    "day_logs",
    sa.column("id", sa.Integer),
    sa.column("user_id", sa.Integer),
    sa.column("date", sa.Date),
    sa.column("sources", sa.JSON),
    sa.column("updated_at", sa.DateTime),
    sa.column("unlogged_cramps", sa.Integer),
    sa.column("unlogged_pain", sa.Integer),
)


def upgrade() -> None:
    with op.batch_alter_table("day_logs") as batch:
        batch.add_column(sa.Column("unlogged_cramps", sa.Integer, nullable=True))
        batch.add_column(sa.Column("unlogged_pain", sa.Integer, nullable=True))
    _stand_ins_to_counts(op.get_bind())


def _stand_ins_to_counts(conn: sa.Connection) -> None:
    nights = conn.execute(
        sa.select(
            _episodes.c.user_id,
            _episodes.c.night,
            sa.func.count(),
            sa.func.max(_episodes.c.pain),
        )
        .where(_episodes.c.origin == "csv")
        .group_by(_episodes.c.user_id, _episodes.c.night)
    ).all()
    now = datetime.now(UTC).replace(tzinfo=None)
    for uid, night, count, pain in nights:
        row = conn.execute(
            sa.select(_day_logs.c.id, _day_logs.c.sources).where(
                _day_logs.c.user_id == uid, _day_logs.c.date == night
            )
        ).first()
        sources = {**(row.sources if row is not None else {}), "unlogged_cramps": "csv"}
        values = {"unlogged_cramps": int(count), "unlogged_pain": pain, "sources": sources}
        if row is None:
            conn.execute(
                sa.insert(_day_logs).values(user_id=uid, date=night, updated_at=now, **values)
            )
        else:
            conn.execute(sa.update(_day_logs).where(_day_logs.c.id == row.id).values(**values))
    conn.execute(sa.delete(_episodes).where(_episodes.c.origin == "csv"))


def downgrade() -> None:
    with op.batch_alter_table("day_logs") as batch:
        batch.drop_column("unlogged_pain")
        batch.drop_column("unlogged_cramps")
