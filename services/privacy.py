"""Masking for lists, and who may see a resident's contact details."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import ResidentProfile, User, Wish
from models.enums import WishStatus as S
from services.actors import load_actor
from services.errors import NotAllowed, NotFound

# The assigned member sees the contact from 接单 until the wish ends.
ASSIGNEE_SEES_CONTACT = frozenset({S.assigned, S.in_progress, S.completed, S.disputed})


def mask_name(name: str) -> str:
    """张三 -> 张*: the first character, then one star."""
    name = (name or "").strip()
    return f"{name[0]}*" if name else "*"


def mask_phone(phone: str) -> str:
    """+8613812341234 -> 138****1234."""
    digits = phone.removeprefix("+86") if phone.startswith("+86") else phone.lstrip("+")
    if len(digits) < 7:
        return "****"
    return f"{digits[:3]}****{digits[-4:]}"


@dataclass(frozen=True)
class Contact:
    name: str
    phone: str
    compound: str
    building: str
    unit: str
    room: str

    @property
    def address(self) -> str:
        return " ".join(part for part in (self.compound, self.building, self.unit, self.room) if part)


def may_see_contact(actor, wish: Wish) -> bool:
    """Staff of the branch, or the assigned member while the job is theirs."""
    if actor.is_staff_of(wish.branch_id):
        return True
    return actor.user_id == wish.assigned_member_id and S(wish.status) in ASSIGNEE_SEES_CONTACT


async def reveal_contact(s: AsyncSession, *, actor_id: int, wish_id: int) -> Contact:
    """The resident's name, phone and address, for those allowed to see them."""
    wish = await s.get(Wish, wish_id)
    if wish is None:
        raise NotFound("error.no_wish")
    if not may_see_contact(await load_actor(s, actor_id), wish):
        raise NotAllowed("error.contact_hidden")
    user = await s.get(User, wish.resident_id)
    profile = await s.scalar(select(ResidentProfile).where(ResidentProfile.user_id == user.id))
    parts = (profile.compound, profile.building, profile.unit, profile.room) if profile else ("",) * 4
    return Contact(user.name or user.display_name, user.phone, *parts)
