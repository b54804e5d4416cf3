"""Care team storage: practitioners, shares, invitation codes, requests, notes, audit log.

    care = CareStore(engine)
    care.mark_practitioner(user_id, "physiotherapist", by=owner)   # the server's owner
    code = care.create_invitation(client, {"diary"}, ends_on=None)  # client gives this code
    share = care.redeem_invitation(practitioner, code)              # consent now in force
    care.share_for(practitioner_id, client_id, today)               # the gate: Share | None
    care.change_share(client, share_id, scopes, ends_on); care.revoke_share(client, share_id)
    care.record(Audit("practitioner_read", "success", actor=..., subject=...))

Every grant, change and revocation writes its audit row in the same transaction. The
`share_for` gate reads the database on every call (no cache), so a revocation stops the very
next request. Invitation codes are stored as SHA-256 only; note text never reaches the audit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from crampwise.care.consent import INVITE_DAYS, WORDING_VERSION, Share, parse_note, parse_scopes
from crampwise.errors import InputError, NotFoundError
from crampwise.store.auth import hash_token, utcnow
from crampwise.store.care.audit import Audit, AuditRow, Person, audit_log, write_audit
from crampwise.store.care.tables import (
    Note,
    care_invitations,
    care_notes,
    care_requests,
    care_shares,
    note_from_row,
    practitioners,
)
from crampwise.store.engine import WRITE_OPTION
from crampwise.store.tables import users


@dataclass(frozen=True)
class ShareRequest:
    """A practitioner asking a client to share."""

    id: int
    practitioner: Person
    profession: str
    created_at: datetime


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


class CareStore:
    """Care team queries on one engine; every method names whose data it touches."""

    def __init__(self, engine: sa.Engine):
        self.engine = engine

    def _read(self) -> sa.Connection:
        return self.engine.connect().execution_options(**{WRITE_OPTION: False})

    # -- audit ----------------------------------------------------------------------------
    def record(self, event: Audit) -> None:
        """Append one audit row in its own transaction."""
        with self.engine.begin() as conn:
            write_audit(conn, event)

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

    # -- practitioners --------------------------------------------------------------------
    def person(self, user_id: int) -> Person | None:
        with self._read() as conn:
            name = conn.execute(sa.select(users.c.name).where(users.c.id == user_id)).scalar()
        return Person(user_id, name) if name is not None else None

    def profession(self, user_id: int) -> str | None:
        """The practitioner's profession, or None for anyone who is not a practitioner."""
        query = sa.select(practitioners.c.profession).where(practitioners.c.user_id == user_id)
        with self._read() as conn:
            value: str | None = conn.execute(query).scalar()
        return value

    def practitioners(self) -> list[tuple[Person, str]]:
        """Every practitioner account with its profession, by name."""
        query = (
            sa.select(users.c.id, users.c.name, practitioners.c.profession)
            .join(practitioners, practitioners.c.user_id == users.c.id)
            .order_by(users.c.name)
        )
        with self._read() as conn:
            return [(Person(r.id, r.name), r.profession) for r in conn.execute(query)]

    def mark_practitioner(
        self, name: str, profession: str | None, by: Person, address: str | None = None
    ) -> Person:
        """Mark the account `name` a practitioner (None: unmark). Only the owner calls this."""
        with self.engine.begin() as conn:
            row = conn.execute(
                sa.select(users.c.id, users.c.name).where(
                    users.c.name == name, users.c.password_hash.is_not(None)
                )
            ).first()
            if row is None:
                raise InputError(f"field 'name': no web account named {name!r}", field="name")
            person = Person(row.id, row.name)
            conn.execute(practitioners.delete().where(practitioners.c.user_id == person.id))
            if profession is not None:
                conn.execute(
                    practitioners.insert().values(
                        user_id=person.id, profession=profession, marked_at=utcnow()
                    )
                )
            detail = f"profession={profession}" if profession else "unmarked"
            if profession is None:
                # Clients consented to a practitioner: unmarking ends every live share, so a
                # later re-marking cannot bring old consents back without asking again.
                ended = conn.execute(
                    care_shares.update()
                    .where(
                        care_shares.c.practitioner_id == person.id,
                        care_shares.c.revoked_at.is_(None),
                    )
                    .values(revoked_at=utcnow())
                ).rowcount
                detail += f"; {ended} share{'' if ended == 1 else 's'} ended"
            write_audit(conn, Audit("practitioner_mark", "success", by, person, address, detail))
        return person

    # -- consent --------------------------------------------------------------------------
    def create_invitation(
        self,
        client: Person,
        scopes: Iterable[str],
        ends_on: date | None,
        address: str | None = None,
        code: str | None = None,
    ) -> str:
        """A one-use code (valid INVITE_DAYS) the client gives a practitioner."""
        import secrets

        chosen = parse_scopes(scopes)
        code = code or secrets.token_urlsafe(12)
        now = utcnow()
        with self.engine.begin() as conn:
            conn.execute(
                care_invitations.insert().values(
                    code_hash=hash_token(code),
                    client_id=client.id,
                    scopes=sorted(chosen),
                    ends_on=ends_on,
                    wording_version=WORDING_VERSION,
                    created_at=now,
                    expires_at=now + timedelta(days=INVITE_DAYS),
                )
            )
            detail = scope_text(chosen, ends_on)
            write_audit(conn, Audit("invite_create", "success", client, client, address, detail))
        return code

    def redeem_invitation(
        self, practitioner: Person, code: str, address: str | None = None
    ) -> Share:
        """Spend a client's code: the share it describes comes into force (consent as given)."""
        now = utcnow()
        with self.engine.begin() as conn:
            if not self._is_practitioner(conn, practitioner.id):
                raise NotFoundError("not a practitioner")
            row = conn.execute(
                sa.select(care_invitations).where(
                    care_invitations.c.code_hash == hash_token(code.strip()),
                    care_invitations.c.used_at.is_(None),
                    care_invitations.c.expires_at > now,
                )
            ).first()
            valid = row is not None and row.client_id != practitioner.id
            if valid:
                share = self._redeem(conn, practitioner, row, now, address)
        if not valid:
            # Outside the (empty) transaction above, so the failed try stays on record.
            self.record(Audit("share_grant", "failure", practitioner, None, address, "via=code"))
            raise InputError("field 'code': this code is not valid", field="code")
        return share

    def _redeem(
        self,
        conn: sa.Connection,
        practitioner: Person,
        row: Any,
        now: datetime,
        address: str | None,
    ) -> Share:
        conn.execute(
            care_invitations.update().where(care_invitations.c.id == row.id).values(used_at=now)
        )
        share_id = self._grant(
            conn, row.client_id, practitioner.id, row.scopes, row.ends_on, row.created_at
        )
        share = self._get_share(conn, share_id)
        detail = scope_text(share.scopes, share.ends_on) + "; via=code"
        write_audit(
            conn,
            Audit(
                "share_grant",
                "success",
                Person(share.client_id, share.client_name),
                practitioner,
                address,
                detail,
            ),
        )
        return share

    def request_share(self, practitioner: Person, client_name: str) -> None:
        """Ask `client_name` to share; silently nothing when no such account (no probing)."""
        with self.engine.begin() as conn:
            if not self._is_practitioner(conn, practitioner.id):
                raise NotFoundError("not a practitioner")
            client_id = conn.execute(
                sa.select(users.c.id).where(
                    users.c.name == client_name.strip(), users.c.password_hash.is_not(None)
                )
            ).scalar()
            if client_id is None or client_id == practitioner.id:
                return
            conn.execute(
                care_requests.insert().values(
                    practitioner_id=practitioner.id, client_id=client_id, created_at=utcnow()
                )
            )

    def pending_requests(self, client_id: int) -> list[ShareRequest]:
        query = (
            sa.select(care_requests, users.c.name, practitioners.c.profession)
            .join(users, users.c.id == care_requests.c.practitioner_id)
            .join(practitioners, practitioners.c.user_id == users.c.id)
            .where(care_requests.c.client_id == client_id, care_requests.c.answered_at.is_(None))
            .order_by(care_requests.c.id)
        )
        with self._read() as conn:
            return [
                ShareRequest(r.id, Person(r.practitioner_id, r.name), r.profession, r.created_at)
                for r in conn.execute(query)
            ]

    def answer_request(
        self,
        client: Person,
        request_id: int,
        scopes: Iterable[str] | None,
        ends_on: date | None = None,
        address: str | None = None,
    ) -> Share | None:
        """Accept (with scopes) or decline (scopes None) a request made to this client."""
        chosen = parse_scopes(scopes) if scopes is not None else None
        now = utcnow()
        with self.engine.begin() as conn:
            row = conn.execute(
                sa.select(care_requests).where(
                    care_requests.c.id == request_id,
                    care_requests.c.client_id == client.id,
                    care_requests.c.answered_at.is_(None),
                )
            ).first()
            if row is None or not self._is_practitioner(conn, row.practitioner_id):
                raise NotFoundError(f"no request {request_id}")
            conn.execute(
                care_requests.update().where(care_requests.c.id == row.id).values(answered_at=now)
            )
            if chosen is None:
                return None
            share_id = self._grant(conn, client.id, row.practitioner_id, chosen, ends_on, now)
            share = self._get_share(conn, share_id)
            who = Person(share.practitioner_id, share.practitioner_name)
            detail = scope_text(chosen, ends_on) + "; via=request"
            write_audit(conn, Audit("share_grant", "success", client, who, address, detail))
        return share

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

    def _is_practitioner(self, conn: sa.Connection, user_id: int) -> bool:
        query = sa.select(practitioners.c.user_id).where(practitioners.c.user_id == user_id)
        return conn.execute(query).first() is not None

    # -- who shares with whom -------------------------------------------------------------
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

    # -- notes ----------------------------------------------------------------------------
    def add_note(
        self,
        practitioner: Person,
        client_id: int,
        text: str,
        today: date,
        address: str | None = None,
    ) -> Note:
        """A practitioner's note to a client they hold a live share with (else NotFoundError)."""
        if self.share_for(practitioner.id, client_id, today) is None:
            raise NotFoundError(f"no client {client_id}")
        body = parse_note(text)
        now = utcnow()
        with self.engine.begin() as conn:
            note_id = conn.execute(
                care_notes.insert()
                .values(
                    client_id=client_id, practitioner_id=practitioner.id, text=body, created_at=now
                )
                .returning(care_notes.c.id)
            ).scalar_one()
            subject = Person(client_id, conn.execute(
                sa.select(users.c.name).where(users.c.id == client_id)
            ).scalar_one())  # fmt: skip
            write_audit(conn, Audit("note_add", "success", practitioner, subject, address))
        return Note(note_id, client_id, practitioner.name, body, now, False)

    def notes_for(self, client_id: int, practitioner_id: int | None = None) -> list[Note]:
        """Notes to a client (optionally from one practitioner), newest first."""
        query = (
            sa.select(care_notes, users.c.name)
            .join(users, users.c.id == care_notes.c.practitioner_id)
            .where(care_notes.c.client_id == client_id)
            .order_by(care_notes.c.id.desc())
        )
        if practitioner_id is not None:
            query = query.where(care_notes.c.practitioner_id == practitioner_id)
        with self._read() as conn:
            return [note_from_row(r) for r in conn.execute(query)]

    def add_note_to_plan(self, client_id: int, note_id: int) -> None:
        """The client keeps a note in their plan (NotFoundError if it is not theirs)."""
        with self.engine.begin() as conn:
            done = conn.execute(
                care_notes.update()
                .where(care_notes.c.id == note_id, care_notes.c.client_id == client_id)
                .values(in_plan_at=utcnow())
            )
            if done.rowcount != 1:
                raise NotFoundError(f"no note {note_id}")
