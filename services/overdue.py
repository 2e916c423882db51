"""What "overdue" means: one definition, from the scheduler's thresholds, for sweeps, digests and reports.

A wish is overdue when
- it was submitted and nobody triaged it within TRIAGE_ESCALATE_HOURS;
- it is offered to a member who has not answered within OFFER_EXPIRE_HOURS, or posted on
  the wall and unclaimed for WALL_REMIND_HOURS (counted from the open offer or posting);
- it is assigned or in progress, and was taken TASK_OVERDUE_HOURS ago, or its preferred
  date has passed (local day) and it was taken at least GRACE ago.
"""

from collections import Counter
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, exists, or_, select
from sqlalchemy.orm import Session

from models import Offer, OfferKind, OfferStatus, Wish
from models.enums import WishStatus as S
from models.wishes import in_status
from services.sweeps.policy import SweepPolicy

# A member who took a job after its preferred date had passed gets this long before it counts as late.
GRACE = timedelta(hours=12)


def task_overdue(*, now: datetime, policy: SweepPolicy) -> ColumnElement[bool]:
    """A WHERE clause on Wish: assigned or in progress, and late."""
    today = now.astimezone(policy.tz).date()
    return and_(
        in_status(S.assigned, S.in_progress),
        or_(
            Wish.assigned_at <= now - policy.task_overdue,
            and_(Wish.preferred_date < today, Wish.assigned_at <= now - GRACE),
        ),
    )


def overdue_conditions(*, now: datetime, policy: SweepPolicy) -> tuple[ColumnElement[bool], ...]:
    """WHERE clauses on Wish, one per kind of delay; a wish is overdue if one of them holds.

    They are kept apart, not joined with OR, so that each is answered from its own index.
    """
    waiting_offer = exists(
        select(Offer.id).where(
            Offer.wish_id == Wish.id,
            Offer.status == OfferStatus.open,
            or_(
                and_(Offer.kind == OfferKind.direct, Offer.created_at <= now - policy.offer_expiry),
                and_(Offer.kind == OfferKind.wall, Offer.created_at <= now - policy.wall_unclaimed),
            ),
        )
    )
    return (
        and_(in_status(S.submitted), Wish.submitted_at <= now - policy.triage_escalation),
        and_(Wish.status.in_((S.offered, S.posted)), waiting_offer),
        task_overdue(now=now, policy=policy),
    )


def overdue_by_branch(
    s: Session, *, now: datetime, policy: SweepPolicy, branch_id: int | None = None
) -> Counter:
    """Overdue wishes right now, per branch id (one branch, if given)."""
    counts: Counter = Counter()
    for condition in overdue_conditions(now=now, policy=policy):  # the kinds exclude each other
        query = select(Wish.branch_id).where(condition)
        if branch_id is not None:
            query = query.where(Wish.branch_id == branch_id)
        # Counted here, not with GROUP BY, which would lead SQLite to walk a branch index over
        # every wish instead of the few the condition's own (partial) index holds.
        counts.update(s.scalars(query))
    return counts
