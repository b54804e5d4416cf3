"""Reading one knowledge file: TOML decoding, the checksum of everything read, and the
field readers every entry shares (grades, bibliography ids, facts, conditions, cautions)."""

from __future__ import annotations

import tomllib
import zlib
from pathlib import Path
from typing import Any

from crampwise.knowledge import vocabulary as v
from crampwise.knowledge.entry import Entry, KnowledgeError
from crampwise.knowledge.facts import Condition, Fact, parse_fact
from crampwise.knowledge.models import Caution, Source


class Reader:
    """Reads the files of one knowledge directory and checks shared fields against what was
    read before (bibliography ids, drug classes and generics named in facts)."""

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

    def caution(self, where: str, raw: Any) -> Caution:
        e = Entry(where, raw, ("id", "text", "evidence", "sources", "when"))
        when = self.condition(e, "when") if "when" in e.data else None
        return Caution(
            e.get("id", str), e.get("text", str), self.grade(e), self.source_ids(e), when
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
