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


def test_privacy_says_what_is_kept_who_sees_it_for_how_long_and_how_to_erase_it(db, catalogue):
    town = build_town(db, catalogue)
    wire_retention(town, RetentionPolicy(outbox=timedelta(days=45), forms=timedelta(days=3)))
    town.chat.command(town.resident, "privacy")
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
    town.chat.command(english, "privacy")
    en = last_text(english)
    assert "45 days" in en and "3 days" in en and "/forgetme" in en and "staff of your branch" in en


def test_privacy_and_the_data_commands_are_in_everyones_menu():
    assert {"privacy", "mydata", "forgetme"} <= set(commands_key(None))


def test_mydata_sends_the_residents_own_data_as_a_protected_file(db, catalogue):
    town = build_town(db, catalogue)
    neighbour(town)
    new_wish(town, "厨房水管漏水")
    new_wish(town, "孙大妈的心愿", resident_id=_user_id(db, 602))
    out = town.chat.command(town.resident, "mydata")
    files = [o for o in out if isinstance(o, File)]
    assert len(files) == 1 and files[0].protect and files[0].name.endswith(".json")
    data = json.loads(files[0].data)
    assert [w["text"] for w in data["wishes"]] == ["厨房水管漏水"]
    assert data["profile"]["phone"] == "+86" + PHONE
    raw = files[0].data.decode()
    assert "13700002222" not in raw and "孙大妈" not in raw  # the neighbour's phone and name


def _user_id(db, telegram_id: int) -> int:
    with db.read() as s:
        return s.scalar(select(User.id).where(User.telegram_id == telegram_id))


def _counts(db) -> tuple:
    with db.read() as s:
        return tuple([s.scalar(select(func.count()).select_from(m)) for m in (User, Wish, Rating)])


def test_forgetme_explains_first_and_keeping_changes_nothing(db, catalogue):
    town = build_town(db, catalogue)
    assigned(town)
    town.chat.command(town.resident, "forgetme")
    ask = last_text(town.resident)
    assert "撤销" in ask and "党员" in ask and "不能恢复" in ask
    out = town.chat.press(town.resident, "不删了")
    assert any(isinstance(o, Edit) and "没有删除" in o.text for o in out)
    with db.read() as s:
        assert s.scalar(select(User.phone).where(User.id == town.resident_id)) == "+86" + PHONE


def test_a_resident_who_forgets_cancels_the_assigned_wish_and_starts_again_as_a_new_user(db, catalogue):
    town = build_town(db, catalogue)
    wish_id = assigned(town)
    before = _counts(db)
    with db.read() as s:
        since = s.scalar(select(func.max(Outbox.id)))
    town.chat.command(town.resident, "wish")  # a form left half-filled
    with db.read() as s:
        assert s.get(ConversationState, 601) is not None
    town.chat.command(town.resident, "forgetme")
    out = town.chat.press(town.resident, "确认删除")
    assert any(isinstance(o, Edit) and "已经删除" in o.text and "A-0001" in o.text for o in out)

    with db.read() as s:
        told = s.execute(select(Outbox.user_id, Outbox.key).where(Outbox.id > since)).all()
        user = s.get(User, town.resident_id)
        wish = s.get(Wish, wish_id)
        states = s.scalars(select(ConversationState.telegram_id)).all()
        notes = s.scalars(select(WishEvent.note).where(WishEvent.note.is_not(None))).all()
    assert (town.member_ids[0], "member.cancelled") in told
    assert wish.status == "cancelled"
    assert (user.name, user.display_name, user.phone, user.telegram_id) == ("", "", "", None)
    assert 601 not in states
    assert not any(PHONE in (n or "") or "王秀英" in (n or "") for n in [wish.text, *notes])
    assert _counts(db) == before

    li = town.members[0]  # the member looks at the task again: no contact any more
    town.chat.command(li, "mytasks")
    assert PHONE not in last_text(li) and "王秀英" not in last_text(li)

    town.chat.command(town.resident, "start")  # the same Telegram account
    assert _user_id(db, 601) != town.resident_id
    town.chat.command(town.resident, "mywishes")
    assert "还没有提交过心愿" in last_text(town.resident)
    with db.read() as s:
        assert not people.is_resident(s, user_id=_user_id(db, 601))
    assert messages(out) == []
