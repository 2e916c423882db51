"""The statements behind the /stats figures, over the wishes submitted in the period.

`keys` is () for one group (one branch, or all together) or (Wish.branch_id,) for each branch.
Grouping keys that take bound parameters (the week) are computed in a subquery and grouped by
its column, since PostgreSQL cannot tell two bound copies of one expression apart.
"""

from typing import NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import (
    CTE,
    CompoundSelect,
    Integer,
    Select,
    and_,
    case,
    func,
    literal_column,
    or_,
    select,
    union_all,
)

from models import Rating, Wish
from models.enums import WishStatus as S
from models.wishes import in_status
from services.reports.figures import COMPLETED, CONFIRMED, ENDED_UNSERVED, SATISFIED_FROM, week_starts
from services.reports.periods import Period, local_midnight
from services.reports.sql_time import bucket, span_us

SPANS = (Wish.triaged_at, Wish.assigned_at, Wish.completed_at)  # medians from submission to each
NO_REASON = literal_column("''")


class Counts(NamedTuple):
    """One week's (or the period's) counts, in the order the weekly statement selects them."""

    received: int = 0
    accepted: int = 0
    rejected: int = 0
    completed: int = 0
    confirmed: int = 0
    unserved: int = 0
    rated: int = 0
    score_sum: int = 0
    satisfied: int = 0
    triaged: int = 0  # how many have each span (SPANS), for the medians
    assigned: int = 0
    reported: int = 0


def scoped(query: Select, *, period: Period, tz: ZoneInfo, branch_id: int | None) -> Select:
    """The query over the wishes submitted in the period, of one branch if given."""
    start, end = period.utc_bounds(tz)
    query = query.where(Wish.submitted_at >= start, Wish.submitted_at < end)
    return query if branch_id is None else query.where(Wish.branch_id == branch_id)


def weeks_query(*, keys: tuple, period: Period, tz: ZoneInfo, branch_id: int | None) -> Select:
    """Per key and week index (0 is the period's first week): the Counts of its wishes."""
    bounds = [local_midnight(monday, tz) for monday in week_starts(period)[1:]]
    rows = select(*keys, bucket(Wish.submitted_at, bounds).label("week"), Wish.status, *SPANS, Rating.score)
    rows = rows.outerjoin(Rating, Rating.wish_id == Wish.id)
    c = scoped(rows, period=period, tz=tz, branch_id=branch_id).subquery().c
    group = (c.branch_id, c.week) if keys else (c.week,)
    n = func.count
    return select(
        *group,
        n(),
        n().filter(and_(c.triaged_at.is_not(None), c.status != S.rejected)),
        n().filter(c.status == S.rejected),
        n().filter(c.status.in_(sorted(COMPLETED))),
        n().filter(c.status.in_(sorted(CONFIRMED))),
        n().filter(c.status.in_(sorted(ENDED_UNSERVED))),
        n(c.score),
        func.coalesce(func.sum(c.score), 0),
        n().filter(c.score >= SATISFIED_FROM),
        *(n(c[span.key]) for span in SPANS),
    ).group_by(*group)


def tops_query(*, keys: tuple, period: Period, tz: ZoneInfo, branch_id: int | None) -> Select:
    """Per key, category and (for rejected wishes, else NULL) reason: how many wishes."""
    # Literals only, so that PostgreSQL sees the same expression in SELECT and GROUP BY.
    reason = case((in_status(S.rejected), func.coalesce(Wish.rejection_reason, NO_REASON)))
    query = select(*keys, Wish.category, reason, func.count()).group_by(*keys, Wish.category, reason)
    return scoped(query, period=period, tz=tz, branch_id=branch_id)


def _spans(*, keys: tuple, period: Period, tz: ZoneInfo, branch_id: int | None) -> CTE:
    """Each wish's three spans in µs (NULL where it has none), as a CTE the three sorts share."""
    # Both databases materialise a CTE that is used more than once: the wishes are read once.
    spans = (span_us(Wish.submitted_at, end).label(f"us{i}") for i, end in enumerate(SPANS))
    return scoped(select(*keys, *spans), period=period, tz=tz, branch_id=branch_id).cte("spans")


def middles_query(
    *, counts: tuple[int, ...], period: Period, tz: ZoneInfo, branch_id: int | None
) -> CompoundSelect | None:
    """Per span index: the one or two middle spans (µs) of the counts[i] wishes that have it."""
    # Each sort stops at the middle, which the counts tell; None if no wish has any span.
    rows = _spans(keys=(), period=period, tz=tz, branch_id=branch_id)
    parts = []
    for i, n in ((i, n) for i, n in enumerate(counts) if n):  # OFFSET -1 is an error in PostgreSQL
        us = rows.c[f"us{i}"]
        middle = select(literal_column(str(i), Integer).label("span"), us.label("us")).where(us.is_not(None))
        middle = middle.order_by(us).offset((n - 1) // 2).limit(2 - n % 2).subquery()  # LIMIT: a subquery
        parts.append(select(middle))
    return union_all(*parts) if parts else None


def middles_by_branch_query(*, period: Period, tz: ZoneInfo) -> CompoundSelect:
    """Per branch and span index: the one or two middle spans (µs), by window functions."""
    rows = _spans(keys=(Wish.branch_id,), period=period, tz=tz, branch_id=None)
    parts = []
    for i in range(len(SPANS)):
        us, branch = rows.c[f"us{i}"], rows.c.branch_id
        ranked = select(
            branch,
            us,
            func.row_number().over(partition_by=branch, order_by=us).label("rank"),
            func.count().over(partition_by=branch).label("n"),
        ).where(us.is_not(None))
        r = ranked.subquery().c
        middle = or_(r.rank == (r.n + 1) // 2, r.rank == (r.n + 2) // 2)
        span = literal_column(str(i), Integer).label("span")
        parts.append(select(r.branch_id, span, r[us.name]).where(middle))
    return union_all(*parts)
