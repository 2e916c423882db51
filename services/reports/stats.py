"""The data behind /stats and /branches: one branch, all branches, or each branch side by side."""

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import Branch, Rating, Wish
from models.enums import OPEN_STATUSES
from models.enums import WishStatus as S
from services.actors import Actor, load_actor, require_staff
from services.errors import NotAllowed
from services.overdue import overdue_by_branch
from services.reports.figures import Figures, Row, summarise
from services.reports.periods import Period
from services.sweeps.policy import DEFAULT_POLICY, SweepPolicy


def require_scope(actor: Actor, branch_id: int | None) -> None:
    """Staff of that branch or an admin; all branches (None) is for admins only."""
    if branch_id is None:
        if not actor.is_admin:
            raise NotAllowed("error.admin_only")
    else:
        require_staff(actor, branch_id)


def load_rows(s: Session, *, branch_id: int | None, period: Period, tz: ZoneInfo) -> list[Row]:
    """The wishes submitted in the period, with their ratings (no permission check: callers check)."""
    start, end = period.utc_bounds(tz)
    query = (
        select(
            Wish.branch_id,
            Wish.status,
            Wish.category,
            Wish.rejection_reason,
            Wish.submitted_at,
            Wish.triaged_at,
            Wish.assigned_at,
            Wish.completed_at,
            Rating.score,
        )
        .outerjoin(Rating, Rating.wish_id == Wish.id)
        .where(Wish.submitted_at >= start, Wish.submitted_at < end)
    )
    if branch_id is not None:
        query = query.where(Wish.branch_id == branch_id)
    return [Row(b, S(st), *rest) for b, st, *rest in (s.execute(query))]


def _per_branch(s: Session, condition) -> dict[int, int]:
    query = select(Wish.branch_id, func.count()).where(condition).group_by(Wish.branch_id)
    return dict((s.execute(query)).all())


def stats(
    s: Session,
    *,
    actor_id: int,
    branch_id: int | None,
    period: Period,
    tz: ZoneInfo,
    now: datetime,
    policy: SweepPolicy = DEFAULT_POLICY,
) -> Figures:
    """Every /stats figure for one branch, or for all branches together (admins)."""
    require_scope(load_actor(s, actor_id), branch_id)
    rows = load_rows(s, branch_id=branch_id, period=period, tz=tz)
    overdue = overdue_by_branch(s, now=now, policy=policy, branch_id=branch_id)
    return summarise(rows, period=period, tz=tz, overdue_now=sum(overdue.values()))


@dataclass(frozen=True)
class BranchLine:
    branch_id: int
    code: str
    name: str
    open_now: int
    overdue_now: int
    figures: Figures


def compare(
    s: Session,
    *,
    actor_id: int,
    period: Period,
    tz: ZoneInfo,
    now: datetime,
    policy: SweepPolicy = DEFAULT_POLICY,
) -> list[BranchLine]:
    """Each branch's figures, worst first: most overdue, then lowest resolution rate (admins)."""
    require_scope(load_actor(s, actor_id), None)
    rows = load_rows(s, branch_id=None, period=period, tz=tz)
    grouped: dict[int, list[Row]] = {}
    for row in rows:
        grouped.setdefault(row.branch_id, []).append(row)
    overdue = overdue_by_branch(s, now=now, policy=policy)
    open_now = _per_branch(s, Wish.status.in_(OPEN_STATUSES))
    branches = (s.execute(select(Branch.id, Branch.code, Branch.name))).all()
    lines = [
        BranchLine(
            bid,
            code,
            name,
            open_now.get(bid, 0),
            overdue.get(bid, 0),
            summarise(grouped.get(bid, []), period=period, tz=tz, overdue_now=overdue.get(bid, 0)),
        )
        for bid, code, name in branches
    ]
    return sorted(lines, key=_badness)


def _badness(line: BranchLine) -> tuple:
    rate = line.figures.resolution_rate
    return (-line.overdue_now, rate if rate is not None else 2.0, line.code)
