"""What every request handler shares: settings, store, accounts, sessions, sign-in limits.

One `WebContext` per app, kept on `app.state.ctx`; `web_context(request)` finds it.

Nothing here decides who may do what from memory alone: several processes may serve one
database (`crampwise serve --workers N`, several machines behind a proxy), so sessions,
the sign-in counts, the owner, the open-sign-up switch and the device-cookie key are read
from the database. What is kept in memory is checked against the database on every use:
on an SQLite file against its change counter (a few microseconds), on PostgreSQL against
counters that the database's change notifications move (`crampwise.store.notify`: no
round trip).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Hashable
from typing import TypeVar

import sqlalchemy as sa
from fastapi import Request

from crampwise.store import Store, UserDiary
from crampwise.store.auth import AuthStore
from crampwise.store.engine import AccessCounter, change_counter
from crampwise.store.notify import pg_changes
from crampwise.web.pagecache import PageCache
from crampwise.web.security.passwords import Passwords
from crampwise.web.security.sessions import (
    SessionManager,
    WebUser,
    web_user,
)
from crampwise.web.security.signin_limits import DeviceCookies, LoginLimiter
from crampwise.web.settings import WebSettings
from crampwise.web.writes import EpisodeWriter

T = TypeVar("T")
KEPT_LIMIT = 10_000  # small facts kept by `fresh` (per user: at most a few each)


class WebContext:
    """Everything a request handler shares: settings, store, accounts, sessions, limiter."""

    def __init__(self, settings: WebSettings, store: Store, engine: sa.Engine):
        self.settings = settings
        self.store = store
        self.auth = AuthStore(engine)
        self.writer = EpisodeWriter(engine)
        # What kept copies are checked against: sessions and settings against the access
        # count; pages on SQLite against any commit at all, on PostgreSQL against their
        # user's counter, which the database's notifications move.
        sqlite = change_counter(engine)
        self.notes = pg_changes(engine)
        self.changes: AccessCounter | None = sqlite or self.notes
        self.pages = PageCache(
            sqlite if settings.page_cache else None,
            generations=self.notes.user if settings.page_cache and self.notes else None,
        )
        self.sessions = SessionManager(
            self.auth,
            settings,
            background=self.writer.submit,
            pages=self.pages,
            changes=self.changes,
        )
        self.passwords = Passwords(settings)
        self.limiter = LoginLimiter(
            self.auth,
            settings.login_window_s,
            {
                "account": settings.login_max_per_account,
                "device": settings.login_max_per_account,
                "address": settings.login_max_per_address,
            },
        )
        self._diaries: dict[str, UserDiary] = {}
        self._kept: dict[Hashable, tuple[int, object]] = {}

    def close(self) -> None:
        """Finish queued writes, then close the database."""
        self.writer.close()
        self.pages.close()
        if self.changes is not None:
            self.changes.close()
        self.store.close()

    def diary(self, name: str) -> UserDiary:
        """The user-scoped diary for `name`, kept per process (it holds only the name: every
        statement finds the user by name in the database)."""
        diary = self._diaries.get(name)
        if diary is None:
            diary = self._diaries[name] = self.store.diary(name)
        return diary

    def forget_diary(self, name: str) -> None:
        self._diaries.pop(name, None)

    def fresh(self, key: Hashable, load: Callable[[], T]) -> T:
        """`load()`, or its copy kept while the database's access count has not moved.

        Only for what that count covers: the access tables of migration 0010 (sessions,
        accounts, settings, practitioners, sharing), never a diary."""
        if self.changes is None:
            return load()
        version = self.changes.access()  # before the read: a commit in between: stale
        kept = self._kept.get(key)
        if kept is not None and kept[0] == version:
            return kept[1]  # type: ignore[return-value]
        value = load()
        if len(self._kept) >= KEPT_LIMIT:
            self._kept.clear()  # the database stays authoritative: refilled on demand
        self._kept[key] = (version, value)
        return value

    def devices(self) -> DeviceCookies:
        """Device cookies, signed with the key kept in the database (made on first use: two
        processes making it at once agree on the one stored first)."""
        return DeviceCookies(bytes.fromhex(self.fresh("device_cookie_key", self._device_key)))

    def _device_key(self) -> str:
        # A plain read first: the write (and SQLite's write lock) only the first time.
        stored = self.auth.site_setting("device_cookie_key")
        if stored is not None:
            return stored
        return self.auth.site_setting_or_create("device_cookie_key", secrets.token_hex(32))

    def has_owner(self) -> bool:
        return self.fresh("has_owner", self.auth.has_owner)

    def open_signup(self) -> bool:
        """Whether anyone may create an account: the owner's choice, else the setting."""
        stored = self.fresh("open_signup", lambda: self.auth.site_setting("open_signup"))
        return self.settings.open_signup if stored is None else stored == "true"

    def set_open_signup(self, value: bool) -> None:
        self.auth.set_site_setting("open_signup", "true" if value else "false")

    def reset_owner_cache(self) -> None:
        """Kept for callers: the owner is read from the database (see `fresh`)."""

    def user_for_api_token(self, token: str) -> WebUser | None:
        account = self.auth.account_for_api_token(token)
        return web_user(account) if account else None


def web_context(request: Request) -> WebContext:
    """The app's shared state: settings, store, auth store, session manager, limiter."""
    ctx: WebContext = request.app.state.ctx
    return ctx
