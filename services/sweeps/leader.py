"""One sweep at a time: with several processes on one PostgreSQL, a sweep takes a lock of its own.

Only the leader (bot/leadership.py) schedules sweeps, but at a change of leader the old one's
last sweep may still be running when the new one's first begins."""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import text

from services.db import Database

# Any fixed 64-bit number; it names Sandan's sweep among the server's advisory locks.
LOCK_KEY = 0x5A4E_DA4E_5EE9  # not bot.leadership's: the leader's own sweep takes this one too


@contextmanager
def leadership(db: Database) -> Iterator[bool]:
    """Yields whether this process may sweep now.

    PostgreSQL: a session advisory lock, held on its own connection for the
    sweep and released after it (or by the server, if the process dies).
    SQLite: one process serves a file, so it always leads; the reminder
    ledger's unique rows still make an overlapping sweep harmless.
    """
    if db.is_sqlite:
        yield True
        return
    with db.engine.connect() as conn:
        got = conn.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": LOCK_KEY})
        conn.commit()
        try:
            yield bool(got)
        finally:
            if got:
                conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": LOCK_KEY})
                conn.commit()
