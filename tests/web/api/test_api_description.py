"""What schemathesis found, kept as plain tests: the API answers as its description says."""

from __future__ import annotations

from datetime import date

import pytest

from ..support import TestClient, session_csrf

CRAMP = {"started_at": "2026-01-10T03:10:00", "muscle": "calf", "pain": 6}


def _headers(client: TestClient) -> dict[str, str]:
    return {"X-CSRF-Token": session_csrf(client)}


def _cramp(owner: TestClient) -> int:
    made = owner.post("/api/v1/episodes", json=CRAMP, headers=_headers(owner))
    assert made.status_code == 201, made.text
    return int(made.json()["id"])


def test_a_null_start_in_a_change_is_refused_not_a_server_error(owner: TestClient) -> None:
    episode = _cramp(owner)
    answer = owner.patch(
        f"/api/v1/episodes/{episode}", json={"started_at": None}, headers=_headers(owner)
    )
    assert answer.status_code == 422
    assert answer.json()["field"] == "started_at"
    assert owner.get(f"/api/v1/episodes/{episode}").json()["started_at"] == CRAMP["started_at"]


def test_a_change_takes_only_editable_fields(owner: TestClient) -> None:
    episode = _cramp(owner)
    h = _headers(owner)
    refused = owner.patch(f"/api/v1/episodes/{episode}", json={"origin": "demo"}, headers=h)
    assert (refused.status_code, refused.json()["field"]) == (422, "origin")
    changed = owner.patch(f"/api/v1/episodes/{episode}", json={"pain": 3.0}, headers=h)
    assert (changed.status_code, changed.json()["pain"]) == (200, 3)


@pytest.mark.parametrize(
    ("field", "value"),
    [("pain", "6"), ("pain", 6.5), ("woke", "yes"), ("duration_s", "90"), ("started_at", 0)],
)
def test_values_of_the_wrong_type_are_refused_not_guessed(
    owner: TestClient, field: str, value: object
) -> None:
    answer = owner.post("/api/v1/episodes", json={**CRAMP, field: value}, headers=_headers(owner))
    assert (answer.status_code, answer.json()["field"]) == (422, field)
    assert owner.get("/api/v1/episodes").json() == []


def test_a_method_a_path_lacks_names_all_its_methods(owner: TestClient) -> None:
    answer = owner.options("/api/v1/episodes/1")
    assert answer.status_code == 405
    assert answer.headers["allow"] == "DELETE, GET, PATCH"
    assert owner.put("/api/v1/tokens", headers=_headers(owner)).headers["allow"] == "GET, POST"


def test_the_description_documents_refusals_and_file_answers(owner: TestClient) -> None:
    spec = owner.get("/api/v1/openapi.json").json()
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            assert {"401", "403", "404"} <= set(operation["responses"]), (method, path)
    assert "text/csv" in spec["paths"]["/export.csv"]["get"]["responses"]["200"]["content"]
    pdf = spec["paths"]["/practice/clients/{client_id}/report.pdf"]["get"]["responses"]["200"]
    assert "application/pdf" in pdf["content"]
    episode = spec["components"]["schemas"]["EpisodeIn"]
    assert episode["additionalProperties"] is False
    assert "calf" in episode["properties"]["muscle"]["enum"]


def test_days_show_the_nights_count_of_cramps_not_logged_one_by_one(owner: TestClient) -> None:
    h = _headers(owner)
    assert owner.put("/api/v1/days/2026-01-09", json={"values": {"stretched": True}}, headers=h)
    diary = owner.app.state.ctx.store.diary("olive")  # type: ignore[attr-defined]
    diary.set_unlogged_cramps(date(2026, 1, 10), 3, pain=5)
    days = owner.get("/api/v1/days").json()
    assert [(d["date"], d["unlogged_cramps"], d["unlogged_pain"]) for d in days] == [
        ("2026-01-09", None, None),
        ("2026-01-10", 3, 5),
    ]
    one = owner.get("/api/v1/days/2026-01-10").json()
    assert (one["unlogged_cramps"], one["values"]) == (3, {})
    # No episodes are made up for the count.
    assert owner.get("/api/v1/episodes").json() == []
