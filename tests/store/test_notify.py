"""PostgreSQL's change notifications (`crampwise.store.notify`): which writes move which
counter, that a rolled-back write moves none, and that a lost listener never vouches for
anything until it listens again."""

from __future__ import annotations

import contextlib
import importlib.util
import socket
import threading
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa

from crampwise.diary.model import DayLog, Episode
from crampwise.store import Store, open_store
from crampwise.store.auth import AuthStore, hash_token, site_settings
from crampwise.store.engine import MIGRATIONS_DIR
from crampwise.store.notify import CHANNEL, PgChanges, access_tables, pg_changes
from crampwise.store.tables import users

pytestmark = pytest.mark.postgres


def _migration(name: str) -> object:
    path = MIGRATIONS_DIR / "versions" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def store(postgres_url: str) -> Iterator[Store]:
    opened = open_store(postgres_url)
    yield opened
    opened.close()


@pytest.fixture
def changes(store: Store) -> Iterator[PgChanges]:
    found = pg_changes(store.engine)
    assert found is not None and found.listening
    yield found
    found.close()


def _sentinel(store: Store, changes: PgChanges) -> None:
    """Wait until every notification committed so far has reached `changes`.

    Delivery to the listener's socket is asynchronous, in commit order: so send one more,
    for user id 0 (no one's), and read until it is in."""
    before = changes.user(0)
    with store.engine.begin() as conn:
        conn.exec_driver_sql(f"SELECT pg_notify('{CHANNEL}', '0')")
    deadline = time.monotonic() + 10
    while changes.user(0) == before:
        assert time.monotonic() < deadline, "the notification never arrived"
        time.sleep(0.001)


def test_access_changes_move_every_counter_and_diary_writes_only_their_users(
    store: Store, changes: PgChanges
) -> None:
    olive, dan = store.diary("olive"), store.diary("dan")
    olive.put_day(DayLog(date(2026, 3, 1), {"fluids_l": 1.0}), source="manual")
    dan.put_day(DayLog(date(2026, 3, 1), {"fluids_l": 1.0}), source="manual")
    olive_id, dan_id = olive.user_id(), dan.user_id()
    assert olive_id is not None and dan_id is not None
    access, mine, theirs = changes.access(), changes.user(olive_id), changes.user(dan_id)
    # The same reads again: nothing has changed, nothing moves.
    assert (changes.access(), changes.user(olive_id), changes.user(dan_id)) == (
        access,
        mine,
        theirs,
    )

    olive.add_episode(Episode(started_at=datetime(2026, 3, 1, 23)), now=datetime(2026, 3, 2))
    assert changes.user(olive_id) != mine or _wait_moved(store, changes, olive_id, mine)
    assert changes.access() == access  # a cramp is no access change
    assert changes.user(dan_id) == theirs  # nor a change to anyone else's data
    mine = changes.user(olive_id)

    AuthStore(store.engine).set_site_setting("open_signup", "true")
    assert _access_moved(store, changes, access)
    assert changes.user(dan_id) != theirs  # an access change makes every kept page stale


def _wait_moved(store: Store, changes: PgChanges, user_id: int, before: int) -> bool:
    _sentinel(store, changes)
    return changes.user(user_id) != before


def _access_moved(store: Store, changes: PgChanges, before: int) -> bool:
    if changes.access() != before:
        return True
    _sentinel(store, changes)
    return changes.access() != before


def test_a_rolled_back_write_moves_nothing(store: Store, changes: PgChanges) -> None:
    store.diary("olive").put_day(DayLog(date(2026, 3, 1), {"fluids_l": 1.0}), source="manual")
    before = changes.access()
    with store.engine.connect() as conn, conn.begin() as tx:
        conn.execute(users.update().values(role="owner"))
        tx.rollback()
    _sentinel(store, changes)
    assert changes.access() == before


@pytest.mark.parametrize(
    "change",
    ["sign-in", "role", "setting"],
)
def test_each_kind_of_access_change_is_notified(
    store: Store, changes: PgChanges, change: str
) -> None:
    auth = AuthStore(store.engine)
    store.diary("olive").put_day(DayLog(date(2026, 3, 1), {"fluids_l": 1.0}), source="manual")
    user_id = store.diary("olive").user_id()
    assert user_id is not None
    before = changes.access()
    if change == "sign-in":
        raw, _ = auth.create_session(user_id, timedelta(hours=1))
        assert _access_moved(store, changes, before)
        before = changes.access()
        auth.touch_session(hash_token(raw), datetime(2026, 3, 3, 9, 0))
        _sentinel(store, changes)
        assert changes.access() == before  # a session's clock notifies nothing
        return
    elif change == "role":
        with store.engine.begin() as conn:
            conn.execute(users.update().where(users.c.id == user_id).values(role="owner"))
    else:
        auth.set_site_setting("open_signup", "false")
    assert _access_moved(store, changes, before)


def test_a_lost_listener_vouches_for_nothing_until_it_listens_again(
    store: Store, changes: PgChanges
) -> None:
    assert changes._conn is not None
    before = changes.access()
    pid = changes._conn.info.backend_pid
    connect = changes._connect_fn

    def database_down() -> None:
        raise OSError("connection refused")

    changes._connect_fn = database_down  # the server is away: listening again fails
    with store.engine.begin() as conn:
        # With a timeout, PostgreSQL waits until the listener's backend has gone.
        conn.execute(sa.text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": pid})
    readings = [changes.access() for _ in range(3)]
    assert not changes.listening
    assert len(set(readings)) == 3 and min(readings) > before  # nothing kept holds
    changes._connect_fn = connect
    changes._next_try = 0.0  # the next read starts a new try (else once a second)
    deadline = time.monotonic() + 10
    while not changes.listening:  # a thread listens again; requests never wait for it
        assert time.monotonic() < deadline, "never listened again"
        readings.append(changes.access())
        time.sleep(0.005)
    again = changes.access()
    assert again > readings[2] and again >= max(readings)  # kept while away: stale
    assert changes.access() == again  # listening: numbers hold still while nothing changes


def test_every_table_is_either_notified_or_read_by_no_cache(store: Store) -> None:
    """A table added later must be classified here: what a process keeps must hear of it."""
    access = set(_migration("0010_change_notifications").ACCESS_TABLES)  # type: ignore[attr-defined]
    diary = set(_migration("0005_shared_web_state").DIARY_TABLES)  # type: ignore[attr-defined]
    unread = {"alembic_version", "data_generations", "signin_failures", "audit_log"}
    unread.add("change_counts")  # SQLite's access count: never written on PostgreSQL
    tables = set(sa.inspect(store.engine).get_table_names())
    assert tables == access | diary | unread
    with store.engine.connect() as conn:
        triggers = set(
            conn.execute(
                sa.text(
                    "SELECT event_object_table FROM information_schema.triggers "
                    "WHERE right(trigger_name, 7) = '_notify'"
                )
            ).scalars()
        )
    assert triggers == access | {"data_generations"}
    assert access_tables(store.engine) == access  # what a process watches for its own writes


def test_a_process_that_changes_access_has_heard_of_it_when_the_write_returns(
    store: Store, changes: PgChanges
) -> None:
    """The writing side waits for its own notification (`PgChanges.watch`): with no wait,
    most of these reads would come before the notification does."""
    auth = AuthStore(store.engine)
    for n in range(20):
        before = changes.access()
        auth.set_site_setting("open_signup", "true" if n % 2 else "false")
        assert changes.access() != before, n


def test_a_write_returns_with_its_own_notification_in_while_others_land(store: Store) -> None:
    """Another process's access change lands while this one's commit is under way; the
    write still returns only once its own notification is in (the wait looks for the
    sender's process id, not for any change), so none of ours arrives after it."""
    with store.engine.begin() as conn:  # committing a new setting takes 0.2 s
        conn.exec_driver_sql(
            "CREATE FUNCTION slow() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN PERFORM pg_sleep(0.2); RETURN NULL; END $$"
        )
        conn.exec_driver_sql(
            "CREATE CONSTRAINT TRIGGER slow AFTER INSERT ON site_settings "
            "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION slow()"
        )
    olive = store.diary("olive")
    olive.put_day(DayLog(date(2026, 3, 1), {"fluids_l": 1.0}), source="manual")
    user_id = olive.user_id()
    assert user_id is not None
    other = AuthStore(open_store(store.engine.url.render_as_string(hide_password=False)).engine)
    other.site_setting("warm")  # connected before the race
    changes = pg_changes(store.engine)
    assert changes is not None
    try:
        for n in range(3):
            # Another process signs someone in while this one's commit is under way.
            sign_in = threading.Timer(
                0.05, lambda: other.create_session(user_id, timedelta(hours=1))
            )
            sign_in.start()
            with store.engine.begin() as conn:
                conn.execute(site_settings.insert().values(key=f"race:{n}", value="x"))
            settled = changes.access()  # returned: its own notification is in
            sign_in.join()
            _sentinel(store, changes)
            assert changes.access() == settled, n  # nothing of ours came in late
    finally:
        changes.close()
        other.engine.dispose()


class _Proxy:
    """A TCP forwarder that can turn into a black hole (drops bytes, keeps the sockets)."""

    def __init__(self, port: int):
        self.target, self.black = port, False
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.sockets: list[socket.socket] = [self.server]
        self.lock, self.closed = threading.Lock(), False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        with contextlib.suppress(OSError):  # closed
            while True:
                client, _ = self.server.accept()
                upstream = socket.create_connection(("127.0.0.1", self.target))
                with self.lock:
                    self.sockets += [client, upstream]
                    if self.closed:  # accepted as it closed
                        self._close_all()
                        return
                for a, b in ((client, upstream), (upstream, client)):
                    threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    def _pipe(self, a: socket.socket, b: socket.socket) -> None:
        with contextlib.suppress(OSError):  # closed
            while data := a.recv(65536):
                if not self.black:
                    b.sendall(data)

    def close(self) -> None:
        with self.lock:
            self.closed = True
            self._close_all()

    def _close_all(self) -> None:
        for sock in self.sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()


def test_a_listener_that_went_silent_is_found_by_its_own_next_change(store: Store) -> None:
    """A network path that drops the listener without a word: this process's next access
    change never hears its notification, so the listener is taken for lost and nothing
    kept is trusted (keepalives find it too, but in about half a minute)."""
    import psycopg

    url = store.engine.url
    proxy = _Proxy(int(url.port or 5432))

    def connect() -> object:
        return psycopg.connect(
            host="127.0.0.1",
            port=proxy.port,
            user=url.username,
            dbname=url.database,
            autocommit=True,
            connect_timeout=1,
        )

    changes = PgChanges(connect)
    changes.watch(store.engine, access_tables(store.engine))
    try:
        assert changes.listening
        before = changes.access()
        proxy.black = True
        AuthStore(store.engine).set_site_setting("open_signup", "true")  # waits, then gives up
        assert not changes.listening
        readings = {changes.access() for _ in range(3)}
        assert len(readings) == 3 and min(readings) > before
    finally:
        changes.close()  # first: no more tries to listen through the proxy
        proxy.close()
