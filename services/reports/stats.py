"""The data behind /stats and /branches: one branch, all branches, or each branch side by side."""

from dataclasses import dataclass, replace
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import Branch, Wish
from models.enums import OPEN_STATUSES
from services.actors import Actor, load_actor, require_staff
from services.errors import NotAllowed
from services.overdue import overdue_by_branch
from services.reports.aggregate import count_figures, no_figures
from services.reports.figures import Figures
from services.reports.periods import Period
from services.sweeps.policy import DEFAULT_POLICY, SweepPolicy


def require_scope(actor: Actor, branch_id: int | None) -> None:
    """Staff of that branch or an admin; all branches (None) is for admins only."""
    if branch_id is None:
        if not actor.is_admin:
            raise NotAllowed("error.admin_only")
    else:
        require_staff(actor, branch_id)


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
    figures = count_figures(s, period=period, tz=tz, branch_id=branch_id)[None]
    overdue = overdue_by_branch(s, now=now, policy=policy, branch_id=branch_id)
    return replace(figures, overdue_now=sum(overdue.values()))


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
    counted = count_figures(s, period=period, tz=tz, each=True)
    overdue = overdue_by_branch(s, now=now, policy=policy)
    open_now = _per_branch(s, Wish.status.in_(OPEN_STATUSES))
    branches = (s.execute(select(Branch.id, Branch.code, Branch.name))).all()
    empty = no_figures(period)
    lines = [
        BranchLine(
            bid,
            code,
            name,
            open_now.get(bid, 0),
            overdue.get(bid, 0),
            replace(counted.get(bid, empty), overdue_now=overdue.get(bid, 0)),
        )
        for bid, code, name in branches
    ]
    return sorted(lines, key=_badness)


def _badness(line: BranchLine) -> tuple:
    rate = line.figures.resolution_rate
    return (-line.overdue_now, rate if rate is not None else 2.0, line.code)
