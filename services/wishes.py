"""Posting a wish (点单), triage (受理 / 不予受理) and cancelling."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from models import Branch, OfferStatus, Priority, ResidentProfile, TimeWindow, Wish, WishEvent
from models.enums import OPEN_STATUSES
from models.enums import WishStatus as S
from models.types import utcnow
from services import offers
from services.actors import ROLE_COLUMNS, Actor, actor_of, with_roles
from services.catalogue import Catalogue
from services.errors import InvalidInput, NotFound
from services.inserts import insert_new
from services.lifecycle import move, require_status
from services.outbox import Note, queue, staff_of
from services.recipients import NEW_WISH
from services.validation import clean_text

MAX_DAYS_AHEAD = 90


@dataclass(frozen=True)
class WishDraft:
    category: str
    text: str
    time_window: TimeWindow = TimeWindow.asap
    preferred_date: date | None = None
    photo_file_ids: tuple[str, ...] = ()
    voice_file_id: str | None = None


@dataclass(frozen=True)
class Limits:
    max_open_wishes: int = 5
    max_photos: int = 3
    # Wishes one resident may submit an hour, cancelled ones included (a submit/cancel loop is
    # refused politely). None: no limit; `sandan run` sets it from MAX_WISHES_PER_HOUR.
    max_wishes_per_hour: int | None = None


# Statements built once; see services.lifecycle for why.
_GET_WISH = select(Wish).where(Wish.id == bindparam("wish_id"))
_WISH_AND_ROLES = (
    select(Wish, *ROLE_COLUMNS)
    .select_from(with_roles(Wish.__table__, bindparam("actor_id")))
    .where(Wish.id == bindparam("wish_id"))
)
_PROFILE = ResidentProfile.__table__
_RESIDENT = select(_PROFILE.c.branch_id, _PROFILE.c.grid_id).where(_PROFILE.c.user_id == bindparam("user_id"))
_BRANCH = Branch.__table__
_NEXT_NUMBER = (
    update(_BRANCH)
    .where(_BRANCH.c.id == bindparam("branch_id"))
    .values(wish_seq=_BRANCH.c.wish_seq + 1)
    .returning(_BRANCH.c.wish_seq, _BRANCH.c.code)
)
_WISHES = Wish.__table__
_COUNTS = (  # the resident's open wishes, and those submitted since `since`, in one statement
    select(
        func.count().filter(_WISHES.c.status.in_(OPEN_STATUSES)),
        func.count().filter(_WISHES.c.submitted_at >= bindparam("since")),
    )
    .select_from(_WISHES)
    .where(_WISHES.c.resident_id == bindparam("resident_id"))
)
_AUDIT = insert(WishEvent.__table__)


def get_wish(s: Session, wish_id: int) -> Wish:
    """Load a wish or raise NotFound."""
    wish = (s.execute(_GET_WISH, {"wish_id": wish_id})).scalar_one_or_none()
    if wish is None:
        raise NotFound("error.no_wish")
    return wish


def get_wish_and_actor(s: Session, wish_id: int, actor_id: int) -> tuple[Wish, Actor]:
    """Load a wish and the acting user's roles in one statement; NotFound if either is missing."""
    rows = (s.execute(_WISH_AND_ROLES, {"wish_id": wish_id, "actor_id": actor_id})).all()
    if not rows:
        raise NotFound("error.no_wish")
    return rows[0][0], actor_of(rows)


def _check_draft(draft: WishDraft, catalogue: Catalogue, limits: Limits, today: date) -> str:
    if draft.category not in catalogue.categories:
        raise InvalidInput("invalid.category")
    if len(draft.photo_file_ids) > limits.max_photos:
        raise InvalidInput("invalid.photos", max=limits.max_photos)
    if draft.voice_file_id and not draft.text.strip():
        text = "🎤"  # a voice-only wish: staff listen to it
    else:
        text = clean_text(draft.text, field="wish_text", max_len=1000)
    latest = today + timedelta(days=MAX_DAYS_AHEAD)
    if draft.time_window == TimeWindow.on_date and not (
        draft.preferred_date is not None and today <= draft.preferred_date <= latest
    ):
        raise InvalidInput("invalid.date", days=MAX_DAYS_AHEAD)
    return text


def submit_wish(
    s: Session,
    *,
    actor_id: int,
    draft: WishDraft,
    catalogue: Catalogue,
    limits: Limits,
    today: date,
    now: datetime | None = None,
) -> Wish:
    """A registered resident posts a wish; the branch staff are told at once."""
    now = now or utcnow()
    profile = (s.execute(_RESIDENT, {"user_id": actor_id})).one_or_none()
    if profile is None:
        raise InvalidInput("error.register_first")
    text = _check_draft(draft, catalogue, limits, today)
    # Take the number first: the UPDATE locks the branch row, so concurrent submissions wait
    # here and then count each other's wishes. A refusal below rolls the number back.
    seq, code = (s.execute(_NEXT_NUMBER, {"branch_id": profile.branch_id})).one()
    since = now - timedelta(hours=1)
    open_count, lately = (s.execute(_COUNTS, {"resident_id": actor_id, "since": since})).one()
    if open_count >= limits.max_open_wishes:
        raise InvalidInput("invalid.too_many_open", max=limits.max_open_wishes)
    if limits.max_wishes_per_hour is not None and lately >= limits.max_wishes_per_hour:
        raise InvalidInput("invalid.too_many_submissions", max=limits.max_wishes_per_hour)
    wish = Wish(
        number=f"{code}-{seq:04d}",
        branch_id=profile.branch_id,
        grid_id=profile.grid_id,
        resident_id=actor_id,
        category=draft.category,
        text=text,
        photo_file_ids=list(draft.photo_file_ids),
        voice_file_id=draft.voice_file_id,
        time_window=draft.time_window,
        preferred_date=draft.preferred_date if draft.time_window == TimeWindow.on_date else None,
        submitted_at=now,
    )
    insert_new(s, wish)
    audit = {"wish_id": wish.id, "actor_id": actor_id, "from_status": None, "to_status": S.submitted}
    s.execute(_AUDIT, {**audit, "at": now})
    params = {"number": wish.number, "category": wish.category}
    notes = [Note(uid, NEW_WISH, params, wish.id) for uid in staff_of(s, wish.branch_id)]
    queue(s, notes, skip=actor_id, now=now, caused_by=actor_id)
    return wish


def accept_wish(
    s: Session,
    *,
    actor_id: int,
    wish_id: int,
    category: str,
    priority: Priority,
    catalogue: Catalogue,
    now: datetime | None = None,
) -> Wish:
    """Staff accept a wish (受理), confirming its category and priority."""
    now = now or utcnow()
    if category not in catalogue.categories:
        raise InvalidInput("invalid.category")
    wish, actor = get_wish_and_actor(s, wish_id, actor_id)
    require_status(wish, S.submitted)
    values = {"category": category, "priority": Priority(priority), "triaged_at": now}
    return move(s, wish, S.accepted, actor=actor, values=values, now=now)


def reject_wish(
    s: Session,
    *,
    actor_id: int,
    wish_id: int,
    reason: str,
    note: str | None,
    catalogue: Catalogue,
    expected: tuple[S, ...] = (S.submitted, S.accepted),
    now: datetime | None = None,
) -> Wish:
    """Staff reject a wish (不予受理) with a reason; the catalogue supplies any referral.

    `expected` narrows the statuses it may be rejected from, e.g. to what the staff member saw.
    """
    now = now or utcnow()
    if reason not in catalogue.rejections:
        raise InvalidInput("invalid.reason")
    note = clean_text(note, field="note", max_len=500) if note and note.strip() else None
    wish, actor = get_wish_and_actor(s, wish_id, actor_id)
    require_status(wish, *expected)
    values = {"rejection_reason": reason, "rejection_note": note, "closed_at": now}
    if wish.triaged_at is None:
        values["triaged_at"] = now
    return move(s, wish, S.rejected, actor=actor, note=note or reason, values=values, now=now)


def cancel_wish(
    s: Session, *, actor_id: int, wish_id: int, note: str | None = None, now: datetime | None = None
) -> Wish:
    """The resident (or staff) cancels a wish nobody has taken yet."""
    now = now or utcnow()
    wish, actor = get_wish_and_actor(s, wish_id, actor_id)
    # The offer before the wish: the lock order take, claim and decline use. One that closed
    # meanwhile moved the wish too, so the move below then refuses with Conflict.
    withdrawn = offers.close_offers(s, wish_id=wish.id, to=OfferStatus.withdrawn, now=now)
    offeree = withdrawn[0].member_id if withdrawn else None
    move(
        s, wish, S.cancelled, actor=actor, offeree_id=offeree, note=note, values={"closed_at": now}, now=now
    )
    return wish
