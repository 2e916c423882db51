"""The /stats figures computed in plain Python from the period's rows: the definitions, written
out, that services.reports.aggregate's SQL must match (this was the service before it)."""

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from statistics import median
from zoneinfo import ZoneInfo

from sqlalchemy import select

from models import Rating, Wish
from models.enums import WishStatus as S
from services.reports.figures import (
    COMPLETED,
    CONFIRMED,
    ENDED_UNSERVED,
    SATISFIED_FROM,
    TOP,
    TOP_CATEGORIES,
    Figures,
    Week,
    share,
    top,
    week_starts,
)
from services.reports.periods import Period, week_start


@dataclass(frozen=True)
class Row:
    """One wish submitted in the period, with its rating if it has one."""

    branch_id: int
    status: str
    category: str
    rejection_reason: str | None
    submitted_at: datetime
    triaged_at: datetime | None
    assigned_at: datetime | None
    completed_at: datetime | None
    score: int | None


def load_rows(s, *, branch_id: int | None, period: Period, tz: ZoneInfo) -> list[Row]:
    """The wishes submitted in the period, with their ratings."""
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
    return [Row(b, S(st), *rest) for b, st, *rest in s.execute(query)]


def _hours(pairs) -> float | None:
    spans = [(end - start).total_seconds() / 3600 for start, end in pairs if end is not None]
    return round(median(spans), 1) if spans else None


def summarise(rows: list[Row], *, period: Period, tz: ZoneInfo) -> Figures:
    """Every figure of /stats for these rows (overdue_now left at 0)."""
    rejected = [r for r in rows if r.status == S.rejected]
    accepted = sum(1 for r in rows if r.triaged_at is not None and r.status != S.rejected)
    completed = sum(1 for r in rows if r.status in COMPLETED)
    scores = [r.score for r in rows if r.score is not None]
    return Figures(
        received=len(rows),
        accepted=accepted,
        rejected=len(rejected),
        top_rejections=top(Counter(r.rejection_reason or "" for r in rejected), TOP),
        completed=completed,
        confirmed=sum(1 for r in rows if r.status in CONFIRMED),
        resolution_rate=share(completed, accepted),
        median_triage_h=_hours((r.submitted_at, r.triaged_at) for r in rows),
        median_assign_h=_hours((r.submitted_at, r.assigned_at) for r in rows),
        median_complete_h=_hours((r.submitted_at, r.completed_at) for r in rows),
        rated=len(scores),
        average_rating=round(sum(scores) / len(scores), 2) if scores else None,
        satisfaction=share(sum(1 for x in scores if x >= SATISFIED_FROM), len(scores)),
        top_categories=top(Counter(r.category for r in rows), TOP_CATEGORIES),
        weeks=weekly(rows, period=period, tz=tz),
    )


def weekly(rows: list[Row], *, period: Period, tz: ZoneInfo) -> list[Week]:
    """One entry per week (Monday first) that overlaps the period, by local submission day."""
    buckets: dict[date, list[Row]] = {monday: [] for monday in week_starts(period)}
    for r in rows:
        buckets[week_start(r.submitted_at.astimezone(tz).date())].append(r)
    weeks = []
    for monday, group in sorted(buckets.items()):
        scores = [r.score for r in group if r.score is not None]
        weeks.append(
            Week(
                monday,
                completed=sum(1 for r in group if r.status in COMPLETED),
                in_hand=sum(1 for r in group if r.status not in COMPLETED | ENDED_UNSERVED),
                unserved=sum(1 for r in group if r.status in ENDED_UNSERVED),
                satisfaction=share(sum(1 for x in scores if x >= SATISFIED_FROM), len(scores)),
            )
        )
    return weeks
