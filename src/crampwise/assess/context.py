"""The facts a situation offers to the knowledge base's rules, and how each is shown.

`shown` holds the contract's machine-readable text for each fact (a reason's "because" in
JSON: "bedroom_temp_c=15"); `words` maps each such text to what a person reads ("your
bedroom is 15 °C"). Both are kept apart from the rules so the wording can change without
touching triage or the plan.
"""

from __future__ import annotations

from crampwise.assess.medicines import MedicineMatch
from crampwise.assess.situation import Situation
from crampwise.knowledge import Knowledge, labels
from crampwise.knowledge import vocabulary as v
from crampwise.knowledge.facts import FactContext


def build_context(
    situation: Situation,
    medicines: list[MedicineMatch],
    knowledge: Knowledge,
    units: str | None = None,
) -> FactContext:
    """The facts a situation offers to the knowledge base's rules.

    `units` ("metric" or "us", default metric) sets the unit of the plain words; a bedroom
    temperature given in °F is always quoted in °F.
    """
    # A temperature typed in °F is quoted back in °F; one in °C follows the person's choice.
    if "bedroom_temp_f" in situation.day:
        units = "us"
    units = units or "metric"
    values: dict[str, float | bool | str] = {}
    shown: dict[str, str] = {}
    words: dict[str, str] = {}
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
            words[shown[path]] = labels.field_words(block, key, value, units)
    temp = situation.bedroom_temp_c
    if temp is not None:
        values["day.bedroom_temp_c"] = temp
        shown["day.bedroom_temp_c"] = shown.get("day.bedroom_temp_c") or shown["day.bedroom_temp_f"]
    for symptom in situation.symptoms:
        words[symptom] = labels.symptom_words(symptom)
    for condition in situation.conditions:
        words[condition] = labels.condition_words(condition)
    for m in medicines:
        words[f"medication={m.input}"] = labels.medicine_words(m.input, m.generic, m.class_label)
    return FactContext(
        symptoms=frozenset(situation.symptoms),
        conditions=frozenset(situation.conditions),
        medicines=tuple(m.fact(knowledge) for m in medicines if m.recognised),
        values=values,
        shown=shown,
        words=words,
    )
