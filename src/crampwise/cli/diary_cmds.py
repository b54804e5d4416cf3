"""Diary commands: log cramp/day, diary, edit, delete, demo, CSV export/import, factors, meds.

Every command imports the store and the library inside its body: this module is loaded for
every `crampwise` call, and SQLAlchemy alone costs ~150 ms of a cold start (see
benchmarks/log_cramp).
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TextIO

import typer

from crampwise.cli import app, export_app, import_app
from crampwise.cli.common import FormatOption, current_user, print_json, say_wrote, wants_json
from crampwise.errors import InputError

if TYPE_CHECKING:
    from crampwise.store import UserDiary

log_app = typer.Typer(help="Log a cramp or a day.", no_args_is_help=True)
factor_app = typer.Typer(
    help="Factors you define yourself, like coffee cups.", no_args_is_help=True
)
med_app = typer.Typer(help="Medicines you take.", no_args_is_help=True)
app.add_typer(log_app, name="log")
app.add_typer(factor_app, name="factor")
app.add_typer(med_app, name="med")

Opt = typer.Option


def _diary(ctx: typer.Context, user: str | None = None) -> UserDiary:
    """The selected user's diary on the configured database (schema upgraded if behind)."""
    from crampwise.store import open_store

    store = open_store()
    ctx.call_on_close(store.close)
    return store.diary(user or current_user(ctx))


def _not_found(exc: LookupError) -> None:
    raise InputError(str(exc.args[0] if exc.args else exc)) from None


def _describe(record: Mapping[str, object], units: str) -> str:
    """One line for a person: an episode (has an id) or a day."""
    from datetime import datetime

    from crampwise.cli.diary_view import day_words
    from crampwise.knowledge.labels import MUSCLE_LABELS

    if "id" in record:
        pain = f", pain {record['pain']}" if record.get("pain") is not None else ""
        muscle = MUSCLE_LABELS.get(str(record["muscle"]), str(record["muscle"])).lower()
        try:
            when = f"{datetime.fromisoformat(str(record['started_at'])):%a %d %b %H:%M}"
        except ValueError:
            when = str(record["started_at"])
        return f"cramp #{record['id']} ({muscle}, {when}{pain})"
    day_values = record.get("values")
    values = day_words(day_values, units) if isinstance(day_values, Mapping) else ""
    return f"the day of {record['date']}" + (f" ({values})" if day_values else "")


@log_app.command("cramp")
def log_cramp(
    ctx: typer.Context,
    at: Annotated[str | None, Opt(help="When: now, 3am, 'last night 2:30', ISO...")] = None,
    muscle: Annotated[
        str, Opt(help="calf, foot, toes, thigh_front, thigh_back, hand, other")
    ] = "calf",
    side: Annotated[str | None, Opt(help="left, right or both")] = None,
    duration: Annotated[str | None, Opt(help="40s, 2m, 1m30s, or seconds")] = None,
    pain: Annotated[int | None, Opt(help="0–10")] = None,
    woke: Annotated[bool | None, Opt("--woke/--no-woke", help="Woke you from sleep?")] = None,
    helped: Annotated[list[str] | None, Opt(help="What helped (repeat or comma-separate)")] = None,
    note: Annotated[str | None, Opt()] = None,
    fmt: FormatOption = None,
) -> None:
    """Log one cramp; `crampwise log cramp` alone means a calf cramp now."""
    from crampwise.cli.diary_view import report_logged
    from crampwise.store.diary.entry import log_cramp as store_cramp

    episode = store_cramp(
        _diary(ctx),
        at=at,
        muscle=muscle,
        side=side,
        duration=duration,
        pain=pain,
        woke=woke,
        helped=helped or (),
        note=note,
    )
    report_logged(episode, fmt)


@log_app.command("day")
def log_day(
    ctx: typer.Context,
    date: Annotated[
        str | None,
        Opt("--date", help="today (before noon: last night's day), yesterday or YYYY-MM-DD"),
    ] = None,
    exercise: Annotated[float | None, Opt(help="Minutes of exercise")] = None,
    intensity: Annotated[str | None, Opt(help="none, light, moderate, hard")] = None,
    fluids: Annotated[
        str | None, Opt(help="1.5l, 1500ml, 50floz (a bare number: your units)")
    ] = None,
    bedroom_temp: Annotated[str | None, Opt(help="18C or 64F (a bare number: your units)")] = None,
    position: Annotated[str | None, Opt(help="back, side, prone")] = None,
    sweating: Annotated[bool | None, Opt("--sweating/--no-sweating")] = None,
    legs_cold: Annotated[bool | None, Opt("--legs-cold/--legs-warm")] = None,
    calcium: Annotated[float | None, Opt(help="Calcium, mg")] = None,
    vitamin_d: Annotated[bool | None, Opt("--vitamin-d/--no-vitamin-d")] = None,
    alcohol: Annotated[float | None, Opt(help="Units of alcohol")] = None,
    sitting: Annotated[float | None, Opt(help="Hours sitting")] = None,
    standing: Annotated[float | None, Opt(help="Hours standing")] = None,
    stretched: Annotated[bool | None, Opt("--stretched/--no-stretched")] = None,
    footbath: Annotated[bool | None, Opt("--footbath/--no-footbath")] = None,
    massage: Annotated[bool | None, Opt("--massage/--no-massage")] = None,
    steps: Annotated[int | None, Opt()] = None,
    sleep: Annotated[float | None, Opt(help="Hours of sleep")] = None,
    set_: Annotated[list[str] | None, Opt("--set", help="NAME=VALUE, any factor")] = None,
    fmt: FormatOption = None,
) -> None:
    """Log what you did today (or --date): values merge into that day's log."""
    fields = {k: v for k, v in locals().items() if k not in ("ctx", "date", "set_", "fmt")}
    from crampwise.cli import common
    from crampwise.cli.diary_view import day_words
    from crampwise.store.diary.entry import log_day as store_day

    diary = _diary(ctx)
    units = diary.units()
    # "today" is the night in progress (the web's rule): at 01:00 it is the evening before.
    day = store_day(
        diary, day=date, fields=fields, extra=set_ or (), units=units, today=common.tonight()
    )
    if wants_json(fmt):
        print_json({"date": day.date.isoformat(), "values": day.values})
    else:
        print(f"Saved the day of {day.date:%a %d %b %Y}: {day_words(day.values, units)}.")


@app.command("diary")
def diary(
    ctx: typer.Context,
    nights: Annotated[int, Opt(help="How many nights back")] = 14,
    fmt: FormatOption = None,
) -> None:
    """Show your recent nights: cramps, worst pain and the day's log."""
    from crampwise.cli import common
    from crampwise.store.diary.entry import recent_nights

    diary_ = _diary(ctx)
    rows = recent_nights(diary_, nights, today=common.tonight())
    if wants_json(fmt):
        print_json({"user": current_user(ctx), "nights": [r.to_json() for r in rows]})
        return
    from crampwise.cli.diary_view import render_nights

    render_nights(current_user(ctx), rows, nights, diary_.units())


@app.command("edit")
def edit(
    ctx: typer.Context,
    target: Annotated[str, typer.Argument(help="An episode id, or a day (YYYY-MM-DD)")],
    at: Annotated[str | None, Opt()] = None,
    muscle: Annotated[str | None, Opt()] = None,
    side: Annotated[str | None, Opt()] = None,
    duration: Annotated[str | None, Opt()] = None,
    pain: Annotated[int | None, Opt()] = None,
    note: Annotated[str | None, Opt()] = None,
    set_: Annotated[list[str] | None, Opt("--set", help="Day: NAME=VALUE (NAME= clears)")] = None,
    fmt: FormatOption = None,
) -> None:
    """Fix an episode (by id) or a day's values (by date, with --set NAME=VALUE)."""
    from crampwise.store.diary.entry import edit_entry

    diary = _diary(ctx)
    try:
        result = edit_entry(
            diary,
            target,
            at=at,
            muscle=muscle,
            side=side,
            duration=duration,
            pain=pain,
            note=note,
            extra=set_ or (),
        )
    except LookupError as exc:
        _not_found(exc)
    if wants_json(fmt):
        print_json(result)
    else:
        print(f"Saved {_describe(result, diary.units())}.")


@app.command("delete")
def delete(
    ctx: typer.Context,
    target: Annotated[str, typer.Argument(help="An episode id, or a day (YYYY-MM-DD)")],
    fmt: FormatOption = None,
) -> None:
    """Delete an episode (by id) or a day's log (by date; its night's episodes stay)."""
    from crampwise.store.diary.entry import delete_entry

    diary = _diary(ctx)
    try:
        result = delete_entry(diary, target)
    except LookupError as exc:
        _not_found(exc)
    if wants_json(fmt):
        print_json(result)
    else:
        print(f"Deleted {_describe(result, diary.units())}.")


@app.command("demo")
def demo(
    ctx: typer.Context,
    seed: Annotated[int, Opt(help="Same seed, same diary")] = 2,
    days: Annotated[int, Opt(help="How many days (≥ 183)")] = 210,
    fmt: FormatOption = None,
) -> None:
    """Fill the user `demo` with six months of realistic diary (replacing what was there)."""
    from crampwise.diary.demo import fill_demo

    summary = fill_demo(_diary(ctx, "demo"), seed=seed, days=days)
    if wants_json(fmt):
        print_json(summary)
    else:
        print(
            f"Demo diary ready: {summary['days']} days, {summary['episodes']} cramps, "
            f"{summary['first']} to {summary['last']}. Try: crampwise --user demo diary"
        )


@export_app.command("csv")
def export_csv(
    ctx: typer.Context,
    output: Annotated[Path | None, Opt("--output", "-o", help="File (default: stdout)")] = None,
) -> None:
    """Write your diary as the CSV that `analyze` reads (one row per day)."""
    from crampwise.interop.csv import export_diary

    diary = _diary(ctx)
    if output is None:
        export_diary(diary, sys.stdout)
        return
    with output.open("w", encoding="utf-8", newline="") as stream:
        export_diary(diary, stream)
    with output.open(encoding="utf-8") as written:
        rows = max(0, sum(1 for _ in written) - 1)  # less the header
    say_wrote(output, f"{rows} night{'' if rows == 1 else 's'}")


@import_app.command("csv")
def import_csv(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="A diary CSV (or - for stdin)")],
    fmt: FormatOption = None,
) -> None:
    """Read a diary CSV into your diary; importing the same file again changes nothing."""
    from crampwise.interop.csv import import_diary

    source: Path | TextIO = sys.stdin if str(path) == "-" else path
    summary = import_diary(_diary(ctx), source)
    if wants_json(fmt):
        print_json(asdict(summary))
        return
    print(
        f"Imported: {summary.days_added} new days, {summary.days_changed} changed, "
        f"cramp counts set for {summary.nights_counted} nights."
    )
    for conflict in summary.conflicts:
        print(f"  kept as typed: {conflict}", file=sys.stderr)


@factor_app.command("define")
def factor_define(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument()],
    kind: Annotated[str, Opt(help="numeric, boolean or categorical")] = "numeric",
    unit: Annotated[str | None, Opt()] = None,
    choices: Annotated[str | None, Opt(help="Categorical: comma-separated levels")] = None,
    fmt: FormatOption = None,
) -> None:
    """Define a factor of your own to log with `log day --set NAME=VALUE`."""
    from crampwise.diary.model import custom_factor

    levels = (choices or "").split(",")
    made = _diary(ctx).define_factor(custom_factor(name, kind, unit, levels))
    row = {"name": made.name, "kind": made.kind, "unit": made.unit, "choices": list(made.choices)}
    print_json(row) if wants_json(fmt) else print(f"Factor {made.name} ({made.kind}) ready.")


@factor_app.command("list")
def factor_list(ctx: typer.Context, fmt: FormatOption = None) -> None:
    """List your own factors."""
    rows = [
        {"name": f.name, "kind": f.kind, "unit": f.unit, "choices": list(f.choices)}
        for f in _diary(ctx).custom_factors()
    ]
    if wants_json(fmt):
        print_json(rows)
        return
    for r in rows:
        print(f"{r['name']}: {r['kind']}" + (f" ({r['unit']})" if r["unit"] else ""))


@med_app.command("add")
def med_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument()],
    started: Annotated[str | None, Opt(help="YYYY-MM-DD")] = None,
    stopped: Annotated[str | None, Opt(help="YYYY-MM-DD")] = None,
    fmt: FormatOption = None,
) -> None:
    """Record a medicine you take (or took)."""
    from crampwise.store.diary.entry import add_medicine

    med = add_medicine(_diary(ctx), name, started=started, stopped=stopped)
    print_json(med) if wants_json(fmt) else print(f"Medicine #{med['id']}: {med['name']}")


@med_app.command("list")
def med_list(ctx: typer.Context, fmt: FormatOption = None) -> None:
    """List your medicines."""
    from crampwise.store.diary.entry import medicine_json

    rows = [medicine_json(m) for m in _diary(ctx).medicines()]
    if wants_json(fmt):
        print_json(rows)
        return
    for r in rows:
        print(f"#{r['id']} {r['name']}  {r['started'] or '?'} → {r['stopped'] or 'now'}")
