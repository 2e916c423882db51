"""Ranking candidate members for a wish (派单推荐).

score = 40 if a skill fits the category
      + 20 if the member lives in the wish's grid
      + 10 if the member is available at the preferred time
      -  8 per open task or pending offer (load)
      +  4 × (average rating − 3), once rated
      -  2 per task taken in the last 30 days, at most 10 counted (fairness)
"""

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

from sqlalchemy import String, func, select, type_coerce
from sqlalchemy.orm import Session

from models import Availability, MemberProfile, MemberStatus, Offer, OfferKind, OfferStatus, User, Wish
from models.enums import TimeWindow
from models.enums import WishStatus as S
from models.types import utcnow
from services.actors import load_actor, require_staff
from services.catalogue import Catalogue
from services.member_pool import Member, Pool
from services.wishes import get_wish

FAIRNESS_DAYS = 30


@dataclass(frozen=True)
class Candidate:
    member_id: int
    name: str
    score: float
    skill_fit: bool
    same_grid: bool
    available: bool
    load: int
    rating: float | None
    recent: int


def slots_for(window: TimeWindow, preferred: date | None) -> frozenset[Availability]:
    """The availability slots that suit a wish's preferred time."""
    if window == TimeWindow.weekend or (
        window == TimeWindow.on_date and preferred and preferred.weekday() >= 5
    ):
        return frozenset({Availability.weekend})
    if window == TimeWindow.on_date:
        return frozenset({Availability.weekday_day, Availability.weekday_evening})
    return frozenset(Availability)


def score(
    *, skill_fit: bool, same_grid: bool, available: bool, load: int, rating: float | None, recent: int
) -> float:
    """The documented score; higher ranks first."""
    value = 40 * skill_fit + 20 * same_grid + 10 * available - 8 * load - 2 * min(recent, 10)
    if rating is not None:
        value += 4 * (rating - 3)
    return round(value, 2)


def _tags(raw: str | list) -> frozenset[str]:
    """Tags as a set. SQLite hands over the JSON text, asyncpg the decoded list."""
    return _parsed(raw) if isinstance(raw, str) else frozenset(raw)


@lru_cache(maxsize=4096)
def _parsed(raw: str) -> frozenset[str]:
    return frozenset(json.loads(raw))  # members share few combinations: each is parsed once


def _counts(s: Session, query) -> dict[int, int]:
    return dict((s.execute(query)).all())


def rank_candidates(
    s: Session,
    *,
    actor_id: int | None,
    wish_id: int,
    catalogue: Catalogue,
    limit: int = 5,
    now: datetime | None = None,
) -> list[Candidate]:
    """The top approved members of the wish's branch, best first.

    Members who already declined or let this wish's offer expire, who blocked
    the bot, and the resident themself, are left out. `actor_id` None is the scheduler.
    """
    wish: Wish = get_wish(s, wish_id)
    if actor_id is not None:
        require_staff(load_actor(s, actor_id), wish.branch_id)
    ranked = rank_many(s, wishes=[wish], catalogue=catalogue, limit=limit, now=now)
    return ranked[wish.id]


def rank_many(
    s: Session, *, wishes: list[Wish], catalogue: Catalogue, limit: int = 5, now: datetime | None = None
) -> dict[int, list[Candidate]]:
    """`rank_candidates` for many wishes at once, reading each branch's members and loads once."""
    if not wishes:
        return {}
    now = now or utcnow()
    branches = {w.branch_id for w in wishes}
    in_branches = Wish.branch_id.in_(branches)
    members = (
        s.execute(
            select(
                MemberProfile.branch_id,
                MemberProfile.user_id,
                User.name,
                MemberProfile.grid_id,
                type_coerce(MemberProfile.skills, String).label("skills"),  # raw JSON: see _tags
                type_coerce(MemberProfile.availability, String).label("availability"),
                MemberProfile.rating_sum,
                MemberProfile.rating_count,
            )
            .join(User, User.id == MemberProfile.user_id)
            .where(
                MemberProfile.branch_id.in_(branches),
                MemberProfile.status == MemberStatus.approved,
                User.unreachable.is_(False),  # they blocked the bot: an offer would never arrive
            )
        )
    ).all()
    load = _counts(
        s,
        select(Wish.assigned_member_id, func.count())
        .where(in_branches, Wish.status.in_((S.assigned, S.in_progress)))
        .group_by(Wish.assigned_member_id),
    )
    pending = _counts(
        s,
        select(Offer.member_id, func.count())
        .join(Wish, Wish.id == Offer.wish_id)
        .where(
            in_branches,
            Wish.status == S.offered,
            Offer.status == OfferStatus.open,
            Offer.kind == OfferKind.direct,
        )
        .group_by(Offer.member_id),
    )
    recent = _counts(
        s,
        select(Wish.assigned_member_id, func.count())
        .where(in_branches, Wish.assigned_at >= now - timedelta(days=FAIRNESS_DAYS))
        .group_by(Wish.assigned_member_id),
    )
    refused: dict[int, set[int]] = {w.id: set() for w in wishes}
    for wid, uid in s.execute(
        select(Offer.wish_id, Offer.member_id).where(
            Offer.wish_id.in_(refused), Offer.status.in_((OfferStatus.declined, OfferStatus.expired))
        )
    ):
        refused[wid].add(uid)
    pools: dict[int, list[Member]] = {}
    for branch_id, uid, name, grid, skills, avail, r_sum, r_count in members:
        busy, lately = load.get(uid, 0) + pending.get(uid, 0), recent.get(uid, 0)
        rating = round(r_sum / r_count, 2) if r_count else None
        base = score(
            skill_fit=False, same_grid=False, available=False, load=busy, rating=rating, recent=lately
        )
        member = Member(uid, name, grid, _tags(skills), _tags(avail), busy, rating, lately, base)
        pools.setdefault(branch_id, []).append(member)
    built = {branch_id: Pool(found) for branch_id, found in pools.items()}
    empty = Pool([])
    return {w.id: _rank(w, built.get(w.branch_id, empty), refused[w.id], catalogue, limit) for w in wishes}


@lru_cache(maxsize=1)
def _bonus():
    """What skill fit, same grid and availability add to the base, indexed by fit * 4 + grid * 2 + free;
    the score is a sum of its terms. Built on first use, not at import: numpy is loaded only once a
    ranking runs (see services.member_pool)."""
    import numpy as np

    facts = [dict(skill_fit=bool(i & 4), same_grid=bool(i & 2), available=bool(i & 1)) for i in range(8)]
    return np.array([score(**f, load=0, rating=None, recent=0) for f in facts])


def _rank(wish: Wish, pool: Pool, refused: set[int], catalogue: Catalogue, limit: int) -> list[Candidate]:
    category = catalogue.categories.get(wish.category)
    ranked = pool.rank(
        bonus=_bonus(),
        fitting=category.skills if category else frozenset(),
        slots=slots_for(TimeWindow(wish.time_window), wish.preferred_date),
        grid_id=wish.grid_id,
        exclude=refused | {wish.resident_id},
        limit=limit,
    )
    return [
        Candidate(r.member.user_id, r.member.name, r.score, r.skill_fit, r.same_grid, r.available,
                  load=r.member.load, rating=r.member.rating, recent=r.member.recent)
        for r in ranked
    ]  # fmt: skip
