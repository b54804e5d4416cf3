"""Clinic mode: the owner's clinic details on the guide, and a public guide for visitors."""

from __future__ import annotations

import html

from ..support import TestClient
from .test_care_pages import post

CLINIC = {
    "name": "Calf & Co Physiotherapy",
    "address": "1 High Street, Leeds",
    "phone": "+44 113 496 0000",
    "booking_url": "https://book.example.org/calf",
}


def test_clinic_details_show_on_the_guide(owner: TestClient) -> None:
    saved = post(owner, "/care/clinic", CLINIC)
    assert saved.status_code == 303
    page = html.unescape(owner.get("/guide").text)
    for value in CLINIC.values():
        assert value in page
    topic = html.unescape(owner.get("/guide/remedies").text)
    assert CLINIC["name"] in topic
    assert CLINIC["name"] in html.unescape(owner.get("/care/clinic").text)


def test_public_guide_opens_the_guide_only(owner: TestClient, client: TestClient) -> None:
    assert client.get("/guide").status_code == 303  # private until the clinic says otherwise
    post(owner, "/care/clinic", {**CLINIC, "public_guide": "on"})
    for path in ("/guide", "/guide/remedies", "/guide/sources"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert 'data-session="out"' in response.text
        if path != "/guide/sources":  # the bibliography carries no clinic card
            assert CLINIC["name"] in html.unescape(response.text), path
    # Everything else stays behind sign-in.
    for path in ("/", "/diary", "/insights", "/care", "/care/views", "/practice", "/more"):
        response = client.get(path)
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/login"), path
    assert client.get("/api/v1/episodes").status_code == 401
    # Turning it off closes the guide again.
    post(owner, "/care/clinic", CLINIC)
    assert client.get("/guide").status_code == 303


def test_only_the_owner_sets_the_clinic(owner: TestClient, guest: TestClient) -> None:
    assert guest.get("/care/clinic").status_code == 404
    refused = post(guest, "/care/clinic", {**CLINIC, "public_guide": "on"})
    assert refused.status_code == 404
    assert CLINIC["name"] not in html.unescape(owner.get("/guide").text)


def test_booking_link_must_be_a_web_address(owner: TestClient) -> None:
    bad = post(owner, "/care/clinic", {**CLINIC, "booking_url": "javascript:alert(1)"})
    assert bad.status_code == 422
    assert "must start with https://" in bad.text
    assert "javascript:" not in owner.get("/guide").text
    nameless = post(owner, "/care/clinic", {"public_guide": "on"})
    assert nameless.status_code == 422
