"""What "overdue" means: one definition for reports and the scheduler's sweeps.

A wish is overdue when
- it was submitted and nobody triaged it for TRIAGE_WITHIN;
- it is offered to a member who has not answered for OFFER_ANSWER_WITHIN, or posted on the
  wall and unclaimed for WALL_CLAIM_WITHIN (counted from the open offer or posting);
- it is assigned or in progress, and either its preferred date has passed (local day) or it
  was taken more than WORK_WITHIN ago.
"""

from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, and_, exists, or_, select

from models import Offer, OfferKind, OfferStatus, Wish
from models.enums import WishStatus as S

TRIAGE_WITHIN = timedelta(hours=24)
OFFER_ANSWER_WITHIN = timedelta(hours=24)
WALL_CLAIM_WITHIN = timedelta(hours=48)
WORK_WITHIN = timedelta(hours=72)


def overdue_condition(*, now: datetime, today: date) -> ColumnElement[bool]:
    """A WHERE clause on Wish that is true for overdue wishes; `today` is the local date of `now`."""
    waiting_offer = exists(
        select(Offer.id).where(
            Offer.wish_id == Wish.id,
            Offer.status == OfferStatus.open,
            or_(
                and_(Offer.kind == OfferKind.direct, Offer.created_at < now - OFFER_ANSWER_WITHIN),
                and_(Offer.kind == OfferKind.wall, Offer.created_at < now - WALL_CLAIM_WITHIN),
            ),
        )
    )
    return or_(
        and_(Wish.status == S.submitted, Wish.submitted_at < now - TRIAGE_WITHIN),
        and_(Wish.status.in_((S.offered, S.posted)), waiting_offer),
        and_(
            Wish.status.in_((S.assigned, S.in_progress)),
            or_(Wish.assigned_at < now - WORK_WITHIN, Wish.preferred_date < today),
        ),
    )
