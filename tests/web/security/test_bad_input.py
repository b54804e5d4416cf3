"""Every bad input gets a clear answer and a bounded cost: ids past what the database holds,
non-ISO dates, one 422 shape for the API, and the security headers on every error, 500 too.

Body sizes are checked against a real `crampwise serve` in `test_body_limits.py`; the audit
trail's bounds in `test_audit_bounds.py`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from starlette.routing import Mount

from crampwise.web.app import create_app

from ..support import TestClient, fast_settings, new_client, session_csrf, setup_owner

# Past PostgreSQL INTEGER, past SQLite's 64-bit INTEGER, and both ends of the good range.
HUGE = ("2147483648", "9223372036854775808", "-9223372036854775809", "1" + "0" * 40)
EDGE = ("2147483647", "0", "-1")
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def _routes(routes: list[Any], prefix: str = "") -> Iterator[tuple[str, set[str]]]:
    for route in routes:
        if isinstance(route, APIRoute):
            yield prefix + route.path, set(route.methods or ())
        elif isinstance(route, Mount) and isinstance(route.app, FastAPI):
            yield from _routes(route.app.routes, prefix + route.path)
        elif hasattr(route, "original_router"):
            inner = prefix + (route.include_context.prefix or "")
            yield from _routes(route.original_router.routes, inner)


def _with_params(app: FastAPI) -> list[tuple[str, set[str]]]:
    return [(path, methods) for path, methods in _routes(app.routes) if "{" in path]


def _assert_secure_headers(response: Any, what: object) -> None:
    assert response.headers["content-security-policy"].startswith("default-src 'self'"), what
    assert response.headers["cache-control"] == "no-store", what
    assert response.headers["x-content-type-options"] == "nosniff", what


@pytest.fixture
def signed_in(database_url: str) -> Iterator[tuple[FastAPI, TestClient]]:
    app = create_app(fast_settings(database_url))
    with TestClient(
        app, base_url="https://testserver", follow_redirects=False, raise_server_exceptions=False
    ) as client:
        setup_owner(client)
        yield app, client
    app.state.ctx.close()


def test_ids_out_of_range_on_every_route_answer_404_or_422_never_500(
    signed_in: tuple[FastAPI, TestClient],
) -> None:
    app, client = signed_in
    headers = {"X-CSRF-Token": session_csrf(client)}
    routes = _with_params(app)
    assert len(routes) >= 20  # pages and API, /practice/clients/{id}, /care/shares/{id} ...
    seen: dict[str, int] = {}
    for path, methods in routes:
        for value in HUGE + EDGE:
            url = re.sub(r"\{[^}]+\}", value, path)
            for method in sorted(methods & set(METHODS)):
                response = client.request(method, url, headers=headers)
                what = (method, url, response.status_code, response.text[:200])
                assert response.status_code < 500, what
                _assert_secure_headers(response, what)
                if value in HUGE:
                    assert response.status_code in (404, 405, 422), what
                seen[f"{method} {path}"] = response.status_code
    assert len(seen) >= 25
    assert client.get("/api/v1/episodes").status_code == 200  # still signed in, nothing broke


def test_a_huge_id_is_a_plain_not_found(signed_in: tuple[FastAPI, TestClient]) -> None:
    _, client = signed_in
    api = client.get("/api/v1/episodes/9223372036854775808")
    assert (api.status_code, api.json()) == (404, {"detail": "Not Found"})
    page = client.get("/diary/episodes/2147483648")
    assert (page.status_code, page.text) == (404, "Not Found")
    share = client.post("/care/shares/2147483648/revoke", headers={"X-CSRF-Token": "x"})
    assert share.status_code == 404  # refused before anything, even the CSRF check


def test_an_id_below_one_is_refused_naming_the_field(signed_in: tuple[FastAPI, TestClient]) -> None:
    _, client = signed_in
    response = client.get("/api/v1/episodes/0")
    assert response.status_code == 422
    assert response.json()["field"] == "episode_id"
    assert "episode_id" in response.json()["detail"]


def test_a_number_out_of_range_in_a_query_is_refused_naming_the_field(
    signed_in: tuple[FastAPI, TestClient],
) -> None:
    _, client = signed_in
    page = client.get("/diary?page=9223372036854775808")
    assert page.status_code == 422 and "'page'" in page.text
    _assert_secure_headers(page, "/diary")
    api = client.get("/api/v1/episodes?start=99999999999")
    assert api.status_code == 422
    assert api.json()["field"] == "start"


@pytest.mark.parametrize(
    ("method", "url", "field"),
    [
        ("GET", "/api/v1/days/0", "day"),
        ("GET", "/api/v1/days/1700000000", "day"),
        ("GET", "/api/v1/days/2026-02-30", "day"),
        ("PUT", "/api/v1/days/0", "day"),
        ("DELETE", "/api/v1/days/0", "day"),
        ("GET", "/api/v1/episodes?start=0", "start"),
        ("GET", "/api/v1/days?end=12", "end"),
    ],
)
def test_a_date_that_is_not_iso_is_refused_naming_the_field(
    signed_in: tuple[FastAPI, TestClient], method: str, url: str, field: str
) -> None:
    _, client = signed_in
    headers = {"X-CSRF-Token": session_csrf(client)}
    response = client.request(method, url, headers=headers, json={"values": {}})
    assert response.status_code == 422, response.text
    assert response.json()["field"] == field
    assert f"field '{field}'" in response.json()["detail"]


def test_a_day_in_iso_form_still_works(signed_in: tuple[FastAPI, TestClient]) -> None:
    _, client = signed_in
    headers = {"X-CSRF-Token": session_csrf(client)}
    put = client.put("/api/v1/days/2026-01-31", json={"values": {"fluids_l": 2}}, headers=headers)
    assert put.status_code == 200, put.text
    assert client.get("/api/v1/days/2026-01-31").json()["date"] == "2026-01-31"


def test_every_api_422_has_the_documented_shape(signed_in: tuple[FastAPI, TestClient]) -> None:
    _, client = signed_in
    spec = client.get("/api/v1/openapi.json").json()
    problem = spec["components"]["schemas"]["InputProblem"]
    assert set(problem["properties"]) == {"detail", "field"}
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    documented = 0
    for operations in spec["paths"].values():
        for operation in operations.values():
            answer = operation["responses"].get("422")
            if answer is not None:
                schema = answer["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/InputProblem"}
                documented += 1
    assert documented >= 10
    headers = {"X-CSRF-Token": session_csrf(client)}
    refused = [
        # InputError from the diary's own check
        client.post(
            "/api/v1/episodes",
            json={"started_at": "2026-01-05T03:00:00", "muscle": "ear"},
            headers=headers,
        ),
        # FastAPI's request validation (a missing field, a wrong type)
        client.post("/api/v1/episodes", json={"muscle": "calf"}, headers=headers),
        client.post("/api/v1/tokens", json={"name": "x", "valid_days": "ten"}, headers=headers),
        # a handler's own check
        client.patch("/api/v1/episodes/1", json={"started_at": "soon"}, headers=headers),
    ]
    for response in refused:
        assert response.status_code == 422, response.text
        body = response.json()
        assert set(body) == {"detail", "field"}, body
        assert isinstance(body["detail"], str) and body["field"], body
    assert refused[1].json()["field"] == "started_at"
    assert refused[2].json()["field"] == "valid_days"


def test_a_500_carries_the_security_headers(sqlite_url: str) -> None:
    app = create_app(fast_settings(sqlite_url))

    async def broken() -> None:
        raise RuntimeError("a bug")

    app.add_api_route("/broken", broken)
    api = next(r.app for r in app.routes if isinstance(r, Mount) and r.path == "/api/v1")
    assert isinstance(api, FastAPI)
    api.add_api_route("/broken", broken)
    try:
        with TestClient(app, base_url="https://testserver", raise_server_exceptions=False) as c:
            for url in ("/broken", "/api/v1/broken"):
                response = c.get(url)
                assert response.status_code == 500, url
                _assert_secure_headers(response, url)
                assert response.headers["x-frame-options"] == "DENY"
                assert "a bug" not in response.text
    finally:
        app.state.ctx.close()


def test_huge_ids_reach_no_query_on_an_anonymous_request(sqlite_url: str) -> None:
    app = create_app(fast_settings(sqlite_url))
    try:
        with new_client(app) as client:
            for url in ("/api/v1/episodes/9223372036854775808", "/practice/clients/2147483648"):
                response = client.get(url)
                assert response.status_code == 404, url
                _assert_secure_headers(response, url)
    finally:
        app.state.ctx.close()
