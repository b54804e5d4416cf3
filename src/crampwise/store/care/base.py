"""What every part of the care store shares: the engine, read connections, the audit
append, and whether an account is a practitioner."""

from __future__ import annotations

import sqlalchemy as sa

from crampwise.store.care.audit import Audit, write_audit
from crampwise.store.care.tables import practitioners
from crampwise.store.engine import WRITE_OPTION


class CareBase:
    """Care team queries on one engine; every method names whose data it touches."""

    def __init__(self, engine: sa.Engine):
        self.engine = engine

    def _read(self) -> sa.Connection:
        return self.engine.connect().execution_options(**{WRITE_OPTION: False})

    def record(self, event: Audit) -> None:
        """Append one audit row in its own transaction."""
        with self.engine.begin() as conn:
            write_audit(conn, event)

    def _is_practitioner(self, conn: sa.Connection, user_id: int) -> bool:
        query = sa.select(practitioners.c.user_id).where(practitioners.c.user_id == user_id)
        return conn.execute(query).first() is not None
