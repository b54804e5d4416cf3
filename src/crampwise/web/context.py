"""What every request handler shares: settings, store, accounts, sessions, sign-in limits.

One `WebContext` per app, kept on `app.state.ctx`; `web_context(request)` finds it.
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from fastapi import Request

from crampwise.store import Store, UserDiary
from crampwise.store.auth import AuthStore
from crampwise.store.engine import change_counter
from crampwise.web.pagecache import PageCache
from crampwise.web.security.passwords import Passwords
from crampwise.web.security.sessions import SessionManager, WebUser, web_user
from crampwise.web.security.signin_limits import DeviceCookies, LoginLimiter
from crampwise.web.settings import WebSettings
from crampwise.web.writes import EpisodeWriter


class WebContext:
    """Everything a request handler shares: settings, store, accounts, sessions, limiter."""

    def __init__(self, settings: WebSettings, store: Store, engine: sa.Engine):
        self.settings = settings
        self.store = store
        self.auth = AuthStore(engine)
        self.writer = EpisodeWriter(engine)
        self.pages = PageCache(change_counter(engine) if settings.page_cache else None)
        self.sessions = SessionManager(
            self.auth, settings, background=self.writer.submit, pages=self.pages
        )
        self.passwords = Passwords(settings)
        self.limiter = LoginLimiter(
            settings.login_window_s,
            {
                "account": settings.login_max_per_account,
                "device": settings.login_max_per_account,
                "address": settings.login_max_per_address,
            },
        )
        self._devices: DeviceCookies | None = None
        self._diaries: dict[str, UserDiary] = {}
        self._has_owner = False
        self._open_signup: bool | None = None

    def close(self) -> None:
        """Finish queued writes, then close the database."""
        self.writer.close()
        self.pages.close()
        self.store.close()

    def diary(self, name: str) -> UserDiary:
        """The user-scoped diary for `name`, kept per process (it holds no secrets)."""
        diary = self._diaries.get(name)
        if diary is None:
            diary = self._diaries[name] = self.store.diary(name)
        return diary

    def forget_diary(self, name: str) -> None:
        self._diaries.pop(name, None)

    def devices(self) -> DeviceCookies:
        """Device cookies, signed with this server's key (made on first use, kept in the DB)."""
        if self._devices is None:
            key = self.auth.site_setting("device_cookie_key")
            if key is None:
                self.auth.set_site_setting("device_cookie_key", secrets.token_hex(32))
                key = self.auth.site_setting("device_cookie_key")
            self._devices = DeviceCookies(bytes.fromhex(str(key)))
        return self._devices

    def has_owner(self) -> bool:
        if not self._has_owner:
            self._has_owner = self.auth.has_owner()
        return self._has_owner

    def open_signup(self) -> bool:
        """Whether anyone may create an account: the owner's choice, else the setting."""
        if self._open_signup is None:
            stored = self.auth.site_setting("open_signup")
            self._open_signup = self.settings.open_signup if stored is None else stored == "true"
        return self._open_signup

    def set_open_signup(self, value: bool) -> None:
        self.auth.set_site_setting("open_signup", "true" if value else "false")
        self._open_signup = value

    def reset_owner_cache(self) -> None:
        self._has_owner = False

    def user_for_api_token(self, token: str) -> WebUser | None:
        account = self.auth.account_for_api_token(token)
        return web_user(account) if account else None


def web_context(request: Request) -> WebContext:
    """The app's shared state: settings, store, auth store, session manager, limiter."""
    ctx: WebContext = request.app.state.ctx
    return ctx
