"""Adversarial review (SR): a shared device's offline outbox never files one person's cramp
in another person's diary."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest

from ..support import PASSWORD
from .browser_support import new_context, owner_signed_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PENDING = "() => crampwise.pending().then(items => items.length)"


def test_queued_cramp_is_not_sent_as_the_next_person(browser: Any, server: Any) -> None:
    context, _watch = new_context(browser, server, theme="light")
    page = context.new_page()
    owner_signed_in(page, "owen")
    page.goto("/cramp")
    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")

    # Owen logs a cramp with no connection; before it is sent his session ends (expiry,
    # or someone clears it) and Bob signs in on the same phone.
    context.set_offline(True)
    page.click("label.choice:has(input[value=calf])")
    page.click("button[name=pain][value='5']")
    page.locator("#log-status").wait_for(state="visible")
    assert page.evaluate(PENDING) == 1
    context.clear_cookies()
    context.set_offline(False)

    ctx = server.app.state.ctx
    owen = ctx.auth.account_by_name("owen")
    token = ctx.auth.create_invitation(owen.id, timedelta(days=1))
    page.goto(f"/join/{token}")
    page.fill("#name", "bob")
    page.fill("#password", PASSWORD)
    page.fill("#password2", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/")
    page.goto("/cramp")
    page.evaluate("() => crampwise.flush()")
    time.sleep(0.5)
    assert server.store.diary("bob").episodes() == [], "Owen's cramp went into Bob's diary"
    assert server.store.diary("owen").episodes() == []
    assert page.locator("#queue-note").is_hidden(), "Bob is told about Owen's waiting entry"

    # Owen signs in again on this phone: his cramp goes to his own diary, once.
    context.clear_cookies()
    page.goto("/login")
    page.fill("#name", "owen")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/")
    deadline = time.monotonic() + 10
    while len(server.store.diary("owen").episodes()) != 1:
        assert time.monotonic() < deadline, "Owen's queued cramp was never sent"
        time.sleep(0.05)
    assert server.store.diary("bob").episodes() == []
    context.close()
