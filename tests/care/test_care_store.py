"""Care team storage on SQLite and PostgreSQL: consent flows, notes, the append-only audit."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from crampwise.errors import InputError, NotFoundError
from crampwise.store import Store
from crampwise.store.auth import AuthStore
from crampwise.store.care.audit import Audit, audit_log
from crampwise.store.care.repository import CareStore
from crampwise.store.care.tables import care_invitations
from crampwise.web.care.view import client_view

from .conftest import make_account, make_client, practitioner

TODAY = date.today()


def test_audit_rows_cannot_be_updated_or_deleted(care_db: tuple[Store, CareStore]) -> None:
    store, care = care_db
    who = make_account(store)
    care.record(Audit("sign_in", "success", who, who, "127.0.0.1"))
    blocked = pytest.raises(sa.exc.DBAPIError, match="append-only")
    with blocked, store.engine.begin() as conn:
        conn.execute(audit_log.update().values(outcome="failure"))
    with blocked, store.engine.begin() as conn:
        conn.execute(audit_log.delete())
    if store.engine.dialect.name == "postgresql":
        with blocked, store.engine.begin() as conn:
            conn.exec_driver_sql("TRUNCATE audit_log")
    [row] = care.audit_rows()
    assert (row.action, row.outcome, row.actor_name) == ("sign_in", "success", who.name)


def test_invitation_code_grants_exactly_the_chosen_scopes(
    care_db: tuple[Store, CareStore],
) -> None:
    store, care = care_db
    owner, client = make_account(store, "owner"), make_client(store)
    doctor = practitioner(store, care, owner)
    code = care.create_invitation(client, ["diary", "assessments"], None, "10.0.0.1")
    share = care.redeem_invitation(doctor, code, "10.0.0.2")
    assert share.scopes == {"diary", "assessments"}
    assert (share.client_name, share.practitioner_name) == (client.name, doctor.name)
    assert share.wording_version == "care-consent-1"
    assert care.share_for(doctor.id, client.id, TODAY) == share
    # The code is spent, and only its hash was ever stored.
    with pytest.raises(InputError, match="not valid"):
        care.redeem_invitation(doctor, code)
    with store.engine.connect() as conn:
        stored = [str(v) for row in conn.execute(sa.select(care_invitations)) for v in row]
        audit_text = [str(v) for row in conn.execute(sa.select(audit_log)) for v in row]
    assert not any(code in value for value in stored + audit_text)
    grants = care.audit_rows(action="share_grant")
    assert [(r.outcome, r.actor_name, r.subject_name) for r in grants] == [
        ("failure", doctor.name, None),
        ("success", client.name, doctor.name),
    ]
    assert grants[1].detail == "scopes=assessments,diary; via=code"
    assert grants[1].address == "10.0.0.2"


def test_only_practitioners_can_redeem(care_db: tuple[Store, CareStore]) -> None:
    store, care = care_db
    client, stranger = make_client(store), make_account(store)
    code = care.create_invitation(client, ["diary"], None)
    with pytest.raises(NotFoundError):
        care.redeem_invitation(stranger, code)
    assert care.share_for(stranger.id, client.id, TODAY) is None


def test_request_accept_and_decline(care_db: tuple[Store, CareStore]) -> None:
    store, care = care_db
    owner, client = make_account(store, "owner"), make_client(store)
    physio, nurse = (
        practitioner(store, care, owner, "physiotherapist"),
        practitioner(store, care, owner, "nurse"),
    )
    care.request_share(physio, client.name)
    care.request_share(nurse, client.name)
    care.request_share(nurse, "nobody-by-this-name")  # silently nothing: no probing
    pending = care.pending_requests(client.id)
    assert [(r.practitioner.name, r.profession) for r in pending] == [
        (physio.name, "physiotherapist"),
        (nurse.name, "nurse"),
    ]
    ends = TODAY + timedelta(days=30)
    share = care.answer_request(client, pending[0].id, ["insights"], ends)
    assert share is not None and share.scopes == {"insights"} and share.ends_on == ends
    assert care.answer_request(client, pending[1].id, None) is None
    assert care.share_for(nurse.id, client.id, TODAY) is None
    assert care.pending_requests(client.id) == []
    with pytest.raises(NotFoundError):  # already answered
        care.answer_request(client, pending[1].id, ["diary"])


def test_another_client_cannot_touch_a_share(care_db: tuple[Store, CareStore]) -> None:
    store, care = care_db
    owner, client, other = make_account(store, "owner"), make_client(store), make_client(store)
    doctor = practitioner(store, care, owner)
    share = care.redeem_invitation(doctor, care.create_invitation(client, ["diary"], None))
    with pytest.raises(NotFoundError):
        care.revoke_share(other, share.id)
    with pytest.raises(NotFoundError):
        care.change_share(other, share.id, ["reports"], None)
    assert care.share_for(doctor.id, client.id, TODAY) == share


def test_change_and_revoke_are_audited(care_db: tuple[Store, CareStore]) -> None:
    store, care = care_db
    owner, client = make_account(store, "owner"), make_client(store)
    doctor = practitioner(store, care, owner)
    share = care.redeem_invitation(doctor, care.create_invitation(client, ["diary"], None))
    changed = care.change_share(client, share.id, ["reports", "diary"], None, "10.1.1.1")
    assert changed.scopes == {"reports", "diary"}
    care.revoke_share(client, share.id, "10.1.1.1")
    assert care.share_for(doctor.id, client.id, TODAY) is None
    assert care.clients_of(doctor.id, TODAY) == []
    rows = care.audit_rows(subject_id=doctor.id)
    assert [(r.action, r.actor_name, r.detail) for r in rows[:2]] == [
        ("share_revoke", client.name, None),
        ("share_change", client.name, "scopes=diary,reports"),
    ]
    with pytest.raises(NotFoundError):  # a revoked share cannot be changed back to life
        care.change_share(client, share.id, ["diary"], None)


def test_unmarked_practitioner_loses_access(care_db: tuple[Store, CareStore]) -> None:
    store, care = care_db
    owner, client = make_account(store, "owner"), make_client(store)
    doctor = practitioner(store, care, owner)
    care.redeem_invitation(doctor, care.create_invitation(client, ["diary"], None))
    care.mark_practitioner(doctor.name, None, by=owner)
    assert care.share_for(doctor.id, client.id, TODAY) is None
    assert care.profession(doctor.id) is None
    # Marking them again does not bring the old consent back: the client must share anew.
    care.mark_practitioner(doctor.name, "physiotherapist", by=owner)
    assert care.share_for(doctor.id, client.id, TODAY) is None
    # Changing a profession is not unmarking: a live share survives it.
    care.redeem_invitation(doctor, care.create_invitation(client, ["diary"], None))
    care.mark_practitioner(doctor.name, "doctor", by=owner)
    assert care.share_for(doctor.id, client.id, TODAY) is not None


def test_notes_need_a_live_share_and_stay_out_of_the_audit(
    care_db: tuple[Store, CareStore],
) -> None:
    store, care = care_db
    owner, client = make_account(store, "owner"), make_client(store)
    doctor, stranger = practitioner(store, care, owner), practitioner(store, care, owner)
    share = care.redeem_invitation(doctor, care.create_invitation(client, ["reports"], None))
    text = "Try a calf stretch of 3 x 30 s before bed."
    note = care.add_note(doctor, client.id, text, TODAY)
    with pytest.raises(NotFoundError):
        care.add_note(stranger, client.id, "hello", TODAY)
    [shown] = care.notes_for(client.id)
    assert (shown.text, shown.practitioner_name, shown.in_plan) == (text, doctor.name, False)
    care.add_note_to_plan(client.id, note.id)
    assert care.notes_for(client.id)[0].in_plan
    with pytest.raises(NotFoundError):
        care.add_note_to_plan(doctor.id, note.id)
    assert not any(text in str(r) for r in care.audit_rows())
    care.revoke_share(client, share.id)
    with pytest.raises(NotFoundError):
        care.add_note(doctor, client.id, "after revoking", TODAY)


def test_account_deletion_ends_shares_but_keeps_the_trail(
    care_db: tuple[Store, CareStore],
) -> None:
    store, care = care_db
    owner, client = make_account(store, "owner"), make_client(store)
    doctor = practitioner(store, care, owner)
    care.redeem_invitation(doctor, care.create_invitation(client, ["diary"], None))
    client_view(care, store, doctor, client.id, TODAY, with_triggers=False)
    AuthStore(store.engine).delete_account(client.id)
    assert care.share_for(doctor.id, client.id, TODAY) is None
    with pytest.raises(NotFoundError):
        client_view(care, store, doctor, client.id, TODAY, with_triggers=False)
    actions = {(r.action, r.outcome) for r in care.audit_rows(subject_id=client.id)}
    assert ("practitioner_read", "success") in actions
    assert ("practitioner_read", "denied") in actions


def test_views_of_lists_who_read_and_when(care_db: tuple[Store, CareStore]) -> None:
    store, care = care_db
    owner, client = make_account(store, "owner"), make_client(store)
    doctor = practitioner(store, care, owner)
    care.redeem_invitation(doctor, care.create_invitation(client, ["diary", "insights"], None))
    view = client_view(care, store, doctor, client.id, TODAY, "192.0.2.7")
    assert view.insights is not None and view.insights.report is not None
    [seen] = care.views_of(client.id)
    assert (seen.actor_name, seen.address) == (doctor.name, "192.0.2.7")
    assert seen.detail == "page=client; scopes=diary,insights"


def test_dashboard_row_figures(care_db: tuple[Store, CareStore]) -> None:
    from datetime import datetime

    from crampwise.diary.model import DayLog, Episode, night_of

    store, care = care_db
    owner, client = make_account(store, "owner"), make_account(store, "client")
    doctor = practitioner(store, care, owner)
    diary = store.diary(client.name)
    # Ten nights logged in the last 28 days, four cramps on three nights, two of them woken.
    today = date(2026, 11, 25)
    for back in range(1, 11):
        diary.put_day(DayLog(today - timedelta(days=back), {"fluids_l": 1.5}))
    for back, woke in ((2, True), (2, False), (4, True), (9, None)):
        started = datetime.combine(today - timedelta(days=back - 1), datetime.min.time())
        episode = Episode(started_at=started.replace(hour=3), woke=woke)
        assert night_of(episode.started_at) == today - timedelta(days=back)
        diary.add_episode(episode)
    care.redeem_invitation(doctor, care.create_invitation(client, ["diary"], None))
    view = client_view(care, store, doctor, client.id, today, with_triggers=False)
    assert view.diary is not None
    assert view.diary.nights_logged == 10
    assert view.diary.per_week == 7 * 4 / 10
    assert view.diary.nights_woken == 2
    assert (view.diary.last_entry, view.diary.days_since_entry) == (today - timedelta(days=1), 1)
    assert view.diary.trend is None  # nothing logged 28-55 days ago


def test_tonight_reads_the_newest_five_notes_of_this_client_only(
    care_db: tuple[Store, CareStore],
) -> None:
    store, care = care_db
    owner, client, other = make_account(store, "owner"), make_client(store), make_client(store)
    doctor, physio = practitioner(store, care, owner), practitioner(store, care, owner, "physio")
    for who in (doctor, physio):
        care.redeem_invitation(who, care.create_invitation(client, ["reports"], None))
    care.redeem_invitation(doctor, care.create_invitation(other, ["reports"], None))
    for i in range(7):
        care.add_note(doctor if i % 2 else physio, client.id, f"note {i}", TODAY)
    care.add_note(doctor, other.id, "for someone else", TODAY)
    kept = care.notes_for(client.id)[-2]  # "note 1", kept in the plan
    care.add_note_to_plan(client.id, kept.id)
    notes = store.diary(client.name).tonight(TODAY).notes
    assert notes == care.notes_for(client.id)[:5]
    assert [n.text for n in notes] == [f"note {i}" for i in (6, 5, 4, 3, 2)]
    assert [n.practitioner_name for n in notes] == [
        physio.name, doctor.name, physio.name, doctor.name, physio.name
    ]  # fmt: skip
    assert store.diary(client.name).tonight(TODAY, notes=7).notes[-2].in_plan
    assert [n.text for n in store.diary(other.name).tonight(TODAY).notes] == ["for someone else"]
    assert store.diary("nobody").tonight(TODAY).notes == []
