"""Run the web app on uvicorn with uvloop + httptools, printing where it listens.

One process by default. `workers > 1` (`crampwise serve --workers N`, or WEB_CONCURRENCY)
runs N uvicorn worker processes on one socket: the web tier keeps nothing another process
needs (see `crampwise.web.context`), so any worker may answer any request. The schema is
upgraded once, here, before any worker starts; each worker only checks that it is current.
"""

from __future__ import annotations

import gc
import os
import sys
from typing import TYPE_CHECKING

from crampwise.web.settings import WebSettings, allowed_host_list

if TYPE_CHECKING:
    from fastapi import FastAPI
    from starlette.types import Receive, Scope, Send

# How the supervisor hands its settings and address to the worker processes it spawns.
SETTINGS_ENV = "CRAMPWISE_SERVE_SETTINGS"
BIND_HOST_ENV = "CRAMPWISE_SERVE_BIND_HOST"


def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    settings: WebSettings | None = None,
    workers: int = 1,
) -> None:
    """Serve crampwise until interrupted, in one process or `workers` worker processes."""
    # Imported here: `crampwise serve --help` and the settings check should not wait for
    # uvicorn and the whole app (~0.3 s).
    import uvicorn

    settings = settings or WebSettings()
    allowed_host_list(settings, host)  # a malformed CRAMPWISE_WEB_ALLOWED_HOSTS stops us here
    options = {
        "host": host,
        "port": port,
        "loop": "uvloop",
        "http": "httptools",
        "proxy_headers": settings.trust_proxy,
        "server_header": False,
        "log_level": "warning",
        "access_log": False,  # a health app does not keep a log of who opened which page
    }
    if workers > 1:
        url = _upgrade_once(settings)
        _announce(host, port, settings, f"{url}, {workers} worker processes")
        os.environ[SETTINGS_ENV] = settings.model_dump_json()
        os.environ[BIND_HOST_ENV] = host
        uvicorn.run(
            "crampwise.web.server:worker_app",
            factory=True,
            workers=workers,
            lifespan="on",
            **options,  # type: ignore[arg-type]
        )
        return

    from crampwise.web.app import create_app

    app = create_app(settings, bind_host=host)
    _announce(host, port, settings, app.state.ctx.store.url)
    _freeze_heap()
    try:
        uvicorn.run(app, workers=1, lifespan="off", **options)  # type: ignore[arg-type]
    finally:
        app.state.ctx.close()  # lets the writer thread finish its queue, closes the database


def _upgrade_once(settings: WebSettings) -> str:
    """Bring the schema to the newest revision before the workers start (they only check)."""
    from crampwise.settings import get_settings
    from crampwise.store import open_store

    store = open_store(settings.database_url or get_settings().database_url)
    url = store.url
    store.close()
    return url


def _announce(host: str, port: int, settings: WebSettings, where: str) -> None:
    shown = f"[{host}]" if ":" in host else host
    sys.stderr.write(
        f"crampwise is running at http://{shown}:{port}/ on {where} (Ctrl+C stops it)\n"
    )
    if host not in ("127.0.0.1", "localhost", "::1"):
        # Browsers keep Secure cookies only over HTTPS, except on loopback.
        sys.stderr.write(
            "crampwise: sign-in needs HTTPS beyond this machine: serve it behind a TLS proxy"
            " and set CRAMPWISE_WEB_TRUST_PROXY=true\n"
        )
    if allowed_host_list(settings, host) == ["*"]:
        sys.stderr.write(
            "crampwise: answering to any host name: set CRAMPWISE_WEB_ALLOWED_HOSTS to the"
            " name(s) people use to reach it\n"
        )
    sys.stderr.flush()


def _freeze_heap() -> None:
    # Everything built so far (modules, app, templates) lives as long as the server: move it
    # out of the collector's reach, or each full collection walks ~130k objects and stalls
    # every request in flight (70-110 ms measured, the Tonight page's p99).
    gc.collect()
    gc.freeze()


class WorkerApp:
    """One worker's app; uvicorn's lifespan messages close it (queued writes finish first)."""

    def __init__(self, app: FastAPI):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "lifespan":
            await self.app(scope, receive, send)
            return
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                _freeze_heap()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                self.app.state.ctx.close()
                await send({"type": "lifespan.shutdown.complete"})
                return


def worker_app() -> WorkerApp:
    """uvicorn's factory in each worker process: the supervisor's settings, schema checked."""
    from crampwise.errors import InputError
    from crampwise.settings import get_settings
    from crampwise.store import open_store
    from crampwise.store.engine import schema_is_current
    from crampwise.web.app import create_app

    settings = WebSettings.model_validate_json(os.environ[SETTINGS_ENV])
    store = open_store(settings.database_url or get_settings().database_url, migrate=False)
    if not schema_is_current(store.engine):
        store.close()
        raise InputError("the database schema is not the newest: run `crampwise db upgrade`")
    return WorkerApp(create_app(settings, store=store, bind_host=os.environ[BIND_HOST_ENV]))
