"""Where a request comes from, as the sign-in limiter and the audit trail record it."""

from __future__ import annotations

from fastapi import Request

from crampwise.web.context import web_context


def client_address(request: Request) -> str:
    """The caller's address; behind a trusted proxy, the entry that proxy added to X-Forwarded-For.

    The last entry, not the first: a client can send its own X-Forwarded-For to look like
    someone else, and the proxy appends the address it really saw.
    """
    if web_context(request).settings.trust_proxy:
        forwarded = request.headers.get("x-forwarded-for", "")
        if forwarded:
            return forwarded.split(",")[-1].strip()
    return request.client.host if request.client else "unknown"
