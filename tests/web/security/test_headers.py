"""Security headers on every kind of response, and nothing that reaches an outside host."""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI

from crampwise.errors import InputError
from crampwise.web.app import create_app
from crampwise.web.deps import STATIC_DIR, TEMPLATES_DIR
from crampwise.web.settings import allowed_host_list

from ..support import TestClient, fast_settings, new_client

CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "frame-ancestors": "'none'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
}


def _csp(header: str) -> dict[str, str]:
    parts = [p.strip().split(None, 1) for p in header.split(";") if p.strip()]
    return {p[0]: p[1] if len(p) > 1 else "" for p in parts}


@pytest.mark.parametrize(
    ("path", "cache"),
    [
        ("/account/tokens", "no-store"),  # a signed-in page
        ("/api/v1/episodes", "no-store"),  # diary data
        ("/api/v1/export.csv", "no-store"),
        ("/login", "no-store"),
        ("/static/app.css", "no-cache"),
        ("/no-such-page", "no-store"),
    ],
)
def test_security_headers_present(owner: TestClient, path: str, cache: str) -> None:
    response = owner.get(path)
    assert response.status_code in (200, 303, 404)
    policy = _csp(response.headers["content-security-policy"])
    for directive, value in CSP.items():
        assert policy[directive] == value, directive
    assert "unsafe-inline" not in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["cache-control"] == cache
    assert response.headers["strict-transport-security"].startswith("max-age=")


def test_hsts_only_over_https(app: FastAPI) -> None:
    with new_client(app) as secure:
        assert "strict-transport-security" in secure.get("/setup").headers
    from ..support import TestClient as Plain

    with Plain(app, base_url="http://testserver") as plain:
        response = plain.get("/setup")
        assert response.status_code == 200
        assert "strict-transport-security" not in response.headers
        assert response.headers["content-security-policy"]


def test_hsts_behind_a_trusted_proxy_only(sqlite_url: str) -> None:
    from ..support import TestClient as Plain
    from ..support import fast_settings

    forwarded = {"X-Forwarded-Proto": "https"}
    for trust, expected in ((False, False), (True, True)):
        app = create_app(fast_settings(sqlite_url, trust_proxy=trust))
        with Plain(app, base_url="http://testserver") as plain:
            headers = plain.get("/setup", headers=forwarded).headers
            assert ("strict-transport-security" in headers) is expected
        app.state.ctx.close()


def test_no_cdn_docs_pages(client: TestClient) -> None:
    # FastAPI's Swagger UI and ReDoc pull scripts from a CDN; they must not exist.
    for path in ("/docs", "/redoc", "/docs/oauth2-redirect"):
        assert client.get(path).status_code == 404
    assert client.get("/api/v1/openapi.json").status_code == 200


OUTSIDE = re.compile(r"""(?:src|href|action|url\()\s*=?\s*["']?(?:https?:)?//""", re.I)


def test_no_page_or_asset_loads_anything_from_outside(app: FastAPI, client: TestClient) -> None:
    templates = sorted(TEMPLATES_DIR.rglob("*.html"))
    assert len(templates) > 30
    for template in templates:
        text = template.read_text(encoding="utf-8")
        assert not OUTSIDE.search(text), template.name
        assert "<script>" not in text and "style=" not in text, template.name
    assert not OUTSIDE.search(client.get("/setup").text)
    for asset in STATIC_DIR.rglob("*"):
        if asset.suffix in (".css", ".js", ".webmanifest"):
            text = asset.read_text("utf-8")
            # Addresses with a scheme or protocol-relative: nothing outside may be named.
            assert not re.search(r"(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}", text, re.I), asset


def test_head_answers_like_get_without_a_body(owner: TestClient) -> None:
    for path in ("/", "/static/app.css", "/api/v1/episodes"):
        got, head = owner.get(path), owner.head(path)
        assert head.status_code == got.status_code == 200, path
        assert head.content == b""
        assert head.headers["content-security-policy"] == got.headers["content-security-policy"]
        assert head.headers["content-type"] == got.headers["content-type"]
    # HEAD is safe: it never changes state, so it needs no CSRF token and writes nothing.
    assert owner.head("/logout").status_code == 405


def test_allowed_hosts_follow_the_setting_else_the_listening_address(sqlite_url: str) -> None:
    def hosts(value: str, bind: str | None) -> list[str]:
        return allowed_host_list(fast_settings(sqlite_url, allowed_hosts=value), bind)

    assert hosts("", "127.0.0.1") == ["127.0.0.1", "localhost", "[::1]"]
    assert hosts("", "::1") == ["127.0.0.1", "localhost", "[::1]"]
    assert hosts("", "0.0.0.0") == ["*"]
    assert hosts("", None) == ["*"]
    assert hosts(" Cramps.example.org, *.clinic.example,10.0.0.5 ", "0.0.0.0") == [
        "cramps.example.org",
        "*.clinic.example",
        "10.0.0.5",
    ]
    # Behind a proxy the public name arrives as Host: loopback names alone would refuse all.
    proxied = fast_settings(sqlite_url, trust_proxy=True)
    assert allowed_host_list(proxied, "127.0.0.1") == ["*"]
    for bad in ("*example.org", "cramps.example.org:443", "https://cramps.example.org", "a/b"):
        with pytest.raises(InputError, match=r"CRAMPWISE_WEB_ALLOWED_HOSTS: .*no scheme, port"):
            hosts(f"localhost,{bad}", "127.0.0.1")
    app = create_app(fast_settings(sqlite_url, allowed_hosts="cramps.example.org"))
    try:
        with new_client(app) as client:
            assert client.get("/setup").status_code == 400  # Host: testserver
            client.base_url = "https://cramps.example.org"
            assert client.get("/setup").status_code == 200
    finally:
        app.state.ctx.close()
