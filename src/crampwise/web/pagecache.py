"""Rendered pages kept per session while the database is unchanged.

The Tonight page is opened far more often than the diary changes: every time the app comes
to the front at night. Its HTML depends only on the signed-in session (the user and the
CSRF token in its forms), the night, the query's flash message and the database. So a
rendered copy is kept under (session, night, flash) with the database's change counter
(`crampwise.store.engine.change_counter`) read *before* the page's data was read; a copy is
served only while the counter is unchanged. Any commit by anyone (this server, the CLI, an
import, another user's cramp, a session's `last_seen`) makes every copy stale: coarse, but
never wrong, and nothing has to remember to invalidate it.

On PostgreSQL a copy is tagged with its user's counter from the database's change
notifications (`crampwise.store.notify.PgChanges.user`): it moves when that person's data
generation does (`data_generations`, bumped by database triggers in the same transaction
as any write to their diary, care-team notes or users row: migration 0005) and with any
change to sessions, accounts, settings or sharing, on any process on any machine, at no
round trip. The session itself is checked before the page is looked up
(`crampwise.web.security.sessions`), so a signed-out session's copies are never served, on
this process or another.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from contextvars import ContextVar

# (session token hash, user id, then whatever else the page depends on)
Key = tuple[Hashable, ...]
DEFAULT_LIMIT = 512  # pages (~6 KB each); the oldest copy goes first

# The key a request last asked `get` for: `version()` called without a key in the same
# request (the Tonight page's get → version → put) reads that user's generation.
_asked: ContextVar[Key | None] = ContextVar("crampwise_page_key", default=None)


class PageCache:
    """Rendered bodies by key, each valid for one value of the database's change counter
    (`version`, SQLite) or of its user's counter (`generations`, by user id: on PostgreSQL
    `store.notify.PgChanges.user`)."""

    def __init__(
        self,
        version: Callable[[], int] | None,
        limit: int = DEFAULT_LIMIT,
        *,
        generations: Callable[[int], int] | None = None,
    ):
        self._version = version
        self._generations = None if version is not None else generations
        self._limit = limit
        self._pages: dict[Key, tuple[int, bytes]] = {}

    @property
    def enabled(self) -> bool:
        return self._version is not None or self._generations is not None

    def size(self) -> int:
        return len(self._pages)

    def version(self, key: Key | None = None) -> int | None:
        """The counter now (or the generation of `key`'s user; default: the key this request
        last asked `get` for): read it before reading what the page shows (see `put`)."""
        if self._version is not None:
            return self._version()
        key = key if key is not None else _asked.get()
        return self._current(key)

    def _current(self, key: Key | None) -> int | None:
        if self._version is not None:
            return self._version()
        if self._generations is None or key is None or len(key) < 2:
            return None
        user_id = key[1]
        return self._generations(user_id) if isinstance(user_id, int) else None

    def get(self, key: Key | None) -> bytes | None:
        """The body stored under `key` if the database has not changed since, else None."""
        if not self.enabled or key is None:
            return None
        _asked.set(key)
        entry = self._pages.get(key)
        if entry is None:
            return None
        if entry[0] != self._current(key):
            self._pages.pop(key, None)  # another thread may have dropped it meanwhile
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
            self._pages.pop(next(iter(self._pages)), None)
        self._pages[key] = (version, body)

    def forget(self, match: Callable[[Key], bool]) -> None:
        """Drop every copy whose key matches (e.g. an ended session's)."""
        # list() first: a session ended on a worker thread (PostgreSQL) may call this while
        # the event loop stores a page.
        for key in [k for k in list(self._pages) if match(k)]:
            self._pages.pop(key, None)

    def close(self) -> None:
        self._pages.clear()
