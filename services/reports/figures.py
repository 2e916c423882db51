"""The figures of a report, what each means, and the small helpers that assemble them
(services.reports.aggregate counts them in SQL).

Definitions (see docs/architecture.md, "Reports"): the period's wishes are those submitted in
it; accepted = triaged and not rejected; completed (办结, also "resolved") = completed,
confirmed or closed; resolution rate = completed / accepted; satisfaction = the share of
ratings that are 4 or 5 stars.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from models.enums import WishStatus as S
from services.reports.periods import Period, week_start

COMPLETED = frozenset({S.completed, S.confirmed, S.closed})
CONFIRMED = frozenset({S.confirmed})
ENDED_UNSERVED = frozenset({S.rejected, S.cancelled})
SATISFIED_FROM = 4  # stars
TOP = 3  # rejection reasons shown
TOP_CATEGORIES = 5


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


def share(part: int, whole: int) -> float | None:
    """part / whole, or None with nothing to divide by."""
    return part / whole if whole else None


def top(counter: Counter, n: int) -> list[tuple[str, int]]:
    """The n most common, ties broken by name so the order is stable."""
    return sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:n]


def week_starts(period: Period) -> list[date]:
    """The Mondays of the weeks that overlap the period."""
    mondays, monday = [], week_start(period.start)
    while monday < period.end:
        mondays.append(monday)
        monday += timedelta(days=7)
    return mondays
