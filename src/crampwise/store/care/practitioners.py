"""Who is a practitioner, marked (and unmarked) by the server's owner."""

from __future__ import annotations

import sqlalchemy as sa

from crampwise.errors import InputError
from crampwise.store.auth import utcnow
from crampwise.store.care.audit import Audit, Person, write_audit
from crampwise.store.care.base import CareBase
from crampwise.store.care.tables import care_shares, practitioners
from crampwise.store.tables import users


class Practitioners(CareBase):
    """Practitioner accounts and the people behind account ids."""

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
