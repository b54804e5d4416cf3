"""The `learn` guide: the seed article's causes and remedies, checked against the evidence.

Returns plain structured sections (titles, paragraphs, graded items with sources) that the
CLI prints and the web app renders; no formatting here.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from crampwise.errors import InputError
from crampwise.knowledge import Knowledge, load_knowledge
from crampwise.knowledge import vocabulary as v

GRADE_MEANING = {
    "high": "Several good trials agree; further research is unlikely to change the answer.",
    "moderate": "Good studies, but further research could change the size of the effect.",
    "low": "Few or small studies; the true effect may be quite different.",
    "very_low": "Very little or indirect evidence; treat as a guess.",
    "expert_opinion": "Advice from clinical guidelines or experts, not tested in trials.",
}
# One title per phase in knowledge.vocabulary.PHASES (the CLI and web reports use these too).
PHASE_TITLES = {
    "during_cramp": "During a cramp",
    "after_cramp": "After a cramp",
    "bedtime": "At bedtime",
    "daily": "Every day",
    "with_doctor": "With your doctor",
}
LEVEL_WORDS = {
    "emergency": "Call an ambulance",
    "urgent": "See a doctor today",
    "routine": "Book an appointment",
    "self_care": "Home measures",
}
TOPICS = ("overview", "causes", "remedies", "avoid", "warning-signs", "medicines")


@dataclass(frozen=True)
class GuideItem:
    """One graded statement: a cause, a remedy, a thing to avoid, a warning sign."""

    id: str
    title: str
    text: str
    evidence: str | None = None
    sources: tuple[str, ...] = ()
    seed_claim: str | None = None
    evidence_note: str | None = None
    label: str | None = None  # e.g. the triage level or the phase
    # Why this person's saved assessment rules the remedy out, and what to do instead.
    not_for_you: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {k: (list(x) if isinstance(x, tuple) else x) for k, x in self.__dict__.items()}


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    intro: tuple[str, ...] = ()
    items: tuple[GuideItem, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "intro": list(self.intro),
            "items": [i.to_dict() for i in self.items],
        }


def _overview(kb: Knowledge) -> Section:
    grades = tuple(
        GuideItem(g, g.replace("_", " "), GRADE_MEANING[g], evidence=g) for g in v.GRADES
    )
    return Section(
        "overview",
        "Night leg cramps: what helps, and how sure we are",
        (
            "A night cramp is a sudden, painful tightening of a muscle, usually the calf, that "
            "lasts seconds to about 10 minutes. About a third of people over 60 have them; "
            "most cramps have no single cause and are harmless.",
            "This guide starts from a popular article ('4 home remedies') and checks each of "
            "its claims against published evidence. Every statement carries a grade and its "
            "sources (see `crampwise sources`). Where the evidence disagrees with the article, "
            "the guide says so.",
            "Cramps come and go by themselves, so 'I tried X and it got better' misleads; a "
            "diary, or a randomised on/off experiment, shows what really helps.",
        ),
        grades,
    )


def _causes(kb: Knowledge) -> Section:
    items = tuple(
        GuideItem(c.id, c.title, c.summary, c.evidence, c.sources, c.seed_claim) for c in kb.causes
    )
    return Section(
        "causes",
        "Causes",
        (
            "What the article blames, and what else is known. The grade says how well the link "
            "to cramps is established.",
        ),
        items,
    )


def _remedies(kb: Knowledge) -> Section:
    ordered = sorted(
        (r for r in kb.remedies.values()),
        key=lambda r: v.PHASES.index(r.phase),
    )
    items = []
    for r in ordered:
        text = r.how
        cautions = [c.text for c in r.cautions if c.when is None]
        if cautions:
            text += " Caution: " + " ".join(cautions)
        if r.alternative_to:
            text += f" (Replaces {kb.remedies[r.alternative_to].title.lower()} when it is unsafe.)"
        items.append(
            GuideItem(
                r.id,
                r.title,
                text,
                r.evidence,
                r.sources,
                r.seed_claim,
                r.evidence_note,
                PHASE_TITLES[r.phase],
            )
        )
    return Section(
        "remedies",
        "Remedies",
        (
            "What to do during a cramp, after it, at bedtime and every day. Painkillers do not "
            "help during a cramp.",
        ),
        tuple(items),
    )


def _avoid(kb: Knowledge) -> Section:
    items = tuple(GuideItem(a.id, a.title, a.why, a.evidence, a.sources) for a in kb.avoid)
    return Section("avoid", "What to avoid", (), items)


def _warning_signs(kb: Knowledge) -> Section:
    items = tuple(
        GuideItem(r.id, r.title, r.advice, r.evidence, r.sources, label=LEVEL_WORDS[r.level])
        for r in sorted(kb.rules, key=lambda r: v.LEVELS.index(r.level))
    )
    return Section(
        "warning-signs",
        "Warning signs: when a cramp is not just a cramp",
        ("Chest pain is always an emergency. When unsure, crampwise triages up, never down.",),
        items,
    )


def _medicines(kb: Knowledge) -> Section:
    items = []
    order = ("strong", "rare", "moderate", "weak", "reported")
    for cls in sorted(kb.classes.values(), key=lambda c: (*order, "none").index(c.link)):
        members = [m for m in kb.medicines.values() if m.class_id == cls.id and m.link != "none"]
        if not members:
            continue
        names = ", ".join(
            m.generic + (f" ({', '.join(m.names[:2])})" if m.names else "") for m in members
        )
        items.append(
            GuideItem(
                cls.id,
                cls.label,
                f"{cls.detail} Examples: {names}.",
                None,
                cls.sources,
                label=members[0].link,
            )
        )
    return Section(
        "medicines",
        "Medicines linked to cramps",
        ("Never stop a prescribed medicine yourself: review it with the prescriber.",),
        tuple(items),
    )


_BUILDERS = {
    "overview": _overview,
    "causes": _causes,
    "remedies": _remedies,
    "avoid": _avoid,
    "warning-signs": _warning_signs,
    "medicines": _medicines,
}


class RemedyRules(Protocol):
    """The part of `crampwise.assess.personal.PersonalRules` the guide asks."""

    def allows(self, remedy_id: str) -> bool: ...
    def instead(self, remedy_id: str) -> str | None: ...
    def why(self, remedy_id: str) -> str | None: ...


def personalise(found: list[Section], rules: RemedyRules, kb: Knowledge) -> list[Section]:
    """The sections with every remedy a saved assessment rules out marked "not for you"."""
    out = []
    for section in found:
        items = []
        for item in section.items:
            if item.id in kb.remedies and not rules.allows(item.id):
                note = (rules.why(item.id) or "Your saved assessment rules it out.").strip()
                instead = rules.instead(item.id)
                if instead in kb.remedies:
                    note += f" Instead: {kb.remedies[instead].title}."
                item = replace(item, not_for_you=note)
            items.append(item)
        out.append(replace(section, items=tuple(items)))
    return out


def sections(
    topic: str | None = None,
    knowledge: Knowledge | None = None,
    rules: RemedyRules | None = None,
) -> list[Section]:
    """The guide, or one topic of it: a section name, or the id of one cause or remedy.

    With `rules` (a person's saved assessment), remedies it rules out say so and why.
    """
    kb = knowledge or load_knowledge()
    found = _sections(topic, kb)
    return personalise(found, rules, kb) if rules is not None else found


def _sections(topic: str | None, kb: Knowledge) -> list[Section]:
    if topic is None:
        return [build(kb) for build in _BUILDERS.values()]
    key = topic.strip().lower().replace("_", "-")
    if key in _BUILDERS:
        return [_BUILDERS[key](kb)]
    ident = topic.strip().lower().replace("-", "_").replace(" ", "_")
    exact, partial = [], []
    for section in (_causes(kb), _remedies(kb), _avoid(kb)):
        for item in section.items:
            if item.id == ident:
                exact.append(Section(section.id, section.title, (), (item,)))
        # A word people type ("calcium", "footbath") finds every entry it names.
        hits = tuple(item for item in section.items if ident and ident in item.id)
        if hits:
            partial.append(Section(section.id, section.title, (), hits))
    if exact or partial:
        return exact or partial
    known = sorted([*TOPICS, *(c.id for c in kb.causes), *kb.remedies])
    raise InputError(f"topic {topic!r} is not one of: {', '.join(known)}", field="topic")
