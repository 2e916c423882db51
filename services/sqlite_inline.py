"""SQLite on the event loop's own thread, behind the interface of aiosqlite.

aiosqlite runs every call (make a cursor, execute, fetch, close, commit) on a
worker thread and hands each result back through the event loop: four thread
hops for one statement. Sandan's statements are short indexed lookups and
single-row writes that take microseconds, so the hops cost far more than the
work; on a busy machine each hop also waits for the OS to schedule a thread.
This module gives SQLAlchemy's aiosqlite dialect a connection that runs the
sqlite3 calls directly, so a statement costs no hop at all.

One thing must never block the loop: waiting for a lock that another
connection (in this process or another) holds. So the connection's busy
timeout is zero, and a statement that finds the database busy is retried after
an `asyncio.sleep`, with backoff, for up to `busy_timeout` seconds in all.
Other coroutines run meanwhile, including the one holding the lock.
"""

import asyncio
import sqlite3
from collections.abc import Callable
from typing import Any

SQLITE_BUSY = 5


def _busy(exc: sqlite3.OperationalError) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        # BUSY, BUSY_RECOVERY and BUSY_TIMEOUT clear by waiting; BUSY_SNAPSHOT (517) does not, and
        # LOCKED is a conflict inside this very connection, which waiting cannot resolve.
        return code & 0xFF == SQLITE_BUSY and code != 517
    return "database is locked" in str(exc)


class _Lock:
    """Retries a call while the database is busy, sleeping between tries."""

    def __init__(self, busy_timeout: float) -> None:
        self.busy_timeout = busy_timeout

    async def run(self, call: Callable[[], Any]) -> Any:
        try:
            return call()
        except sqlite3.OperationalError as exc:
            if not _busy(exc) or self.busy_timeout <= 0:
                raise
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.busy_timeout
        delay = 0.001
        while True:
            await asyncio.sleep(delay)
            try:
                return call()
            except sqlite3.OperationalError as exc:
                if not _busy(exc) or loop.time() >= deadline:
                    raise
            delay = min(delay * 2, 0.025)


class InlineCursor:
    """An aiosqlite-like cursor whose coroutines finish without suspending."""

    __slots__ = ("_cursor", "_lock")

    def __init__(self, conn: sqlite3.Connection, lock: _Lock) -> None:
        self._cursor = conn.cursor()
        self._lock = lock

    # aiosqlite's `connection.cursor()` is awaited (SQLAlchemy 2.0) or entered (2.1).
    def __await__(self):
        return self
        yield  # pragma: no cover  (makes this a generator)

    async def __aenter__(self) -> "InlineCursor":
        return self

    async def __aexit__(self, *exc) -> None:
        self._cursor.close()

    @property
    def description(self):
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self):
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value

    async def execute(self, sql: str, parameters=()) -> "InlineCursor":
        # A statement that failed with SQLITE_BUSY had no effect, so running it again is safe.
        await self._lock.run(lambda: self._cursor.execute(sql, parameters))
        return self

    async def executemany(self, sql: str, seq_of_parameters) -> "InlineCursor":
        rows = list(seq_of_parameters)  # a retry must see the same rows again
        await self._lock.run(lambda: self._cursor.executemany(sql, rows))
        return self

    async def fetchone(self):
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None):
        return self._cursor.fetchmany(size) if size is not None else self._cursor.fetchmany()

    async def fetchall(self):
        return self._cursor.fetchall()

    async def close(self) -> None:
        self._cursor.close()

    async def __aiter__(self):
        while (row := self._cursor.fetchone()) is not None:
            yield row


class _Immediate:
    """Stands in for aiosqlite's request queue: runs the request at once."""

    def put_nowait(self, item) -> None:
        future, function = item
        try:
            result = function()
        except BaseException as exc:  # handed to the awaiting caller, as aiosqlite does
            if future is not None:
                future.set_exception(exc)
        else:
            if future is not None:
                future.set_result(result)


class InlineConnection:
    """The parts of `aiosqlite.Connection` that SQLAlchemy's aiosqlite dialect uses."""

    def __init__(self, conn: sqlite3.Connection, busy_timeout: float) -> None:
        self._conn = conn
        self._connection = conn  # SQLAlchemy checks this before commit and rollback
        self._tx = _Immediate()
        self._lock = _Lock(busy_timeout)

    def cursor(self) -> InlineCursor:
        return InlineCursor(self._conn, self._lock)

    async def execute(self, sql: str, parameters=()) -> InlineCursor:
        cursor = self.cursor()
        return await cursor.execute(sql, parameters)

    async def commit(self) -> None:
        await self._lock.run(self._conn.commit)

    async def rollback(self) -> None:
        self._conn.rollback()

    async def close(self) -> None:
        self.stop()

    def stop(self) -> None:
        if self._connection is not None:
            self._connection = None
            self._conn.close()

    async def create_function(self, *args, **kwargs) -> None:
        self._conn.create_function(*args, **kwargs)

    @property
    def isolation_level(self):
        return self._conn.isolation_level

    @isolation_level.setter
    def isolation_level(self, value) -> None:
        self._conn.isolation_level = value

    @property
    def in_transaction(self) -> bool:
        return self._conn.in_transaction


def inline_creator(url, busy_timeout: float) -> Callable[[], Any]:
    """An `async_creator` for create_async_engine that opens `url` as an InlineConnection."""
    from sqlalchemy.dialects.sqlite.aiosqlite import SQLiteDialect_aiosqlite
    from sqlalchemy.engine import make_url

    args, kwargs = SQLiteDialect_aiosqlite().create_connect_args(make_url(url))
    kwargs.update(check_same_thread=False, isolation_level=None, timeout=0)

    async def connect() -> InlineConnection:
        return InlineConnection(sqlite3.connect(*args, **kwargs), busy_timeout)

    return connect
