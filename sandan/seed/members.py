"""Party members who volunteer: their profiles, and who gets which job."""

import math
import random
from collections import defaultdict
from dataclasses import dataclass

from models import Availability, MemberProfile, MemberStatus
from sandan.seed.draw import DAY, as_datetime, cumulative, pick, share_out
from sandan.seed.ids import Ids
from sandan.seed.names import WORK_UNITS, Identities
from sandan.seed.places import PlannedBranch
from services.catalogue import Catalogue

SKILL_WEIGHTS = {
    "repair": 3,
    "errands": 4,
    "housework": 3,
    "eldercare": 3,
    "digital": 4,
    "tutoring": 3,
    "driving": 2,
    "medical": 1.5,
    "legal": 0.7,
    "counselling": 0.6,
}
# Mostly approved; a few pending, paused, suspended or turned down.
STATUS_WEIGHTS = {
    MemberStatus.approved: 88,
    MemberStatus.pending: 4,
    MemberStatus.paused: 5,
    MemberStatus.suspended: 1,
    MemberStatus.rejected: 2,
}
AVAILABILITY_WEIGHTS = [3, 4, 6]  # per Availability, in order
HAVE_WORKED = (MemberStatus.approved, MemberStatus.paused, MemberStatus.suspended)


@dataclass
class Volunteer:
    """A member as the wish history sees them, with the totals it adds up."""

    user_id: int
    profile_id: int
    branch: int  # index into the planned branches
    status: MemberStatus
    approved_at: float | None  # None: never approved, so never given a job
    skills: frozenset[str]
    keenness: float  # a few members take most jobs
    tasks: int = 0
    hours: float = 0.0
    rating_sum: int = 0
    rating_count: int = 0


def build_members(
    rng: random.Random,
    ids: Ids,
    identities: Identities,
    branches: list[PlannedBranch],
    catalogue: Catalogue,
    count: int,
    start: float,
    now: float,
    users: list[dict],
) -> tuple[list[dict], list[Volunteer]]:
    """`count` member profiles shared out by branch weight; their users are appended to `users`."""
    skill_codes = list(catalogue.skills)
    skill_cum = cumulative(SKILL_WEIGHTS.get(c, 1) for c in skill_codes)
    statuses = list(STATUS_WEIGHTS)
    status_cum = cumulative(STATUS_WEIGHTS.values())
    slots = [a.value for a in Availability]
    slot_cum = cumulative(AVAILABILITY_WEIGHTS)
    rows, volunteers = [], []
    counts = share_out(count, [b.weight for b in branches])
    for b, (branch, n) in enumerate(zip(branches, counts, strict=True)):
        for _ in range(n):
            status = pick(rng, statuses, status_cum)
            if status == MemberStatus.pending:
                registered = now - rng.uniform(0.2 * DAY, 30 * DAY)
                decided = None
            else:
                registered = (
                    start - rng.uniform(0, 1100) * DAY
                    if rng.random() < 0.6
                    else rng.uniform(start, now - 10 * DAY)
                )
                decided = registered + rng.uniform(0.1, 7) * DAY
            u = identities.user(registered - rng.uniform(0, 200) * DAY)
            users.append(u)
            skills = {pick(rng, skill_codes, skill_cum) for _ in range(rng.choice([1, 1, 2, 2, 3]))}
            avail = {pick(rng, slots, slot_cum) for _ in range(rng.choice([1, 2, 2, 3]))}
            grid_id = rng.choice(branch.grids)[0] if rng.random() < 0.9 else None
            profile_id = ids.next(MemberProfile)
            rows.append(
                {
                    "id": profile_id,
                    "user_id": u["id"],
                    "branch_id": branch.id,
                    "grid_id": grid_id,
                    "work_unit": rng.choice(WORK_UNITS),
                    "skills": sorted(skills),
                    "availability": sorted(avail),
                    "status": status.value,
                    "hours_total": 0.0,
                    "tasks_confirmed": 0,
                    "rating_sum": 0,
                    "rating_count": 0,
                    "registered_at": as_datetime(registered),
                    "decided_at": as_datetime(decided) if decided is not None else None,
                }
            )
            approved_at = decided if status in HAVE_WORKED else None
            keenness = min(rng.paretovariate(1.2), 30)
            volunteers.append(
                Volunteer(u["id"], profile_id, b, status, approved_at, frozenset(skills), keenness)
            )
    return rows, volunteers


class _Pool:
    """Members to choose from, by keenness, with a fallback for early wishes."""

    def __init__(self, members: list[Volunteer]) -> None:
        self.members = members
        self.cum = cumulative(m.keenness for m in members)
        self.earliest = sorted(members, key=lambda m: m.approved_at or math.inf)

    def choose(self, rng: random.Random, at: float, avoid: int | None) -> Volunteer | None:
        if not self.members:
            return None
        for _ in range(10):
            m = pick(rng, self.members, self.cum)
            if m.approved_at is not None and m.approved_at < at and m.user_id != avoid:
                return m
        for m in self.earliest:
            if m.approved_at is not None and m.approved_at < at and m.user_id != avoid:
                return m
        return None


class MemberPicker:
    """Per branch and category: who has done such jobs, and who may take new ones."""

    def __init__(
        self, rng: random.Random, volunteers: list[Volunteer], codes: list[str], catalogue: Catalogue
    ) -> None:
        self.rng = rng
        self.codes = codes
        by_branch: dict[int, list[Volunteer]] = defaultdict(list)
        for m in volunteers:
            if m.approved_at is not None:
                by_branch[m.branch].append(m)
        self.any: dict[int, tuple[_Pool, _Pool]] = {}
        self.fit: dict[tuple[int, str], tuple[_Pool, _Pool]] = {}
        for b in range(len(codes)):
            ever = by_branch[b]
            current = [m for m in ever if m.status == MemberStatus.approved]
            self.any[b] = (_Pool(ever), _Pool(current))
            for code, category in catalogue.categories.items():
                self.fit[b, code] = (
                    _Pool([m for m in ever if m.skills & category.skills]),
                    _Pool([m for m in current if m.skills & category.skills]),
                )

    def pick(self, b: int, category: str, at: float, *, open_: bool, avoid: int | None = None) -> Volunteer:
        """A member of branch `b` approved before `at`; for an open wish, one still approved now."""
        which = 1 if open_ else 0
        if self.rng.random() < 0.85:
            m = self.fit[b, category][which].choose(self.rng, at, avoid)
            if m is not None:
                return m
        m = self.any[b][which].choose(self.rng, at, avoid)
        if m is None:
            raise ValueError(f"branch {self.codes[b]} has no approved member to assign")
        return m
