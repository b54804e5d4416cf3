"""The facts a situation offers to the knowledge base's rules, and how each is shown.

`shown` holds the words a person reads for each fact (a reason's "because"); it is kept
apart from the rules so the wording can change without touching triage or the plan.
"""

from __future__ import annotations

from crampwise.assess.medicines import MedicineMatch
from crampwise.assess.situation import Situation
from crampwise.knowledge import Knowledge
from crampwise.knowledge import vocabulary as v
from crampwise.knowledge.facts import FactContext


def build_context(
    situation: Situation, medicines: list[MedicineMatch], knowledge: Knowledge
) -> FactContext:
    """The facts a situation offers to the knowledge base's rules."""
    values: dict[str, float | bool | str] = {}
    shown: dict[str, str] = {}
    for block in v.BLOCKS:
        for key, value in getattr(situation, block).items():
            path = f"{block}.{key}"
            if isinstance(value, bool):
                values[path] = value
                shown[path] = key if value else f"{key}=false"
            elif isinstance(value, int | float):
                values[path] = float(value)
                shown[path] = f"{key}={value:g}"
            else:
                values[path] = value
                shown[path] = f"{key}={value}"
    temp = situation.bedroom_temp_c
    if temp is not None:
        values["day.bedroom_temp_c"] = temp
        shown["day.bedroom_temp_c"] = shown.get("day.bedroom_temp_c") or shown["day.bedroom_temp_f"]
    return FactContext(
        symptoms=frozenset(situation.symptoms),
        conditions=frozenset(situation.conditions),
        medicines=tuple(m.fact(knowledge) for m in medicines if m.recognised),
        values=values,
        shown=shown,
    )
