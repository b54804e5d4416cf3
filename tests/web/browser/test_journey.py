"""The whole first-run journey in a real Chromium against a real server, phone-sized:
owner account → cramp now → two-tap log → check-in → diary edit → insights on demo data →
an assessment with an emergency → CSV export → delete the account."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from crampwise.interop.csv import write_day_table

from ..support import PASSWORD
from .browser_support import new_context, screenshot, sign_up_owner

# One worker runs every browser test: one Chromium, and module servers stay whole.
pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def _csv(diary: Any) -> str:
    out = io.StringIO()
    write_day_table(diary.day_table(), out)
    return out.getvalue()


def test_first_run_to_account_deletion(browser: Any, server: Any, tmp_path: Path) -> None:
    context, watch = new_context(browser, server, theme="dark")
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())

    # First run: an empty server asks for the owner account.
    sign_up_owner(page, "olive")
    diary = server.store.diary("olive")

    # Cramp now: the countdown runs and is announced, then two taps log it.
    page.click("a.cramp-now")
    page.wait_for_url("**/cramp")
    clock = page.locator("#cramp-routine .clock")
    first = clock.inner_text()
    page.wait_for_function(
        "t => document.querySelector('#cramp-routine .clock').textContent !== t", arg=first
    )
    assert page.locator("#countdown-live").inner_text() != ""
    page.click("#next-step")
    assert "current" in (page.locator(".steps li").nth(1).get_attribute("class") or "")
    page.wait_for_timeout(1100)  # so the measured duration is at least a second
    page.click("label.choice:has(input[value=foot])")
    page.click("button[name=pain][value='7']")
    page.wait_for_url("**/?logged=cramp")
    assert "Cramp logged" in page.inner_text("main")
    episodes = diary.episodes()
    assert [(e.muscle, e.pain) for e in episodes] == [("foot", 7)]
    assert episodes[0].duration_s is not None and episodes[0].duration_s >= 1

    # Morning check-in about yesterday.
    page.click("nav.tabbar >> text=Check-in")
    page.wait_for_url("**/checkin")
    page.click("summary:has-text('More questions')")  # the numbers are folded
    page.fill("input[name=exercise_min]", "45")
    page.click("fieldset:has(legend:text('legs cold')) label:has(input[value=true])")
    sent_on = date.today()
    page.click("#checkin-form button[type=submit]")
    page.wait_for_url("**/?logged=checkin")
    # The check-in files last night (diary.model.last_night): at any hour, by the server's
    # real clock, the calendar day before today (read on both sides of the request, so a
    # run that crosses midnight still finds it).
    log = next(
        found
        for day in {sent_on, date.today()}
        if (found := diary.get_day(day - timedelta(days=1))) is not None
    )
    assert log.values["exercise_min"] == 45 and log.values["legs_cold"] is True

    # Diary: edit the cramp.
    page.click("nav.tabbar >> text=Diary")
    page.click(f"a[href='/diary/episodes/{episodes[0].id}']")
    page.fill("#pain", "3")
    page.click("form.card button[type=submit]:has-text('Save')")
    page.wait_for_url("**/diary")
    assert diary.get_episode(episodes[0].id).pain == 3
    assert "pain 3/10" in page.inner_text("main")

    # Insights on demo data: import the demo diary's CSV through Settings.
    from crampwise.diary.demo import fill_demo

    fill_demo(server.store.diary("demo-source"), seed=7, days=200)
    demo_csv = tmp_path / "demo.csv"
    demo_csv.write_text(_csv(server.store.diary("demo-source")), encoding="utf-8")
    page.goto("/settings")
    page.set_input_files("#import-file", str(demo_csv))
    page.click("form[action='/settings/import'] button[type=submit]")
    page.wait_for_selector("text=Imported:")
    page.click("nav.tabbar >> text=Insights")
    page.wait_for_url("**/insights")
    from crampwise.analysis.triggers import find_triggers

    report = find_triggers(diary.day_table())
    assert report.enough_data and report.significant, "the demo diary has planted triggers"
    from crampwise.web.charts.words import finding_sentence

    text = page.inner_text("main")
    assert f"{len(report.significant)} factor" in text
    for finding in report.significant:  # each finding in words, the statistics folded
        assert finding_sentence(finding) in text
        assert finding.plain not in text
    page.click("text=The statistics behind these findings")
    text = page.inner_text("main")
    for finding in report.significant:
        assert finding.plain in text
    # Each chart is drawn for a phone and for a desktop; one of each pair shows. Three show:
    # cramps over time, pain, and the factors' effects, each with a text alternative.
    shown = page.locator("svg.chart:visible")
    titles = [shown.nth(i).get_attribute("aria-label") or "" for i in range(shown.count())]
    assert len(titles) == 3 and all(titles), titles
    assert "Effects of the factors on cramps, with 95% intervals" in titles
    screenshot(page, "journey-insights-phone-dark")

    # An assessment with an emergency: the level comes first and says what to do.
    page.goto("/assess")
    page.check("input[value=chest_pain]")
    page.check("input[value=one_leg_swollen]")
    page.click("#assess-form button[type=submit]")
    banner = page.locator("#triage")
    assert "triage-emergency" in (banner.get_attribute("class") or "")
    assert banner.get_attribute("role") == "alert"
    assert re.search(r"EMERGENCY", banner.locator("h1").inner_text())
    assert banner.locator("a[href^='tel:']").count() >= 1
    box = banner.bounding_box()
    assert box is not None and box["y"] < 120, "the triage banner is the first thing on screen"
    screenshot(page, "journey-emergency-phone-dark")

    # Export: the CSV download is exactly the diary.
    page.goto("/settings")
    with page.expect_download() as download_info:
        page.click("a[href='/api/v1/export.csv']")
    exported = Path(download_info.value.path()).read_text(encoding="utf-8")
    assert exported.startswith("date,cramps")
    assert exported == _csv(diary)

    # Delete my account and all my data.
    page.fill("#delete-password", PASSWORD)
    page.click("#delete button[type=submit]")
    page.wait_for_load_state()
    assert "/login" in page.url or "/setup" in page.url
    assert "olive" not in server.store.users()
    watch.check()
    context.close()
