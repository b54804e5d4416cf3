"""What a person's saved assessment changes on every page and command that offers a remedy.

A remedy the assessment replaced (a footbath with diabetes) or withheld (massage while a
clot is possible) must not be offered elsewhere either: Tonight, Bedtime, the experiment
wizard and `experiment plan`, the report and `learn` all ask `PersonalRules` first.
The rules are recomputed from the saved *situation*, so a knowledge-base update applies to
assessments saved before it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from crampwise.assess.assessment import AssessmentResult, assess
from crampwise.assess.plan import Withheld

__all__ = ["NO_RULES", "PersonalRules", "Withheld", "personal_rules", "rules_from_result"]


@dataclass(frozen=True)
class PersonalRules:
    """Remedy gates for one person; empty (everything allowed) with no saved assessment."""

    withheld: Mapping[str, Withheld]
    level: str | None = None

    def allows(self, remedy_id: str) -> bool:
        return remedy_id not in self.withheld

    def instead(self, remedy_id: str) -> str | None:
        w = self.withheld.get(remedy_id)
        return w.instead if w else None

    def why(self, remedy_id: str) -> str | None:
        w = self.withheld.get(remedy_id)
        return w.why if w else None


NO_RULES = PersonalRules(withheld={})


def rules_from_result(result: AssessmentResult) -> PersonalRules:
    """The remedies an assessment result replaced or withheld."""
    out: dict[str, Withheld] = {}
    for item in result.plan:
        if item.replaces:
            out[item.replaces] = Withheld(
                item.replaces, item.id, item.replacement_reason or "", item.sources
            )
    for w in getattr(result, "withheld", ()):
        out.setdefault(w.remedy, w)
    return PersonalRules(withheld=out, level=result.triage.level)


def personal_rules(situation: Mapping[str, Any] | None) -> PersonalRules:
    """Rules for a saved situation (the contract's JSON); none saved → nothing withheld."""
    if not situation:
        return NO_RULES
    return rules_from_result(assess(dict(situation)))
