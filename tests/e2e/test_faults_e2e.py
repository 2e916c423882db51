"""Faults through the real bot and the fake Bot API: floods aimed at one chat, long messages
cut off by 429s, failed replies, malformed buttons and input the bot cannot use."""

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.notify import render_notification
from bot.ptb.render import REPLY_ATTEMPTS, split_text
from models import Outbox, OutboxStatus, User, Wish
from models.types import utcnow
from sandan.fakebot import FakeUser
from services.replies import REPLY_KEY
from tests.e2e.conftest import press, said
from tests.e2e.test_resident_e2e import GRANDMA, STAFF, _branch_with_staff, _register

MEMBER = FakeUser(3001, "李建国")


def users(db, *people: FakeUser) -> list[int]:
    with db.write() as s:
        rows = [User(telegram_id=p.id, display_name=p.first_name) for p in people]
        s.add_all(rows)
        s.flush()
        return [u.id for u in rows]


def queue_notes(db, user_id: int, *numbers: str) -> None:
    with db.write() as s:
        s.add_all(Outbox(user_id=user_id, key="staff.cancelled", params={"number": n}) for n in numbers)


def texts(api, person: FakeUser, part: str) -> list[str]:
    return [m["text"] for m in api.sent_messages(person.id) if part in (m.get("text") or "")]


async def test_a_flood_wait_of_10072_s_on_one_chat_holds_only_that_chat(running, db):
    api = running.api
    member, staff, resident = users(db, MEMBER, STAFF, GRANDMA)
    api.fail_next("sendMessage", 429, retry_after=10_072, chat_id=MEMBER.id, count=None)
    queue_notes(db, member, "M-1", "M-2", "M-3")
    await asyncio.sleep(0.5)  # the member's chat is refused first, and held
    queue_notes(db, staff, "S-1")
    queue_notes(db, resident, "R-1")
    await said(api, STAFF, "S-1", timeout=5)
    await said(api, GRANDMA, "R-1", timeout=5)
    for n in range(10):  # and a broadcast-sized burst to others keeps flowing
        queue_notes(db, staff, f"B-{n}")
    await api.wait_for(lambda: len(texts(api, STAFF, "B-")) == 10, timeout=10)
    refused = api.calls("sendMessage", chat_id=MEMBER.id)
    assert len(refused) == 1  # asked once; then the chat waits, in memory and in the database
    with db.read() as s:
        held = s.scalars(select(Outbox).where(Outbox.user_id == member)).all()
    assert {r.status for r in held} == {OutboxStatus.pending}
    assert all(r.not_before > utcnow() + timedelta(seconds=10_000) for r in held)
    await running.restart()  # a restart respects the wait too
    await asyncio.sleep(1)
    assert len(api.calls("sendMessage", chat_id=MEMBER.id)) == 1


@pytest.mark.parametrize("retry_after", [1, 35])
async def test_a_429_storm_on_every_chat_delays_but_loses_and_repeats_nothing(running, db, retry_after):
    api = running.api
    staff, resident = users(db, STAFF, GRANDMA)
    api.fail_next("sendMessage", 429, retry_after=retry_after, count=2)
    queue_notes(db, staff, "S-1")
    queue_notes(db, resident, "R-1")
    if retry_after > 1:  # nobody is made to wait 35 s here: let the held rows fall due now
        await api.wait_for(lambda: api.count_429 == 2, timeout=5)
        await asyncio.sleep(0.5)
        with db.write() as s:
            s.execute(Outbox.__table__.update().values(not_before=utcnow()))
        running.bot.sender.chats._buckets.clear()
    await said(api, STAFF, "S-1", timeout=10)
    await said(api, GRANDMA, "R-1", timeout=10)
    assert len(texts(api, STAFF, "S-1")) == len(texts(api, GRANDMA, "R-1")) == 1


@pytest.mark.parametrize("key", ["staff.cancelled", REPLY_KEY])
async def test_a_long_message_cut_off_by_429s_resumes_where_it_stopped(running, db, catalogue, key):
    api = running.api
    [staff] = users(db, STAFF)
    long = "\n".join(f"第 {i:04} 行：一段很长的通知内容，用来撑满好几条消息。" for i in range(400))
    params = {"number": long} if key != REPLY_KEY else {"message": {"text": long}}
    message = render_notification("zh", catalogue, running.deps.codec, key=key, params=params, wish_id=None)
    parts = split_text(message.text)
    assert len(parts) >= 3
    api.rate_limit(None, 1)  # one message a second to a chat: every second part is refused
    with db.write() as s:
        s.add(Outbox(user_id=staff, key=key, params=params))
    await api.wait_for(lambda: len(api.sent_messages(STAFF.id)) >= len(parts), timeout=20)
    await asyncio.sleep(1.5)
    got = [m["text"] for m in api.sent_messages(STAFF.id)]
    assert api.count_429 >= 1
    assert len(got) == len(parts) and len(set(got)) == len(parts)  # each part once, in order
    assert got == parts


@pytest.mark.parametrize("fault", ["500", "dropped"])
async def test_the_answer_to_submit_arrives_even_when_sending_it_fails_again_and_again(running, db, fault):
    api = running.api
    _branch_with_staff(db)
    await _register(api)
    await press(api, GRANDMA, "维修疏通")
    await said(api, GRANDMA, "具体需要帮什么")
    api.send_text(GRANDMA, "灯泡坏了")
    await press(api, GRANDMA, "尽快")
    await said(api, GRANDMA, "请确认您的心愿")
    # Every try the reply gets at once fails; the outbox then delivers it.
    if fault == "500":
        api.fail_next("sendMessage", 500, chat_id=GRANDMA.id, count=REPLY_ATTEMPTS)
    else:
        api.drop_next("sendMessage", count=REPLY_ATTEMPTS, chat_id=GRANDMA.id)
    await press(api, GRANDMA, "提交")
    await said(api, GRANDMA, "A-0001", timeout=10)
    await said(api, STAFF, "A-0001")
    await asyncio.sleep(1)
    assert len(texts(api, GRANDMA, "A-0001")) == 1
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Wish)) == 1
        reply = s.scalar(select(Outbox).where(Outbox.key == REPLY_KEY))
    assert reply.status == OutboxStatus.sent and reply.params == {}  # no copy of the text stays


async def test_a_dropped_connection_on_a_notification_is_retried_and_delivered_once(running, db):
    api = running.api
    [staff] = users(db, STAFF)
    api.drop_next("sendMessage", count=1, chat_id=STAFF.id)
    queue_notes(db, staff, "N-1")
    await said(api, STAFF, "N-1", timeout=10)
    await asyncio.sleep(0.5)
    assert len(texts(api, STAFF, "N-1")) == 1


@pytest.mark.parametrize(
    "data",
    ["ac:1~ÄÖÜ中文签名", "", "~", "ac:1", "x" * 65, "ac:1~!!!!****", "ac:1~AAAAAAAA", "ac~", ":::~abc"],
)
async def test_a_malformed_button_gets_the_stale_button_answer(running, db, data):
    api = running.api
    api.send_command(GRANDMA, "/start")
    greeting = await said(api, GRANDMA, "我要点单")
    api.press(GRANDMA, greeting, data, strict=False)
    await api.wait_for(lambda: any("过期" in (a.get("text") or "") for a in api.callback_answers.values()))


async def test_a_location_or_an_edited_message_outside_a_form_gets_a_polite_answer_and_changes_nothing(
    running, db
):
    api = running.api
    api.send_command(GRANDMA, "/start")
    first = await said(api, GRANDMA, "我要点单")
    with db.read() as s:
        before = s.scalar(select(func.count()).select_from(Outbox))
    api.send_location(GRANDMA, 31.2, 121.5)
    await said(api, GRANDMA, "用不上")
    edited = {**api.message(GRANDMA.id, first["message_id"]), "text": "/start 改过", "edit_date": 1}
    edited["from"], edited["chat"] = GRANDMA.to_dict(), GRANDMA.chat_dict()
    api.inject_raw({"edited_message": edited})
    await api.wait_for(lambda: len(texts(api, GRANDMA, "用不上")) == 2)
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Outbox)) == before
        assert s.scalar(select(func.count()).select_from(Wish)) == 0


async def test_an_over_long_wish_text_is_refused_politely_and_asked_again(running, db):
    api = running.api
    _branch_with_staff(db)
    await _register(api)
    await press(api, GRANDMA, "维修疏通")
    await said(api, GRANDMA, "具体需要帮什么")
    api.send_text(GRANDMA, "漏" * 4096)  # the longest message Telegram lets anyone send
    await said(api, GRANDMA, "1到1000个字")
    api.send_text(GRANDMA, "灯泡坏了")
    await press(api, GRANDMA, "尽快")
    await press(api, GRANDMA, "提交")
    await said(api, GRANDMA, "A-0001")
    with db.read() as s:
        assert s.scalars(select(Wish.text)).all() == ["灯泡坏了"]


async def test_an_over_long_command_argument_gets_an_answer_not_a_crash(running):
    api = running.api
    api.send_command(GRANDMA, "/start")
    await said(api, GRANDMA, "我要点单")
    api.send_command(GRANDMA, "/wish " + "A" * 4000)
    api.send_command(GRANDMA, "/help")
    await said(api, GRANDMA, "【居民】")
    assert not [m for m in api.sent_messages(GRANDMA.id) if "出了点问题" in (m.get("text") or "")]
