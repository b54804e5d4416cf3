"""Helpers for the browser tests: contexts that watch requests, sign-up, screenshots, axe."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..support import PASSWORD

ROOT = Path(__file__).resolve().parents[3]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
AXE = Path(__file__).resolve().parents[1] / "vendor" / "axe.min.js"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


@dataclass
class Watch:
    """What a page did that it must not: outside requests, CSP violations, script errors."""

    origin: str
    outside: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def check(self) -> None:
        assert not self.outside, f"requests to outside hosts: {self.outside}"
        assert not self.problems, f"console errors: {self.problems}"


def new_context(browser: Any, server: Any, theme: str = "dark", **kwargs: Any) -> tuple[Any, Watch]:
    """A browser context on the server with the theme forced, watching every request."""
    kwargs.setdefault("viewport", PHONE)
    context = browser.new_context(
        base_url=server.url, color_scheme=theme, service_workers="allow", **kwargs
    )
    context.add_init_script(
        f"try {{localStorage.setItem('crampwise-theme', '{theme}') }} catch (e) {{}}"
    )
    watch = Watch(server.url)

    def on_request(request: Any) -> None:
        url = request.url
        if not url.startswith((server.url, "data:", "blob:", "about:")):
            watch.outside.append(url)

    def on_console(msg: Any) -> None:
        text = msg.text
        if msg.type == "error" and not _expected_error(text):
            watch.problems.append(text)

    context.on("request", on_request)
    context.on("console", on_console)
    context.on("weberror", lambda err: watch.problems.append(str(err.error)))
    return context, watch


def _expected_error(text: str) -> bool:
    # Offline tests provoke failed fetches on purpose; the page handles them.
    return "net::ERR_INTERNET_DISCONNECTED" in text or "Failed to fetch" in text


def sign_up_owner(page: Any, name: str) -> None:
    """First run: /setup creates the owner account and signs in."""
    page.goto("/")
    assert page.url.endswith("/setup"), page.url
    page.fill("#name", name)
    page.fill("#password", PASSWORD)
    page.fill("#password2", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/")


def log_in(page: Any, name: str) -> None:
    """Sign in through the login form."""
    page.goto("/login")
    page.fill("#name", name)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/")


def owner_signed_in(page: Any, name: str) -> None:
    """Sign in as the owner `name`, creating the account when the server is new."""
    page.goto("/")
    if page.url.endswith("/setup"):
        sign_up_owner(page, name)
    elif "/login" in page.url:
        log_in(page, name)


def screenshot(page: Any, name: str) -> Path:
    """Save a full-page screenshot under test-artifacts/screenshots/ (git-ignored)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def run_axe(page: Any) -> list[dict[str, Any]]:
    """axe-core's violations on the current page (axe evaluated through the DevTools protocol,
    which the page's CSP rightly does not let a <script> tag do)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    result: dict[str, Any] = page.evaluate("async () => await axe.run(document)")
    return list(result["violations"]) + _unreadable_text(result["incomplete"])


def _unreadable_text(incomplete: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Text axe measured below the contrast it needs but left "to review" (at 1:1 axe assumes
    the text may be hidden on purpose: a button's text in its own background colour was
    missed that way). Our pages hide nothing like that, so these count as violations."""
    found = []
    for check in incomplete:
        if check["id"] != "color-contrast":
            continue
        nodes = [
            node
            for node in check["nodes"]
            for data in [(node.get("any") or [{}])[0].get("data") or {}]
            if isinstance(data, dict)
            and data.get("contrastRatio")
            and data["contrastRatio"] < float(str(data.get("expectedContrastRatio", "4.5:1"))[:-2])
        ]
        if nodes:
            found.append({**check, "impact": "serious", "nodes": nodes})
    return found
