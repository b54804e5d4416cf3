"""Web-only settings (sessions, sign-up, cookies, proxies), read from CRAMPWISE_WEB_* variables."""

from __future__ import annotations

import re

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from crampwise.errors import InputError
from crampwise.store.care.audit import RETENTION_FLOOR_DAYS
from crampwise.web.security.limits import JSON_FORM_MAX_BYTES


class WebSettings(BaseSettings):
    """Everything the web app needs beyond the storage settings; one instance per app."""

    model_config = SettingsConfigDict(env_prefix="CRAMPWISE_WEB_", extra="ignore")

    # None → the storage settings' database URL (CRAMPWISE_DATABASE_URL or the SQLite default).
    database_url: str | None = None
    # A session ends after this long without a request, and this long after login whatever.
    session_idle_s: int = 12 * 3600
    session_absolute_s: int = 30 * 24 * 3600
    # Re-write a session's last_seen at most this often (a write per request costs throughput).
    session_touch_s: int = 60
    # Anyone may create an account at /join when true; otherwise only by the owner's invitation.
    open_signup: bool = False
    invitation_valid_s: int = 7 * 24 * 3600
    # Failed logins allowed per window before 429, per account and per client address.
    login_window_s: int = 15 * 60
    login_max_per_account: int = 5
    login_max_per_address: int = 20
    # Host names the app answers to, comma-separated ("*.example.org" allowed; "*" = any);
    # anything else gets 400. Empty: `crampwise serve` on loopback allows only the loopback
    # names (a web page that rebinds its own name to 127.0.0.1 cannot reach the app), and
    # any name when it listens beyond this machine or behind a proxy (`trust_proxy`).
    allowed_hosts: str = ""
    # Trust X-Forwarded-Proto / X-Forwarded-For from a reverse proxy (only behind one).
    trust_proxy: bool = False
    # Keep rendered Tonight pages while the SQLite file is unchanged (crampwise.web.pagecache).
    page_cache: bool = True
    # Request bodies: forms and JSON at most this many bytes, the Settings import (a diary
    # file) at most `upload_max_bytes`; larger answers 413 before the body is read.
    body_max_bytes: int = Field(default=JSON_FORM_MAX_BYTES, ge=1024)
    upload_max_bytes: int = Field(default=200 * 1024 * 1024, ge=1024)
    # Refused sign-ins written to the audit trail per client address and minute; beyond
    # this, one row per address and minute with the count (crampwise.web.care.audit).
    audit_refusals_per_minute: int = Field(default=10, ge=1)
    # Audit rows older than this many days are deleted (at start and daily); None keeps them
    # all. At least RETENTION_FLOOR_DAYS (90): the database refuses to delete younger rows,
    # and `audit_retention` stops the server at start with a message naming the setting.
    audit_retention_days: int | None = None
    # Argon2id cost; tests lower it to keep the suite fast (the defaults are argon2-cffi's).
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 65536
    argon2_parallelism: int = 4


def audit_retention(settings: WebSettings) -> int | None:
    """Days to keep audit rows (None: all); below the floor raises InputError naming the
    setting, before anything is served."""
    days = settings.audit_retention_days
    if days is not None and days < RETENTION_FLOOR_DAYS:
        raise InputError(
            f"CRAMPWISE_WEB_AUDIT_RETENTION_DAYS: at least {RETENTION_FLOOR_DAYS} days (the"
            f" database keeps the last {RETENTION_FLOOR_DAYS} days of the audit trail whatever"
            f" is set), or unset to keep every row; {days} was given",
            field="audit_retention_days",
        )
    return days


LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


_HOST_NAME = re.compile(r"(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*")
_IP_LITERAL = re.compile(r"\[[0-9a-f:.]+\]")


def allowed_host_list(settings: WebSettings, bind_host: str | None = None) -> list[str]:
    """The Host names to accept: the setting, else loopback names when bound to loopback
    (and not behind a proxy, which passes on the public name), else any.

    A malformed entry raises InputError naming the setting, before anything is served.
    """
    chosen = [h.strip().lower() for h in settings.allowed_hosts.split(",") if h.strip()]
    for host in chosen:
        if host != "*" and not (_HOST_NAME.fullmatch(host) or _IP_LITERAL.fullmatch(host)):
            raise InputError(
                f"CRAMPWISE_WEB_ALLOWED_HOSTS: {host!r} is not a host name; give names only"
                " (no scheme, port or path), e.g. cramps.example.org, *.example.org,"
                " 192.168.1.20 or [::1], separated by commas, or * for any",
                field="allowed_hosts",
            )
    if chosen:
        return chosen
    if bind_host in LOOPBACK_HOSTS and not settings.trust_proxy:
        return ["127.0.0.1", "localhost", "[::1]"]
    return ["*"]
