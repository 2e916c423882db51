"""A resident uses the real bot over HTTP: registration, a wish, restarts and duplicates."""

import asyncio

from sqlalchemy import func, select

from models import Outbox, OutboxStatus, Wish
from sandan.fakebot import FakeUser
from services.branches import add_branch, add_staff
from tests.e2e.conftest import press, said

GRANDMA = FakeUser(2001, "王秀英")
STAFF = FakeUser(1001, "张书记")


def _branch_with_staff(db):
    with db.write() as s:
        add_branch(s, code="A", name="幸福社区", grids=["一网格", "二网格"])
        add_staff(s, telegram_id=STAFF.id, branch_code="A")


async def _register(api):
    api.send_command(GRANDMA, "/start")
    await said(api, GRANDMA, "我要点单")
    api.send_text(GRANDMA, "📝 我要点单")
    await press(api, GRANDMA, "王秀英")
    await said(api, GRANDMA, "发送我的手机号")
    api.send_contact(GRANDMA, "+8613812341234")
    await press(api, GRANDMA, "一网格")
    for prompt, answer in (("小区名称", "幸福小区"), ("楼栋号", "3栋")):
        await said(api, GRANDMA, prompt)
        api.send_text(GRANDMA, answer)
    await press(api, GRANDMA, "没有单元")
    await said(api, GRANDMA, "门牌号")
    api.send_text(GRANDMA, "502")
    await press(api, GRANDMA, "确认")


async def test_a_resident_posts_a_wish_and_staff_are_alerted_with_buttons(running, db):
    api = running.api
    _branch_with_staff(db)
    await _register(api)
    await press(api, GRANDMA, "维修疏通")
    await said(api, GRANDMA, "具体需要帮什么")
    api.send_text(GRANDMA, "厨房水管漏水 <b>急</b>")
    await press(api, GRANDMA, "尽快")
    confirm = await said(api, GRANDMA, "请确认您的心愿")
    assert "<b>急</b>" in confirm["text"]  # user text is escaped, so it shows as typed
    await press(api, GRANDMA, "提交")
    await said(api, GRANDMA, "A-0001")
    alert = await said(api, STAFF, "A-0001")
    assert "受理" in str(alert["reply_markup"])


async def test_a_restart_in_the_middle_of_the_form_keeps_the_answers(running, db):
    api = running.api
    _branch_with_staff(db)
    await _register(api)
    await press(api, GRANDMA, "维修疏通")
    await said(api, GRANDMA, "具体需要帮什么")
    await running.restart()
    api.send_text(GRANDMA, "灯泡坏了")
    await press(api, GRANDMA, "周末")
    await press(api, GRANDMA, "提交")
    await said(api, GRANDMA, "A-0001")
    with db.read() as s:
        wish = s.scalar(select(Wish))
    assert (wish.category, wish.text, wish.time_window) == ("repairs", "灯泡坏了", "weekend")


async def test_a_duplicate_update_is_applied_once(running, db):
    api = running.api
    _branch_with_staff(db)
    await _register(api)
    await press(api, GRANDMA, "维修疏通")
    api.send_text(GRANDMA, "灯泡坏了")
    await press(api, GRANDMA, "尽快")
    update_id = await press(api, GRANDMA, "提交")
    await said(api, GRANDMA, "A-0001")
    api.deliver_twice(update_id)
    api.send_command(GRANDMA, "/help")
    await said(api, GRANDMA, "【居民】")
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Wish)) == 1


async def test_a_forged_button_gets_a_polite_refusal(running, db):
    api = running.api
    api.send_command(GRANDMA, "/start")
    greeting = await said(api, GRANDMA, "我要点单")
    api.press(GRANDMA, greeting, "wsubmit:1~AAAAAAAA", strict=False)
    await api.wait_for(lambda: any("过期" in (a.get("text") or "") for a in api.callback_answers.values()))


async def test_stickers_and_documents_get_a_helpful_reply(running):
    api = running.api
    api.send_sticker(GRANDMA)
    await said(api, GRANDMA, "用不上")
    api.send_document(GRANDMA)
    await api.wait_for(lambda: len([m for m in api.sent_messages(GRANDMA.id) if "用不上" in m["text"]]) == 2)


async def test_a_429_storm_delays_notifications_but_loses_none(running, db):
    api = running.api
    _branch_with_staff(db)
    await _register(api)
    with db.write() as s:
        for n in range(12):
            s.add(Outbox(user_id=1, key="staff.cancelled", params={"number": f"X-{n}"}))
    api.fail_next("sendMessage", status=429, retry_after=1, count=4)
    await api.wait_for(
        lambda: sum("X-" in (m.get("text") or "") for m in api.sent_messages()) >= 12, timeout=15
    )
    texts = [m["text"] for m in api.sent_messages() if "X-" in (m.get("text") or "")]
    assert len(texts) == len(set(texts)) == 12

    def undelivered() -> int:
        with db.read() as s:
            return s.scalar(
                select(func.count()).select_from(Outbox).where(Outbox.status != OutboxStatus.sent)
            )

    for _ in range(50):  # the last "sent" mark may land just after Telegram's answer
        if undelivered() == 0:
            break
        await asyncio.sleep(0.1)
    assert undelivered() == 0
    assert api.count_429 == 4
