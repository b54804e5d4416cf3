"""The JSON API: episodes, days, factors, analysis, export, tokens, OpenAPI description."""

from __future__ import annotations

import io
import json
from datetime import date, timedelta

from fastapi import FastAPI

from crampwise.analysis.triggers import find_triggers
from crampwise.interop.csv import write_day_table

from ..support import TestClient, session_csrf


def _headers(client: TestClient) -> dict[str, str]:
    return {"X-CSRF-Token": session_csrf(client)}


def test_episode_crud_round_trip(owner: TestClient) -> None:
    h = _headers(owner)
    made = owner.post(
        "/api/v1/episodes",
        json={
            "started_at": "2026-11-22T02:15:00",
            "muscle": "calf",
            "side": "left",
            "duration_s": 90,
            "pain": 6,
            "woke": True,
            "helped": ["Stretch"],
        },
        headers=h,
    )
    assert made.status_code == 201
    ep = made.json()
    assert ep["night"] == "2026-11-21"  # 02:15 belongs to the night after the 21st
    assert ep["helped"] == ["stretch"]
    changed = owner.patch(f"/api/v1/episodes/{ep['id']}", json={"pain": 3}, headers=h)
    assert changed.status_code == 200 and changed.json()["pain"] == 3
    listed = owner.get("/api/v1/episodes", params={"start": "2026-11-21", "end": "2026-11-21"})
    assert [e["id"] for e in listed.json()] == [ep["id"]]
    assert owner.get("/api/v1/episodes", params={"start": "2026-11-22"}).json() == []
    assert owner.delete(f"/api/v1/episodes/{ep['id']}", headers=h).status_code == 204
    assert owner.get(f"/api/v1/episodes/{ep['id']}").status_code == 404


def test_bad_vocabulary_is_422_naming_the_field_and_writes_nothing(owner: TestClient) -> None:
    response = owner.post(
        "/api/v1/episodes",
        json={"started_at": "2026-11-22T02:15:00", "muscle": "knee"},
        headers=_headers(owner),
    )
    assert response.status_code == 422
    assert "episode.muscle" in response.json()["detail"]
    assert "calf" in response.json()["detail"]
    assert owner.get("/api/v1/episodes").json() == []


def test_offline_queue_retry_is_stored_once(owner: TestClient) -> None:
    body = {"started_at": "2026-11-22T04:00:00", "client_id": "phone-42"}
    first = owner.post("/api/v1/episodes", json=body, headers=_headers(owner))
    again = owner.post("/api/v1/episodes", json=body, headers=_headers(owner))
    assert first.json()["id"] == again.json()["id"]
    assert len(owner.get("/api/v1/episodes").json()) == 1


def test_days_put_get_clear_and_custom_factors(owner: TestClient) -> None:
    h = _headers(owner)
    factor = owner.post(
        "/api/v1/factors",
        json={"name": "coffee_cups", "kind": "numeric", "unit": "cups"},
        headers=h,
    )
    assert factor.status_code == 201
    names = {f["name"]: f["builtin"] for f in owner.get("/api/v1/factors").json()}
    assert names["fluids_l"] is True and names["coffee_cups"] is False
    put = owner.put(
        "/api/v1/days/2026-11-20",
        json={"values": {"fluids_l": 1.2, "legs_cold": True, "coffee_cups": 3}},
        headers=h,
    )
    assert put.status_code == 200
    got = owner.get("/api/v1/days/2026-11-20").json()
    assert got["values"] == {"fluids_l": 1.2, "legs_cold": True, "coffee_cups": 3.0}
    bad = owner.put("/api/v1/days/2026-11-20", json={"values": {"bedroom_temp_c": 99}}, headers=h)
    assert bad.status_code == 422 and "bedroom_temp_c" in bad.json()["detail"]
    assert owner.delete("/api/v1/days/2026-11-20", headers=h).status_code == 204
    assert owner.get("/api/v1/days/2026-11-20").status_code == 404


def _fill_diary(client: TestClient, nights: int = 40) -> None:
    h = _headers(client)
    start = date(2026, 9, 1)
    for i in range(nights):
        day = start + timedelta(days=i)
        cold = i % 3 == 0
        values = {"bedroom_temp_c": 14.0 if cold else 20.0 + (i % 4), "fluids_l": 1 + (i % 5) / 4}
        assert client.put(f"/api/v1/days/{day}", json={"values": values}, headers=h).is_success
        if cold or i % 7 == 1:
            at = f"{day + timedelta(days=1)}T03:00:00"
            assert client.post("/api/v1/episodes", json={"started_at": at}, headers=h).is_success


def test_export_and_analysis_match_the_library_on_the_same_diary(
    app: FastAPI, owner: TestClient
) -> None:
    _fill_diary(owner)
    table = app.state.ctx.store.diary("olive").day_table()
    expected_csv = io.StringIO()
    write_day_table(table, expected_csv)
    export = owner.get("/api/v1/export.csv")
    assert export.status_code == 200
    assert export.headers["content-type"].startswith("text/csv")
    assert export.text == expected_csv.getvalue()
    assert export.text.splitlines()[0].startswith("date,cramps")
    analysis = owner.get("/api/v1/analysis")
    assert analysis.status_code == 200
    expected = json.loads(json.dumps(find_triggers(table).to_dict()))
    assert analysis.json() == expected
    assert analysis.json()["nights"] == 40 and analysis.json()["enough_data"] is True


def test_tokens_list_shows_no_secret(owner: TestClient) -> None:
    made = owner.post("/api/v1/tokens", json={"name": "backup"}, headers=_headers(owner))
    secret = made.json()["token"]
    listed = owner.get("/api/v1/tokens")
    assert [t["name"] for t in listed.json()] == ["backup"]
    assert secret not in listed.text
    page = owner.get("/account/tokens")
    assert "backup" in page.text and secret not in page.text


def test_openapi_describes_the_api(client: TestClient) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    paths = spec["paths"]
    assert spec["servers"] == [{"url": "/api/v1"}]
    for path in (
        "/episodes",
        "/episodes/{episode_id}",
        "/days/{day}",
        "/factors",
        "/analysis",
        "/assessment",
        "/export.csv",
        "/tokens",
    ):
        assert path in paths, path
    assert not {"/login", "/setup", "/"} & set(paths)  # pages and sign-in stay out of it
    assert "EpisodeIn" in spec["components"]["schemas"]


def test_assessment_matches_the_library_and_is_kept(owner: TestClient) -> None:
    from crampwise.assess.assessment import assess

    situation = {
        "person": {"age": 67, "sex": "female"},
        "medications": ["Lasix"],
        "symptoms": ["one_leg_swollen"],
        "episode": {"muscle": "calf", "when": "night", "pain": 7},
    }
    response = owner.post("/api/v1/assessment", json=situation, headers=_headers(owner))
    assert response.status_code == 200
    expected = json.loads(json.dumps(assess(situation).to_dict()))
    assert response.json() == expected
    assert response.json()["triage"]["level"] in ("emergency", "urgent")
    kept = owner.get("/api/v1/assessment").json()
    assert kept["situation"] == situation and kept["result"] == expected
    bad = owner.post(
        "/api/v1/assessment", json={"episode": {"muscle": "knee"}}, headers=_headers(owner)
    )
    assert bad.status_code == 422 and "episode.muscle" in bad.json()["detail"]
