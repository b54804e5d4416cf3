"""The clinician PDF from Settings: the signed-in person's own diary, the chosen period, audited."""

from __future__ import annotations

import io
from datetime import datetime

import pytest
from fastapi import FastAPI
from pypdf import PdfReader

from crampwise.diary.model import Episode
from crampwise.store.care.repository import CareStore

from ..support import TestClient, new_client


def _pdf_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def _plant(app: FastAPI) -> None:
    olive = app.state.ctx.store.diary("olive")
    for day in (5, 6, 9):  # three cramps on three nights in January
        olive.add_episode(Episode(datetime(2026, 1, day, 23, 30), pain=5))
    olive.add_episode(Episode(datetime(2026, 2, 20, 23, 30)))  # outside the period asked for
    bob = app.state.ctx.store.diary("bob")
    for hour in range(1, 8):  # seven cramps on one night: must never reach olive's report
        bob.add_episode(Episode(datetime(2026, 1, 7, hour, 0), pain=9))


def test_report_covers_only_the_users_own_diary_in_the_period(
    app: FastAPI, owner: TestClient, guest: TestClient
) -> None:
    _plant(app)
    response = owner.get("/report.pdf?from=2026-01-01&to=2026-01-31")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == (
        'attachment; filename="crampwise-report-2026-01-01-2026-01-31.pdf"'
    )
    assert response.headers["cache-control"] == "no-store"
    text = _pdf_text(response.content)
    assert "Cramps 3 on 3 of 3 nights" in text
    assert "olive" in text and "bob" not in text
    bobs = _pdf_text(guest.get("/report.pdf?from=2026-01-01&to=2026-01-31").content)
    assert "Cramps 7 on 1 of 1 night;" in bobs and "olive" not in bobs


def test_default_period_is_the_last_twelve_weeks(
    owner: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        "crampwise.web.pages.report.local_now", lambda: datetime(2026, 3, 24, 1, 30)
    )
    response = owner.get("/report.pdf")
    assert response.status_code == 200
    name = "crampwise-report-2025-12-31-2026-03-24.pdf"  # 84 days ending today
    assert name in response.headers["content-disposition"]
    assert "Nights 31 Dec 2025 to 24 Mar 2026" in _pdf_text(response.content)


def test_bad_dates_are_refused_with_a_clear_message(owner: TestClient) -> None:
    response = owner.get("/report.pdf?from=2026-13-01")
    assert response.status_code == 422
    assert "field 'from': '2026-13-01' is not a date" in response.text
    backwards = owner.get("/report.pdf?from=2026-02-01&to=2026-01-01")
    assert backwards.status_code == 422
    assert "2026-02-01 is after 'to' 2026-01-01" in backwards.text
    earliest = owner.get("/report.pdf?to=0001-01-05")  # no 12 weeks before it: from day one
    assert earliest.status_code == 200
    assert "crampwise-report-0001-01-01-0001-01-05.pdf" in earliest.headers["content-disposition"]


def test_report_download_is_audited_as_an_export(app: FastAPI, owner: TestClient) -> None:
    assert owner.get("/report.pdf?from=2026-01-01&to=2026-01-02").status_code == 200
    [row] = CareStore(app.state.ctx.store.engine).audit_rows(action="export")
    assert (row.actor_name, row.subject_name, row.outcome, row.detail) == (
        "olive",
        "olive",
        "success",
        "format=pdf",
    )


def test_settings_offers_the_report_form_and_signed_out_gets_no_report(
    app: FastAPI, owner: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        "crampwise.web.pages.settings.local_now", lambda: datetime(2026, 3, 24, 20, 0)
    )
    page = owner.get("/settings").text
    assert 'action="/report.pdf"' in page and "Download report (PDF)" in page
    assert 'name="from" value="2025-12-31"' in page and 'name="to" value="2026-03-24"' in page
    with new_client(app) as stranger:
        refused = stranger.get("/report.pdf")
    assert refused.status_code == 303 and refused.headers["location"].startswith("/login")
