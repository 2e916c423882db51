"""The /stats figures the database counts equal those of the plain-Python definitions
(tests/reports/reference.py), on random wishes with microsecond times, on SQLite and PostgreSQL."""

import random
from dataclasses import astuple
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from models import Rating, Wish
from models.enums import WishStatus as S
from services.reports.aggregate import count_figures, no_figures
from services.reports.periods import Period, local_midnight, month_period
from services.reports.sql_time import span_us
from tests.factories import build_world
from tests.reports.data import TZ
from tests.reports.reference import load_rows, summarise

CATEGORIES = ["repairs", "legal", "other", "eldercare", "errands", "digital", "housework"]
REASONS = ["benefits", "duplicate", "unclear", None, ""]
MARCH = month_period(2025, 3)
PERIODS = [
    MARCH,
    Period(date(2025, 3, 5), date(2025, 3, 26)),  # starts and ends mid-week
    Period(date(2025, 1, 1), date(2026, 1, 1)),
    Period(date(2024, 6, 1), date(2024, 6, 8)),  # nothing in it
]
# Local midnights at the edges of March's weeks and of the month, and just before them.
EDGES = [local_midnight(date(2025, 3, d), TZ) for d in (1, 3, 10, 17, 24, 31)] + [
    local_midnight(date(2025, 4, 1), TZ)
]


def _span(rng: random.Random) -> timedelta | None:
    if rng.random() < 0.2:
        return None
    if rng.random() < 0.2:  # whole hours, so that some spans tie
        return timedelta(hours=rng.randint(1, 6))
    return timedelta(microseconds=rng.randint(0, 72 * 3600 * 10**6))


def _wish(rng: random.Random, world, n: int, submitted: datetime) -> Wish:
    status = rng.choice(list(S))
    spans = [_span(rng) for _ in range(3)]
    at = [submitted + x if x is not None else None for x in spans]
    return Wish(
        number=f"R-{world.branch_id}-{n:04d}",
        branch_id=world.branch_id,
        grid_id=world.grid_ids[0],
        resident_id=world.resident_id,
        category=rng.choice(CATEGORIES),
        text="厨房水管漏水",
        status=status,
        submitted_at=submitted,
        triaged_at=at[0],
        assigned_at=at[1],
        completed_at=at[2],
        rejection_reason=rng.choice(REASONS) if status == S.rejected else None,
    )


def random_wishes(db, catalogue, seed: int) -> list[int]:
    """Three branches of random wishes around March 2025, some on the weeks' edges; their ids."""
    rng = random.Random(seed)
    worlds = [build_world(db, catalogue, code) for code in "ABC"]
    start = datetime(2025, 2, 20, tzinfo=UTC)
    with db.write() as s:
        wishes = []
        for i in range(150):
            world = worlds[0] if i < 70 else rng.choice(worlds)  # A has most
            offset = timedelta(microseconds=rng.randint(0, 45 * 24 * 3600 * 10**6))
            wishes.append(_wish(rng, world, i, start + offset))
        for j, edge in enumerate(EDGES):
            wishes += [
                _wish(rng, worlds[j % 2], 200 + 2 * j, edge),
                _wish(rng, worlds[1], 201 + 2 * j, edge - timedelta(microseconds=1)),
            ]
        s.add_all(wishes)
        s.flush()
        member = {w.branch_id: w.members[0] for w in worlds}
        for wish in wishes:
            if wish.completed_at is not None and rng.random() < 0.6:
                score = rng.randint(1, 5)
                s.add(
                    Rating(
                        wish_id=wish.id,
                        member_id=member[wish.branch_id],
                        score=score,
                        created_at=wish.completed_at,
                    )
                )
    return [w.branch_id for w in worlds]


def _same(a, b) -> None:
    assert astuple(a) == astuple(b)


@pytest.mark.parametrize("seed", [1, 2])
def test_the_counted_figures_equal_the_python_definitions_for_one_branch_all_and_each(db, catalogue, seed):
    branches = random_wishes(db, catalogue, seed)
    with db.read() as s:
        for period in PERIODS:
            each = count_figures(s, period=period, tz=TZ, each=True)
            _same(
                count_figures(s, period=period, tz=TZ)[None],
                summarise(load_rows(s, branch_id=None, period=period, tz=TZ), period=period, tz=TZ),
            )
            for branch in branches:
                expected = summarise(
                    load_rows(s, branch_id=branch, period=period, tz=TZ), period=period, tz=TZ
                )
                _same(count_figures(s, period=period, tz=TZ, branch_id=branch)[None], expected)
                _same(each.get(branch, no_figures(period)), expected)


def test_all_branches_add_up_to_the_sum_of_each_branch(db, catalogue):
    random_wishes(db, catalogue, 3)
    with db.read() as s:
        every = count_figures(s, period=MARCH, tz=TZ)[None]
        each = list(count_figures(s, period=MARCH, tz=TZ, each=True).values())
    assert len(each) == 3 and every.received > 0
    for field in ("received", "accepted", "rejected", "completed", "confirmed", "rated"):
        assert getattr(every, field) == sum(getattr(f, field) for f in each), field
    for i, week in enumerate(every.weeks):
        for field in ("completed", "in_hand", "unserved"):
            assert getattr(week, field) == sum(getattr(f.weeks[i], field) for f in each), (week.start, field)


def test_a_span_is_counted_to_the_microsecond_as_python_counts_it(db, catalogue):
    world = build_world(db, catalogue, "A")
    base = datetime(2025, 3, 3, 1, 2, 3, tzinfo=UTC)
    pairs = [
        (base, base + timedelta(microseconds=1)),
        (base.replace(microsecond=999_999), base + timedelta(seconds=1)),
        (base.replace(microsecond=500_000), base + timedelta(hours=1, microseconds=499_999)),
        (base.replace(microsecond=999_999), base + timedelta(days=400, microseconds=999_998)),
        (base + timedelta(hours=5), base),  # ends before it starts: negative, as in Python
    ]
    rng = random.Random(4)
    wishes = [_wish(rng, world, i, start) for i, (start, _) in enumerate(pairs)]
    for wish, (_, end) in zip(wishes, pairs, strict=True):
        wish.triaged_at = end
    with db.write() as s:
        s.add_all(wishes)
    with db.read() as s:
        got = list(s.scalars(select(span_us(Wish.submitted_at, Wish.triaged_at)).order_by(Wish.id)))
    assert got == [(end - start) // timedelta(microseconds=1) for start, end in pairs]
