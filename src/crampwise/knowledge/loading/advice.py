"""causes.toml, remedies.toml and avoid.toml: why cramps happen, what helps, what to avoid."""

from __future__ import annotations

from typing import Any

from crampwise.knowledge import vocabulary as v
from crampwise.knowledge.entry import Entry, KnowledgeError
from crampwise.knowledge.loading.reader import Reader
from crampwise.knowledge.models import (
    AvoidItem,
    Cause,
    Grading,
    Remedy,
    Signal,
    Substitution,
)


def load_causes(r: Reader, data: dict[str, Any]) -> tuple[Cause, ...]:
    fields = ("id", "title", "summary", "evidence", "sources", "signals", "seed_claim", "grading")
    causes: list[Cause] = []
    for i, raw in enumerate(r.tables(data, "causes.toml", "cause")):
        e = Entry(f"knowledge/causes.toml: cause #{i + 1}", raw, fields, "id")
        cid = e.choice("id", v.CAUSE_IDS)
        e.where = f"knowledge/causes.toml: cause {cid!r}"
        if any(c.id == cid for c in causes):
            raise e.fail("duplicate id")
        signals = []
        raw_signals = e.data.get("signals")
        if not isinstance(raw_signals, list) or not raw_signals:
            raise e.fail("needs at least one signal")
        for s in raw_signals:
            se = Entry(e.where + " signal", s, ("fact", "weight"))
            weight = se.get("weight", float)
            if not 0 < weight < 1:
                raise se.fail(f"weight {weight} must be between 0 and 1")
            signals.append(Signal(r.fact(se, se.get("fact", str)), weight))
        grading = []
        raw_grading = e.data.get("grading", [])
        if not isinstance(raw_grading, list):
            raise e.fail("field 'grading' must be a list")
        for j, g in enumerate(raw_grading):
            ge = Entry(f"{e.where} grading #{j + 1}", g, ("when", "evidence", "note", "sources"))
            when = r.condition(ge, "when")
            if not when:
                raise ge.fail("'when' must list facts")
            grading.append(Grading(when, r.grade(ge), ge.get("note", str), r.source_ids(ge)))
        causes.append(
            Cause(
                cid,
                e.get("title", str),
                e.get("summary", str),
                r.grade(e),
                r.source_ids(e),
                tuple(signals),
                e.optional("seed_claim"),
                tuple(grading),
            )
        )
    missing = set(v.CAUSE_IDS) - {c.id for c in causes}
    if missing:
        raise KnowledgeError(f"knowledge/causes.toml: missing causes: {', '.join(sorted(missing))}")
    return tuple(causes)


def load_remedies(r: Reader, data: dict[str, Any]) -> dict[str, Remedy]:
    fields = (
        "id",
        "title",
        "phase",
        "how",
        "evidence",
        "evidence_note",
        "sources",
        "include",
        "relevant",
        "cautions",
        "substitute",
        "seed_claim",
        "alternative_to",
    )
    remedies: dict[str, Remedy] = {}
    for i, raw in enumerate(r.tables(data, "remedies.toml", "remedy")):
        e = Entry(f"knowledge/remedies.toml: remedy #{i + 1}", raw, fields, "id")
        rid = e.get("id", str)
        e.where = f"knowledge/remedies.toml: remedy {rid!r}"
        if rid in remedies:
            raise e.fail("duplicate id")
        substitute = None
        if "substitute" in e.data:
            se = Entry(e.where + " substitute", e.data["substitute"], ("when", "with", "reason"))
            cond = r.condition(se, "when")
            if not cond:
                raise se.fail("'when' must list facts")
            substitute = Substitution(cond, se.get("with", str), se.get("reason", str))
        raw_cautions = e.data.get("cautions", [])
        if not isinstance(raw_cautions, list):
            raise e.fail("field 'cautions' must be a list")
        remedies[rid] = Remedy(
            id=rid,
            title=e.get("title", str),
            phase=e.choice("phase", v.PHASES),
            how=e.get("how", str),
            evidence=r.grade(e),
            evidence_note=e.get("evidence_note", str),
            sources=r.source_ids(e),
            include=r.condition(e, "include"),
            relevant=tuple(r.fact(e, f) for f in e.strings("relevant", required=False)),
            cautions=tuple(
                r.caution(f"{e.where} caution #{j + 1}", c) for j, c in enumerate(raw_cautions)
            ),
            substitute=substitute,
            seed_claim=e.optional("seed_claim"),
            alternative_to=e.optional("alternative_to"),
        )
    for remedy in remedies.values():
        where = f"knowledge/remedies.toml: remedy {remedy.id!r}"
        if remedy.substitute:
            alt = remedies.get(remedy.substitute.with_id)
            if alt is None or alt.alternative_to != remedy.id:
                raise KnowledgeError(
                    f"{where}: substitute {remedy.substitute.with_id!r} must be a remedy with "
                    f"alternative_to = {remedy.id!r}"
                )
    missing = set(v.CONTRACT_PLAN_IDS) - set(remedies)
    if missing:
        raise KnowledgeError(
            f"knowledge/remedies.toml: missing plan ids: {', '.join(sorted(missing))}"
        )
    return remedies


def load_avoid(r: Reader, data: dict[str, Any]) -> tuple[AvoidItem, ...]:
    items: list[AvoidItem] = []
    for i, raw in enumerate(r.tables(data, "avoid.toml", "avoid")):
        e = Entry(
            f"knowledge/avoid.toml: avoid #{i + 1}",
            raw,
            ("id", "title", "why", "evidence", "sources", "include", "names"),
            "id",
        )
        aid = e.get("id", str)
        e.where = f"knowledge/avoid.toml: avoid {aid!r}"
        include = r.condition(e, "include")
        if include is None:
            raise e.fail('include cannot be "never"')
        items.append(
            AvoidItem(
                aid,
                e.get("title", str),
                e.get("why", str),
                r.grade(e),
                r.source_ids(e),
                include,
                e.strings("names", required=False),
            )
        )
    quinine = next((a for a in items if a.id == "quinine"), None)
    if quinine is None or quinine.include != ():
        raise KnowledgeError('knowledge/avoid.toml: quinine must be listed with include = "always"')
    return tuple(items)
