"""The district admin, staff per branch, and residents with their homes."""

import random
from dataclasses import dataclass

from models import ResidentProfile, Staff
from sandan.seed.draw import DAY, cumulative, share_out
from sandan.seed.ids import Ids
from sandan.seed.names import Identities
from sandan.seed.places import PlannedBranch, home_address


@dataclass(frozen=True)
class BranchResidents:
    ids: list[int]  # user ids
    created: list[float]  # when each joined
    cum: list[float]  # cumulative weights: a few residents post most wishes


@dataclass(frozen=True)
class Population:
    users: list[dict]
    staff_rows: list[dict]
    resident_rows: list[dict]
    staff_by_branch: list[list[int]]  # user ids
    residents_by_branch: list[BranchResidents]
    resident_grid: dict[int, int]  # user id → grid id


def build_population(
    rng: random.Random,
    ids: Ids,
    identities: Identities,
    branches: list[PlannedBranch],
    residents: int,
    start: float,
    now: float,
) -> Population:
    """One admin, two or three staff per branch, and `residents` residents shared out by branch weight."""
    users = [identities.user(start - 400 * DAY, is_admin=True)]
    staff_rows, staff_by_branch = [], []
    for branch in branches:
        mine = []
        for _ in range(rng.randint(2, 3)):
            u = identities.user(start - rng.uniform(10, 300) * DAY)
            users.append(u)
            staff_rows.append({"id": ids.next(Staff), "user_id": u["id"], "branch_id": branch.id})
            mine.append(u["id"])
        staff_by_branch.append(mine)

    # Half were there before the period, the rest joined during it.
    resident_rows, by_branch = [], []
    counts = share_out(residents, [b.weight for b in branches])
    for branch, count in zip(branches, counts, strict=True):
        user_ids, created, weights = [], [], []
        for _ in range(count):
            joined = (
                start - rng.uniform(0, 700) * DAY if rng.random() < 0.5 else rng.uniform(start, now - DAY)
            )
            u = identities.user(joined)
            users.append(u)
            grid_id, address = home_address(rng, branch)
            resident_rows.append(
                {
                    "id": ids.next(ResidentProfile),
                    "user_id": u["id"],
                    "branch_id": branch.id,
                    "grid_id": grid_id,
                    **address,
                }
            )
            user_ids.append(u["id"])
            created.append(joined)
            weights.append(min(rng.paretovariate(1.3), 40))
        by_branch.append(BranchResidents(user_ids, created, cumulative(weights)))
    resident_grid = {r["user_id"]: r["grid_id"] for r in resident_rows}
    return Population(users, staff_rows, resident_rows, staff_by_branch, by_branch, resident_grid)
