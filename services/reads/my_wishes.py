"""One wish as its resident, its assigned member or the branch staff see it from 我的心愿."""

from dataclasses import dataclass, replace

from sqlalchemy.orm import Session

from models import Wish
from services import queries
from services.errors import NotAllowed
from services.personal_data import OUTCOMES  # the notes a resident may read, as in /mydata
from services.privacy import Contact, may_see_contact, reveal_contact, shown_text
from services.queries import TimelineEntry
from services.wishes import get_wish_and_actor


@dataclass(frozen=True)
class MyWish:
    wish: Wish
    text: str  # as typed for its resident and those who see contacts, else scrubbed
    contact: Contact | None  # the resident's contact, only for those who see it in full
    events: list[TimelineEntry]  # each note only if this actor may read it, else None


def my_wish(s: Session, *, actor_id: int, wish_id: int) -> MyWish:
    """A wish's details and timeline for its resident, staff of its branch or an admin, or its
    assigned member; NotAllowed for anyone else."""
    wish, actor = get_wish_and_actor(s, wish_id, actor_id)
    staff = actor.is_staff_of(wish.branch_id)
    own = actor_id == wish.resident_id
    if not (staff or own or actor_id == wish.assigned_member_id):
        raise NotAllowed()

    def shown(text: str | None) -> str | None:
        return text if own else shown_text(actor, wish, text)

    def readable(e: TimelineEntry) -> bool:
        # The rejection reason has a line of its own, so its note is not repeated.
        return bool(e.note) and (staff or e.to_status in OUTCOMES) and e.note != wish.rejection_reason

    events = queries.timeline(s, actor_id=actor_id, wish_id=wish.id)
    contact = reveal_contact(s, actor_id=actor_id, wish_id=wish.id) if may_see_contact(actor, wish) else None
    return MyWish(
        wish=wish,
        text=shown(wish.text) or "",
        contact=contact,
        events=[replace(e, note=shown(e.note) if readable(e) else None) for e in events],
    )
