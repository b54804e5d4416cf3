"""Server-side sessions and the signed-in person (`WebUser`) they carry.

Sessions live in the `web_sessions` table (token hash only), the one place that decides
whether a cookie still signs someone in: several web processes (`crampwise serve
--workers N`, or several machines) share it, so a sign-out, "sign out everywhere", an
account deletion or a role change made by one process holds on every other at its next
request. A per-process copy of a session is kept only for as long as the database's
access count is unchanged: on an SQLite file a row that triggers bump with every change to
sessions, accounts, settings or sharing (`crampwise.store.engine.ChangeCounter.access`, a
few microseconds to read), on PostgreSQL a counter that the database's notifications move
(`crampwise.store.notify`, no round trip). Any sign-in, sign-out, password change,
deletion or role change, from any process, sends the next request back to the row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from crampwise.store.auth import Account, AuthStore, hash_token, utcnow
from crampwise.store.engine import AccessCounter
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
        changes: AccessCounter | None = None,
    ):
        self.auth = auth
        # Rendered pages are keyed (session token hash, user id, ...): dropped with the session.
        self.pages = pages or PageCache(None)
        # Where the last_seen write goes; by default done at once (tests, scripts).
        self.background = background or (lambda fn, *args: fn(*args))
        self.idle = timedelta(seconds=settings.session_idle_s)
        self.absolute = timedelta(seconds=settings.session_absolute_s)
        self.touch_every = timedelta(seconds=settings.session_touch_s)
        # The database's access count: a kept session is good while it has not moved.
        # None (an in-memory SQLite database): every request reads the row.
        self.changes = changes
        self._cache: dict[str, tuple[int, SessionInfo]] = {}

    def create(self, account: Account) -> tuple[str, SessionInfo]:
        now = utcnow()
        # Sign-ins are rare: a good moment to drop rows of sessions that ran out.
        self.auth.purge_expired_sessions(idle_before=now - self.idle)
        raw, csrf = self.auth.create_session(account.id, self.absolute)
        info = SessionInfo(hash_token(raw), web_user(account), csrf, now, now, now + self.absolute)
        return raw, info

    def kept(self, raw: str) -> SessionInfo | None:
        """The session if a copy is kept and nothing has changed since: no database read,
        so the event loop may ask before handing `lookup_row` to a thread."""
        if self.changes is None:
            return None
        token_hash = hash_token(raw)
        kept = self._cache.get(token_hash)
        if kept is None or kept[0] != self.changes.access():
            return None
        if self._looks_run_out(kept[1]):
            return None  # `lookup_row` decides: ending it is a write, not for the loop
        return self._checked(kept[1])

    def lookup(self, raw: str) -> SessionInfo | None:
        """The kept copy if it still holds, else the row (read, then kept)."""
        return self.kept(raw) or self.lookup_row(raw)

    def lookup_row(self, raw: str) -> SessionInfo | None:
        """The session as its row says now (kept again afterwards): for a copy that is
        stale, looks idle by its own clock (another process may have used the session
        since, and a touch moves no count), or is not trusted for a write."""
        token_hash = hash_token(raw)
        # Read before the row, so a commit in between makes the copy stale, never fresh.
        version = self.changes.access() if self.changes is not None else None
        row = self.auth.get_session(token_hash)
        if row is None:
            self._cache.pop(token_hash, None)
            return None
        info = SessionInfo(
            row.token_hash,
            web_user(row.account),
            row.csrf_token,
            row.created_at,
            row.last_seen,
            row.expires_at,
        )
        if version is not None:
            self._remember(version, info)
        return self._checked(info)

    def _looks_run_out(self, info: SessionInfo) -> bool:
        now = utcnow()
        return now >= info.expires_at or now - info.last_seen >= self.idle

    def _checked(self, info: SessionInfo) -> SessionInfo | None:
        """`info` unless it has run out (then ended); its last_seen touched now and then."""
        if self._looks_run_out(info):
            self.end_hash(info.token_hash)
            return None
        now = utcnow()
        if now - info.last_seen >= self.touch_every:
            info.last_seen = now
            self.background(self.auth.touch_session, info.token_hash, now)
        return info

    def forget(self, token_hash: str | None) -> None:
        """Drop a kept session found ended (its row is already gone)."""
        if token_hash is not None:
            self._cache.pop(token_hash, None)
            self.pages.forget(lambda key: key[0] == token_hash)

    def end(self, raw: str) -> None:
        self.end_hash(hash_token(raw))

    def end_hash(self, token_hash: str) -> None:
        self.auth.delete_session(token_hash)  # first: the row is what every process reads
        self._cache.pop(token_hash, None)
        self.pages.forget(lambda key: key[0] == token_hash)

    def end_all(self, user_id: int) -> None:
        """End every session of a user (password change, account deletion)."""
        self.auth.delete_sessions_of(user_id)  # first, as in `end_hash`
        # A snapshot: database threads may add sessions while this runs.
        for key, (_, info) in list(self._cache.items()):
            if info.user.id == user_id:
                self._cache.pop(key, None)
        self.pages.forget(lambda key: key[1] == user_id)

    def _remember(self, version: int, info: SessionInfo) -> None:
        if len(self._cache) >= _CACHE_LIMIT:
            self._cache.clear()  # rows stay authoritative; the cache refills on demand
        self._cache[info.token_hash] = (version, info)
