"""Which open wishes are overdue, by the same thresholds the reminders use."""

from collections import Counter
from datetime import datetime

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Offer, OfferKind, OfferStatus, Wish
from models.enums import WishStatus as S
from services.sweeps.deadlines import min_task_age, task_deadline
from services.sweeps.policy import SweepPolicy


async def overdue_by_branch(s: AsyncSession, *, now: datetime, policy: SweepPolicy) -> Counter:
    """Per branch id, how many wishes are overdue now.

    Overdue: submitted and untriaged past the escalation time; on the wall
    unclaimed past the wall time; offered and unanswered past the expiry time;
    assigned or in progress past the task deadline (services.sweeps.deadlines).
    """
    counts: Counter = Counter()
    untriaged = select(Wish.branch_id, func.count()).where(
        Wish.status == S.submitted, Wish.submitted_at <= now - policy.triage_escalation
    )
    waiting = (
        select(Wish.branch_id, func.count())
        .join(Offer, and_(Offer.wish_id == Wish.id, Offer.status == OfferStatus.open))
        .where(
            ((Offer.kind == OfferKind.wall) & (Offer.created_at <= now - policy.wall_unclaimed))
            | ((Offer.kind == OfferKind.direct) & (Offer.created_at <= now - policy.offer_expiry)),
            Wish.status.in_((S.posted, S.offered)),
        )
    )
    for stmt in (untriaged, waiting):
        counts.update(dict((await s.execute(stmt.group_by(Wish.branch_id))).all()))
    tasks = await s.execute(
        select(
            Wish.branch_id, Wish.time_window, Wish.preferred_date, Wish.submitted_at, Wish.assigned_at
        ).where(
            Wish.status.in_((S.assigned, S.in_progress)),
            Wish.assigned_at <= now - min_task_age(policy.task_overdue),
        )
    )
    for branch_id, window, preferred, submitted, assigned in tasks:
        deadline = task_deadline(
            window=window,
            preferred_date=preferred,
            submitted_at=submitted,
            assigned_at=assigned,
            limit=policy.task_overdue,
            tz=policy.tz,
        )
        if now >= deadline:
            counts[branch_id] += 1
    return counts
