"""/privacy, /mydata and /forgetme, driven through the flow engine."""

import json
from dataclasses import replace
from datetime import timedelta

from sqlalchemy import func, select

from bot.flows.io import Edit, File
from bot.flows.registry import build_engine
from bot.ptb.commands import commands_key
from models import ConversationState, Outbox, Rating, User, Wish, WishEvent
from services import people
from services.retention import RetentionPolicy
from tests.flows.harness import Person, last_text, messages
from tests.flows.test_member_flows import assigned, build_town, new_wish
from tests.flows.test_my_wishes_flows import neighbour

PHONE = "13812341234"  # the town's resident, 王秀英


def wire_retention(town, policy: RetentionPolicy) -> None:
    town.chat.deps = replace(town.chat.deps, retention=policy)
    town.chat.engine = build_engine(town.chat.deps)


async def test_privacy_says_what_is_kept_who_sees_it_for_how_long_and_how_to_erase_it(db, catalogue):
    town = await build_town(db, catalogue)
    wire_retention(town, RetentionPolicy(outbox=timedelta(days=45), forms=timedelta(days=3)))
    await town.chat.command(town.resident, "privacy")
    zh = last_text(town.resident)
    for part in (
        "姓名",
        "手机号",
        "住址",
        "照片",
        "本社区的工作人员",
        "张*",
        "138****1234",
        "张某",
        "/mydata",
        "/forgetme",
    ):
        assert part in zh
    assert "45 天" in zh and "3 天" in zh  # the configured numbers, not fixed ones
    english = Person(611, "Ann", "en")
    await town.chat.command(english, "privacy")
    en = last_text(english)
    assert "45 days" in en and "3 days" in en and "/forgetme" in en and "staff of your branch" in en


def test_privacy_and_the_data_commands_are_in_everyones_menu():
    assert {"privacy", "mydata", "forgetme"} <= set(commands_key(None))


async def test_mydata_sends_the_residents_own_data_as_a_protected_file(db, catalogue):
    town = await build_town(db, catalogue)
    await neighbour(town)
    await new_wish(town, "厨房水管漏水")
    await new_wish(town, "孙大妈的心愿", resident_id=await _user_id(db, 602))
    out = await town.chat.command(town.resident, "mydata")
    files = [o for o in out if isinstance(o, File)]
    assert len(files) == 1 and files[0].protect and files[0].name.endswith(".json")
    data = json.loads(files[0].data)
    assert [w["text"] for w in data["wishes"]] == ["厨房水管漏水"]
    assert data["profile"]["phone"] == "+86" + PHONE
    raw = files[0].data.decode()
    assert "13700002222" not in raw and "孙大妈" not in raw  # the neighbour's phone and name


async def _user_id(db, telegram_id: int) -> int:
    async with db.read() as s:
        return await s.scalar(select(User.id).where(User.telegram_id == telegram_id))


async def _counts(db) -> tuple:
    async with db.read() as s:
        return tuple([await s.scalar(select(func.count()).select_from(m)) for m in (User, Wish, Rating)])


async def test_forgetme_explains_first_and_keeping_changes_nothing(db, catalogue):
    town = await build_town(db, catalogue)
    await assigned(town)
    await town.chat.command(town.resident, "forgetme")
    ask = last_text(town.resident)
    assert "撤销" in ask and "党员" in ask and "不能恢复" in ask
    out = await town.chat.press(town.resident, "不删了")
    assert any(isinstance(o, Edit) and "没有删除" in o.text for o in out)
    async with db.read() as s:
        assert await s.scalar(select(User.phone).where(User.id == town.resident_id)) == "+86" + PHONE


async def test_a_resident_who_forgets_cancels_the_assigned_wish_and_starts_again_as_a_new_user(db, catalogue):
    town = await build_town(db, catalogue)
    wish_id = await assigned(town)
    before = await _counts(db)
    async with db.read() as s:
        since = await s.scalar(select(func.max(Outbox.id)))
    await town.chat.command(town.resident, "wish")  # a form left half-filled
    async with db.read() as s:
        assert await s.get(ConversationState, 601) is not None
    await town.chat.command(town.resident, "forgetme")
    out = await town.chat.press(town.resident, "确认删除")
    assert any(isinstance(o, Edit) and "已经删除" in o.text and "A-0001" in o.text for o in out)

    async with db.read() as s:
        told = (await s.execute(select(Outbox.user_id, Outbox.key).where(Outbox.id > since))).all()
        user = await s.get(User, town.resident_id)
        wish = await s.get(Wish, wish_id)
        states = (await s.scalars(select(ConversationState.telegram_id))).all()
        notes = (await s.scalars(select(WishEvent.note).where(WishEvent.note.is_not(None)))).all()
    assert (town.member_ids[0], "member.cancelled") in told
    assert wish.status == "cancelled"
    assert (user.name, user.display_name, user.phone, user.telegram_id) == ("", "", "", None)
    assert 601 not in states
    assert not any(PHONE in (n or "") or "王秀英" in (n or "") for n in [wish.text, *notes])
    assert await _counts(db) == before

    li = town.members[0]  # the member looks at the task again: no contact any more
    await town.chat.command(li, "mytasks")
    assert PHONE not in last_text(li) and "王秀英" not in last_text(li)

    await town.chat.command(town.resident, "start")  # the same Telegram account
    assert await _user_id(db, 601) != town.resident_id
    await town.chat.command(town.resident, "mywishes")
    assert "还没有提交过心愿" in last_text(town.resident)
    async with db.read() as s:
        assert not await people.is_resident(s, user_id=await _user_id(db, 601))
    assert messages(out) == []
