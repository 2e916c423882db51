"""Engine and transactions that behave alike on SQLite and PostgreSQL.

The core is synchronous: sessions are plain SQLAlchemy sessions, used from
worker threads (services.pool), never from the event loop.
"""

import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

_IMMEDIATE = "sandan_immediate"
BUSY_TIMEOUT = 30.0  # seconds a statement waits for another writer's lock
CACHE_KIB = 32 * 1024
WAL_CHECKPOINT_PAGES = 10_000
# The drivers the synchronous core runs on; older settings may still name the async ones.
_SYNC_DRIVERS = {"sqlite": "sqlite", "postgresql": "postgresql+psycopg"}


def sync_url(url: str) -> str:
    """The URL with the synchronous driver: sqlite3 for SQLite, psycopg 3 for PostgreSQL."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend not in _SYNC_DRIVERS:
        raise ValueError(f"unsupported database: {backend}")
    return parsed.set(drivername=_SYNC_DRIVERS[backend]).render_as_string(hide_password=False)


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


def _tune_sqlite(engine: Engine) -> None:
    """WAL, a busy timeout, and IMMEDIATE write transactions.

    pysqlite's own BEGIN is deferred: two writers both read, then one fails
    with "database is locked" on upgrade. Taking the write lock at BEGIN makes
    the second writer wait its turn (SQLite's busy timeout, in its worker
    thread) instead.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi_conn.cursor()
        for pragma in sqlite_pragmas(busy_timeout=BUSY_TIMEOUT):
            cur.execute(pragma)
        cur.close()

    @event.listens_for(engine, "begin")
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
    """Owns the engine; hands out read and write transactions."""

    def __init__(self, url: str, *, echo: bool = False, pool_size: int = 10) -> None:
        self.url = sync_url(url)
        self.is_sqlite = self.url.startswith("sqlite")
        # Errors and echoed SQL carry bound parameters (names, phone numbers) into the logs otherwise.
        kwargs: dict = {"echo": echo, "hide_parameters": True}
        if self.is_sqlite:
            kwargs["connect_args"] = {"check_same_thread": False}  # workers share the pool
        else:
            kwargs.update(pool_size=pool_size, max_overflow=2 * pool_size)
        self.engine = create_engine(self.url, **kwargs)
        if self.is_sqlite:
            _tune_sqlite(self.engine)
        # SQLite has one writer at a time. Its busy timeout makes a waiting thread sleep in
        # growing steps while a busy one takes the lock again and again, so under load some
        # users' updates starved; within one process, writers queue on a lock instead. The busy
        # timeout still covers other processes. Reentrant, so a nested write cannot hang.
        self._one_writer = threading.RLock() if self.is_sqlite else nullcontext()
        writer = self.engine.execution_options(**{_IMMEDIATE: True})
        self._write = sessionmaker(writer, expire_on_commit=False)
        self._read = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A transaction that may change data; commits on success."""
        with self._one_writer, self._write() as session:  # it begins at its first statement
            yield session
            session.commit()  # after an exception, closing the session rolls back

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A transaction that only reads."""
        with self._read() as session:
            yield session
            session.commit()

    def dispose(self) -> None:
        self.engine.dispose()
