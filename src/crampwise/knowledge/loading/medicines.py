"""medicines.toml: drug classes, medicines with their names and spellings, combinations."""

from __future__ import annotations

from typing import Any

from crampwise.knowledge import vocabulary as v
from crampwise.knowledge.entry import Entry, KnowledgeError, normalise_name
from crampwise.knowledge.loading.reader import Reader
from crampwise.knowledge.models import Combination, DrugClass, MedicineEntry


def load_medicines(
    r: Reader, data: dict[str, Any]
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
            r.source_ids(e),
        )
    r.classes = frozenset(classes)
    medicines: dict[str, MedicineEntry] = {}
    names: dict[str, tuple[str, ...]] = {}

    def index(e: Entry, name: str, generics: tuple[str, ...]) -> None:
        key = normalise_name(name)
        if key in names and names[key] != generics:
            raise e.fail(f"name {name!r} already stands for {' + '.join(names[key])}")
        names[key] = generics

    for i, raw in enumerate(r.tables(data, "medicines.toml", "medicine")):
        e = Entry(
            f"{where}: medicine #{i + 1}", raw, ("generic", "class", "link", "names", "label")
        )
        generic = e.get("generic", str)
        e.where = f"{where}: medicine {generic!r}"
        if generic in medicines:
            raise e.fail("duplicate generic name")
        class_id = e.choice("class", tuple(classes))
        link = e.choice("link", v.LINK_STRENGTHS) if "link" in e.data else classes[class_id].link
        entry = MedicineEntry(
            generic, class_id, link, e.strings("names", required=False), e.optional("label")
        )
        medicines[generic] = entry
        for name in (generic, *entry.names):
            index(e, name, (generic,))
    r.generics = frozenset(medicines)
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
