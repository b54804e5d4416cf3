"""Read and write the daily table as the CSV that `analyze`, `export csv` and `import csv` share.

The format (contract §2/§4): a header row; `date` (YYYY-MM-DD, unique) and `cramps` (whole
number ≥ 0) are required, `pain` (0–10) is optional, every other column is a factor. A
factor's kind is declared for the built-in factors (`crampwise.diary.model.BUILTIN_FACTORS`) and
for any names passed in `kinds`; otherwise it is inferred: numeric; boolean (true/false,
yes/no in any case, or a column holding only 0 and 1); else categorical. An empty cell is
missing. Writing is canonical, so export → import → export is byte-identical.

`export_diary` and `import_diary` move a stored diary through this format with the diary's
own methods (`day_table`, `import_day_table`); the store knows nothing of CSV.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TextIO

from crampwise.diary.daytable import DayTable, FactorColumn
from crampwise.diary.model import (
    BUILTIN_BY_NAME,
    RESERVED_NAMES,
    CustomFactor,
    FactorKind,
    FactorSpec,
    FactorValue,
)
from crampwise.errors import InputError

if TYPE_CHECKING:
    # Types only: `analyze FILE` reads CSV without loading the database layer.
    from crampwise.store import ImportSummary

__all__ = [
    "CsvDiary",
    "export_diary",
    "format_number",
    "import_diary",
    "read_day_table",
    "write_day_table",
]

REQUIRED = ("date", "cramps")
RESERVED = RESERVED_NAMES  # not factors: the columns every diary CSV row has
TRUE_WORDS = frozenset({"true", "yes"})
FALSE_WORDS = frozenset({"false", "no"})
# Plain decimal numbers only: "nan", "inf" and "1_000" are text, not numbers.
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_WHOLE = re.compile(r"\+?\d+")


class CsvDiary(Protocol):
    """What the CSV export and import need of a diary (a store's `UserDiary` has it)."""

    def day_table(self) -> DayTable: ...
    def custom_factors(self) -> list[CustomFactor]: ...
    def import_day_table(self, table: DayTable, source: str = "csv") -> ImportSummary: ...


def export_diary(diary: CsvDiary, stream: TextIO) -> int:
    """Write the diary as the analysis CSV (`export csv`); returns the number of rows."""
    table = diary.day_table()
    write_day_table(table, stream)
    return len(table)


def import_diary(diary: CsvDiary, source: Path | str | TextIO) -> ImportSummary:
    """Read a diary CSV (path or text stream) and merge it in one transaction (`import csv`).

    The user's own factors keep their declared kinds; importing the same file again
    changes nothing.
    """
    kinds = {f.name: f.kind for f in diary.custom_factors()}
    return diary.import_day_table(read_day_table(source, kinds=kinds))


def read_day_table(
    source: Path | str | TextIO, kinds: Mapping[str, FactorKind] | None = None
) -> DayTable:
    """Parse the diary CSV into a DayTable (rows sorted by date).

    source: a path (str or Path) or an open text stream.
    kinds: declared kinds for custom factor columns; built-in factors are always declared.
    Raises InputError naming the line and column of the first problem.
    """
    if isinstance(source, str | Path):
        path = Path(source)
        try:
            text = path.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            raise InputError(f"file '{path}': no such file", field="file") from None
        except UnicodeDecodeError:
            raise InputError(f"file '{path}': not UTF-8 text", field="file") from None
        except OSError as exc:
            raise InputError(f"file '{path}': cannot read ({exc.strerror})", field="file") from None
        return _parse(io.StringIO(text), kinds or {})
    try:
        text = source.read()
    except UnicodeDecodeError:
        raise InputError("input: not UTF-8 text", field="file") from None
    return _parse(io.StringIO(text.removeprefix("\ufeff")), kinds or {})


def _parse(stream: TextIO, kinds: Mapping[str, FactorKind]) -> DayTable:
    reader = csv.reader(stream, strict=True)
    try:
        header = next(reader, None)
        while header is not None and not any(cell.strip() for cell in header):
            header = next(reader, None)
        if header is None:
            raise InputError(
                "line 1: the file is empty; expected a header with 'date' and 'cramps'"
            )
        names = [cell.strip() for cell in header]
        _check_header(names, reader.line_num)
        rows: list[tuple[int, list[str]]] = []
        for raw in reader:
            if not any(cell.strip() for cell in raw):
                continue  # blank lines carry nothing
            if len(raw) != len(names):
                raise InputError(
                    f"line {reader.line_num}: expected {len(names)} cells, found {len(raw)}",
                    line=reader.line_num,
                )
            rows.append((reader.line_num, [cell.strip() for cell in raw]))
    except csv.Error as exc:
        raise InputError(
            f"line {reader.line_num}: malformed CSV ({exc})", line=reader.line_num
        ) from None

    index = {name: i for i, name in enumerate(names)}
    dates = [_parse_date(cells[index["date"]], line) for line, cells in rows]
    seen: dict[date, int] = {}
    for (line, _), day in zip(rows, dates, strict=True):
        if day in seen:
            raise InputError(
                f"line {line}, column 'date': {day.isoformat()} appears twice "
                f"(also on line {seen[day]}); each day has one row",
                field="date",
                line=line,
            )
        seen[day] = line
    cramps = [_parse_cramps(cells[index["cramps"]], line) for line, cells in rows]
    pain: list[float | None] = [None] * len(rows)
    if "pain" in index:
        pain = [_parse_pain(cells[index["pain"]], line) for line, cells in rows]

    factors: list[FactorColumn] = []
    for name in names:
        if name in RESERVED:
            continue
        cells_with_lines = [(line, cells[index[name]]) for line, cells in rows]
        factors.append(_parse_factor(name, cells_with_lines, kinds))

    order = sorted(range(len(rows)), key=lambda i: dates[i])
    return DayTable(
        dates=[dates[i] for i in order],
        cramps=[cramps[i] for i in order],
        pain=[pain[i] for i in order],
        factors=[
            FactorColumn(col.name, col.kind, [col.values[i] for i in order]) for col in factors
        ],
    )


def _check_header(names: list[str], line: int) -> None:
    for position, name in enumerate(names, start=1):
        if not name:
            raise InputError(f"line {line}: column {position} has no name", line=line)
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise InputError(f"line {line}: column '{name}' appears twice", field=name, line=line)
        seen.add(name)
    for name in REQUIRED:
        if name not in seen:
            raise InputError(
                f"line {line}: required column '{name}' is missing "
                f"(the header needs 'date' and 'cramps')",
                field=name,
                line=line,
            )


def _parse_date(cell: str, line: int) -> date:
    if _DATE.fullmatch(cell):
        try:
            return date.fromisoformat(cell)
        except ValueError:
            pass
    raise InputError(
        f"line {line}, column 'date': {cell!r} is not a date (YYYY-MM-DD)", field="date", line=line
    )


def _parse_cramps(cell: str, line: int) -> int:
    if not _WHOLE.fullmatch(cell):
        raise InputError(
            f"line {line}, column 'cramps': {cell!r} is not a whole number ≥ 0",
            field="cramps",
            line=line,
        )
    return int(cell)


def _parse_pain(cell: str, line: int) -> float | None:
    if cell == "":
        return None
    if not _NUMBER.fullmatch(cell) or not 0 <= float(cell) <= 10:
        raise InputError(
            f"line {line}, column 'pain': {cell!r} is not a number from 0 to 10",
            field="pain",
            line=line,
        )
    return float(cell)


def _infer_kind(cells: Iterable[str]) -> FactorKind:
    present = [c for c in cells if c != ""]
    if not present:
        return "numeric"
    if all(c.lower() in TRUE_WORDS or c.lower() in FALSE_WORDS for c in present):
        return "boolean"
    if all(_NUMBER.fullmatch(c) for c in present):
        if all(float(c) in (0.0, 1.0) for c in present):
            return "boolean"
        return "numeric"
    return "categorical"


def _parse_factor(
    name: str, cells: list[tuple[int, str]], kinds: Mapping[str, FactorKind]
) -> FactorColumn:
    spec = BUILTIN_BY_NAME.get(name)
    kind: FactorKind = spec.kind if spec else kinds.get(name) or _infer_kind(c for _, c in cells)
    values = [
        None if cell == "" else _parse_value(name, kind, spec, cell, line) for line, cell in cells
    ]
    return FactorColumn(name, kind, values)


def _parse_value(
    name: str, kind: FactorKind, spec: FactorSpec | None, cell: str, line: int
) -> FactorValue:
    where = f"line {line}, column '{name}'"
    if kind == "boolean":
        word = cell.lower()
        if word in TRUE_WORDS or (_NUMBER.fullmatch(cell) and float(cell) == 1.0):
            return True
        if word in FALSE_WORDS or (_NUMBER.fullmatch(cell) and float(cell) == 0.0):
            return False
        raise InputError(
            f"{where}: {cell!r} is not a yes/no value (true, false, yes, no, 1, 0)",
            field=name,
            line=line,
        )
    if kind == "numeric":
        if not _NUMBER.fullmatch(cell) or not math.isfinite(value := float(cell)):
            raise InputError(f"{where}: {cell!r} is not a number", field=name, line=line)
        if spec is not None and (
            (spec.minimum is not None and value < spec.minimum)
            or (spec.maximum is not None and value > spec.maximum)
        ):
            raise InputError(
                f"{where}: {cell} is outside {format_number(spec.minimum or 0)}–"
                f"{format_number(spec.maximum or 0)}",
                field=name,
                line=line,
            )
        return value
    if spec is not None and spec.choices:
        match = next((c for c in spec.choices if c == cell.lower()), None)
        if match is None:
            raise InputError(
                f"{where}: {cell!r} is not one of: {', '.join(spec.choices)}", field=name, line=line
            )
        return match
    return cell


def format_number(value: float) -> str:
    """Canonical number text: whole numbers without '.0', others in shortest repr form."""
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"{value!r} cannot be written to the diary CSV")
    if number.is_integer() and abs(number) < 1e15:
        return str(int(number))
    return repr(number)


def _format_value(value: FactorValue | None) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return format_number(value)
    return str(value)


def write_day_table(table: DayTable, stream: TextIO) -> None:
    """Write the table in canonical form: header date,cramps,pain,factors...; dates ascending.

    Numbers print without a trailing '.0' and otherwise in shortest repr form, booleans as
    true/false, missing values as empty cells, and every line ends in '\\n'.
    """
    n = len(table.dates)
    pain = table.pain if table.pain else [None] * n
    for label, column in (("cramps", table.cramps), ("pain", pain)):
        if len(column) != n:
            raise ValueError(f"day table: '{label}' has {len(column)} values for {n} dates")
    for factor in table.factors:
        if len(factor.values) != n:
            raise ValueError(
                f"day table: '{factor.name}' has {len(factor.values)} values for {n} dates"
            )
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(["date", "cramps", "pain", *(f.name for f in table.factors)])
    for i in sorted(range(n), key=lambda k: table.dates[k]):
        writer.writerow(
            [
                table.dates[i].isoformat(),
                str(int(table.cramps[i])),
                _format_value(pain[i]),
                *(_format_value(f.values[i]) for f in table.factors),
            ]
        )
