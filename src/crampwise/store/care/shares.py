"""Consent records: the shares clients grant, change and revoke, and the gate's read of
the share in force (`share_for`, fresh from the database on every call, so a revocation
stops the very next request). Every grant, change and revocation writes its audit row in
the same transaction."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from crampwise.care.consent import WORDING_VERSION, Share, parse_scopes
from crampwise.errors import NotFoundError
from crampwise.store.auth import utcnow
from crampwise.store.care.audit import Audit, Person, write_audit
from crampwise.store.care.base import CareBase
from crampwise.store.care.tables import care_shares
from crampwise.store.tables import users


def scope_text(scopes: Iterable[str], ends_on: date | None) -> str:
    """The audit detail of a consent: scopes and end date, nothing else."""
    text = "scopes=" + ",".join(sorted(scopes))
    return text + (f"; ends_on={ends_on.isoformat()}" if ends_on else "")


def _share_query() -> sa.Select[Any]:
    client = users.alias("client")
    practitioner = users.alias("practitioner")
    return (
        sa.select(
            care_shares,
            client.c.name.label("client_name"),
            practitioner.c.name.label("practitioner_name"),
        )
        .join(client, client.c.id == care_shares.c.client_id)
        .join(practitioner, practitioner.c.id == care_shares.c.practitioner_id)
    )


def _share(row: Any) -> Share:
    return Share(
        id=row.id,
        client_id=row.client_id,
        client_name=row.client_name,
        practitioner_id=row.practitioner_id,
        practitioner_name=row.practitioner_name,
        scopes=frozenset(row.scopes),
        consented_at=row.consented_at,
        wording_version=row.wording_version,
        ends_on=row.ends_on,
        revoked_at=row.revoked_at,
    )


class ShareRecords(CareBase):
    """The shares between clients and practitioners."""

    def _grant(
        self,
        conn: sa.Connection,
        client_id: int,
        practitioner_id: int,
        scopes: Iterable[str],
        ends_on: date | None,
        consented_at: datetime,
    ) -> int:
        # One live share per pair: a new grant replaces the old one (which stays on record).
        now = utcnow()
        conn.execute(
            care_shares.update()
            .where(
                care_shares.c.client_id == client_id,
                care_shares.c.practitioner_id == practitioner_id,
                care_shares.c.revoked_at.is_(None),
            )
            .values(revoked_at=now)
        )
        new_id: int = conn.execute(
            care_shares.insert()
            .values(
                client_id=client_id,
                practitioner_id=practitioner_id,
                scopes=sorted(scopes),
                ends_on=ends_on,
                consented_at=consented_at,
                wording_version=WORDING_VERSION,
                created_at=now,
            )
            .returning(care_shares.c.id)
        ).scalar_one()
        return new_id

    def change_share(
        self,
        client: Person,
        share_id: int,
        scopes: Iterable[str],
        ends_on: date | None,
        address: str | None = None,
    ) -> Share:
        """The client changes what a live share covers (new consent, current wording)."""
        chosen = parse_scopes(scopes)
        with self.engine.begin() as conn:
            old = self._client_share(conn, client.id, share_id)
            conn.execute(
                care_shares.update()
                .where(care_shares.c.id == old.id)
                .values(
                    scopes=sorted(chosen),
                    ends_on=ends_on,
                    consented_at=utcnow(),
                    wording_version=WORDING_VERSION,
                )
            )
            who = Person(old.practitioner_id, old.practitioner_name)
            detail = scope_text(chosen, ends_on)
            write_audit(conn, Audit("share_change", "success", client, who, address, detail))
            return self._get_share(conn, old.id)

    def revoke_share(self, client: Person, share_id: int, address: str | None = None) -> None:
        """End a share now; the practitioner's next request is refused."""
        with self.engine.begin() as conn:
            old = self._client_share(conn, client.id, share_id)
            conn.execute(
                care_shares.update().where(care_shares.c.id == old.id).values(revoked_at=utcnow())
            )
            who = Person(old.practitioner_id, old.practitioner_name)
            write_audit(conn, Audit("share_revoke", "success", client, who, address))

    def _client_share(self, conn: sa.Connection, client_id: int, share_id: int) -> Share:
        row = conn.execute(
            _share_query().where(
                care_shares.c.id == share_id,
                care_shares.c.client_id == client_id,
                care_shares.c.revoked_at.is_(None),
            )
        ).first()
        if row is None:
            raise NotFoundError(f"no share {share_id}")
        return _share(row)

    def _get_share(self, conn: sa.Connection, share_id: int) -> Share:
        return _share(conn.execute(_share_query().where(care_shares.c.id == share_id)).one())

    def shares_of_client(self, client_id: int) -> list[Share]:
        """The client's shares, live ones first, newest first (revoked ones stay listed)."""
        query = _share_query().where(care_shares.c.client_id == client_id)
        with self._read() as conn:
            shares = [_share(r) for r in conn.execute(query.order_by(care_shares.c.id.desc()))]
        return sorted(shares, key=lambda s: s.revoked_at is not None)

    def clients_of(self, practitioner_id: int, today: date) -> list[Share]:
        """The practitioner's clients with a share in force today, by client name."""
        query = _share_query().where(
            care_shares.c.practitioner_id == practitioner_id, care_shares.c.revoked_at.is_(None)
        )
        with self._read() as conn:
            if not self._is_practitioner(conn, practitioner_id):
                return []
            shares = [_share(r) for r in conn.execute(query)]
        return sorted((s for s in shares if s.active(today)), key=lambda s: s.client_name)

    def share_for(self, practitioner_id: int, client_id: int, today: date) -> Share | None:
        """The gate: the share in force between them today, read fresh, else None."""
        query = _share_query().where(
            care_shares.c.practitioner_id == practitioner_id,
            care_shares.c.client_id == client_id,
            care_shares.c.revoked_at.is_(None),
        )
        with self._read() as conn:
            if not self._is_practitioner(conn, practitioner_id):
                return None
            row = conn.execute(query).first()
        share = _share(row) if row else None
        return share if share and share.active(today) else None
