"""The staff view of one wish (/wish NUMBER): its people and its timeline, as the privacy rule
lets the actor see them."""

from dataclasses import dataclass, replace

from sqlalchemy.orm import Session

from models import User, Wish
from services import queries
from services.actors import require_staff
from services.privacy import Contact, mask_name, mask_phone, may_see_contact, reveal_contact, shown_text
from services.queries import TimelineEntry
from services.wishes import get_wish_and_actor


@dataclass(frozen=True)
class Person:
    name: str
    phone: str  # in full (E.164) for those who see contacts, else masked or ""
    unreachable: bool  # blocked the bot


@dataclass(frozen=True)
class WishDetails:
    wish: Wish
    full: bool  # the actor sees contacts in full, so the screen must not be forwarded
    text: str | None
    completion_note: str | None
    resident: Contact
    resident_unreachable: bool
    member: Person | None  # the assigned member, else the one an open direct offer waits on
    assigned: bool  # whether `member` is assigned rather than offered
    events: list[TimelineEntry]  # notes as the actor may see them


def wish_details(s: Session, *, actor_id: int, wish_id: int) -> WishDetails:
    """A wish with its resident, member and timeline for staff of its branch or an admin; NotAllowed
    for anyone else. An admin who is not staff there gets contacts masked and free text scrubbed."""
    wish, actor = get_wish_and_actor(s, wish_id, actor_id)
    require_staff(actor, wish.branch_id)  # on its own: callers may pass any id a button carries
    full = may_see_contact(actor, wish)
    contact = reveal_contact(s, actor_id=actor_id, wish_id=wish.id)
    resident = s.get(User, wish.resident_id)
    member_id = wish.assigned_member_id or queries.offered_to(s, actor_id=actor_id, wish_id=wish.id)
    events = queries.timeline(s, actor_id=actor_id, wish_id=wish.id)
    return WishDetails(
        wish=wish,
        full=full,
        text=shown_text(actor, wish, wish.text),
        completion_note=shown_text(actor, wish, wish.completion_note),
        resident=contact,
        resident_unreachable=resident.unreachable,
        member=_person(s, full, member_id) if member_id else None,
        assigned=wish.assigned_member_id is not None,
        events=[replace(e, note=shown_text(actor, wish, e.note)) for e in events],
    )


def _person(s: Session, full: bool, user_id: int) -> Person:
    """A member's name and phone, masked by the same rule as the resident's contact."""
    user = s.get(User, user_id)
    name, phone = user.name or user.display_name, user.phone or ""
    if not full:
        name, phone = mask_name(name), mask_phone(phone) if phone else ""
    return Person(name, phone, user.unreachable)
