"""Which remedies can be tested n-of-1, and the diary column that records each."""

from __future__ import annotations

import pytest

from crampwise.diary.model import BUILTIN_BY_NAME
from crampwise.errors import InputError
from crampwise.experiments import catalogue as experiments
from crampwise.experiments.catalogue import TESTABLE


@pytest.mark.parametrize(
    ("intervention", "column"),
    [
        ("warm_footbath", "footbath"),
        ("calf_stretch_bedtime", "stretched"),
        ("massage_therapy", "massage"),
        ("warm_bedroom", "warm_bedroom"),
    ],
)
def test_each_remedy_maps_to_its_diary_column(intervention: str, column: str) -> None:
    assert experiments.testable_intervention(intervention).column == column


def test_builtin_columns_are_boolean_day_factors() -> None:
    for remedy in TESTABLE.values():
        if remedy.builtin_column:
            assert BUILTIN_BY_NAME[remedy.column].kind == "boolean", remedy.id


@pytest.mark.parametrize("name", ["quinine", "Quinine", " quinine_sulfate "])
def test_quinine_is_refused_and_the_allowed_remedies_are_listed(name: str) -> None:
    with pytest.raises(InputError) as err:
        experiments.testable_intervention(name)
    message = str(err.value)
    assert "'intervention'" in message
    for allowed in TESTABLE:
        assert allowed in message


def test_an_unknown_remedy_lists_the_allowed_ones() -> None:
    with pytest.raises(InputError, match="is not one of: warm_footbath, calf_stretch_bedtime"):
        experiments.testable_intervention("magnets")


def test_a_supplement_takes_the_column_the_person_names_and_needs_a_doctor() -> None:
    remedy = experiments.testable_intervention("supplement", column="magnesium_taken")
    assert remedy.column == "magnesium_taken" and not remedy.builtin_column
    assert remedy.needs_doctor
    # the built-in yes/no vitamin D column can record a vitamin D supplement
    assert experiments.testable_intervention("supplement", column="vitamin_d").builtin_column


@pytest.mark.parametrize(
    ("intervention", "column", "why"),
    [
        ("supplement", "Magnesium Taken", "lower-case"),
        ("supplement", "magnesium_mg", "numeric factor"),
        ("warm_footbath", "my_bath", "built-in column 'footbath'"),
    ],
)
def test_bad_custom_columns_are_refused(intervention: str, column: str, why: str) -> None:
    with pytest.raises(InputError, match=why):
        experiments.testable_intervention(intervention, column=column)
