"""Follow-up visits (回访): after a low rating or a dispute, staff contact the resident."""

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from models import FollowUp, FollowUpReason, Wish
from models.types import utcnow
from services.actors import load_actor, require_staff
from services.errors import Conflict, NotAllowed, NotFound
from services.note_keys import NoteKey
from services.outbox import Note, queue, staff_of
from services.validation import clean_text

LOW_RATING = 2  # ratings at or below this open a follow-up visit


def open_visit(
    s: Session, *, wish: Wish, reason: FollowUpReason, now: datetime, score: int | None = None
) -> FollowUp:
    """Create the follow-up item; a low rating also alerts staff (a dispute alerts them itself)."""
    visit = FollowUp(wish_id=wish.id, branch_id=wish.branch_id, reason=reason, created_at=now)
    s.add(visit)
    s.flush()
    if reason == FollowUpReason.low_rating:
        params = {"number": wish.number, "category": wish.category, "score": score, "visit_id": visit.id}
        queue(
            s,
            [Note(u, NoteKey.staff_low_rating, params, wish.id) for u in staff_of(s, wish.branch_id)],
            now=now,
        )
    return visit


def open_visits(s: Session, *, actor_id: int) -> list[tuple[FollowUp, Wish]]:
    """Follow-ups not yet done in the branches the actor serves, oldest first."""
    actor = load_actor(s, actor_id)
    if not actor.is_admin and not actor.staff_branches:
        raise NotAllowed("error.staff_only")
    query = (
        select(FollowUp, Wish)
        .join(Wish, Wish.id == FollowUp.wish_id)
        .where(FollowUp.done_at.is_(None))
        .order_by(FollowUp.created_at, FollowUp.id)
    )
    if not actor.is_admin:
        query = query.where(FollowUp.branch_id.in_(actor.staff_branches))
    return [tuple(row) for row in s.execute(query)]


def pending_visit(s: Session, *, actor_id: int, visit_id: int) -> tuple[FollowUp, Wish]:
    """A follow-up still to be done, and its wish, for staff of its branch."""
    row = (s.execute(select(FollowUp, Wish).join(Wish).where(FollowUp.id == visit_id))).first()
    if row is None:
        raise NotFound("error.no_visit")
    require_staff(load_actor(s, actor_id), row[0].branch_id)
    if row[0].done_at is not None:
        raise Conflict("error.visit_done")
    return tuple(row)


def record_visit(
    s: Session, *, actor_id: int, visit_id: int, note: str, now: datetime | None = None
) -> FollowUp:
    """Staff mark the visit done, with what they found."""
    note = clean_text(note, field="visit_note", max_len=1000)
    visit, _ = pending_visit(s, actor_id=actor_id, visit_id=visit_id)
    done = s.execute(
        update(FollowUp)
        .where(FollowUp.id == visit_id, FollowUp.done_at.is_(None))
        .values(done_at=now or utcnow(), done_by=actor_id, note=note)
    )
    if done.rowcount != 1:
        raise Conflict("error.visit_done")
    s.refresh(visit)
    return visit
