"""Stateful property test: at every step a practitioner reads exactly what consent allows.

Hypothesis drives grants (by code or by request), scope changes, revocations, days passing
past an end date, practitioner reads and the client deleting their account, against a
real database. A simple model says what the current consent is; after every step the
practitioner's view must hold the granted parts and nothing else, a practitioner without
consent must get nothing, and each successful read must be audited. The practitioner also
reads through the JSON API (/api/v1/practice, bearer token): same consent, same answer.
"""

from __future__ import annotations

import warnings
from datetime import date, timedelta
from typing import Any
from unittest.mock import patch

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from crampwise.care.consent import SCOPES
from crampwise.diary.model import night_of
from crampwise.errors import NotFoundError
from crampwise.store import Store, open_store
from crampwise.store.auth import AuthStore
from crampwise.store.care.repository import CareStore
from crampwise.web.app import create_app
from crampwise.web.care.view import RECENT_DAYS, client_view
from crampwise.web.settings import WebSettings

with warnings.catch_warnings():  # as tests/web/support.py: Starlette's nudge towards httpx2
    warnings.filterwarnings("ignore", message=".*httpx2", category=UserWarning)
    from fastapi.testclient import TestClient

from .conftest import WOKEN_AT, make_account, make_client, practitioner

WOKEN_NIGHT = night_of(WOKEN_AT)

scope_sets = st.frozensets(st.sampled_from(SCOPES), min_size=1)
end_offsets = st.one_of(st.none(), st.integers(min_value=0, max_value=5))


def consent_machine(store: Store, api: Any) -> type[RuleBasedStateMachine]:
    """The machine on `store`; `api` is a TestClient on a web app over the same store."""
    care = CareStore(store.engine)

    class Consent(RuleBasedStateMachine):
        @initialize()
        def people(self) -> None:
            self.today = date(2026, 11, 25)
            self.owner = make_account(store, "owner")
            self.client = make_client(store)
            self.doctor = practitioner(store, care, self.owner)
            self.outsider = practitioner(store, care, self.owner)
            tokens = AuthStore(store.engine)
            self.bearer = {
                who.id: {"Authorization": "Bearer " + tokens.create_api_token(who.id, "api")[1]}
                for who in (self.doctor, self.outsider)
            }
            self.deleted = False
            self.scopes: frozenset[str] | None = None  # the model: live consent, if any
            self.ends_on: date | None = None
            self.share_id: int | None = None

        def _ends(self, offset: int | None) -> date | None:
            return None if offset is None else self.today + timedelta(days=offset)

        def _allowed_now(self) -> frozenset[str]:
            live = self.scopes is not None and (self.ends_on is None or self.today <= self.ends_on)
            return self.scopes if live and self.scopes is not None else frozenset()

        @precondition(lambda self: not self.deleted)
        @rule(scopes=scope_sets, offset=end_offsets, by_code=st.booleans())
        def grant(self, scopes: frozenset[str], offset: int | None, by_code: bool) -> None:
            ends = self._ends(offset)
            if by_code:
                code = care.create_invitation(self.client, scopes, ends)
                share = care.redeem_invitation(self.doctor, code)
            else:
                care.request_share(self.doctor, self.client.name)
                [request] = care.pending_requests(self.client.id)
                answered = care.answer_request(self.client, request.id, scopes, ends)
                assert answered is not None
                share = answered
            self.scopes, self.ends_on, self.share_id = scopes, ends, share.id

        @precondition(lambda self: not self.deleted and self.share_id is not None)
        @rule(scopes=scope_sets, offset=end_offsets)
        def change(self, scopes: frozenset[str], offset: int | None) -> None:
            assert self.share_id is not None
            ends = self._ends(offset)
            care.change_share(self.client, self.share_id, scopes, ends)
            self.scopes, self.ends_on = scopes, ends

        @precondition(lambda self: not self.deleted and self.share_id is not None)
        @rule()
        def revoke(self) -> None:
            assert self.share_id is not None
            care.revoke_share(self.client, self.share_id)
            self.scopes = self.ends_on = self.share_id = None

        @rule(days=st.integers(min_value=1, max_value=4))
        def time_passes(self, days: int) -> None:
            self.today += timedelta(days=days)

        @precondition(lambda self: not self.deleted)
        @rule()
        def client_deletes_account(self) -> None:
            AuthStore(store.engine).delete_account(self.client.id)
            self.deleted = True
            self.scopes = self.ends_on = self.share_id = None

        @rule()
        def practitioner_reads(self) -> None:
            allowed = self._allowed_now()
            reads_before = len(care.views_of(self.client.id))
            if not allowed:
                with pytest.raises(NotFoundError):
                    client_view(care, store, self.doctor, self.client.id, self.today,
                                with_triggers=False)  # fmt: skip
                assert len(care.views_of(self.client.id)) == reads_before
                return
            view = client_view(
                care, store, self.doctor, self.client.id, self.today, with_triggers=False
            )
            assert view.granted == allowed
            assert (view.diary is not None) == ("diary" in allowed)
            assert (view.insights is not None) == ("insights" in allowed)
            assert (view.assessment is not None) == ("assessments" in allowed)
            assert view.reports == ("reports" in allowed)
            if view.diary is not None:
                recent = (self.today - WOKEN_NIGHT).days < RECENT_DAYS
                assert view.diary.nights_woken == (1 if recent else 0)
            if view.assessment is not None:
                assert view.assessment.level == "urgent" and view.assessment.stands_out
            [latest, *_] = care.views_of(self.client.id)
            assert len(care.views_of(self.client.id)) == reads_before + 1
            assert latest.actor_id == self.doctor.id

        @rule()
        def practitioner_reads_api(self) -> None:
            allowed = self._allowed_now()
            url = f"/api/v1/practice/clients/{self.client.id}"
            # The gate and the route each ask for today: both see the machine's date.
            with (
                patch("crampwise.web.api.practice.today", return_value=self.today),
                patch("crampwise.web.care.common.today", return_value=self.today),
            ):
                summary = api.get(url, headers=self.bearer[self.doctor.id])
                episodes = api.get(url + "/episodes", headers=self.bearer[self.doctor.id])
                outsider = api.get(url, headers=self.bearer[self.outsider.id])
            assert outsider.status_code == 404
            if not allowed:
                assert summary.status_code == episodes.status_code == 404
                assert summary.json() == episodes.json() == {"detail": "Not Found"}
                return
            assert summary.status_code == 200
            body = summary.json()
            assert set(body["client"]["scopes"]) == allowed
            assert ("diary" in body) == ("diary" in allowed)
            assert ("active_experiments" in body) == ("insights" in allowed)
            assert ("latest_triage" in body) == ("assessments" in allowed)
            assert body["reports"] == ("reports" in allowed)
            assert episodes.status_code == (200 if "diary" in allowed else 404)
            if "diary" in allowed:
                assert [e["woke"] for e in episodes.json()] == [True]

        @invariant()
        def gate_matches_model(self) -> None:
            share = care.share_for(self.doctor.id, self.client.id, self.today)
            allowed = self._allowed_now()
            assert (share.scopes if share else frozenset()) == allowed
            # A practitioner the client never shared with gets nothing, ever.
            assert care.share_for(self.outsider.id, self.client.id, self.today) is None
            listed = [s.client_id for s in care.clients_of(self.doctor.id, self.today)]
            assert listed == ([self.client.id] if allowed else [])

    return Consent


@pytest.mark.parametrize(
    ("backend", "examples"),
    [("sqlite", 25), pytest.param("postgres", 8, marks=pytest.mark.postgres)],
)
def test_practitioner_reads_exactly_what_consent_allows(
    backend: str, examples: int, request: pytest.FixtureRequest
) -> None:
    store = open_store(str(request.getfixturevalue(f"{backend}_url")))
    app = create_app(WebSettings(), store=store)
    api = TestClient(app, base_url="https://testserver", follow_redirects=False)
    try:
        run_state_machine_as_test(
            consent_machine(store, api),
            settings=settings(
                max_examples=examples,
                stateful_step_count=12,
                deadline=None,
                suppress_health_check=[HealthCheck.too_slow],
            ),
        )
    finally:
        app.state.ctx.close()  # finishes its writer, then closes the store
