"""Passwords: argon2id hashing and what a new name and password must look like."""

from __future__ import annotations

import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from crampwise.web.settings import WebSettings

NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")
MIN_PASSWORD = 8


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


def check_new_credentials(name: str, password: str, password2: str) -> str | None:
    """The problem with a proposed name/password, or None."""
    if not NAME_RE.match(name):
        return "Names use 1–64 lower-case letters, digits, '.', '_' or '-'."
    if len(password) < MIN_PASSWORD:
        return f"Passwords need at least {MIN_PASSWORD} characters."
    if password != password2:
        return "The two passwords differ."
    return None
