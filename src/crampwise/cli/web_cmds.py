"""`crampwise serve` (the web app on uvicorn, one or N worker processes) and
`crampwise db upgrade` (the schema brought to the newest revision, once per deployment)."""

from __future__ import annotations

import typer

from crampwise.cli import app

db_app = typer.Typer(help="The database: upgrade its schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on (loopback by default)."),
    port: int = typer.Option(8000, min=1, max=65535, help="Port to listen on."),
    workers: int = typer.Option(
        1,
        min=1,
        max=64,
        envvar="WEB_CONCURRENCY",
        help="Worker processes (they share sessions and limits through the database).",
    ),
) -> None:
    """Start the web app (CRAMPWISE_DATABASE_URL picks PostgreSQL; else the SQLite file)."""
    from crampwise.web.server import serve as run_server

    run_server(host, port, workers=workers)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Upgrade the database schema to the newest revision (run once, before `serve`)."""
    # Imported here: the store and Alembic load only for this command (cold start).
    from crampwise.settings import get_settings
    from crampwise.store.engine import ensure_schema, make_engine, script_heads

    engine = make_engine(get_settings().database_url)
    try:
        ensure_schema(engine)
    finally:
        engine.dispose()
    typer.echo(f"database schema at {', '.join(sorted(script_heads()))}")
