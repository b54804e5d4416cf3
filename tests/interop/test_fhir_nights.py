"""FHIR: a night's cramps counted but not logged one by one travel as a count, never episodes."""

from __future__ import annotations

import json
from datetime import date

import pytest

from crampwise.errors import InputError
from crampwise.interop.fhir import export_diary, import_diary
from crampwise.interop.fhir.codes import CW_NIGHT
from crampwise.store import Store

from .conftest import Planted

NIGHT = date(2026, 12, 1)


def _nights(bundle: dict[str, object]) -> list[dict[str, object]]:
    return [
        e["resource"]
        for e in bundle["entry"]  # type: ignore[attr-defined]
        if any(c["system"] == CW_NIGHT for c in e["resource"].get("code", {}).get("coding", []))
    ]


def test_a_count_is_exported_as_one_observation_with_plain_words(planted: Planted) -> None:
    planted.diary.set_unlogged_cramps(NIGHT, 3, "csv", pain=6)
    planted.diary.set_unlogged_cramps(date(2026, 12, 2), 0)
    bundle = export_diary(planted.diary, "alice")
    counted, none = _nights(bundle)
    assert counted["valueInteger"] == 3
    assert counted["effectiveDateTime"] == "2026-12-01"
    assert counted["component"][0]["valueInteger"] == 6  # type: ignore[index]
    assert "3 leg cramps in the night of 1 December 2026" in counted["text"]["div"]  # type: ignore[index]
    assert "worst pain 6 out of 10" in counted["text"]["div"]  # type: ignore[index]
    assert none["valueInteger"] == 0 and "No leg cramps" in none["text"]["div"]  # type: ignore[index]
    # A count is not a cramp: the bundle's cramp observations are the episodes alone.
    episodes = [e for e in bundle["entry"] if e["resource"]["id"].startswith("episode-")]
    assert len(episodes) == planted.episodes


def test_counts_round_trip_and_invent_no_episodes(store: Store, planted: Planted) -> None:
    planted.diary.set_unlogged_cramps(NIGHT, 4, "csv", pain=7)
    text = json.dumps(export_diary(planted.diary, "alice"))
    copy = store.diary("bob")
    import_diary(copy, text)
    got = copy.unlogged_cramps()[NIGHT]
    assert (got.count, got.pain, got.source) == (4, 7, "fhir")
    assert len(copy.episodes()) == planted.episodes
    assert copy.night_totals()[NIGHT].cramps == planted.diary.night_totals()[NIGHT].cramps
    import_diary(copy, text)  # again: nothing doubles
    assert copy.unlogged_cramps()[NIGHT].count == 4
    assert len(copy.episodes()) == planted.episodes


def test_a_bundle_of_counts_only_is_read(store: Store) -> None:
    source = store.diary("carol")
    source.set_unlogged_cramps(NIGHT, 2)
    copy = store.diary("dan")
    import_diary(copy, json.dumps(export_diary(source, "carol")))
    assert copy.unlogged_cramps()[NIGHT].count == 2
    assert copy.episodes() == []


def test_a_count_typed_by_hand_is_kept(store: Store, planted: Planted) -> None:
    planted.diary.set_unlogged_cramps(NIGHT, 5)
    target = store.diary("erin")
    target.set_unlogged_cramps(NIGHT, 1)
    import_diary(target, json.dumps(export_diary(planted.diary, "alice")))
    assert target.unlogged_cramps()[NIGHT].count == 1


@pytest.mark.parametrize("count", [-1, 1001, 2.5])
def test_a_bad_count_is_refused_and_nothing_is_written(
    store: Store, planted: Planted, count: object
) -> None:
    planted.diary.set_unlogged_cramps(NIGHT, 3)
    bundle = export_diary(planted.diary, "alice")
    _nights(bundle)[0]["valueInteger"] = count
    target = store.diary("fred")
    with pytest.raises(InputError, match=r"count|unlogged_cramps|valueInteger"):
        import_diary(target, json.dumps(bundle))
    assert target.episodes() == [] and target.unlogged_cramps() == {}
