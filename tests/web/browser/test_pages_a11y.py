"""Every page a signed-in owner, a new member, a practitioner and a signed-out visitor can
reach: no serious or critical axe-core violation in either theme (a dark phone and a light
desktop), no outside request, no console error, and a screenshot of each for people to look
at (test-artifacts/screenshots/review-<page>-phone-dark.png and -desktop-light.png).

Also checked on the way: the owner chose °F, and no page of theirs shows °C; sharing codes use
only the alphabet without look-alikes; the Copy button puts the code on the clipboard."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest

from ..support import PASSWORD
from .browser_support import (
    DESKTOP,
    PHONE,
    SCREENSHOTS,
    new_context,
    owner_signed_in,
    run_axe,
    screenshot,
)

# One worker runs every browser test: one Chromium, and module servers stay whole.
pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

# The two ways each page is looked at: theme, viewport and a name for the screenshot.
LOOKS = (("dark", PHONE, "phone-dark"), ("light", DESKTOP, "desktop-light"))


@dataclass
class People:
    """Browser storage states of each person, and what the pages need to be reached."""

    states: dict[str, Any] = field(default_factory=dict)
    links: dict[str, str] = field(default_factory=dict)
    ids: dict[str, int] = field(default_factory=dict)


def _sign_up_by_link(browser: Any, server: Any, link: str, name: str) -> Any:
    context, _ = new_context(browser, server)
    page = context.new_page()
    page.goto(link.replace("https://testserver", server.url))
    page.fill("#name", name)
    page.fill("#password", PASSWORD)
    page.fill("#password2", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/")
    state = context.storage_state()
    context.close()
    return state


def _invite(page: Any, role: str) -> str:
    page.goto("/invite")
    page.select_option("#invite-role", role)
    page.click("form[action='/invite'] button")
    return str(page.input_value("#invite-link"))


# The server under test checks entries against the real clock (a cramp in the future is
# refused), so the diary is laid out backwards from the day the run starts, read once: the
# pages are the same whatever that day is.
RUN_DAY = datetime.now().date()


def _fill_owner_diary(server: Any, today: date) -> int:
    """Six months of simulated diary for olive, with a finished experiment whose nights
    followed its schedule; returns that experiment's id (for its result page)."""
    from crampwise.diary.demo import fill_demo
    from crampwise.experiments.plan import plan_experiment

    plan = plan_experiment("warm_footbath", 4, 7, today - timedelta(weeks=10), seed=5)
    planned = {
        day: {"footbath": plan.condition_on(day) == "on"}
        for day in (plan.start + timedelta(days=i) for i in range((plan.end - plan.start).days + 1))
    }
    # fill_demo replaces a whole user, so it fills a scratch user that olive's diary copies.
    source = server.store.diary("demo-source")
    # Ends the night before last: last night's morning question is still to answer.
    fill_demo(source, seed=7, days=200, end=today - timedelta(days=2), planned=planned)
    olive = server.store.diary("olive")
    olive.import_day_table(source.day_table())
    for episode in source.episodes()[-40:]:
        episode.id = None
        olive.add_episode(episode)
    record = olive.save_experiment(plan.intervention, list(plan.periods), 0, factor=plan.column)
    olive.stop_experiment(record.id)
    return int(record.id)


@pytest.fixture(scope="module")
def people(server: Any, browser: Any) -> People:
    """olive the owner (°F, a long diary, a finished experiment), nell a new member, dana a
    massage therapist with olive's whole diary shared, and olive's sample account."""
    from crampwise.store.care.invitations import CODE_ALPHABET

    found = People()
    context, watch = new_context(browser, server, permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    owner_signed_in(page, "olive")
    page.goto("/settings")
    page.check("input[name=units][value=us]")
    page.click("#units button[type=submit]")
    found.ids["result"] = _fill_owner_diary(server, RUN_DAY)
    dana_link = _invite(page, "massage_therapist")
    nell_link = _invite(page, "member")
    found.links["join"] = _invite(page, "member").replace("https://testserver", "")
    found.states["dana"] = _sign_up_by_link(browser, server, dana_link, "dana")
    found.states["nell"] = _sign_up_by_link(browser, server, nell_link, "nell")

    # olive shares everything with dana: a code without look-alikes, copied with one tap.
    codes = []
    for _ in range(2):
        page.goto("/care")
        for box in page.locator("form[action='/care/invite'] input[name=scopes]").all():
            box.check()
        page.click("form[action='/care/invite'] button[type=submit]")
        codes.append(page.input_value("#care-code"))
    page.click("button[data-copy=care-code]")
    page.wait_for_function("() => document.querySelector('#care-code-status').textContent")
    assert page.evaluate("() => navigator.clipboard.readText()") == codes[-1]
    for code in codes:
        assert set(code.replace("-", "")) <= set(CODE_ALPHABET), code
    found.links["accept"] = page.input_value("#care-link").replace("https://testserver", "")
    found.states["olive"] = context.storage_state()
    watch.check()
    context.close()

    context, _ = new_context(browser, server, storage_state=found.states["dana"])
    dana = context.new_page()
    dana.goto("/practice")
    dana.fill("#code", codes[0])
    dana.click("form[action='/practice/accept'] button")
    dana.wait_for_url("**/practice/clients/*")
    found.links["client"] = dana.url.replace(server.url, "")
    context.close()

    # The sample account, opened from Settings in its own session.
    context, _ = new_context(browser, server)
    sample = context.new_page()
    owner_signed_in(sample, "olive")
    sample.goto("/settings")
    sample.click("form[action='/account/sample'] button")
    sample.wait_for_url("**/insights")
    found.states["sample"] = context.storage_state()
    context.close()
    return found


def _at(monkeypatch: Any, hour: int) -> None:
    moment = datetime.combine(RUN_DAY, time(hour, 30))
    monkeypatch.setattr("crampwise.web.pages.tonight.local_now", lambda: moment)


Step = str | Callable[[Any], None]


def _page_list(people: People, monkeypatch: Any) -> list[tuple[str | None, str, Step]]:
    """(who, name, path or a function that reaches the page) for every page."""

    def evening(page: Any) -> None:
        _at(monkeypatch, 21)
        page.goto("/")

    def morning(page: Any) -> None:
        _at(monkeypatch, 7)
        page.goto("/")
        page.locator("#morning-checkin").wait_for()

    def cramp_now(page: Any) -> None:
        page.goto("/")
        page.click("a.cramp-now")
        page.wait_for_url("**/cramp")
        page.wait_for_function(
            "() => document.querySelector('#cramp-routine .elapsed').textContent !== ''"
        )

    def episode(page: Any) -> None:
        page.goto("/diary")
        page.locator("a[href^='/diary/episodes/']").first.click()
        page.wait_for_url("**/diary/episodes/*")

    def plan(page: Any) -> None:
        page.goto("/experiment")
        page.check("input[name=intervention][value=calf_stretch_bedtime]")
        page.click("form[action='/experiment/plan'] button[type=submit]")
        page.wait_for_url("**/experiment/plan")

    def assess_result(page: Any) -> None:
        page.goto("/assess")
        page.check("input[value=chest_pain]")
        page.click("#assess-form button[type=submit]")
        page.wait_for_selector("#triage")

    owner: list[tuple[str | None, str, Step]] = [
        ("olive", "tonight-evening", evening),
        ("olive", "tonight-morning", morning),
        ("olive", "cramp-now", cramp_now),
        ("olive", "cramp-log-shortcut", "/cramp?log=1"),
        ("olive", "checkin", "/checkin"),
        ("olive", "bedtime", "/bedtime"),
        ("olive", "diary", "/diary"),
        ("olive", "diary-new-day", "/diary/new"),
        ("olive", "episode-edit", episode),
        ("olive", "insights", "/insights"),
        ("olive", "insights-3-months", "/insights?range=3m"),
        ("olive", "experiment-wizard", "/experiment"),
        ("olive", "experiment-plan", plan),
        ("olive", "experiment-result", f"/experiment/result?id={people.ids['result']}"),
        ("olive", "assess", "/assess"),
        ("olive", "assess-result", assess_result),
        ("olive", "guide", "/guide"),
        ("olive", "guide-remedies", "/guide/remedies"),
        ("olive", "guide-sources", "/guide/sources"),
        ("olive", "settings", "/settings"),
        ("olive", "password", "/account/password"),
        ("olive", "tokens", "/account/tokens"),
        ("olive", "more", "/more"),
        ("olive", "care", "/care"),
        ("olive", "care-who-saw", "/care/views"),
        ("olive", "care-practitioners", "/care/practitioners"),
        ("olive", "care-clinic", "/care/clinic"),
        ("olive", "invite", "/invite"),
        ("olive", "audit", "/audit"),
    ]
    return [
        *owner,
        ("sample", "sample-tonight", evening),
        ("sample", "sample-insights", "/insights"),
        ("sample", "sample-experiment-status", "/experiment"),
        ("sample", "sample-assess", "/assess"),
        ("nell", "new-tonight", evening),
        ("nell", "new-insights", "/insights"),
        ("nell", "new-diary", "/diary"),
        ("nell", "new-experiment-wizard", "/experiment"),
        ("nell", "new-practice-not-yet", "/practice"),
        ("dana", "practice-my-clients", "/practice"),
        ("dana", "practice-client", people.links["client"]),
        ("dana", "practice-accept-link", people.links["accept"]),
        ("dana", "practice-more", "/more"),
        (None, "login", "/login"),
        (None, "join-invitation", people.links["join"]),
        (None, "offline", "/offline"),
    ]


def _blocking(violations: list[dict[str, Any]]) -> list[str]:
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes'][:3]]}"
        for v in violations
        if v.get("impact") in ("serious", "critical")
    ]


@pytest.mark.parametrize(("theme", "viewport", "look"), LOOKS, ids=[look for *_, look in LOOKS])
def test_every_page_is_accessible_and_photographed(
    browser: Any,
    server: Any,
    people: People,
    monkeypatch: Any,
    theme: str,
    viewport: dict[str, int],
    look: str,
) -> None:
    failures: dict[str, list[str]] = {}
    contexts: dict[str | None, tuple[Any, Any, Any]] = {}
    for who, name, step in _page_list(people, monkeypatch):
        if who not in contexts:
            state = people.states.get(who) if who else None
            context, watch = new_context(
                browser, server, theme=theme, viewport=viewport, storage_state=state
            )
            contexts[who] = (context, watch, context.new_page())
        _, _, page = contexts[who]
        if isinstance(step, str):
            response = page.goto(step)
            # Not a practitioner yet: a friendly page, with the 404 a client expects.
            expected = 404 if name == "new-practice-not-yet" else 200
            assert response is not None and response.status == expected, (name, step, response)
        else:
            step(page)
        assert page.evaluate("t => document.documentElement.classList.contains(t)", theme)
        # olive chose °F: no Celsius on her pages (Settings offers both), not even in the
        # folded detail (a closed <details> is not in innerText, so read textContent).
        if who == "olive" and name != "settings":
            assert "°C" not in (page.text_content("main") or ""), name
        bad = _blocking(run_axe(page))
        if bad:
            failures[name] = bad
        screenshot(page, f"review-{name}-{look}")
    if look == "desktop-light":
        _report_pages(contexts["olive"][2])
    for who, (context, watch, _) in contexts.items():
        if who == "nell":  # the browser reports the not-yet page's 404 as a console error
            watch.problems = [p for p in watch.problems if "status of 404" not in p]
        watch.check()
        context.close()
    assert not failures, failures


def _report_pages(page: Any) -> None:
    """The clinician report is a PDF: its pages as PNGs beside the screenshots."""
    response = page.request.get("/report.pdf")
    assert response.status == 200 and response.body().startswith(b"%PDF")
    pdf = SCREENSHOTS / "review-report.pdf"
    pdf.write_bytes(response.body())
    if shutil.which("pdftoppm") is None:  # poppler-utils: only for looking at it
        return
    subprocess.run(
        ["pdftoppm", "-png", "-r", "80", str(pdf), str(SCREENSHOTS / "review-report")],
        check=True,
    )
