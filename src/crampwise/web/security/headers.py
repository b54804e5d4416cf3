"""Response headers every answer carries (CSP and friends) and the refusal of requests
another site makes the browser send."""

from __future__ import annotations

from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; manifest-src 'self'; worker-src 'self'; frame-ancestors 'none'; "
    "base-uri 'self'; form-action 'self'; object-src 'none'"
)

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

    def __init__(self, app: ASGIApp, trust_proxy: bool = False):
        self.app = app
        self.trust_proxy = trust_proxy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        https = scope.get("scheme") == "https" or (
            self.trust_proxy
            and (b"x-forwarded-proto", b"https") in [(k.lower(), v) for k, v in scope["headers"]]
        )
        static = scope["path"].startswith("/static/")

        async def send_with_headers(message: Message) -> None:
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

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
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
