"""What every command shares: the selected user, output format, JSON printing."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from rich.console import Console


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
