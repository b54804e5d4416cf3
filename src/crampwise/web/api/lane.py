"""Logging a cramp through the API without the framework's per-request work.

`POST /api/v1/episodes` is the write that comes in bursts: the offline queue replays a
night's cramps at once, and a clinic's server takes every client's. Through the whole stack
(routing into the mounted API, its own middleware, FastAPI's dependency solving and body
parsing) the framework cost more than the cramp: about half of a worker's CPU per logged
cramp in a profile under load, against a tenth for the route itself. `CrampLane` sits
inside every security middleware (host, cross-site, body and number limits, headers) and
answers the common case itself, with the route's own parts: the same sign-in and CSRF
check (`csrf_protect`), the same model (`EpisodeIn`), the same group-commit write and
answer (`answer_posted_cramp`), the API's own error handlers.

Anything else goes on to the full stack untouched, its body replayed: another content type,
no session or token, a wrong CSRF token, a body the model refuses. Those answers (401, 403,
422 naming the field) are therefore the route's, written in one place.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from crampwise.web.api.diary import add_episode, answer_posted_cramp
from crampwise.web.api.models import EpisodeIn
from crampwise.web.deps import csrf_protect

Handler = Callable[[Request, Any], Response | Awaitable[Response]]


class CrampLane:
    """ASGI middleware: `POST {prefix}/episodes` with a JSON body, answered here when it can be.

    api: the mounted API app (its exception handlers answer errors from the write).
    """

    def __init__(self, app: ASGIApp, api: FastAPI, prefix: str = "/api/v1"):
        self.app = app
        self.api = api
        self.path = f"{prefix}/episodes"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] != "POST"
            or scope["path"] != self.path
            # At the root only: under a root path the route's own matching is the one to use.
            or scope.get("root_path")
            # A body of a declared length, which the body limit outside has checked whole: a
            # body streamed without one is counted as it comes, and refused mid-way, there.
            or not any(name == b"content-length" for name, _ in scope["headers"])
        ):
            await self.app(scope, receive, send)
            return
        body = await _whole_body(receive)
        if body is None:
            return  # the client went away before sending its cramp: nothing to answer
        if not await self._answer(scope, body, receive, send):
            await self.app(scope, _replay(body, receive), send)

    async def _answer(self, scope: Scope, body: bytes, receive: Receive, send: Send) -> bool:
        """Answer the request and return True, or return False having sent nothing."""
        media = Headers(scope=scope).get("content-type", "").partition(";")[0]
        if media.strip().lower() != "application/json":
            return False
        # The body first: a request handed on for its body is signed in once, by the route.
        try:
            posted = EpisodeIn.model_validate(json.loads(body))
        except Exception:  # not JSON, too deeply nested, or refused by the model
            return False
        # A scope of its own: what the sign-in check keeps in `request.state` must not leak
        # into the full stack's request if this one is handed on. `endpoint` is what the
        # route match would set; the sign-in check reads the route's marks from it.
        lane = {**scope, "state": dict(scope.get("state") or {}), "endpoint": add_episode}
        request = Request(lane)
        try:
            await csrf_protect(request)
        except HTTPException:
            return False
        user = request.state.user
        if user is None:
            return False
        try:
            response = await answer_posted_cramp(request, user, posted)
        except Exception as exc:
            handler = self._handler(exc)
            if handler is None:
                raise
            answer = handler(request, exc)
            response = await answer if inspect.isawaitable(answer) else answer
        await response(lane, receive, send)
        return True

    def _handler(self, exc: Exception) -> Handler | None:
        """The API's handler for `exc`, looked up as Starlette does: an HTTP error's status
        first, then along the exception's classes."""
        handlers: dict[Any, Handler] = self.api.exception_handlers
        if isinstance(exc, HTTPException) and exc.status_code in handlers:
            return handlers[exc.status_code]
        for cls in type(exc).__mro__:
            if cls in handlers:
                return handlers[cls]
        return None


async def _whole_body(receive: Receive) -> bytes | None:
    """The request body (of a length checked outside), or None on a disconnect."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A `receive` that gives `body` once, then whatever the connection sends next."""
    sent = False

    async def again() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return again
