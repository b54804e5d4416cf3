"""Sample data in its own account, invitations that carry the practitioner role, the page an
invited practitioner meets before the role, and sharing codes people can read aloud."""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI

from crampwise.store.care.invitations import CODE_ALPHABET, new_share_code, normalise_code

from ..support import TestClient, new_client, session_csrf


def _post(client: TestClient, path: str, data: dict[str, Any] | None = None) -> Any:
    return client.post(path, data={"csrf_token": session_csrf(client), **(data or {})})


def test_sample_account_is_separate_and_goes_in_one_click(app: FastAPI, owner: TestClient) -> None:
    store = app.state.ctx.store
    store.diary("olive").add_episodes([])  # the owner's own diary stays empty
    opened = _post(owner, "/account/sample")
    assert opened.status_code == 303 and opened.headers["location"] == "/insights"
    page = owner.get("/insights").text
    assert "This is sample data" in page and "Night by night" in page
    assert "olive+sample" in page
    sample = store.diary("olive+sample")
    assert len(sample.day_table()) >= 150 and sample.latest_assessment() is not None
    assert len(store.diary("olive").day_table()) == 0  # nothing mixed into the owner's diary
    # An experiment under way at once, its nights done or not as its schedule said.
    (running,) = [e for e in sample.experiments() if e.status == "active"]
    experiment = owner.get("/experiment").text
    assert "calf and hamstring stretching" in experiment.lower()
    table = sample.day_table()
    (column,) = [f for f in table.factors if f.name == "stretched"]
    stretched = dict(zip(table.dates, column.values, strict=True))
    followed = [
        (stretched[day], period["condition"] == "on")
        for period in running.schedule
        for day in table.dates
        if period["start"] <= day.isoformat() <= period["end"] and day in stretched
    ]
    assert len(followed) >= 30 and all(done is on for done, on in followed)
    back = _post(owner, "/account/sample/leave")
    assert back.headers["location"] == "/settings#sample"
    settings = owner.get("/settings").text
    assert (
        "Open the sample account" in settings
        and "olive+sample" not in settings.split("<main", 1)[1].split("Explore with sample data")[0]
    )
    gone = _post(owner, "/account/sample/delete")
    assert gone.status_code == 303
    assert "Explore with sample data" in owner.get("/settings").text
    assert app.state.ctx.auth.account_by_name("olive+sample") is None


def test_nobody_signs_in_to_a_sample(app: FastAPI, owner: TestClient) -> None:
    _post(owner, "/account/sample")
    _post(owner, "/account/sample/leave")
    with new_client(app) as other:
        token = re.search(r'name="csrf_token" value="([^"]+)"', other.get("/login").text)
        assert token
        tried = other.post(
            "/login", data={"name": "olive+sample", "password": "", "csrf_token": token.group(1)}
        )
        assert tried.status_code in (401, 422)


def test_invitation_as_practitioner_opens_my_clients(app: FastAPI, owner: TestClient) -> None:
    page = _post(owner, "/invite", {"role": "massage_therapist"}).text
    link = re.search(r'id="invite-link" class="wide" value="https://testserver([^"]+)"', page)
    assert link and "join as a massage therapist" in page and 'data-copy="invite-link"' in page
    with new_client(app) as dana:
        form = dana.get(link.group(1)).text
        assert "invited as a <strong>massage therapist</strong>" in form
        token = re.search(r'name="csrf_token" value="([^"]+)"', form)
        assert token
        joined = dana.post(
            link.group(1),
            data={
                "name": "dana",
                "password": "correct horse battery",
                "password2": "correct horse battery",
                "csrf_token": token.group(1),
            },
        )
        assert joined.status_code == 303
        tonight = dana.get("/").text
        assert '<a href="/practice"' in tonight.split('class="tabbar"')[1]  # main navigation
        assert dana.get("/practice").status_code == 200
    bad = _post(owner, "/invite", {"role": "wizard"})
    assert bad.status_code == 422 and "field &#39;profession&#39;" in bad.text


def test_before_the_role_a_friendly_page_not_raw_json(guest: TestClient) -> None:
    page = guest.get("/practice?x=1")
    assert page.status_code == 404
    assert "not a practitioner account yet" in page.text and "detail" not in page.text
    with_code = guest.get("/practice/accept?code=K7QM-4RXD-9TPA")
    assert with_code.status_code == 404 and "K7QM-4RXD-9TPA" in with_code.text
    assert 'href="/practice"' not in guest.get("/").text.split('class="tabbar"')[1]


def test_sharing_codes_have_no_look_alikes_and_read_in_groups() -> None:
    for _ in range(200):
        code = new_share_code()
        assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", code)
        assert not set(code.replace("-", "")) & set("0O1IL5SZ")
    assert not set(CODE_ALPHABET) & set("0Oo1lIi5Sz")
    assert normalise_code("k7qm 4rxd 9tpa") == "K7QM-4RXD-9TPA"
    assert normalise_code("K7QM4RXD9TPA") == "K7QM-4RXD-9TPA"
    assert normalise_code("i1jnatob5R3EA0l_") == "i1jnatob5R3EA0l_"  # an older code, as it was
