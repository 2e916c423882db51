"""/broadcast: staff choose who hears it, type it, check the exact message and the head count,
send it once, and follow its progress."""

from sqlalchemy import func, select, update

from bot.flows.io import Edit, Kind, Message
from bot.flows.staff_broadcast import REFRESH
from models import Broadcast, Outbox
from services.broadcasts import MAX_TEXT
from tests import factories as f
from tests.flows.harness import find_button, last_text, messages
from tests.flows.test_staff_flows import person, setup

NOTICE = "本周六上午9点在社区广场义诊"


def broadcasts(db) -> int:
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(Broadcast))


def test_staff_preview_the_exact_message_and_head_count_then_send_it_and_refresh_progress(db, catalogue):
    w, _, chat, staff, _ = setup(db, catalogue)
    chat.command(staff, "broadcast")
    assert "A社区的哪些人" in last_text(staff)
    chat.press(staff, "党员和居民")
    assert "请输入通知内容" in last_text(staff)
    preview = messages(chat.text(staff, NOTICE))
    assert "党员和居民会收到的消息，共 4 人" in preview[0].text
    assert preview[1].text == f"📢 A社区通知\n\n{NOTICE}"
    out = chat.press(staff, "确认发送")
    assert [type(o) for o in out[:2]] == [Edit, Message] and out[0].buttons == []
    assert "通知 #1：共 4 人" in out[1].text and "待发送 4" in out[1].text
    with db.read() as s:
        rows = s.scalars(select(Outbox.user_id).where(Outbox.broadcast_id.is_not(None))).all()
    assert sorted(rows) == sorted([w.resident_id, *w.members])
    with db.write() as s:  # the sender delivered them all meanwhile
        s.execute(update(Outbox).where(Outbox.broadcast_id.is_not(None)).values(status="sent"))
    [refreshed] = [o for o in chat.press(staff, "刷新") if isinstance(o, Edit)]
    assert "已送达 4 · 待发送 0" in refreshed.text and "已全部发送完毕" in refreshed.text
    assert refreshed.buttons == []


def test_confirming_twice_sends_one_broadcast(db, catalogue):
    _, _, chat, staff, _ = setup(db, catalogue)
    chat.command(staff, "broadcast")
    chat.press(staff, "党员")
    chat.text(staff, NOTICE)
    send = find_button(staff, "确认发送")
    chat.send(staff, Kind.button, data=send.data)
    chat.send(staff, Kind.button, data=send.data)
    assert broadcasts(db) == 1


def test_a_too_long_notice_is_refused_and_asked_again(db, catalogue):
    _, _, chat, staff, _ = setup(db, catalogue)
    chat.command(staff, "broadcast")
    chat.press(staff, "居民")
    out = messages(chat.text(staff, "长" * (MAX_TEXT + 1)))
    assert "1 到 3500 个字" in out[0].text and "请输入通知内容" in out[1].text
    assert broadcasts(db) == 0


def test_residents_are_refused_politely(db, catalogue):
    w, _, chat, _, _ = setup(db, catalogue)
    resident = person(db, w.resident_id, "王秀英")
    chat.command(resident, "broadcast")
    assert "只有本社区的工作人员" in last_text(resident)


def test_staff_of_another_branch_cannot_follow_a_broadcast_progress(db, catalogue):
    _, _, chat, staff, other_staff = setup(db, catalogue)
    chat.command(staff, "broadcast")
    chat.press(staff, "党员")
    chat.text(staff, NOTICE)
    chat.press(staff, "确认发送")
    out = chat.send(other_staff, Kind.button, data=chat.deps.codec.encode(REFRESH, 1))
    assert "只有本社区的工作人员" in out[0].text and not any(isinstance(o, Edit) for o in out)


def test_an_admin_chooses_every_branch_and_the_notice_is_not_signed_by_one(db, catalogue):
    _, _, chat, _, _ = setup(db, catalogue)
    with db.write() as s:
        admin_id = f.new_admin(s)
    admin = person(db, admin_id, "区管理员")
    chat.command(admin, "broadcast")
    chat.press(admin, "全部社区")
    assert "全部社区的哪些人" in last_text(admin)
    chat.press(admin, "居民")
    preview = messages(chat.text(admin, NOTICE))
    assert "共 2 人" in preview[0].text and preview[1].text == f"📢 社区通知\n\n{NOTICE}"


def test_the_preview_shows_the_notice_with_contacts_masked_exactly_as_recipients_get_it(db, catalogue):
    _, _, chat, staff, _ = setup(db, catalogue)
    chat.command(staff, "broadcast")
    chat.press(staff, "党员和居民")
    preview = messages(chat.text(staff, "停水通知，有事打 0571-8888 1234 或找3栋2单元502王阿姨"))
    assert "已用 ** 代替" in preview[0].text
    assert preview[1].text == "📢 A社区通知\n\n停水通知，有事打 ** 或找**王阿姨"
    chat.press(staff, "确认发送")
    with db.read() as s:
        rows = s.scalars(select(Outbox.params).where(Outbox.broadcast_id.is_not(None))).all()
    assert {p["text"] for p in rows} == {"停水通知，有事打 ** 或找**王阿姨"}


def test_a_notice_without_contacts_has_no_masking_line(db, catalogue):
    _, _, chat, staff, _ = setup(db, catalogue)
    chat.command(staff, "broadcast")
    chat.press(staff, "党员")
    preview = messages(chat.text(staff, NOTICE))
    assert "代替" not in preview[0].text and preview[1].text == f"📢 A社区通知\n\n{NOTICE}"
