"""The record of reminders sent: one row per wish, kind and sequence number.

A reminder is recorded in the same transaction that queues its notification,
and the row is unique, so two sweeps at once, or a sweep after a crash,
never send it twice.
"""

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy.orm import Session

from models import SentReminder
from services.inserts import insert_or_skip

_R = SentReminder.__table__


def record(
    s: Session, reminders: Iterable[tuple[int, str, int]], *, now: datetime
) -> set[tuple[int, str]]:
    """Record (wish id, kind, seq) reminders; returns the (wish id, kind) pairs this call recorded first."""
    rows = [{"wish_id": w, "kind": k, "seq": n, "sent_at": now} for w, k, n in reminders]
    if not rows:
        return set()
    # One executemany: SQLAlchemy sends it as batched multi-row INSERTs and gathers what RETURNING gives.
    stmt = insert_or_skip(_R, s.bind.dialect.name).returning(_R.c.wish_id, _R.c.kind)
    return {tuple(r) for r in s.execute(stmt, rows)}
