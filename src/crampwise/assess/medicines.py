"""Recognise medicines typed as generic or brand names, in any case, with doses or typos.

A combination product (Advair = fluticasone + salmeterol) resolves to its component most
strongly linked to cramps. An unrecognised name is kept and reported, never an error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from crampwise.knowledge import Knowledge, normalise_name
from crampwise.knowledge.facts import MedicineFact

# Strongest link first: a combination is shown as its most cramp-relevant component.
LINK_ORDER = ("strong", "rare", "moderate", "weak", "reported", "none")
_DOSE = re.compile(r"\b\d+(?:[.,]\d+)?\s*(?:mg|mcg|µg|ug|g|ml|iu|units?|%|micrograms?)?(?=\W|$)")
_FILLER = frozenset(
    [
        "tablet",
        "tablets",
        "tab",
        "tabs",
        "capsule",
        "capsules",
        "cap",
        "caps",
        "inhaler",
        "inh",
        "injection",
        "oral",
        "solution",
        "er",
        "xr",
        "sr",
        "la",
        "cr",
        "mr",
        "daily",
        "once",
        "twice",
        "a",
        "day",
        "nightly",
        "at",
        "night",
        "po",
        "bd",
        "od",
        "tds",
        "mdi",
        "puff",
        "puffs",
        "spray",
        "pill",
        "pills",
        "dose",
        "x",
        "per",
        "in",
        "the",
        "morning",
        "evening",
    ]
)
_SPELLING_CUTOFF = 0.85


@dataclass(frozen=True)
class MedicineMatch:
    """What crampwise knows about one medicine the person typed."""

    input: str
    recognised: bool
    generic: str | None = None
    components: tuple[str, ...] = ()
    class_id: str | None = None
    class_label: str | None = None
    link: str = "none"
    advice: str = ""
    sources: tuple[str, ...] = ()
    matched_as: str | None = None  # "name", "name without dose", "spelling"

    @property
    def linked_to_cramps(self) -> bool:
        return self.link != "none"

    def fact(self, knowledge: Knowledge) -> MedicineFact:
        """The medicine as the rule language sees it (every component counts)."""
        parts = [knowledge.medicines[g] for g in self.components]
        return MedicineFact(
            input=self.input,
            generic=self.generic or "",
            classes=frozenset(p.class_id for p in parts),
            links=frozenset(p.link for p in parts),
            generics=frozenset(self.components),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "input": self.input,
            "recognised": self.recognised,
            "generic": self.generic,
            "class": self.class_label,
            "class_id": self.class_id,
            "components": list(self.components),
            "linked_to_cramps": self.linked_to_cramps,
            "link_strength": self.link if self.recognised else None,
            "matched_as": self.matched_as,
            "advice": self.advice,
            "sources": list(self.sources),
        }


def _candidates(text: str) -> list[str]:
    """The typed name, then without doses and form words, then its single words."""
    key = normalise_name(text)
    out = [key]
    stripped = _DOSE.sub(" ", key)
    words = [w for w in re.split(r"[\s,;()]+", stripped) if w and w not in _FILLER]
    if words:
        out.append(" ".join(words))
        out.extend(" ".join(words[i : i + 2]) for i in range(len(words) - 1))
        out.extend(words)
    return out


def _lookup(text: str, knowledge: Knowledge) -> tuple[tuple[str, ...], str] | None:
    candidates = _candidates(text)
    for i, key in enumerate(candidates):
        if key in knowledge.names:
            return knowledge.names[key], "name" if i == 0 else "name without dose"
    import difflib  # only on a miss: keeps the common path quick

    known = list(knowledge.names)
    for attempt in dict.fromkeys(candidates):
        if len(attempt) >= 5:
            close = difflib.get_close_matches(attempt, known, n=1, cutoff=_SPELLING_CUTOFF)
            if close:
                return knowledge.names[close[0]], "spelling"
    return None


def match_medicine(text: str, knowledge: Knowledge) -> MedicineMatch:
    """Recognise one typed medicine name."""
    found = _lookup(text, knowledge)
    if found is None:
        return MedicineMatch(
            input=text,
            recognised=False,
            advice=(
                "crampwise does not recognise this name: check the spelling, or ask a "
                "pharmacist whether it can cause cramps."
            ),
        )
    generics, how = found
    parts = sorted(
        (knowledge.medicines[g] for g in generics), key=lambda m: LINK_ORDER.index(m.link)
    )
    main = parts[0]
    cls = knowledge.classes[main.class_id]
    label = main.label or cls.label
    if main.link == "none":
        advice = cls.detail
        if main.class_id not in ("antimalarial", "anticoagulant_vka"):
            advice = "Not among the medicines crampwise's sources link to cramps."
    else:
        advice = (
            f"{main.generic.capitalize()} ({label}) is linked to cramps: {cls.detail} "
            "Do not stop it yourself; ask your prescriber whether it could cause your cramps."
        )
    if len(generics) > 1:
        advice = f"A combination of {' + '.join(generics)}. " + advice
    if how == "spelling":
        advice = f"Read as {main.generic}; check the spelling. " + advice
    return MedicineMatch(
        input=text,
        recognised=True,
        generic=main.generic,
        components=tuple(generics),
        class_id=main.class_id,
        class_label=label,
        link=main.link,
        advice=advice,
        sources=cls.sources,
        matched_as=how,
    )


def match_medicines(
    names: tuple[str, ...] | list[str], knowledge: Knowledge
) -> list[MedicineMatch]:
    """Recognise every typed medicine name, keeping the order given."""
    return [match_medicine(n, knowledge) for n in names]
