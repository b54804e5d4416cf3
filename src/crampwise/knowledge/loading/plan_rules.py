"""plan_rules.toml: remedies a red flag or a condition makes unsafe, and what to offer instead."""

from __future__ import annotations

from typing import Any

from crampwise.knowledge.entry import Entry
from crampwise.knowledge.loading.reader import Reader
from crampwise.knowledge.models import PlanRule, Remedy


def load_plan_rules(
    r: Reader, data: dict[str, Any], remedies: dict[str, Remedy]
) -> tuple[PlanRule, ...]:
    fields = ("id", "remedies", "when", "instead", "why", "evidence", "sources")
    rules: list[PlanRule] = []
    for i, raw in enumerate(r.tables(data, "plan_rules.toml", "withhold")):
        e = Entry(f"knowledge/plan_rules.toml: withhold #{i + 1}", raw, fields, "id")
        rid = e.get("id", str)
        e.where = f"knowledge/plan_rules.toml: withhold {rid!r}"
        if any(x.id == rid for x in rules):
            raise e.fail("duplicate id")
        targets = e.strings("remedies")
        if not targets:
            raise e.fail("field 'remedies' needs at least one remedy id")
        for target in targets:
            if target not in remedies:
                raise e.fail(f"remedy {target!r} is not in remedies.toml")
        instead = e.optional("instead")
        if instead is not None:
            alt = remedies.get(instead)
            if alt is None or alt.include is not None:
                raise e.fail(
                    f"instead {instead!r} must be a remedy in remedies.toml with "
                    'include = "never" (offered only in place of another)'
                )
        when = r.condition(e, "when")
        if not when:
            raise e.fail("'when' must list facts")
        rules.append(
            PlanRule(rid, targets, when, e.get("why", str), r.grade(e), r.source_ids(e), instead)
        )
    return tuple(rules)
