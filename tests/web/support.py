"""Helpers for web tests: fast settings, CSRF scraping, sign-up and sign-in through the forms.

Clients talk to `https://testserver` because the session cookie is `Secure` (httpx, like a
browser, never sends it over plain http to a non-local host). Password hashing uses
argon2id at a low cost here so the suite stays quick; the algorithm is the same.
"""

from __future__ import annotations

import re
import warnings
from typing import Any

from fastapi import FastAPI

with warnings.catch_warnings():
    # Starlette 1.x nudges towards `httpx2`, which the pinned set does not ship; the
    # httpx-based TestClient still drives the real app end to end.
    warnings.filterwarnings("ignore", message=".*httpx2", category=UserWarning)
    from fastapi.testclient import TestClient

from crampwise.web.settings import WebSettings

PASSWORD = "correct horse battery"
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def fast_settings(url: str, **overrides: Any) -> WebSettings:
    """Web settings for tests: the given database, cheap argon2id parameters."""
    values: dict[str, Any] = {
        "database_url": url,
        "argon2_time_cost": 1,
        "argon2_memory_kib": 1024,
        "argon2_parallelism": 1,
    }
    values.update(overrides)
    return WebSettings(**values)


def form_csrf(html: str) -> str:
    """The CSRF token a page's form carries."""
    found = CSRF_RE.search(html)
    assert found, "no csrf_token field on the page"
    return found.group(1)


def new_client(app: FastAPI) -> TestClient:
    return TestClient(app, base_url="https://testserver", follow_redirects=False)


def setup_owner(client: TestClient, name: str = "olive", password: str = PASSWORD) -> None:
    """Create the owner account through the /setup form (the client is then signed in)."""
    token = form_csrf(client.get("/setup").text)
    response = client.post(
        "/setup",
        data={"name": name, "password": password, "password2": password, "csrf_token": token},
    )
    assert response.status_code == 303, response.text


def login(client: TestClient, name: str, password: str = PASSWORD) -> Any:
    token = form_csrf(client.get("/login").text)
    return client.post("/login", data={"name": name, "password": password, "csrf_token": token})


def session_csrf(client: TestClient) -> str:
    """The signed-in session's CSRF token (from a signed-in page's form)."""
    return form_csrf(client.get("/account/tokens").text)


def invite_and_join(owner: TestClient, guest: TestClient, name: str) -> None:
    """The owner makes an invitation link; `guest` follows it and creates `name`."""
    page = owner.post("/invite", data={"csrf_token": session_csrf(owner)})
    link = re.search(r'value="https://testserver(/join/[^"]+)"', page.text)
    assert link, page.text
    token = form_csrf(guest.get(link.group(1)).text)
    response = guest.post(
        link.group(1),
        data={"name": name, "password": PASSWORD, "password2": PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 303, response.text


def run_in_own_loop(coro: Any) -> Any:
    """asyncio.run in a fresh thread: Playwright's sync API may hold this thread's loop when
    browser tests ran earlier in the same worker process."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()
