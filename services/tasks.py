"""Doing the job: start, complete (办结), rating (满意度测评) and disputes."""

from datetime import datetime

from sqlalchemy import bindparam, insert, update
from sqlalchemy.orm import Session

from models import FollowUpReason, MemberProfile, Rating, Wish
from models.enums import WishStatus as S
from models.types import utcnow
from services import visits
from services.actors import Actor, load_actor, require_member
from services.errors import InvalidInput
from services.lifecycle import move, require_status
from services.validation import clean_text
from services.wishes import get_wish, get_wish_and_actor

MAX_HOURS = 24

# Built once; see services.lifecycle for why.
_RATE = insert(Rating.__table__)
_MEMBER = MemberProfile.__table__
_CREDIT = (
    update(_MEMBER)
    .where(_MEMBER.c.user_id == bindparam("member_id"))
    .values(
        tasks_confirmed=_MEMBER.c.tasks_confirmed + 1,
        hours_total=_MEMBER.c.hours_total + bindparam("hours", type_=_MEMBER.c.hours_total.type),
        rating_sum=_MEMBER.c.rating_sum + bindparam("score", type_=_MEMBER.c.rating_sum.type),
        rating_count=_MEMBER.c.rating_count + 1,
    )
)


def start_task(s: Session, *, actor_id: int, wish_id: int, now: datetime | None = None) -> Wish:
    """The assigned member sets off (出发 / 开始服务)."""
    wish, actor = get_wish_and_actor(s, wish_id, actor_id)
    _still_serving(actor, wish)
    return move(s, wish, S.in_progress, actor=actor, now=now)


def _still_serving(actor: Actor, wish: Wish) -> None:
    """The assignee must still be an approved member of the branch, whichever change came first."""
    if actor.user_id == wish.assigned_member_id:
        require_member(actor, wish.branch_id)


def complete_task(
    s: Session,
    *,
    actor_id: int,
    wish_id: int,
    note: str,
    hours: float,
    photo_file_id: str | None = None,
    now: datetime | None = None,
) -> Wish:
    """The assigned member reports the job done, with a note and the hours spent."""
    now = now or utcnow()
    note = clean_text(note, field="completion_note", max_len=1000)
    if not 0 < hours <= MAX_HOURS:
        raise InvalidInput("invalid.hours", max=MAX_HOURS)
    wish, actor = get_wish_and_actor(s, wish_id, actor_id)
    _still_serving(actor, wish)
    values = {
        "completion_note": note,
        "hours_spent": round(hours, 1),
        "completion_photo_file_id": photo_file_id,
        "completed_at": now,
    }
    return move(s, wish, S.completed, actor=actor, note=note, values=values, now=now)


def rate_wish(
    s: Session,
    *,
    actor_id: int,
    wish_id: int,
    score: int,
    comment: str | None = None,
    now: datetime | None = None,
) -> Wish:
    """The resident confirms the work and rates it 1 to 5; the member's totals grow."""
    now = now or utcnow()
    if score not in range(1, 6):
        raise InvalidInput("invalid.score")
    comment = clean_text(comment, field="comment", max_len=500) if comment and comment.strip() else None
    wish, actor = get_wish_and_actor(s, wish_id, actor_id)
    move(s, wish, S.confirmed, actor=actor, note=f"★{score}", values={"closed_at": now}, now=now)
    member_id = wish.assigned_member_id
    rating = {"wish_id": wish.id, "member_id": member_id, "score": score, "comment": comment}
    s.execute(_RATE, {**rating, "created_at": now})
    s.execute(_CREDIT, {"member_id": member_id, "hours": wish.hours_spent or 0, "score": score})
    if score <= visits.LOW_RATING:
        visits.open_visit(s, wish=wish, reason=FollowUpReason.low_rating, now=now, score=score)
    return wish


def dispute_wish(
    s: Session, *, actor_id: int, wish_id: int, note: str | None = None, now: datetime | None = None
) -> Wish:
    """The resident says the work was not done; staff are alerted."""
    now = now or utcnow()
    note = clean_text(note, field="note", max_len=500) if note and note.strip() else None
    wish, actor = get_wish_and_actor(s, wish_id, actor_id)
    move(s, wish, S.disputed, actor=actor, note=note, now=now)
    visits.open_visit(s, wish=wish, reason=FollowUpReason.dispute, now=now)
    return wish


def resolve_dispute(
    s: Session, *, actor_id: int, wish_id: int, to: S, note: str, now: datetime | None = None
) -> Wish:
    """Staff settle a dispute: back to the member, back to dispatch, or closed."""
    now = now or utcnow()
    if to not in (S.assigned, S.accepted, S.closed):
        raise InvalidInput("invalid.resolution")
    note = clean_text(note, field="note", max_len=500)
    wish, actor = get_wish_and_actor(s, wish_id, actor_id)
    require_status(wish, S.disputed)
    if to == S.assigned and actor.is_staff_of(wish.branch_id):  # others are refused by move
        _serving_member(s, wish)
    values: dict = {"closed_at": now} if to == S.closed else {}
    if to == S.accepted:
        values.update(assigned_member_id=None, assigned_at=None)
    return move(s, wish, to, actor=actor, note=note, values=values, now=now)


def _serving_member(s: Session, wish: Wish) -> None:
    """Refuse to give a disputed wish back to a member who is no longer serving the branch."""
    if not (load_actor(s, wish.assigned_member_id)).is_member_of(wish.branch_id):
        raise InvalidInput("invalid.member_unavailable")


def comment_rating(s: Session, *, actor_id: int, wish_id: int, comment: str) -> None:
    """The resident adds a comment to the rating they just gave."""
    from sqlalchemy import select

    from services.errors import NotAllowed, NotFound

    comment = clean_text(comment, field="comment", max_len=500)
    wish = get_wish(s, wish_id)
    if wish.resident_id != actor_id:
        raise NotAllowed()
    rating = s.scalar(select(Rating).where(Rating.wish_id == wish_id))
    if rating is None:
        raise NotFound("error.no_wish")
    rating.comment = comment
