"""Masking for lists, and who may see a resident's contact details.

The rule, one predicate for the screen and for exports: a person's full name, phone and exact
address in a wish's record are shown only to the staff of that wish's branch (a Staff row for
that branch) and, for the resident's contact, to the member assigned to the wish while the job
is theirs. Everyone else who may look at the wish, an admin who is not staff of that branch
included, gets 张*, 138****1234 and no address. Admins may still act in every branch.
"""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import ResidentProfile, User, Wish
from models.enums import WishStatus as S
from services.actors import Actor, load_actor
from services.errors import NotAllowed, NotFound
from services.scrubbing import scrub_contacts

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
    full: bool = True  # False: masked, for someone who may look at the wish but not its contacts

    @property
    def address(self) -> str:
        return " ".join(part for part in (self.compound, self.building, self.unit, self.room) if part)


def sees_contacts(
    actor: Actor, *, branch_id: int, assigned_member_id: int | None = None, status: str | None = None
) -> bool:
    """The rule: staff of that branch (being an admin is not enough), or the assigned member
    while the job is theirs."""
    if branch_id in actor.staff_branches:
        return True
    return (
        assigned_member_id is not None
        and actor.user_id == assigned_member_id
        and actor.is_member_of(branch_id)  # suspended, paused or moved away: no longer
        and status is not None
        and S(status) in ASSIGNEE_SEES_CONTACT
    )


def may_see_contact(actor: Actor, wish: Wish) -> bool:
    """Whether the actor sees the contact details in this wish's record."""
    return sees_contacts(
        actor, branch_id=wish.branch_id, assigned_member_id=wish.assigned_member_id, status=wish.status
    )


def shown_name(actor: Actor, wish: Wish, name: str | None) -> str | None:
    """A person's name in a wish's record: in full for those who see contacts, else masked."""
    if not name:
        return None
    return name if may_see_contact(actor, wish) else mask_name(name)


def shown_text(actor: Actor, wish: Wish, text: str | None) -> str | None:
    """Free text of a wish's record (description, notes, comments), scrubbed of phone and house
    numbers for those who may not see contacts."""
    if not text or may_see_contact(actor, wish):
        return text
    return scrub_contacts(text)


def shown_contact(actor: Actor, wish: Wish, user: User, profile: ResidentProfile | None) -> Contact:
    """The resident's contact as this actor may see it: in full, or masked without an address."""
    name = user.name or user.display_name
    if may_see_contact(actor, wish):
        parts = (profile.compound, profile.building, profile.unit, profile.room) if profile else ("",) * 4
        return Contact(name, user.phone, *parts)
    return Contact(mask_name(name), mask_phone(user.phone) if user.phone else "", "", "", "", "", full=False)


def reveal_contact(s: Session, *, actor_id: int, wish_id: int) -> Contact:
    """The resident's contact for those allowed to see it, masked for staff and admins who may
    look at the wish but not at its contacts; refused to anyone else."""
    wish = s.get(Wish, wish_id)
    if wish is None:
        raise NotFound("error.no_wish")
    actor = load_actor(s, actor_id)
    if not (may_see_contact(actor, wish) or actor.is_staff_of(wish.branch_id)):
        raise NotAllowed("error.contact_hidden")
    user = s.get(User, wish.resident_id)
    profile = s.scalar(select(ResidentProfile).where(ResidentProfile.user_id == user.id))
    return shown_contact(actor, wish, user, profile)
