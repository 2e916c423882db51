"""The seeded data agrees with itself: counts, numbering, timelines, ratings and member totals."""

import re
import shutil
from collections import defaultdict
from datetime import UTC, datetime

import phonenumbers
import pytest
from sqlalchemy import func, select

from models import (
    Branch,
    Grid,
    MemberProfile,
    Offer,
    Rating,
    ResidentProfile,
    Staff,
    User,
    Wish,
    WishEvent,
    WishStatus,
)
from models.enums import OPEN_STATUSES
from sandan.seed import SCALES, seed
from services.db import Database

NOW = datetime(2025, 3, 1, 12, tzinfo=UTC)
SMALL = SCALES["small"]
CHINESE_NAME = re.compile(r"^[\u4e00-\u9fff]{2,4}$")
SEEDED = (Branch, Grid, User, Staff, ResidentProfile, MemberProfile, Wish, WishEvent, Offer, Rating)


def seeded(db: Database, rng_seed: int = 5):
    return seed(db, scale="small", rng_seed=rng_seed, now=NOW)


def load(db: Database, model) -> list:
    with db.read() as s:
        return list(s.scalars(select(model).order_by(model.id)).all())


def row_counts(db: Database) -> dict[str, int]:
    with db.read() as s:
        return {m.__tablename__: s.scalar(select(func.count()).select_from(m)) for m in SEEDED}


def snapshot(db: Database) -> dict[str, list[tuple]]:
    """Every seeded row, as plain tuples ordered by id."""
    with db.read() as s:
        return {
            m.__tablename__: [tuple(row) for row in s.execute(select(m.__table__).order_by(m.id))]
            for m in SEEDED
        }


def fresh_sqlite(template, path) -> Database:
    shutil.copy(template, path)
    return Database(f"sqlite:///{path}")


def test_counts_follow_the_scale(db):
    summary = seeded(db)
    counts = row_counts(db)
    assert counts["branch"] == summary.branches == SMALL.branches
    assert counts["memberprofile"] == summary.members == SMALL.members
    assert counts["residentprofile"] == summary.residents == SMALL.residents
    assert counts["wish"] == summary.wishes == SMALL.wishes
    assert counts["user"] == summary.users == 1 + summary.staff + SMALL.residents + SMALL.members
    assert (counts["staff"], counts["grid"]) == (summary.staff, summary.grids)
    assert (counts["offer"], counts["wishevent"], counts["rating"]) == (
        summary.offers,
        summary.events,
        summary.ratings,
    )


def test_wish_numbers_run_per_branch(db):
    seeded(db)
    branches = {b.id: b for b in load(db, Branch)}
    numbers = defaultdict(list)
    for wish in load(db, Wish):
        code, n = wish.number.split("-")
        assert code == branches[wish.branch_id].code and re.fullmatch(r"\d{4}", n)
        numbers[wish.branch_id].append(int(n))
    for bid, seen in numbers.items():
        assert sorted(seen) == list(range(1, len(seen) + 1))
        assert branches[bid].wish_seq == max(seen)


def test_timelines_events_and_assignees_agree(db):
    seeded(db)
    wishes = load(db, Wish)
    member_branch = {m.user_id: m.branch_id for m in load(db, MemberProfile)}
    assert {w.status for w in wishes} >= OPEN_STATUSES
    for w in wishes:
        stamps = [w.submitted_at, w.triaged_at, w.assigned_at, w.completed_at, w.closed_at]
        present = [t for t in stamps if t is not None]
        assert present == sorted(present) and present[-1] <= NOW, w.number
        assert (w.closed_at is None) == (w.status in OPEN_STATUSES), w.number
        if w.assigned_member_id is not None:
            assert member_branch[w.assigned_member_id] == w.branch_id, w.number
    last_event = {}
    for e in load(db, WishEvent):
        last_event[e.wish_id] = e.to_status
    assert all(last_event[w.id] == w.status for w in wishes)


def test_ratings_and_member_totals_agree(db):
    seeded(db)
    wishes = {w.id: w for w in load(db, Wish)}
    ratings = load(db, Rating)
    confirmed = {wid for wid, w in wishes.items() if w.status == WishStatus.confirmed}
    assert {r.wish_id for r in ratings} == confirmed
    totals = defaultdict(lambda: [0, 0, 0, 0.0])  # tasks, rating sum, rating count, hours
    for r in ratings:
        wish = wishes[r.wish_id]
        assert r.member_id == wish.assigned_member_id and 1 <= r.score <= 5
        t = totals[r.member_id]
        t[0], t[1], t[2], t[3] = t[0] + 1, t[1] + r.score, t[2] + 1, t[3] + wish.hours_spent
    assert totals
    for m in load(db, MemberProfile):
        tasks, rating_sum, rating_count, hours = totals.get(m.user_id, [0, 0, 0, 0.0])
        assert (m.tasks_confirmed, m.rating_sum, m.rating_count) == (tasks, rating_sum, rating_count)
        assert m.hours_total == pytest.approx(round(hours, 1))


def test_people_have_chinese_names_and_valid_phones(db):
    seeded(db)
    users = load(db, User)
    assert len({u.phone for u in users}) == len(users)
    assert len({u.telegram_id for u in users}) == len(users)
    for u in users:
        assert CHINESE_NAME.match(u.name), u.name
        assert phonenumbers.is_valid_number(phonenumbers.parse(u.phone)), u.phone
    assert sum(u.is_admin for u in users) == 1


def test_same_seed_same_data_other_seed_other_names(db, sqlite_template, tmp_path):
    seeded(db, rng_seed=5)
    again = fresh_sqlite(sqlite_template, tmp_path / "again.db")
    other = fresh_sqlite(sqlite_template, tmp_path / "other.db")
    try:
        seeded(again, rng_seed=5)
        seeded(other, rng_seed=6)
        assert snapshot(again) == snapshot(db)
        names = [u.name for u in load(db, User)]
        assert [u.name for u in load(other, User)] != names
    finally:
        again.dispose()
        other.dispose()


def test_seeding_twice_is_refused_without_writing(db):
    seeded(db)
    before = snapshot(db)
    with pytest.raises(ValueError, match="already exists"):
        seeded(db, rng_seed=9)
    assert snapshot(db) == before
