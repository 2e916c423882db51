"""Engine and transactions that behave alike on SQLite and PostgreSQL."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from services.sqlite_inline import inline_creator

_IMMEDIATE = "sandan_immediate"
BUSY_TIMEOUT = 30.0  # seconds a statement waits for another writer's lock
CACHE_KIB = 32 * 1024
WAL_CHECKPOINT_PAGES = 10_000


def sqlite_pragmas(*, busy_timeout: float) -> list[str]:
    """How every SQLite connection is set up."""
    return [
        "PRAGMA journal_mode=WAL",
        f"PRAGMA busy_timeout={int(busy_timeout * 1000)}",
        "PRAGMA synchronous=NORMAL",
        # 32 MiB of page cache instead of SQLite's 2 MiB: a district database is hundreds of MiB,
        # and a write that touches the wish indexes re-reads evicted pages otherwise.
        f"PRAGMA cache_size=-{CACHE_KIB}",
        # Checkpoint every ~40 MB of WAL instead of SQLite's ~4 MB: each write transaction
        # rewrites the same hot pages (index leaves, the newest rows), and a checkpoint copies
        # each page once however often it was written, and syncs the files once.
        f"PRAGMA wal_autocheckpoint={WAL_CHECKPOINT_PAGES}",
        "PRAGMA foreign_keys=ON",
    ]


def _tune_sqlite(engine: AsyncEngine, *, inline: bool) -> None:
    """WAL, a busy timeout, and IMMEDIATE write transactions.

    pysqlite's own BEGIN is deferred: two writers both read, then one fails
    with "database is locked" on upgrade. Taking the write lock at BEGIN makes
    the second writer wait its turn instead. Inline connections wait for a
    lock with asyncio.sleep instead of SQLite's own busy timeout, so that the
    waiting never blocks the event loop (see services.sqlite_inline).
    """

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi_conn.cursor()
        for pragma in sqlite_pragmas(busy_timeout=0 if inline else BUSY_TIMEOUT):
            cur.execute(pragma)
        cur.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn):
        immediate = conn.get_execution_options().get(_IMMEDIATE, False)
        # On the DBAPI cursor: through SQLAlchemy's execution machinery a BEGIN costs several
        # times what SQLite takes, and there is no result to wrap. Six per core cycle.
        cursor = conn.connection.dbapi_connection.cursor()
        try:
            cursor.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")
        finally:
            cursor.close()


class Database:
    """Owns the engine; hands out read and write transactions.

    SQLite runs on the event loop's thread (services.sqlite_inline), which
    makes a short statement several times cheaper than aiosqlite's worker
    thread; `sqlite_thread=True` goes back to that thread, e.g. for long
    report queries that should not hold up the loop.
    """

    def __init__(self, url: str, *, echo: bool = False, sqlite_thread: bool = False) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        # Errors and echoed SQL carry bound parameters (names, phone numbers) into the logs otherwise.
        kwargs = {"echo": echo, "hide_parameters": True}
        inline = self.is_sqlite and not sqlite_thread
        if not self.is_sqlite:
            kwargs.update(pool_size=10, max_overflow=20)
        elif inline:
            kwargs["async_creator"] = inline_creator(url, BUSY_TIMEOUT)
        self.engine = create_async_engine(url, **kwargs)
        if self.is_sqlite:
            _tune_sqlite(self.engine, inline=inline)
        writer = self.engine.execution_options(**{_IMMEDIATE: True})
        self._write = async_sessionmaker(writer, expire_on_commit=False)
        self._read = async_sessionmaker(self.engine, expire_on_commit=False)

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncSession]:
        """A transaction that may change data; commits on success."""
        async with self._write() as session:  # it begins at its first statement
            yield session
            await session.commit()  # after an exception, closing the session rolls back

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        """A transaction that only reads."""
        async with self._read() as session:
            yield session
            await session.commit()

    async def dispose(self) -> None:
        await self.engine.dispose()
