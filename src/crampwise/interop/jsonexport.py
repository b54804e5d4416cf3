"""The whole diary as one JSON file: `crampwise export json`, `import json`, Settings.

The document is `{"format": "crampwise-export", "version": 1, "settings": ..., "factors":
[...], "episodes": [...], "days": [...], "medicines": [...], "assessments": [...],
"experiments": [...], "care_notes": [...]}` (the sections are `UserDiary.dump()`'s). It is
written canonically (keys in a fixed order, two-space indent, UTF-8, one final newline),
so exporting, importing into an empty diary and exporting again gives the same bytes.

Reading refuses, with one line naming the problem and before anything is written: a file
past `MAX_BYTES`, text that is not UTF-8 JSON, nesting past `MAX_DEPTH`, numbers past what a
diary can hold, another format or a newer version.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol

from crampwise.errors import InputError

FORMAT = "crampwise-export"
VERSION = 1
MAX_BYTES = 64 * 1024 * 1024  # years of a busy diary are a few MB
MAX_DEPTH = 32  # the document nests 6 deep; saved assessments a little more

__all__ = [
    "FORMAT",
    "MAX_BYTES",
    "VERSION",
    "JsonDiary",
    "dumps",
    "export_json",
    "import_json",
    "parse",
]


class JsonDiary(Protocol):
    """What the JSON export and import need of a diary (a store's `UserDiary` has it)."""

    def dump(self) -> dict[str, Any]: ...
    def load(self, data: Mapping[str, Any], *, replace: bool = False) -> dict[str, int]: ...


def dumps(data: Mapping[str, Any]) -> str:
    """The canonical text of a document."""
    document = {"format": FORMAT, "version": VERSION, **data}
    return json.dumps(document, ensure_ascii=False, indent=2, allow_nan=False) + "\n"


def export_json(diary: JsonDiary) -> str:
    """The whole diary as the canonical JSON document."""
    return dumps(diary.dump())


def parse(raw: bytes, name: str = "input") -> dict[str, Any]:
    """Read a document's bytes; InputError (one line) for anything that is not one."""
    if len(raw) > MAX_BYTES:
        raise InputError(f"file '{name}': larger than {MAX_BYTES // 2**20} MiB", field="file")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"file '{name}': not UTF-8 text", field="file") from None
    _check_depth(text, name)
    try:
        document = json.loads(
            text, parse_int=_bounded_int, parse_float=_finite, parse_constant=_no_constant
        )
    except json.JSONDecodeError as exc:
        raise InputError(
            f"file '{name}': not JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})",
            field="file",
        ) from None
    except ValueError as exc:
        raise InputError(f"file '{name}': {exc}", field="file") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise InputError(
            f'file \'{name}\': not a crampwise export (expected "format": "{FORMAT}")',
            field="format",
        )
    version = document.get("version")
    if version != VERSION:
        newer = isinstance(version, int) and version > VERSION
        raise InputError(
            f"file '{name}': export version {version!r} "
            + ("is newer than this crampwise reads (1); update crampwise" if newer else "is not 1"),
            field="version",
        )
    return {k: v for k, v in document.items() if k not in ("format", "version")}


def import_json(
    diary: JsonDiary, source: Path | str | bytes, *, replace: bool = False
) -> dict[str, int]:
    """Read a document (a path or its bytes) into the diary, all or nothing."""
    if isinstance(source, bytes):
        return diary.load(parse(source), replace=replace)
    path = Path(source)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise InputError(f"file '{path}': larger than {MAX_BYTES // 2**20} MiB", field="file")
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"file '{path}': no such file", field="file") from None
    except IsADirectoryError:
        raise InputError(f"file '{path}': a folder, not a file", field="file") from None
    except OSError as exc:
        raise InputError(f"file '{path}': cannot read ({exc.strerror})", field="file") from None
    return diary.load(parse(raw, str(path)), replace=replace)


def _bounded_int(text: str) -> int:
    # Python's int() of thousands of digits is slow and refused past 4300 digits; no
    # diary number comes near 19 digits.
    if len(text.lstrip("-")) > 18:
        raise ValueError(f"the number {text[:20]}… is too large")
    return int(text)


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"the number {text[:20]} is too large")
    return value


def _no_constant(text: str) -> float:
    raise ValueError(f"{text} is not a number JSON allows")


def _check_depth(text: str, name: str) -> None:
    """Refuse deep nesting before the parser recurses into it (outside strings)."""
    depth = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                raise InputError(
                    f"file '{name}': nested more than {MAX_DEPTH} levels deep", field="file"
                )
        elif char in "]}":
            depth -= 1
