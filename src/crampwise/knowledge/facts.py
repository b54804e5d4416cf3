"""The small fact language the knowledge files use to say when a rule, cause or remedy applies.

A fact is one of:
- `symptom:NAME`, `condition:NAME` — the situation lists that symptom or condition;
- `medclass:CLASS`, `medicine:GENERIC` — a recognised medicine of that class / that medicine;
- `medlink:STRENGTH` — a recognised medicine linked to cramps that strongly (`medlink:any`);
- `BLOCK.FIELD` — a boolean field that is true (`person.pregnant`, `day.legs_cold`);
- `BLOCK.FIELD=VALUE` — a choice or boolean field equals VALUE (`day.sleep_position=prone`);
- `BLOCK.FIELD>N` (also `>=`, `<`, `<=`) — a numeric field compares with N.
`day.bedroom_temp_c` also matches a situation given in °F (converted). A fact whose field is
missing from the situation does not hold: a missing value is unknown, never zero.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from crampwise.knowledge import vocabulary as v

FactKind = Literal["symptom", "condition", "medclass", "medicine", "medlink", "field"]
Op = Literal["", "=", ">", ">=", "<", "<="]

_FIELD_RE = re.compile(r"^([a-z]+)\.([a-z_0-9]+)(?:(>=|<=|=|>|<)(.+))?$")
# Lookups that turn the text of a prefix or operator into its typed (Literal) value.
_PREFIXES: dict[str, FactKind] = {
    kind: kind for kind in ("symptom", "condition", "medclass", "medicine", "medlink")
}
_COMPARISONS: dict[str, Op] = {op: op for op in (">", ">=", "<", "<=")}


@dataclass(frozen=True)
class Fact:
    """One parsed fact; `text` is how the knowledge file wrote it."""

    text: str
    kind: FactKind
    name: str
    op: Op = ""
    value: str | float | bool | None = None


# A condition in conjunctive form: every group must contain a fact that holds.
# The empty condition always holds.
Condition = tuple[tuple[Fact, ...], ...]


@dataclass(frozen=True)
class MedicineFact:
    """A recognised medicine as the fact language sees it."""

    input: str
    generic: str
    classes: frozenset[str]
    links: frozenset[str]
    generics: frozenset[str]


@dataclass
class FactContext:
    """What a situation says, in the shape facts are checked against."""

    symptoms: frozenset[str] = frozenset()
    conditions: frozenset[str] = frozenset()
    medicines: tuple[MedicineFact, ...] = ()
    # "block.field" -> value (numbers as float, °F already converted to °C).
    values: dict[str, float | bool | str] = field(default_factory=dict)
    # "block.field" -> how to show the fact in a "because" list ("bedroom_temp_f=59").
    shown: dict[str, str] = field(default_factory=dict)
    # A "because" text (as `describe` gives it) -> the same in plain words ("your bedroom
    # is 15 °C"), for everything a person reads.
    words: dict[str, str] = field(default_factory=dict)


def parse_fact(text: str, *, classes: frozenset[str], generics: frozenset[str]) -> Fact:
    """Parse and check one fact; ValueError names what is wrong and what is allowed."""
    if not isinstance(text, str) or not text:
        raise ValueError(f"a fact must be a non-empty string, got {text!r}")
    prefix, sep, rest = text.partition(":")
    if sep:
        kind = _PREFIXES.get(prefix)
        if kind is None:
            raise ValueError(
                f"fact {text!r}: unknown prefix {prefix!r}; use symptom, condition, "
                "medclass, medicine or medlink"
            )
        allowed: tuple[str, ...] | frozenset[str]
        if kind == "symptom":
            allowed = v.SYMPTOMS
        elif kind == "condition":
            allowed = v.CONDITIONS
        elif kind == "medclass":
            allowed = classes
        elif kind == "medicine":
            allowed = generics
        else:
            allowed = (*v.LINK_STRENGTHS, "any")
        if rest not in allowed:
            raise ValueError(f"fact {text!r}: {rest!r} is not one of: {', '.join(sorted(allowed))}")
        return Fact(text, kind, rest)
    return _parse_field_fact(text)


def _parse_field_fact(text: str) -> Fact:
    match = _FIELD_RE.match(text)
    if not match:
        raise ValueError(f"fact {text!r} is not of the form block.field[op value]")
    block, name, op, raw = match.groups()
    key = (block, name)
    path = f"{block}.{name}"
    if key in v.BOOLEAN_FIELDS:
        if op is None:
            return Fact(text, "field", path, "", True)
        if op != "=" or raw not in ("true", "false"):
            raise ValueError(f"fact {text!r}: boolean field {path} takes =true or =false")
        return Fact(text, "field", path, "=", raw == "true")
    if key in v.CHOICE_FIELDS:
        choices = v.CHOICE_FIELDS[key]
        if op != "=" or raw not in choices:
            raise ValueError(f"fact {text!r}: {path} takes =VALUE, one of: {', '.join(choices)}")
        return Fact(text, "field", path, "=", raw)
    if key in v.NUMERIC_RANGES:
        comparison = _COMPARISONS.get(op or "")
        if comparison is None:
            raise ValueError(f"fact {text!r}: numeric field {path} needs >, >=, < or <=")
        try:
            number = float(raw)
        except ValueError:
            raise ValueError(f"fact {text!r}: {raw!r} is not a number") from None
        return Fact(text, "field", path, comparison, number)
    raise ValueError(f"fact {text!r}: unknown field {path}")


def holds(fact: Fact, ctx: FactContext) -> bool:
    """Whether the fact is true of the situation."""
    kind = fact.kind
    if kind == "symptom":
        return fact.name in ctx.symptoms
    if kind == "condition":
        return fact.name in ctx.conditions
    if kind == "medclass":
        return any(fact.name in m.classes for m in ctx.medicines)
    if kind == "medicine":
        return any(fact.name in m.generics for m in ctx.medicines)
    if kind == "medlink":
        if fact.name == "any":
            return any(m.links - {"none"} for m in ctx.medicines)
        return any(fact.name in m.links for m in ctx.medicines)
    value = ctx.values.get(fact.name)
    if value is None:
        return False
    if fact.op in ("", "="):
        return value == fact.value
    if isinstance(value, bool) or not isinstance(value, float):
        return False
    target = fact.value
    assert isinstance(target, float)
    if fact.op == ">":
        return value > target
    if fact.op == ">=":
        return value >= target
    if fact.op == "<":
        return value < target
    return value <= target


def condition_holds(condition: Condition, ctx: FactContext) -> bool:
    """Every group has at least one fact that holds (the empty condition always holds)."""
    return all(any(holds(f, ctx) for f in group) for group in condition)


def matched(condition: Condition, ctx: FactContext) -> list[Fact]:
    """The facts of a condition that hold, in the order the knowledge file gives them."""
    return [f for group in condition for f in group if holds(f, ctx)]


def describe(fact: Fact, ctx: FactContext) -> list[str]:
    """How a fact that holds is shown in a `because` list (the situation's own words)."""
    if fact.kind in ("symptom", "condition"):
        return [fact.name]
    if fact.kind in ("medclass", "medicine", "medlink"):
        out = []
        for m in ctx.medicines:
            if (
                (fact.kind == "medclass" and fact.name in m.classes)
                or (fact.kind == "medicine" and fact.name in m.generics)
                or (fact.kind == "medlink" and fact.name != "any" and fact.name in m.links)
                or (fact.kind == "medlink" and fact.name == "any" and m.links - {"none"})
            ):
                out.append(f"medication={m.input}")
        return out
    shown = ctx.shown.get(fact.name)
    return [shown] if shown else [fact.text]


def in_words(because: str, ctx: FactContext) -> str:
    """One `describe` text in plain words (unknown texts lose their underscores)."""
    return ctx.words.get(because) or because.replace("_", " ")
