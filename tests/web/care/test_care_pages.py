"""Care team pages end to end: invite code, accept, dashboard, client page, note, revoke."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import unquote

import pytest
from fastapi import FastAPI

from crampwise.store.care.repository import CareStore

from ..support import TestClient, invite_and_join, login, new_client, session_csrf

# Their diaries hold fixed dates in November 2026: the care team's today is frozen to match.
pytestmark = pytest.mark.usefixtures("care_clock")

CRAMP = {"started_at": "2026-11-21T03:10:00", "muscle": "calf", "pain": 7, "woke": True}
CODE_RE = re.compile(r'id="care-code" class="wide" value="([^"]+)"')


@dataclass
class Team:
    """Owner olive, client carl (one cramp logged), practitioner dana (a physiotherapist)."""

    app: FastAPI
    olive: TestClient
    carl: TestClient
    dana: TestClient

    def care(self) -> CareStore:
        return CareStore(self.app.state.ctx.store.engine)


def post(client: TestClient, path: str, data: dict[str, Any] | None = None) -> Any:
    """A form POST with the session's CSRF token."""
    return client.post(path, data={"csrf_token": session_csrf(client), **(data or {})})


def mark_practitioner(owner: TestClient, name: str, profession: str = "physiotherapist") -> None:
    response = post(owner, "/care/practitioners", {"name": name, "profession": profession})
    assert response.status_code == 303, response.text


def make_code(client: TestClient, scopes: list[str], ends_on: str = "") -> str:
    page = post(client, "/care/invite", {"scopes": scopes, "ends_on": ends_on})
    found = CODE_RE.search(page.text)
    assert found, page.text
    return found.group(1)


def accept(practitioner: TestClient, code: str) -> int:
    """Redeem a code; returns the client id the practitioner is sent to."""
    response = post(practitioner, "/practice/accept", {"code": code})
    assert response.status_code == 303, response.text
    found = re.fullmatch(r"/practice/clients/(\d+)", response.headers["location"])
    assert found
    return int(found.group(1))


def share_id(client: TestClient) -> int:
    found = re.search(r'action="/care/shares/(\d+)/revoke"', client.get("/care").text)
    assert found
    return int(found.group(1))


@pytest.fixture
def team(app: FastAPI, owner: TestClient) -> Iterator[Team]:
    with new_client(app) as carl, new_client(app) as dana:
        invite_and_join(owner, carl, "carl")
        invite_and_join(owner, dana, "dana")
        made = carl.post(
            "/api/v1/episodes", json=CRAMP, headers={"X-CSRF-Token": session_csrf(carl)}
        )
        assert made.status_code == 201
        mark_practitioner(owner, "dana")
        yield Team(app, owner, carl, dana)


def test_whole_flow_invite_accept_read_note_revoke(team: Team) -> None:
    code = make_code(team.carl, ["diary", "assessments"])
    carl_id = accept(team.dana, code)

    dashboard = team.dana.get("/practice")
    assert dashboard.status_code == 200
    assert f'href="/practice/clients/{carl_id}">carl</a>' in dashboard.text
    # The nights behind the weekly rate, in words.
    assert "(1 night)" in dashboard.text and " n)" not in dashboard.text

    page = team.dana.get(f"/practice/clients/{carl_id}")
    assert page.status_code == 200
    assert "Cramps over time" in page.text and "1 night woken" in page.text
    assert "Findings" not in page.text  # insights not shared
    assert "report.pdf" not in page.text  # reports not shared
    assert team.dana.get(f"/practice/clients/{carl_id}/report.pdf").status_code == 404

    changed = post(team.carl, f"/care/shares/{share_id(team.carl)}", {"scopes": ["reports"]})
    assert changed.status_code == 303
    page = team.dana.get(f"/practice/clients/{carl_id}")
    assert "Cramps over time" not in page.text and "report.pdf" in page.text
    pdf = team.dana.get(f"/practice/clients/{carl_id}/report.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")

    noted = post(
        team.dana,
        f"/practice/clients/{carl_id}/notes",
        {"text": "Calf stretch 3 x 30 s at bedtime."},
    )
    assert noted.status_code == 303
    tonight = team.carl.get("/")
    assert "Calf stretch 3 x 30 s at bedtime." in tonight.text
    assert "From your care team" in tonight.text
    note_id = team.care().notes_for(carl_id)[0].id
    kept = post(team.carl, f"/care/notes/{note_id}/plan?from=tonight")
    assert kept.status_code == 303
    assert "in your plan" in team.carl.get("/").text
    # What the client kept is on the bedtime routine too; a note not kept is not.
    post(team.dana, f"/practice/clients/{carl_id}/notes", {"text": "Try less coffee."})
    bedtime = team.carl.get("/bedtime").text
    assert "Calf stretch 3 x 30 s at bedtime." in bedtime
    assert "Try less coffee." not in bedtime

    revoked = post(team.carl, f"/care/shares/{share_id(team.carl)}/revoke")
    assert revoked.status_code == 303
    # The practitioner's session is still open; the very next request is refused.
    assert team.dana.get(f"/practice/clients/{carl_id}").status_code == 404
    assert team.dana.get(f"/practice/clients/{carl_id}/report.pdf").status_code == 404
    assert "carl" not in team.dana.get("/practice").text.split("My clients", 1)[1]

    views = team.carl.get("/care/views")
    assert views.status_code == 200
    cells = re.findall(r"<td>dana</td><td>([^<]+)</td>", views.text)
    assert cells == [  # newest first; the refused reads after revoking are not views
        "PDF report",
        "Your page (reports)",
        "Your page (assessments, diary)",
        "Their client list (assessments, diary)",
    ]


def test_request_then_accept(team: Team) -> None:
    asked = post(team.dana, "/practice/requests", {"name": "carl"})
    assert asked.status_code == 303
    # Asking for an account that does not exist answers exactly the same.
    nobody = post(team.dana, "/practice/requests", {"name": "nobody"})
    assert nobody.headers["location"] == asked.headers["location"]
    care_page = team.carl.get("/care")
    assert "asks to see your diary" in care_page.text
    request_id = re.search(r'action="/care/requests/(\d+)"', care_page.text)
    assert request_id
    accepted = post(
        team.carl,
        f"/care/requests/{request_id.group(1)}",
        {"decision": "accept", "scopes": ["insights"]},
    )
    assert accepted.status_code == 303
    [share] = team.care().clients_of(team.care().practitioners()[0][0].id, _today())
    assert share.scopes == {"insights"} and share.client_name == "carl"
    page = team.dana.get(f"/practice/clients/{share.client_id}")
    assert "Findings" in page.text and "Cramps over time" not in page.text


def test_bad_consent_form_is_refused_with_the_reason(team: Team) -> None:
    page = post(team.carl, "/care/invite", {"scopes": ["diary", "everything"]})
    assert page.status_code == 422
    assert "'everything' is not one of: diary" in html.unescape(page.text)
    page = post(team.carl, "/care/invite", {"scopes": ["diary"], "ends_on": "2001-01-01"})
    assert page.status_code == 422 and "in the past" in page.text
    wrong = post(team.dana, "/practice/accept", {"code": "not-a-code"})
    assert wrong.status_code == 422 and "not valid" in wrong.text


def test_care_audit_rows_are_written_without_secrets(team: Team) -> None:
    code = make_code(team.carl, ["diary"])
    carl_id = accept(team.dana, code)
    team.dana.get(f"/practice/clients/{carl_id}")
    post(team.dana, f"/practice/clients/{carl_id}/notes", {"text": "secret-ish note text"})
    post(team.carl, f"/care/shares/{share_id(team.carl)}", {"scopes": ["diary", "reports"]})
    post(team.carl, f"/care/shares/{share_id(team.carl)}/revoke")
    team.dana.get(f"/practice/clients/{carl_id}")
    rows = team.care().audit_rows()
    actions = [(r.action, r.outcome) for r in reversed(rows)]
    for expected in [
        ("practitioner_mark", "success"),
        ("invite_create", "success"),
        ("share_grant", "success"),
        ("practitioner_read", "success"),
        ("note_add", "success"),
        ("share_change", "success"),
        ("share_revoke", "success"),
        ("practitioner_read", "denied"),
    ]:
        assert expected in actions
    assert all(r.address == "testclient" for r in rows if r.action != "practitioner_mark")
    text = " ".join(str(r) for r in rows)
    assert code not in text and "secret-ish" not in text


def _today() -> date:
    from crampwise.web.care.common import today

    return today()


def test_practitioner_sees_the_findings_the_client_sees(team: Team) -> None:
    from crampwise.diary.demo import simulate
    from crampwise.diary.model import CustomFactor

    # A fixed end date: the seasons in the simulated diary (and so what the analysis finds)
    # must not depend on the day the test runs.
    logs, episodes = simulate(seed=2, days=183, end=date(2026, 10, 31))
    diary = team.app.state.ctx.store.diary("carl")
    diary.define_factor(CustomFactor("coffee_cups", "numeric", "cups"))
    diary.put_days(logs, source="manual")
    diary.add_episodes(episodes)
    carl_id = accept(team.dana, make_code(team.carl, ["insights"]))
    own = re.findall(r"<li>([^<]+)</li>", team.carl.get("/insights").text.split("stand out")[1])
    page = team.dana.get(f"/practice/clients/{carl_id}").text
    findings = page.split('class="list findings"')[1].split("</ul>")[0]
    shown = re.findall(r"<li>([^<]+)</li>", findings)
    # The same findings, worded for the therapist: about the client, in words, no ratios.
    worded = [html.unescape(t).replace("Your cramps", "Your client's cramps") for t in own]
    assert shown and worded[: len(shown)] == [html.unescape(t) for t in shown]
    assert all(html.unescape(t).startswith("Your client's cramps were") for t in shown)
    assert not any("×" in t or "you had" in t for t in shown)
    assert "Effects with 95% intervals" in page and "<svg" in page
    assert "Cramps over time" not in page  # the diary itself was not shared


def test_sharing_link_survives_sign_in(team: Team, app: FastAPI) -> None:
    page = post(team.carl, "/care/invite", {"scopes": ["diary"]}).text
    link = re.search(r'id="care-link" class="wide" value="https://testserver([^"]+)"', page)
    code = CODE_RE.search(page)
    assert link and code and link.group(1) == f"/practice/accept?code={code.group(1)}"
    with new_client(app) as fresh:
        first = fresh.get(link.group(1))
        assert first.status_code == 303
        target = unquote(first.headers["location"].removeprefix("/login?next="))
        assert target == link.group(1)  # the code is kept through sign-in
        assert login(fresh, "dana").status_code == 303
        form = fresh.get(target)
        assert form.status_code == 200 and f'value="{code.group(1)}"' in form.text
        assert accept(fresh, code.group(1)) > 0


def test_practitioner_report_covers_the_asked_period_up_to_the_share_end(team: Team) -> None:
    from datetime import timedelta
    from io import BytesIO

    from pypdf import PdfReader

    mark_practitioner(team.olive, "dana")
    ends = _today() + timedelta(days=10)
    carl_id = accept(team.dana, make_code(team.carl, ["reports"], ends.isoformat()))

    def first_page(query: str) -> str:
        pdf = team.dana.get(f"/practice/clients/{carl_id}/report.pdf{query}")
        assert pdf.status_code == 200, pdf.text
        return PdfReader(BytesIO(pdf.content)).pages[0].extract_text()

    asked = first_page("?from=2026-11-01&to=2026-11-30")
    assert "Nights 01 Nov 2026 to 30 Nov 2026" in asked
    beyond = ends + timedelta(days=30)
    capped = first_page(f"?from=2026-11-01&to={beyond.isoformat()}")
    assert f"Nights 01 Nov 2026 to {ends:%d %b %Y}" in capped
    bad = team.dana.get(f"/practice/clients/{carl_id}/report.pdf?from=yesterday")
    assert bad.status_code == 422 and "field 'from'" in bad.text


def test_the_therapist_reads_conditions_sides_and_experiments_in_words(team: Team) -> None:
    from crampwise.experiments.plan import plan_experiment

    diary = team.app.state.ctx.store.diary("carl")
    diary.save_assessment(
        {"conditions": ["peripheral_arterial_disease", "diabetes"], "medications": ["statin"]},
        {"triage": {"level": "routine", "reasons": []}},
    )
    plan = plan_experiment("warm_footbath", 2, 7, date(2026, 11, 1), seed=3)
    diary.save_experiment(plan.intervention, list(plan.periods), 0, factor=plan.column)
    team.carl.post(
        "/api/v1/episodes",
        json={**CRAMP, "started_at": "2026-11-22T02:00:00", "side": "left", "duration_s": 180},
        headers={"X-CSRF-Token": session_csrf(team.carl)},
    )
    carl_id = accept(team.dana, make_code(team.carl, ["diary", "assessments", "insights"]))
    page = html.unescape(team.dana.get(f"/practice/clients/{carl_id}").text)
    assert (
        "<li>Narrowed leg arteries (peripheral arterial disease)</li>" in page
        and "<li>Diabetes</li>" in page
    )
    assert "<td>Left</td>" in page and "<td>3.0 min</td>" in page
    assert 'Warm footbath before bed <span class="muted">(under way)</span>' in page
    assert not re.search(r">[^<]*\b[a-z]+_[a-z]+\b[^<]*<", page.split("<main", 1)[1])
