"""Read side: wish lists for staff and residents, and a wish's timeline."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import OfferKind, User, Wish, WishEvent
from models.enums import WishStatus as S
from services import offers
from services.actors import load_actor, require_staff
from services.errors import NotAllowed
from services.privacy import mask_name
from services.wishes import get_wish, get_wish_and_actor

PAGE = 10


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    from_status: S | None
    to_status: S
    actor: str  # masked name, or "" for the system
    note: str | None


def wishes_for_staff(
    s: Session,
    *,
    actor_id: int,
    branch_id: int,
    statuses: tuple[S, ...],
    offset: int = 0,
    limit: int = PAGE,
) -> list[Wish]:
    """A branch's wishes in the given statuses, oldest first."""
    require_staff(load_actor(s, actor_id), branch_id)
    query = (
        select(Wish)
        .where(Wish.branch_id == branch_id, Wish.status.in_(statuses))
        .order_by(Wish.submitted_at, Wish.id)
        .offset(offset)
        .limit(limit)
    )
    return list((s.scalars(query)).all())


def queue_position(s: Session, *, branch_id: int, wish: Wish) -> int:
    """How many of the branch's waiting wishes come up to and including `wish`, oldest first."""
    at = wish.submitted_at
    before = (Wish.submitted_at < at) | ((Wish.submitted_at == at) & (Wish.id <= wish.id))
    query = select(func.count()).where(Wish.branch_id == branch_id, Wish.status == S.submitted, before)
    return s.scalar(query)


def wishes_of_resident(s: Session, *, actor_id: int, limit: int = 20) -> list[Wish]:
    """The actor's own wishes, newest first."""
    query = select(Wish).where(Wish.resident_id == actor_id).order_by(Wish.id.desc()).limit(limit)
    return list((s.scalars(query)).all())


def tasks_of_member(s: Session, *, actor_id: int) -> list[Wish]:
    """The wishes assigned to the actor that are not finished yet."""
    active = (S.assigned, S.in_progress, S.completed, S.disputed)
    query = select(Wish).where(Wish.assigned_member_id == actor_id, Wish.status.in_(active)).order_by(Wish.id)
    return list((s.scalars(query)).all())


def timeline(s: Session, *, actor_id: int, wish_id: int) -> list[TimelineEntry]:
    """The audit timeline, for the owner, the branch staff and the assigned member."""
    wish = get_wish(s, wish_id)
    actor = load_actor(s, actor_id)
    if not (actor.is_staff_of(wish.branch_id) or actor_id in (wish.resident_id, wish.assigned_member_id)):
        raise NotAllowed()
    rows = (
        s.execute(
            select(WishEvent, User.name, User.display_name)
            .outerjoin(User, User.id == WishEvent.actor_id)
            .where(WishEvent.wish_id == wish_id)
            .order_by(WishEvent.at, WishEvent.id)
        )
    ).all()
    return [
        TimelineEntry(
            e.at,
            S(e.from_status) if e.from_status else None,
            S(e.to_status),
            mask_name(name or display) if e.actor_id else "",
            e.note,
        )
        for e, name, display in rows
    ]


def offered_to(s: Session, *, actor_id: int, wish_id: int) -> int | None:
    """The member an open offer of the wish waits on, for staff of its branch or an admin."""
    wish, actor = get_wish_and_actor(s, wish_id, actor_id)
    require_staff(actor, wish.branch_id)
    offer = offers.open_offer(s, wish_id=wish.id, kind=OfferKind.direct)
    return offer.member_id if offer else None


def find_by_number(s: Session, *, actor_id: int, number: str) -> Wish:
    """A wish by its human number, e.g. A-0042, for staff of its branch or its owner or assignee."""
    from services.errors import NotFound

    rows = (s.scalars(select(Wish).where(Wish.number == number.strip().upper()))).all()
    actor = load_actor(s, actor_id)
    for wish in rows:
        if actor.is_staff_of(wish.branch_id) or actor_id in (wish.resident_id, wish.assigned_member_id):
            return wish
    raise NotFound("error.no_wish")


def wall(s: Session, *, actor_id: int) -> list[Wish]:
    """Wishes on the wall of the actor's branch, for an approved member to claim."""
    actor = load_actor(s, actor_id)
    if actor.member_branch is None or not actor.is_member_of(actor.member_branch):
        raise NotAllowed("error.not_branch_member")
    query = (
        select(Wish)
        .where(Wish.branch_id == actor.member_branch, Wish.status == S.posted, Wish.resident_id != actor_id)
        .order_by(Wish.submitted_at)
        .limit(20)
    )
    return list((s.scalars(query)).all())


@dataclass(frozen=True)
class MemberRecord:
    status: str
    hours: float
    confirmed: int
    average_rating: float | None
    open_tasks: int


def member_record(s: Session, *, actor_id: int) -> MemberRecord:
    """A member's own service record: hours, confirmed tasks, average rating."""
    from models import MemberProfile
    from services.errors import NotFound

    profile = s.scalar(select(MemberProfile).where(MemberProfile.user_id == actor_id))
    if profile is None:
        raise NotFound("error.no_member")
    open_tasks = len(tasks_of_member(s, actor_id=actor_id))
    average = round(profile.rating_sum / profile.rating_count, 2) if profile.rating_count else None
    return MemberRecord(profile.status, profile.hours_total, profile.tasks_confirmed, average, open_tasks)


@dataclass(frozen=True)
class MemberRow:
    user_id: int
    name: str
    phone: str
    work_unit: str
    status: str
    skills: list[str]


def members_of_branch(
    s: Session,
    *,
    actor_id: int,
    branch_id: int,
    statuses: tuple[str, ...],
    text: str = "",
    limit: int = PAGE,
) -> list[MemberRow]:
    """Staff list their branch's members in some statuses, optionally matching a name or phone."""
    from models import MemberProfile

    require_staff(load_actor(s, actor_id), branch_id)
    query = (
        select(MemberProfile, User.name, User.phone)
        .join(User, User.id == MemberProfile.user_id)
        .where(MemberProfile.branch_id == branch_id, MemberProfile.status.in_(statuses))
        .order_by(MemberProfile.registered_at)
        .limit(limit)
    )
    if text.strip():
        pattern = f"%{text.strip()}%"
        query = query.where(User.name.ilike(pattern) | User.phone.ilike(pattern))
    rows = (s.execute(query)).all()
    return [MemberRow(p.user_id, name, phone, p.work_unit, p.status, p.skills) for p, name, phone in rows]
