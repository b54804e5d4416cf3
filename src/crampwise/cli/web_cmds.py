"""`crampwise serve`: the web app on uvicorn (one worker: SQLite wants a single writer)."""

from __future__ import annotations

import typer

from crampwise.cli import app


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on (loopback by default)."),
    port: int = typer.Option(8000, min=1, max=65535, help="Port to listen on."),
) -> None:
    """Start the web app (CRAMPWISE_DATABASE_URL picks PostgreSQL; else the SQLite file)."""
    from crampwise.web.server import serve as run_server

    run_server(host, port)
