"""Taking work back from a member who lost access: suspended, paused, moved, blocked, forgotten.

Everything happens in the caller's transaction, after the caller changed the member's status,
so that the member can take nothing new while this runs and, once it commits, holds nothing.
"""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import OfferKind, OfferStatus, User, Wish
from models.enums import WishStatus as S
from models.types import utcnow
from services import offers
from services.actors import Actor
from services.errors import Conflict
from services.lifecycle import move
from services.note_keys import NoteKey
from services.outbox import Note, queue, staff_of

# Why a member's work went back to staff. Each has its own staff alert with a 派单 button
# (bot/notify.py); a `note` that is one of these codes picks it, any other note is a reason.
SUSPENDED, PAUSED, MOVED, UNREACHABLE, FORGOTTEN, OTHER = (
    "suspended",
    "paused",
    "moved",
    "unreachable",
    "forgotten",
    "other",
)
STAFF_KEYS = {
    SUSPENDED: NoteKey.staff_returned_suspended,
    PAUSED: NoteKey.staff_returned_paused,
    MOVED: NoteKey.staff_returned_moved,
    UNREACHABLE: NoteKey.staff_returned_unreachable,
    FORGOTTEN: NoteKey.staff_returned_forgotten,
    OTHER: NoteKey.staff_returned,
}
TASKS = (S.assigned, S.in_progress)
_CLEAR = {"assigned_member_id": None, "assigned_at": None}


@dataclass
class Revoked:
    """The wish numbers taken back: open offers closed, and tasks handed back to staff."""

    offers: list[str] = field(default_factory=list)
    tasks: list[str] = field(default_factory=list)

    @property
    def wishes(self) -> int:
        return len(self.offers) + len(self.tasks)


def revoke_member(
    s: Session,
    *,
    member_id: int,
    actor: Actor | None,
    note: str,
    now: datetime | None = None,
    why: str | None = None,
) -> Revoked:
    """Close the member's open offers and hand their tasks back to staff, with `note`."""
    now = now or utcnow()
    why = why or (note if note in STAFF_KEYS else OTHER)
    skip = actor.user_id if actor else None
    done = Revoked(
        offers=withdraw_direct_offers(s, member_id=member_id, why=why, note=note, skip=skip, now=now)
    )
    tasks = s.scalars(
        select(Wish).where(Wish.assigned_member_id == member_id, Wish.status.in_(TASKS)).order_by(Wish.id)
    )
    name = _name(s, member_id)
    for wish in tasks.all():
        try:  # the system moves it: staff may not move a task back alone, the table says who may
            move(s, wish, S.accepted, actor=None, note=note, values=_CLEAR, notify=False, now=now)
        except Conflict:  # finished or handed back meanwhile by a transaction that committed first
            continue
        params = {"number": wish.number, "category": wish.category}
        notes = [Note(wish.resident_id, NoteKey.resident_rearranging, params, wish.id)]
        notes += _staff_notes(s, wish, why=why, note=note, member=name)
        queue(s, notes, skip=skip, now=now)
        done.tasks.append(wish.number)
    return done


def withdraw_direct_offers(
    s: Session, *, member_id: int, why: str, note: str, skip: int | None = None, now: datetime
) -> list[str]:
    """Close the member's open direct offers at once; each wish goes back to staff (offered -> accepted).

    Offers close before their wishes move, the lock order every use case keeps.
    """
    closed = offers.close_offers(
        s, member_id=member_id, kind=OfferKind.direct, to=OfferStatus.withdrawn, now=now
    )
    wish_ids = [offer.wish_id for offer in closed]
    if not wish_ids:
        return []
    wishes = s.scalars(
        select(Wish).where(Wish.id.in_(wish_ids), Wish.status == S.offered).order_by(Wish.id)
    )
    name, numbers = _name(s, member_id), []
    for wish in wishes.all():
        notes = tuple(_staff_notes(s, wish, why=why, note=note, member=name))
        move(s, wish, S.accepted, actor=None, offeree_id=member_id, note=note, notify=False, now=now)
        queue(s, notes, skip=skip, now=now)
        numbers.append(wish.number)
    return numbers


def _staff_notes(s: Session, wish: Wish, *, why: str, note: str, member: str) -> list[Note]:
    params = {"number": wish.number, "category": wish.category, "member": member}
    if why in (SUSPENDED, OTHER) and note:  # the staff's reason; the other causes say it themselves
        params["note"] = note
    return [Note(uid, STAFF_KEYS[why], params, wish.id) for uid in staff_of(s, wish.branch_id)]


def _name(s: Session, user_id: int) -> str:
    row = (s.execute(select(User.name, User.display_name).where(User.id == user_id))).one_or_none()
    return (row.name or row.display_name or "") if row else ""
