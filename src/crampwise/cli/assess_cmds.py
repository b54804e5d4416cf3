"""Commands `assess`, `sources`, `learn` and `now` (registered on crampwise.cli.app).

Everything heavy (Rich, the knowledge base, the store) is imported inside the commands so that
`crampwise assess - --format json` starts quickly.
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from crampwise.cli import app
from crampwise.cli.common import (
    FormatOption,
    OutputFormat,
    current_user,
    print_json,
    wants_json,
)
from crampwise.errors import InputError


def read_situation_text(file: str) -> str:
    """The text of a situation file, or of stdin for `-`; unreadable → InputError."""
    if file == "-":
        return sys.stdin.read()
    try:
        return Path(file).read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError(f"cannot read {file}: not UTF-8 text") from None
    except OSError as exc:
        raise InputError(f"cannot read {file}: {exc.strerror or exc}") from None


@app.command("assess")
def assess_command(
    ctx: typer.Context,
    file: str | None = typer.Argument(
        None,
        help="Situation JSON file, or - for stdin. Omit on a terminal to answer questions instead.",
    ),
    fmt: FormatOption = None,
    save: bool = typer.Option(False, "--save", help="Keep the situation and result in your diary."),
    show: bool = typer.Option(
        False, "--show", help="Show your last saved assessment (with its date) again."
    ),
) -> None:
    """Triage a leg-cramp situation, rank likely causes and build an evidence-graded plan."""
    if show:
        if file is not None or save:
            raise InputError("field 'show': --show takes no situation file and no --save")
        show_saved(fmt, current_user(ctx))
        return
    run_assess(file, fmt, save, current_user(ctx))


def run_assess(file: str | None, fmt: OutputFormat | None, save: bool, user: str) -> None:
    """The body of `assess` (also reached through `cli.fastpath` without Typer's start-up)."""
    from crampwise.assess.assessment import assess
    from crampwise.assess.plain import for_reader, plain_result
    from crampwise.assess.situation import parse_situation, parse_situation_json

    if file is None and sys.stdin.isatty():
        from crampwise.assess.questionnaire import ask_situation

        situation = parse_situation(ask_situation())
    else:
        path = file or "-"
        text = read_situation_text(path)
        situation = parse_situation_json(text, origin="stdin" if path == "-" else path)
    result = assess(situation)
    units = None
    if save:
        from crampwise.store import open_store

        with open_store() as store:
            diary = store.diary(user)
            units = diary.units()
            # The saved result carries the plain words too (the report prints them).
            diary.save_assessment(situation.to_dict(), plain_result(result, units))
    shown = plain_result(result, units)
    if wants_json(fmt):
        print_json(shown)
    else:
        from crampwise.cli.assess_report import print_assessment

        print_assessment(for_reader(shown, units))  # temperatures in the reader's units


def show_saved(fmt: OutputFormat | None, user: str) -> None:
    """`assess --show`: the last saved assessment, recomputed from its situation with today's
    knowledge base (as every page that honours it does), with the date it was saved."""
    from crampwise.assess.assessment import assess
    from crampwise.assess.plain import for_reader, plain_result
    from crampwise.store import open_store

    with open_store() as store:
        diary = store.diary(user)  # reading never creates the user
        saved = diary.latest_assessment()
        units = diary.units()
    if saved is None:
        raise InputError(
            "no saved assessment yet: run `crampwise assess --save` (or Assess on the web app)"
        )
    shown = plain_result(assess(saved.situation), units)
    shown["saved_at"] = saved.created_at.isoformat(timespec="seconds")
    if wants_json(fmt):
        print_json(shown)
    else:
        from crampwise.cli.assess_report import print_assessment

        print_assessment(for_reader(shown, units), saved_on=saved.created_at.date())


@app.command("sources")
def sources_command(fmt: FormatOption = None) -> None:
    """List the bibliography every grade and advice refers to."""
    from crampwise.knowledge import load_knowledge

    sources = list(load_knowledge().sources.values())
    if wants_json(fmt):
        # `found_via` (how an entry's details were verified) is for reviewers of the
        # bibliography file, not for readers of the list.
        print_json([{k: v for k, v in s.__dict__.items() if k != "found_via"} for s in sources])
    else:
        from crampwise.cli.assess_report import print_sources

        print_sources(sources)


@app.command("learn")
def learn_command(
    ctx: typer.Context,
    topic: str | None = typer.Argument(
        None,
        help="overview, causes, remedies, avoid, warning-signs, "
        "medicines, or a cause or remedy id.",
    ),
    fmt: FormatOption = None,
) -> None:
    """A readable guide to causes and remedies, each with its evidence grade and sources."""
    from crampwise.assess.guide import sections
    from crampwise.store import open_store

    # The user's saved assessment marks the remedies it rules out for them.
    with open_store() as store:
        rules = store.diary(current_user(ctx)).personal_rules()
    found = sections(topic, rules=rules)
    if wants_json(fmt):
        print_json([s.to_dict() for s in found])
    else:
        from crampwise.cli.assess_report import print_guide

        print_guide(found)


@app.command("now")
def now_command(
    ctx: typer.Context,
    quick: bool = typer.Option(False, "--quick", help="One second per step (for trying it out)."),
    seconds: int | None = typer.Option(
        None, "--seconds", min=0, max=600, help="Seconds per timed step."
    ),
    log: bool | None = typer.Option(
        None, "--log/--no-log", help="Log the cramp afterwards without asking."
    ),
) -> None:
    """A cramp right now: a guided stretch with a countdown, then what to do after."""
    from crampwise.cli.cramp_now import run_routine

    outcome = run_routine(
        seconds=1 if quick else seconds,
        interactive=sys.stdin.isatty() and sys.stdout.isatty(),
        log=log,
    )
    if outcome["log"]:
        from crampwise.cli.cramp_now import log_episode

        print(log_episode(current_user(ctx), outcome))
