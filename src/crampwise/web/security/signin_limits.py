"""Limits on sign-in attempts: a sliding window per account, device and address, and the
device cookies that keep a stranger's wrong guesses from locking out a known phone."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field

DEVICE_COOKIE = "crampwise_device"
DEVICE_COOKIE_AGE_S = 365 * 24 * 3600


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
        """Take back one attempt counted in advance (see `crampwise.web.pages.signin.login`)."""
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
