"""Sample accounts: a separate account full of simulated diary that a person opens to see
every page working, then deletes. It is an account of its own (its rows carry its own user
id), so sample data never mixes with the person's diary; it has no password, so nobody can
sign in to it: only its maker switches to it, from their own session.

Who made which sample is kept in `site_settings` ("sample_of:<maker id>" and
"sample_maker:<sample id>"), so no schema change is needed.
"""

from __future__ import annotations

import sqlalchemy as sa

from crampwise.errors import InputError
from crampwise.store.auth_tables import MEMBER, Account, site_settings, utcnow
from crampwise.store.engine import WRITE_OPTION
from crampwise.store.tables import users

# Web account names never contain "+" (NAME_RE), so a sample's name cannot be anyone's.
SUFFIX = "+sample"


def sample_name(maker: str) -> str:
    return f"{maker}{SUFFIX}"


class SampleAccounts:
    """Create, find and delete the one sample account of each person."""

    def __init__(self, engine: sa.Engine):
        self.engine = engine

    def _read(self) -> sa.Connection:
        return self.engine.connect().execution_options(**{WRITE_OPTION: False})

    def _setting(self, conn: sa.Connection, key: str) -> int | None:
        value = conn.execute(
            sa.select(site_settings.c.value).where(site_settings.c.key == key)
        ).scalar()
        return int(value) if value is not None else None

    def sample_of(self, maker_id: int) -> Account | None:
        # A read (every page asks it, from base.html): never SQLite's write lock.
        with self._read() as conn:
            sample_id = self._setting(conn, f"sample_of:{maker_id}")
            if sample_id is None:
                return None
            row = conn.execute(sa.select(users.c.name).where(users.c.id == sample_id)).first()
        return Account(sample_id, row.name, MEMBER, None) if row else None

    def maker_of(self, sample_id: int) -> int | None:
        """The person who made this sample account; None when it is not a sample."""
        with self._read() as conn:
            return self._setting(conn, f"sample_maker:{sample_id}")

    def create(self, maker: Account) -> Account:
        """The maker's sample account (made now, empty, or the existing one)."""
        existing = self.sample_of(maker.id)
        if existing is not None:
            return existing
        name = sample_name(maker.name)
        with self.engine.begin() as conn:
            if conn.execute(sa.select(users.c.id).where(users.c.name == name)).first():
                raise InputError(f"a diary named {name!r} already exists", field="name")
            new_id = conn.execute(
                users.insert()
                .values(name=name, password_hash=None, role=MEMBER, created_at=utcnow())
                .returning(users.c.id)
            ).scalar_one()
            conn.execute(
                site_settings.insert(),
                [
                    {"key": f"sample_of:{maker.id}", "value": str(new_id)},
                    {"key": f"sample_maker:{new_id}", "value": str(maker.id)},
                ],
            )
        return Account(new_id, name, MEMBER, None)

    def forget(self, maker_id: int, sample_id: int) -> None:
        """Drop the link (the account itself goes with `AuthStore.delete_account`)."""
        keys = [f"sample_of:{maker_id}", f"sample_maker:{sample_id}"]
        with self.engine.begin() as conn:
            conn.execute(site_settings.delete().where(site_settings.c.key.in_(keys)))
