"""Retention: what Sandan stops keeping after a while (run daily by the scheduler).

- Delivered and failed notifications are deleted `outbox` days after they were queued.
  A broadcast's rows are its tally (services.broadcasts.progress counts them), so those rows
  stay, but the copy of the announcement each one carries is emptied.
- The answers of a form nobody finished (a phone number, an address, half a wish) are
  dropped `forms` days after the form last moved.

Each batch is its own short transaction, so a large purge never holds SQLite's write lock
for long and the bot goes on answering meanwhile.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import String, cast, delete, select, update
from sqlalchemy.orm import Session

from models import ConversationState, Outbox, OutboxStatus
from models.types import utcnow
from services.db import Database
from services.outbox import NO_TELEGRAM_ID

BATCH = 1_000  # rows per transaction
FINAL = (OutboxStatus.sent, OutboxStatus.failed)
EMPTY = "{}"  # an emptied params column, as both databases print JSON


@dataclass(frozen=True)
class RetentionPolicy:
    outbox: timedelta = timedelta(days=30)
    forms: timedelta = timedelta(days=7)

    @classmethod
    def from_days(cls, *, outbox_days: int, form_days: int) -> "RetentionPolicy":
        """From OUTBOX_RETENTION_DAYS and FORM_RETENTION_DAYS."""
        return cls(outbox=timedelta(days=outbox_days), forms=timedelta(days=form_days))

    @property
    def outbox_days(self) -> int:
        return self.outbox.days

    @property
    def form_days(self) -> int:
        return self.forms.days


DEFAULT_RETENTION = RetentionPolicy()


@dataclass(frozen=True)
class Purged:
    notifications: int  # rows deleted
    broadcast_copies: int  # broadcast rows whose copy of the text was emptied
    forms: int  # unfinished forms dropped


def _old_final(cutoff: datetime):
    # not_before leads ix_outbox_due's second column; created_at <= not_before, so both hold.
    return Outbox.status.in_(FINAL), Outbox.not_before < cutoff, Outbox.created_at < cutoff


def _in_batches(db: Database, key, where: tuple, act) -> int:
    """Run `act(session, ids)` on successive batches of the `key` values matching `where`, one
    transaction each, in key order (so it ends even if a batch leaves some rows as they were)."""
    total, last = 0, None
    while True:
        query = select(key).where(*where).order_by(key).limit(BATCH)
        if last is not None:
            query = query.where(key > last)
        with db.write() as s:
            ids = list((s.scalars(query)).all())
            if ids:
                act(s, ids)
        total += len(ids)
        if len(ids) < BATCH:
            return total
        last = ids[-1]


def purge_notifications(
    db: Database, *, older_than: timedelta, now: datetime | None = None
) -> tuple[int, int]:
    """Delete old delivered or failed notes; empty old broadcast rows' copies. (deleted, emptied)"""
    cutoff = (now or utcnow()) - older_than

    def drop(s, ids):
        s.execute(delete(Outbox).where(Outbox.id.in_(ids)))

    def empty(s, ids):
        s.execute(update(Outbox).where(Outbox.id.in_(ids)).values(params={}))

    notes = (*_old_final(cutoff), Outbox.broadcast_id.is_(None))
    copies = (*_old_final(cutoff), Outbox.broadcast_id.is_not(None), cast(Outbox.params, String) != EMPTY)
    return _in_batches(db, Outbox.id, notes, drop), _in_batches(db, Outbox.id, copies, empty)


def purge_forms(db: Database, *, older_than: timedelta, now: datetime | None = None) -> int:
    """Drop the saved answers of forms left untouched for `older_than`."""
    cutoff = (now or utcnow()) - older_than
    stale = (ConversationState.updated_at < cutoff,)

    def drop(s, ids):
        # The condition again: the user may have moved on in the form since the batch was read.
        s.execute(delete(ConversationState).where(ConversationState.telegram_id.in_(ids), *stale))

    return _in_batches(db, ConversationState.telegram_id, stale, drop)


def purge(db: Database, *, policy: RetentionPolicy, now: datetime | None = None) -> Purged:
    """Apply the whole retention policy."""
    now = now or utcnow()
    deleted, emptied = purge_notifications(db, older_than=policy.outbox, now=now)
    forms = purge_forms(db, older_than=policy.forms, now=now)
    return Purged(deleted, emptied, forms)


def clear_outbox_of(s: Session, *, user_id: int) -> None:
    """A forgotten person's notifications: deleted, except broadcast rows, which are the tally and
    lose only their copy (one still pending counts as undeliverable, as it now is)."""
    s.execute(delete(Outbox).where(Outbox.user_id == user_id, Outbox.broadcast_id.is_(None)))
    mine = (Outbox.user_id == user_id, Outbox.broadcast_id.is_not(None))
    s.execute(
        update(Outbox)
        .where(*mine, Outbox.status == OutboxStatus.pending)
        .values(status=OutboxStatus.failed, last_error=NO_TELEGRAM_ID)
    )
    s.execute(update(Outbox).where(*mine).values(params={}))
