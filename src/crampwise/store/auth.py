"""Web accounts: users' passwords and roles, sessions, invitations and API tokens, and the
state every web process shares through the database (site settings, data generations,
sign-in failures). The tables and records live in `crampwise.store.auth_tables`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from crampwise.store.auth_invitations import InvitationQueries
from crampwise.store.auth_tables import (
    MEMBER,
    OWNER,
    SESSION_QUERY,
    TOKEN_DAYS_DEFAULT,
    TOKEN_DAYS_MAX,
    Account,
    ApiToken,
    SessionRow,
    account_of,
    api_tokens,
    data_generations,
    hash_token,
    invitations,
    new_token,
    signin_failures,
    site_settings,
    utcnow,
    web_sessions,
)
from crampwise.store.engine import WRITE_OPTION
from crampwise.store.notify import QUIET
from crampwise.store.tables import users

__all__ = [
    "MEMBER",
    "OWNER",
    "TOKEN_DAYS_DEFAULT",
    "TOKEN_DAYS_MAX",
    "Account",
    "ApiToken",
    "AuthStore",
    "SessionRow",
    "api_tokens",
    "data_generations",
    "hash_token",
    "invitations",
    "new_token",
    "signin_failures",
    "site_settings",
    "utcnow",
    "web_sessions",
]


class AuthStore(InvitationQueries):
    """Account, session, invitation and token queries on one engine."""

    def __init__(self, engine: sa.Engine):
        self.engine = engine

    def _read(self) -> sa.Connection:
        return self.engine.connect().execution_options(**{WRITE_OPTION: False})

    # -- accounts -------------------------------------------------------------------------
    def has_owner(self) -> bool:
        with self._read() as conn:
            query = sa.select(users.c.id).where(users.c.role == OWNER).limit(1)
            return conn.execute(query).first() is not None

    def account_by_name(self, name: str) -> Account | None:
        with self._read() as conn:
            row = conn.execute(sa.select(users).where(users.c.name == name)).first()
        return account_of(row) if row else None

    def account_by_id(self, user_id: int) -> Account | None:
        with self._read() as conn:
            row = conn.execute(sa.select(users).where(users.c.id == user_id)).first()
        return account_of(row) if row else None

    def create_account(self, name: str, password_hash: str, role: str, claim: bool) -> Account:
        """Insert a user (or, with `claim`, give a password to a password-less CLI user)."""
        with self.engine.begin() as conn:
            if role == OWNER:
                # Two first visits at once must not make two owners. SQLite's BEGIN IMMEDIATE
                # already serialises this; PostgreSQL needs a lock for it.
                if conn.dialect.name == "postgresql":
                    conn.exec_driver_sql("SELECT pg_advisory_xact_lock(4242002)")
                owner = sa.select(users.c.id).where(users.c.role == OWNER).limit(1)
                if conn.execute(owner).first() is not None:
                    raise PermissionError("this crampwise already has an owner")
            row = conn.execute(sa.select(users).where(users.c.name == name)).first()
            if row is not None:
                if not claim or row.password_hash is not None:
                    raise ValueError(f"the name '{name}' is taken")
                conn.execute(
                    users.update()
                    .where(users.c.id == row.id)
                    .values(password_hash=password_hash, role=role)
                )
                return Account(row.id, name, role, password_hash)
            values = {"name": name, "password_hash": password_hash, "role": role}
            new_id = conn.execute(
                users.insert().values(created_at=utcnow(), **values).returning(users.c.id)
            ).scalar_one()
            return Account(new_id, name, role, password_hash)

    def set_password(self, user_id: int, password_hash: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                users.update().where(users.c.id == user_id).values(password_hash=password_hash)
            )

    def delete_account(self, user_id: int) -> None:
        """Delete the user row; every diary, session and token row goes with it (CASCADE)."""
        with self.engine.begin() as conn:
            for table in (web_sessions, api_tokens):
                conn.execute(table.delete().where(table.c.user_id == user_id))
            conn.execute(invitations.delete().where(invitations.c.created_by == user_id))
            role = conn.execute(sa.select(users.c.role).where(users.c.id == user_id)).scalar()
            conn.execute(users.delete().where(users.c.id == user_id))
            if role == OWNER:
                # The longest-standing remaining web account inherits the house keys, so
                # /setup never reopens to strangers while accounts remain.
                heir = conn.execute(
                    sa.select(users.c.id)
                    .where(users.c.password_hash.is_not(None))
                    .order_by(users.c.id)
                    .limit(1)
                ).scalar()
                if heir is not None:
                    conn.execute(users.update().where(users.c.id == heir).values(role=OWNER))

    # -- site settings --------------------------------------------------------------------
    def site_setting(self, key: str) -> str | None:
        with self._read() as conn:
            query = sa.select(site_settings.c.value).where(site_settings.c.key == key)
            value: str | None = conn.execute(query).scalar()
            return value

    def set_site_setting(self, key: str, value: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(site_settings.delete().where(site_settings.c.key == key))
            conn.execute(site_settings.insert().values(key=key, value=value))

    def site_setting_or_create(self, key: str, value: str) -> str:
        """The stored value of `key`; when there is none, store `value` first. Two processes
        racing here both end up with the one value that won (never each its own)."""
        with self.engine.begin() as conn:
            conn.execute(
                self._insert(site_settings)
                .values(key=key, value=value)
                .on_conflict_do_nothing(index_elements=["key"])
            )
            query = sa.select(site_settings.c.value).where(site_settings.c.key == key)
            stored: str = conn.execute(query).scalar_one()
        return stored

    def _insert(self, table: sa.Table) -> Any:
        """An INSERT with ON CONFLICT clauses, for this engine's dialect."""
        dialect = postgresql if self.engine.dialect.name == "postgresql" else sqlite
        return dialect.insert(table)

    # -- shared freshness -----------------------------------------------------------------
    def data_generation(self, user_id: int) -> int:
        """The user's data generation (0 before their first write): one primary-key read."""
        query = sa.select(data_generations.c.generation).where(
            data_generations.c.user_id == user_id
        )
        with self._read() as conn:
            return int(conn.execute(query).scalar() or 0)

    # -- sign-in failures -----------------------------------------------------------------
    def signin_failures(self, keys: list[str], since: float) -> dict[str, tuple[int, float]]:
        """(failures, window start) of each key whose window opened after `since`."""
        query = sa.select(signin_failures).where(
            signin_failures.c.key.in_(keys), signin_failures.c.window_start > since
        )
        with self._read() as conn:
            rows = conn.execute(query).all()
        return {row.key: (int(row.failures), float(row.window_start)) for row in rows}

    def count_signin_failure(self, keys: list[str], now: float, since: float) -> None:
        """One more failure for each key, atomically (INSERT … ON CONFLICT DO UPDATE); a key
        whose window opened at or before `since` starts a new window at `now`."""
        table = signin_failures
        with self.engine.begin() as conn:
            for key in sorted(keys):  # one order for every process: no deadlock
                insert = self._insert(table).values(key=key, failures=1, window_start=now)
                stale = table.c.window_start <= since
                conn.execute(
                    insert.on_conflict_do_update(
                        index_elements=["key"],
                        set_={
                            "failures": sa.case((stale, 1), else_=table.c.failures + 1),
                            "window_start": sa.case((stale, now), else_=table.c.window_start),
                        },
                    )
                )

    def take_back_signin_failure(self, keys: list[str]) -> None:
        """One failure fewer for each key (one counted in advance that was not one)."""
        with self.engine.begin() as conn:
            conn.execute(
                signin_failures.update()
                .where(signin_failures.c.key.in_(keys), signin_failures.c.failures > 0)
                .values(failures=signin_failures.c.failures - 1)
            )

    def clear_signin_failures(self, key: str) -> None:
        """Forget a key's failures (a right password)."""
        with self.engine.begin() as conn:
            conn.execute(signin_failures.delete().where(signin_failures.c.key == key))

    def purge_signin_failures(self, before: float) -> None:
        """Drop counts whose window opened at or before `before` (keeps the table small)."""
        with self.engine.begin() as conn:
            conn.execute(signin_failures.delete().where(signin_failures.c.window_start <= before))

    # -- sessions -------------------------------------------------------------------------
    def create_session(self, user_id: int, lifetime: timedelta) -> tuple[str, str]:
        """A new session for the user: (raw token for the cookie, CSRF token)."""
        token, csrf = new_token(), new_token()
        now = utcnow()
        with self.engine.begin() as conn:
            conn.execute(
                web_sessions.insert().values(
                    token_hash=hash_token(token),
                    user_id=user_id,
                    csrf_token=csrf,
                    created_at=now,
                    last_seen=now,
                    expires_at=now + lifetime,
                )
            )
        return token, csrf

    def get_session(self, token_hash: str) -> SessionRow | None:
        """The session and its user (one read)."""
        with self._read() as conn:
            row = conn.execute(SESSION_QUERY, {"token_hash": token_hash}).first()
        if row is None:
            return None
        account = Account(row.user_id, row.name, row.role, row.password_hash)
        return SessionRow(
            row.token_hash,
            account,
            row.csrf_token,
            row.created_at,
            row.last_seen,
            row.expires_at,
        )

    def touch_session(self, token_hash: str, when: datetime) -> None:
        # Quiet: a session's clock alone notifies no process (migration 0010).
        with self.engine.begin() as conn:
            conn.execute(
                web_sessions.update()
                .where(web_sessions.c.token_hash == token_hash)
                .values(last_seen=when)
                .execution_options(**{QUIET: True})
            )

    def delete_session(self, token_hash: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(web_sessions.delete().where(web_sessions.c.token_hash == token_hash))

    def delete_sessions_of(self, user_id: int) -> None:
        with self.engine.begin() as conn:
            conn.execute(web_sessions.delete().where(web_sessions.c.user_id == user_id))

    def purge_expired_sessions(self, idle_before: datetime) -> None:
        now = utcnow()
        with self.engine.begin() as conn:
            conn.execute(
                web_sessions.delete().where(
                    (web_sessions.c.expires_at <= now) | (web_sessions.c.last_seen <= idle_before)
                )
            )

    # -- personal access tokens -----------------------------------------------------------
    def create_api_token(
        self, user_id: int, name: str, valid_days: int | None = TOKEN_DAYS_DEFAULT
    ) -> tuple[ApiToken, str]:
        """A new token for the user, ending after `valid_days` (None: never): (it, secret)."""
        token, now = "cw_" + new_token(), utcnow()
        expires_at = None if valid_days is None else now + timedelta(days=valid_days)
        with self.engine.begin() as conn:
            token_id = conn.execute(
                api_tokens.insert()
                .values(
                    token_hash=hash_token(token),
                    user_id=user_id,
                    name=name,
                    created_at=now,
                    expires_at=expires_at,
                )
                .returning(api_tokens.c.id)
            ).scalar_one()
        return ApiToken(int(token_id), name, now, None, expires_at), token

    def api_tokens_of(self, user_id: int) -> list[ApiToken]:
        """The user's tokens not revoked, expired ones included (so they can see why)."""
        query = (
            sa.select(api_tokens)
            .where(api_tokens.c.user_id == user_id, api_tokens.c.revoked_at.is_(None))
            .order_by(api_tokens.c.id)
        )
        with self._read() as conn:
            rows = conn.execute(query).all()
        return [ApiToken(r.id, r.name, r.created_at, r.last_used_at, r.expires_at) for r in rows]

    def revoke_api_tokens_of(self, user_id: int) -> int:
        """Revoke every live token of the user (e.g. with a password change); how many."""
        with self.engine.begin() as conn:
            result = conn.execute(
                api_tokens.update()
                .where(api_tokens.c.user_id == user_id, api_tokens.c.revoked_at.is_(None))
                .values(revoked_at=utcnow())
            )
        return int(result.rowcount)

    def revoke_api_token(self, user_id: int, token_id: int) -> bool:
        """Revoke one of the user's tokens; False when it is not theirs or does not exist."""
        with self.engine.begin() as conn:
            result = conn.execute(
                api_tokens.update()
                .where(
                    api_tokens.c.id == token_id,
                    api_tokens.c.user_id == user_id,
                    api_tokens.c.revoked_at.is_(None),
                )
                .values(revoked_at=utcnow())
            )
        return result.rowcount == 1

    def account_for_api_token(self, token: str) -> Account | None:
        query = (
            sa.select(users)
            .join(api_tokens, api_tokens.c.user_id == users.c.id)
            .where(
                api_tokens.c.token_hash == hash_token(token),
                api_tokens.c.revoked_at.is_(None),
                sa.or_(api_tokens.c.expires_at.is_(None), api_tokens.c.expires_at > utcnow()),
            )
        )
        with self._read() as conn:
            row = conn.execute(query).first()
        return account_of(row) if row else None
