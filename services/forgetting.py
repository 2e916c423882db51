"""Forgetting a user (/forgetme, `sandan user forget`): personal data goes, statistics stay.

Open work is ended properly first, with the right people told: the resident's wishes are
cancelled or closed, a member's offers and tasks go back to the branch. Then the person's
name, phone, Telegram account and address are cleared, contact details are scrubbed from the
free text they wrote or that is about their wishes, and their roles end. The rows themselves
(wishes, events, ratings, hours) stay, so every count and report adds up as before. The same
Telegram account writing again is a new user.
"""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from models import (
    ConversationState,
    FollowUp,
    MemberProfile,
    MemberStatus,
    ResidentProfile,
    Staff,
    User,
    Wish,
)
from models.enums import WishStatus as S
from models.types import utcnow
from services.actors import load_actor
from services.erasure import erase_texts
from services.errors import NotAllowed, NotFound
from services.lifecycle import move
from services.note_keys import NoteKey
from services.outbox import STAFF_CACHE, Note, staff_of
from services.retention import clear_outbox_of
from services.revocation import FORGOTTEN, revoke_member
from services.wishes import cancel_wish

# What becomes of a forgotten resident's open wishes.
OWNER_CANCELS = (S.submitted, S.accepted, S.offered, S.posted)  # as the resident could themself
SYSTEM_CANCELS = (S.assigned, S.in_progress)  # a member is on it: told it is off
SYSTEM_CLOSES = (S.completed, S.disputed)  # the work is done or in question: closed, unrated


@dataclass
class Forgotten:
    """What forgetting did, as wish numbers and counts: nothing personal, fit to print or log."""

    user_id: int
    cancelled: list[str] = field(default_factory=list)
    closed: list[str] = field(default_factory=list)
    offers_returned: list[str] = field(default_factory=list)
    tasks_returned: list[str] = field(default_factory=list)
    roles_removed: list[str] = field(default_factory=list)
    texts_scrubbed: int = 0


def user_by_telegram_id(s: Session, *, telegram_id: int) -> User:
    """The user of a Telegram account; NotFound if there is none."""
    user = s.scalar(select(User).where(User.telegram_id == telegram_id))
    if user is None:
        raise NotFound("error.unknown_user")
    return user


def forget_user(
    s: Session, *, actor_id: int | None, user_id: int, now: datetime | None = None
) -> Forgotten:
    """Forget a user: the user themself, an admin, or (actor_id None) the operator at the CLI."""
    now = now or utcnow()
    if actor_id is not None and actor_id != user_id and not (load_actor(s, actor_id)).is_admin:
        raise NotAllowed()
    user = s.get(User, user_id)
    if user is None or user.forgotten_at is not None:
        raise NotFound("error.unknown_user")
    done = Forgotten(user_id)
    done.roles_removed = _end_roles(s, user)
    _end_membership(s, user_id, done, now=now)
    _end_wishes(s, user_id, done, now=now)
    names = [n for n in {user.name, user.display_name} if n]
    done.texts_scrubbed = erase_texts(s, user_id=user_id, names=names, phone=user.phone)
    clear_outbox_of(s, user_id=user_id)
    if user.telegram_id is not None:
        s.execute(delete(ConversationState).where(ConversationState.telegram_id == user.telegram_id))
    _anonymise(s, user, now=now)
    return done


def _end_roles(s: Session, user: User) -> list[str]:
    """Staff and admin rights end first, so that nothing below alerts them as staff."""
    removed = []
    if (s.execute(delete(Staff).where(Staff.user_id == user.id))).rowcount:
        removed.append("staff")
        s.info.pop(STAFF_CACHE, None)
    if user.is_admin:
        user.is_admin = False
        removed.append("admin")
    return removed


def _end_membership(s: Session, user_id: int, done: Forgotten, *, now: datetime) -> None:
    """A member stops getting work, then their offers and tasks go back to the branch."""
    profile = s.scalar(select(MemberProfile).where(MemberProfile.user_id == user_id))
    if profile is None:
        return
    done.roles_removed.append("member")
    # Paused: never offered anything, in no audience; the status note says why.
    profile.status, profile.status_note, profile.work_unit = MemberStatus.paused, FORGOTTEN, ""
    s.flush()
    revoked = revoke_member(s, member_id=user_id, actor=None, note=FORGOTTEN, now=now)
    done.offers_returned, done.tasks_returned = revoked.offers, revoked.tasks


def _end_wishes(s: Session, user_id: int, done: Forgotten, *, now: datetime) -> None:
    """End every open wish the user posted, telling the member and staff involved."""
    open_ = (*OWNER_CANCELS, *SYSTEM_CANCELS, *SYSTEM_CLOSES)
    found = s.scalars(
        select(Wish).where(Wish.resident_id == user_id, Wish.status.in_(open_)).order_by(Wish.id)
    )
    for wish in found.all():
        status = S(wish.status)
        if status in OWNER_CANCELS:
            cancel_wish(s, actor_id=user_id, wish_id=wish.id, now=now)
            done.cancelled.append(wish.number)
        elif status in SYSTEM_CANCELS:
            params = {"number": wish.number, "category": wish.category}
            staff = tuple(
                Note(u, NoteKey.staff_cancelled, params, wish.id) for u in staff_of(s, wish.branch_id)
            )
            closed = {"closed_at": now}
            move(s, wish, S.cancelled, actor=None, values=closed, extra_notes=staff, now=now)
            done.cancelled.append(wish.number)
        else:
            move(s, wish, S.closed, actor=None, values={"closed_at": now}, now=now)
            done.closed.append(wish.number)
    # A follow-up visit (回访) to someone who asked to be forgotten cannot happen.
    s.execute(
        update(FollowUp)
        .where(
            FollowUp.wish_id.in_(select(Wish.id).where(Wish.resident_id == user_id)),
            FollowUp.done_at.is_(None),
        )
        .values(done_at=now, note=FORGOTTEN)
    )


def _anonymise(s: Session, user: User, *, now: datetime) -> None:
    """Clear the person's fields; the row stays, unlinked from Telegram, for the statistics."""
    user.name = user.display_name = user.phone = ""
    user.telegram_id = None
    user.unreachable = True  # nobody to deliver to: kept out of offers, rankings and audiences
    user.forgotten_at = now
    s.execute(
        update(ResidentProfile)
        .where(ResidentProfile.user_id == user.id)
        .values(compound="", building="", unit="", room="")
    )
    s.flush()
