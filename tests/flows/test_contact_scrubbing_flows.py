"""Contacts a resident types into a wish reach only those who may see them: every offeree and
every member reading the wall gets the text scrubbed, while the branch staff and the member
who took the job see it as typed, and the stored text is never changed. Also: a resident who
submits too often in an hour is refused politely."""

import re
from dataclasses import replace

from sqlalchemy import func, select

from bot.flows.io import Message
from bot.flows.registry import build_engine
from bot.notify import render_notification
from bot.texts import render_error
from models import Outbox, Wish
from services import dispatch, tasks
from services.wishes import Limits
from tests.flows.harness import find_button, last_text, messages
from tests.flows.test_member_flows import build_town, new_wish, offer
from tests.flows.test_staff_flows import person

TYPED = "请打 138 1234 5678 或 一三九零零零零一一一一，住幸福小区3栋2单元502，水管漏了"
SECRETS = ("138 1234 5678", "一三九零零零零一一一一", "3栋2单元502")
DIGITS = re.compile(r"[0-9０-９一二三四五六七八九零]{3,}")


def shows_no_contact(text: str) -> bool:
    rest = re.sub(r"A-\d{4}", "", text)  # the wish number is not a contact
    return not any(secret in text for secret in SECRETS) and not DIGITS.search(rest) and "水管漏了" in text


def stored_text(db, wish_id: int) -> str:
    with db.read() as s:
        return s.scalar(select(Wish.text).where(Wish.id == wish_id))


def test_every_offeree_gets_the_offer_scrubbed_even_one_who_declines(db, catalogue):
    town = build_town(db, catalogue)
    wish_id = new_wish(town, TYPED)
    offer(town, wish_id, 0)
    with db.write() as s:
        first = dispatch.open_offer_for(s, wish_id=wish_id, member_id=town.member_ids[0])
        dispatch.decline_offer(s, actor_id=town.member_ids[0], offer_id=first.id, reason="出差")
    offer(town, wish_id, 1)
    with db.read() as s:
        rows = (s.execute(select(Outbox.user_id, Outbox.params).where(Outbox.key == "member.offer"))).all()
    assert sorted(uid for uid, _ in rows) == sorted(town.member_ids)
    for _, params in rows:
        shown = render_notification(
            "zh", catalogue, town.chat.deps.codec, key="member.offer", params=params, wish_id=wish_id
        )
        assert shows_no_contact(shown.text), shown.text
    assert stored_text(db, wish_id) == TYPED


def test_the_wall_shows_no_contact_but_the_member_who_claims_it_sees_the_original(db, catalogue):
    town = build_town(db, catalogue)
    wish_id = new_wish(town, TYPED)
    with db.write() as s:
        dispatch.post_to_wall(s, actor_id=town.staff_id, wish_id=wish_id)
    member = town.members[0]
    [wall] = messages(town.chat.command(member, "wall"))
    assert shows_no_contact(wall.text), wall.text
    town.chat.press(member, "认领")
    taken = [m for m in messages(member.seen) if "水管漏了" in m.text][-1]
    assert TYPED in taken.text  # the job is theirs: the text as the resident typed it
    assert stored_text(db, wish_id) == TYPED


def test_the_branch_staff_see_the_wish_as_the_resident_typed_it(db, catalogue):
    town = build_town(db, catalogue)
    wish_id = new_wish(town, TYPED)
    offer(town, wish_id, 0)
    staff = person(db, town.staff_id, "张社工")
    with db.read() as s:
        number = s.scalar(select(Wish.number).where(Wish.id == wish_id))
    out = messages(town.chat.command(staff, "wish", number))
    assert any(TYPED in m.text for m in out), [m.text for m in out]


def test_the_assigned_member_sees_the_original_in_their_tasks(db, catalogue):
    town = build_town(db, catalogue)
    wish_id = new_wish(town, TYPED)
    offer(town, wish_id, 0)
    member = town.members[0]
    town.chat.command(member, "mytasks")  # nothing yet: the offer is not a task
    with db.write() as s:
        open_offer = dispatch.open_offer_for(s, wish_id=wish_id, member_id=town.member_ids[0])
        dispatch.take_offer(s, actor_id=town.member_ids[0], offer_id=open_offer.id)
        tasks.start_task(s, actor_id=town.member_ids[0], wish_id=wish_id)
    out = [m for m in messages(town.chat.command(member, "mytasks")) if isinstance(m, Message)]
    assert any(TYPED in m.text for m in out), [m.text for m in out]
    assert find_button(member, "办结")


def test_a_resident_over_the_hourly_limit_is_told_politely_and_nothing_is_submitted(db, catalogue):
    town = build_town(db, catalogue)
    new_wish(town)  # one this hour already
    chat = town.chat
    chat.deps = replace(chat.deps, limits=Limits(max_wishes_per_hour=1))
    chat.engine = build_engine(chat.deps)
    grandma = town.resident
    chat.text(grandma, "📝 我要点单")
    chat.press(grandma, "维修疏通")
    chat.text(grandma, "灯泡坏了")
    chat.press(grandma, "周末")
    chat.press(grandma, "提交")
    assert "这一小时内已经提交了 1 个心愿" in last_text(grandma)
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Wish)) == 1
    assert "in the last hour" in render_error("en", "invalid.too_many_submissions", {"max": 1})
