"""An assessment in plain words: what the CLI, the web page and the saved record show people.

`plain_result` is the contract JSON (`AssessmentResult.to_dict()`, unchanged) plus fields
for people: every "because" in words (`because_text`), a plan step's phase in words
(`when_text`), medicines named once with their class (`name_text`) and their advice without
statistics (`advice_text`, the figures in `advice_details`), the remedies held back and why
(`withheld_text`), and a short `summary` (level, what to do now, top causes, tonight's plan)
that pages show before the detail.

`for_reader` is what a person reads of it: every knowledge-base temperature said once, in
their units (the contract JSON and the saved record keep the knowledge base's words).
"""

from __future__ import annotations

import re
from typing import Any

from crampwise.assess.assessment import AssessmentResult
from crampwise.assess.context import build_context
from crampwise.diary.units import in_units
from crampwise.knowledge import Knowledge, labels, load_knowledge
from crampwise.knowledge.facts import in_words

# Sentences that carry statistics (kept for a "details" fold, never in the main text).
_STATISTICS = re.compile(
    r"sequence ratio|\bCI\b|confidence interval|q-value|rate ratio|false discovery|"
    r"\bFDR\b|times as often|\bodds\b|p-value|hazard ratio",
    re.IGNORECASE,
)
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")
_LINK_WORDS = {
    "strong": "strongly linked to cramps",
    "moderate": "linked to cramps",
    "weak": "weakly linked to cramps",
    "rare": "linked to cramps in a few people",
    "reported": "reported to cause cramps in some people",
}
# Phases that make up "tonight": what to do if a cramp comes, and at bedtime (the rest of
# the plan is in the folded detail, so the summary stays about a phone screen).
TONIGHT = ("during_cramp", "bedtime")
TOP_CAUSES = 3


def for_reader(value: Any, units: str | None) -> Any:
    """A copy of a plain result (or any part of it) with every temperature in its text in
    the reader's units, for the page and the terminal."""
    if isinstance(value, str):
        return in_units(value, units)
    if isinstance(value, dict):
        return {k: for_reader(v, units) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [for_reader(v, units) for v in value]
    return value


_COUNT = re.compile(r"\(n\s*=\s*(\d[\d,]*)\)")


def split_statistics(text: str) -> tuple[str, str]:
    """(the sentences without statistics, the sentences with them); a study's "(n=80)"
    reads "(80 people)"."""
    plain: list[str] = []
    stats: list[str] = []
    for sentence in _SENTENCE.split(_COUNT.sub(r"(\1 people)", text.strip())):
        if sentence:
            (stats if _STATISTICS.search(sentence) else plain).append(sentence)
    return " ".join(plain), " ".join(stats)


def _medicine(entry: dict[str, Any], knowledge: Knowledge) -> dict[str, Any]:
    typed, generic, label = entry["input"], entry.get("generic"), entry.get("class")
    out = {**entry, "name_text": labels.medicine_name(typed, generic, label)}
    strength = entry.get("link_strength")
    if entry.get("recognised") and strength in _LINK_WORDS:
        cls = knowledge.classes.get(entry.get("class_id") or "")
        plain, stats = split_statistics(cls.detail if cls else "")
        name = (generic or typed).capitalize()
        out["advice_text"] = " ".join(
            part
            for part in (
                f"{name} is {_LINK_WORDS[strength]}.",
                plain,
                "Do not stop it yourself; ask your prescriber whether it could cause your cramps.",
            )
            if part
        )
        out["advice_details"] = stats
    else:
        out["advice_text"], out["advice_details"] = split_statistics(entry.get("advice", ""))
    return out


def _withheld(result: AssessmentResult, knowledge: Knowledge) -> list[dict[str, Any]]:
    """Remedies the assessment held back (e.g. massage while a clot is possible)."""
    out = []
    for w in getattr(result, "withheld", ()):
        remedy = knowledge.remedies.get(w.remedy)
        instead = knowledge.remedies.get(w.instead) if w.instead else None
        out.append(
            {
                "remedy": w.remedy,
                "title": remedy.title if remedy else w.remedy.replace("_", " "),
                "instead": w.instead,
                "instead_title": instead.title if instead else None,
                "when": remedy.phase if remedy else None,
                "why": w.why,
                "sources": list(w.sources),
            }
        )
    return out


def plain_result(
    result: AssessmentResult, units: str | None = None, knowledge: Knowledge | None = None
) -> dict[str, Any]:
    """The contract JSON of `result` plus the plain-words fields people read."""
    kb = knowledge or load_knowledge()
    ctx = build_context(result.situation, list(result.medications), kb, units)
    out = result.to_dict()

    def words(items: list[str]) -> list[str]:
        return [in_words(b, ctx) for b in items]

    for reason in out["triage"]["reasons"]:
        reason["because_text"] = words(reason["because"])
    for cause in out["causes"]:
        cause["because_text"] = words(cause["because"])
        cause["summary_text"], cause["summary_details"] = split_statistics(cause["summary"])
    for item in out["plan"]:
        item["because_text"] = words(item["because"])
        item["when_text"] = labels.PHASE_LABELS.get(item["when"], item["when"])
        item["evidence_note_text"], item["evidence_note_details"] = split_statistics(
            item["evidence_note"]
        )
        if item.get("replaces"):
            replaced = kb.remedies.get(item["replaces"])
            item["replaces_title"] = replaced.title if replaced else None
            item["replaced_because_text"] = words(item.get("replaced_because", []))
    out["medications"] = [_medicine(m, kb) for m in out["medications"]]
    out["withheld_text"] = _withheld(result, kb)
    out["summary"] = _summary(out)
    return out


def _summary(out: dict[str, Any]) -> dict[str, Any]:
    triage = out["triage"]
    level = triage["level"]
    top = [r for r in triage["reasons"] if r["level"] == level]
    # What to do now: the most urgent reasons' advice; at home-care level, the triage action.
    now = [r["advice"] for r in top[:2]] if level != "self_care" else [triage["action"]]
    return {
        "level": level,
        "title": triage["title"],
        "action": triage["action"],
        "now": now,
        "reasons": [{"title": r["title"], "because_text": r["because_text"]} for r in top],
        "top_causes": [
            {"title": c["title"], "because_text": c["because_text"]}
            for c in out["causes"][:TOP_CAUSES]
        ],
        "tonight": [
            {"title": p["title"], "when_text": p["when_text"], "how": p["how"]}
            for p in out["plan"]
            if p["when"] in TONIGHT
        ],
        "not_tonight": _not_tonight(out["withheld_text"]),
    }


def _not_tonight(withheld: list[dict[str, Any]]) -> list[str]:
    """Why tonight's usual comforts (rubbing, warmth, a footbath) are left out, each reason
    once; a remedy with a replacement is explained at the replacement instead."""
    why: list[str] = []
    for w in withheld:
        if not w["instead"] and w["when"] in (*TONIGHT, "after_cramp") and w["why"] not in why:
            why.append(w["why"])
    return why
