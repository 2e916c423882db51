"""Access through the real bot and the fake Bot API: an offer to a member who blocked the bot
comes straight back to staff, ready to dispatch again (fault matrix row 4)."""

from datetime import date

from sqlalchemy import select, update

from models import Offer, OfferStatus, Outbox, OutboxStatus, Priority, User, Wish
from models import WishStatus as S
from sandan.fakebot import FakeUser
from services import people, wishes
from services.branches import add_branch, add_staff, grids_of
from tests.e2e.conftest import approved_member, press, said

STAFF = FakeUser(1101, "张书记")
LI, ZHAO = FakeUser(3101, "李建国"), FakeUser(3102, "赵红梅")


def _town(db, catalogue) -> str:
    """Branch A, its staff, a resident, two approved members, and an accepted wish; its number."""
    with db.write() as s:
        branch = add_branch(s, code="A", name="幸福社区", grids=["一网格"])
        grid = grids_of(s, branch.id)[0]
        staff = add_staff(s, telegram_id=STAFF.id, branch_code="A")
        resident = people.ensure_user(s, telegram_id=2101, display_name="王秀英")
        address = people.Address("幸福小区", "3栋", "2单元", "502")
        people.register_resident(
            s,
            actor_id=resident.id,
            name="王秀英",
            phone="13812341234",
            branch_id=branch.id,
            grid_id=grid.id,
            address=address,
        )
        for person in (LI, ZHAO):
            approved_member(s, person, branch_id=branch.id, grid_id=grid.id, staff_id=staff.id)
        draft = wishes.WishDraft("repairs", "厨房水管漏水")
        wish = wishes.submit_wish(
            s,
            actor_id=resident.id,
            draft=draft,
            catalogue=catalogue,
            limits=wishes.Limits(),
            today=date.today(),
        )
        wishes.accept_wish(
            s,
            actor_id=staff.id,
            wish_id=wish.id,
            category="repairs",
            priority=Priority.normal,
            catalogue=catalogue,
        )
        # The set-up chatter (approvals, the new wish) counts as delivered: the offer itself is
        # what finds the block, however soon the sender's next pass comes.
        s.execute(update(Outbox).values(status=OutboxStatus.sent))
        return wish.number


async def test_an_offer_to_a_member_who_blocked_the_bot_comes_back_to_staff_ready_to_dispatch(
    running, db, catalogue
):
    api = running.api
    number = _town(db, catalogue)
    api.block(LI.id)
    api.send_command(STAFF, f"/dispatch {number}")
    await press(api, STAFF, "派给 李建国")

    alert = await said(api, STAFF, "屏蔽", timeout=10)
    assert number in alert["text"]
    with db.read() as s:
        wish = s.scalar(select(Wish).where(Wish.number == number))
        offer = s.scalar(select(Offer).where(Offer.wish_id == wish.id))
        li = s.scalar(select(User).where(User.telegram_id == LI.id))
    assert (wish.status, offer.status, li.unreachable) == (S.accepted, OfferStatus.withdrawn, True)

    earlier = len(api.sent_messages(STAFF.id))  # the first ranking named 赵红梅 too
    await press(api, STAFF, "派单")  # the alert's own button: the ranking, not "已派单，等党员接单"
    later = lambda: api.sent_messages(STAFF.id)[earlier:]  # noqa: E731
    ranking = await api.wait_for(lambda: next((m for m in later() if "赵红梅" in m.get("text", "")), None))
    assert "等党员接单" not in ranking["text"] and "李建国" not in ranking["text"]
    await press(api, STAFF, "派给 赵红梅")
    await said(api, ZHAO, number, timeout=10)
