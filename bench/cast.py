"""Who plays the mix of bench/bot.py: 200 seeded people, chosen from the database before the
bot starts.

A few branches (without auto-dispatch) each give one staff member, the members the branch's
ranking puts first for a repairs wish in its busiest grid (so staff find them among the five
they are shown), and residents of that grid. The district admin runs /stats all. Everyone
is reachable and speaks Chinese, so the bench finds the buttons by their Chinese labels.
"""

from collections import Counter
from dataclasses import dataclass, field
from types import SimpleNamespace

from sqlalchemy import select

from models import Branch, ResidentProfile, Staff, User
from models.enums import TimeWindow
from sandan.fakebot import FakeUser
from services.catalogue import Catalogue
from services.db import Database
from services.matching import rank_many

USERS = 200  # everyone in the mix, the admin included
BRANCHES = 4
MEMBERS_PER_BRANCH = 12
CATEGORY = "repairs"


@dataclass
class Team:
    """One branch's part of the mix."""

    branch_id: int
    code: str
    staff: FakeUser
    members: dict[int, FakeUser]  # by user id (what dispatch buttons carry)
    residents: list[FakeUser] = field(default_factory=list)


@dataclass
class Cast:
    admin: FakeUser
    teams: list[Team]

    @property
    def size(self) -> int:
        return 1 + sum(1 + len(t.members) + len(t.residents) for t in self.teams)

    def describe(self) -> str:
        return (
            f"mix: {self.size} seeded people: {len(self.teams)} branches "
            f"({', '.join(t.code for t in self.teams)}), each with one staff member, "
            f"{'/'.join(str(len(t.members)) for t in self.teams)} members and "
            f"{'/'.join(str(len(t.residents)) for t in self.teams)} residents; "
            "and the district admin, who runs /stats all"
        )


def _fake(row) -> FakeUser:
    return FakeUser(row.telegram_id, row.display_name or row.name or "居民", language_code="zh-hans")


def _usable(s, ids: list[int]) -> dict[int, object]:
    """The users among `ids` the bench can play: reachable, Chinese, not admins."""
    rows = s.execute(
        select(User.id, User.telegram_id, User.display_name, User.name).where(
            User.id.in_(ids), User.unreachable.is_(False), User.language == "zh", User.is_admin.is_(False)
        )
    ).all()
    return {r.id: r for r in rows}


def _members(s, branch_id: int, grid_id: int, catalogue: Catalogue, taken: set[int]) -> dict[int, FakeUser]:
    """The members the ranking shows first for a repairs wish, as soon as possible, in the grid."""
    wish = SimpleNamespace(
        id=0, branch_id=branch_id, category=CATEGORY, time_window=TimeWindow.asap, preferred_date=None,
        grid_id=grid_id, resident_id=0,
    )  # fmt: skip
    ranked = rank_many(s, wishes=[wish], catalogue=catalogue, limit=MEMBERS_PER_BRANCH * 3)[0]
    usable = _usable(s, [c.member_id for c in ranked])
    ids = [c.member_id for c in ranked if c.member_id in usable and c.member_id not in taken]
    return {i: _fake(usable[i]) for i in ids[:MEMBERS_PER_BRANCH]}


def choose_cast(db: Database, catalogue: Catalogue) -> Cast:
    with db.read() as s:
        admin = s.execute(
            select(User.telegram_id, User.display_name, User.name).where(User.is_admin.is_(True))
        ).first()
        branches = s.execute(
            select(Branch.id, Branch.code).where(Branch.auto_dispatch.is_(False)).order_by(Branch.id)
        ).all()
        teams: list[Team] = []
        taken: set[int] = set()
        for branch_id, code in branches:
            staff_ids = s.scalars(select(Staff.user_id).where(Staff.branch_id == branch_id)).all()
            residents = s.execute(
                select(ResidentProfile.user_id, ResidentProfile.grid_id).where(
                    ResidentProfile.branch_id == branch_id
                )
            ).all()
            staff = _usable(s, list(staff_ids))
            if not staff or not residents:
                continue
            grid = Counter(g for _u, g in residents if g is not None).most_common(1)[0][0]
            taken |= set(staff_ids)
            members = _members(s, branch_id, grid, catalogue, taken)
            if len(members) < 3:
                continue
            taken |= set(members)
            # Residents of the grid first: the members chosen rank best for them.
            ordered = sorted(residents, key=lambda r: r.grid_id != grid)
            pool = _usable(s, [r.user_id for r in ordered if r.user_id not in taken])
            team = Team(branch_id, code, _fake(next(iter(staff.values()))), members)
            team.residents = [_fake(pool[r.user_id]) for r in ordered if r.user_id in pool]
            teams.append(team)
            if len(teams) == BRANCHES:
                break
    return Cast(_fake(admin), _share_residents(teams))


def _share_residents(teams: list[Team]) -> list[Team]:
    """Keep residents so that the whole mix is USERS people, shared evenly over the branches."""
    room = USERS - 1 - sum(1 + len(t.members) for t in teams)
    for i, team in enumerate(teams):
        share = room // len(teams) + (1 if i < room % len(teams) else 0)
        team.residents = team.residents[:share]
    return teams
