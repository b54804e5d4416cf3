"""red_flags.toml: the triage rules (facts → level, advice)."""

from __future__ import annotations

from typing import Any

from crampwise.knowledge import vocabulary as v
from crampwise.knowledge.entry import Entry, KnowledgeError
from crampwise.knowledge.loading.reader import Reader
from crampwise.knowledge.models import RedFlagRule


def load_rules(r: Reader, data: dict[str, Any]) -> tuple[RedFlagRule, ...]:
    fields = ("id", "level", "title", "when", "advice", "evidence", "sources", "baseline")
    rules: list[RedFlagRule] = []
    for i, raw in enumerate(r.tables(data, "red_flags.toml", "rule")):
        e = Entry(f"knowledge/red_flags.toml: rule #{i + 1}", raw, fields, "id")
        rid = e.get("id", str)
        e.where = f"knowledge/red_flags.toml: rule {rid!r}"
        if any(r.id == rid for r in rules):
            raise e.fail("duplicate id")
        baseline = e.get("baseline", bool, False)
        raw_when = e.data.get("when")
        if not isinstance(raw_when, list):
            raise e.fail("field 'when' must be a list of fact lists")
        when = r.condition(e, "when") if raw_when else ()
        if bool(when) == baseline:
            raise e.fail("a baseline rule has an empty 'when'; every other rule needs facts")
        rules.append(
            RedFlagRule(
                rid,
                e.choice("level", v.LEVELS),
                e.get("title", str),
                when or (),
                e.get("advice", str),
                r.grade(e),
                r.source_ids(e),
                baseline,
            )
        )
    if not any(r.baseline for r in rules):
        raise KnowledgeError("knowledge/red_flags.toml: needs one baseline rule")
    return tuple(rules)
