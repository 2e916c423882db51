"""/publish: the public notice names people only as surname + 某 and never shows a phone or house
number, even where residents typed them into their wishes; tested on the seeded district."""

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select, update

from bot.flows.io import Edit, Message, Post
from models import Branch, ResidentProfile, Staff, User, Wish
from models.enums import WishStatus as S
from sandan.seed import seed
from services import group_posts
from services.reports.notice import scrub, surname_mou
from tests.flows.harness import Chat, Person

NOW = datetime(2025, 6, 15, 4, 0, tzinfo=UTC)
CHANNEL = -1001234567890


def test_surname_and_mou_stand_for_a_person():
    assert [surname_mou(n) for n in ("王秀英", "欧阳娜娜", "", "李")] == ["王某", "欧阳某", "某", "李某"]


@pytest.mark.parametrize(
    "typed",
    [
        "我是王秀英，电话13812345678",
        "电话 138 1234 5678 找王秀英",
        "打+86 138-1234-5678",
        "座机 0571-88886666",
        "住幸福小区3栋2单元502室",
        "幸福小区3-2-502",
        "幸福小区十二号楼五单元",
        "5#1201",
        "王秀英 1 3 8 1 2 3 4 5 6 7 8",
        "王秀英电话一三八一二三四五六七八",
        "王秀英邮箱wang.xy@example.com",
        "王秀英住三栋二单元五零二",
        "王秀英住在502",
    ],
)
def test_scrub_hides_names_phones_e_mails_and_house_numbers(typed):
    clean = scrub(typed, ["王秀英"])
    assert "王秀英" not in clean and "@" not in clean
    assert not re.search(r"\d{3,}", clean) and not re.search(r"\d\s*(栋|单元|室|号楼)", clean), clean
    assert not re.search(r"[一二三四五六七八九十]+(号楼|单元)", clean), clean
    assert not re.search(r"[一二三四五六七八九十〇零](\s*[一二三四五六七八九十〇零]){2,}", clean), clean


def seeded_branch(db) -> tuple[int, int, list[Wish]]:
    """A seeded branch with a channel, one of its staff, and its completed wishes of May 2025 made
    to carry the resident's full name, phone and address in their text, as residents do type them."""
    seed(db, scale="small", now=NOW)
    with db.write() as s:
        branch = s.scalars(select(Branch).order_by(Branch.id)).first()
        branch.notice_chat_id = CHANNEL
        staff = s.scalar(
            select(User.telegram_id).join(Staff, Staff.user_id == User.id).where(Staff.branch_id == branch.id)
        )
        may = (datetime(2025, 4, 30, 16, tzinfo=UTC), datetime(2025, 5, 31, 16, tzinfo=UTC))
        wishes = s.scalars(select(Wish).where(
            Wish.branch_id == branch.id, Wish.status.in_((S.completed, S.confirmed, S.closed)),
            Wish.submitted_at >= may[0], Wish.submitted_at < may[1])).all()  # fmt: skip
        for wish in wishes:
            user = s.get(User, wish.resident_id)
            home = s.scalar(select(ResidentProfile).where(ResidentProfile.user_id == user.id))
            local = user.phone.removeprefix("+86")
            text = (f"{user.name}，{home.compound}{home.building}{home.unit}{home.room}室，"
                    f"电话{local[:3]} {local[3:7]} {local[7:]}。{wish.text}")  # fmt: skip
            s.execute(update(Wish).where(Wish.id == wish.id).values(text=text[:1000]))
    assert wishes, "the seed should have completed wishes in May 2025"
    return branch.id, staff, wishes


def test_the_published_notice_has_no_full_name_phone_or_house_number_of_seeded_people(db, catalogue):
    branch_id, staff_tid, wishes = seeded_branch(db)
    chat, staff = Chat(db, catalogue), Person(staff_tid, "staff")
    chat.command(staff, "publish", "2025-05")
    chat.press(staff, "确认发布")
    [post] = [o for o in staff.seen if isinstance(o, Post)]
    assert post.chat_id == CHANNEL
    text = post.text.split("已办结的心愿：")[1]  # the list; the head has dates and rates
    for w in wishes:
        text = text.replace(w.number, "")
    with db.read() as s:
        people = s.execute(select(User.name, User.phone).where(User.name != "")).all()
        homes = s.scalars(select(ResidentProfile).where(ResidentProfile.branch_id == branch_id)).all()
    assert [n for n, _ in people if len(n) >= 2 and n in text] == []
    assert [p for _, p in people if p and p[-8:] in text.replace(" ", "")] == []
    assert not re.search(r"\d{3,}", text), text
    assert not re.search(r"\d+\s*(栋|单元|室|号楼)", text), text
    assert [h.room for h in homes if f"{h.room}室" in text] == []
    assert text.count("居民") == len(wishes) and "某" in text


def test_staff_preview_the_notice_and_nothing_is_posted_until_they_confirm(db, catalogue):
    _, staff_tid, _ = seeded_branch(db)
    chat, staff = Chat(db, catalogue), Person(staff_tid, "staff")
    out = chat.command(staff, "publish", "2025-05")
    assert not [o for o in out if isinstance(o, Post)]
    preview = [o for o in out if isinstance(o, Message)][-1]
    assert "公示" in preview.text and [b.text for b in preview.buttons[0]] == ["✅ 确认发布", "取消"]
    out = chat.press(staff, "取消")
    assert [type(o) for o in out if not hasattr(o, "alert")] == [Edit]


def test_staff_are_told_plainly_when_no_channel_is_set(db, catalogue):
    _, staff_tid, _ = seeded_branch(db)
    with db.write() as s:
        s.execute(update(Branch).values(notice_chat_id=None))
    chat, staff = Chat(db, catalogue), Person(staff_tid, "staff")
    [message] = chat.command(staff, "publish", "2025-05")
    assert "还没有设置公示群" in message.text and "sandan branch notice" in message.text


def test_a_channel_that_had_its_twenty_posts_this_minute_is_not_posted_to_and_staff_are_told(db, catalogue):
    _, staff_tid, _ = seeded_branch(db)
    chat, staff = Chat(db, catalogue), Person(staff_tid, "staff")
    with db.write() as s:  # another process, or staff elsewhere, posted to the channel just now
        for _ in range(group_posts.PER_MINUTE):
            assert group_posts.reserve(s, chat_id=CHANNEL)
    chat.command(staff, "publish", "2025-05")
    out = chat.press(staff, "确认发布")
    assert not [o for o in out if isinstance(o, Post)]
    assert any("一分钟内已发了 20 条" in o.text for o in out if isinstance(o, Edit))
