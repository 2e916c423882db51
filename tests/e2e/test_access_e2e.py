"""Access through the real bot and the fake Bot API: an offer to a member who blocked the bot
comes straight back to staff, ready to dispatch again (fault matrix row 4)."""

from datetime import date

from sqlalchemy import select

from models import Offer, OfferStatus, Priority, User, Wish
from models import WishStatus as S
from sandan.fakebot import FakeUser
from services import people, wishes
from services.branches import add_branch, add_staff, grids_of
from tests.e2e.conftest import approved_member, press, said

STAFF = FakeUser(1101, "张书记")
LI, ZHAO = FakeUser(3101, "李建国"), FakeUser(3102, "赵红梅")


async def _town(db, catalogue) -> str:
    """Branch A, its staff, a resident, two approved members, and an accepted wish; its number."""
    async with db.write() as s:
        branch = await add_branch(s, code="A", name="幸福社区", grids=["一网格"])
        grid = (await grids_of(s, branch.id))[0]
        staff = await add_staff(s, telegram_id=STAFF.id, branch_code="A")
        resident = await people.ensure_user(s, telegram_id=2101, display_name="王秀英")
        address = people.Address("幸福小区", "3栋", "2单元", "502")
        await people.register_resident(
            s,
            actor_id=resident.id,
            name="王秀英",
            phone="13812341234",
            branch_id=branch.id,
            grid_id=grid.id,
            address=address,
        )
        for person in (LI, ZHAO):
            await approved_member(s, person, branch_id=branch.id, grid_id=grid.id, staff_id=staff.id)
        draft = wishes.WishDraft("repairs", "厨房水管漏水")
        wish = await wishes.submit_wish(
            s,
            actor_id=resident.id,
            draft=draft,
            catalogue=catalogue,
            limits=wishes.Limits(),
            today=date.today(),
        )
        await wishes.accept_wish(
            s,
            actor_id=staff.id,
            wish_id=wish.id,
            category="repairs",
            priority=Priority.normal,
            catalogue=catalogue,
        )
        return wish.number


async def test_an_offer_to_a_member_who_blocked_the_bot_comes_back_to_staff_ready_to_dispatch(
    running, db, catalogue
):
    api = running.api
    number = await _town(db, catalogue)
    api.block(LI.id)
    api.send_command(STAFF, f"/dispatch {number}")
    await press(api, STAFF, "派给 李建国")

    alert = await said(api, STAFF, "屏蔽", timeout=10)
    assert number in alert["text"]
    async with db.read() as s:
        wish = await s.scalar(select(Wish).where(Wish.number == number))
        offer = await s.scalar(select(Offer).where(Offer.wish_id == wish.id))
        li = await s.scalar(select(User).where(User.telegram_id == LI.id))
    assert (wish.status, offer.status, li.unreachable) == (S.accepted, OfferStatus.withdrawn, True)

    await press(api, STAFF, "派单")  # the alert's own button: the ranking, not "已派单，等党员接单"
    ranking = await said(api, STAFF, "赵红梅")
    assert "等党员接单" not in ranking["text"] and "李建国" not in ranking["text"]
    await press(api, STAFF, "派给 赵红梅")
    await said(api, ZHAO, number, timeout=10)
