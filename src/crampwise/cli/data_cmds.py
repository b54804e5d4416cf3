"""Whole-diary and whole-database commands: `export json`, `import json`, `backup`, `restore`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from crampwise.cli import app, export_app, import_app
from crampwise.cli.common import FormatOption, current_user, print_json, wants_json


@export_app.command("json")
def export_json(
    ctx: typer.Context,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to FILE instead of stdout")
    ] = None,
) -> None:
    """Everything in your diary as one JSON file (`import json` reads it back, losslessly)."""
    from crampwise.interop.jsonexport import export_json as render
    from crampwise.store import open_store

    with open_store() as store:
        text = render(store.diary(current_user(ctx)))
    if output is None:
        sys.stdout.write(text)
        return
    output.write_text(text, encoding="utf-8")
    sys.stderr.write(f"Wrote your whole diary to {output}.\n")


@import_app.command("json")
def import_json(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A file made by `crampwise export json`")],
    replace: Annotated[
        bool, typer.Option("--replace", help="Delete everything in your diary first")
    ] = False,
    fmt: FormatOption = None,
) -> None:
    """Read a whole diary from `export json` into an empty diary (or --replace)."""
    from crampwise.interop.jsonexport import import_json as read
    from crampwise.store import open_store

    with open_store() as store:
        counts = read(store.diary(current_user(ctx)), file, replace=replace)
    if wants_json(fmt):
        print_json(counts)
        return
    words = {"care_notes": "care-team notes", "days": "days", "factors": "own factors"}
    parts = [f"{n} {words.get(k, k)}" for k, n in counts.items() if n]
    print("Imported " + (", ".join(parts) if parts else "an empty diary") + ".")


@app.command("backup")
def backup(
    file: Annotated[Path, typer.Argument(help="A new file to copy the whole database into")],
) -> None:
    """Copy the whole database (every user) into FILE, safely while the server runs."""
    from crampwise.settings import get_settings
    from crampwise.store.backup import UsePostgresTools
    from crampwise.store.backup import backup as copy

    try:
        done = copy(get_settings().database_url, file)
    except UsePostgresTools as tools:
        _say_use(tools.command, "make the backup")
    sys.stderr.write(f"Backed up the database to {done}.\n")


@app.command("restore")
def restore(
    file: Annotated[Path, typer.Argument(help="A file made by `crampwise backup`")],
) -> None:
    """Replace the whole database with a backup (a safety copy of the current one is kept)."""
    from crampwise.settings import get_settings
    from crampwise.store.backup import UsePostgresTools
    from crampwise.store.backup import restore as put_back

    try:
        done = put_back(get_settings().database_url, file)
    except UsePostgresTools as tools:
        _say_use(tools.command, "restore the backup")
    if done.safety_copy is not None:
        sys.stderr.write(f"Kept the database as it was in {done.safety_copy}.\n")
    extra = " and brought its schema up to date" if done.upgraded else ""
    sys.stderr.write(f"Restored the database from {file}{extra}.\n")


def _say_use(command: str, verb: str) -> None:
    sys.stderr.write(
        f"crampwise: the database is PostgreSQL; {verb} with PostgreSQL's own tools "
        f"(it will ask for the password):\n  {command}\n"
    )
    raise typer.Exit(1)
