"""The 3 a.m. phone (390x844, dark): the log on the first screen from the shortcut or Tonight,
a cramp stored with leg and duration, the morning question, a Bedtime tick that leaves a
running timer running, and a diabetic person's Bedtime. Screenshots and axe on each page."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from typing import Any

import pytest

from crampwise.diary.model import Episode

from .browser_support import DESKTOP, new_context, owner_signed_in, run_axe, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

MORNING = datetime(2025, 12, 2, 7, 30)
EVENING = datetime(2025, 12, 2, 21, 30)
LAST_NIGHT = date(2025, 12, 1)
TONIGHT = date(2025, 12, 2)
CLOCK_USERS = ("tonight", "cramp", "checkin", "bedtime")


def _at(monkeypatch: Any, moment: datetime) -> None:
    # The live server runs in this process: its pages read the clock through `local_now`.
    for module in CLOCK_USERS:
        monkeypatch.setattr(f"crampwise.web.pages.{module}.local_now", lambda: moment)


def _serious(page: Any) -> list[str]:
    return [v["id"] for v in run_axe(page) if v.get("impact") in ("serious", "critical")]


def _on_first_screen(page: Any, selector: str) -> None:
    """Every match inside the first 844 px and above the tab bar fixed at the bottom."""
    bar = page.locator("nav.tabbar").bounding_box()
    bottom = min(844, bar["y"] if bar else 844)
    for i in range(page.locator(selector).count()):
        box = page.locator(selector).nth(i).bounding_box()
        assert box is not None and box["y"] + box["height"] <= bottom, (selector, i, box)


def test_the_night_flow_on_a_dark_phone(browser: Any, server: Any, monkeypatch: Any) -> None:
    _at(monkeypatch, EVENING)
    context, watch = new_context(browser, server, theme="dark")
    page = context.new_page()
    owner_signed_in(page, "nora")
    diary = server.store.diary("nora")

    # The manifest's long-press shortcut opens the log with nothing running.
    manifest = json.loads(page.request.get("/manifest.webmanifest").text())
    shortcut = next(s for s in manifest["shortcuts"] if s["name"] == "Log a cramp")
    page.goto(shortcut["url"])
    _on_first_screen(page, "button[name=pain]")
    _on_first_screen(page, "label.choice:has(input[name=side])")
    assert page.locator("#start-routine").is_visible()
    screenshot(page, "night-cramp-log-phone-dark")
    assert _serious(page) == []
    page.click("label.choice:has(input[name=side][value=left])")
    page.click("label.choice:has(input[name=duration][value='1_5'])")
    page.click("button[name=pain][value='6']")
    page.wait_for_url("**/?logged=cramp")
    (first,) = diary.episodes()
    assert (first.side, first.duration_s, first.pain) == ("left", 180, 6)

    # Once the usual leg is clear (three cramps with a leg), it is chosen in advance: from
    # the shortcut, literally two taps store a cramp with its leg and a chosen duration.
    for days in (9, 5):
        diary.add_episode(Episode(started_at=EVENING - timedelta(days=days), side="left"))
    taps: list[str] = []

    def tap(selector: str) -> None:
        taps.append(selector)
        page.click(selector)

    page.goto(shortcut["url"])
    _on_first_screen(page, "button[name=pain]")
    assert page.locator("input[name=side][value=left]").is_checked()
    tap("label.choice:has(input[name=duration][value='under_1'])")
    tap("button[name=pain][value='5']")
    page.wait_for_url("**/?logged=cramp")
    assert len(taps) == 2
    newest = max(diary.episodes(), key=lambda e: e.id or 0)
    assert (newest.side, newest.duration_s, newest.pain) == ("left", 30, 5)

    # From Tonight: Cramp now starts the routine; a leg and a pain later it is stored, with
    # the routine's timer as the duration.
    page.goto("/")
    page.click("a.cramp-now")
    page.wait_for_url("**/cramp")
    _on_first_screen(page, "button[name=pain]")
    _on_first_screen(page, "label.choice:has(input[name=side])")
    page.wait_for_function(
        "() => document.querySelector('#cramp-routine .elapsed').textContent !== ''"
    )
    screenshot(page, "night-cramp-now-phone-dark")
    assert _serious(page) == []
    page.click("label.choice:has(input[name=side][value=right])")
    page.click("button[name=pain][value='4']")
    page.wait_for_url("**/?logged=cramp")
    second = max(diary.episodes(), key=lambda e: e.id or 0)
    assert second.side == "right" and second.pain == 4
    assert second.duration_s is not None and 1 <= second.duration_s <= 60

    # Over 10 minutes: when to get help comes to the top before anything is saved.
    page.goto("/cramp?log=1")
    assert page.locator("#help-now").is_hidden()
    page.click("label.choice:has(input[name=duration][value='over_10'])")
    help_box = page.locator("#help-now")
    help_box.wait_for(state="visible")
    assert "get help now" in help_box.inner_text().lower()

    # Bedtime: a tick is saved in place and the running stretch timer keeps counting.
    page.goto("/bedtime")
    stretch = page.locator("section[data-routine-item]:has(#stretch-h)")
    stretch.locator("[data-action=start]").click()
    clock = stretch.locator(".clock")
    page.wait_for_function(
        "el => el.textContent !== '4:00'", arg=clock.element_handle(), timeout=5000
    )
    stretch.locator("form[data-tick] button").click()
    stretch.locator(".tick-words:text('Done ✓')").wait_for()
    before = clock.inner_text()
    page.wait_for_function(
        "([el, t]) => el.textContent !== t", arg=[clock.element_handle(), before]
    )
    assert stretch.locator("[data-action=start]").inner_text().startswith("Pause")
    assert page.url.endswith("/bedtime")
    assert diary.get_day(TONIGHT).values["stretched"] is True
    screenshot(page, "night-bedtime-phone-dark")
    assert _serious(page) == []
    page.goto("/")
    screenshot(page, "night-tonight-evening-phone-dark")
    assert _serious(page) == []

    # The morning: last night's question comes first; one tap stores a count.
    _at(monkeypatch, MORNING)
    page.goto("/")
    question = page.locator("#morning-checkin")
    box = question.bounding_box()
    assert box is not None and box["y"] + box["height"] <= 844
    screenshot(page, "night-tonight-morning-phone-dark")
    assert _serious(page) == []
    question.locator("button[name=unlogged_cramps][value='1']").click()
    page.wait_for_url("**/?logged=checkin")
    assert diary.unlogged_cramps()[LAST_NIGHT].count == 1
    assert page.locator("#morning-checkin").count() == 0
    page.goto("/checkin")
    screenshot(page, "night-checkin-phone-dark")
    assert _serious(page) == []
    watch.check()
    context.close()


def test_a_diabetic_persons_bedtime_offers_the_lukewarm_wash(
    browser: Any, server: Any, monkeypatch: Any
) -> None:
    _at(monkeypatch, EVENING)
    context, watch = new_context(browser, server, theme="light", viewport=DESKTOP)
    page = context.new_page()
    owner_signed_in(page, "nora")
    page.goto("/bedtime")
    assert page.locator("[data-timer]").count() == 2
    screenshot(page, "night-bedtime-desktop-light")
    for path, name in (("/", "tonight"), ("/cramp", "cramp"), ("/checkin", "checkin")):
        page.goto(path)
        screenshot(page, f"night-{name}-desktop-light")
        assert _serious(page) == [], path

    server.store.diary("nora").save_assessment({"conditions": ["diabetes"]}, {})
    page.goto("/bedtime")
    assert page.locator("#instead-h").inner_text().startswith("Brief lukewarm foot wash")
    assert page.locator("#bath-h").count() == 0
    assert page.locator("[data-timer]").count() == 1  # the stretch only: no footbath timer
    assert "footbath" not in (page.locator("[data-timer]").get_attribute("data-seconds") or "")
    screenshot(page, "night-bedtime-diabetic-desktop-light")
    assert _serious(page) == []
    watch.check()
    context.close()
