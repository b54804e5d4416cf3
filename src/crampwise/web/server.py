"""Run the web app on uvicorn with uvloop + httptools, printing where it listens."""

from __future__ import annotations

import gc
import sys

from crampwise.web.settings import WebSettings, allowed_host_list


def serve(host: str = "127.0.0.1", port: int = 8000, settings: WebSettings | None = None) -> None:
    """Serve crampwise until interrupted; one process, so sessions and limits stay coherent."""
    # Imported here: `crampwise serve --help` and the settings check should not wait for
    # uvicorn and the whole app (~0.3 s).
    import uvicorn

    from crampwise.web.app import create_app

    settings = settings or WebSettings()
    app = create_app(settings, bind_host=host)
    shown = f"[{host}]" if ":" in host else host
    sys.stderr.write(
        f"crampwise is running at http://{shown}:{port}/ on {app.state.ctx.store.url}"
        " (Ctrl+C stops it)\n"
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
    # Everything built so far (modules, app, templates) lives as long as the server: move it
    # out of the collector's reach, or each full collection walks ~130k objects and stalls
    # every request in flight (70-110 ms measured, the Tonight page's p99).
    gc.collect()
    gc.freeze()
    try:
        uvicorn.run(
            app,
            host=host,
            port=port,
            loop="uvloop",
            http="httptools",
            lifespan="off",
            proxy_headers=settings.trust_proxy,
            server_header=False,
            log_level="warning",
            access_log=False,  # a health app does not keep a log of who opened which page
        )
    finally:
        app.state.ctx.close()  # lets the writer thread finish its queue, closes the database
