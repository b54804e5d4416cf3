"""Limits on sign-in attempts: a window per account, device and address, counted in the
database so every web process shares them, and the device cookies that keep a stranger's
wrong guesses from locking out a known phone."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Callable, Iterable

from crampwise.store.auth import AuthStore

DEVICE_COOKIE = "crampwise_device"
DEVICE_COOKIE_AGE_S = 365 * 24 * 3600


class LoginLimiter:
    """Failed sign-ins per key (account, device, address) in a window, in `signin_failures`.

    A key's window opens with its first failure after a quiet spell and lasts `window_s`;
    `limits` maps a key's kind ("account", "device", "address") to the failures allowed in
    it. Each failure is one atomic upsert, so processes on several machines count together.
    Checking and counting are two statements: with P processes, P-1 guesses in flight at
    the same instant can slip past a full count (one process never interleaves them: the
    calls do not await in between).
    """

    def __init__(
        self,
        auth: AuthStore,
        window_s: float,
        limits: dict[str, int],
        clock: Callable[[], float] = time.time,
    ):
        self.auth = auth
        self.window_s = window_s
        self.limits = limits
        self.clock = clock  # wall-clock seconds: processes on several machines compare them

    def retry_after(self, keys: Iterable[str]) -> int | None:
        """Seconds until a blocked key frees up, or None when every key may try."""
        now = self.clock()
        wait = 0.0
        for key, (failures, start) in self.auth.signin_failures(
            list(keys), now - self.window_s
        ).items():
            if failures >= self.limits[key.split(":", 1)[0]]:
                wait = max(wait, start + self.window_s - now)
        return max(1, int(wait + 0.999)) if wait > 0 else None

    def failed(self, keys: Iterable[str]) -> None:
        now = self.clock()
        self.auth.count_signin_failure(list(keys), now, now - self.window_s)

    def succeeded(self, account_key: str) -> None:
        self.auth.clear_signin_failures(account_key)
        # Sign-ins are rare: a good moment to drop counts whose window has passed.
        self.auth.purge_signin_failures(self.clock() - self.window_s)

    def forgive(self, keys: Iterable[str]) -> None:
        """Take back one attempt counted in advance (see `crampwise.web.pages.signin.login`)."""
        self.auth.take_back_signin_failure(list(keys))


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
