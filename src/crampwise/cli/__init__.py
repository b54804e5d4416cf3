"""The crampwise command line: each command parses, calls one library function, renders.

Heavy modules (SQLAlchemy, SciPy, FastAPI...) are imported inside the commands that need
them, so that `crampwise assess` stays quick from a cold start.
"""

from __future__ import annotations

import sys

import typer

from crampwise.cli.common import AppState

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
    diary_cmds,
    interop_cmds,
    web_cmds,
)

__all__ = [
    "analysis_cmds",
    "app",
    "assess_cmds",
    "diary_cmds",
    "experiment_app",
    "export_app",
    "import_app",
    "interop_cmds",
    "main",
    "web_cmds",
]


def main() -> None:
    """Console entry point: bad input becomes one line on stderr and exit code 2."""
    from crampwise.errors import InputError

    try:
        from crampwise.cli.fastlog import try_fast_log  # `log cramp` skips Typer's start-up

        if try_fast_log(sys.argv[1:]):
            return
        from crampwise.cli.fastassess import try_fast_assess  # so does a plain `assess`

        if try_fast_assess(sys.argv[1:]):
            return
        app(standalone_mode=False)
    except InputError as exc:
        sys.stderr.write(f"crampwise: error: {exc}\n")
        sys.exit(2)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # click's own usage errors carry their exit code
        import click

        try:  # Typer 0.29 raises its vendored click's exceptions, not click's
            from typer import exceptions as _typer_exc
            from typer._click import exceptions as _vendored
        except ImportError:
            _vendored = _typer_exc = None  # type: ignore[assignment]
        if _vendored is not None and isinstance(exc, _vendored.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        if _typer_exc is not None and isinstance(exc, _typer_exc.Abort):
            sys.stderr.write("Aborted.\n")
            sys.exit(1)
        if _typer_exc is not None and isinstance(exc, _typer_exc.Exit):
            sys.exit(getattr(exc, "exit_code", 0))
        if isinstance(exc, click.exceptions.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        if isinstance(exc, click.exceptions.Abort):
            sys.stderr.write("Aborted.\n")
            sys.exit(1)
        if isinstance(exc, click.exceptions.Exit):
            sys.exit(exc.exit_code)
        raise
