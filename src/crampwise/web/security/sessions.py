"""Server-side sessions and the signed-in person (`WebUser`) they carry.

Sessions live in the `web_sessions` table (token hash only). A per-process cache keeps the
hot path to zero queries; it stays correct because one process serves the app (`crampwise
serve` runs one uvicorn worker: SQLite wants a single writer) and every logout or password
change goes through this process, which drops the cached entry with the row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from crampwise.store.auth import Account, AuthStore, hash_token, utcnow
from crampwise.web.pagecache import PageCache
from crampwise.web.settings import WebSettings

_CACHE_LIMIT = 10_000


@dataclass(frozen=True)
class WebUser:
    """A signed-in person: the diary user `name` plus web account facts."""

    id: int
    name: str
    is_owner: bool


def web_user(account: Account) -> WebUser:
    return WebUser(account.id, account.name, account.is_owner)


@dataclass
class SessionInfo:
    """A live session: who, its CSRF token and its clock."""

    token_hash: str
    user: WebUser
    csrf_token: str
    created_at: datetime
    last_seen: datetime
    expires_at: datetime


class SessionManager:
    """Creates, finds (with idle and absolute limits) and ends server-side sessions."""

    def __init__(
        self,
        auth: AuthStore,
        settings: WebSettings,
        background: Callable[..., None] | None = None,
        pages: PageCache | None = None,
    ):
        self.auth = auth
        # Rendered pages are keyed (session token hash, user id, ...): dropped with the session.
        self.pages = pages or PageCache(None)
        # Where the last_seen write goes; by default done at once (tests, scripts).
        self.background = background or (lambda fn, *args: fn(*args))
        self.idle = timedelta(seconds=settings.session_idle_s)
        self.absolute = timedelta(seconds=settings.session_absolute_s)
        self.touch_every = timedelta(seconds=settings.session_touch_s)
        self._cache: dict[str, SessionInfo] = {}

    def create(self, account: Account) -> tuple[str, SessionInfo]:
        now = utcnow()
        # Sign-ins are rare: a good moment to drop rows of sessions that ran out.
        self.auth.purge_expired_sessions(idle_before=now - self.idle)
        raw, csrf = self.auth.create_session(account.id, self.absolute)
        info = SessionInfo(hash_token(raw), web_user(account), csrf, now, now, now + self.absolute)
        self._remember(info)
        return raw, info

    def lookup(self, raw: str) -> SessionInfo | None:
        token_hash = hash_token(raw)
        info = self._cache.get(token_hash)
        if info is None:
            row = self.auth.get_session(token_hash)
            if row is None:
                return None
            info = SessionInfo(
                row.token_hash,
                web_user(row.account),
                row.csrf_token,
                row.created_at,
                row.last_seen,
                row.expires_at,
            )
            self._remember(info)
        now = utcnow()
        if now >= info.expires_at or now - info.last_seen >= self.idle:
            self.end_hash(token_hash)
            return None
        if now - info.last_seen >= self.touch_every:
            info.last_seen = now
            self.background(self.auth.touch_session, token_hash, now)
        return info

    def end(self, raw: str) -> None:
        self.end_hash(hash_token(raw))

    def end_hash(self, token_hash: str) -> None:
        self._cache.pop(token_hash, None)
        self.pages.forget(lambda key: key[0] == token_hash)
        self.auth.delete_session(token_hash)

    def end_all(self, user_id: int) -> None:
        """End every session of a user (password change, account deletion)."""
        for key in [k for k, v in self._cache.items() if v.user.id == user_id]:
            del self._cache[key]
        self.pages.forget(lambda key: key[1] == user_id)
        self.auth.delete_sessions_of(user_id)

    def _remember(self, info: SessionInfo) -> None:
        if len(self._cache) >= _CACHE_LIMIT:
            self._cache.clear()  # rows stay authoritative; the cache refills on demand
        self._cache[info.token_hash] = info
