"""The practitioner's read-only JSON API (/api/v1/practice): consent, scopes, audit, no writes.

Every endpoint is tried as a signed-out stranger, another client, a practitioner without
consent and a practitioner whose share lacks the scope: never data. With consent the data
is what the library gives for the client; after a revocation (or past the end date) the
next request is refused, with a session cookie or a bearer token alike.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI

from crampwise.care.consent import SCOPES
from crampwise.diary.model import DayLog, Episode

from ..care.test_care_isolation import outsiders as outsiders  # the fixture
from ..care.test_care_pages import Team, accept, make_code, post, share_id
from ..care.test_care_pages import team as team  # the fixture
from ..support import TestClient, new_client, session_csrf

# Their diaries hold fixed dates in November 2026: the care team's today is frozen to match.
pytestmark = pytest.mark.usefixtures("care_clock")

# Each endpoint below /api/v1/practice/clients/{id}, with the scope it needs (None: any).
ENDPOINTS: dict[str, tuple[str, str | None]] = {
    "summary": ("", None),
    "episodes": ("/episodes", "diary"),
    "days": ("/days", "diary"),
    "insights": ("/insights", "insights"),
    "assessment": ("/assessments/latest", "assessments"),
    "report": ("/report.pdf", "reports"),
}
NOT_FOUND = {"detail": "Not Found"}
SECRET_NOTE = "carl-api-private-marker"
TRIAGE = {
    "triage": {
        "level": "urgent",
        "reasons": [{"id": "dvt_signs", "title": "Signs of a blood clot"}],
    }
}


def _url(carl_id: int, endpoint: str) -> str:
    return f"/api/v1/practice/clients/{carl_id}{ENDPOINTS[endpoint][0]}"


def _today() -> date:
    from crampwise.web.care.common import today

    return today()


def _fill(team: Team) -> Any:
    """carl's diary gets a day log, a cramp with a private note, an assessment, an experiment."""
    diary = team.app.state.ctx.store.diary("carl")
    diary.put_day(DayLog(date(2026, 11, 20), {"steps": 9000, "alcohol_units": 2}))
    diary.add_episode(Episode(started_at=datetime(2026, 11, 22, 4, 0), pain=5, note=SECRET_NOTE))
    diary.save_assessment({"symptoms": ["one_leg_swollen"]}, TRIAGE)
    diary.save_experiment(
        "magnesium",
        [{"start": "2026-11-01", "end": "2026-11-14", "condition": "on"}],
        factor="magnesium_mg",
    )
    return diary


def _share_all(team: Team, scopes: list[str] | None = None, ends_on: str = "") -> int:
    return accept(team.dana, make_code(team.carl, scopes or list(SCOPES), ends_on))


def _reads(team: Team, carl_id: int, outcome: str) -> list[Any]:
    return [
        r
        for r in team.care().audit_rows(subject_id=carl_id, action="practitioner_read")
        if r.outcome == outcome
    ]


def _bearer(app: FastAPI, client: TestClient) -> Iterator[TestClient]:
    made = client.post(
        "/api/v1/tokens", json={"name": "script"}, headers={"X-CSRF-Token": session_csrf(client)}
    )
    assert made.status_code == 201, made.text
    with new_client(app) as script:  # no cookies at all: the token alone
        script.headers["Authorization"] = f"Bearer {made.json()['token']}"
        yield script


def _refused(response: Any) -> None:
    assert response.status_code == 404, response.text
    assert response.json() == NOT_FOUND
    assert "carl" not in response.text and SECRET_NOTE not in response.text


# -- outsiders ------------------------------------------------------------------------------
@pytest.mark.parametrize("who", ["eve", "pete"])
def test_outsiders_get_404_and_no_data(
    team: Team, outsiders: dict[str, TestClient], who: str
) -> None:
    _fill(team)
    carl_id = _share_all(team)
    client = outsiders[who]
    denied_before = len(_reads(team, carl_id, "denied"))
    for endpoint in ENDPOINTS:
        response = client.get(_url(carl_id, endpoint))
        _refused(response)
        # An existing client answers exactly like one that does not exist.
        missing = client.get(_url(carl_id + 999, endpoint))
        assert (missing.status_code, missing.content) == (404, response.content), endpoint
    listing = client.get("/api/v1/practice/clients")
    denied = _reads(team, carl_id, "denied")
    if who == "eve":  # not a practitioner: the practitioner API does not exist for her
        assert listing.status_code == 404 and listing.json() == NOT_FOUND
        assert len(denied) == denied_before  # as the pages: no read was even attempted
    else:  # a practitioner without consent: each refused read is on record
        assert listing.status_code == 200 and listing.json() == []
        assert len(denied) == denied_before + len(ENDPOINTS)
        assert {r.actor_name for r in denied} == {"pete"}
    assert not [r for r in _reads(team, carl_id, "success") if r.actor_name == who]


def test_signed_out_stranger_gets_401_and_no_data(
    team: Team, outsiders: dict[str, TestClient]
) -> None:
    _fill(team)
    carl_id = _share_all(team)
    stranger = outsiders["stranger"]
    paths = ["/api/v1/practice/clients"] + [_url(carl_id, e) for e in ENDPOINTS]
    for path in paths:
        for headers in ({}, {"Authorization": "Bearer cw_not-a-token"}):
            response = stranger.get(path, headers=headers)
            assert response.status_code == 401, path
            assert "carl" not in response.text and SECRET_NOTE not in response.text, path


@pytest.mark.parametrize("missing", SCOPES)
def test_a_scope_not_granted_is_404_and_its_fields_never_appear(team: Team, missing: str) -> None:
    _fill(team)
    carl_id = _share_all(team, [s for s in SCOPES if s != missing])
    denied_before = len(_reads(team, carl_id, "denied"))
    for endpoint, (_, scope) in ENDPOINTS.items():
        response = team.dana.get(_url(carl_id, endpoint))
        if scope == missing:
            _refused(response)
        else:
            assert response.status_code == 200, (endpoint, response.text)
    assert len(_reads(team, carl_id, "denied")) == denied_before + (2 if missing == "diary" else 1)
    summary = team.dana.get(_url(carl_id, "summary")).json()
    keys = {"diary": "diary", "insights": "active_experiments", "assessments": "latest_triage"}
    for scope, key in keys.items():
        assert (key in summary) == (scope != missing), (scope, summary)
    assert summary["reports"] == (missing != "reports")
    if missing == "diary":
        assert SECRET_NOTE not in json.dumps(summary)


# -- with consent ---------------------------------------------------------------------------
def test_with_consent_the_data_is_what_the_library_gives(team: Team) -> None:
    from crampwise.analysis.triggers import find_triggers
    from crampwise.web.care.view import assessment_summary, diary_summary

    diary = _fill(team)
    carl_id = _share_all(team)
    today = _today()

    [listed] = team.dana.get("/api/v1/practice/clients").json()
    assert listed["id"] == carl_id and listed["name"] == "carl"
    assert listed["scopes"] == sorted(SCOPES) and listed["ends_on"] is None

    summary = team.dana.get(_url(carl_id, "summary")).json()
    expected = diary_summary(diary, today)
    assert summary["diary"]["nights_woken"] == expected.nights_woken == 1
    assert summary["diary"]["days_since_entry"] == expected.days_since_entry
    assert summary["diary"]["nights_logged"] == expected.nights_logged
    assert summary["diary"]["trend"] == expected.trend
    assert summary["diary"]["cramps_per_week"] == (
        round(expected.per_week, 2) if expected.per_week is not None else None
    )
    assert [e["intervention"] for e in summary["active_experiments"]] == ["magnesium"]
    assert summary["latest_triage"]["level"] == "urgent"
    assert summary["latest_triage"]["stands_out"] is True
    assert summary["reports"] is True

    own = [{k: v for k, v in e.items() if k != "client_id"} for e in team.carl.get(
        "/api/v1/episodes").json()]  # fmt: skip
    assert own and team.dana.get(_url(carl_id, "episodes")).json() == own
    assert team.dana.get(_url(carl_id, "days")).json() == team.carl.get("/api/v1/days").json()
    window = team.dana.get(_url(carl_id, "days") + "?start=2026-11-21").json()
    assert window == team.carl.get("/api/v1/days?start=2026-11-21").json()

    insights = team.dana.get(_url(carl_id, "insights")).json()
    assert insights["triggers"] == json.loads(
        json.dumps(find_triggers(diary.day_table()).to_dict())
    )
    assert insights["triggers"] == team.carl.get("/api/v1/analysis").json()
    assert [e["id"] for e in insights["experiments"]] == [e.id for e in diary.experiments()]

    latest = assessment_summary(diary)
    assert latest is not None
    assert team.dana.get(_url(carl_id, "assessment")).json() == {
        "level": latest.level,
        "assessed_on": latest.assessed_on.isoformat(),
        "reasons": ["Signs of a blood clot"],
        "stands_out": True,
    }

    pdf = team.dana.get(_url(carl_id, "report"))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf.headers["content-type"] == "application/pdf"

    details = {r.detail for r in _reads(team, carl_id, "success") if r.actor_name == "dana"}
    for what in ("summary", "episodes", "days", "insights", "assessment", "report"):
        assert any(d and d.startswith(f"page=api-{what}") for d in details), (what, details)
    # The client sees those reads on their "who saw my data" page.
    assert team.carl.get("/care/views").text.count("<td>dana</td>") >= len(ENDPOINTS)


def test_latest_assessment_is_null_when_there_is_none(team: Team) -> None:
    carl_id = _share_all(team, ["assessments"])
    response = team.dana.get(_url(carl_id, "assessment"))
    assert response.status_code == 200 and response.json() is None


def test_report_period_is_capped_at_the_share_end(team: Team) -> None:
    from io import BytesIO

    from pypdf import PdfReader

    ends = _today() + timedelta(days=10)
    carl_id = _share_all(team, ["reports"], ends.isoformat())
    beyond = ends + timedelta(days=30)
    pdf = team.dana.get(_url(carl_id, "report") + f"?from=2026-11-01&to={beyond.isoformat()}")
    assert pdf.status_code == 200, pdf.text
    text = PdfReader(BytesIO(pdf.content)).pages[0].extract_text()
    assert f"Nights 01 Nov 2026 to {ends:%d %b %Y}" in text
    bad = team.dana.get(_url(carl_id, "report") + "?from=yesterday")
    assert bad.status_code == 422 and bad.json()["field"] == "from"


# -- revocation and end dates ---------------------------------------------------------------
def test_revocation_refuses_the_next_request_by_cookie_and_by_token(
    team: Team, app: FastAPI
) -> None:

    _fill(team)
    carl_id = _share_all(team)
    for script in _bearer(app, team.dana):
        for endpoint in ENDPOINTS:
            assert team.dana.get(_url(carl_id, endpoint)).status_code == 200, endpoint
            assert script.get(_url(carl_id, endpoint)).status_code == 200, endpoint
        assert len(script.get("/api/v1/practice/clients").json()) == 1

        revoked = post(team.carl, f"/care/shares/{share_id(team.carl)}/revoke")
        assert revoked.status_code == 303
        denied_before = len(_reads(team, carl_id, "denied"))
        for endpoint in ENDPOINTS:
            _refused(team.dana.get(_url(carl_id, endpoint)))
            _refused(script.get(_url(carl_id, endpoint)))
        assert script.get("/api/v1/practice/clients").json() == []
        assert team.dana.get("/api/v1/practice/clients").json() == []
        assert len(_reads(team, carl_id, "denied")) == denied_before + 2 * len(ENDPOINTS)


def test_a_scope_taken_away_is_refused_on_the_next_request(team: Team) -> None:
    carl_id = _share_all(team, ["diary", "reports"])
    assert team.dana.get(_url(carl_id, "episodes")).status_code == 200
    changed = post(team.carl, f"/care/shares/{share_id(team.carl)}", {"scopes": ["reports"]})
    assert changed.status_code == 303
    _refused(team.dana.get(_url(carl_id, "episodes")))
    assert "diary" not in team.dana.get(_url(carl_id, "summary")).json()


def test_a_share_past_its_end_date_is_refused(team: Team) -> None:
    import sqlalchemy as sa

    from crampwise.store.care.tables import care_shares

    carl_id = _share_all(team)
    assert team.dana.get(_url(carl_id, "episodes")).status_code == 200
    with team.app.state.ctx.store.engine.begin() as conn:
        conn.execute(sa.update(care_shares).values(ends_on=_today() - timedelta(days=1)))
    for endpoint in ENDPOINTS:
        _refused(team.dana.get(_url(carl_id, endpoint)))
    assert team.dana.get("/api/v1/practice/clients").json() == []


# -- read-only ------------------------------------------------------------------------------
def test_practitioners_cannot_write_through_the_practice_api(team: Team, app: FastAPI) -> None:
    from crampwise.web.api.practice import router

    assert {m for r in router.routes for m in getattr(r, "methods", ())} <= {"GET", "HEAD"}
    _fill(team)
    carl_id = _share_all(team)
    before = (
        team.carl.get("/api/v1/episodes").json(),
        team.carl.get("/api/v1/days").json(),
        team.carl.get("/api/v1/assessment").json(),
    )
    for script in _bearer(app, team.dana):  # a bearer token needs no CSRF token
        paths = ["/api/v1/practice/clients"] + [_url(carl_id, e) for e in ENDPOINTS]
        episode_id = before[0][0]["id"]
        paths += [
            f"{_url(carl_id, 'episodes')}/{episode_id}",
            f"{_url(carl_id, 'days')}/2026-11-20",
        ]
        for path in paths:
            for method in ("POST", "PUT", "PATCH", "DELETE"):
                response = script.request(method, path, json={"values": {"steps": 1}})
                assert response.status_code in (404, 405), (method, path)
                assert SECRET_NOTE not in response.text
    after = (
        team.carl.get("/api/v1/episodes").json(),
        team.carl.get("/api/v1/days").json(),
        team.carl.get("/api/v1/assessment").json(),
    )
    assert after == before


def test_openapi_describes_the_practice_api(client: TestClient) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    prefix = "/practice/clients"
    assert prefix in paths
    for suffix, _ in ENDPOINTS.values():
        path = f"{prefix}/{{client_id}}{suffix}"
        assert set(paths[path]) == {"get"}, path


def test_who_saw_my_data_names_api_reads_in_words() -> None:
    from crampwise.web.care.client import describe_read

    assert describe_read("page=api-episodes; scopes=diary") == "Your cramps, by their app (diary)"
    assert describe_read("page=client; scopes=diary,reports") == "Your page (diary, reports)"
    assert describe_read("page=something-new") == "Your data"
