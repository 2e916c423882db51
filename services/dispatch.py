"""Offering a wish (下单), the wall (心愿墙), and taking the job (接单)."""

from datetime import datetime

from sqlalchemy import Row, bindparam, select
from sqlalchemy.orm import Session

from models import MemberProfile, MemberStatus, Offer, OfferKind, OfferStatus, User, Wish
from models.enums import WishStatus as S
from models.types import utcnow
from services import offers
from services.actors import ROLE_COLUMNS, Actor, actor_of, require_member, require_staff, with_roles
from services.errors import Conflict, InvalidInput, NotAllowed, NotFound
from services.inserts import insert_new
from services.lifecycle import move, require_status
from services.validation import clean_text
from services.wishes import get_wish, get_wish_and_actor

# Statements built once; see services.lifecycle for why.
_OFFER, _WISH = Offer.__table__, Wish.__table__
# The offer being answered, its wish and the member's roles, in one statement.
_ANSWERED = (
    select(Wish, _OFFER.c.id, _OFFER.c.kind, _OFFER.c.member_id, *ROLE_COLUMNS)
    .select_from(with_roles(_OFFER.join(_WISH, _WISH.c.id == _OFFER.c.wish_id), bindparam("actor_id")))
    .where(_OFFER.c.id == bindparam("offer_id"))
)
_PROFILE = MemberProfile.__table__
_USERS = User.__table__
_MEMBER = (
    select(_PROFILE.c.branch_id, _PROFILE.c.status, _USERS.c.unreachable)
    .select_from(_PROFILE.join(_USERS, _USERS.c.id == _PROFILE.c.user_id))
    .where(_PROFILE.c.user_id == bindparam("user_id"))
)


def _answerable(s: Session, offer_id: int, actor_id: int) -> tuple[Row, Wish, Actor]:
    """A direct offer to the actor (a row), its wish and the actor, or the refusal.

    Reading the wish before the offer's UPDATE is safe: a wish leaves `offered` only in a
    transaction that closed this offer first, and then the UPDATE changes nothing.
    """
    rows = (s.execute(_ANSWERED, {"offer_id": offer_id, "actor_id": actor_id})).all()
    if not rows or rows[0].kind != OfferKind.direct:
        raise NotFound("error.offer_gone")
    if rows[0].member_id != actor_id:
        raise NotAllowed("error.not_your_offer")
    return rows[0], rows[0][0], actor_of(rows)


def offer_wish(
    s: Session,
    *,
    actor_id: int,
    wish_id: int,
    member_id: int | None,
    now: datetime | None = None,
) -> Offer:
    """Staff offer an accepted wish to one approved member of the branch.

    `actor_id` None is the scheduler's auto-dispatch.
    """
    now = now or utcnow()
    if actor_id is None:
        wish, actor = get_wish(s, wish_id), None
    else:
        wish, actor = get_wish_and_actor(s, wish_id, actor_id)
        require_staff(actor, wish.branch_id)
    member = (s.execute(_MEMBER, {"user_id": member_id})).one_or_none()
    if member is None or member.branch_id != wish.branch_id or member.status != MemberStatus.approved:
        raise InvalidInput("invalid.member_unavailable")
    if member.unreachable:  # the offer could never reach them; it would only sit there until it lapsed
        raise InvalidInput("invalid.member_unreachable")
    if member_id == wish.resident_id:
        raise InvalidInput("invalid.own_wish")
    offer = Offer(
        wish_id=wish.id, kind=OfferKind.direct, member_id=member_id, offered_by=actor_id, created_at=now
    )
    move(s, wish, S.offered, actor=actor, offeree_id=member_id, now=now)
    insert_new(s, offer)
    return offer


def post_to_wall(s: Session, *, actor_id: int, wish_id: int, now: datetime | None = None) -> Offer:
    """Staff post an accepted wish on the wall for any member of the branch to claim."""
    now = now or utcnow()
    wish, actor = get_wish_and_actor(s, wish_id, actor_id)
    move(s, wish, S.posted, actor=actor, now=now)
    offer = Offer(wish_id=wish.id, kind=OfferKind.wall, offered_by=actor_id, created_at=now)
    insert_new(s, offer)
    return offer


def withdraw_from_wall(
    s: Session, *, actor_id: int, wish_id: int, now: datetime | None = None
) -> Wish:
    """Staff take a wish back off the wall."""
    now = now or utcnow()
    wish, actor = get_wish_and_actor(s, wish_id, actor_id)
    require_status(wish, S.posted)
    posting = offers.open_offer(s, wish_id=wish.id, kind=OfferKind.wall)
    if posting:  # the posting before the wish: the lock order claim_from_wall uses
        offers.close_offer(s, offer_id=posting.id, to=OfferStatus.withdrawn, now=now)
    return move(s, wish, S.accepted, actor=actor, now=now)


def take_offer(s: Session, *, actor_id: int, offer_id: int, now: datetime | None = None) -> Wish:
    """The member an offer was made to takes the job (接单)."""
    now = now or utcnow()
    offer, wish, actor = _answerable(s, offer_id, actor_id)
    require_member(actor, wish.branch_id)  # approved now: an offer made before a suspension is no licence
    offers.close_offer(s, offer_id=offer.id, member_id=actor_id, to=OfferStatus.taken, now=now)
    values = {"assigned_member_id": actor_id, "assigned_at": now}
    return move(s, wish, S.assigned, actor=actor, offeree_id=actor_id, values=values, now=now)


def claim_from_wall(
    s: Session, *, actor_id: int, wish_id: int, now: datetime | None = None
) -> Wish:
    """Any approved member of the branch claims a wall posting; the first claim wins."""
    now = now or utcnow()
    wish, actor = get_wish_and_actor(s, wish_id, actor_id)
    require_member(actor, wish.branch_id)
    if actor.user_id == wish.resident_id:
        raise NotAllowed("error.not_branch_member")
    # The posting before the wish; of members claiming together, one closes it, the rest find none.
    taken = offers.close_offers(
        s, wish_id=wish.id, kind=OfferKind.wall, claimant_id=actor_id, to=OfferStatus.taken, now=now
    )
    if not taken:
        raise Conflict("error.already_taken")
    values = {"assigned_member_id": actor_id, "assigned_at": now}
    return move(s, wish, S.assigned, actor=actor, values=values, now=now)


def decline_offer(
    s: Session, *, actor_id: int, offer_id: int, reason: str, now: datetime | None = None
) -> Wish:
    """The member declines an offer (婉拒) with a reason; staff are told."""
    now = now or utcnow()
    reason = clean_text(reason, field="reason_text", max_len=500)
    offer, wish, actor = _answerable(s, offer_id, actor_id)
    offers.close_offer(
        s, offer_id=offer.id, member_id=actor_id, to=OfferStatus.declined, reason=reason, now=now
    )
    return move(s, wish, S.accepted, actor=actor, offeree_id=actor_id, note=reason, now=now)


def release_wish(
    s: Session, *, actor_id: int, wish_id: int, reason: str, now: datetime | None = None
) -> Wish:
    """The member drops out (无法完成), or staff take the job back to reassign it."""
    now = now or utcnow()
    reason = clean_text(reason, field="reason_text", max_len=500)
    wish, actor = get_wish_and_actor(s, wish_id, actor_id)
    require_status(wish, S.assigned, S.in_progress)
    values = {"assigned_member_id": None, "assigned_at": None}
    return move(s, wish, S.accepted, actor=actor, note=reason, values=values, now=now)


def open_offer_for(s: Session, *, wish_id: int, member_id: int) -> offers.OfferRef:
    """The open direct offer of this wish to this member, or Conflict if it is gone."""
    offer = offers.open_offer(s, wish_id=wish_id, member_id=member_id, kind=OfferKind.direct)
    if offer is None:
        raise Conflict("error.offer_gone")
    return offer
