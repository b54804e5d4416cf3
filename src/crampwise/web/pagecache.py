"""Rendered pages kept per session while the database is unchanged.

The Tonight page is opened far more often than the diary changes: every time the app comes
to the front at night. Its HTML depends only on the signed-in session (the user and the
CSRF token in its forms), the night, the query's flash message and the database. So a
rendered copy is kept under (session, night, flash) with the database's change counter
(`crampwise.store.engine.change_counter`) read *before* the page's data was read; a copy is
served only while the counter is unchanged. Any commit by anyone (this server, the CLI, an
import, another user's cramp, a session's `last_seen`) makes every copy stale: coarse, but
never wrong, and nothing has to remember to invalidate it.

SQLite only: PostgreSQL has no equally cheap counter, so there every request renders.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Protocol


class Counter(Protocol):
    def __call__(self) -> int: ...
    def close(self) -> None: ...


# (session token hash, user id, then whatever else the page depends on)
Key = tuple[Hashable, ...]
DEFAULT_LIMIT = 512  # pages (~6 KB each); the oldest copy goes first


class PageCache:
    """Rendered bodies by key, each valid for one value of the database's change counter."""

    def __init__(self, version: Counter | None, limit: int = DEFAULT_LIMIT):
        self._version = version
        self._limit = limit
        self._pages: dict[Key, tuple[int, bytes]] = {}

    @property
    def enabled(self) -> bool:
        return self._version is not None

    def size(self) -> int:
        return len(self._pages)

    def version(self) -> int | None:
        """The counter now: read it before reading what the page shows (see `put`)."""
        return self._version() if self._version is not None else None

    def get(self, key: Key | None) -> bytes | None:
        """The body stored under `key` if the database has not changed since, else None."""
        if self._version is None or key is None:
            return None
        entry = self._pages.get(key)
        if entry is None:
            return None
        if entry[0] != self._version():
            del self._pages[key]
            return None
        return entry[1]

    def put(self, key: Key | None, version: int | None, body: bytes) -> None:
        """Keep `body`, rendered from data read after the counter was `version`.

        A commit between reading the counter and reading the data only makes the copy look
        stale one request early, never fresh for longer than it is.
        """
        if version is None or key is None:
            return
        self._pages.pop(key, None)  # a page stored again moves to the newest end
        if len(self._pages) >= self._limit:
            del self._pages[next(iter(self._pages))]
        self._pages[key] = (version, body)

    def forget(self, match: Callable[[Key], bool]) -> None:
        """Drop every copy whose key matches (e.g. an ended session's)."""
        for key in [k for k in self._pages if match(k)]:
            del self._pages[key]

    def close(self) -> None:
        self._pages.clear()
        if self._version is not None:
            self._version.close()
