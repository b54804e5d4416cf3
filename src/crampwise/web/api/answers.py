"""The API's 405: `Allow` names every method of the path, as its OpenAPI description does.

Starlette answers a method a path lacks from the first route of that path it meets, so
`OPTIONS /episodes/1` said `Allow: GET` although PATCH and DELETE are there too.
"""

from __future__ import annotations

from collections.abc import Iterable

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.exception_handlers import http_exception_handler
from starlette.exceptions import HTTPException
from starlette.routing import Match


def allowed_methods(request: Request, routers: Iterable[APIRouter]) -> list[str]:
    """Every method some route of `routers` serves at this request's path."""
    methods: set[str] = set()
    for router in routers:
        for route in router.routes:
            match, _ = route.matches(request.scope)
            if match != Match.NONE:
                methods.update(getattr(route, "methods", None) or ())
    return sorted(methods)


def install_api_answers(app: FastAPI, routers: Iterable[APIRouter]) -> None:
    """Answer 405s with the path's whole `Allow` list; other HTTP errors as FastAPI does."""
    routers = tuple(routers)

    @app.exception_handler(HTTPException)
    async def _http_error(request: Request, exc: HTTPException) -> Response:
        if exc.status_code == 405:
            methods = allowed_methods(request, routers)
            if methods:
                exc = HTTPException(405, exc.detail, headers={"Allow": ", ".join(methods)})
        return await http_exception_handler(request, exc)
