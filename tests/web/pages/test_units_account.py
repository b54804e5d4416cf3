"""°C/°F is kept on the account: it follows the person to a new device and is theirs alone."""

from __future__ import annotations

import pytest
from fastapi import FastAPI

from crampwise.errors import InputError

from ..support import TestClient, login, new_client, session_csrf


def test_units_saved_in_settings_follow_the_account_to_another_device(
    app: FastAPI, owner: TestClient, guest: TestClient
) -> None:
    saved = owner.post("/settings/units", data={"csrf_token": session_csrf(owner), "units": "us"})
    assert saved.status_code == 303
    assert app.state.ctx.store.diary("olive").units() == "us"
    with new_client(app) as phone:  # no units cookie on this device
        assert login(phone, "olive").status_code == 303
        assert "crampwise_units" not in phone.cookies
        assert 'name="bedroom_temp_f"' in phone.get("/checkin").text
        assert "99–100 °F" in phone.get("/bedtime").text
        assert 'value="us" checked' in phone.get("/settings").text
    # bob's account keeps its own (default) units
    assert app.state.ctx.store.diary("bob").units() == "metric"
    assert 'name="bedroom_temp_c"' in guest.get("/checkin").text
    assert "37–38 °C" in guest.get("/bedtime").text


def test_a_stale_device_cookie_does_not_override_the_account(
    app: FastAPI, owner: TestClient
) -> None:
    owner.post("/settings/units", data={"csrf_token": session_csrf(owner), "units": "us"})
    assert owner.cookies.get("crampwise_units") == "us"  # this device remembers °F ...
    app.state.ctx.store.diary("olive").set_units("metric")  # ... then another device saves °C
    assert 'name="bedroom_temp_c"' in owner.get("/checkin").text
    assert "37–38 °C" in owner.get("/bedtime").text


def test_unknown_units_are_refused_and_nothing_changes(app: FastAPI, owner: TestClient) -> None:
    bad = owner.post("/settings/units", data={"csrf_token": session_csrf(owner), "units": "kelvin"})
    assert bad.status_code == 422 and "'kelvin' is not one of: metric, us" in bad.text
    diary = app.state.ctx.store.diary("olive")
    assert diary.units() == "metric"
    with pytest.raises(InputError, match="'imperial' is not one of"):
        diary.set_units("imperial")
    assert diary.set_units("us") == "us" and diary.units() == "us"
