"""Security machinery: passwords, server-side sessions, the login limiter, response headers.

Sessions live in the `web_sessions` table (token hash only). A per-process cache keeps the
hot path to zero queries; it stays correct because one process serves the app (`crampwise
serve` runs one uvicorn worker: SQLite wants a single writer) and every logout or password
change goes through this process, which drops the cached entry with the row.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from starlette.responses import PlainTextResponse

from crampwise.store.auth import Account, AuthStore, hash_token, utcnow
from crampwise.store.engine import change_counter
from crampwise.web.deps import WebUser
from crampwise.web.pagecache import PageCache
from crampwise.web.settings import WebSettings

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; manifest-src 'self'; worker-src 'self'; frame-ancestors 'none'; "
    "base-uri 'self'; form-action 'self'; object-src 'none'"
)
_CACHE_LIMIT = 10_000


def web_user(account: Account) -> WebUser:
    return WebUser(account.id, account.name, account.is_owner)


class Passwords:
    """argon2id hashing; verifying an unknown account still costs one hash (no timing leak)."""

    def __init__(self, settings: WebSettings):
        self.hasher = PasswordHasher(
            time_cost=settings.argon2_time_cost,
            memory_cost=settings.argon2_memory_kib,
            parallelism=settings.argon2_parallelism,
        )
        self._dummy = self.hasher.hash("not a password anyone has")

    def hash(self, password: str) -> str:
        return self.hasher.hash(password)

    def verify(self, stored: str | None, password: str) -> bool:
        try:
            return self.hasher.verify(stored or self._dummy, password) and stored is not None
        except (VerificationError, InvalidHashError):
            return False


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


@dataclass
class LoginLimiter:
    """Failed logins per key (account, address) in a sliding window, kept in memory."""

    window_s: float
    limits: dict[str, int]
    _fails: dict[str, deque[float]] = field(default_factory=dict)

    def retry_after(self, keys: Iterable[str]) -> int | None:
        """Seconds until a blocked key frees up, or None when every key may try."""
        now = time.monotonic()
        wait = 0.0
        for key in keys:
            fails = self._recent(key, now)
            limit = self.limits[key.split(":", 1)[0]]
            if len(fails) >= limit:
                wait = max(wait, fails[len(fails) - limit] + self.window_s - now)
        return max(1, int(wait + 0.999)) if wait > 0 else None

    def failed(self, keys: Iterable[str]) -> None:
        now = time.monotonic()
        for key in keys:
            self._recent(key, now).append(now)

    def succeeded(self, account_key: str) -> None:
        self._fails.pop(account_key, None)

    def forgive(self, keys: Iterable[str]) -> None:
        """Take back one attempt counted in advance (see `crampwise.web.pages.account.login`)."""
        for key in keys:
            fails = self._fails.get(key)
            if fails:
                fails.pop()

    def _recent(self, key: str, now: float) -> deque[float]:
        fails = self._fails.setdefault(key, deque())
        while fails and fails[0] <= now - self.window_s:
            fails.popleft()
        return fails


def login_keys(name: str, address: str, device: str | None = None) -> list[str]:
    """The limiter keys of a sign-in attempt: the account's, or the trusted device's when the
    browser carries a device cookie for this account (`DeviceCookies`), and the address's."""
    first = f"device:{device}" if device else f"account:{name.strip().lower()}"
    return [first, f"address:{address}"]


DEVICE_COOKIE = "crampwise_device"
DEVICE_COOKIE_AGE_S = 365 * 24 * 3600


class DeviceCookies:
    """OWASP's device cookies against lock-out by strangers.

    A browser that signed in to an account gets a cookie `nonce.signature` (HMAC-SHA256 of
    the account name and the nonce under a key kept in the database). When it tries to sign
    in to that account again, its failures count against that device alone, not the
    account: a stranger who locks the account with wrong passwords does not lock out the
    phone its owner has used before. A device gets the account's limit of failures itself.
    """

    def __init__(self, key: bytes):
        self._key = key

    def issue(self, name: str) -> str:
        nonce = secrets.token_urlsafe(16)
        return f"{nonce}.{self._sign(name, nonce)}"

    def trusted(self, name: str, cookie: str | None) -> str | None:
        """The device's nonce when `cookie` was issued for `name` here, else None."""
        nonce, _, signature = (cookie or "").partition(".")
        expected = self._sign(name, nonce).encode()
        # Bytes: a cookie may carry any latin-1 text, which compare_digest refuses as str.
        if not nonce or not hmac.compare_digest(signature.encode("utf-8", "replace"), expected):
            return None
        return nonce

    def _sign(self, name: str, nonce: str) -> str:
        message = f"{name.strip().lower()}|{nonce}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()


# Encoded once: these go on every response.
_FIXED_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]


class SecurityHeaders:
    """Pure ASGI middleware adding CSP, framing, sniffing, referrer, cache and HSTS headers."""

    def __init__(self, app: Any, trust_proxy: bool = False):
        self.app = app
        self.trust_proxy = trust_proxy

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        https = scope.get("scheme") == "https" or (
            self.trust_proxy
            and (b"x-forwarded-proto", b"https") in [(k.lower(), v) for k, v in scope["headers"]]
        )
        static = scope["path"].startswith("/static/")

        async def send_with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                headers += _FIXED_HEADERS
                if b"cache-control" not in present:
                    headers.append((b"cache-control", b"no-cache" if static else b"no-store"))
                if https:
                    headers.append((b"strict-transport-security", b"max-age=63072000"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


_NAVIGATION_METHODS = frozenset({b"GET", b"HEAD"})


class CrossSiteRefusal:
    """Fetch Metadata resource isolation: what another site makes the browser send here.

    A request marked `Sec-Fetch-Site: cross-site` or `same-site` (an `<img>` or `<script>`
    pointing at an export, a form posted from elsewhere, a `fetch` from another origin) gets
    403 before any handler runs, so it cannot even add a row to the audit trail. Following
    a link here (a top-level GET navigation) still works. Requests without the header (old
    browsers, scripts with a token) pass: CSRF tokens and SameSite cookies still guard them.
    """

    def __init__(self, app: Any):
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            fetch: dict[bytes, bytes] = {
                k: v for k, v in scope["headers"] if k.startswith(b"sec-fetch-")
            }
            site = fetch.get(b"sec-fetch-site", b"same-origin")
            if site not in (b"same-origin", b"none") and not (
                fetch.get(b"sec-fetch-mode") == b"navigate"
                and fetch.get(b"sec-fetch-dest", b"document") == b"document"
                and scope["method"].encode() in _NAVIGATION_METHODS
            ):
                refusal = PlainTextResponse("Refused: this request came from another site.", 403)
                await refusal(scope, receive, send)
                return
        await self.app(scope, receive, send)


class WebContext:
    """Everything a request handler shares: settings, store, accounts, sessions, limiter."""

    def __init__(self, settings: WebSettings, store: Any, engine: Any):
        self.settings = settings
        self.store = store
        from crampwise.web.writes import EpisodeWriter

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
        self._diaries: dict[str, Any] = {}
        self._has_owner = False
        self._open_signup: bool | None = None

    def close(self) -> None:
        """Finish queued writes, then close the database."""
        self.writer.close()
        self.pages.close()
        self.store.close()

    def diary(self, name: str) -> Any:
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
