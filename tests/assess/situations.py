"""Build the smallest situation that makes given knowledge facts true (for rule tests)."""

from __future__ import annotations

from typing import Any

from crampwise.knowledge import Knowledge
from crampwise.knowledge import vocabulary as v
from crampwise.knowledge.facts import Fact


def medicine_for(fact: Fact, kb: Knowledge) -> str:
    """A medicine name (brand where there is one) that makes a medicine fact true."""
    for med in kb.medicines.values():
        if (
            (fact.kind == "medclass" and med.class_id == fact.name)
            or (fact.kind == "medicine" and med.generic == fact.name)
            or (fact.kind == "medlink" and fact.name == "any" and med.link != "none")
            or (fact.kind == "medlink" and med.link == fact.name)
        ):
            return med.names[0] if med.names else med.generic
    raise AssertionError(f"no medicine satisfies {fact.text}")


def add_fact(situation: dict[str, Any], fact: Fact, kb: Knowledge) -> dict[str, Any]:
    """Return a copy of `situation` in which `fact` holds."""
    out = {k: (dict(x) if isinstance(x, dict) else list(x)) for k, x in situation.items()}
    if fact.kind in ("symptom", "condition"):
        key = fact.kind + "s"
        out.setdefault(key, [])
        if fact.name not in out[key]:
            out[key].append(fact.name)
        return out
    if fact.kind in ("medclass", "medicine", "medlink"):
        out.setdefault("medications", []).append(medicine_for(fact, kb))
        return out
    block, name = fact.name.split(".")
    value: Any = fact.value
    if fact.op in (">", ">=", "<", "<="):
        low, high = v.NUMERIC_RANGES[(block, name)]
        assert isinstance(value, float)
        value = {">": value + 1, ">=": value, "<": value - 1, "<=": value}[fact.op]
        value = max(low, value if high is None else min(high, value))
        value = int(value) if value == int(value) else value
    out.setdefault(block, {})[name] = value
    return out
