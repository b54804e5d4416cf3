"""Read the knowledge TOML files into typed records, checking every entry as it loads.

A broken file raises KnowledgeError naming the file, the entry and the field, so a reviewer
who mistypes a grade, a source id or a symptom sees exactly where.
"""

from __future__ import annotations

import tomllib
import zlib
from pathlib import Path
from typing import Any

from crampwise.knowledge import vocabulary as v
from crampwise.knowledge.entry import Entry, KnowledgeError, normalise_name
from crampwise.knowledge.facts import Condition, Fact, parse_fact
from crampwise.knowledge.models import (
    AvoidItem,
    Cause,
    Caution,
    Combination,
    DrugClass,
    Knowledge,
    LevelInfo,
    MedicineEntry,
    NowStep,
    RedFlagRule,
    Remedy,
    Signal,
    Source,
    Substitution,
)


class Loader:
    """Builds a Knowledge from a directory of TOML files."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.sources: dict[str, Source] = {}
        self.classes: frozenset[str] = frozenset()
        self.generics: frozenset[str] = frozenset()
        self.checksum = 0

    def read(self, name: str) -> dict[str, Any]:
        path = self.directory / name
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise KnowledgeError(f"knowledge/{name}: cannot read ({exc.strerror})") from None
        self.checksum = zlib.crc32(raw, self.checksum)
        try:
            return tomllib.loads(raw.decode("utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise KnowledgeError(f"knowledge/{name}: not valid TOML: {exc}") from None

    def tables(self, data: dict[str, Any], name: str, key: str) -> list[Any]:
        items = data.get(key)
        if not isinstance(items, list) or not items:
            raise KnowledgeError(f"knowledge/{name}: needs at least one [[{key}]] entry")
        return items

    # --- shared field readers -------------------------------------------------------------

    def source_ids(self, e: Entry, key: str = "sources") -> tuple[str, ...]:
        ids = e.strings(key)
        if not ids:
            raise e.fail(f"field {key!r} needs at least one bibliography id")
        for sid in ids:
            if sid not in self.sources:
                raise e.fail(f"source {sid!r} is not in bibliography.toml")
        return ids

    def fact(self, e: Entry, text: Any) -> Fact:
        try:
            return parse_fact(text, classes=self.classes, generics=self.generics)
        except ValueError as exc:
            raise e.fail(str(exc)) from None

    def condition(self, e: Entry, key: str) -> Condition | None:
        """Fact groups; "always" is the empty condition, "never" is None."""
        raw = e.data.get(key)
        if raw == "always":
            return ()
        if raw == "never":
            return None
        if not isinstance(raw, list) or not all(isinstance(g, list) and g for g in raw):
            raise e.fail(f'field {key!r} must be "always", "never" or a list of fact lists')
        return tuple(tuple(self.fact(e, f) for f in group) for group in raw)

    def grade(self, e: Entry) -> str:
        return e.choice("evidence", v.GRADES)

    # --- files ----------------------------------------------------------------------------

    def load(self) -> Knowledge:
        meta = self.read("meta.toml")
        self.load_bibliography(self.read("bibliography.toml"))
        classes, medicines, combos, names = self.load_medicines(self.read("medicines.toml"))
        causes = self.load_causes(self.read("causes.toml"))
        remedies = self.load_remedies(self.read("remedies.toml"))
        avoid = self.load_avoid(self.read("avoid.toml"))
        rules = self.load_rules(self.read("red_flags.toml"))
        steps, warning = self.load_now(self.read("now.toml"))
        m = Entry(
            "knowledge/meta.toml", meta, ("version", "disclaimer", "no_clear_cause", "levels")
        )
        levels_raw = m.get("levels", dict)
        levels = {}
        for level in v.LEVELS:
            le = Entry(
                f"knowledge/meta.toml: levels.{level}", levels_raw.get(level), ("title", "action")
            )
            levels[level] = LevelInfo(le.get("title", str), le.get("action", str))
        return Knowledge(
            version=f"{m.get('version', str)}+{self.checksum:08x}",
            disclaimer=m.get("disclaimer", str),
            no_clear_cause=m.get("no_clear_cause", str),
            levels=levels,
            sources=self.sources,
            causes=causes,
            remedies=remedies,
            avoid=avoid,
            rules=rules,
            classes=classes,
            medicines=medicines,
            combinations=combos,
            names=names,
            now_steps=steps,
            now_warning=warning,
        )

    def load_bibliography(self, data: dict[str, Any]) -> None:
        fields = ("id", "citation", "year", "status", "url", "doi", "note", "found_via")
        for i, raw in enumerate(self.tables(data, "bibliography.toml", "source")):
            e = Entry(f"knowledge/bibliography.toml: source #{i + 1}", raw, fields, "id")
            sid = e.get("id", str)
            e.where = f"knowledge/bibliography.toml: source {sid!r}"
            if sid in self.sources:
                raise e.fail("duplicate id")
            self.sources[sid] = Source(
                id=sid,
                citation=e.get("citation", str),
                year=e.get("year", int),
                status=e.choice("status", v.SOURCE_STATUSES),
                url=e.optional("url"),
                doi=e.optional("doi"),
                note=e.optional("note"),
                found_via=e.optional("found_via"),
            )

    def load_medicines(
        self, data: dict[str, Any]
    ) -> tuple[
        dict[str, DrugClass],
        dict[str, MedicineEntry],
        tuple[Combination, ...],
        dict[str, tuple[str, ...]],
    ]:
        where = "knowledge/medicines.toml"
        classes: dict[str, DrugClass] = {}
        raw_classes = data.get("class")
        if not isinstance(raw_classes, dict) or not raw_classes:
            raise KnowledgeError(f"{where}: needs [class.NAME] tables")
        for cid, raw in raw_classes.items():
            e = Entry(f"{where}: class {cid!r}", raw, ("label", "link", "detail", "sources"))
            classes[cid] = DrugClass(
                cid,
                e.get("label", str),
                e.choice("link", v.LINK_STRENGTHS),
                e.get("detail", str),
                self.source_ids(e),
            )
        self.classes = frozenset(classes)
        medicines: dict[str, MedicineEntry] = {}
        names: dict[str, tuple[str, ...]] = {}

        def index(e: Entry, name: str, generics: tuple[str, ...]) -> None:
            key = normalise_name(name)
            if key in names and names[key] != generics:
                raise e.fail(f"name {name!r} already stands for {' + '.join(names[key])}")
            names[key] = generics

        for i, raw in enumerate(self.tables(data, "medicines.toml", "medicine")):
            e = Entry(
                f"{where}: medicine #{i + 1}", raw, ("generic", "class", "link", "names", "label")
            )
            generic = e.get("generic", str)
            e.where = f"{where}: medicine {generic!r}"
            if generic in medicines:
                raise e.fail("duplicate generic name")
            class_id = e.choice("class", tuple(classes))
            link = (
                e.choice("link", v.LINK_STRENGTHS) if "link" in e.data else classes[class_id].link
            )
            entry = MedicineEntry(
                generic, class_id, link, e.strings("names", required=False), e.optional("label")
            )
            medicines[generic] = entry
            for name in (generic, *entry.names):
                index(e, name, (generic,))
        self.generics = frozenset(medicines)
        combos = []
        for i, raw in enumerate(data.get("combination", [])):
            e = Entry(f"{where}: combination #{i + 1}", raw, ("names", "components"))
            parts = e.strings("components")
            for part in parts:
                if part not in medicines:
                    raise e.fail(f"component {part!r} is not a [[medicine]] generic")
            combo = Combination(e.strings("names"), parts)
            for name in combo.names:
                index(e, name, parts)
            combos.append(combo)
        return classes, medicines, tuple(combos), names

    def load_causes(self, data: dict[str, Any]) -> tuple[Cause, ...]:
        fields = ("id", "title", "summary", "evidence", "sources", "signals", "seed_claim")
        causes: list[Cause] = []
        for i, raw in enumerate(self.tables(data, "causes.toml", "cause")):
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
                signals.append(Signal(self.fact(se, se.get("fact", str)), weight))
            causes.append(
                Cause(
                    cid,
                    e.get("title", str),
                    e.get("summary", str),
                    self.grade(e),
                    self.source_ids(e),
                    tuple(signals),
                    e.optional("seed_claim"),
                )
            )
        missing = set(v.CAUSE_IDS) - {c.id for c in causes}
        if missing:
            raise KnowledgeError(
                f"knowledge/causes.toml: missing causes: {', '.join(sorted(missing))}"
            )
        return tuple(causes)

    def caution(self, where: str, raw: Any) -> Caution:
        e = Entry(where, raw, ("id", "text", "evidence", "sources", "when"))
        when = self.condition(e, "when") if "when" in e.data else None
        return Caution(
            e.get("id", str), e.get("text", str), self.grade(e), self.source_ids(e), when
        )

    def load_remedies(self, data: dict[str, Any]) -> dict[str, Remedy]:
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
        for i, raw in enumerate(self.tables(data, "remedies.toml", "remedy")):
            e = Entry(f"knowledge/remedies.toml: remedy #{i + 1}", raw, fields, "id")
            rid = e.get("id", str)
            e.where = f"knowledge/remedies.toml: remedy {rid!r}"
            if rid in remedies:
                raise e.fail("duplicate id")
            substitute = None
            if "substitute" in e.data:
                se = Entry(
                    e.where + " substitute", e.data["substitute"], ("when", "with", "reason")
                )
                cond = self.condition(se, "when")
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
                evidence=self.grade(e),
                evidence_note=e.get("evidence_note", str),
                sources=self.source_ids(e),
                include=self.condition(e, "include"),
                relevant=tuple(self.fact(e, f) for f in e.strings("relevant", required=False)),
                cautions=tuple(
                    self.caution(f"{e.where} caution #{j + 1}", c)
                    for j, c in enumerate(raw_cautions)
                ),
                substitute=substitute,
                seed_claim=e.optional("seed_claim"),
                alternative_to=e.optional("alternative_to"),
            )
        for r in remedies.values():
            where = f"knowledge/remedies.toml: remedy {r.id!r}"
            if r.substitute:
                alt = remedies.get(r.substitute.with_id)
                if alt is None or alt.alternative_to != r.id:
                    raise KnowledgeError(
                        f"{where}: substitute {r.substitute.with_id!r} must be a remedy with "
                        f"alternative_to = {r.id!r}"
                    )
        missing = set(v.CONTRACT_PLAN_IDS) - set(remedies)
        if missing:
            raise KnowledgeError(
                f"knowledge/remedies.toml: missing plan ids: {', '.join(sorted(missing))}"
            )
        return remedies

    def load_avoid(self, data: dict[str, Any]) -> tuple[AvoidItem, ...]:
        items: list[AvoidItem] = []
        for i, raw in enumerate(self.tables(data, "avoid.toml", "avoid")):
            e = Entry(
                f"knowledge/avoid.toml: avoid #{i + 1}",
                raw,
                ("id", "title", "why", "evidence", "sources", "include"),
                "id",
            )
            aid = e.get("id", str)
            e.where = f"knowledge/avoid.toml: avoid {aid!r}"
            include = self.condition(e, "include")
            if include is None:
                raise e.fail('include cannot be "never"')
            items.append(
                AvoidItem(
                    aid,
                    e.get("title", str),
                    e.get("why", str),
                    self.grade(e),
                    self.source_ids(e),
                    include,
                )
            )
        quinine = next((a for a in items if a.id == "quinine"), None)
        if quinine is None or quinine.include != ():
            raise KnowledgeError(
                'knowledge/avoid.toml: quinine must be listed with include = "always"'
            )
        return tuple(items)

    def load_rules(self, data: dict[str, Any]) -> tuple[RedFlagRule, ...]:
        fields = ("id", "level", "title", "when", "advice", "evidence", "sources", "baseline")
        rules: list[RedFlagRule] = []
        for i, raw in enumerate(self.tables(data, "red_flags.toml", "rule")):
            e = Entry(f"knowledge/red_flags.toml: rule #{i + 1}", raw, fields, "id")
            rid = e.get("id", str)
            e.where = f"knowledge/red_flags.toml: rule {rid!r}"
            if any(r.id == rid for r in rules):
                raise e.fail("duplicate id")
            baseline = e.get("baseline", bool, False)
            raw_when = e.data.get("when")
            if not isinstance(raw_when, list):
                raise e.fail("field 'when' must be a list of fact lists")
            when = self.condition(e, "when") if raw_when else ()
            if bool(when) == baseline:
                raise e.fail("a baseline rule has an empty 'when'; every other rule needs facts")
            rules.append(
                RedFlagRule(
                    rid,
                    e.choice("level", v.LEVELS),
                    e.get("title", str),
                    when or (),
                    e.get("advice", str),
                    self.grade(e),
                    self.source_ids(e),
                    baseline,
                )
            )
        if not any(r.baseline for r in rules):
            raise KnowledgeError("knowledge/red_flags.toml: needs one baseline rule")
        return tuple(rules)

    def load_now(self, data: dict[str, Any]) -> tuple[tuple[NowStep, ...], Caution]:
        steps = []
        for i, raw in enumerate(self.tables(data, "now.toml", "step")):
            e = Entry(
                f"knowledge/now.toml: step #{i + 1}",
                raw,
                ("id", "title", "how", "seconds", "evidence", "sources"),
                "id",
            )
            seconds = e.get("seconds", int)
            if seconds < 0:
                raise e.fail("seconds must be >= 0")
            steps.append(
                NowStep(
                    e.get("id", str),
                    e.get("title", str),
                    e.get("how", str),
                    seconds,
                    self.grade(e),
                    self.source_ids(e),
                )
            )
        w = Entry(
            "knowledge/now.toml: warning", data.get("warning"), ("text", "evidence", "sources")
        )
        return tuple(steps), Caution(
            "now_warning", w.get("text", str), self.grade(w), self.source_ids(w)
        )


def load_directory(directory: Path) -> Knowledge:
    """Load and validate the knowledge files in `directory` (no caching)."""
    return Loader(directory).load()
