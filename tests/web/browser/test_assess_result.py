"""The assessment in a real browser: an urgent possible clot offers no massage anywhere on the
page; the result reads as a short summary first, the detail folded, in both themes and at
phone and desktop widths; the saved assessment comes back with its answers."""

from __future__ import annotations

from typing import Any

import pytest

from .browser_support import new_context, owner_signed_in, run_axe, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

DESKTOP = {"width": 1280, "height": 900}


def _assess_dvt(page: Any) -> None:
    page.goto("/assess?new=1")
    page.check("input[value=one_leg_swollen]")
    page.check("input[value=calf_pain_persists]")
    page.fill("#age", "64")
    page.select_option("#muscle", "calf")
    page.click("#assess-form button[type=submit]")
    page.wait_for_url("**/assess")
    page.wait_for_selector("#triage")


def test_an_urgent_possible_clot_shows_no_massage_anywhere(browser: Any, server: Any) -> None:
    context, watch = new_context(browser, server, theme="dark")
    page = context.new_page()
    owner_signed_in(page, "dora")
    _assess_dvt(page)
    assert "triage-urgent" in (page.get_attribute("#triage", "class") or "")
    # Tonight's part says, without naming it, why rubbing and warmth are left out.
    assert "Not for now: A leg that may hold a blood clot" in page.inner_text("main")
    # Every fold opened: nothing on the page, read or folded, offers massage or rubbing.
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    text = page.inner_text("body").lower()
    assert "massage" not in text and "rub the muscle" not in text
    assert "massage" not in page.content().lower()
    screenshot(page, "assess-dvt-phone-dark")
    # The saved assessment comes back on Assess, with its date, the same way.
    page.goto("/assess")
    assert page.is_visible("#last-triage") and "Your assessment of" in page.inner_text("main")
    assert page.is_checked("input[value=one_leg_swollen]")
    assert "massage" not in page.content().lower()
    watch.check()
    context.close()


@pytest.mark.parametrize(("theme", "viewport"), [("dark", None), ("light", DESKTOP)])
def test_the_result_is_a_short_summary_then_folds(
    browser: Any, server: Any, theme: str, viewport: dict[str, int] | None
) -> None:
    extra = {"viewport": viewport} if viewport else {}
    context, watch = new_context(browser, server, theme=theme, **extra)
    page = context.new_page()
    owner_signed_in(page, "dora")
    page.goto("/assess?new=1")
    page.check("input[value=diabetes]")
    page.check("input[name=legs_cold]")
    page.fill("#medications", "bendroflumethiazide, Lipitor")
    page.fill("#bedroom_temp", "15")
    page.select_option("#sleep_position", "prone")
    page.click("#assess-form button[type=submit]")
    page.wait_for_selector("#triage")
    main = page.inner_text("main")
    assert "What to do tonight" in main and "What may be behind your cramps" in main
    assert "your bedroom is 15 °C" in main and "you sleep on your front" in main
    for jargon in ("sequence ratio", "legs_cold", "medication="):
        assert jargon not in main  # folded details are not part of inner_text until opened
    assert page.locator("details").count() >= 4
    bad = [v["id"] for v in run_axe(page) if v.get("impact") in ("serious", "critical")]
    assert bad == []
    size = "desktop" if viewport else "phone"
    screenshot(page, f"assess-result-{size}-{theme}")
    watch.check()
    context.close()
