"""Every page in both themes: no serious or critical axe-core violations, no outside request,
no CSP violation; screenshots at phone and desktop size for people to look at."""

from __future__ import annotations

from typing import Any

import pytest

from .browser_support import DESKTOP, PHONE, new_context, owner_signed_in, run_axe, screenshot

# One worker runs every browser test: one Chromium, and module servers stay whole.
pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PAGES = [
    ("tonight", "/"),
    ("cramp", "/cramp"),
    ("bedtime", "/bedtime"),
    ("checkin", "/checkin"),
    ("diary", "/diary"),
    ("episode-edit", "EPISODE"),
    ("insights", "/insights"),
    ("insights-3-months", "/insights?range=3m"),
    ("care", "/care"),
    ("care-views", "/care/views"),
    ("care-practitioners", "/care/practitioners"),
    ("assess", "/assess"),
    ("guide", "/guide"),
    ("guide-remedies", "/guide/remedies"),
    ("guide-sources", "/guide/sources"),
    ("settings", "/settings"),
    ("password", "/account/password"),
    ("tokens", "/account/tokens"),
    ("invite", "/invite"),
    ("audit", "/audit"),
    ("more", "/more"),
    ("offline", "/offline"),
]


@pytest.fixture(scope="module")
def demo_owner(server: Any, browser: Any) -> str:
    """The owner account `olive` (its browser storage state), with the demo diary imported."""
    from crampwise.diary.demo import fill_demo

    context, _ = new_context(browser, server)
    page = context.new_page()
    owner_signed_in(page, "olive")
    state = context.storage_state()
    context.close()
    # fill_demo replaces a whole user, so it fills a scratch user that olive's diary copies.
    source = server.store.diary("demo-source")
    fill_demo(source, seed=7, days=200)
    olive = server.store.diary("olive")
    olive.import_day_table(source.day_table())
    for episode in source.episodes()[-20:]:
        episode.id = None
        olive.add_episode(episode)
    return state  # type: ignore[return-value]


def _blocking(violations: list[dict[str, Any]]) -> list[str]:
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes'][:3]]}"
        for v in violations
        if v.get("impact") in ("serious", "critical")
    ]


@pytest.mark.parametrize("theme", ["dark", "light"])
def test_every_page_is_accessible_in_both_themes(
    browser: Any, server: Any, demo_owner: Any, theme: str
) -> None:
    episode_id = server.store.diary("olive").episodes()[-1].id
    failures: dict[str, list[str]] = {}
    for size_name, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        context, watch = new_context(
            browser, server, theme=theme, viewport=viewport, storage_state=demo_owner
        )
        page = context.new_page()
        for name, path in PAGES:
            url = f"/diary/episodes/{episode_id}" if path == "EPISODE" else path
            response = page.goto(url)
            assert response is not None and response.status == 200, (url, response)
            assert page.evaluate("t => document.documentElement.classList.contains(t)", theme)
            if size_name == "phone":
                bad = _blocking(run_axe(page))
                if bad:
                    failures[f"{name} ({theme})"] = bad
            screenshot(page, f"{name}-{size_name}-{theme}")
        # The emergency result page, reached the way a person reaches it.
        page.goto("/assess")
        page.check("input[value=chest_pain]")
        page.click("#assess-form button[type=submit]")
        page.wait_for_selector("#triage")
        if size_name == "phone":
            bad = _blocking(run_axe(page))
            if bad:
                failures[f"assess-result ({theme})"] = bad
        screenshot(page, f"assess-emergency-{size_name}-{theme}")
        watch.check()
        context.close()
    # Signed out: the sign-in page (its form is the auth module's, its frame is base.html).
    context, watch = new_context(browser, server, theme=theme)
    page = context.new_page()
    page.goto("/login")
    bad = _blocking(run_axe(page))
    if bad:
        failures[f"login ({theme})"] = bad
    screenshot(page, f"login-phone-{theme}")
    watch.check()
    context.close()
    assert not failures, failures
