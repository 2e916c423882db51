"""Read side: wish lists for staff and residents, and a wish's timeline."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import User, Wish, WishEvent
from models.enums import WishStatus as S
from services.actors import load_actor, require_staff
from services.errors import NotAllowed
from services.privacy import mask_name
from services.wishes import get_wish

PAGE = 10


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    from_status: S | None
    to_status: S
    actor: str  # masked name, or "" for the system
    note: str | None


async def wishes_for_staff(
    s: AsyncSession, *, actor_id: int, branch_id: int, statuses: tuple[S, ...], offset: int = 0, limit: int = PAGE
) -> list[Wish]:
    """A branch's wishes in the given statuses, oldest first."""
    require_staff(await load_actor(s, actor_id), branch_id)
    query = (
        select(Wish)
        .where(Wish.branch_id == branch_id, Wish.status.in_(statuses))
        .order_by(Wish.submitted_at, Wish.id)
        .offset(offset)
        .limit(limit)
    )
    return list((await s.scalars(query)).all())


async def wishes_of_resident(s: AsyncSession, *, actor_id: int, limit: int = 20) -> list[Wish]:
    """The actor's own wishes, newest first."""
    query = select(Wish).where(Wish.resident_id == actor_id).order_by(Wish.id.desc()).limit(limit)
    return list((await s.scalars(query)).all())


async def tasks_of_member(s: AsyncSession, *, actor_id: int) -> list[Wish]:
    """The wishes assigned to the actor that are not finished yet."""
    active = (S.assigned, S.in_progress, S.completed, S.disputed)
    query = select(Wish).where(Wish.assigned_member_id == actor_id, Wish.status.in_(active)).order_by(Wish.id)
    return list((await s.scalars(query)).all())


async def timeline(s: AsyncSession, *, actor_id: int, wish_id: int) -> list[TimelineEntry]:
    """The audit timeline, for the owner, the branch staff and the assigned member."""
    wish = await get_wish(s, wish_id)
    actor = await load_actor(s, actor_id)
    if not (actor.is_staff_of(wish.branch_id) or actor_id in (wish.resident_id, wish.assigned_member_id)):
        raise NotAllowed()
    rows = (
        await s.execute(
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
