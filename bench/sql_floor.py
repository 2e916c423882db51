"""The floor under a benchmark: the same SQL through sqlite3 alone.

`Recorder` notes every statement, BEGIN and COMMIT an engine sends while it is
attached, with the parameters as the driver got them. `replay` runs them in
order on a copy of the database taken when recording began, and times them.
Divided into the benchmark's own time, this tells how much of it is SQLite's
work and how much is ours (services, SQLAlchemy, asyncio). Unlike the raw
figures, that share changes little from one machine to another.
"""

import shutil
import sqlite3
import time
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine

from services.db import sqlite_pragmas


class Recorder:
    """Copies the database file, then records what `engine` sends until stopped."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.log: list[tuple[str, str | None, object]] = []
        self._hooks = (
            ("before_cursor_execute", self._statement),
            ("begin", self._begin),
            ("commit", self._commit),
            ("rollback", self._rollback),
        )

    def start(self, db_path: Path, copy: Path) -> None:
        with self.engine.connect() as conn:  # the whole database in the main file
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        shutil.copyfile(db_path, copy)
        for name, hook in self._hooks:
            event.listen(self.engine, name, hook)

    def stop(self) -> None:
        for name, hook in self._hooks:
            event.remove(self.engine, name, hook)

    def _statement(self, _conn, _cursor, statement, parameters, _context, executemany) -> None:
        if statement.startswith("BEGIN"):  # services.db issues it; the "begin" event records it
            return
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
