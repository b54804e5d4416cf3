"""Reading the audit trail: the owner's search, and a client's list of who read their data."""

from __future__ import annotations

import sqlalchemy as sa

from crampwise.store.care.audit import AuditRow, audit_log
from crampwise.store.care.base import CareBase
from crampwise.store.tables import users


class AuditReads(CareBase):
    """Audit rows, newest first."""

    def audit_rows(
        self,
        *,
        subject_id: int | None = None,
        action: str | None = None,
        outcome: str | None = None,
        person: str | None = None,
        before: int | None = None,
        limit: int = 500,
    ) -> list[AuditRow]:
        """Audit rows, newest first, optionally about one subject, of one action or outcome,
        with `person` as actor or subject (by name, any case), older than row `before`."""
        query = sa.select(audit_log).order_by(audit_log.c.id.desc()).limit(limit)
        if person is not None:
            name = person.lower()
            query = query.where(
                sa.or_(
                    sa.func.lower(audit_log.c.actor_name) == name,
                    sa.func.lower(audit_log.c.subject_name) == name,
                )
            )
        if before is not None:
            query = query.where(audit_log.c.id < before)
        if outcome is not None:
            query = query.where(audit_log.c.outcome == outcome)
        if subject_id is not None:
            query = query.where(audit_log.c.subject_id == subject_id)
        if action is not None:
            query = query.where(audit_log.c.action == action)
        with self._read() as conn:
            return [AuditRow(**row._mapping) for row in conn.execute(query)]

    def views_of(self, client_id: int, limit: int = 200) -> list[AuditRow]:
        """Who read this client's data and when (successful practitioner reads), newest first.

        Only rows since the account was created: SQLite may give a deleted account's id to
        the next new account, and that account must never see the deleted one's trail.
        """
        since = sa.select(users.c.created_at).where(users.c.id == client_id).scalar_subquery()
        query = (
            sa.select(audit_log)
            .where(
                audit_log.c.subject_id == client_id,
                audit_log.c.action == "practitioner_read",
                audit_log.c.outcome == "success",
                audit_log.c.at >= since,
            )
            .order_by(audit_log.c.id.desc())
            .limit(limit)
        )
        with self._read() as conn:
            return [AuditRow(**row._mapping) for row in conn.execute(query)]
