"""The floor under a benchmark: the same SQL through sqlite3 alone.

`Recorder` notes every statement, BEGIN and COMMIT a database sends while it is
attached, with the parameters as the driver got them. `Replayer` runs them in
order on a copy of the database taken when recording began, and times them.
Recording hooks SQLAlchemy's engine events, which slow every statement down, so
a benchmark times its own work on another copy that nothing observes.
Divided into the benchmark's own time, this tells how much of it is SQLite's
work and how much is ours (services, SQLAlchemy, asyncio). Unlike the raw
figures, that share changes little from one machine to another.
"""

import shutil
import sqlite3
import time
from pathlib import Path

from sqlalchemy import event

from services.db import Database, sqlite_pragmas


def checkpoint(engine, db_path: Path, copy: Path) -> None:
    """Copy the database file, with the whole database in it (no part left in the WAL)."""
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copyfile(db_path, copy)


class Recorder:
    """Copies the database file, then records what `db` sends until stopped."""

    def __init__(self, db: Database) -> None:
        self.engines = db.engines
        self.log: list[tuple[str, str | None, object]] = []
        self._hooks = (
            ("before_cursor_execute", self._statement),
            ("begin", self._begin),
            ("commit", self._commit),
            ("rollback", self._rollback),
        )

    def start(self, db_path: Path, copy: Path) -> None:
        checkpoint(self.engines[0], db_path, copy)
        for engine in self.engines:
            for name, hook in self._hooks:
                event.listen(engine, name, hook)

    def stop(self) -> None:
        for engine in self.engines:
            for name, hook in self._hooks:
                event.remove(engine, name, hook)

    def _statement(self, _conn, _cursor, statement, parameters, _context, executemany) -> None:
        self.log.append(("many" if executemany else "one", statement, parameters))

    def _begin(self, _conn) -> None:
        self.log.append(("begin", None, None))

    def _commit(self, _conn) -> None:
        self.log.append(("commit", None, None))

    def _rollback(self, _conn) -> None:
        self.log.append(("rollback", None, None))


class Replayer:
    """Replays logged rounds, one at a time, on the copy, through one sqlite3 connection."""

    def __init__(self, copy: Path) -> None:
        self.conn = sqlite3.connect(copy, isolation_level=None)
        for pragma in sqlite_pragmas(busy_timeout=0):
            self.conn.execute(pragma)

    def close(self) -> None:
        self.conn.close()

    def __call__(self, log: list[tuple[str, str | None, object]]) -> float:
        """Seconds sqlite3 takes to run the log, set up as Sandan sets up SQLite."""
        cur = self.conn.cursor()
        started = time.perf_counter()
        for kind, sql, params in log:
            if kind == "begin":
                cur.execute("BEGIN IMMEDIATE")  # every benchmarked transaction writes
            elif kind in ("commit", "rollback"):
                cur.execute(kind.upper())
            elif kind == "many":
                cur.executemany(sql, params)
            else:
                cur.execute(sql, params).fetchall()
        return time.perf_counter() - started
