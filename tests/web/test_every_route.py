"""Rules checked on every route the app has, pages and API alike, as they are registered."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from starlette.routing import Mount

from crampwise.web.app import create_app

from .support import TestClient, fast_settings, new_client, setup_owner

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
# Served for the browser's own machinery, revalidated rather than never stored.
CACHEABLE = {"/sw.js", "/manifest.webmanifest", "/offline"}
OUTSIDE = re.compile(r"""(?:src|href|action|content)\s*=\s*["'](?:https?:)?//""", re.I)


def _routes(routes: list[Any], prefix: str = "") -> Iterator[tuple[str, set[str], APIRoute]]:
    """Every endpoint with its full path, through mounts and (nested) included routers."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield prefix + route.path, set(route.methods), route
        elif isinstance(route, Mount) and isinstance(route.app, FastAPI):
            yield from _routes(route.app.routes, prefix + route.path)
        elif hasattr(route, "original_router"):  # FastAPI's wrapper for include_router
            inner = prefix + (route.include_context.prefix or "")
            yield from _routes(route.original_router.routes, inner)


def _concrete(path: str) -> str:
    # Any value will do: the CSRF check runs before path parameters are validated.
    return re.sub(r"\{[^}]+\}", "1", path)


@pytest.fixture(scope="module")
def signed_in(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[FastAPI, TestClient]]:
    """One app and one signed-in owner for the whole module (these checks change nothing)."""
    path = tmp_path_factory.mktemp("routes") / "routes.sqlite3"
    app = create_app(fast_settings(f"sqlite:///{path}"))
    with new_client(app) as client:
        setup_owner(client)
        yield app, client
    app.state.ctx.close()


def _all(app: FastAPI) -> list[tuple[str, set[str], APIRoute]]:
    return list(_routes(app.routes))


def test_the_app_has_the_routes_these_checks_cover(signed_in: tuple[FastAPI, TestClient]) -> None:
    paths = {path for path, _, _ in _all(signed_in[0])}
    assert {"/", "/login", "/logout", "/api/v1/episodes", "/account/password"} <= paths


def test_every_state_changing_route_refuses_a_request_without_csrf_token(
    signed_in: tuple[FastAPI, TestClient],
) -> None:
    app, client = signed_in
    checked = []
    for path, methods, _ in _all(app):
        for method in sorted(methods & UNSAFE):
            url = _concrete(path)
            response = client.request(method, url, data={"name": "x", "password": "y"})
            assert response.status_code == 403, (method, url, response.status_code)
            checked.append((method, url))
    assert len(checked) >= 20
    assert client.get("/api/v1/episodes").status_code == 200  # still signed in


def test_every_page_and_api_answer_carries_the_security_headers(
    signed_in: tuple[FastAPI, TestClient],
) -> None:
    app, client = signed_in
    seen = 0
    for path, methods, route in _all(app):
        if "GET" not in methods or route.dependant.path_params or path == "/logout":
            continue
        response = client.get(path)
        assert response.status_code < 500, path
        headers = response.headers
        assert "frame-ancestors 'none'" in headers["content-security-policy"], path
        assert headers["x-content-type-options"] == "nosniff", path
        assert headers["referrer-policy"] == "no-referrer", path
        if path not in CACHEABLE:
            assert headers["cache-control"] == "no-store", path
        if headers.get("content-type", "").startswith("text/html"):
            assert not OUTSIDE.search(response.text), path
            assert "<script>" not in response.text and " style=" not in response.text, path
        seen += 1
    assert seen >= 10


def test_no_get_route_logs_out_or_deletes(signed_in: tuple[FastAPI, TestClient]) -> None:
    for path, methods, _ in _all(signed_in[0]):
        if "GET" in methods:
            assert not re.search(r"logout|delete|revoke", path), path
