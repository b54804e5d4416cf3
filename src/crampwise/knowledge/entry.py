"""Reading one table of a knowledge file, with errors that name the file, entry and field."""

from __future__ import annotations

import re
from typing import Any, TypeVar

T = TypeVar("T")


class KnowledgeError(Exception):
    """A knowledge file is missing, malformed or inconsistent."""


def normalise_name(name: str) -> str:
    """A medicine name folded for matching: lower case, no marks, single spaces."""
    text = name.replace("®", "").replace("™", "").strip().lower()
    return re.sub(r"\s+", " ", text)


class Entry:
    """One table of a knowledge file, read field by field with errors that say where."""

    def __init__(self, where: str, data: Any, allowed: tuple[str, ...], name_key: str = "") -> None:
        if not isinstance(data, dict):
            raise KnowledgeError(f"{where}: must be a table")
        name = data.get(name_key) if name_key else None
        if isinstance(name, str) and "#" in where:
            # Name the entry by its id rather than its position as soon as we can.
            where = where[: where.rindex("#")] + repr(name)
        self.where = where
        self.data: dict[str, Any] = data
        unknown = sorted(set(data) - set(allowed))
        if unknown:
            raise KnowledgeError(
                f"{where}: unknown field {unknown[0]!r} (allowed: {', '.join(allowed)})"
            )

    def fail(self, message: str) -> KnowledgeError:
        return KnowledgeError(f"{self.where}: {message}")

    def get(self, key: str, kind: type[T], default: T | None = None) -> T:
        if key not in self.data:
            if default is None:
                raise self.fail(f"missing field {key!r}")
            return default
        value = self.data[key]
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise self.fail(f"field {key!r} must be {kind.__name__}, got {value!r}")
        if isinstance(value, str) and not value.strip():
            raise self.fail(f"field {key!r} is empty")
        return value

    def optional(self, key: str) -> str | None:
        return self.get(key, str) if key in self.data else None

    def choice(self, key: str, choices: tuple[str, ...]) -> str:
        value = self.get(key, str)
        if value not in choices:
            raise self.fail(f"field {key!r}: {value!r} is not one of: {', '.join(choices)}")
        return value

    def strings(self, key: str, *, required: bool = True) -> tuple[str, ...]:
        value = self.data.get(key, [] if not required else None)
        if value is None:
            raise self.fail(f"missing field {key!r}")
        if not isinstance(value, list) or not all(isinstance(x, str) and x for x in value):
            raise self.fail(f"field {key!r} must be a list of strings")
        return tuple(value)
