"""The web accounts' tables (sessions, invitations, API tokens, site settings, data
generations, sign-in failures) and the small records read from them.

Secrets never reach the database in the clear: sessions, invitations and personal access
tokens are stored as the SHA-256 of a 256-bit random token, passwords as argon2id hashes.
Tables hang on the shared `tables.metadata`.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from crampwise.store.tables import NEVER_REUSED, id_column, metadata, users

OWNER, MEMBER = "owner", "user"

web_sessions = sa.Table(
    "web_sessions",
    metadata,
    id_column(),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    sa.Column("csrf_token", sa.String(64), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("last_seen", sa.DateTime, nullable=False),
    sa.Column("expires_at", sa.DateTime, nullable=False),
    sa.Index("ix_web_sessions_user", "user_id"),
    **NEVER_REUSED,
)

invitations = sa.Table(
    "invitations",
    metadata,
    id_column(),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column(
        "created_by", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("expires_at", sa.DateTime, nullable=False),
    sa.Column("used_at", sa.DateTime),
    # Set: joining makes the account a practitioner of this profession (migration 0008).
    sa.Column("profession", sa.String(32)),
    **NEVER_REUSED,
)

api_tokens = sa.Table(
    "api_tokens",
    metadata,
    id_column(),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    sa.Column("name", sa.String(64), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("last_used_at", sa.DateTime),
    sa.Column("revoked_at", sa.DateTime),
    sa.Column("expires_at", sa.DateTime),  # NULL: never (tokens made before 0004, or chosen)
    sa.Index("ix_api_tokens_user", "user_id"),
    **NEVER_REUSED,
)


# Instance-wide switches the owner sets on the web (e.g. open_signup = "true").
site_settings = sa.Table(
    "site_settings",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.String(255), nullable=False),
)


# One number per user, bumped by database triggers (migration 0005) whenever that user's
# diary or users row changes: a kept page checks it instead of waiting to expire.
data_generations = sa.Table(
    "data_generations",
    metadata,
    sa.Column("user_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("generation", sa.BigInteger, nullable=False),
)

# SQLite: `access` counts commits that changed sessions, accounts, settings or sharing
# (bumped by triggers, migration 0010), so kept sessions outlive diary writes. PostgreSQL
# has the table but never writes it: its notifications say the same (`store/notify.py`).
change_counts = sa.Table(
    "change_counts",
    metadata,
    sa.Column("name", sa.String(32), primary_key=True),
    sa.Column("n", sa.BigInteger, nullable=False),
)

# Failed sign-ins per limiter key ("account:olive", "device:…", "address:…") in a window that
# opens with the first failure after a quiet spell; shared by every web process.
signin_failures = sa.Table(
    "signin_failures",
    metadata,
    sa.Column("key", sa.String(255), primary_key=True),
    sa.Column("failures", sa.Integer, nullable=False),
    sa.Column("window_start", sa.Float, nullable=False),  # seconds since the epoch
)


# Personal access tokens: how long a new one lasts unless its maker chooses otherwise, and
# the longest choice (ten years; None means never).
TOKEN_DAYS_DEFAULT = 90
TOKEN_DAYS_MAX = 3650


def utcnow() -> datetime:
    """Naive UTC, as every DateTime column in the store holds."""
    return datetime.now(UTC).replace(tzinfo=None)


def hash_token(token: str) -> str:
    """SHA-256 hex of a random token: enough for 256-bit secrets, no salt needed."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    """A fresh 256-bit URL-safe secret."""
    return secrets.token_urlsafe(32)


@dataclass(frozen=True)
class Account:
    """A users row as the web sees it."""

    id: int
    name: str
    role: str
    password_hash: str | None

    @property
    def is_owner(self) -> bool:
        return self.role == OWNER


@dataclass(frozen=True)
class SessionRow:
    """A session as stored: who, its CSRF token and its clock."""

    token_hash: str
    account: Account
    csrf_token: str
    created_at: datetime
    last_seen: datetime
    expires_at: datetime


@dataclass(frozen=True)
class ApiToken:
    """A personal access token's public facts (never the secret)."""

    id: int
    name: str
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None  # None: never

    def expired(self, now: datetime) -> bool:
        return self.expires_at is not None and self.expires_at <= now


# Built once: a session is read whenever the database has changed since it was last read.
SESSION_QUERY = (
    sa.select(web_sessions, users.c.name, users.c.role, users.c.password_hash)
    .join(users, users.c.id == web_sessions.c.user_id)
    .where(web_sessions.c.token_hash == sa.bindparam("token_hash"))
)


def account_of(row: sa.Row[Any]) -> Account:
    return Account(row.id, row.name, row.role, row.password_hash)
