"""Situation → triage, ranked causes, a personal plan, things to avoid, medicine notes.

A pure function of the situation and the knowledge base: the clinical content lives in the
knowledge files; this module only applies it (fires rules, scores causes, picks the plan).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from crampwise.assess.context import build_context
from crampwise.assess.medicines import MedicineMatch, match_medicines
from crampwise.assess.plan import PlanItem, Withheld, build_plan
from crampwise.assess.plan import because as _because
from crampwise.assess.situation import Situation, parse_situation
from crampwise.knowledge import Knowledge, load_knowledge
from crampwise.knowledge import vocabulary as v
from crampwise.knowledge.facts import FactContext, condition_holds, holds, matched

PHASE_ORDER = v.PHASES
__all__ = ["AssessmentResult", "PlanItem", "Withheld", "assess"]


@dataclass(frozen=True)
class TriageReason:
    id: str
    level: str
    title: str
    because: tuple[str, ...]
    advice: str
    evidence: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Triage:
    level: str
    title: str
    action: str
    reasons: tuple[TriageReason, ...]


@dataclass(frozen=True)
class CauseResult:
    id: str
    title: str
    score: float
    because: tuple[str, ...]
    evidence: str
    summary: str
    sources: tuple[str, ...]
    seed_claim: str | None = None
    # Why the link is graded as it is for this person, when a narrower grade applies.
    evidence_note: str | None = None


@dataclass(frozen=True)
class AvoidResult:
    id: str
    title: str
    why: str
    evidence: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class AssessmentResult:
    """Everything `crampwise assess` reports; `to_dict()` is the contract's JSON."""

    situation: Situation
    triage: Triage
    causes: tuple[CauseResult, ...]
    plan: tuple[PlanItem, ...]
    avoid: tuple[AvoidResult, ...]
    medications: tuple[MedicineMatch, ...]
    knowledge_version: str
    disclaimer: str
    note: str = ""
    # Remedies this person must not be offered (here or on any other page), and why.
    withheld: tuple[Withheld, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "triage": {
                "level": self.triage.level,
                "title": self.triage.title,
                "action": self.triage.action,
                "reasons": [_reason_dict(r) for r in self.triage.reasons],
            },
            "causes": [_cause_dict(c) for c in self.causes],
            "plan": [_plan_dict(p) for p in self.plan],
            "avoid": [
                {
                    "id": a.id,
                    "title": a.title,
                    "why": a.why,
                    "evidence": a.evidence,
                    "sources": list(a.sources),
                }
                for a in self.avoid
            ],
            "withheld": [
                {
                    "remedy": w.remedy,
                    "instead": w.instead,
                    "why": w.why,
                    "sources": list(w.sources),
                }
                for w in self.withheld
            ],
            "medications": [m.to_dict() for m in self.medications],
            "note": self.note,
            "situation": self.situation.to_dict(),
            "knowledge_version": self.knowledge_version,
            "disclaimer": self.disclaimer,
        }


def _reason_dict(r: TriageReason) -> dict[str, Any]:
    return {
        "id": r.id,
        "level": r.level,
        "title": r.title,
        "because": list(r.because),
        "advice": r.advice,
        "evidence": r.evidence,
        "sources": list(r.sources),
    }


def _cause_dict(c: CauseResult) -> dict[str, Any]:
    return {
        "id": c.id,
        "title": c.title,
        "score": c.score,
        "because": list(c.because),
        "evidence": c.evidence,
        "summary": c.summary,
        "seed_claim": c.seed_claim,
        "evidence_note": c.evidence_note,
        "sources": list(c.sources),
    }


def _plan_dict(p: PlanItem) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": p.id,
        "title": p.title,
        "when": p.when,
        "how": p.how,
        "evidence": p.evidence,
        "evidence_note": p.evidence_note,
        "cautions": [c.text for c in p.cautions],
        "caution_details": [
            {"id": c.id, "text": c.text, "evidence": c.evidence, "sources": list(c.sources)}
            for c in p.cautions
        ],
        "sources": list(p.sources),
        "because": list(p.because),
        "seed_claim": p.seed_claim,
    }
    if p.replaces:
        out["replaces"] = p.replaces
        out["replaced_because"] = list(p.replaced_because)
        out["replacement_reason"] = p.replacement_reason
    return out


def triage(ctx: FactContext, knowledge: Knowledge) -> Triage:
    """Fire every red-flag rule; the level is the most urgent any fired rule gives."""
    fired = [r for r in knowledge.rules if not r.baseline and condition_holds(r.when, ctx)]
    if not fired:
        fired = [r for r in knowledge.rules if r.baseline]
    fired.sort(key=lambda r: v.LEVELS.index(r.level))  # stable: file order within a level
    level = fired[0].level
    reasons = tuple(
        TriageReason(
            r.id,
            r.level,
            r.title,
            _because(matched(r.when, ctx), ctx),
            r.advice,
            r.evidence,
            r.sources,
        )
        for r in fired
    )
    info = knowledge.levels[level]
    return Triage(level, info.title, info.action, reasons)


def rank_causes(ctx: FactContext, knowledge: Knowledge) -> tuple[CauseResult, ...]:
    """Causes the situation's facts support, best supported first (noisy-or of signals)."""
    results = []
    for cause in knowledge.causes:
        hits = [s for s in cause.signals if holds(s.fact, ctx)]
        if not hits:
            continue
        remaining = 1.0
        for s in hits:
            remaining *= 1.0 - s.weight
        grade = next((g for g in cause.grading if condition_holds(g.when, ctx)), None)
        results.append(
            CauseResult(
                cause.id,
                cause.title,
                round(1.0 - remaining, 3),
                _because([s.fact for s in hits], ctx),
                grade.evidence if grade else cause.evidence,
                cause.summary,
                cause.sources,
                cause.seed_claim,
                grade.note if grade else None,
            )
        )
    results.sort(key=lambda c: (-c.score, v.GRADES.index(c.evidence)))
    return tuple(results)


def assess(
    situation: dict[str, Any] | Situation, knowledge: Knowledge | None = None
) -> AssessmentResult:
    """Assess one situation (a contract dict, checked here, or an already parsed Situation)."""
    kb = knowledge or load_knowledge()
    sit = situation if isinstance(situation, Situation) else parse_situation(situation)
    meds = match_medicines(sit.medications, kb)
    ctx = build_context(sit, meds, kb)
    causes = rank_causes(ctx, kb)
    avoid = tuple(
        AvoidResult(a.id, a.title, a.why, a.evidence, a.sources)
        for a in kb.avoid
        if condition_holds(a.include, ctx)
    )
    plan, withheld = build_plan(ctx, kb)
    return AssessmentResult(
        situation=sit,
        triage=triage(ctx, kb),
        causes=causes,
        plan=plan,
        withheld=withheld,
        avoid=avoid,
        medications=tuple(meds),
        knowledge_version=kb.version,
        disclaimer=kb.disclaimer,
        note=kb.no_clear_cause,
    )
