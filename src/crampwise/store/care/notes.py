"""Practitioners' notes to their clients (the text never reaches the audit trail)."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from crampwise.care.consent import parse_note
from crampwise.errors import NotFoundError
from crampwise.store.auth import utcnow
from crampwise.store.care.audit import Audit, Person, write_audit
from crampwise.store.care.shares import ShareRecords
from crampwise.store.care.tables import Note, care_notes, note_from_row
from crampwise.store.tables import users


class Notes(ShareRecords):
    """Notes, written only over a live share."""

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
