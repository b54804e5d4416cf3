"""`log cramp` and a plain `assess` without Typer's start-up.

Logging a cramp at 3 a.m. should feel instant, and a scripted `assess` should cost what the
assessment costs. Typer 0.29 builds the whole command tree and a pydantic validator per option
on every call (~60-100 ms here, more than either command's own work). `run_fast` parses
exactly the options of the commands in `FAST_COMMANDS` and calls the same library function as
their Typer commands (`diary_cmds.log_cramp`, `assess_cmds.assess_command`). Anything else —
`--help`, a typo, a value Typer must explain, the interactive questions — is declined and goes
through Typer, so help and error messages look the same either way.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from crampwise.cli.common import OutputFormat


class _Decline(Exception):
    """This call is not one the fast path takes; Typer parses it (and explains what is wrong)."""


def _whole_number(text: str) -> int:
    # Plain digits only; '+5', '5_0', '--5' and '²' are for Typer to accept or explain.
    if not text.lstrip("-").isdigit():
        raise _Decline
    try:
        return int(text)
    except ValueError:
        raise _Decline from None


def _output_format(text: str) -> OutputFormat:
    from crampwise.cli.common import OutputFormat  # imports Typer: only when --format is given

    try:
        return OutputFormat(text.lower())
    except ValueError:
        raise _Decline from None


@dataclass(frozen=True)
class FastCommand:
    """A command the fast path parses: its words, its options, and what runs it."""

    words: tuple[str, ...]
    run: Callable[[str, dict[str, Any]], bool]  # (user, options) → False hands it to Typer
    valued: Mapping[str, str]  # option spelling → keyword; each takes one value
    flags: Mapping[str, tuple[str, bool]] = field(default_factory=dict)
    convert: Mapping[str, Callable[[str], Any]] = field(default_factory=dict)
    repeatable: frozenset[str] = frozenset()
    argument: str | None = None  # keyword of the one optional positional argument


@dataclass(frozen=True)
class FastCall:
    """A parsed call: which command, for which user, with which keyword options."""

    command: FastCommand
    user: str
    options: dict[str, Any]


def _parse_options(command: FastCommand, rest: list[str]) -> dict[str, Any]:
    options: dict[str, Any] = {key: [] for key in command.repeatable}
    j = 0
    while j < len(rest):
        token = rest[j]
        name, eq, inline = token.partition("=")
        if token in command.flags:
            key, flag = command.flags[token]
            options[key] = flag
            j += 1
        elif name in command.valued:
            if eq:
                text, j = inline, j + 1
            elif j + 1 < len(rest):
                text, j = rest[j + 1], j + 2
            else:
                raise _Decline  # the option's value is missing
            key = command.valued[name]
            value = command.convert.get(key, str)(text)
            if key in command.repeatable:
                options[key].append(value)
            else:
                options[key] = value
        elif (
            command.argument
            and command.argument not in options
            and (token == "-" or not token.startswith("-"))
        ):
            options[command.argument] = token
            j += 1
        else:
            raise _Decline
    return options


def parse_fast_call(argv: list[str]) -> FastCall | None:
    """`[--user NAME] <command words> [options]` for a command in FAST_COMMANDS, else None."""
    user = "me"
    i = 0
    while i < len(argv) and argv[i].startswith("-"):  # root options: only --user
        token = argv[i]
        if token in ("--user", "-u") and i + 1 < len(argv):
            user, i = argv[i + 1], i + 2
        elif token.startswith("--user="):
            user, i = token.partition("=")[2], i + 1
        else:
            return None
    for command in FAST_COMMANDS:
        end = i + len(command.words)
        if tuple(argv[i:end]) == command.words:
            try:
                return FastCall(command, user, _parse_options(command, argv[end:]))
            except _Decline:
                return None
    return None


def run_fast(argv: list[str]) -> bool:
    """Run argv when it is a call the fast path takes and return True; else False."""
    call = parse_fast_call(argv)
    return call is not None and call.command.run(call.user, call.options)


def _log_cramp(user: str, options: dict[str, Any]) -> bool:
    # Imported here, not at the top: parsing a call that is not this one stays cheap.
    from crampwise.cli.diary_view import report_logged
    from crampwise.store import open_store
    from crampwise.store.diary.entry import log_cramp

    fmt = options.pop("fmt", None)
    with open_store() as store:
        episode = log_cramp(store.diary(user), **options)
    report_logged(episode, fmt)
    return True


def _assess(user: str, options: dict[str, Any]) -> bool:
    file = options.get("file")
    if file is None and sys.stdin.isatty():
        return False  # the interactive questions go through Typer; speed does not matter there
    from crampwise.cli.assess_cmds import run_assess  # only on this path: see _log_cramp

    run_assess(file, options.get("fmt"), options.get("save", False), user)
    return True


_FORMAT = {"--format": "fmt", "-f": "fmt"}

FAST_COMMANDS: tuple[FastCommand, ...] = (
    FastCommand(
        words=("log", "cramp"),
        run=_log_cramp,
        valued={
            "--at": "at",
            "--muscle": "muscle",
            "--side": "side",
            "--duration": "duration",
            "--pain": "pain",
            "--helped": "helped",
            "--note": "note",
            **_FORMAT,
        },
        flags={"--woke": ("woke", True), "--no-woke": ("woke", False)},
        convert={"pain": _whole_number, "fmt": _output_format},
        repeatable=frozenset({"helped"}),
    ),
    FastCommand(
        words=("assess",),
        run=_assess,
        valued=_FORMAT,
        flags={"--save": ("save", True)},
        convert={"fmt": _output_format},
        argument="file",
    ),
)
