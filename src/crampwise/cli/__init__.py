"""The crampwise command line: each command parses, calls one library function, renders.

Heavy modules (SQLAlchemy, SciPy, FastAPI...) are imported inside the commands that need
them, so that `crampwise assess` stays quick from a cold start.
"""

from __future__ import annotations

import os
import sys

import typer
from typer._click.exceptions import UsageError

from crampwise.cli.common import AppState
from crampwise.cli.fastpath import run_fast
from crampwise.errors import InputError

app = typer.Typer(
    name="crampwise",
    help="Evidence-graded help for night leg cramps: assess, track, discover, experiment, share.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)
export_app = typer.Typer(help="Export your diary (CSV, FHIR, calendar).", no_args_is_help=True)
import_app = typer.Typer(
    help="Import a diary or health data (CSV, Apple Health, FHIR).", no_args_is_help=True
)
experiment_app = typer.Typer(
    help="Randomised n-of-1 experiments of a remedy.", no_args_is_help=True
)
app.add_typer(export_app, name="export")
app.add_typer(import_app, name="import")
app.add_typer(experiment_app, name="experiment")


@app.callback()
def _root(
    ctx: typer.Context,
    user: str = typer.Option("me", "--user", "-u", help="Whose diary to read or write."),
) -> None:
    """Evidence-graded help for night leg cramps."""
    ctx.obj = AppState(user=user)


# Each module registers its commands on the apps above (import for the side effect).
from crampwise.cli import (  # noqa: E402
    analysis_cmds,
    assess_cmds,
    data_cmds,
    diary_cmds,
    interop_cmds,
    web_cmds,
)

__all__ = [
    "analysis_cmds",
    "app",
    "assess_cmds",
    "data_cmds",
    "diary_cmds",
    "experiment_app",
    "export_app",
    "import_app",
    "interop_cmds",
    "main",
    "web_cmds",
]


def main() -> None:
    """Console entry point: bad input is one line on stderr and exit code 2."""
    try:
        if run_fast(sys.argv[1:]):  # `log cramp`, plain `assess`: no Typer command tree
            sys.stdout.flush()  # so a closed pipe shows here, not at interpreter exit
            return
        # Standalone mode: Typer shows usage errors and help, turns Ctrl-C into 130 and a
        # closed pipe into 1, and always exits; our own InputError comes through to us.
        _usage_errors_on_one_line()
        app()
    except InputError as exc:
        sys.stderr.write(f"crampwise: error: {exc}\n")
        sys.exit(2)
    except BrokenPipeError:  # `crampwise assess - --format json | head`: stop quietly
        _silence_stdout()
        sys.exit(1)
    except OSError as exc:
        if exc.filename is None:
            raise
        # A path the user gave cannot be opened (`-o /no/such/dir/x.csv`): bad input.
        sys.stderr.write(f"crampwise: error: cannot open {exc.filename}: {exc.strerror}\n")
        sys.exit(2)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:
        reason = _database_unreachable(exc)
        if reason is None:
            raise
        # Not bad input (exit 2): the database server is down or refuses us.
        sys.stderr.write(f"crampwise: error: cannot reach the database: {reason}\n")
        sys.exit(1)


def _database_unreachable(exc: Exception) -> str | None:
    """One line on why the database could not be reached, or None for any other error."""
    if "sqlalchemy" not in sys.modules:
        return None
    # Imported here: only a command that used the store has SQLAlchemy loaded.
    from sqlalchemy.exc import OperationalError

    if not isinstance(exc, OperationalError):
        return None
    first_line = str(exc.orig or exc).strip().splitlines()
    return first_line[0] if first_line else type(exc).__name__


def _usage_errors_on_one_line() -> None:
    """Contract: a bad option is ONE line on stderr naming it, not click's usage block."""

    def show(self: UsageError, file: object = None) -> None:
        sys.stderr.write(f"crampwise: error: {self.format_message()}\n")

    UsageError.show = show  # type: ignore[method-assign]  # NoArgsIsHelpError keeps its own


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the final flush does not fail again on the closed pipe."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout is not a real file (tests capture it)
        pass
