"""The figures of a report, computed from plain rows (no database), so each is easy to test.

Definitions (see docs/architecture.md, "Reports"): the period's wishes are those submitted in
it; accepted = triaged and not rejected; completed (办结, also "resolved") = completed,
confirmed or closed; resolution rate = completed / accepted; satisfaction = the share of
ratings that are 4 or 5 stars.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from statistics import median
from zoneinfo import ZoneInfo

from models.enums import WishStatus as S
from services.reports.periods import Period, week_start

COMPLETED = frozenset({S.completed, S.confirmed, S.closed})
CONFIRMED = frozenset({S.confirmed})
ENDED_UNSERVED = frozenset({S.rejected, S.cancelled})
SATISFIED_FROM = 4  # stars
TOP = 3  # rejection reasons shown
TOP_CATEGORIES = 5


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


@dataclass(frozen=True)
class Week:
    start: date  # a Monday
    completed: int
    in_hand: int  # still open
    unserved: int  # rejected or cancelled
    satisfaction: float | None  # share of the week's ratings that are 4-5


@dataclass(frozen=True)
class Figures:
    received: int
    accepted: int
    rejected: int
    top_rejections: list[tuple[str, int]]
    completed: int
    confirmed: int
    resolution_rate: float | None
    median_triage_h: float | None
    median_assign_h: float | None
    median_complete_h: float | None
    rated: int
    average_rating: float | None
    satisfaction: float | None
    top_categories: list[tuple[str, int]]
    weeks: list[Week] = field(default_factory=list)
    overdue_now: int = 0


def _hours(pairs) -> float | None:
    spans = [(end - start).total_seconds() / 3600 for start, end in pairs if end is not None]
    return round(median(spans), 1) if spans else None


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def summarise(rows: list[Row], *, period: Period, tz: ZoneInfo, overdue_now: int = 0) -> Figures:
    """Every figure of /stats for these rows."""
    rejected = [r for r in rows if r.status == S.rejected]
    accepted = sum(1 for r in rows if r.triaged_at is not None and r.status != S.rejected)
    completed = sum(1 for r in rows if r.status in COMPLETED)
    scores = [r.score for r in rows if r.score is not None]
    reasons = Counter(r.rejection_reason or "" for r in rejected)
    return Figures(
        received=len(rows),
        accepted=accepted,
        rejected=len(rejected),
        top_rejections=_top(reasons, TOP),
        completed=completed,
        confirmed=sum(1 for r in rows if r.status in CONFIRMED),
        resolution_rate=_share(completed, accepted),
        median_triage_h=_hours((r.submitted_at, r.triaged_at) for r in rows),
        median_assign_h=_hours((r.submitted_at, r.assigned_at) for r in rows),
        median_complete_h=_hours((r.submitted_at, r.completed_at) for r in rows),
        rated=len(scores),
        average_rating=round(sum(scores) / len(scores), 2) if scores else None,
        satisfaction=_share(sum(1 for x in scores if x >= SATISFIED_FROM), len(scores)),
        top_categories=_top(Counter(r.category for r in rows), TOP_CATEGORIES),
        weeks=weekly(rows, period=period, tz=tz),
        overdue_now=overdue_now,
    )


def _top(counter: Counter, n: int) -> list[tuple[str, int]]:
    """The n most common, ties broken by name so the order is stable."""
    return sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:n]


def weekly(rows: list[Row], *, period: Period, tz: ZoneInfo) -> list[Week]:
    """One entry per week (Monday first) that overlaps the period, by local submission day."""
    buckets: dict[date, list[Row]] = {}
    monday = week_start(period.start)
    while monday < period.end:
        buckets[monday] = []
        monday += timedelta(days=7)
    for r in rows:
        buckets.setdefault(week_start(r.submitted_at.astimezone(tz).date()), []).append(r)
    weeks = []
    for monday, group in sorted(buckets.items()):
        scores = [r.score for r in group if r.score is not None]
        weeks.append(
            Week(
                monday,
                completed=sum(1 for r in group if r.status in COMPLETED),
                in_hand=sum(1 for r in group if r.status not in COMPLETED | ENDED_UNSERVED),
                unserved=sum(1 for r in group if r.status in ENDED_UNSERVED),
                satisfaction=_share(sum(1 for x in scores if x >= SATISFIED_FROM), len(scores)),
            )
        )
    return weeks
