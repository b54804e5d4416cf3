"""Care team fixtures: a store on a fresh database and helpers that make web accounts."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest

from crampwise.diary.model import Episode
from crampwise.store import Store, open_store
from crampwise.store.auth import MEMBER, AuthStore
from crampwise.store.care.audit import Person
from crampwise.store.care.repository import CareStore

_names = itertools.count()

WOKEN_AT = datetime(2026, 11, 20, 2, 30)
TRIAGE = {
    "triage": {
        "level": "urgent",
        "reasons": [{"id": "dvt_signs", "title": "Signs of a blood clot"}],
    }
}


def make_account(store: Store, prefix: str = "user") -> Person:
    """A web account (a users row with a password hash) with a unique name."""
    name = f"{prefix}{next(_names)}"
    account = AuthStore(store.engine).create_account(name, "argon2-hash-stand-in", MEMBER, False)
    return Person(account.id, account.name)


def make_client(store: Store, prefix: str = "client") -> Person:
    """An account with one cramp that woke them and one urgent assessment."""
    person = make_account(store, prefix)
    diary = store.diary(person.name)
    diary.add_episode(Episode(started_at=WOKEN_AT, pain=6, woke=True))
    diary.save_assessment({"symptoms": ["one_leg_swollen"]}, TRIAGE)
    return person


@pytest.fixture
def care_db(database_url: str) -> Iterator[tuple[Store, CareStore]]:
    """A store and its care store on a fresh database (SQLite and PostgreSQL)."""
    store = open_store(database_url)
    yield store, CareStore(store.engine)
    store.close()


def practitioner(store: Store, care: CareStore, owner: Person, kind: str = "doctor") -> Any:
    """A new account marked as a practitioner by `owner`."""
    person = make_account(store, "prac")
    care.mark_practitioner(person.name, kind, by=owner)
    return person
