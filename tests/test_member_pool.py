"""The array ranking agrees with ranking every member one by one, ties included."""

import random

import numpy as np

from services.member_pool import Member, Pool

BONUS = np.array([0, 10, 20, 30, 40, 50, 60, 70], dtype=np.float64)


def _by_hand(members, *, fitting, slots, grid_id, exclude, limit):
    scored = []
    for m in members:
        if m.user_id in exclude:
            continue
        fit, same = bool(fitting & m.skills), grid_id is not None and m.grid_id == grid_id
        free = bool(slots & m.availability)
        scored.append((-(m.base + BONUS[fit * 4 + same * 2 + free]), m.user_id))
    return [uid for _, uid in sorted(scored)[:limit]]


def test_many_members_with_tied_scores_rank_as_one_by_one_would():
    rng = random.Random(3)
    members = [
        Member(
            user_id=uid,
            name=f"m{uid}",
            grid_id=rng.choice([1, 2, None]),
            skills=frozenset(rng.sample(["repair", "tutoring", "errands"], rng.randint(0, 2))),
            availability=frozenset(rng.sample(["weekend", "weekday_day"], rng.randint(0, 2))),
            load=0,
            rating=None,
            recent=0,
            base=float(rng.choice([-8, -4, 0, 4])),  # few values: many ties
        )
        for uid in rng.sample(range(1, 1000), 200)
    ]
    pool = Pool(members)
    for _ in range(50):
        query = {
            "fitting": frozenset(rng.sample(["repair", "tutoring", "cooking"], 1)),
            "slots": frozenset(rng.sample(["weekend", "weekday_day"], 1)),
            "grid_id": rng.choice([1, 2, None]),
            "exclude": set(rng.sample([m.user_id for m in members], 5)),
            "limit": rng.choice([1, 3, 5]),
        }
        assert [r.member.user_id for r in pool.rank(bonus=BONUS, **query)] == _by_hand(members, **query)


def test_a_pool_never_offers_someone_excluded_even_when_few_are_left():
    only = Member(7, "m7", 1, frozenset(), frozenset(), 0, None, 0, 0.0)
    assert (
        Pool([only]).rank(
            bonus=BONUS, fitting=frozenset(), slots=frozenset(), grid_id=1, exclude={7}, limit=3
        )
        == []
    )
