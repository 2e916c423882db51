"""Engine and transactions that behave alike on SQLite and PostgreSQL.

The core is synchronous: sessions are plain SQLAlchemy sessions, used from
worker threads (services.pool), never from the event loop.
"""

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

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


def _tune_sqlite(engine: Engine, *, begin: str) -> None:
    """WAL and a busy timeout on every connection; each transaction opens with `begin`.

    pysqlite's own BEGIN is deferred and implicit: a read-only transaction would see
    other writers' commits between its statements, and two writers that both read first
    collide on the upgrade with "database is locked". So the driver's implicit
    transactions are off and we issue BEGIN ourselves: plain for reads, IMMEDIATE for
    writes, so that a second writer waits its turn (the busy timeout, in its thread).

    The BEGIN is the dialect's `do_begin`, not a "begin" engine event as SQLAlchemy's
    pysqlite notes suggest: an engine with any event dispatches every statement through
    its event hooks, and that cost a tenth of a core cycle (bench/core.py).
    """

    @event.listens_for(engine, "connect")  # a pool event: statements do not pay for it
    def _on_connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None
        for pragma in sqlite_pragmas(busy_timeout=BUSY_TIMEOUT):
            dbapi_conn.execute(pragma)

    def do_begin(dbapi_conn) -> None:
        dbapi_conn.execute(begin)

    engine.dialect.do_begin = do_begin


def run_core(s: Session, statement, params=None):
    """Run a Core statement (of tables, not entities) on the session's connection.

    `Session.execute` does ORM work on every statement that one over tables never uses;
    on the statements each step of a core cycle runs, that was a twentieth of the cycle
    (bench/core.py). A Core statement does not autoflush through the session either.
    """
    return s.connection().execute(statement, params)


class Database:
    """Owns the engine; hands out read and write transactions."""

    def __init__(self, url: str, *, echo: bool = False, pool_size: int = 10) -> None:
        self.url = sync_url(url)
        self.is_sqlite = self.url.startswith("sqlite")
        if self.is_sqlite and make_url(self.url).database in (None, "", ":memory:"):
            raise ValueError("SQLite in memory is one database per connection; give a file")
        # Errors and echoed SQL carry bound parameters (names, phone numbers) into the logs otherwise.
        kwargs: dict = {"echo": echo, "hide_parameters": True}
        if self.is_sqlite:
            kwargs["connect_args"] = {"check_same_thread": False}  # workers share the pool
        else:
            kwargs.update(pool_size=pool_size, max_overflow=2 * pool_size)
        self.engine = create_engine(self.url, **kwargs)
        # SQLite's writers get an engine (and a pool) of their own, whose transactions take
        # the write lock at BEGIN; PostgreSQL's take row locks as they go, on the one engine.
        self._writer = create_engine(self.url, **kwargs) if self.is_sqlite else self.engine
        if self.is_sqlite:
            _tune_sqlite(self.engine, begin="BEGIN")
            _tune_sqlite(self._writer, begin="BEGIN IMMEDIATE")
        # SQLite has one writer at a time. Its busy timeout makes a waiting thread sleep in
        # growing steps while a busy one takes the lock again and again, so under load some
        # users' updates starved; within one process, writers queue on a lock instead. The busy
        # timeout still covers other processes. Reentrant, so a nested write cannot hang.
        self._one_writer = threading.RLock() if self.is_sqlite else nullcontext()
        self._write = sessionmaker(self._writer, expire_on_commit=False)
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

    def after_commit(self, callback: Callable[[Session], None]) -> Callable[[], None]:
        """Call `callback(session)` in the committing thread after each write commits; returns its undo."""

        def committed(session: Session) -> None:
            # SQLAlchemy reports a released savepoint as a commit too; its changes are not visible yet.
            if not session.in_nested_transaction():
                callback(session)

        event.listen(self._write, "after_commit", committed)
        return lambda: event.remove(self._write, "after_commit", committed)

    @property
    def engines(self) -> tuple[Engine, ...]:
        """Every engine this database talks through (for observers such as bench/sql_floor.py)."""
        return (self.engine,) if self._writer is self.engine else (self.engine, self._writer)

    def dispose(self) -> None:
        self.engine.dispose()
        self._writer.dispose()
