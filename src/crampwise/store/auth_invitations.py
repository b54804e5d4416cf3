"""Invitation links the owner sends: one use, an end date, and optionally the practitioner
role, given with the account in the same transaction (part of `AuthStore`)."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from crampwise.care.consent import PROFESSIONS
from crampwise.errors import InputError
from crampwise.store.auth_tables import MEMBER, Account, hash_token, invitations, new_token, utcnow
from crampwise.store.care.tables import practitioners
from crampwise.store.tables import users


class InvitationQueries:
    """Invitation queries; `AuthStore` provides the engine and the read connection."""

    engine: sa.Engine

    def _read(self) -> sa.Connection:
        raise NotImplementedError

    def create_invitation(
        self, created_by: int, lifetime: timedelta, profession: str | None = None
    ) -> str:
        """A one-use link token; with `profession`, joining makes a practitioner account."""
        if profession is not None and profession not in PROFESSIONS:
            allowed = ", ".join(PROFESSIONS)
            raise InputError(f"field 'profession': choose one of {allowed}", field="profession")
        token, now = new_token(), utcnow()
        with self.engine.begin() as conn:
            conn.execute(
                invitations.insert().values(
                    token_hash=hash_token(token),
                    created_by=created_by,
                    created_at=now,
                    expires_at=now + lifetime,
                    profession=profession,
                )
            )
        return token

    def _live(self, token: str) -> sa.ColumnElement[bool]:
        return sa.and_(
            invitations.c.token_hash == hash_token(token),
            invitations.c.used_at.is_(None),
            invitations.c.expires_at > utcnow(),
        )

    def invitation_valid(self, token: str) -> bool:
        return self.invitation_role(token) is not False

    def invitation_role(self, token: str) -> str | bool | None:
        """The profession a live invitation gives (None: an ordinary account); False when
        the invitation is not valid (used, expired or unknown)."""
        query = sa.select(invitations.c.profession).where(self._live(token))
        with self._read() as conn:
            row = conn.execute(query).first()
        return False if row is None else row.profession

    def use_invitation(self, token: str, name: str, password_hash: str) -> Account:
        """Spend an invitation and create its account (a practitioner, when the invitation
        says so) in one transaction."""
        with self.engine.begin() as conn:
            spent = conn.execute(
                invitations.update()
                .where(self._live(token))
                .values(used_at=utcnow())
                .returning(invitations.c.profession)
            ).first()
            if spent is None:
                raise LookupError("this invitation is not valid any more")
            if conn.execute(sa.select(users.c.id).where(users.c.name == name)).first():
                raise ValueError(f"the name '{name}' is taken")
            new_id = conn.execute(
                users.insert()
                .values(name=name, password_hash=password_hash, role=MEMBER, created_at=utcnow())
                .returning(users.c.id)
            ).scalar_one()
            if spent.profession is not None:
                conn.execute(
                    practitioners.insert().values(
                        user_id=new_id, profession=spent.profession, marked_at=utcnow()
                    )
                )
            return Account(new_id, name, MEMBER, password_hash)
