"""The bedtime routine's numbers and the experiments' reminders come from the knowledge base."""

from __future__ import annotations

from pathlib import Path

import pytest

from crampwise.experiments import catalogue
from crampwise.experiments.catalogue import TESTABLE
from crampwise.knowledge import DIRECTORY, KnowledgeError, load_directory, load_knowledge


def test_the_bedtime_numbers_are_graded_and_sourced() -> None:
    bedtime = load_knowledge().bedtime
    assert (bedtime.stretch.hold_s, bedtime.stretch.rest_s, bedtime.stretch.rounds) == (10, 10, 12)
    assert bedtime.stretch.total_s == 240
    assert (bedtime.footbath.low_c, bedtime.footbath.high_c, bedtime.footbath.max_c) == (
        37.0,
        38.0,
        40.0,
    )
    for part in (bedtime.stretch, bedtime.footbath, *bedtime.reminders.values()):
        assert part.evidence and part.sources


def test_every_testable_remedy_has_its_evening_reminder() -> None:
    for remedy in TESTABLE.values():
        assert remedy.reminder.strip(), remedy.id
    assert "38 °C" in catalogue.testable_intervention("warm_footbath").reminder


@pytest.mark.parametrize("name", ["tonic_water", "Quinine Sulphate", "quinine"])
def test_every_name_of_quinine_in_the_avoid_list_is_refused(name: str) -> None:
    with pytest.raises(Exception, match="never suggested or tested"):
        catalogue.testable_intervention(name)


def test_a_footbath_range_out_of_order_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "kb"
    folder.mkdir()
    for path in DIRECTORY.glob("*.toml"):
        (folder / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    text = (folder / "bedtime.toml").read_text(encoding="utf-8")
    (folder / "bedtime.toml").write_text(text.replace("max_c = 40.0", "max_c = 30.0"))
    with pytest.raises(KnowledgeError, match=r"bedtime\.toml: footbath: needs low_c <= high_c"):
        load_directory(folder)
