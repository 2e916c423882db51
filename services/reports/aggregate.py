"""The /stats figures counted by the database: for one branch, all branches together, or each.

A handful of statements (services.reports.figure_sql): every count per week (the totals are
their sums), the categories and rejection reasons, and the middle values of each time span.
Python only assembles the few rows that come back. A report's Python holds the GIL and so
stalls every other worker; SQLite's own work does not (the driver lets the GIL go while a
statement runs), and PostgreSQL's runs in another process.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sqlalchemy import Select
from sqlalchemy.orm import Session

from models import Wish
from services.reports.figure_sql import (
    Counts,
    middles_by_branch_query,
    middles_query,
    tops_query,
    weeks_query,
)
from services.reports.figures import TOP, TOP_CATEGORIES, Figures, Week, share, top, week_starts
from services.reports.periods import Period
from services.reports.sql_time import hours

Key = int | None  # a branch id, or None: the one group of a report over one or all branches


@dataclass
class _Tally:
    """What the statements return for one key."""

    weeks: dict[int, Counts] = field(default_factory=dict)  # week index -> its counts
    categories: Counter = field(default_factory=Counter)
    reasons: Counter = field(default_factory=Counter)
    middles: defaultdict[int, list[int]] = field(default_factory=lambda: defaultdict(list))  # span -> µs


def count_figures(
    s: Session, *, period: Period, tz: ZoneInfo, branch_id: int | None = None, each: bool = False
) -> dict[Key, Figures]:
    """The figures of one branch, or of all (both under key None), or of each branch with wishes."""
    keys = (Wish.branch_id,) if each else ()
    scope = {"period": period, "tz": tz, "branch_id": branch_id}
    tallies: dict[Key, _Tally] = {} if each else {None: _Tally()}  # an empty period has figures too
    conn = s.connection()

    def rows(query: Select):
        for row in conn.execute(query).all():  # Core rows: the ORM would process each again
            key, rest = (row[0], row[1:]) if each else (None, row)
            yield tallies.get(key) or tallies.setdefault(key, _Tally()), rest

    for tally, (week, *counts) in rows(weeks_query(keys=keys, **scope)):
        tally.weeks[week] = Counts(*counts)
    for tally, (category, reason, n) in rows(tops_query(keys=keys, **scope)):
        tally.categories[category] += n
        if reason is not None:
            tally.reasons[reason] += n
    if each:
        middles = middles_by_branch_query(period=period, tz=tz)
    else:  # one group: the weeks told how many spans there are, so the sorts stop at the middle
        t = _total(tallies[None])
        middles = middles_query(counts=(t.triaged, t.assigned, t.reported), **scope)
    if middles is not None:
        for tally, (span, us) in rows(middles):
            tally.middles[span].append(us)
    return {key: assemble(tally, period=period) for key, tally in tallies.items()}


def _total(tally: _Tally) -> Counts:
    """The period's counts: the sums of its weeks'."""
    if not tally.weeks:
        return Counts()
    return Counts(*(sum(column) for column in zip(*tally.weeks.values(), strict=True)))


def _median_hours(middle: list[int]) -> float | None:
    """As statistics.median over the spans in hours, rounded to 0.1 h."""
    if not middle:
        return None
    a, b = hours(min(middle)), hours(max(middle))
    return round((a + b) / 2 if len(middle) == 2 else a, 1)


def assemble(tally: _Tally, *, period: Period) -> Figures:
    """The Figures from one key's rows."""
    t = _total(tally)
    mondays = week_starts(period)
    return Figures(
        received=t.received,
        accepted=t.accepted,
        rejected=t.rejected,
        top_rejections=top(tally.reasons, TOP),
        completed=t.completed,
        confirmed=t.confirmed,
        resolution_rate=share(t.completed, t.accepted),
        median_triage_h=_median_hours(tally.middles[0]),
        median_assign_h=_median_hours(tally.middles[1]),
        median_complete_h=_median_hours(tally.middles[2]),
        rated=t.rated,
        average_rating=round(t.score_sum / t.rated, 2) if t.rated else None,
        satisfaction=share(t.satisfied, t.rated),
        top_categories=top(tally.categories, TOP_CATEGORIES),
        weeks=[_week(monday, tally.weeks.get(i, Counts())) for i, monday in enumerate(mondays)],
    )


def _week(monday, w: Counts) -> Week:
    in_hand = w.received - w.completed - w.unserved
    return Week(monday, w.completed, in_hand, w.unserved, share(w.satisfied, w.rated))


def no_figures(period: Period) -> Figures:
    """The figures of a branch without wishes in the period."""
    return assemble(_Tally(), period=period)
