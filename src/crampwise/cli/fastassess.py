"""`crampwise [--user NAME] assess [FILE|-] [--format F] [--save]` without Typer's start-up.

Typer builds its command tree and a pydantic validator per option on every call (~60-100 ms
here), three times what the assessment itself costs. This parser accepts exactly the options
of `assess` (see `assess_cmds.assess_command`) and hands anything else — `--help`, a typo,
the interactive questions — back to Typer, so errors and help look the same either way.
"""

from __future__ import annotations

import sys


def _parse(argv: list[str]) -> tuple[str, str | None, str | None, bool] | None:
    user = "me"
    i = 0
    while i < len(argv) and argv[i] != "assess":
        token = argv[i]
        if token in ("--user", "-u") and i + 1 < len(argv):
            user, i = argv[i + 1], i + 2
        elif token.startswith("--user="):
            user, i = token.split("=", 1)[1], i + 1
        else:
            return None
    if i >= len(argv):
        return None
    file: str | None = None
    fmt: str | None = None
    save = False
    rest = argv[i + 1 :]
    j = 0
    while j < len(rest):
        token = rest[j]
        name, eq, inline = token.partition("=")
        if token == "--save":
            save, j = True, j + 1
        elif name in ("--format", "-f"):
            if not eq and j + 1 >= len(rest):
                return None
            value = (inline if eq else rest[j + 1]).lower()
            if value not in ("json", "human"):
                return None  # Typer explains the allowed values
            fmt, j = value, j + (1 if eq else 2)
        elif (token == "-" or not token.startswith("-")) and file is None:
            file, j = token, j + 1
        else:
            return None
    return user, file, fmt, save


def try_fast_assess(argv: list[str]) -> bool:
    """Run `assess` and return True when argv is a plain assess call; else False."""
    parsed = _parse(argv)
    if parsed is None:
        return False
    user, file, fmt, save = parsed
    if file is None and sys.stdin.isatty():
        return False  # the interactive questions go through Typer; speed does not matter there
    from crampwise.cli.assess_cmds import run_assess
    from crampwise.cli.common import OutputFormat

    run_assess(file, None if fmt is None else OutputFormat(fmt), save, user)
    return True
