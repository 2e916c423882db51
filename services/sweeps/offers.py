"""Rules that move wishes: offer expiry, auto-dispatch (自动派单), and closing unrated work."""

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import Branch, Offer, OfferKind, OfferStatus, SentReminder, Wish
from models.enums import WishStatus as S
from models.wishes import in_status
from services import offers
from services.dispatch import offer_wish
from services.lifecycle import move, move_many
from services.matching import rank_candidates
from services.note_keys import NoteKey
from services.outbox import Note, load_staff, queue
from services.recipients import NOTE_COLUMNS
from services.sweeps import ledger
from services.sweeps.context import Sweep
from services.sweeps.kinds import ReminderKind


def expiring_offers(s: Session, sw: Sweep) -> list[tuple[int, int]]:
    """(offer id, wish id) of direct offers unanswered for the expiry time, quiet hours not counted."""
    found = offers.open_offers(s, kind=OfferKind.direct, created_before=sw.now - sw.policy.offer_expiry)
    quiet = sw.policy.quiet
    return [
        (o.id, o.wish_id) for o in found if quiet.awake_time(o.created_at, sw.now) >= sw.policy.offer_expiry
    ]


def expire_offers(s: Session, sw: Sweep, items: list[tuple[int, int]]) -> int:
    """Let offers lapse; staff get the wishes back, or, with auto-dispatch, the next member is asked."""
    closed = offers.close_offers(
        s, offer_ids=[offer for offer, _ in items], to=OfferStatus.expired, now=sw.now
    )
    member_of = {o.wish_id: o.member_id for o in closed}  # offers answered or withdrawn since are gone
    wishes = (
        s.execute(select(*NOTE_COLUMNS).where(Wish.id.in_(member_of), Wish.status == S.offered))
    ).all()
    automatic = set(
        s.scalars(
            select(Branch.id).where(Branch.auto_dispatch, Branch.id.in_({w.branch_id for w in wishes}))
        )
    )
    lapsed = {
        w.id: (
            Note(
                member_of[w.id],
                NoteKey.member_offer_expired,
                {"number": w.number, "category": w.category},
                w.id,
            ),
        )
        for w in wishes
    }
    load_staff(s, {w.branch_id for w in wishes})
    manual = [w for w in wishes if w.branch_id not in automatic]
    move_many(s, manual, S.accepted, members=member_of, extra_notes=lapsed, now=sw.now)
    for wish in s.scalars(
        select(Wish).where(Wish.id.in_([w.id for w in wishes if w.branch_id in automatic]))
    ):
        member = member_of[wish.id]
        move(
            s,
            wish,
            S.accepted,
            actor=None,
            offeree_id=member,
            extra_notes=lapsed[wish.id],
            notify=False,
            now=sw.now,
        )
        auto_offer(s, sw, wish=wish)
    return len(wishes)


def waiting_for_auto_dispatch(s: Session, sw: Sweep) -> list[int]:
    """Accepted wishes in branches that dispatch automatically and have not given up on them."""
    gave_up = select(SentReminder.wish_id).where(SentReminder.kind == ReminderKind.auto_dispatch)
    rows = s.scalars(
        select(Wish.id)
        .join(Branch, Branch.id == Wish.branch_id)
        .where(Branch.auto_dispatch, Wish.status == S.accepted, Wish.id.notin_(gave_up))
    )
    return list(rows)


def auto_offer(s: Session, sw: Sweep, *, wish: Wish) -> bool:
    """Offer the wish to the best-ranked member (True), or hand it back to staff after too many tries."""
    failed = s.scalar(
        select(func.count(Offer.id)).where(
            Offer.wish_id == wish.id, Offer.kind == OfferKind.direct, Offer.status.in_(offers.FAILED)
        )
    )
    best = []
    if failed < sw.policy.max_auto_offers:
        best = rank_candidates(
            s, actor_id=None, wish_id=wish.id, catalogue=sw.catalogue, limit=1, now=sw.now
        )
    if best:
        offer_wish(s, actor_id=None, wish_id=wish.id, member_id=best[0].member_id, now=sw.now)
        return True
    if ledger.record(s, [(wish.id, ReminderKind.auto_dispatch, 1)], now=sw.now):
        params = {"number": wish.number, "category": wish.category, "tries": failed}
        queue(
            s,
            [
                Note(u, NoteKey.staff_auto_dispatch_failed, params, wish.id)
                for u in sw.staff(s, wish.branch_id)
            ],
            now=sw.now,
        )
    return False


def unrated_too_long(s: Session, sw: Sweep) -> list[int]:
    """Completed wishes the resident never rated within the rating window."""
    rows = s.scalars(
        select(Wish.id).where(in_status(S.completed), Wish.completed_at <= sw.now - sw.policy.close_unrated)
    )
    return list(rows)


def close_unrated(s: Session, sw: Sweep, wish_ids: list[int]) -> int:
    """Close as 已办结（未评价）: done, never rated."""
    wishes = (
        s.execute(select(*NOTE_COLUMNS).where(Wish.id.in_(wish_ids), Wish.status == S.completed))
    ).all()
    closed = move_many(s, wishes, S.closed, note="unrated", values={"closed_at": sw.now}, now=sw.now)
    return len(closed)


def auto_dispatch(s: Session, sw: Sweep, wish_ids: list[int]) -> int:
    """Offer each accepted wish of an auto-dispatching branch to its best-ranked member; how many were."""
    offered = 0
    for wish in s.scalars(select(Wish).where(Wish.id.in_(wish_ids), Wish.status == S.accepted)):
        offered += auto_offer(s, sw, wish=wish)
    return offered
