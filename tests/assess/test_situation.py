"""Parsing the situation: every malformed situation is a one-line InputError naming the field."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crampwise.assess.situation import parse_situation, parse_situation_json, shown_path
from crampwise.errors import InputError
from crampwise.knowledge import vocabulary as v


def error(data: Any) -> str:
    with pytest.raises(InputError) as info:
        parse_situation(data)
    message = str(info.value)
    assert "\n" not in message
    return message


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            {"day": {"sleep_position": "stomach"}},
            "field 'day.sleep_position': \"stomach\" is not one of: back, side, prone",
        ),
        (
            {"episode": {"muscle": "knee"}},
            "field 'episode.muscle': \"knee\" is not one of: calf, foot, toes",
        ),
        ({"person": {"sex": "f"}}, "field 'person.sex': \"f\" is not one of: female, male, other"),
        ({"person": {"age": 121}}, "field 'person.age': 121 is out of range (allowed: 0 to 120)"),
        ({"person": {"age": -1}}, "field 'person.age'"),
        ({"person": {"age": "67"}}, "field 'person.age': must be a number"),
        ({"person": {"age": True}}, "field 'person.age': must be a number, got true"),
        ({"episode": {"pain": 11}}, "field 'episode.pain': 11 is out of range (allowed: 0 to 10)"),
        (
            {"episode": {"duration_s": -5}},
            "field 'episode.duration_s': -5 is out of range (allowed: 0 or more)",
        ),
        ({"day": {"hours_sitting": 25}}, "field 'day.hours_sitting'"),
        ({"day": {"bedroom_temp_c": 46}}, "allowed: -10 to 45"),
        ({"day": {"bedroom_temp_f": 13}}, "allowed: 14 to 113"),
        ({"day": {"bedroom_temp_c": 15, "bedroom_temp_f": 59}}, "not both"),
        ({"day": {"legs_cold": "yes"}}, "field 'day.legs_cold': must be true or false"),
        (
            {"day": {"sleep_posture": "back"}},
            "field 'day.sleep_posture': unknown field; allowed: exercise_min",
        ),
        ({"mood": "sad"}, "field 'mood': unknown field; allowed: person, conditions"),
        (
            {"symptoms": ["headache"]},
            "field 'symptoms[0]': \"headache\" is not one of: one_leg_swollen",
        ),
        ({"conditions": "diabetes"}, "field 'conditions': must be a list"),
        ({"conditions": [3]}, "field 'conditions[0]': must be a string"),
        ({"medications": [""]}, "field 'medications[0]': must not be empty"),
        ({"medications": "Lasix"}, "field 'medications': must be a list"),
        ({"person": []}, "field 'person': must be an object"),
        ([], "must be a JSON object"),
    ],
)
def test_bad_fields_are_named_with_allowed_values(data: Any, expected: str) -> None:
    assert expected in error(data)


def test_valid_situation_round_trips() -> None:
    data = {
        "person": {"age": 67, "sex": "female", "pregnant": False, "postmenopausal": True},
        "conditions": ["chronic_kidney_disease"],
        "medications": ["furosemide", "Lipitor"],
        "symptoms": ["one_leg_swollen"],
        "episode": {"muscle": "calf", "when": "night", "duration_s": 40, "pain": 7, "per_week": 3},
        "day": {
            "exercise_min": 90,
            "exercise_intensity": "hard",
            "fluids_l": 0.8,
            "heavy_sweating": True,
            "bedroom_temp_c": 15,
            "legs_cold": True,
            "sleep_position": "prone",
            "calcium_mg": 300,
            "vitamin_d": False,
            "alcohol_units": 0,
            "hours_sitting": 9,
            "hours_standing": 1,
        },
    }
    situation = parse_situation(data)
    assert situation.to_dict() == data
    assert parse_situation({}).to_dict() == {}
    assert parse_situation({"day": {"bedroom_temp_f": 59}}).bedroom_temp_c == 15.0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "empty"),
        ("{bad", "not valid JSON: Expecting property name"),
        ("1" * 5000, "not valid JSON"),
        ('{"person": {"age": NaN}}', "finite"),
        ('{"person": {"age": 1e999}}', "finite"),
    ],
)
def test_bad_json_text(text: str, expected: str) -> None:
    with pytest.raises(InputError, match=expected):
        parse_situation_json(text)


# ----- property-based: any malformed situation gives InputError, never a crash --------------

FIELDS = [(b, f) for b in v.BLOCKS for f in v.BLOCK_FIELDS[b]]
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)


def _bad_value_for(block: str, name: str) -> st.SearchStrategy[Any]:
    key = (block, name)
    if key in v.NUMERIC_RANGES:
        low, high = v.NUMERIC_RANGES[key]
        below = st.floats(max_value=low - 0.001, allow_nan=False, allow_infinity=False)
        above = (
            st.floats(min_value=high + 0.001, allow_nan=False) if high is not None else st.nothing()
        )
        return st.one_of(
            below,
            above,
            st.just(math.nan),
            st.booleans(),
            st.text(max_size=5),
            st.lists(st.integers(), max_size=2),
        )
    if key in v.BOOLEAN_FIELDS:
        return st.one_of(
            st.integers(), st.text(max_size=5), st.floats(), st.lists(st.booleans(), max_size=2)
        )
    choices = v.CHOICE_FIELDS[key]
    return st.one_of(
        st.text(max_size=10).filter(lambda s: s not in choices), st.integers(), st.booleans()
    )


@st.composite
def malformed(draw: st.DrawFn) -> tuple[dict[str, Any], str]:
    """A situation with exactly one thing wrong, and the field path that must be named."""
    kind = draw(st.sampled_from(["value", "top_key", "block_key", "vocab", "list_type"]))
    if kind == "value":
        block, name = draw(st.sampled_from(FIELDS))
        return {block: {name: draw(_bad_value_for(block, name))}}, f"{block}.{name}"
    if kind == "top_key":
        key = draw(
            st.text(min_size=1, max_size=10).filter(
                lambda k: k not in v.LISTS and k not in v.BLOCKS
            )
        )
        return {key: draw(json_values)}, key
    if kind == "block_key":
        block = draw(st.sampled_from(v.BLOCKS))
        key = draw(
            st.text(min_size=1, max_size=10).filter(lambda k: k not in v.BLOCK_FIELDS[block])
        )
        return {block: {key: 1}}, f"{block}.{key}"
    if kind == "vocab":
        name = draw(st.sampled_from(["conditions", "symptoms"]))
        vocab = v.LISTS[name] or ()
        bad = draw(st.text(max_size=12).filter(lambda s: s not in vocab))
        good = list(draw(st.lists(st.sampled_from(vocab), max_size=3)))
        at = draw(st.integers(0, len(good)))
        return {name: [*good[:at], bad, *good[at:]]}, f"{name}[{at}]"
    name = draw(st.sampled_from(["conditions", "symptoms", "medications"]))
    value = draw(
        st.one_of(
            st.integers(),
            st.text(max_size=5),
            st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
        )
    )
    return {name: value}, name


@settings(max_examples=300, deadline=None)
@given(malformed())
def test_any_malformed_situation_names_its_field(case: tuple[dict[str, Any], str]) -> None:
    data, path = case
    message = error(data)
    assert f"'{shown_path(path)}'" in message


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.dictionaries(
        st.sampled_from(["person", "day", "episode", "symptoms", "conditions", "medications", "x"]),
        json_values,
        max_size=4,
    )
)
def test_arbitrary_json_is_accepted_or_rejected_cleanly(data: dict[str, Any]) -> None:
    try:
        situation = parse_situation(data)
    except InputError as exc:
        assert "\n" not in str(exc) and str(exc).startswith(("field '", "the situation"))
        return
    json.dumps(situation.to_dict())  # a valid situation is plain JSON again
