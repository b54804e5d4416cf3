"""Bounds on what a request may carry, checked before any handler runs: the size of its body
and the range of the numbers in its path and query.

Both are pure ASGI middleware that `crampwise.web.app.CrampwiseApp` puts outside the whole
app (outside its error handling, CSRF and sign-in), so an anonymous request can neither make
the server buffer a large body nor push an id the database cannot hold into a query.
"""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qsl

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# PostgreSQL INTEGER, the type of every id column: the smaller of the two databases' ranges.
DB_INT_MAX = 2**31 - 1
JSON_FORM_MAX_BYTES = 64 * 1024
_INTEGER = re.compile(r"[+-]?0*(\d+)")


class BodyTooLarge(HTTPException):
    """A request body grew past its limit while it was being read.

    An HTTPException, so FastAPI's body reading passes it on untouched (other errors there
    become a 400) and the app's handler answers 413 wherever the body was being read."""

    def __init__(self, limit: int):
        super().__init__(413, too_large_message(limit))
        self.limit = limit


def too_large_message(limit: int) -> str:
    """The one-line answer of a 413."""
    if limit >= 1024 * 1024:
        return f"Request body too large: at most {limit // (1024 * 1024)} MiB here."
    return f"Request body too large: at most {limit // 1024} KiB here."


async def _answer(
    send: Send, status: int, body: bytes, content_type: bytes, close: bool = False
) -> None:
    headers = [(b"content-type", content_type), (b"content-length", str(len(body)).encode())]
    if close:  # the body was not read: the connection cannot carry another request
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _refuse(send: Send, limit: int) -> None:
    await _answer(send, 413, too_large_message(limit).encode(), _TEXT, close=True)


_TEXT = b"text/plain; charset=utf-8"


class BodyLimit:
    """Refuse a request body past its limit with 413, before it is buffered.

    `Content-Length` is checked before anything is read; a body sent without one (chunked)
    is counted as it arrives, and `BodyTooLarge` is raised from `receive` the moment it
    passes the limit (the app answers it with 413, see `crampwise.web.app`; should it escape,
    this middleware answers 413 itself). `uploads` maps paths to their own, larger limit.
    """

    def __init__(self, app: ASGIApp, default_max: int, uploads: dict[str, int]):
        self.app = app
        self.default_max = default_max
        self.uploads = uploads

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.uploads.get(scope["path"], self.default_max)
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await _refuse(send, limit)
            return
        received = 0
        started = False

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def watched_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted_receive, watched_send)
        except BodyTooLarge:
            if started:
                raise
            await _refuse(send, limit)


def out_of_range(text: str) -> bool:
    """True when `text` is an integer the database's id columns cannot hold (±2**31-1)."""
    found = _INTEGER.fullmatch(text)
    if found is None:
        return False
    digits = found.group(1)
    return len(digits) > len(str(DB_INT_MAX)) or int(digits) > DB_INT_MAX


class NumberRange:
    """Numbers the database cannot hold never reach it: 404 for a path, 422 for a query.

    A path segment of digits past ±(2**31-1) (PostgreSQL INTEGER, every id column) cannot
    name a record, so it answers 404 exactly like a missing one; a query value past that
    range answers 422 naming the field. Routes still declare their own ranges
    (`crampwise.web.deps.RecordId`); this is the floor under every route, pages and API.
    """

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            api = scope["path"].startswith("/api/")
            if any(out_of_range(part) for part in scope["path"].split("/")):
                if api:
                    await _answer(send, 404, b'{"detail":"Not Found"}', b"application/json")
                else:
                    await _answer(send, 404, b"Not Found", _TEXT)
                return
            query = scope.get("query_string", b"").decode("latin-1")
            for field, value in parse_qsl(query, keep_blank_values=True):
                if out_of_range(value.strip()):
                    message = f"field '{field}': a number from {-DB_INT_MAX} to {DB_INT_MAX}"
                    if api:
                        body = json.dumps({"detail": message, "field": field}).encode()
                        await _answer(send, 422, body, b"application/json")
                    else:
                        await _answer(send, 422, message.encode(), _TEXT)
                    return
        await self.app(scope, receive, send)
