"""Builders for the people and wishes the tests need, made through the services."""

from dataclasses import dataclass
from datetime import date
from itertools import count

from models import Priority, Wish
from services import dispatch, people, tasks, wishes
from services.branches import add_branch, add_staff, grids_of
from services.db import Database

_ids = count(10_000)


@dataclass
class World:
    """One branch with two grids, its staff, a resident and three members."""

    db: Database
    catalogue: object
    branch_id: int
    grid_ids: list[int]
    staff_id: int
    resident_id: int
    members: list[int]
    limits: wishes.Limits = wishes.Limits()


async def new_user(s, name: str = "") -> int:
    user = await people.ensure_user(s, telegram_id=next(_ids), display_name=name)
    return user.id


async def new_branch(s, code: str) -> tuple[int, list[int]]:
    branch = await add_branch(s, code=code, name=f"{code}社区", grids=["一网格", "二网格"])
    return branch.id, [g.id for g in await grids_of(s, branch.id)]


async def new_staff(s, code: str) -> int:
    user = await add_staff(s, telegram_id=next(_ids), branch_code=code)
    return user.id


async def new_resident(s, branch_id: int, grid_id: int | None, name: str = "王秀英") -> int:
    uid = await new_user(s, name)
    address = people.Address("幸福小区", "3栋", "2单元", "502")
    await people.register_resident(
        s, actor_id=uid, name=name, phone="13812341234", branch_id=branch_id, grid_id=grid_id, address=address
    )
    return uid


async def new_member(
    s, catalogue, branch_id: int, grid_id: int | None, staff_id: int, *, name: str = "李建国",
    skills=("repair",), availability=("weekend",), approve: bool = True,
) -> int:
    uid = await new_user(s, name)
    await people.register_member(
        s, actor_id=uid, catalogue=catalogue, name=name, phone="13900001111", branch_id=branch_id,
        grid_id=grid_id, work_unit="区供电公司", skills=list(skills), availability=list(availability),
    )
    if approve:
        await people.decide_member(s, actor_id=staff_id, member_user_id=uid, approve=True)
    return uid


async def build_world(db: Database, catalogue, code: str = "A") -> World:
    async with db.write() as s:
        branch_id, grids = await new_branch(s, code)
        staff_id = await new_staff(s, code)
        resident_id = await new_resident(s, branch_id, grids[0])
        members = [
            await new_member(s, catalogue, branch_id, grids[0], staff_id, name="李建国"),
            await new_member(s, catalogue, branch_id, grids[1], staff_id, name="赵红梅"),
            await new_member(s, catalogue, branch_id, grids[1], staff_id, name="陈志强", skills=("tutoring",)),
        ]
    return World(db, catalogue, branch_id, grids, staff_id, resident_id, members)


async def submit(w: World, text: str = "厨房水管漏水", category: str = "repairs", resident_id=None) -> Wish:
    async with w.db.write() as s:
        return await wishes.submit_wish(
            s, actor_id=resident_id or w.resident_id, draft=wishes.WishDraft(category, text),
            catalogue=w.catalogue, limits=w.limits, today=date.today(),
        )


async def accepted(w: World, **kw) -> Wish:
    wish = await submit(w, **kw)
    async with w.db.write() as s:
        return await wishes.accept_wish(
            s, actor_id=w.staff_id, wish_id=wish.id, category=wish.category,
            priority=Priority.normal, catalogue=w.catalogue,
        )


async def assigned(w: World, member_index: int = 0) -> Wish:
    wish = await accepted(w)
    async with w.db.write() as s:
        offer = await dispatch.offer_wish(s, actor_id=w.staff_id, wish_id=wish.id, member_id=w.members[member_index])
    async with w.db.write() as s:
        return await dispatch.take_offer(s, actor_id=w.members[member_index], offer_id=offer.id)


async def completed(w: World, member_index: int = 0) -> Wish:
    wish = await assigned(w, member_index)
    async with w.db.write() as s:
        return await tasks.complete_task(
            s, actor_id=w.members[member_index], wish_id=wish.id, note="换了水管", hours=1.5
        )
