"""`import fhir` is all or nothing: a bundle failing on its last resource changes nothing."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest
import sqlalchemy as sa

from crampwise.diary.model import CustomFactor, DayLog, Episode, Medicine
from crampwise.errors import InputError
from crampwise.interop.fhir import export_diary, import_diary
from crampwise.store import Store, UserDiary, open_store

from .conftest import Planted


def _bundle(planted: Planted) -> dict[str, Any]:
    """The planted diary plus a custom factor, with a MedicationStatement as the LAST entry."""
    source = planted.diary
    source.define_factor(CustomFactor("coffee_cups", "numeric", "cups"))
    source.put_day(DayLog(planted.first, {"coffee_cups": 2.0}))
    bundle = export_diary(source, "alice")
    entries = bundle["entry"]
    [med] = [e for e in entries if e["resource"]["resourceType"] == "MedicationStatement"]
    entries.remove(med)
    entries.append(med)
    return bundle


def _snapshot(diary: UserDiary) -> tuple[Any, ...]:
    return (diary.episodes(), diary.days(), diary.medicines(), diary.custom_factors())


def _target(store: Store) -> UserDiary:
    target = store.diary("gus")
    target.add_episode(Episode(datetime(2025, 12, 1, 2, 0), pain=4))
    target.put_day(DayLog(datetime(2025, 12, 1).date(), {"fluids_l": 1.5}))
    target.add_medicine(Medicine("Lasix"))
    return target


def test_a_last_medicine_refused_by_the_store_leaves_the_diary_unchanged(
    store: Store, planted: Planted
) -> None:
    bundle = _bundle(planted)
    bundle["entry"][-1]["resource"]["medication"]["concept"]["text"] = "x" * 200  # > 128
    target = _target(store)
    before = _snapshot(target)
    with pytest.raises(InputError, match=r"medicine\.name"):
        import_diary(target, json.dumps(bundle))
    assert _snapshot(target) == before


def test_a_database_failure_on_the_last_write_rolls_everything_back(
    store: Store, planted: Planted
) -> None:
    bundle = _bundle(planted)
    target = _target(store)
    before = _snapshot(target)
    with store.engine.begin() as conn:  # the database itself refuses the last resource's row
        conn.exec_driver_sql(
            "CREATE TRIGGER refuse_medicine BEFORE INSERT ON medicines "
            "BEGIN SELECT RAISE(ABORT, 'disk says no'); END"
        )
    with pytest.raises(sa.exc.DBAPIError, match="disk says no"):
        import_diary(target, json.dumps(bundle))
    assert _snapshot(target) == before
    with store.engine.begin() as conn:
        conn.exec_driver_sql("DROP TRIGGER refuse_medicine")
    import_diary(target, json.dumps(bundle))  # the same bundle then goes in whole
    assert len(target.episodes()) == planted.episodes + 1
    assert {f.name for f in target.custom_factors()} == {"coffee_cups"}
    assert [m.name for m in target.medicines()] == ["Lasix", "furosemide"]


def test_one_transaction_on_every_backend(database_url: str, planted: Planted) -> None:
    bundle = _bundle(planted)
    bundle["entry"][-1]["resource"]["effectivePeriod"] = {
        "start": "2026-02-01",
        "end": "2026-01-01",
    }
    with open_store(database_url) as other:
        target = _target(other)
        before = _snapshot(target)
        with pytest.raises(InputError, match="before the start date"):
            import_diary(target, json.dumps(bundle))
        assert _snapshot(target) == before
        del bundle["entry"][-1]["resource"]["effectivePeriod"]
        import_diary(target, json.dumps(bundle))
        import_diary(target, json.dumps(bundle))  # twice: nothing more
        assert len(target.episodes()) == planted.episodes + 1
        assert [m.name for m in target.medicines()] == ["Lasix", "furosemide"]
        assert target.get_day(planted.first).values["coffee_cups"] == 2.0
