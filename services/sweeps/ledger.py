"""The record of reminders sent: one row per wish, kind and sequence number.

A reminder is recorded in the same transaction that queues its notification,
and the row is unique, so two sweeps at once, or a sweep after a crash,
never send it twice.
"""

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import and_, exists, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from models import SentReminder

_R = SentReminder.__table__


def _insert_ignoring_duplicates(s: AsyncSession):
    dialect = s.get_bind().dialect.name
    if dialect == "postgresql":
        return pg_insert(_R).on_conflict_do_nothing()
    if dialect == "sqlite":
        return sqlite_insert(_R).on_conflict_do_nothing()
    return insert(_R)  # pragma: no cover  (only SQLite and PostgreSQL are supported)


async def record(
    s: AsyncSession, reminders: Iterable[tuple[int, str, int]], *, now: datetime
) -> set[tuple[int, str]]:
    """Record (wish id, kind, seq) reminders; returns the (wish id, kind) pairs this call recorded first."""
    rows = [{"wish_id": w, "kind": k, "seq": n, "sent_at": now} for w, k, n in reminders]
    if not rows:
        return set()
    recorded = set()
    for i in range(0, len(rows), 500):
        # A multi-row INSERT per chunk, because RETURNING does not combine with executemany everywhere.
        stmt = _insert_ignoring_duplicates(s).values(rows[i : i + 500]).returning(_R.c.wish_id, _R.c.kind)
        recorded |= {tuple(r) for r in await s.execute(stmt)}
    return recorded


def not_reminded(wish_id_column, kind: str, seq: int):
    """A WHERE clause: no reminder of `kind` with sequence `seq` or later for the wish."""
    return ~exists(
        select(_R.c.id).where(and_(_R.c.wish_id == wish_id_column, _R.c.kind == kind, _R.c.seq >= seq))
    )
