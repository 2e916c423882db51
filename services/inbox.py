"""The durable inbox: updates are stored before Telegram is told they arrived, then handed
to workers one sender at a time, oldest first.

A worker takes the oldest open update of a sender who has none in progress, so each
sender's updates run in order, different senders' run at once, and one sender's backlog
never holds up anyone else. On PostgreSQL, `FOR UPDATE SKIP LOCKED` lets several
processes take from the same inbox; on SQLite, write transactions take turns.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, bindparam, delete, func, literal_column, or_, select, update
from sqlalchemy.orm import aliased

from models import InboxStatus, InboxUpdate
from models.types import utcnow
from services import metrics
from services.db import Database
from services.inserts import insert_or_skip

OPEN = (InboxStatus.pending, InboxStatus.working)
OPEN_SQL = "status IN ('pending', 'working')"  # the partial indexes' condition, word for word
# A sender's updates waiting at once; beyond that they are recorded, dropped, and the sender
# is asked once to slow down. Twenty is more than anyone taps while waiting for an answer.
MAX_PENDING = 20
SLOW_DOWN_EVERY = timedelta(minutes=1)  # at most one "please slow down" per sender this often
# How long a worker's claim holds without renewal; a crashed worker's updates are taken
# again after it. Running workers renew their claims (heartbeat) well before it lapses.
LEASE = timedelta(seconds=30)
MAX_ATTEMPTS = 3  # an update whose handling killed its worker this often is given up
KEEP_DONE = timedelta(days=7)  # Telegram redelivers for 24 hours at most


@dataclass(frozen=True)
class Arrival:
    """An update as it came from Telegram."""

    update_id: int
    user_key: int
    raw: dict
    language: str | None = None  # the sender's app language, for a "slow down" reply


@dataclass(frozen=True)
class Claimed:
    update_id: int
    user_key: int
    raw: dict
    attempts: int


_T = InboxUpdate.__table__.c


def store(db: Database, *, arrivals: list[Arrival], now: datetime | None = None) -> list[Arrival]:
    """Store new updates in one short transaction; repeats are ignored.

    Returns the arrivals dropped for a full backlog whose sender should be asked to slow down.
    """
    now = now or utcnow()
    with db.write() as s:
        known = set(s.scalars(select(_T.update_id).where(_T.update_id.in_([a.update_id for a in arrivals]))))
        fresh = [a for a in arrivals if a.update_id not in known]
        senders = {a.user_key for a in fresh if a.user_key}
        backlog = dict(
            s.execute(
                select(_T.user_key, func.count())
                .where(_T.user_key.in_(senders), _T.status.in_(OPEN))
                .group_by(_T.user_key)
            ).all()
        )
        told = set(
            s.scalars(
                select(_T.user_key).where(
                    _T.user_key.in_(senders),
                    _T.status == InboxStatus.dropped,
                    _T.received_at > now - SLOW_DOWN_EVERY,
                )
            )
        )
        rows, warn = [], []
        for a in fresh:
            full = bool(a.user_key) and backlog.get(a.user_key, 0) >= MAX_PENDING
            if full and a.user_key not in told:
                warn.append(a)
                told.add(a.user_key)
            backlog[a.user_key] = backlog.get(a.user_key, 0) + (not full)
            status = InboxStatus.dropped if full else InboxStatus.pending
            rows.append(
                {
                    "update_id": a.update_id,
                    "user_key": a.user_key,
                    "raw": None if full else a.raw,
                    "status": status,
                    "received_at": now,
                    "attempts": 0,
                }
            )
        if rows:  # another process may have stored the same update meanwhile
            s.execute(insert_or_skip(InboxUpdate.__table__, s.bind.dialect.name), rows)
    dropped = sum(r["status"] == InboxStatus.dropped for r in rows)
    metrics.UPDATES_RECEIVED.inc(len(rows) - dropped)
    metrics.UPDATES_DROPPED.inc(dropped)
    return warn


def _open(column):
    """`column IN ('pending', 'working')` with the values inline, as the partial indexes say it:
    with bound parameters, neither SQLite nor PostgreSQL sees that an index covers the query,
    and a claim would scan every update of the last week."""
    return column.in_([literal_column(f"'{status.value}'") for status in OPEN])


def _claim_statement(dialect: str):
    """Take the oldest update, across senders, that is its sender's oldest open one and free.

    Built once per dialect: every worker runs it after every update, and building it
    (aliases, two subqueries) cost more than running it.
    """
    # Aliases, so that neither subquery is correlated to the UPDATE's own table.
    cand, head = aliased(InboxUpdate.__table__), aliased(InboxUpdate.__table__)
    now = bindparam("now", type_=_T.lease_until.type)
    senders_oldest = (
        select(func.min(head.c.update_id))
        .where(head.c.user_key == cand.c.user_key, _open(head.c.status))
        .scalar_subquery()
    )
    free = or_(
        cand.c.status == InboxStatus.pending,
        and_(cand.c.status == InboxStatus.working, cand.c.lease_until < now),  # its worker died
    )
    oldest = (
        select(cand.c.update_id)
        .where(_open(cand.c.status), free, cand.c.update_id == senders_oldest)
        .order_by(cand.c.update_id)
        .limit(1)
    )
    if dialect == "postgresql":
        oldest = oldest.with_for_update(skip_locked=True)
    return (
        update(InboxUpdate.__table__)
        .where(_T.update_id == oldest.scalar_subquery())
        .values(
            status=InboxStatus.working,
            claimed_by=bindparam("worker"),
            lease_until=bindparam("lease_until", type_=_T.lease_until.type),
            attempts=_T.attempts + 1,
        )
        .returning(_T.update_id, _T.user_key, _T.raw, _T.attempts)
    )


_CLAIM = {dialect: _claim_statement(dialect) for dialect in ("sqlite", "postgresql")}


def claim_next(
    db: Database,
    *,
    worker: str,
    finished: int | None = None,
    lease: timedelta = LEASE,
    now: datetime | None = None,
) -> Claimed | None:
    """Mark the worker's `finished` update done and take the next one, in one transaction."""
    now = now or utcnow()
    with db.write() as s:
        if finished is not None:
            _finish(s, update_id=finished, worker=worker, now=now)
        claim = _CLAIM[s.bind.dialect.name]
        row = s.execute(claim, {"now": now, "worker": worker, "lease_until": now + lease}).first()
    return Claimed(*row) if row else None


def finish(db: Database, *, update_id: int, worker: str, failed: bool = False) -> None:
    """Mark a taken update done (or failed), forgetting its content."""
    with db.write() as s:
        _finish(s, update_id=update_id, worker=worker, now=utcnow(), failed=failed)


def _finish(s, *, update_id: int, worker: str, now: datetime, failed: bool = False) -> None:
    s.execute(
        update(InboxUpdate.__table__)
        .where(_T.update_id == update_id, _T.claimed_by == worker, _T.status == InboxStatus.working)
        .values(
            status=InboxStatus.failed if failed else InboxStatus.done, raw=None, done_at=now, lease_until=None
        )
    )


def renew(db: Database, *, worker: str, lease: timedelta = LEASE, now: datetime | None = None) -> int:
    """Extend the leases of every update the worker still holds; returns how many."""
    now = now or utcnow()
    with db.write() as s:
        result = s.execute(
            update(InboxUpdate.__table__)
            .where(_T.claimed_by == worker, _T.status == InboxStatus.working)
            .values(lease_until=now + lease)
        )
    return result.rowcount


def open_count(db: Database) -> int:
    """Updates stored and not yet handled."""
    with db.read() as s:
        return s.scalar(select(func.count()).where(_T.status.in_(OPEN)))


def forget_old(db: Database, *, now: datetime | None = None) -> int:
    """Drop the records of updates handled (or dropped) long enough ago that Telegram cannot repeat them."""
    cutoff = (now or utcnow()) - KEEP_DONE
    with db.write() as s:
        result = s.execute(
            delete(InboxUpdate.__table__).where(_T.status.notin_(OPEN), _T.received_at < cutoff)
        )
    return result.rowcount
