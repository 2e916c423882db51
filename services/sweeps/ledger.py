"""The record of reminders sent: one row per wish, kind and sequence number.

A reminder is recorded in the same transaction that queues its notification,
and the row is unique, so two sweeps at once, or a sweep after a crash,
never send it twice.
"""

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Table
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from models import SentReminder

_R = SentReminder.__table__


def insert_new(s: AsyncSession, table: Table):
    """INSERT that skips rows a unique constraint already holds (ON CONFLICT DO NOTHING)."""
    if s.get_bind().dialect.name == "postgresql":
        return pg_insert(table).on_conflict_do_nothing()
    return sqlite_insert(table).on_conflict_do_nothing()


async def record(
    s: AsyncSession, reminders: Iterable[tuple[int, str, int]], *, now: datetime
) -> set[tuple[int, str]]:
    """Record (wish id, kind, seq) reminders; returns the (wish id, kind) pairs this call recorded first."""
    rows = [{"wish_id": w, "kind": k, "seq": n, "sent_at": now} for w, k, n in reminders]
    if not rows:
        return set()
    # One executemany: SQLAlchemy sends it as batched multi-row INSERTs and gathers what RETURNING gives.
    stmt = insert_new(s, _R).returning(_R.c.wish_id, _R.c.kind)
    return {tuple(r) for r in await s.execute(stmt, rows)}
