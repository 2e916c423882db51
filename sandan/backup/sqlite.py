"""SQLite: online backup and restore through sqlite3's backup API (`Connection.backup`).

A backup copies the database in one step, inside one read transaction: a consistent
snapshot of what was committed when it began, WAL pages included. In WAL mode the bot's
writers go on meanwhile (they do not wait for a reader), and the copy does not restart.

A restore first takes the target's exclusive lock and holds it (`locking_mode=EXCLUSIVE`):
while any other connection has the database open, as a running bot's do, it is refused, and
no bot can open it halfway through.
"""

import sqlite3
from contextlib import closing
from pathlib import Path

from sandan.backup import KIND_NAMES, SQLITE, BackupError, Target
from sandan.migrate import VERSION_TABLE
from services.db import BUSY_TIMEOUT

SQLITE_NAME = KIND_NAMES[SQLITE]


def _open(path: Path, mode: str, *, timeout: float = BUSY_TIMEOUT) -> sqlite3.Connection:
    """A connection by URI, so that `mode` (ro, rw, rwc) holds: "rw" never creates a file."""
    return sqlite3.connect(
        f"{path.resolve().as_uri()}?mode={mode}", uri=True, timeout=timeout, isolation_level=None
    )


def backup(target: Target, file: Path) -> None:
    if not target.path.exists():
        raise BackupError("db.no_database", path=target.path)
    try:
        with closing(_open(target.path, "rw")) as source, closing(_open(file, "rwc")) as copy:
            source.backup(copy)  # all pages in one step: one snapshot
            # The copy took the source's WAL mode from its header; a backup is one self-contained file.
            copy.execute("PRAGMA journal_mode=DELETE")
    except sqlite3.Error as exc:
        raise BackupError("db.tool_failed", tool=SQLITE_NAME, error=exc) from None


def stored_revisions(file: Path) -> frozenset[str]:
    """The revisions in the file's alembic_version table; none if it has no such table."""
    try:
        with closing(_open(file, "ro")) as conn:
            problems = [row[0] for row in conn.execute("PRAGMA quick_check")]
            if problems != ["ok"]:
                raise BackupError("db.damaged", path=file, problem="; ".join(problems[:3]))
            has_table = conn.execute(
                "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?", (VERSION_TABLE,)
            ).fetchone()
            if not has_table:
                return frozenset()
            return frozenset(row[0] for row in conn.execute(f"SELECT version_num FROM {VERSION_TABLE}"))
    except sqlite3.DatabaseError as exc:
        raise BackupError("db.damaged", path=file, problem=exc) from None


def restore(target: Target, file: Path) -> None:
    with closing(_open(target.path, "rwc", timeout=0)) as conn:
        conn.execute("PRAGMA locking_mode=EXCLUSIVE")
        try:
            conn.execute("BEGIN EXCLUSIVE")  # kept after COMMIT, in exclusive locking mode
            conn.execute("COMMIT")
        except sqlite3.OperationalError:
            raise BackupError("db.in_use", target=target.shown) from None
        try:
            with closing(_open(file, "ro")) as source:
                source.backup(conn)
        except sqlite3.Error as exc:
            raise BackupError("db.tool_failed", tool=SQLITE_NAME, error=exc) from None
