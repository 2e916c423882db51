"""HTML injection (fault matrix row 12): markup in a wish's text and a resident's name reaches the
offer, the wall, the public notice and a broadcast through the real bot, escaped, so the fake
Bot API (which parses parse_mode=HTML like Telegram) accepts every message and shows it as typed."""

from datetime import date

from sqlalchemy import update

from models import Branch, Priority, TimeWindow
from sandan.fakebot import FakeUser
from services import dispatch, people, tasks, wishes
from services.branches import add_branch, add_staff, grids_of
from tests.e2e.conftest import approved_member, press, said

STAFF = FakeUser(1401, "张书记")
TAKER, READER = FakeUser(3101, "李建国"), FakeUser(3102, "赵红梅")
CHANNEL = -1001234567890
MARKUP = '<b>x</b><a href="http://e">'
DONE_TEXT = '修好了<i>y</i><a href="http://f">'


def town(db, catalogue) -> tuple[int, int, list[int]]:
    """Branch A with a channel, its staff, a resident whose name is markup, and two members."""
    with db.write() as s:
        branch = add_branch(s, code="A", name="幸福社区", grids=["一网格"])
        s.execute(update(Branch).where(Branch.id == branch.id).values(notice_chat_id=CHANNEL))
        grid = grids_of(s, branch.id)[0]
        staff_id = add_staff(s, telegram_id=STAFF.id, branch_code="A").id
        resident = people.ensure_user(s, telegram_id=2101, display_name=MARKUP)
        people.register_resident(
            s,
            actor_id=resident.id,
            name=MARKUP,
            phone="13812341234",
            branch_id=branch.id,
            grid_id=grid.id,
            address=people.Address("幸福小区", "3栋", "", "502"),
        )
        members = []
        for who in (TAKER, READER):
            members.append(approved_member(s, who, branch_id=branch.id, grid_id=grid.id, staff_id=staff_id))
    return staff_id, resident.id, members


def accepted_wish(db, catalogue, staff_id: int, resident_id: int, text: str):
    with db.write() as s:
        draft = wishes.WishDraft("repairs", text, TimeWindow.weekend)
        wish = wishes.submit_wish(
            s,
            actor_id=resident_id,
            draft=draft,
            catalogue=catalogue,
            limits=wishes.Limits(),
            today=date.today(),
        )
        return wishes.accept_wish(
            s,
            actor_id=staff_id,
            wish_id=wish.id,
            category="repairs",
            priority=Priority.normal,
            catalogue=catalogue,
        )


async def test_markup_in_a_wish_and_a_name_reaches_offer_wall_notice_and_broadcast_escaped(
    running, db, catalogue
):
    api = running.api
    staff_id, resident_id, members = town(db, catalogue)

    # The offer, delivered by the outbox sender.
    offered = accepted_wish(db, catalogue, staff_id, resident_id, MARKUP)
    with db.write() as s:
        dispatch.offer_wish(s, actor_id=staff_id, wish_id=offered.id, member_id=members[0])
    offer = await said(api, TAKER, "新的服务邀请")
    assert MARKUP in offer["text"]

    # The wall, as a reply to /wall.
    walled = accepted_wish(db, catalogue, staff_id, resident_id, MARKUP)
    with db.write() as s:
        dispatch.post_to_wall(s, actor_id=staff_id, wish_id=walled.id)
    api.send_command(READER, "/wall")
    wall = await said(api, READER, "心愿墙")
    assert MARKUP in wall["text"]

    # The public notice, posted to the channel: the name becomes its first character + 某.
    done = accepted_wish(db, catalogue, staff_id, resident_id, DONE_TEXT)
    with db.write() as s:
        posting = dispatch.offer_wish(s, actor_id=staff_id, wish_id=done.id, member_id=members[1])
        dispatch.take_offer(s, actor_id=members[1], offer_id=posting.id)
        tasks.complete_task(s, actor_id=members[1], wish_id=done.id, note="换了", hours=1)
    api.send_command(STAFF, "/publish")
    preview = await said(api, STAFF, "<某")
    assert DONE_TEXT in preview["text"]
    await press(api, STAFF, "确认发布")
    post = await api.wait_for(lambda: next(iter(api.sent_messages(CHANNEL)), None))
    assert DONE_TEXT in post["text"] and "<某" in post["text"]
    await said(api, STAFF, "公示已发布")

    # A broadcast typed by staff.
    api.send_command(STAFF, "/broadcast")
    await press(api, STAFF, "党员")
    await said(api, STAFF, "请输入通知内容")
    api.send_text(STAFF, MARKUP)
    await press(api, STAFF, "确认发送")
    note = await said(api, READER, "📢 幸福社区通知")
    assert note["text"] == f"📢 幸福社区通知\n\n{MARKUP}"
    assert api.status_counts[400] == 0  # Telegram would have refused nothing
