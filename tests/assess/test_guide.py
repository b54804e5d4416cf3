"""The learn guide: the seed's content checked against the evidence, grades shown."""

from __future__ import annotations

import pytest

from crampwise.assess.guide import TOPICS, sections
from crampwise.errors import InputError
from crampwise.knowledge import Knowledge


def test_full_guide_has_every_topic_with_graded_items(kb: Knowledge) -> None:
    found = sections(None, kb)
    assert [s.id for s in found] == list(TOPICS)
    causes = next(s for s in found if s.id == "causes")
    assert {i.id for i in causes.items} == {c.id for c in kb.causes}
    for section in found[1:]:
        for item in section.items:
            assert item.sources, item.id
            if section.id != "medicines":
                assert item.evidence, item.id


def test_guide_keeps_the_seed_claims_visible(kb: Knowledge) -> None:
    remedies = sections("remedies", kb)[0]
    footbath = next(i for i in remedies.items if i.id == "warm_footbath")
    assert footbath.seed_claim and "100 °F" in footbath.seed_claim
    assert footbath.evidence == "very_low" and "never above 40 °C" in footbath.text


@pytest.mark.parametrize("topic", ["low_calcium", "low-calcium", "WARM_FOOTBATH", "Warning-Signs"])
def test_single_topics(topic: str, kb: Knowledge) -> None:
    (section,) = sections(topic, kb)
    assert section.items


def test_unknown_topic_lists_the_topics(kb: Knowledge) -> None:
    with pytest.raises(InputError, match=r"is not one of: .*causes"):
        sections("horoscope", kb)


def test_sections_are_plain_data(kb: Knowledge) -> None:
    data = [s.to_dict() for s in sections(None, kb)]
    assert data[0]["items"][0]["id"] == "high"
    assert isinstance(data[1]["items"][0]["sources"], list)


def test_a_plain_word_finds_every_entry_that_names_it(kb: Knowledge) -> None:
    found = {item.id for section in sections("calcium", kb) for item in section.items}
    named = {c.id for c in kb.causes if "calcium" in c.id} | {
        r for r in kb.remedies if "calcium" in r
    }
    assert named and named <= found
    assert all("calcium" in ident for ident in found)
    # An exact id still gives that one entry only.
    assert [i.id for s in sections("low_calcium", kb) for i in s.items] == ["low_calcium"]
