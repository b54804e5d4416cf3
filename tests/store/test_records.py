"""Medicines, experiments, assessments, and deleting a user with everything of theirs."""

from __future__ import annotations

from datetime import date, datetime

import pytest
import sqlalchemy as sa

from crampwise.diary.model import CustomFactor, DayLog, Episode, Medicine
from crampwise.errors import InputError, NotFoundError
from crampwise.store import Store
from crampwise.store.tables import metadata


def test_medicines(store: Store) -> None:
    diary = store.diary("me")
    lasix = diary.add_medicine(Medicine("Lasix", started=date(2026, 1, 1)))
    again = diary.add_medicine(Medicine("lasix", started=date(2026, 1, 1)))
    assert again.id == lasix.id
    diary.add_medicine(Medicine("atorvastatin", date(2025, 5, 1), date(2026, 2, 1)))
    assert [m.name for m in diary.medicines()] == ["Lasix", "atorvastatin"]
    with pytest.raises(InputError, match="before the start"):
        diary.add_medicine(Medicine("x", date(2026, 2, 1), date(2026, 1, 1)))
    assert lasix.id is not None
    with pytest.raises(NotFoundError):
        store.diary("you").delete_medicine(lasix.id)
    diary.delete_medicine(lasix.id)
    assert [m.name for m in diary.medicines()] == ["atorvastatin"]


def test_experiments(store: Store) -> None:
    diary = store.diary("me")
    plan = [{"start": date(2026, 12, 1), "end": date(2026, 12, 7), "condition": "on"}]
    saved = diary.save_experiment("warm_footbath", plan, washout_days=2, factor="footbath")
    assert saved.schedule == [{"start": "2026-12-01", "end": "2026-12-07", "condition": "on"}]
    listed = diary.experiments()
    assert [(e.id, e.status, e.washout_days, e.factor) for e in listed] == [
        (saved.id, "active", 2, "footbath")
    ]
    stopped = diary.stop_experiment(saved.id)
    assert stopped.status == "stopped" and stopped.stopped_at is not None
    with pytest.raises(NotFoundError):
        store.diary("you").get_experiment(saved.id)
    assert store.diary("you").experiments() == []


def test_assessments(store: Store) -> None:
    diary = store.diary("me")
    assert diary.latest_assessment() is None
    diary.save_assessment({"episode": {"pain": 3}}, {"triage": {"level": "self_care"}})
    diary.save_assessment({"episode": {"pain": 9}}, {"triage": {"level": "routine"}})
    latest = diary.latest_assessment()
    assert latest is not None and latest.situation == {"episode": {"pain": 9}}
    assert store.diary("you").latest_assessment() is None


def _rows_per_table(store: Store) -> dict[str, int]:
    with store.engine.connect() as conn:
        return {
            t.name: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
            for t in metadata.sorted_tables
        }


def test_delete_everything_removes_every_row_of_that_user_only(store: Store) -> None:
    for name in ("me", "you"):
        diary = store.diary(name)
        diary.define_factor(CustomFactor("coffee", "numeric"))
        diary.put_day(DayLog(date(2026, 11, 20), {"coffee": 1, "fluids_l": 2}))
        diary.add_episode(Episode(datetime(2026, 11, 21, 3)))
        diary.add_medicine(Medicine("Lasix"))
        diary.save_experiment("warm_footbath", [])
        diary.save_assessment({}, {})
    both = _rows_per_table(store)
    assert store.diary("me").delete_everything() is True
    after = _rows_per_table(store)
    for table in (
        "users",
        "episodes",
        "day_logs",
        "custom_factors",
        "custom_values",
        "medicines",
        "experiments",
        "assessments",
    ):
        assert after[table] * 2 == both[table], table
    assert store.users() == ["you"]
    assert len(store.diary("you").episodes()) == 1
