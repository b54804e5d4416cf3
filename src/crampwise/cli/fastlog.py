"""`crampwise [--user NAME] log cramp [options]` without Typer's start-up cost.

Logging a cramp at 3 a.m. should feel instant, and Typer builds the whole command tree
and a pydantic validator per option on every call (~100 ms here). This parser accepts
exactly the options of `log cramp` (see `diary_cmds.log_cramp`, which it mirrors) and
hands anything else — `--help`, a typo, a bad number — back to Typer, so errors and help
look the same either way.
"""

from __future__ import annotations

from typing import Any

_VALUED = {
    "--at": "at",
    "--muscle": "muscle",
    "--side": "side",
    "--duration": "duration",
    "--pain": "pain",
    "--helped": "helped",
    "--note": "note",
    "--format": "fmt",
    "-f": "fmt",
}
_FLAGS = {"--woke": True, "--no-woke": False}


def _parse(argv: list[str]) -> tuple[str, dict[str, Any]] | None:
    user = "me"
    i = 0
    while i < len(argv) and argv[i] != "log":
        token = argv[i]
        if token in ("--user", "-u") and i + 1 < len(argv):
            user, i = argv[i + 1], i + 2
        elif token.startswith("--user="):
            user, i = token.split("=", 1)[1], i + 1
        else:
            return None
    if argv[i : i + 2] != ["log", "cramp"]:
        return None
    options: dict[str, Any] = {"helped": []}
    rest = argv[i + 2 :]
    j = 0
    while j < len(rest):
        token = rest[j]
        name, eq, inline = token.partition("=")
        if token in _FLAGS:
            options["woke"] = _FLAGS[token]
            j += 1
            continue
        if name not in _VALUED or (name == token and j + 1 >= len(rest)):
            return None
        value = inline if eq else rest[j + 1]
        j += 1 if eq else 2
        key = _VALUED[name]
        if key == "helped":
            options["helped"].append(value)
        elif key == "pain":
            if not value.lstrip("-").isdigit():
                return None  # Typer explains what is wrong with it
            options["pain"] = int(value)
        elif key == "fmt":
            if value.lower() not in ("human", "json"):
                return None
            options["fmt"] = value.lower()
        else:
            options[key] = value
    return user, options


def try_fast_log(argv: list[str]) -> bool:
    """Log the cramp and return True when argv is a plain `log cramp`; else False."""
    parsed = _parse(argv)
    if parsed is None:
        return False
    user, options = parsed
    from crampwise.cli.common import OutputFormat
    from crampwise.store import open_store
    from crampwise.store.entry import log_cramp

    fmt = options.pop("fmt", None)
    with open_store() as store:
        episode = log_cramp(store.diary(user), **options)
    report_logged(episode, None if fmt is None else OutputFormat(fmt))
    return True


def report_logged(episode: Any, fmt: Any) -> None:
    """What `log cramp` prints: the episode as JSON, or one line for a person."""
    from crampwise.cli.common import print_json, wants_json

    if wants_json(fmt):
        from crampwise.store.entry import episode_json

        print_json(episode_json(episode))
        return
    where = f"{episode.side} {episode.muscle}" if episode.side else episode.muscle
    print(
        f"Logged cramp #{episode.id}: {where} at {episode.started_at:%a %d %b %H:%M} "
        f"(night of {episode.night:%a %d %b})."
    )
