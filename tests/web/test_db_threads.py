"""On PostgreSQL a request's database work runs on a few worker threads, never on the
event loop and never on more connections than the engine's pool keeps open."""

from __future__ import annotations

import asyncio
import threading

import httpx
import pytest
from sqlalchemy import event

from crampwise.store.engine import PG_POOL_SIZE
from crampwise.web.app import create_app
from crampwise.web.deps import DB_THREADS

from .support import fast_settings, new_client, setup_owner

pytestmark = pytest.mark.postgres


def test_many_requests_at_once_share_the_pools_connections(postgres_url: str) -> None:
    app = create_app(fast_settings(postgres_url))
    engine = app.state.ctx.store.engine
    with new_client(app) as client:
        setup_owner(client)
        cookie = client.cookies["crampwise_session"]
    opened: list[int] = []
    readers: set[int] = set()
    event.listen(engine.pool, "connect", lambda *_: opened.append(1))
    event.listen(engine, "before_cursor_execute", lambda *_: readers.add(threading.get_ident()))

    async def burst() -> list[int]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as c:
            c.cookies.set("crampwise_session", cookie)
            answers = await asyncio.gather(*(c.get("/") for _ in range(4 * PG_POOL_SIZE)))
        return [a.status_code for a in answers]

    # The burst gets a thread and an event loop of its own: a browser test earlier in the
    # same worker may have left a loop running on this one (Playwright's sync API).
    statuses: list[list[int]] = []
    loop_thread = threading.Thread(target=lambda: statuses.append(asyncio.run(burst())))
    try:
        loop_thread.start()
        loop_thread.join()
        assert statuses == [[200] * (4 * PG_POOL_SIZE)]
        assert loop_thread.ident not in readers  # nothing on the event loop's thread
        # Connections opened for the burst: at most one per database thread (the pool
        # already held one from the sign-up), none opened and closed per request.
        assert len(opened) <= DB_THREADS
    finally:
        app.state.ctx.close()
