"""`PageCache`: copies valid for one value of the database's change counter, bounded."""

from __future__ import annotations

from datetime import datetime

from crampwise.diary.model import Episode
from crampwise.store import open_store
from crampwise.store.engine import change_counter
from crampwise.web.pagecache import PageCache


def test_copies_live_until_a_commit_and_the_oldest_go_first(sqlite_url: str) -> None:
    store = open_store(sqlite_url)
    pages = PageCache(change_counter(store.engine), limit=3)
    try:
        assert pages.enabled
        for n in range(3):
            pages.put(("s", n), pages.version(), f"page {n}".encode())
        assert [pages.get(("s", n)) for n in range(3)] == [b"page 0", b"page 1", b"page 2"]
        pages.put(("s", 0), pages.version(), b"page 0 again")  # stored again: newest now
        pages.put(("s", 3), pages.version(), b"page 3")  # full: the oldest (1) goes
        assert pages.get(("s", 1)) is None
        assert [pages.get(("s", n)) for n in (0, 2, 3)] == [b"page 0 again", b"page 2", b"page 3"]
        before = pages.version()
        store.diary("me").add_episode(Episode(started_at=datetime(2026, 3, 1, 23, 0)))
        pages.put(("s", 4), before, b"read before the commit")
        assert pages.get(("s", 4)) is None  # tagged with the older counter: stale at once
        assert [pages.get(("s", n)) for n in (0, 2, 3)] == [None, None, None]
        assert pages.size() == 0
        pages.put(("t", 1), pages.version(), b"kept")
        pages.forget(lambda key: key[0] == "s")
        assert pages.get(("t", 1)) == b"kept"
        pages.forget(lambda key: key[0] == "t")
        assert pages.get(("t", 1)) is None
    finally:
        pages.close()
        store.close()


def test_without_a_counter_nothing_is_kept() -> None:
    pages = PageCache(None)
    pages.put(("s", 1), pages.version(), b"page")
    assert (pages.enabled, pages.get(("s", 1)), pages.size()) == (False, None, 0)
