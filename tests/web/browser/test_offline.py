"""Offline: the app shell opens without a connection, and a cramp or check-in logged offline
is kept on the device and sent once when the connection returns (never twice on retry)."""

from __future__ import annotations

import time
from datetime import date
from typing import Any

import pytest

from .browser_support import new_context, owner_signed_in

# One worker runs every browser test: one Chromium, and module servers stay whole.
pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PENDING = "() => crampwise.pending().then(items => items.length)"


def _wait_for(predicate: Any, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the server to receive the entry")
        time.sleep(0.05)


def _shell_cached(page: Any) -> None:
    """Wait until the service worker is active and has the offline pages cached."""
    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    check = """async () => {
        const urls = ['/cramp', '/checkin', '/offline'];
        const hits = await Promise.all(urls.map(u => caches.match(u)));
        return hits.every(Boolean);
    }"""
    deadline = time.monotonic() + 10
    while not page.evaluate(check):
        assert time.monotonic() < deadline, "the service worker did not cache the offline pages"
        time.sleep(0.05)


def test_cramp_logged_offline_is_sent_once(browser: Any, server: Any) -> None:
    context, watch = new_context(browser, server, theme="light")
    page = context.new_page()
    owner_signed_in(page, "owen")
    diary = server.store.diary("owen")
    page.goto("/cramp")
    _shell_cached(page)

    context.set_offline(True)
    page.click("label.choice:has(input[value=calf])")
    page.click("button[name=pain][value='5']")
    status = page.locator("#log-status")
    status.wait_for(state="visible")
    assert "Saved on this device" in status.inner_text()
    assert page.evaluate(PENDING) == 1
    assert diary.episodes() == []

    # The connection returns: the queued cramp is sent by itself, once.
    context.set_offline(False)
    _wait_for(lambda: len(diary.episodes()) == 1)
    page.wait_for_function(f"({PENDING})().then(n => n === 0)")
    # The waiting notice says so once the server has the cramp.
    page.wait_for_function(
        "() => document.getElementById('log-status').textContent.startsWith('Sent')"
    )
    assert "will be sent" not in status.inner_text()
    stored = diary.episodes()[0]
    assert (stored.muscle, stored.pain) == ("calf", 5)
    assert stored.client_id

    # A retry after a lost answer replays the same client_id: still one cramp.
    page.evaluate(
        """cid => crampwise.enqueue('/api/v1/episodes', 'POST', {client_id: cid,
               started_at: '2026-01-01T03:00:00', muscle: 'calf', pain: 5})""",
        stored.client_id,
    )
    assert page.evaluate("() => crampwise.flush()") == 1
    assert len(diary.episodes()) == 1
    assert page.evaluate(PENDING) == 0
    watch.check()
    context.close()


def test_checkin_opens_and_saves_offline(browser: Any, server: Any) -> None:
    context, watch = new_context(browser, server, theme="dark")
    page = context.new_page()
    owner_signed_in(page, "owen")
    _shell_cached(page)
    diary = server.store.diary("owen")

    context.set_offline(True)
    page.goto("/checkin")  # answered by the service worker's copy
    assert page.locator("#offline-banner").is_visible()
    day = date.fromisoformat(page.input_value("input[name=date]"))
    page.click("summary:has-text('More questions')")
    page.fill("input[name=fluids_l]", "1.5")
    page.click("#checkin-form button[type=submit]")
    page.locator("#checkin-status").wait_for(state="visible")
    assert diary.get_day(day) is None

    context.set_offline(False)
    _wait_for(lambda: diary.get_day(day) is not None)
    assert diary.get_day(day).values["fluids_l"] == 1.5  # type: ignore[union-attr]

    # A page the worker never kept falls back to the offline page.
    context.set_offline(True)
    page.goto("/guide/sources")
    assert "You are offline" in page.inner_text("main")
    context.set_offline(False)
    watch.check()
    context.close()


def test_installable_and_forgets_pages_on_sign_out(browser: Any, server: Any) -> None:
    context, watch = new_context(browser, server, theme="dark")
    page = context.new_page()
    owner_signed_in(page, "owen")
    _shell_cached(page)
    cdp = context.new_cdp_session(page)
    errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
    # Playwright's contexts are incognito ones; anything else would stop installation.
    assert [e["errorId"] for e in errors if e["errorId"] != "in-incognito"] == [], errors
    manifest = cdp.send("Page.getAppManifest")
    assert manifest["url"].endswith("/manifest.webmanifest") and not manifest["errors"]

    # Signing out forgets the pages kept for offline use (they hold someone's diary).
    page.goto("/settings")
    page.click("form[action='/logout'] button[type=submit]")
    page.wait_for_url("**/login*")
    deadline = time.monotonic() + 10
    while page.evaluate("() => caches.match('/checkin').then(Boolean)"):
        assert time.monotonic() < deadline, "the offline copies outlived the session"
        time.sleep(0.05)
    watch.check()
    context.close()
