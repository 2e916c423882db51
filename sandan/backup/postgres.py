"""PostgreSQL: pg_dump's custom format (-Fc), restored by pg_restore, where they are installed.

The password goes to the tools in PGPASSWORD, never on a command line (which `ps` shows to
every user); the connection URL they are given has none. A restore runs in one transaction
(pg_restore --single-transaction): it lands whole or not at all.
"""

import os
import shutil
import subprocess
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from sandan.backup import BackupError, Target
from sandan.migrate import VERSION_TABLE
from services.db import sync_url

PG_DUMP, PG_RESTORE = "pg_dump", "pg_restore"
LIBPQ_SCHEME = "postgresql"
ERROR_LINES = 5  # of a tool's stderr, shown when it fails
END_OF_COPY = "\\."
OTHER_CLIENTS = text(
    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
    "AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
)
OWN_TABLES = text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError("db.tool_missing", tool=name)
    return found


def _run(name: str, target: Target | None, *args: str) -> str:
    """Run a client tool; its stdout. Connection details go in the environment."""
    env = dict(os.environ)
    if target is not None:
        parsed = make_url(target.url)
        if parsed.password is not None:
            env["PGPASSWORD"] = str(parsed.password)
        # libpq's own URL form; SQLAlchemy's driver name and the password left out.
        dsn = parsed._replace(drivername=LIBPQ_SCHEME, password=None).render_as_string(hide_password=False)
        args = (f"--dbname={dsn}", *args)
    done = subprocess.run([_tool(name), *args], env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        error = " / ".join(done.stderr.strip().splitlines()[-ERROR_LINES:])
        raise BackupError("db.tool_failed", tool=name, error=error or f"exit status {done.returncode}")
    return done.stdout


def backup(target: Target, file: Path) -> None:
    _run(PG_DUMP, target, "--format=custom", f"--file={file}")


def stored_revisions(file: Path) -> frozenset[str]:
    """The rows of the dump's alembic_version table, read by pg_restore as text."""
    listing = _run(PG_RESTORE, None, "--data-only", f"--table={VERSION_TABLE}", "--file=-", str(file))
    revisions, copying = set(), False
    for line in listing.splitlines():
        if line.startswith("COPY ") and f".{VERSION_TABLE} " in line:
            copying = True
        elif copying and line == END_OF_COPY:
            break
        elif copying:
            revisions.add(line.strip())
    return frozenset(revisions)


def _dumped_tables(file: Path) -> set[str]:
    """The tables a dump creates, from its table of contents (pg_restore --list)."""
    tables = set()
    for line in _run(PG_RESTORE, None, "--list", str(file)).splitlines():
        entry = line.split(";", 1)[-1].split()
        if not line.startswith(";") and len(entry) >= 5 and entry[2] == "TABLE":
            tables.add(entry[4])
    return tables


def restore(target: Target, file: Path) -> None:
    dumped = _dumped_tables(file)
    _tool(PG_RESTORE)
    engine = create_engine(sync_url(target.url), poolclass=NullPool)
    try:
        with engine.begin() as conn:
            if conn.scalar(OTHER_CLIENTS):
                raise BackupError("db.in_use", target=target.shown)
            # Tables a later revision added are not in the dump, and --clean leaves them: drop them,
            # so that the schema is the backup's (and its revision's) exactly.
            quote = conn.dialect.identifier_preparer.quote
            for table in sorted(set(conn.scalars(OWN_TABLES)) - dumped):
                conn.execute(text(f"DROP TABLE IF EXISTS {quote(table)} CASCADE"))
    finally:
        engine.dispose()
    _run(
        PG_RESTORE,
        target,
        "--clean",
        "--if-exists",
        "--no-owner",
        "--no-privileges",
        "--single-transaction",
        "--exit-on-error",
        str(file),
    )
