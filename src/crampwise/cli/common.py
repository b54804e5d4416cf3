"""What every command shares: the selected user, output format, JSON printing."""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from crampwise.errors import InputError

if TYPE_CHECKING:
    from rich.console import Console, RenderableType


@dataclass
class AppState:
    user: str = "me"


class OutputFormat(StrEnum):
    human = "human"
    json = "json"


FormatOption = Annotated[
    OutputFormat | None,
    typer.Option(
        "--format",
        "-f",
        help="human (the default on a terminal) or json (the default when piped).",
        case_sensitive=False,
    ),
]


def wants_json(fmt: OutputFormat | None) -> bool:
    """JSON when asked for, or when stdout is not a terminal and nothing was asked."""
    if fmt is None:
        return not sys.stdout.isatty()
    return fmt is OutputFormat.json


def current_user(ctx: typer.Context) -> str:
    """The --user given to the root command (default `me`)."""
    root = ctx.find_root()
    state = root.obj if isinstance(root.obj, AppState) else None
    return state.user if state else "me"


def print_json(obj: object) -> None:
    """Exactly one JSON document on stdout."""
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, indent=2, default=str))
    sys.stdout.write("\n")


def console(stderr: bool = False) -> Console:
    """A Rich console, imported only when a human report is printed."""
    from rich.console import Console

    return Console(stderr=stderr, highlight=False)


def hanging(text: str, indent: int = 2, mark: str = "") -> RenderableType:
    """`text` (Rich markup) indented `indent` columns, its wrapped lines too; a `mark` ("•")
    starts the first line and the text's later lines align under the text, not the mark."""
    from rich.padding import Padding
    from rich.table import Table

    if not mark:
        return Padding(text, (0, 0, 0, indent), expand=False)
    grid = Table.grid(padding=(0, 1, 0, 0))
    grid.add_column(no_wrap=True)
    grid.add_column()
    grid.add_row(mark, text)
    return Padding(grid, (0, 0, 0, indent), expand=False)


def local_now() -> datetime:
    """The local wall-clock time, to the second (tests replace this to freeze the clock)."""
    return datetime.now().replace(microsecond=0)


def tonight() -> date:
    """The diary row "now" belongs to, by the same night rule as the web app
    (`crampwise.diary.model.night_of`): at 01:00 it is still the night that began the evening
    before. CRAMPWISE_TODAY (YYYY-MM-DD) replays a given night for scripts."""
    from crampwise.diary.model import night_of

    fixed = os.environ.get("CRAMPWISE_TODAY")
    if fixed:
        try:
            return date.fromisoformat(fixed)
        except ValueError:
            raise InputError(f"CRAMPWISE_TODAY: {fixed!r} is not a date (YYYY-MM-DD)") from None
    # A global looked up at call time: a test that freezes `local_now` freezes this too.
    return night_of(local_now())


def size_text(n_bytes: int) -> str:
    """A file size as people read it: 840 bytes, 12 KB, 3.4 MB."""
    if n_bytes < 1024:
        return f"{n_bytes} byte{'' if n_bytes == 1 else 's'}"
    if n_bytes < 1024 * 1024:
        return f"{round(n_bytes / 1024)} KB"
    return f"{n_bytes / (1024 * 1024):.1f} MB"


def say_wrote(path: Path, what: str) -> None:
    """One line on stderr (stdout may be the data itself): what was written, where, how big."""
    try:
        size = f" ({size_text(path.stat().st_size)})"
    except OSError:
        size = ""
    sys.stderr.write(f"Wrote {what} to {path}{size}.\n")
