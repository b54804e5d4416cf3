"""How a share comes about: a one-use code the client gives a practitioner, or a
practitioner's request the client answers. Codes are stored as SHA-256 only."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from crampwise.care.consent import INVITE_DAYS, WORDING_VERSION, Share, parse_scopes
from crampwise.errors import InputError, NotFoundError
from crampwise.store.auth import hash_token, utcnow
from crampwise.store.care.audit import Audit, Person, write_audit
from crampwise.store.care.shares import ShareRecords, scope_text
from crampwise.store.care.tables import care_invitations, care_requests, practitioners
from crampwise.store.tables import users

# Sharing codes are read aloud and typed from paper: no letters or digits that look or sound
# alike (no 0/O, 1/I/L, 5/S, 2/Z), upper case only. 12 symbols of 28 ≈ 57 bits: a one-use code
# that expires within days cannot be guessed online.
CODE_ALPHABET = "ABCDEFGHJKMNPQRTUVWXY3468792"
CODE_GROUPS, CODE_GROUP_LEN = 3, 4


def new_share_code() -> str:
    """A fresh code grouped for reading aloud: "K7QM-4RXD-9TPA"."""
    groups = (
        "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_GROUP_LEN))
        for _ in range(CODE_GROUPS)
    )
    return "-".join(groups)


def normalise_code(typed: str) -> str:
    """A code as typed, any case, with or without dashes or spaces, in its stored form."""
    plain = "".join(ch for ch in typed.upper() if ch not in " -\t\n")
    if len(plain) != CODE_GROUPS * CODE_GROUP_LEN:
        return typed.strip()  # an older code (made before these codes) is kept as it was
    parts = [plain[i : i + CODE_GROUP_LEN] for i in range(0, len(plain), CODE_GROUP_LEN)]
    return "-".join(parts)


@dataclass(frozen=True)
class ShareRequest:
    """A practitioner asking a client to share."""

    id: int
    practitioner: Person
    profession: str
    created_at: datetime


class Invitations(ShareRecords):
    """Invitation codes and share requests."""

    def create_invitation(
        self,
        client: Person,
        scopes: Iterable[str],
        ends_on: date | None,
        address: str | None = None,
        code: str | None = None,
    ) -> str:
        """A one-use code (valid INVITE_DAYS) the client gives a practitioner."""
        chosen = parse_scopes(scopes)
        code = normalise_code(code) if code else new_share_code()
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
                    care_invitations.c.code_hash == hash_token(normalise_code(code)),
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
