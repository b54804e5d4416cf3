"""Outside formats: Apple Health and FHIR import, FHIR and calendar export, clinician report.

Each format's library (lxml, fhir.resources, icalendar, reportlab) and the store are imported
inside its command, so that the other commands start quickly.
"""

from __future__ import annotations

import json
import sys
from datetime import date, datetime, time
from pathlib import Path
from typing import Annotated

import typer

from crampwise.cli import app, export_app, import_app
from crampwise.cli.common import FormatOption, current_user, print_json, say_wrote, wants_json
from crampwise.errors import InputError

# The defaults of crampwise.interop.apple_health.limits.ImportLimits, written out so that
# `--help` does not import the importer (kept equal by a test).
DEFAULT_MAX_GIB = 20.0
DEFAULT_MAX_RATIO = 100.0

OutputOption = Annotated[
    Path | None, typer.Option("--output", "-o", help="Write here instead of stdout.")
]


def _write(data: bytes, output: Path | None, what: str) -> None:
    """The data on stdout, or in `output` with one line on stderr saying what was written."""
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        output.write_bytes(data)
        say_wrote(output, what)


def _count(n: int, noun: str, plural: str | None = None) -> str:
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


def _parse_time(text: str, field: str) -> time:
    try:
        return time.fromisoformat(text)
    except ValueError:
        raise InputError(
            f"field '{field}': {text!r} is not a time like 22:00", field=field
        ) from None


def _parse_date(text: str | None, field: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(
            f"field '{field}': {text!r} is not a date YYYY-MM-DD", field=field
        ) from None


@import_app.command("apple-health")
def import_apple_health(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="export.zip, or the export.xml inside it.")],
    fmt: FormatOption = None,
    max_size: Annotated[
        float, typer.Option("--max-size", min=0.001, help="Largest export.xml to read, GiB.")
    ] = DEFAULT_MAX_GIB,
    max_ratio: Annotated[
        float,
        typer.Option("--max-ratio", min=1, help="Largest unpacked/packed size ratio in a zip."),
    ] = DEFAULT_MAX_RATIO,
) -> None:
    """Import steps, exercise, workouts, sleep and dietary data from an Apple Health export."""
    from dataclasses import replace

    from crampwise.interop.apple_health.importer import import_export
    from crampwise.interop.apple_health.limits import DEFAULT_LIMITS
    from crampwise.interop.apple_health.progress import progress_printer
    from crampwise.store import open_store

    limits = replace(
        DEFAULT_LIMITS,
        max_uncompressed_bytes=int(max_size * (1 << 30)),
        max_compression_ratio=max_ratio,
    )
    update, close = progress_printer()
    try:
        with open_store() as store:
            result = import_export(store.diary(current_user(ctx)), path, update, limits)
    finally:
        close()
    summary = result.summary()
    if wants_json(fmt):
        print_json(summary)
    else:
        typer.echo(
            f"Imported {summary['days']} days ({summary['first_day']} to {summary['last_day']}) "
            f"from {summary['records_used']:,} of {summary['records_read']:,} records and "
            f"{summary['workouts']} workouts; {summary['days_changed']} days changed."
        )


@import_app.command("fhir")
def import_fhir(
    ctx: typer.Context,
    file: Annotated[
        str, typer.Argument(help="A FHIR Bundle (JSON) written by `export fhir`; - is stdin.")
    ],
    fmt: FormatOption = None,
) -> None:
    """Read a FHIR Bundle written by `crampwise export fhir` into the diary."""
    from crampwise.interop.fhir import import_diary
    from crampwise.interop.fhir.importer import MAX_BUNDLE_BYTES
    from crampwise.store import open_store

    try:
        if file == "-":
            text = sys.stdin.buffer.read(MAX_BUNDLE_BYTES + 1)
        else:
            with Path(file).open("rb") as fh:
                text = fh.read(MAX_BUNDLE_BYTES + 1)
    except OSError as exc:
        raise InputError(f"file '{file}': {exc.strerror}") from None
    if len(text) > MAX_BUNDLE_BYTES:
        raise InputError(
            f"file '{file}': larger than {MAX_BUNDLE_BYTES >> 20} MiB, too large for a diary "
            "Bundle; nothing was imported"
        )
    with open_store() as store:
        parsed = import_diary(store.diary(current_user(ctx)), text)
    summary = {
        "episodes": len(parsed.episodes),
        "days": len(parsed.days),
        "medicines": len(parsed.medicines),
    }
    if wants_json(fmt):
        print_json(summary)
    else:
        typer.echo(
            f"Read {summary['episodes']} episodes, {summary['days']} days, "
            f"{summary['medicines']} medicines."
        )


@export_app.command("fhir")
def export_fhir(ctx: typer.Context, output: OutputOption = None) -> None:
    """Write the diary as a FHIR R5 Bundle (JSON)."""
    from crampwise.interop.fhir import export_diary
    from crampwise.store import open_store

    user = current_user(ctx)
    with open_store() as store:
        bundle = export_diary(store.diary(user), user)
    data = (json.dumps(bundle, ensure_ascii=False, indent=1) + "\n").encode()
    entries = len(bundle.get("entry", []))
    _write(data, output, f"a FHIR Bundle of {_count(entries, 'entry', 'entries')}")


@export_app.command("ics")
def export_ics(
    ctx: typer.Context,
    at: Annotated[
        str, typer.Option("--at", help="Time of the bedtime routine reminder.")
    ] = "22:00",
    start: Annotated[str | None, typer.Option("--start", help="First day (default today).")] = None,
    experiments: Annotated[
        bool,
        typer.Option("--experiments/--no-experiments", help="Add active experiments' schedules."),
    ] = True,
    output: OutputOption = None,
) -> None:
    """Write an iCalendar: the bedtime routine as a daily reminder, and experiment schedules."""
    from crampwise.interop.ics import calendar_for_diary
    from crampwise.store import open_store

    when = _parse_time(at, "at")
    first = _parse_date(start, "start") or date.today()
    with open_store() as store:
        data = calendar_for_diary(store.diary(current_user(ctx)), when, first, experiments)
    events = data.count(b"BEGIN:VEVENT")
    _write(data, output, f"a calendar of {_count(events, 'event')}")


@app.command("report")
def report(
    ctx: typer.Context,
    output: Annotated[Path, typer.Option("--output", "-o", help="The PDF to write.")] = Path(
        "report.pdf"
    ),
    start: Annotated[str | None, typer.Option("--from", help="First night (YYYY-MM-DD).")] = None,
    end: Annotated[str | None, typer.Option("--to", help="Last night (YYYY-MM-DD).")] = None,
) -> None:
    """Write a clinician report (PDF, one or two A4 pages) of the diary."""
    from crampwise.interop.report import diary_report, page_count
    from crampwise.store import open_store

    first, last = _parse_date(start, "from"), _parse_date(end, "to")
    user = current_user(ctx)
    with open_store() as store:
        pdf = diary_report(store.diary(user), user, first, last, today=datetime.now().date())
    output.write_bytes(pdf)
    say_wrote(output, f"a {page_count(pdf)}-page report")
