"""The member service ledger (服务台账): confirmed tasks, by the day the service was done.

A task belongs to the period its completion (办结) falls in, in local days, and counts only
once the resident confirmed it (status confirmed, with a rating).
"""

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Grid, MemberProfile, Rating, User, Wish
from models.enums import WishStatus as S
from services.reports.periods import Period
from services.reports.points import task_points


@dataclass(frozen=True)
class LedgerRow:
    branch_id: int
    member_id: int
    name: str
    work_unit: str
    number: str
    category: str
    grid: str
    completed_at: datetime
    hours: float
    score: int
    points: float


def ledger_rows(
    s: Session, *, branch_id: int | None, period: Period, tz: ZoneInfo, member_id: int | None = None
) -> list[LedgerRow]:
    """Confirmed tasks done in the period, oldest first (callers check permission)."""
    start, end = period.utc_bounds(tz)
    query = (
        select(
            Wish.branch_id,
            Wish.assigned_member_id,
            User.name,
            User.display_name,
            MemberProfile.work_unit,
            Wish.number,
            Wish.category,
            Grid.name,
            Wish.completed_at,
            Wish.hours_spent,
            Rating.score,
        )
        .join(Rating, Rating.wish_id == Wish.id)
        .join(User, User.id == Wish.assigned_member_id)
        .outerjoin(MemberProfile, MemberProfile.user_id == Wish.assigned_member_id)
        .outerjoin(Grid, Grid.id == Wish.grid_id)
        .where(Wish.status == S.confirmed, Wish.completed_at >= start, Wish.completed_at < end)
        .order_by(Wish.completed_at, Wish.id)
    )
    if branch_id is not None:
        query = query.where(Wish.branch_id == branch_id)
    if member_id is not None:
        query = query.where(Wish.assigned_member_id == member_id)
    return [
        LedgerRow(
            b,
            m,
            name or display,
            unit or "",
            number,
            cat,
            grid or "",
            at,
            hours or 0,
            score,
            task_points(hours, score),
        )
        for b, m, name, display, unit, number, cat, grid, at, hours, score in (s.execute(query))
    ]


@dataclass(frozen=True)
class RatingRow:
    branch_id: int
    rated_at: datetime
    number: str
    category: str
    name: str  # the member rated
    score: int
    comment: str | None


def ratings_in(
    s: Session, *, branch_id: int | None, start: datetime, end: datetime
) -> list[RatingRow]:
    """Ratings given in [start, end), oldest first (callers check permission)."""
    query = (
        select(
            Wish.branch_id,
            Rating.created_at,
            Wish.number,
            Wish.category,
            User.name,
            Rating.score,
            Rating.comment,
        )
        .join(Wish, Wish.id == Rating.wish_id)
        .join(User, User.id == Rating.member_id)
        .where(Rating.created_at >= start, Rating.created_at < end)
        .order_by(Rating.created_at, Rating.id)
    )
    if branch_id is not None:
        query = query.where(Wish.branch_id == branch_id)
    return [RatingRow(*row) for row in (s.execute(query))]


@dataclass(frozen=True)
class Served:
    """One member's confirmed service in a period."""

    member_id: int
    name: str
    work_unit: str
    tasks: list[LedgerRow]

    @property
    def hours(self) -> float:
        return round(sum(t.hours for t in self.tasks), 1)

    @property
    def points(self) -> float:
        return round(sum(t.points for t in self.tasks), 1)

    @property
    def average_rating(self) -> float:
        return round(sum(t.score for t in self.tasks) / len(self.tasks), 2)


def by_member(rows: list[LedgerRow]) -> list[Served]:
    """Ledger rows grouped per member, most points first (ties: more tasks, then the lower id)."""
    grouped: dict[int, list[LedgerRow]] = {}
    for row in rows:
        grouped.setdefault(row.member_id, []).append(row)
    served = [Served(mid, tasks[0].name, tasks[0].work_unit, tasks) for mid, tasks in grouped.items()]
    return sorted(served, key=lambda m: (-m.points, -len(m.tasks), m.member_id))
