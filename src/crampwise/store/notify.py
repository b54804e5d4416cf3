"""PostgreSQL's answer to SQLite's change counter: LISTEN/NOTIFY, read without a round trip.

A web process keeps sessions, the open-sign-up switch, the owner, the device-cookie key and
rendered pages in memory only while nothing they depend on has changed. On an SQLite file
`PRAGMA data_version` says so for a few microseconds (`store.engine.change_counter`). On
PostgreSQL the database tells every process instead: triggers (migration 0010) send a
notification on channel `CHANNEL` in the same transaction as the change, so PostgreSQL
delivers it only if and when that transaction commits:

* payload `a` ("access"): any write to what decides who may do what or what every page
  shows besides a person's diary: sessions, users, invitations, tokens, site settings,
  practitioners, shares, care invitations and requests;
* payload `<user id>`: that person's data generation moved (any write to their diary,
  care notes or users row: the 0005 triggers).

Each process keeps one connection that only listens (`PgChanges`). Reading a counter drains
whatever notifications have arrived on its socket (libpq's non-blocking `PQconsumeInput`:
one `recv`, no round trip) and returns a number that moves with them. PostgreSQL signals
the listening sessions when the changing transaction commits, before that commit is
acknowledged, so by the time a browser has the answer to a sign-out and sends its next
request to another process, the notification is normally on that process's socket: a
window of the time PostgreSQL takes to wake a listening backend (microseconds on one
machine), never a timeout.

A process that commits such a change itself goes on only once its own listener has heard
that very notification (`PgChanges.watch`: after a transaction that wrote to an access
table, the connection waits on its return to the pool for a notification from its own
database session, told apart by the sender's process id), so its next request never reads
its own change as unmade. PostgreSQL wakes every listening session at that commit at once,
so the other processes have normally been told by then as well.

Anything the listener cannot vouch for counts as a change: while its connection is down
(a database restart) every read returns a new number, so nothing kept is served; once it
is back, everything kept before is stale, since notifications sent meanwhile are lost. A
connection that dies without a word (a network path that drops it) is found by TCP
keepalives within about half a minute, or at once by this process's next access change,
whose notification then never comes.
"""

from __future__ import annotations

import contextlib
import select
import threading
import time
from typing import Any

import sqlalchemy as sa

CHANNEL = "crampwise_changes"
ACCESS = "a"  # payload: sessions, accounts, settings, sharing changed
# Longest a committing connection waits for its own notification; past it the listener is
# taken for lost (it is never this long while it lives).
SETTLE_TIMEOUT_S = 0.5
# Execution option of a write to an access table that the triggers leave quiet (a
# session's `last_seen` alone): nothing to wait for.
QUIET = "crampwise_quiet"
_WROTE = "crampwise_access_write"  # connection info: an access table was written
_BEFORE = "crampwise_access_before"  # (sender's process id, `_seq`) just before COMMIT
# A listener's TCP keepalives: a connection dropped without a word is found in ~30 s.
KEEPALIVES = {
    "keepalives": 1,
    "keepalives_idle": 10,
    "keepalives_interval": 5,
    "keepalives_count": 3,
    "tcp_user_timeout": 30_000,
}
# How often a lost listener tries to connect again (each try can wait for a timeout).
RECONNECT_EVERY_S = 1.0
_HEARD_LIMIT = 4096  # database process ids remembered (a pool's connections live long)
CONNECT_TIMEOUT_S = 2


class PgChanges:
    """Counters that move whenever another session commits a change that matters.

    `access()` moves with sessions, accounts, settings and sharing; `user(id)` also when
    that person's data changes. Both only ever grow; compare for equality.
    """

    def __init__(self, connect: Any):
        self._connect_fn = connect
        self._lock = threading.Lock()
        self._conn: Any = None
        self._poll = select.poll()
        self._next_try = 0.0  # when a lost listener may try again
        self._seq = 0  # one more for every change seen
        self._access = 0  # `_seq` at the last access change
        self._users: dict[int, int] = {}  # user id -> `_seq` at their last data change
        # database process id -> `_seq` at its last access notification (`wait_heard`)
        self._heard: dict[int, int] = {}
        self._hooks: list[tuple[Any, str, Any]] = []  # engine events of `watch`
        self._connecting = False  # a thread is trying to listen again
        self._closed = False
        first = self._listen()  # at start-up: waiting here delays no request
        if first is not None:
            self._use(first)
        else:
            self._next_try = time.monotonic() + RECONNECT_EVERY_S

    def access(self) -> int:
        with self._lock:
            self._drain()
            return self._access

    def user(self, user_id: int) -> int:
        """Moves with the access counter and with any change to `user_id`'s data."""
        with self._lock:
            self._drain()
            return max(self._access, self._users.get(user_id, 0))

    def close(self) -> None:
        for target, name, fn in self._hooks:
            sa.event.remove(target, name, fn)
        self._hooks = []
        with self._lock:
            self._closed = True
            self._drop()

    def wait_past(self, before: int, timeout: float = SETTLE_TIMEOUT_S) -> bool:
        """Wait until the access count is past `before`: True, or False after `timeout`."""
        return self._wait(lambda: self._access != before, timeout)

    def wait_heard(self, pid: int, seq: int, timeout: float = SETTLE_TIMEOUT_S) -> bool:
        """Wait until an access notification sent by database process `pid` has arrived
        after `seq` (what `_seq` was when it committed): True, or False after `timeout`."""
        return self._wait(lambda: self._heard.get(pid, -1) > seq, timeout)

    def _wait(self, done: Any, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                self._drain()
                if done() or self._conn is None:  # away: reads move by themselves
                    return True
                socket = self._conn.pgconn.socket
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            waiter = select.poll()
            try:
                waiter.register(socket, select.POLLIN)
            except (OSError, ValueError):  # closed meanwhile: the next read reconnects
                continue
            # Short slices: another thread may drain what this one waits for.
            waiter.poll(min(left, 0.002) * 1000)

    def watch(self, engine: sa.Engine, tables: frozenset[str]) -> None:
        """Make `engine`'s transactions that write to one of `tables` (those that notify
        ACCESS) wait, once committed, until this listener has heard their own notification
        (see the module docstring); a wait past `SETTLE_TIMEOUT_S` means the listener is
        lost."""

        def wrote(conn: Any, _cur: Any, _sql: str, _par: Any, context: Any, _many: Any) -> None:
            if context is None or not (context.isinsert or context.isupdate or context.isdelete):
                return  # a read, or raw SQL (none of ours writes an access table so)
            if context.execution_options.get(QUIET):
                return
            table = getattr(getattr(context.compiled, "statement", None), "table", None)
            if getattr(table, "name", None) in tables:
                conn.info[_WROTE] = True

        def committing(conn: Any) -> None:
            if conn.info.pop(_WROTE, False):
                pid = conn.connection.dbapi_connection.info.backend_pid
                with self._lock:
                    self._drain()
                    conn.info[_BEFORE] = (pid, self._seq)

        def returned(_dbapi_connection: Any, record: Any) -> None:
            # Back in the pool: its transaction has ended (Core has no after-commit event;
            # `Connection.info` is this record's).
            sent = record.info.pop(_BEFORE, None)
            if sent is not None and not self.wait_heard(*sent):
                with self._lock:
                    self._lost()  # heard nothing: the listener is not listening

        def forget(conn: Any) -> None:
            conn.info.pop(_WROTE, None)
            conn.info.pop(_BEFORE, None)  # rolled back or failed: nothing will be sent

        def failed(context: Any) -> None:
            if context.connection is not None:
                forget(context.connection)

        self._hooks = [
            (engine, "after_cursor_execute", wrote),
            (engine, "commit", committing),
            (engine, "rollback", forget),
            (engine, "handle_error", failed),
            (engine.pool, "checkin", returned),
        ]
        for target, name, fn in self._hooks:
            sa.event.listen(target, name, fn)

    @property
    def listening(self) -> bool:
        return self._conn is not None

    def _everything_changed(self) -> None:
        self._seq += 1
        self._access = self._seq

    def _listen(self) -> Any:
        """A new connection listening on CHANNEL, or None (it can wait for a timeout: never
        called with the lock held, nor on a request's path once started)."""
        try:
            conn = self._connect_fn()
            conn.execute(f"LISTEN {CHANNEL}")
        except Exception:
            return None
        return conn

    def _use(self, conn: Any) -> None:
        self._conn = conn
        self._poll = select.poll()
        self._poll.register(conn.pgconn.socket, select.POLLIN)

    def _listen_again_soon(self) -> None:
        """Start a thread that listens again (a request never waits for a connection)."""
        if self._connecting or self._closed or time.monotonic() < self._next_try:
            return
        self._connecting = True
        threading.Thread(target=self._listen_again, name="crampwise-listen", daemon=True).start()

    def _listen_again(self) -> None:
        conn = self._listen()
        with self._lock:
            self._connecting = False
            self._next_try = time.monotonic() + RECONNECT_EVERY_S
            if conn is None:
                return
            if self._closed or self._conn is not None:
                with contextlib.suppress(Exception):
                    conn.close()
                return
            self._use(conn)
            # Whatever was sent while nobody listened is lost: nothing kept before holds.
            self._everything_changed()

    def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):  # already broken: nothing to close
                conn.close()

    def _drain(self) -> None:
        if self._conn is None:
            # Nothing can be vouched for: every read is a change until listening again.
            self._everything_changed()
            self._listen_again_soon()
            return
        pgconn = self._conn.pgconn
        try:
            # libpq reads once per call: a server's goodbye and the end of the connection
            # behind it, or more notifications than its buffer holds, need more calls.
            while True:
                pgconn.consume_input()
                while (note := pgconn.notifies()) is not None:
                    self._note(note.extra.decode(), note.be_pid)
                if not self._poll.poll(0):
                    break
        except Exception:
            self._lost()
            return
        if pgconn.status != 0:  # CONNECTION_OK is 0; anything else: lost
            self._lost()

    def _lost(self) -> None:
        self._drop()
        self._everything_changed()
        self._next_try = 0.0  # try again at once; then once a second while it fails
        self._listen_again_soon()

    def _note(self, payload: str, pid: int) -> None:
        self._seq += 1
        if payload == ACCESS:
            self._access = self._seq
            if len(self._heard) >= _HEARD_LIMIT:
                self._heard.clear()  # a waiter then times out: taken for lost, safe
            self._heard[pid] = self._seq
        elif payload.isdigit():
            self._users[int(payload)] = self._seq
        else:  # not ours to read: assume the worst
            self._access = self._seq


def pg_changes(engine: sa.Engine) -> PgChanges | None:
    """A `PgChanges` listening on `engine`'s PostgreSQL database; None for SQLite."""
    if engine.url.get_backend_name() != "postgresql":
        return None
    import psycopg

    args, kwargs = engine.dialect.create_connect_args(engine.url)
    kwargs.pop("context", None)
    kwargs.setdefault("connect_timeout", CONNECT_TIMEOUT_S)
    for key, value in KEEPALIVES.items():
        kwargs.setdefault(key, value)

    def connect() -> Any:
        return psycopg.connect(*args, autocommit=True, **kwargs)

    tables = access_tables(engine)
    if not tables:
        # No notifying triggers visible (an older schema, or a role that cannot see them):
        # nothing would move the counters, so keep nothing; every request reads the rows.
        return None
    changes = PgChanges(connect)
    changes.watch(engine, tables)
    return changes


def access_tables(engine: sa.Engine) -> frozenset[str]:
    """The tables whose writes notify ACCESS, as the database has them (migration 0010 and
    any later one), so this list is never kept in two places."""
    query = sa.text(
        "SELECT DISTINCT event_object_table FROM information_schema.triggers "
        "WHERE action_statement LIKE '%crampwise_notify_access%'"
    )
    with engine.connect() as conn:
        return frozenset(conn.execute(query).scalars())
