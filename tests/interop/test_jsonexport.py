"""The whole diary as one JSON file: a byte-identical round trip, all or nothing, one-line
refusals."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from crampwise.diary.demo import fill_demo
from crampwise.diary.model import CustomFactor, DayLog, Episode, Medicine
from crampwise.errors import InputError
from crampwise.interop.jsonexport import MAX_DEPTH, export_json, import_json
from crampwise.store import Store, open_store
from crampwise.store.care.tables import care_notes


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    """Both backends (this folder's own `store` is SQLite only)."""
    with open_store(database_url) as opened:
        yield opened


def _full_diary(store: Store) -> str:
    """A diary holding every kind of record and field a person can enter."""
    diary = store.diary("alice")
    fill_demo(diary, seed=4, days=190, end=date(2026, 11, 1))
    diary.set_units("us")
    diary.define_factor(CustomFactor("mood", "categorical", None, ("calm", "tense")))
    diary.define_factor(CustomFactor("tonic_water", "boolean"))
    diary.put_day(DayLog(date(2026, 10, 30), {"mood": "tense", "tonic_water": True}))
    diary.put_day(DayLog(date(2026, 10, 31), {"fluids_l": 1.25}), source="apple_health")
    diary.add_episode(
        Episode(
            datetime(2026, 10, 31, 22, 43),
            muscle="foot",
            side="right",
            duration_s=95,
            pain=6,
            woke=False,
            helped=["stretch", "walk"],
            note="after a long walk; «ouch»",
            client_id="phone-7f3a",
        )
    )
    diary.set_unlogged_cramps(date(2026, 10, 29), 2, pain=7)
    diary.set_unlogged_cramps(date(2026, 10, 28), 0)
    diary.add_medicine(Medicine("Lasix", started=date(2026, 9, 1), stopped=date(2026, 10, 1)))
    diary.save_assessment({"person": {"age": 67}}, {"triage": {"level": "routine"}})
    trial = diary.save_experiment(
        "warm_footbath",
        [
            {"start": "2026-11-02", "end": "2026-11-08", "condition": "on"},
            {"start": "2026-11-09", "end": "2026-11-15", "condition": "off"},
        ],
        washout_days=1,
        factor="footbath",
    )
    diary.stop_experiment(trial.id)
    store.diary("dr_lee").set_units("metric")  # the practitioner's account
    with store.engine.begin() as conn:
        ids = dict(conn.execute(sa.text("SELECT name, id FROM users")).all())
        for text, kept in (("Stretch calves before bed.", True), ("Not kept.", False)):
            conn.execute(
                sa.insert(care_notes).values(
                    client_id=ids["alice"],
                    practitioner_id=ids["dr_lee"],
                    text=text,
                    created_at=datetime(2026, 10, 20, 9, 0),
                    in_plan_at=datetime(2026, 10, 21, 7, 30) if kept else None,
                )
            )
    return export_json(diary)


def test_export_import_export_is_byte_identical(store: Store) -> None:
    first = _full_diary(store)
    document = json.loads(first)
    assert (document["format"], document["version"]) == ("crampwise-export", 1)
    counts = import_json(store.diary("bob"), first.encode())
    assert counts["care_notes"] == 1 and counts["experiments"] == 1
    assert export_json(store.diary("bob")) == first
    # Every field survives, not only the bytes.
    assert document["settings"] == {"units": "us", "display_name": None}
    foot = [e for e in document["episodes"] if e["client_id"] == "phone-7f3a"]
    assert foot == [
        {
            "started_at": "2026-10-31T22:43:00",
            "muscle": "foot",
            "side": "right",
            "duration_s": 95,
            "pain": 6,
            "woke": False,
            "helped": ["stretch", "walk"],
            "note": "after a long walk; «ouch»",
            "origin": "manual",
            "client_id": "phone-7f3a",
        }
    ]
    day = next(d for d in document["days"] if d["date"] == "2026-10-29")
    assert (day["unlogged_cramps"], day["unlogged_pain"]) == (2, 7)
    assert document["experiments"][0]["status"] == "stopped"
    assert document["care_notes"] == [
        {
            "from": "dr_lee",
            "text": "Stretch calves before bed.",
            "created_at": "2026-10-20T09:00:00",
            "in_plan_at": "2026-10-21T07:30:00",
        }
    ]
    bob = store.diary("bob")
    assert bob.day_table() == store.diary("alice").day_table()


def test_a_diary_that_is_not_empty_is_refused_unless_replaced(store: Store) -> None:
    text = _full_diary(store)
    carol = store.diary("carol")
    carol.add_episode(Episode(datetime(2026, 1, 1, 3, 0)))
    with pytest.raises(InputError, match="not empty"):
        import_json(carol, text.encode())
    assert len(carol.episodes()) == 1
    import_json(carol, text.encode(), replace=True)
    assert export_json(carol) == text


BAD = [
    (b"\xff\xfe{}", "not UTF-8"),
    (b"{", "not JSON"),
    (b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1), "nested more than"),
    (
        b'{"format": "crampwise-export", "version": 1, "episodes": [{"started_at": '
        b'"2026-01-01T03:00:00", "pain": 1' + b"0" * 5000 + b"}]}",
        "too large",
    ),
    (
        b'{"format": "crampwise-export", "version": 1, "days": [{"date": "2026-01-01", '
        b'"values": {"fluids_l": 1e999}}]}',
        "too large",
    ),
    (
        b'{"format": "crampwise-export", "version": 1, "days": [{"date": "2026-01-01", '
        b'"values": {"fluids_l": NaN}}]}',
        "not a number JSON allows",
    ),
    (b'{"resourceType": "Bundle"}', "not a crampwise export"),
    (b'{"format": "crampwise-export", "version": 9}', "newer than this crampwise"),
    (b'{"format": "crampwise-export", "version": 1, "cats": []}', "cats: unknown section"),
]


@pytest.mark.parametrize(("raw", "message"), BAD)
def test_a_bad_file_is_one_line_and_writes_nothing(store: Store, raw: bytes, message: str) -> None:
    with pytest.raises(InputError, match=message) as caught:
        import_json(store.diary("dan"), raw)
    assert "\n" not in str(caught.value)
    assert store.users() == []


def test_a_bad_last_record_writes_nothing(store: Store) -> None:
    original = json.loads(_full_diary(store))
    document = copy.deepcopy(original)
    document["experiments"][0]["schedule"][1]["condition"] = "sometimes"
    with pytest.raises(InputError, match=r"experiments\[0\]\.schedule\[1\]\.condition"):
        import_json(store.diary("erin"), json.dumps(document).encode())
    document = copy.deepcopy(original)
    document["episodes"][-1]["muscle"] = "ear"
    with pytest.raises(InputError, match=r"episodes\[\d+\]: field 'episode.muscle'"):
        import_json(store.diary("erin"), json.dumps(document).encode())
    document = copy.deepcopy(original)
    document["care_notes"][0]["from"] = "nobody_here"
    with pytest.raises(InputError, match=r"care_notes\[0\]\.from: no account named"):
        import_json(store.diary("erin"), json.dumps(document).encode())
    assert store.diary("erin").is_empty() and store.diary("erin").user_id() is None


def test_a_missing_file_is_named(store: Store, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        import_json(store.diary("me"), tmp_path / "nope.json")
