"""The daily digest (每日简报) to each branch's staff, at 08:30 local time."""

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import BranchDigest, Rating, Staff, Wish
from models.enums import WishStatus as S
from models.wishes import in_status
from services.inserts import insert_or_skip
from services.note_keys import NoteKey
from services.outbox import Note, queue
from services.overdue import overdue_by_branch
from services.sweeps.context import Sweep

_WAITING = (S.accepted, S.offered, S.posted)


@dataclass(frozen=True)
class Digest:
    new: int = 0
    to_triage: int = 0
    to_assign: int = 0
    overdue: int = 0
    done: int = 0
    rating: float | None = None

    def worth_sending(self) -> bool:
        return any((self.new, self.to_triage, self.to_assign, self.overdue, self.done))


def digest_day(sw: Sweep) -> date | None:
    """The local day whose digest is due now: from 08:30 until quiet hours begin."""
    local = sw.now.astimezone(sw.policy.tz)
    if local.time() < sw.policy.digest_at or sw.quiet:
        return None
    return local.date()


def _grouped(s: Session, stmt) -> Counter:
    return Counter(dict((s.execute(stmt)).all()))


def gather(s: Session, sw: Sweep, day: date) -> dict[int, Digest]:
    """Per branch with staff and no digest yet for `day`: yesterday's figures and today's queue."""
    tz = sw.policy.tz
    start = datetime.combine(day - timedelta(days=1), time(0), tzinfo=tz)
    end = start + timedelta(days=1)
    sent = select(BranchDigest.branch_id).where(BranchDigest.day == day)
    branches = set(s.scalars(select(Staff.branch_id).where(Staff.branch_id.notin_(sent)).distinct()))
    if not branches:
        return {}
    by_branch = select(Wish.branch_id, func.count()).group_by(Wish.branch_id)
    new = _grouped(s, by_branch.where(Wish.submitted_at >= start, Wish.submitted_at < end))
    triage = _grouped(s, by_branch.where(in_status(S.submitted)))
    assign = _grouped(s, by_branch.where(Wish.status.in_(_WAITING)))
    done = _grouped(s, by_branch.where(Wish.completed_at >= start, Wish.completed_at < end))
    ratings = dict(
        (
            s.execute(
                select(Wish.branch_id, func.avg(Rating.score))
                .join(Wish, Wish.id == Rating.wish_id)
                .where(Rating.created_at >= start, Rating.created_at < end)
                .group_by(Wish.branch_id)
            )
        ).all()
    )
    overdue = overdue_by_branch(s, now=sw.now, policy=sw.policy)
    return {
        b: Digest(
            new[b], triage[b], assign[b], overdue[b], done[b], ratings.get(b) and round(float(ratings[b]), 1)
        )
        for b in branches
    }


def due_digests(s: Session, sw: Sweep) -> list[tuple[int, Digest]]:
    """(branch id, digest) for every branch whose digest for today is due and not yet recorded."""
    day = digest_day(sw)
    return sorted((gather(s, sw, day)).items()) if day else []


def record_digests(s: Session, sw: Sweep, digests: list[tuple[int, Digest]]) -> int:
    """Record each branch's digest for today and queue those worth sending; returns how many were queued.

    A branch with nothing to say is recorded too, so it is not looked at again today.
    """
    day = digest_day(sw)
    rows = [{"branch_id": b, "day": day, "sent_at": sw.now} for b, _ in digests]
    table = BranchDigest.__table__
    stmt = insert_or_skip(table, s.bind.dialect.name).returning(table.c.branch_id)
    first = set((s.execute(stmt, rows)).scalars())
    sent = [(b, d) for b, d in digests if b in first and d.worth_sending()]
    notes = []
    for branch_id, digest in sent:
        params = {**digest.__dict__, "rating": digest.rating if digest.rating is not None else ""}
        params["day"] = (day - timedelta(days=1)).isoformat()
        notes += [Note(u, NoteKey.staff_digest, params) for u in sw.staff(s, branch_id)]
    queue(s, notes, now=sw.now)
    return len(sent)
