"""One leader: with several processes on one PostgreSQL, only one runs a sweep at a time."""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import text

from services import metrics
from services.db import Database

# Any fixed 64-bit number; it names Sandan's sweep among the server's advisory locks.
LOCK_KEY = 0x5A4E_DA4E_5EE9


@contextmanager
def leadership(db: Database) -> Iterator[bool]:
    """Yields whether this process may sweep now.

    PostgreSQL: a session advisory lock, held on its own connection for the
    sweep and released after it (or by the server, if the process dies).
    SQLite: one process serves a file, so it always leads; the reminder
    ledger's unique rows still make an overlapping sweep harmless.
    """
    if db.is_sqlite:
        metrics.LEADER.set(1)
        yield True
        return
    with db.engine.connect() as conn:
        got = conn.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": LOCK_KEY})
        conn.commit()
        metrics.LEADER.set(1 if got else 0)
        try:
            yield bool(got)
        finally:
            if got:
                conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": LOCK_KEY})
                conn.commit()
