"""A person's plan: the remedies that apply, minus what a red flag or a condition makes unsafe.

The knowledge base says it as data: a remedy's `substitute` (a footbath with numb feet
becomes a lukewarm wash) and the rules of `plan_rules.toml` (no rubbing or warming a leg
that may hold a clot, no stretching through a cramp that will not ease, paracetamol rather
than ibuprofen in pregnancy). Whatever is withheld leaves the plan and is listed, with the
reason, in `withheld`, so that no page or command offers it to this person either.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from crampwise.knowledge import Knowledge
from crampwise.knowledge import vocabulary as v
from crampwise.knowledge.facts import Fact, FactContext, condition_holds, describe, holds, matched
from crampwise.knowledge.models import Caution, Remedy


@dataclass(frozen=True)
class Withheld:
    """A remedy not to offer this person: why (plain words), and what to offer instead."""

    remedy: str
    instead: str | None
    why: str
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class PlanItem:
    id: str
    title: str
    when: str
    how: str
    evidence: str
    evidence_note: str
    cautions: tuple[Caution, ...]
    sources: tuple[str, ...]
    because: tuple[str, ...] = ()
    replaces: str | None = None
    replaced_because: tuple[str, ...] = ()
    replacement_reason: str | None = None
    seed_claim: str | None = None


def because(facts: list[Fact] | tuple[Fact, ...], ctx: FactContext) -> tuple[str, ...]:
    """The situation's own words for the facts that hold, each once, in order."""
    out: dict[str, None] = {}
    for fact in facts:
        for text in describe(fact, ctx):
            out.setdefault(text)
    return tuple(out)


def withheld_remedies(ctx: FactContext, knowledge: Knowledge) -> dict[str, tuple[Withheld, str]]:
    """remedy id -> (what is withheld and why, the rule that withholds it); first rule wins."""
    out: dict[str, tuple[Withheld, str]] = {}
    for rule in knowledge.plan_rules:
        if not condition_holds(rule.when, ctx):
            continue
        for rid in rule.remedies:
            out.setdefault(rid, (Withheld(rid, rule.instead, rule.why, rule.sources), rule.id))
    return out


def build_plan(
    ctx: FactContext, knowledge: Knowledge
) -> tuple[tuple[PlanItem, ...], tuple[Withheld, ...]]:
    """The remedies that apply with the cautions that hold, and what was withheld or replaced."""
    blocked = withheld_remedies(ctx, knowledge)
    items: list[tuple[int, int, int, PlanItem]] = []
    withheld: dict[str, Withheld] = {}
    for order, remedy in enumerate(knowledge.remedies.values()):
        if remedy.include is None or not condition_holds(remedy.include, ctx):
            continue
        why_here = because([f for f in remedy.relevant if holds(f, ctx)], ctx)
        item: PlanItem | None
        if remedy.id in blocked:
            w, rule_id = blocked[remedy.id]
            withheld[remedy.id] = w
            rule = next(r for r in knowledge.plan_rules if r.id == rule_id)
            item = _replacement(w.instead, remedy, w.why, matched(rule.when, ctx), ctx, knowledge)
        elif remedy.substitute is not None and condition_holds(remedy.substitute.when, ctx):
            sub = remedy.substitute
            alt_sources = knowledge.remedies[sub.with_id].sources
            withheld[remedy.id] = Withheld(remedy.id, sub.with_id, sub.reason, alt_sources)
            facts = matched(sub.when, ctx)
            item = _replacement(sub.with_id, remedy, sub.reason, facts, ctx, knowledge)
        else:
            item = _item(remedy, ctx, why_here)
        if item is None or item.id in blocked:
            continue
        items.append((v.PHASES.index(remedy.phase), 0 if why_here else 1, order, item))
    items.sort(key=lambda t: t[:3])
    return tuple(t[3] for t in items), tuple(withheld.values())


def _replacement(
    instead: str | None,
    remedy: Remedy,
    reason: str,
    facts: list[Fact],
    ctx: FactContext,
    knowledge: Knowledge,
) -> PlanItem | None:
    if instead is None:
        return None
    alt = knowledge.remedies[instead]
    return replace(
        _item(alt, ctx, because([f for f in remedy.relevant if holds(f, ctx)], ctx)),
        replaces=remedy.id,
        replaced_because=because(facts, ctx),
        replacement_reason=reason,
    )


def _item(remedy: Remedy, ctx: FactContext, why_here: tuple[str, ...]) -> PlanItem:
    return PlanItem(
        id=remedy.id,
        title=remedy.title,
        when=remedy.phase,
        how=remedy.how,
        evidence=remedy.evidence,
        evidence_note=remedy.evidence_note,
        cautions=tuple(
            c for c in remedy.cautions if c.when is None or condition_holds(c.when, ctx)
        ),
        sources=remedy.sources,
        because=why_here,
        seed_claim=remedy.seed_claim,
    )
