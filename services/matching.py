"""Ranking candidate members for a wish (派单推荐).

score = 40 if a skill fits the category
      + 20 if the member lives in the wish's grid
      + 10 if the member is available at the preferred time
      -  8 per open task or pending offer (load)
      +  4 × (average rating − 3), once rated
      -  2 per task taken in the last 30 days, at most 10 counted (fairness)
"""

import heapq
import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

from sqlalchemy import String, func, select, type_coerce
from sqlalchemy.ext.asyncio import AsyncSession

from models import Availability, MemberProfile, MemberStatus, Offer, OfferKind, OfferStatus, User, Wish
from models.enums import TimeWindow
from models.enums import WishStatus as S
from models.types import utcnow
from services.actors import load_actor, require_staff
from services.catalogue import Catalogue
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


async def _counts(s: AsyncSession, query) -> dict[int, int]:
    return dict((await s.execute(query)).all())


async def rank_candidates(
    s: AsyncSession,
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
    wish: Wish = await get_wish(s, wish_id)
    if actor_id is not None:
        require_staff(await load_actor(s, actor_id), wish.branch_id)
    ranked = await rank_many(s, wishes=[wish], catalogue=catalogue, limit=limit, now=now)
    return ranked[wish.id]


async def rank_many(
    s: AsyncSession, *, wishes: list[Wish], catalogue: Catalogue, limit: int = 5, now: datetime | None = None
) -> dict[int, list[Candidate]]:
    """`rank_candidates` for many wishes at once, reading each branch's members and loads once."""
    if not wishes:
        return {}
    now = now or utcnow()
    branches = {w.branch_id for w in wishes}
    in_branches = Wish.branch_id.in_(branches)
    members = (
        await s.execute(
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
    load = await _counts(
        s,
        select(Wish.assigned_member_id, func.count())
        .where(in_branches, Wish.status.in_((S.assigned, S.in_progress)))
        .group_by(Wish.assigned_member_id),
    )
    pending = await _counts(
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
    recent = await _counts(
        s,
        select(Wish.assigned_member_id, func.count())
        .where(in_branches, Wish.assigned_at >= now - timedelta(days=FAIRNESS_DAYS))
        .group_by(Wish.assigned_member_id),
    )
    refused: dict[int, set[int]] = {w.id: set() for w in wishes}
    for wid, uid in await s.execute(
        select(Offer.wish_id, Offer.member_id).where(
            Offer.wish_id.in_(refused), Offer.status.in_((OfferStatus.declined, OfferStatus.expired))
        )
    ):
        refused[wid].add(uid)
    pool: dict[int, list] = {}
    for row in members:
        uid, r_sum, r_count = row.user_id, row.rating_sum, row.rating_count
        known = {"load": load.get(uid, 0) + pending.get(uid, 0), "recent": recent.get(uid, 0)}
        known["rating"] = round(r_sum / r_count, 2) if r_count else None
        base = score(skill_fit=False, same_grid=False, available=False, **known)
        member = (base, uid, row.name, row.grid_id, _tags(row.skills), _tags(row.availability), known)
        pool.setdefault(row.branch_id, []).append(member)
    return {w.id: _rank(w, pool.get(w.branch_id, []), refused[w.id], catalogue, limit) for w in wishes}


# What fit, grid and availability add to a member's base score; the score is a sum of its terms.
_BONUS = {
    (fit, grid, free): score(skill_fit=fit, same_grid=grid, available=free, load=0, rating=None, recent=0)
    for fit in (False, True)
    for grid in (False, True)
    for free in (False, True)
}


def _rank(wish: Wish, pool: list, refused: set[int], catalogue: Catalogue, limit: int) -> list[Candidate]:
    fitting = (
        catalogue.categories[wish.category].skills if wish.category in catalogue.categories else frozenset()
    )
    slots = slots_for(TimeWindow(wish.time_window), wish.preferred_date)
    # Plain locals: this loop runs for every member of the branch, for every wish ranked.
    home, resident, scored = wish.grid_id, wish.resident_id, []
    for base, uid, name, grid, skills, avail, known in pool:
        if uid in refused or uid == resident:
            continue
        facts = (
            not fitting.isdisjoint(skills),
            home is not None and grid == home,
            not slots.isdisjoint(avail),
        )
        scored.append((-(base + _BONUS[facts]), uid, name, facts, known))
    # Only the few shown become Candidates: a district branch has hundreds of members.
    return [
        Candidate(uid, name, round(-neg, 2), *facts, **known)
        for neg, uid, name, facts, known in heapq.nsmallest(limit, scored)
    ]
