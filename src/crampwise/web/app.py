"""The web app factory and its one routing table: pages, care team, JSON API, static files.

A new screen is a module in `web/pages/` (or `web/care/`) with a `router`, listed once in
`PAGE_ROUTERS` below; order matters only where two paths could match the same URL.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from crampwise.errors import InputError, NotFoundError
from crampwise.settings import get_settings
from crampwise.store import Store, open_store
from crampwise.web.api import diary as api_diary
from crampwise.web.api import practice as api_practice
from crampwise.web.api.answers import install_api_answers
from crampwise.web.api.lane import CrampLane
from crampwise.web.care import audit_trail, clinic, practice
from crampwise.web.care import client as care_client
from crampwise.web.care.audit import prune_due
from crampwise.web.context import WebContext
from crampwise.web.deps import STATIC_DIR, LoginRequired, csrf_protect, templates
from crampwise.web.pages import (
    account,
    assess,
    bedtime,
    checkin,
    cramp,
    diary,
    experiment,
    guide,
    insights,
    pwa,
    report,
    signin,
    tonight,
)
from crampwise.web.pages import settings as settings_page
from crampwise.web.pages.common import install_template_helpers
from crampwise.web.security.headers import CrossSiteRefusal, SecurityHeaders
from crampwise.web.security.limits import BodyLimit, NumberRange
from crampwise.web.settings import WebSettings, allowed_host_list

# First match wins: the pages opened most (Tonight, Cramp now) come first.
PAGE_ROUTERS = (
    tonight.router,
    cramp.router,
    bedtime.router,
    pwa.router,
    checkin.router,
    diary.router,
    insights.router,
    assess.router,
    guide.router,
    settings_page.router,
    experiment.router,
    signin.router,
    account.router,
    practice.router,
    clinic.router,
    audit_trail.router,
    care_client.router,
    report.router,
)
API_ROUTERS = (api_diary.router, api_practice.router)
# Paths that take a file, with their own body limit (`upload_max_bytes`); every other body
# is a form or JSON and gets `body_max_bytes`.
UPLOAD_PATHS = ("/settings/import",)

# No OpenTelemetry from a health diary: nothing about requests is traced, measured or
# exported (and checking for providers on every request cost ~50 µs).
NO_TELEMETRY: Any = {
    "tracing": False,
    "metrics": False,
    "logs": False,
    "operation_spans": False,
    "auto_configure": False,
}


class AnswerHead:
    """Answer HEAD like GET without the body (uptime checks and link checkers send HEAD;
    FastAPI routes declare GET only). Outermost, so the answer carries every header."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def send_without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, send_without_body)


class CrampwiseApp(FastAPI):
    """FastAPI with the request bounds and security headers outside its whole stack.

    Starlette puts its own error middleware (the one that answers 500) outside everything
    `add_middleware` adds, so a 500 used to leave without CSP and `no-store`. Here the
    security headers wrap that too, and body and number limits run before any of the app
    (CSRF, sign-in, routing) sees the request."""

    def __init__(self, *, bounds: WebSettings, trust_proxy: bool, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._bounds = bounds
        self._trust_proxy = trust_proxy

    def build_middleware_stack(self) -> ASGIApp:
        inner = super().build_middleware_stack()
        uploads = dict.fromkeys(UPLOAD_PATHS, self._bounds.upload_max_bytes)
        bounded = BodyLimit(NumberRange(inner), self._bounds.body_max_bytes, uploads)
        return AnswerHead(SecurityHeaders(bounded, trust_proxy=self._trust_proxy))


class InputProblem(BaseModel):
    """Every 422 of the API: what was wrong, and the field it was about when there is one."""

    detail: str = Field(examples=["field 'day': a date as YYYY-MM-DD"])
    field: str | None = Field(default=None, examples=["day"])


def _validation_problem(exc: RequestValidationError) -> InputProblem:
    """FastAPI's list of errors as one line naming the first field (the API's 422 shape)."""
    errors = list(exc.errors())
    if not errors:
        return InputProblem(detail="invalid request")
    first = errors[0]
    where = [str(part) for part in first.get("loc", ()) if part not in ("body", "query", "path")]
    name = ".".join(where) or None
    message = str(first.get("msg", "invalid")).removeprefix("Value error, ")
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    text = f"field '{name}': {message}{more}" if name else f"{message}{more}"
    return InputProblem(detail=text, field=name)


def _api_openapi(api_app: FastAPI) -> dict[str, Any]:
    """The API's description, with the 422 answer it really sends (`InputProblem`)."""
    if api_app.openapi_schema is None:
        spec = get_openapi(
            title=api_app.title,
            version=api_app.version,
            summary=api_app.summary,
            description=api_app.description,
            routes=api_app.routes,
        )
        problem = {"$ref": "#/components/schemas/InputProblem"}
        for operations in spec.get("paths", {}).values():
            for operation in operations.values():
                answer = operation.get("responses", {}).get("422")
                if answer is not None:
                    answer["description"] = "The input was refused (the field is named)"
                    answer["content"] = {"application/json": {"schema": problem}}
        schemas = spec.setdefault("components", {}).setdefault("schemas", {})
        schemas.pop("HTTPValidationError", None)
        schemas.pop("ValidationError", None)
        schemas["InputProblem"] = InputProblem.model_json_schema()
        api_app.openapi_schema = spec
    return api_app.openapi_schema


def open_web_store(settings: WebSettings) -> tuple[Store, sa.Engine]:
    """The diary store (migrated to head) and its engine, for the configured database."""

    store = open_store(settings.database_url or get_settings().database_url)
    return store, store.engine


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(LoginRequired)
    async def _login_required(request: Request, exc: LoginRequired) -> Response:
        if exc.setup:
            return RedirectResponse("/setup", status_code=303)
        target = "/login" if exc.next_path in ("", "/") else f"/login?next={exc.next_path}"
        return RedirectResponse(target, status_code=303)

    @app.exception_handler(InputError)
    async def _input_error(request: Request, exc: InputError) -> Response:
        if _wants_json(request):
            problem = InputProblem(detail=str(exc), field=exc.field)
            return JSONResponse(problem.model_dump(), status_code=422)
        return PlainTextResponse(str(exc), status_code=422)

    @app.exception_handler(RequestValidationError)
    async def _invalid_request(request: Request, exc: RequestValidationError) -> Response:
        # One 422 shape for the API, the one InputError has (and the OpenAPI says).
        problem = _validation_problem(exc)
        if _wants_json(request):
            return JSONResponse(problem.model_dump(), status_code=422)
        return PlainTextResponse(problem.detail, status_code=422)

    @app.exception_handler(NotFoundError)
    async def _not_found(request: Request, exc: NotFoundError) -> Response:
        # Another user's record and a missing record answer exactly alike.
        if _wants_json(request):
            return JSONResponse({"detail": "Not Found"}, status_code=404)
        return PlainTextResponse("Not Found", status_code=404)


def create_api_app(ctx: WebContext) -> FastAPI:
    """The JSON API (`crampwise.web.api.diary`), mounted at /api/v1 with its OpenAPI description."""
    api_app = FastAPI(
        title="crampwise API",
        summary="Night leg cramp diary, triggers and evidence-graded help, as JSON.",
        description=api_diary.__doc__,
        version="1",
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
        dependencies=[Depends(csrf_protect)],
        telemetry=NO_TELEMETRY,
    )
    api_app.state.ctx = ctx
    _install_error_handlers(api_app)
    install_api_answers(api_app, API_ROUTERS)
    for router in API_ROUTERS:
        api_app.include_router(router)
    api_app.openapi = lambda: _api_openapi(api_app)  # type: ignore[method-assign]
    return api_app


def create_app(
    settings: WebSettings | None = None, store: Store | None = None, bind_host: str | None = None
) -> FastAPI:
    """A fresh app on `settings` (default: environment); `store` may be passed in by tests;
    `bind_host` is the address `crampwise serve` listens on (see `allowed_host_list`)."""
    settings = settings or WebSettings()
    if store is None:
        store, engine = open_web_store(settings)
    else:
        engine = store.engine
    ctx = WebContext(settings, store, engine)
    install_template_helpers(templates.env)
    app = CrampwiseApp(
        bounds=settings,
        trust_proxy=settings.trust_proxy,
        title="crampwise",
        # Swagger UI and ReDoc load scripts from a CDN: never on a health app. The API
        # describes itself at /api/v1/openapi.json; pages are not part of it.
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        dependencies=[Depends(csrf_protect)],
        telemetry=NO_TELEMETRY,
    )
    app.state.ctx = ctx
    _install_error_handlers(app)
    try:
        prune_due(ctx, engine, force=True)  # the audit retention, if set: at start, then daily
    except BaseException:
        ctx.close()  # a refused setting must not leave the writer and its files open
        raise
    # The API is its own app under a Mount: a request is matched against the routes of its
    # part only (FastAPI walks every route of every included router, ~2 µs each, twice).
    api_app = create_api_app(ctx)
    app.mount("/api/v1", api_app)
    for router in PAGE_ROUTERS:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR, check_dir=False), name="static")
    # Added first, so innermost: every check below (and in `CrampwiseApp`) runs before it.
    app.add_middleware(CrampLane, api=api_app)
    app.add_middleware(CrossSiteRefusal)
    hosts = allowed_host_list(settings, bind_host)
    if hosts != ["*"]:  # inside SecurityHeaders (see CrampwiseApp), so a refusal has them too
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=hosts, www_redirect=False)
    return app
