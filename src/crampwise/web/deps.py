"""What every web route shares: the signed-in user, their diary, CSRF, templates and `render`.

Contract for page routes (`crampwise.web.pages.tonight.router` is one to copy):

* Write page endpoints as ``async def`` and call the diary directly: the store is synchronous
  SQLAlchemy on one process-wide engine, and short SQLite calls on the event loop measured
  ~3x the throughput of ``def`` endpoints on a thread pool (threads fight over SQLite's write
  lock). Log a cramp with ``await log_episode(request, user, Episode(...))`` (group commit:
  durable, and concurrent cramps share one fsync). Other writes from the event loop wait for
  SQLite's write lock while a group commit runs (milliseconds). Push CPU-heavy work (trigger
  analysis, PDF) to a thread with ``await run_blocking(f, ...)`` after reading on the loop.
* Ids in a path are ``RecordId`` (1 to 2**31-1, what the id columns hold: else 422 naming
  the field, never a 500), dates in a path or query ``IsoDate`` (YYYY-MM-DD only).
* Signed-in pages: ``user: UserDep`` (or ``diary: DiaryDep``). No session → 303 to
  ``/login?next=<path>``; an empty database → 303 to ``/setup``.
* ``render(request, "page.html", **ctx)`` returns the HTML response. Every template gets
  ``request``, ``user`` (WebUser or None), ``csrf_token`` (str), ``diary`` (the user's
  UserDiary or None), ``csp_nonce`` (always None: no nonces, see below) and
  ``open_signup`` (bool), plus ``ctx``.
* CSRF: every POST/PUT/PATCH/DELETE is checked by an app-wide dependency (you need not add
  one). Forms carry ``<input type="hidden" name="csrf_token" value="{{ csrf_token }}">``;
  ``fetch()`` sends header ``X-CSRF-Token`` (put the token in
  ``<meta name="csrf-token" content="{{ csrf_token }}">`` and read it from JS). Missing or
  wrong → 403. Never change state on GET. Queued offline requests: the token changes with
  each sign-in, so fetch ``GET /api/v1/session`` (``{"name", "owner", "csrf_token"}``) first.
  The JSON API takes the session cookie + ``X-CSRF-Token``, so page scripts may use it.
* Content-Security-Policy is ``default-src 'self'; script-src 'self'; style-src 'self';
  img-src 'self' data:; connect-src 'self'; manifest-src 'self'; worker-src 'self';
  frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'``:
  NO inline ``<script>``, NO ``style="..."`` attributes, NO ``<style>`` blocks, no
  ``onclick=``; everything from ``/static/`` (mounted from ``web/static``).
* Responses get ``Cache-Control: no-store`` unless the route sets its own Cache-Control;
  ``/static/*`` gets ``no-cache`` (revalidate). Serve ``/sw.js`` and the manifest from your
  router if you need root scope, and set their Cache-Control yourself.
* Sign-in and account routes live in ``crampwise.web.pages.signin`` and
  ``crampwise.web.pages.account`` (templates under ``templates/auth/``, extending
  your ``base.html`` with ``{% block title %}`` and ``{% block content %}``):
  GET/POST ``/setup``, ``/login`` (``?next=``), POST ``/logout``, GET/POST ``/invite``
  (owner; POST ``/invite/open-signup`` with ``open_signup=true|false`` switches open
  sign-up), GET/POST ``/join/{token}`` (and ``/join`` when open sign-up is on),
  GET/POST ``/account/password``, POST ``/account/delete`` (field ``password``; deletes
  the account and every diary row, then 303 to ``/login``), GET/POST ``/account/tokens``
  (personal access tokens; POST ``/account/tokens/{id}/revoke``).
  The JSON API lives under ``/api/v1`` (``crampwise.web.api.diary``), OpenAPI at
  ``/api/v1/openapi.json``; CSV export at ``GET /api/v1/export.csv`` works with the
  session cookie, so a Settings page can link to it.
"""

from __future__ import annotations

import asyncio
import hmac
import re
import secrets
import weakref
from collections.abc import Callable
from datetime import date
from functools import partial
from pathlib import Path
from typing import Annotated, Any, TypeVar

from anyio import CapacityLimiter, to_thread
from fastapi import Depends, HTTPException, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from pydantic import BeforeValidator
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from crampwise.diary.model import Episode
from crampwise.errors import SessionEnded
from crampwise.store import UserDiary
from crampwise.web.context import WebContext
from crampwise.web.context import web_context as web_context  # routes import it from here
from crampwise.web.security.limits import DB_INT_MAX
from crampwise.web.security.sessions import SessionInfo
from crampwise.web.security.sessions import WebUser as WebUser  # routes import it from here

WEB_DIR = Path(__file__).resolve().parent
TEMPLATES_DIR = WEB_DIR / "templates"
STATIC_DIR = WEB_DIR / "static"

SESSION_COOKIE = "crampwise_session"
# Double-submit token for forms shown before sign-in (login, setup, join).
ANON_CSRF_COOKIE = "crampwise_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
# Templates ship with the package: no need to stat every file on every render.
templates.env.auto_reload = False

T = TypeVar("T")


class LoginRequired(Exception):
    """Raised by `require_user` on a page; the app turns it into a 303 to /login or /setup."""

    def __init__(self, next_path: str, setup: bool = False):
        super().__init__(next_path)
        self.next_path = next_path
        self.setup = setup


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return None


async def current_user(request: Request) -> WebUser | None:
    """The user behind this request (session cookie, or API bearer token), else None."""
    if "user" in request.state._state:
        user: WebUser | None = request.state.user
        return user
    ctx = web_context(request)
    user = None
    session: SessionInfo | None = None
    token = _bearer(request)
    if token is not None:
        # A bearer request is judged by its token alone, never by a cookie riding along.
        user = ctx.user_for_api_token(token)
        request.state.via_bearer = user is not None
    else:
        raw = request.cookies.get(SESSION_COOKIE)
        if raw:
            # A kept session costs no read. On PostgreSQL, where other processes' changes
            # arrive as notifications (a moment after their commit), only a view may use
            # one: anything that changes data reads the row, off the loop, so however soon
            # after a sign-out or an account deletion elsewhere it comes, an ended session
            # changes nothing. SQLite's access count is read from the file itself.
            # (A route marked `checks_session_at_write` checks it in its own writing
            # transaction instead, one statement for a whole batch of cramps.)
            strict = ctx.notes is not None and request.method not in SAFE_METHODS
            deferred = strict and getattr(request.scope.get("endpoint"), _AT_WRITE, False)
            kept = None if strict and not deferred else ctx.sessions.kept(raw)
            if deferred and kept is not None:
                request.state.check_session = kept.token_hash
            session = kept or await db_call(ctx, ctx.sessions.lookup_row, raw)
            user = session.user if session else None
    request.state.session = session
    request.state.user = user
    return user


async def require_user(request: Request) -> WebUser:
    """Pages: the signed-in user, or a redirect to /login (to /setup on an empty database).

    Pages are for people in a browser: a script's bearer token opens the JSON API only, so
    a leaked token cannot reach account pages (make tokens, invitations, settings)."""
    user = await current_user(request)
    if user is not None and getattr(request.state, "via_bearer", False):
        user = None
    if user is None:
        setup = not web_context(request).has_owner()
        raise LoginRequired(request.url.path, setup=setup)
    return user


async def require_api_user(request: Request) -> WebUser:
    """API: the user from a bearer token or session cookie, else 401."""
    user = await current_user(request)
    if user is None:
        raise HTTPException(401, "not signed in", headers={"WWW-Authenticate": "Bearer"})
    return user


async def require_owner(request: Request) -> WebUser:
    """Pages only the owner may use (invitations); anyone else gets 404."""
    user = await require_user(request)
    if not user.is_owner:
        raise HTTPException(404)
    return user


def diary_for(request: Request, user: WebUser) -> UserDiary:
    """The user-scoped diary (`store.diary(user.name)`): every query sees only their rows."""
    return web_context(request).diary(user.name)


async def user_diary(request: Request, user: WebUser = Depends(require_user)) -> UserDiary:
    """Dependency: the signed-in user's diary (pages)."""
    return diary_for(request, user)


async def api_diary(request: Request, user: WebUser = Depends(require_api_user)) -> UserDiary:
    """Dependency: the authenticated user's diary (API)."""
    return diary_for(request, user)


UserDep = Annotated[WebUser, Depends(require_user)]
ApiUserDep = Annotated[WebUser, Depends(require_api_user)]
OwnerDep = Annotated[WebUser, Depends(require_owner)]
DiaryDep = Annotated[UserDiary, Depends(user_diary)]
ApiDiaryDep = Annotated[UserDiary, Depends(api_diary)]


# A record's id in a path: what the id columns can hold (PostgreSQL INTEGER), so a number
# past it is refused (422 naming the field) before it reaches a query, never a 500.
RecordId = Annotated[int, PathParam(ge=1, le=DB_INT_MAX)]

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_date(value: object) -> object:
    """Only YYYY-MM-DD: pydantic alone takes "0" as 1970-01-01 (seconds since the epoch)."""
    if isinstance(value, str) and not _ISO_DATE.fullmatch(value.strip()):
        raise ValueError("a date as YYYY-MM-DD")
    return value.strip() if isinstance(value, str) else value


# A date in a path or query (`/days/2026-01-31`, `?start=`): ISO only.
IsoDate = Annotated[date, BeforeValidator(_iso_date)]


def csrf_token(request: Request) -> str:
    """The CSRF token for forms on this response (the session's, or a pre-login one)."""
    session: SessionInfo | None = getattr(request.state, "session", None)
    if session is not None:
        return session.csrf_token
    existing = request.cookies.get(ANON_CSRF_COOKIE) or getattr(
        request.state, "new_anon_csrf", None
    )
    if existing:
        return str(existing)
    fresh = secrets.token_urlsafe(32)
    request.state.new_anon_csrf = fresh
    return fresh


def set_anon_csrf_cookie(request: Request, response: Response) -> None:
    """Send the pre-login CSRF cookie when `csrf_token` minted one for this response."""
    fresh = getattr(request.state, "new_anon_csrf", None)
    if fresh:
        response.set_cookie(
            ANON_CSRF_COOKIE, fresh, httponly=True, secure=True, samesite="lax", path="/"
        )


async def csrf_protect(request: Request) -> None:
    """App-wide dependency: every state-changing request must carry the right token (else 403)."""
    if request.method in SAFE_METHODS:
        return
    await current_user(request)
    if getattr(request.state, "via_bearer", False):
        return  # browsers never attach Authorization on their own, so no forgery is possible
    session: SessionInfo | None = request.state.session
    expected = session.csrf_token if session else request.cookies.get(ANON_CSRF_COOKIE)
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not expected or not sent or not hmac.compare_digest(expected, sent):
        raise HTTPException(403, "missing or wrong CSRF token")


def render(request: Request, template: str, /, status_code: int = 200, **ctx: Any) -> HTMLResponse:
    """Render `template` with `user`, `csrf_token`, `diary`, `csp_nonce` and `open_signup`.

    `request` and `template` are positional-only, so `name=...` may be a context value.
    """
    user: WebUser | None = getattr(request.state, "user", None)
    context: dict[str, Any] = {
        "user": user,
        "csrf_token": csrf_token(request),
        "diary": diary_for(request, user) if user else None,
        "csp_nonce": None,
        "open_signup": web_context(request).open_signup(),
    }
    context.update(ctx)
    response: HTMLResponse = templates.TemplateResponse(
        request, template, context, status_code=status_code
    )
    set_anon_csrf_cookie(request, response)
    return response


_AT_WRITE = "crampwise_checks_session_at_write"


def checks_session_at_write(endpoint: Callable[..., T]) -> Callable[..., T]:
    """Mark a route whose only write is `log_episode`: on PostgreSQL it may then use a kept
    session, which the writer checks against its row in the writing transaction."""
    setattr(endpoint, _AT_WRITE, True)
    return endpoint


async def log_episode(request: Request, user: WebUser, episode: Episode) -> Episode:
    """Log a cramp durably with group commit (see `crampwise.web.writes`); returns it stored.

    Prefer this to ``diary.add_episode`` in request handlers: same validation (InputError),
    same client_id de-duplication, but concurrent cramps share one fsync and the event loop
    never waits on the disk. A session ended meanwhile (checked in the writing transaction
    on routes marked `checks_session_at_write`) stores nothing: 401 for the API, else
    the sign-in page.
    """
    ctx = web_context(request)
    session = getattr(request.state, "check_session", None)
    try:
        return await ctx.writer.add(user.name, episode, session)
    except SessionEnded:
        ctx.sessions.forget(session)
        if request.url.path.startswith("/api/"):
            raise HTTPException(
                401, "not signed in", headers={"WWW-Authenticate": "Bearer"}
            ) from None
        raise LoginRequired(request.url.path) from None


async def db_call(ctx: WebContext, fn: Callable[..., T], *args: Any) -> T:
    """`fn(*args)`: on PostgreSQL on a worker thread, on SQLite here on the event loop.

    A PostgreSQL statement is a network round trip, and psycopg waits for it holding the
    thread: on the event loop every other request would wait too (one worker served ~400
    cached Tonight pages a second, the loop mostly idle). A thread lets the loop go on
    meanwhile. An SQLite read takes microseconds, less than the hand-off to a thread (and
    an in-memory SQLite database is one per thread).
    """
    if ctx.store.engine.dialect.name == "sqlite":
        return fn(*args)
    return await to_thread.run_sync(partial(fn, *args), limiter=_db_limiter())


# Threads that talk to PostgreSQL at once, per event loop: fewer than the engine's pool
# keeps (`DB_THREADS` < `store.engine.PG_POOL_SIZE`). With more, the pool opened extra
# connections and closed them again on return, a new PostgreSQL backend process for
# every few requests (most of a worker's time in a profile under load). Two: the threads
# run Python (a render) between round trips and share one GIL, so more of them mostly
# queue for it: the uncached Tonight page gave 770 / 830 / 720 / 600 renders a second
# with 1 / 2 / 3 / 8 threads (one worker, wrk 32 connections, PostgreSQL on loopback).
DB_THREADS = 2
_limiters: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, CapacityLimiter] = (
    weakref.WeakKeyDictionary()
)


def _db_limiter() -> CapacityLimiter:
    loop = asyncio.get_running_loop()
    limiter = _limiters.get(loop)
    if limiter is None:
        limiter = _limiters[loop] = CapacityLimiter(DB_THREADS)
    return limiter


async def run_blocking(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run CPU-heavy work (analysis, PDF) on a worker thread so the event loop stays free."""
    return await run_in_threadpool(fn, *args, **kwargs)
