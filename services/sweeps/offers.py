"""Rules that move wishes: offer expiry, auto-dispatch (自动派单), and closing unrated work."""

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from models import Branch, Offer, OfferKind, OfferStatus, SentReminder, Wish
from models.enums import WishStatus as S
from services.dispatch import offer_wish
from services.lifecycle import move
from services.matching import rank_candidates
from services.outbox import Note, queue
from services.sweeps import ledger
from services.sweeps.context import Sweep
from services.wishes import get_wish

_FAILED = (OfferStatus.declined, OfferStatus.expired)


async def expiring_offers(s: AsyncSession, sw: Sweep) -> list[tuple[int, int]]:
    """(offer id, wish id) of direct offers unanswered for the expiry time, quiet hours not counted."""
    rows = await s.execute(
        select(Offer.id, Offer.wish_id, Offer.created_at).where(
            Offer.status == OfferStatus.open,
            Offer.kind == OfferKind.direct,
            Offer.created_at <= sw.now - sw.policy.offer_expiry,
        )
    )
    quiet = sw.policy.quiet
    return [(o, w) for o, w, at in rows if quiet.awake_time(at, sw.now) >= sw.policy.offer_expiry]


async def expire_offer(s: AsyncSession, sw: Sweep, *, offer_id: int, wish_id: int) -> None:
    """Let one offer lapse; offer the next member if the branch dispatches automatically."""
    closed = await s.execute(
        update(Offer)
        .where(Offer.id == offer_id, Offer.status == OfferStatus.open)
        .values(status=OfferStatus.expired, answered_at=sw.now)
        .returning(Offer.member_id)
    )
    member = closed.scalar_one_or_none()
    if member is None:
        return  # answered or withdrawn since the sweep looked
    wish = await get_wish(s, wish_id)
    lapsed = Note(member, "member.offer_expired", {"number": wish.number, "category": wish.category}, wish.id)
    auto = await s.scalar(select(Branch.auto_dispatch).where(Branch.id == wish.branch_id))
    await move(
        s, wish, S.accepted, actor=None, offeree_id=member, extra_notes=(lapsed,), notify=not auto, now=sw.now
    )
    if auto:
        await auto_offer(s, sw, wish=wish)


async def waiting_for_auto_dispatch(s: AsyncSession, sw: Sweep) -> list[int]:
    """Accepted wishes in branches that dispatch automatically and have not given up on them."""
    gave_up = select(SentReminder.wish_id).where(SentReminder.kind == "auto_dispatch")
    rows = await s.scalars(
        select(Wish.id)
        .join(Branch, Branch.id == Wish.branch_id)
        .where(Branch.auto_dispatch, Wish.status == S.accepted, Wish.id.notin_(gave_up))
    )
    return list(rows)


async def auto_offer(s: AsyncSession, sw: Sweep, *, wish: Wish) -> None:
    """Offer the wish to the best-ranked member, or hand it back to staff after too many tries."""
    failed = await s.scalar(
        select(func.count(Offer.id)).where(
            Offer.wish_id == wish.id, Offer.kind == OfferKind.direct, Offer.status.in_(_FAILED)
        )
    )
    best = []
    if failed < sw.policy.max_auto_offers:
        best = await rank_candidates(
            s, actor_id=None, wish_id=wish.id, catalogue=sw.catalogue, limit=1, now=sw.now
        )
    if best:
        await offer_wish(s, actor_id=None, wish_id=wish.id, member_id=best[0].member_id, now=sw.now)
        return
    if await ledger.record(s, [(wish.id, "auto_dispatch", 1)], now=sw.now):
        params = {"number": wish.number, "category": wish.category, "tries": failed}
        await queue(
            s,
            [
                Note(u, "staff.auto_dispatch_failed", params, wish.id)
                for u in await sw.staff(s, wish.branch_id)
            ],
            now=sw.now,
        )


async def unrated_too_long(s: AsyncSession, sw: Sweep) -> list[int]:
    """Completed wishes the resident never rated within the rating window."""
    rows = await s.scalars(
        select(Wish.id).where(
            Wish.status == S.completed, Wish.completed_at <= sw.now - sw.policy.close_unrated
        )
    )
    return list(rows)


async def close_unrated(s: AsyncSession, sw: Sweep, *, wish_id: int) -> None:
    """Close as 已办结（未评价）: done, never rated."""
    wish = await get_wish(s, wish_id)
    if wish.status == S.completed:
        await move(s, wish, S.closed, actor=None, note="unrated", values={"closed_at": sw.now}, now=sw.now)
