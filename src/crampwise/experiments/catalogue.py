"""Remedies a person can test on themselves with an n-of-1 experiment, and the diary column
that records, night by night, whether they did it.

A remedy qualifies when it is safe to switch on and off every week or two, acts within a
night or two (so a few days of wash-out suffice), and is done in the evening. Quinine, by any
of its names in the knowledge base's "avoid" list, never qualifies (FDA boxed warning), nor
does anything that must not be stopped abruptly. A supplement is only tested when the person
and their doctor chose it; its diary column is a boolean factor the person names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

from crampwise.diary.model import BUILTIN_BY_NAME
from crampwise.errors import InputError
from crampwise.knowledge import load_knowledge


@dataclass(frozen=True)
class TestableIntervention:
    """A remedy from the knowledge base and the boolean diary column that records it."""

    __test__ = False  # not a pytest test class despite the name

    id: str
    title: str
    column: str
    builtin_column: bool  # True: a built-in day factor; False: a custom boolean factor
    needs_doctor: bool = False

    @property
    def reminder(self) -> str:
        """What the evening reminder says on an "on" day (from the knowledge base)."""
        return load_knowledge().bedtime.reminders[self.id].text


TESTABLE: dict[str, TestableIntervention] = {
    t.id: t
    for t in (
        TestableIntervention(
            "warm_footbath",
            "warm footbath before bed",
            "footbath",
            True,
        ),
        TestableIntervention(
            "calf_stretch_bedtime",
            "calf and hamstring stretching at bedtime",
            "stretched",
            True,
        ),
        TestableIntervention(
            "massage_therapy",
            "leg massage in the evening",
            "massage",
            True,
        ),
        TestableIntervention(
            "warm_bedroom",
            "a warm bedroom and warm legs at night",
            "warm_bedroom",
            False,
        ),
        TestableIntervention(
            "supplement",
            "a supplement you and your doctor chose",
            "supplement",
            False,
            needs_doctor=True,
        ),
    )
}
_COLUMN = re.compile(r"[a-z][a-z0-9_]{0,63}")


def testable_intervention(intervention_id: str, column: str | None = None) -> TestableIntervention:
    """The testable remedy `intervention_id`; `column` renames its custom diary factor.

    Raises InputError for quinine, for any remedy that cannot be tested this way (listing
    those that can), and for a column name that is not a plain lower-case identifier.
    """
    key = intervention_id.strip().lower()
    allowed = ", ".join(TESTABLE)
    if key.replace("_", " ") in _never_tested():
        raise InputError(
            f"field 'intervention': {intervention_id!r} is never suggested or tested by crampwise "
            f"(serious, sometimes fatal side effects); testable remedies are: {allowed}",
            field="intervention",
        )
    found = TESTABLE.get(key)
    if found is None:
        raise InputError(
            f"field 'intervention': {intervention_id!r} is not one of: {allowed}",
            field="intervention",
        )
    if column is None or column == found.column:
        return found
    if found.builtin_column:
        raise InputError(
            f"field 'column': {found.id} is recorded in the built-in column {found.column!r}; "
            "only warm_bedroom and supplement take a column name",
            field="column",
        )
    if not _COLUMN.fullmatch(column):
        raise InputError(
            f"field 'column': {column!r} must be lower-case letters, digits and _ "
            "(starting with a letter)",
            field="column",
        )
    builtin = BUILTIN_BY_NAME.get(column)
    if builtin is not None and builtin.kind != "boolean":
        raise InputError(
            f"field 'column': {column!r} is a built-in {builtin.kind} factor; "
            "an experiment needs a yes/no (boolean) column",
            field="column",
        )
    return TestableIntervention(
        found.id, found.title, column, builtin is not None, found.needs_doctor
    )


def _never_tested() -> frozenset[str]:
    """Quinine and its other names ("quinine sulfate", "tonic water"), lower case."""
    quinine = next(a for a in load_knowledge().avoid if a.id == "quinine")
    return frozenset(name.lower() for name in (quinine.id, *quinine.names))


class RemedyRules(Protocol):
    """The part of `crampwise.assess.personal.PersonalRules` an experiment asks."""

    def allows(self, remedy_id: str) -> bool: ...
    def instead(self, remedy_id: str) -> str | None: ...
    def why(self, remedy_id: str) -> str | None: ...


def not_for_you(intervention_id: str, rules: RemedyRules, list_ids: bool = False) -> str | None:
    """Why the person's saved assessment rules this remedy out, in words, with what to do
    instead (and, with `list_ids`, the ids of the remedies that can be tested, for a
    command line); None when it is allowed."""
    key = intervention_id.strip().lower()
    found = TESTABLE.get(key)
    if found is None or rules.allows(key):
        return None
    remedies = load_knowledge().remedies
    why = (rules.why(key) or "").strip()
    text = f"Your saved assessment rules out {found.title}" + (f": {why}" if why else ".")
    instead = rules.instead(key)
    if instead and instead in remedies:
        text += f" Instead: {remedies[instead].title[:1].lower()}{remedies[instead].title[1:]}."
    others = [t.id for t in TESTABLE.values() if rules.allows(t.id)]
    if others and list_ids:
        text += f" Remedies you can test: {', '.join(others)}."
    return text


def check_allowed(intervention_id: str, rules: RemedyRules) -> None:
    """InputError (the reason in words, and the ids that can be tested) when the saved
    assessment rules the remedy out."""
    reason = not_for_you(intervention_id, rules, list_ids=True)
    if reason is not None:
        raise InputError(f"field 'intervention': {reason}", field="intervention")
