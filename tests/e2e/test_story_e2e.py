"""The three roles over HTTP: the full story, the wall, a dispute, refusals and a blocked user."""

from sqlalchemy import select

from models import MemberProfile, Outbox, Rating, User, Wish
from sandan.demo.story import Demo
from sandan.fakebot import FakeUser
from tests.e2e.conftest import said


def _demo(running, db) -> Demo:
    """The demo's story, played against the running bot (it waits for the bot to be idle)."""
    demo = Demo(running.api, db, "zh")
    demo.bot = running.bot
    return demo


async def test_the_full_story_from_posting_to_rating(running, db, capsys):
    demo = _demo(running, db)
    demo.cast()
    await demo.play()
    with db.read() as s:
        wish = s.scalar(select(Wish))
        rating = s.scalar(select(Rating))
        member = s.scalar(select(MemberProfile).where(MemberProfile.user_id == wish.assigned_member_id))
        helper = s.get(User, wish.assigned_member_id)
    assert (wish.status, wish.hours_spent, rating.score, rating.comment) == (
        "confirmed",
        1.5,
        5,
        "来得很快，修得很好，谢谢！",
    )
    assert (helper.telegram_id, member.tasks_confirmed, member.hours_total) == (3002, 1, 1.5)
    transcript = capsys.readouterr().out
    assert "婉拒" in transcript and "138 1234 1234" in transcript


async def _accepted_wish(demo: Demo):
    """Play the story up to the moment staff have accepted the wish."""
    r, st = demo.resident, demo.staff
    demo.cast()
    await demo.command(r, "/start")
    await demo.text(r, "📝 我要点单")
    await demo.press(r, r.first_name)
    await demo.contact(r, "13812341234")
    await demo.press(r, "一网格")
    for answer in ("幸福小区", "3栋"):
        await demo.text(r, answer)
    await demo.press(r, "没有单元")
    await demo.text(r, "502")
    await demo.press(r, "确认")
    await demo.press(r, "维修疏通")
    await demo.text(r, "换灯泡")
    await demo.press(r, "尽快")
    await demo.press(r, "提交")
    await demo.press(st, "受理")
    await demo.press(st, "维修疏通")
    await demo.press(st, "普通")
    await demo.press(st, "派单")


async def test_a_wall_posting_is_claimed_once_and_a_dispute_reaches_staff(running, db):
    api = running.api
    demo = _demo(running, db)
    await _accepted_wish(demo)
    await demo.press(demo.staff, "心愿墙")
    m1, m2, _ = demo.members
    for member in (m1, m2):
        api.send_command(member, "/wall")
        await said(api, member, "A-0001")
    await demo.press(m2, "认领")
    await said(api, m2, "138 1234 1234")  # the contact arrives only after the claim
    await demo.press(m1, "认领")
    assert any("已经有其他党员" in (a.get("text") or "") for a in api.callback_answers.values())
    await demo.press(m2, "已办结")
    await demo.text(m2, "换好了")
    await demo.press(m2, "1 小时")
    await demo.press(m2, "跳过")
    await demo.press(demo.resident, "没有办好")
    await demo.press(demo.resident, "直接提交")
    await demo.press(demo.resident, "确认")
    alert = await said(api, demo.staff, "没有办好")
    assert "A-0001" in alert["text"]
    with db.read() as s:
        wish = s.scalar(select(Wish))
    assert (wish.status, wish.assigned_member_id is not None) == ("disputed", True)


async def test_staff_commands_are_refused_for_residents(running, db):
    api = running.api
    demo = _demo(running, db)
    demo.cast()
    stranger = FakeUser(4242, "路人")
    for n, command in enumerate(("/queue", "/dispatch A-0001", "/members", "/find 水管"), 1):
        api.send_command(stranger, command)
        await api.wait_for_messages(stranger.id, n)
    texts = [m["text"] for m in api.sent_messages(stranger.id)]
    assert len(texts) == 4 and all("工作人员" in text for text in texts)


async def test_a_member_who_blocked_the_bot_is_marked_and_staff_see_it(running, db):
    api = running.api
    demo = _demo(running, db)
    await _accepted_wish(demo)
    m1 = demo.members[0]
    api.block(m1.id)
    await demo.press(demo.staff, m1.first_name)  # the offer to m1 cannot be delivered
    warning = await said(api, demo.staff, "屏蔽")
    assert "A-0001" in warning["text"]
    with db.read() as s:
        blocked = s.scalar(select(User).where(User.telegram_id == m1.id))
        failed = s.scalars(select(Outbox.last_error).where(Outbox.user_id == blocked.id)).all()
    assert blocked.unreachable and "403 blocked" in failed
