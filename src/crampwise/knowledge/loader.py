"""Read the knowledge TOML files into typed records, checking every entry as it loads.

A broken file raises KnowledgeError naming the file, the entry and the field, so a reviewer
who mistypes a grade, a source id or a symptom sees exactly where. Each kind of content is
read by its module in `loading/`; this one puts them together in the order they depend on
(bibliography first: every entry cites it; medicines before facts that name them).
"""

from __future__ import annotations

from pathlib import Path

from crampwise.knowledge import vocabulary as v
from crampwise.knowledge.entry import Entry
from crampwise.knowledge.loading.advice import load_avoid, load_causes, load_remedies
from crampwise.knowledge.loading.medicines import load_medicines
from crampwise.knowledge.loading.plan_rules import load_plan_rules
from crampwise.knowledge.loading.reader import Reader
from crampwise.knowledge.loading.routines import load_bedtime, load_now
from crampwise.knowledge.loading.triage import load_rules
from crampwise.knowledge.models import Knowledge, LevelInfo


def load_directory(directory: Path) -> Knowledge:
    """Load and validate the knowledge files in `directory` (no caching)."""
    r = Reader(directory)
    meta = r.read("meta.toml")
    r.load_bibliography(r.read("bibliography.toml"))
    classes, medicines, combos, names = load_medicines(r, r.read("medicines.toml"))
    causes = load_causes(r, r.read("causes.toml"))
    remedies = load_remedies(r, r.read("remedies.toml"))
    avoid = load_avoid(r, r.read("avoid.toml"))
    plan_rules = load_plan_rules(r, r.read("plan_rules.toml"), remedies)
    rules = load_rules(r, r.read("red_flags.toml"))
    steps, warning = load_now(r, r.read("now.toml"))
    bedtime = load_bedtime(r, r.read("bedtime.toml"))
    m = Entry("knowledge/meta.toml", meta, ("version", "disclaimer", "no_clear_cause", "levels"))
    levels_raw = m.get("levels", dict)
    levels = {}
    for level in v.LEVELS:
        le = Entry(
            f"knowledge/meta.toml: levels.{level}", levels_raw.get(level), ("title", "action")
        )
        levels[level] = LevelInfo(le.get("title", str), le.get("action", str))
    return Knowledge(
        version=f"{m.get('version', str)}+{r.checksum:08x}",
        disclaimer=m.get("disclaimer", str),
        no_clear_cause=m.get("no_clear_cause", str),
        levels=levels,
        sources=r.sources,
        causes=causes,
        remedies=remedies,
        avoid=avoid,
        rules=rules,
        classes=classes,
        medicines=medicines,
        combinations=combos,
        bedtime=bedtime,
        names=names,
        now_steps=steps,
        now_warning=warning,
        plan_rules=plan_rules,
    )
