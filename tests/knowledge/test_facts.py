"""The fact language of the knowledge files: parsing, checking and evaluating."""

from __future__ import annotations

import pytest

from crampwise.knowledge.facts import FactContext, MedicineFact, holds, parse_fact

CLASSES = frozenset({"statin"})
GENERICS = frozenset({"atorvastatin"})


def fact(text: str):  # type: ignore[no-untyped-def]
    return parse_fact(text, classes=CLASSES, generics=GENERICS)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("symptom:headache", "'headache' is not one of"),
        ("drug:statin", "unknown prefix 'drug'"),
        ("medclass:beta_blocker", "'beta_blocker' is not one of: statin"),
        ("day.sleep_position=stomach", "takes =VALUE, one of: back, side, prone"),
        ("day.bedroom_temp_c", "needs >, >=, < or <="),
        ("day.bedroom_temp_c<cold", "'cold' is not a number"),
        ("day.legs_cold=maybe", "takes =true or =false"),
        ("person.height>2", "unknown field person.height"),
        ("nonsense", "not of the form"),
    ],
)
def test_bad_facts_are_explained(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        fact(text)


def test_fields_compare_and_missing_values_never_hold() -> None:
    ctx = FactContext(
        values={
            "day.bedroom_temp_c": 15.0,
            "day.legs_cold": True,
            "day.vitamin_d": False,
            "day.sleep_position": "prone",
        }
    )
    assert holds(fact("day.bedroom_temp_c<16"), ctx)
    assert not holds(fact("day.bedroom_temp_c<15"), ctx)
    assert holds(fact("day.bedroom_temp_c<=15"), ctx)
    assert holds(fact("day.legs_cold"), ctx)
    assert holds(fact("day.vitamin_d=false"), ctx) and not holds(fact("day.vitamin_d"), ctx)
    assert holds(fact("day.sleep_position=prone"), ctx)
    assert not holds(fact("day.fluids_l<1"), ctx)  # not given: unknown, not zero
    assert not holds(fact("person.pregnant"), ctx)


def test_medicine_facts() -> None:
    med = MedicineFact(
        "Lipitor",
        "atorvastatin",
        frozenset({"statin"}),
        frozenset({"weak"}),
        frozenset({"atorvastatin"}),
    )
    ctx = FactContext(medicines=(med,))
    assert holds(fact("medclass:statin"), ctx)
    assert holds(fact("medicine:atorvastatin"), ctx)
    assert holds(fact("medlink:weak"), ctx) and holds(fact("medlink:any"), ctx)
    assert not holds(fact("medlink:strong"), ctx)
    unlinked = MedicineFact("x", "x", frozenset({"other"}), frozenset({"none"}), frozenset({"x"}))
    assert not holds(fact("medlink:any"), FactContext(medicines=(unlinked,)))
