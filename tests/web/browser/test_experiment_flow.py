"""An experiment in a real browser: plan, start, record tonight, stop, read the result; every
page passes axe-core in both themes, with no CSP violation and no outside request."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

import pytest

from crampwise.diary.model import DayLog, Episode, night_of
from crampwise.experiments.plan import plan_experiment
from crampwise.experiments.running import start_experiment
from crampwise.web.pages.common import local_now

from .browser_support import new_context, owner_signed_in, run_axe, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def _blocking(page: Any) -> list[str]:
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes'][:3]]}"
        for v in run_axe(page)
        if v.get("impact") in ("serious", "critical")
    ]


def _finished_experiment(diary: Any) -> None:
    """Eight weeks of footbath on/off that ended last week: fewer cramps with it."""
    start = night_of(local_now()) - timedelta(days=63)
    plan = plan_experiment("warm_footbath", 4, 7, start, seed=5)
    start_experiment(diary, plan)
    for n, period in enumerate(plan.periods):
        for k in range(7):
            night = period.start + timedelta(days=k)
            on = period.condition == "on"
            diary.put_day(DayLog(night, {"footbath": on if (n, k) != (2, 3) else None}))
            for i in range((k + n) % 2 if on else 1 + (k % 3 == 0)):
                diary.add_episode(
                    Episode(datetime.combine(night + timedelta(days=1), time(3, 10 * i)))
                )


def _look(page: Any, name: str, seen: dict[str, list[str]]) -> None:
    """Screenshot the page and keep its serious axe-core violations under `name`."""
    seen[name] = _blocking(page)
    screenshot(page, f"experiment-{name}")


def _check_result(page: Any) -> None:
    verdict = page.inner_text(".exp-verdict")
    assert "sure it helps you" in verdict
    assert "Nights compared: 27 with" in verdict or "27 without" in verdict
    assert page.locator("svg.exp-chart rect.exp-bar").count() == 56
    assert "Placebo and expectation" in page.inner_text("main")


def test_plan_start_record_stop_and_read_the_result(browser: Any, server: Any) -> None:
    seen: dict[str, list[str]] = {}
    context, watch = new_context(browser, server, theme="dark")
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())  # the stop form asks to confirm
    owner_signed_in(page, "erin")
    page.goto("/more")
    page.click("a[href='/experiment']")
    page.wait_for_url("**/experiment")
    _look(page, "wizard-dark", seen)
    page.check("#remedy-calf_stretch_bedtime")
    page.fill("#exp-pairs", "2")
    page.fill("#exp-rate", "1.2")
    page.click("text=Show the schedule")
    page.wait_for_url("**/experiment/plan")
    assert page.locator(".exp-power").inner_text().startswith("With about 1.2 cramps")
    assert page.locator("table.exp-schedule tbody tr").count() == 4
    _look(page, "plan-dark", seen)
    page.click("text=Start this experiment")
    page.wait_for_url("**/experiment?started=1")
    condition = page.locator(".exp-condition").inner_text()
    assert condition in ("Tonight is an ON night: do it.", "Tonight is an OFF night: skip it.")
    page.click("text=Yes, I did")
    page.wait_for_url("**/experiment")
    assert "Recorded: yes" in page.locator("#tonight-h ~ form").inner_text()
    _look(page, "status-dark", seen)
    page.goto("/")
    assert condition.split(":")[0].lower() in page.inner_text("main").lower()
    page.goto("/experiment")
    page.click("text=Stop the experiment")
    page.wait_for_url("**/experiment/result?id=*")
    assert "Not enough nights to say" in page.inner_text(".exp-verdict")
    _finished_experiment(server.store.diary("erin"))
    page.goto("/experiment")
    page.click("text=Stop and see the result")
    page.wait_for_url("**/experiment/result?id=*")
    _check_result(page)
    _look(page, "result-dark", seen)
    watch.check()
    context.close()

    context, watch = new_context(browser, server, theme="light")
    page = context.new_page()
    owner_signed_in(page, "erin")
    page.goto("/experiment")
    assert page.locator("#past-h ~ ul li").count() == 2
    _look(page, "wizard-light", seen)
    page.goto("/experiment/result")
    _check_result(page)
    _look(page, "result-light", seen)
    tonight = night_of(local_now())
    start_experiment(server.store.diary("erin"), plan_experiment("massage_therapy", 3, 7, tonight))
    page.goto("/experiment")
    page.click("text=No, I didn't")
    page.wait_for_url("**/experiment")
    assert "Recorded: no" in page.locator("#tonight-h ~ form").inner_text()
    _look(page, "status-light", seen)
    watch.check()
    context.close()
    assert not any(seen.values()), {k: v for k, v in seen.items() if v}
