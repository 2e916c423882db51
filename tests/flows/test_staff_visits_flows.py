"""/visits: staff see open follow-up visits and record one in two taps and a sentence."""

from sqlalchemy import select

from bot.flows.io import Answer
from models import FollowUp
from services import tasks
from tests import factories as f
from tests.flows.harness import Chat, last_text, messages
from tests.flows.test_staff_flows import person


def test_staff_record_a_follow_up_visit_from_the_list(db, catalogue):
    w = f.build_world(db, catalogue)
    wish = f.completed(w)
    with db.write() as s:
        tasks.rate_wish(s, actor_id=w.resident_id, wish_id=wish.id, score=1)
    chat, staff = Chat(db, catalogue), person(db, w.staff_id, "张社工")
    out = messages(chat.command(staff, "visits"))
    assert "待回访：1" in out[0].text and wish.number in out[1].text and "低分评价" in out[1].text
    chat.press(staff, "记录回访")
    assert "回访情况" in last_text(staff)
    chat.text(staff, "已电话联系王阿姨，约好周六重新上门")
    assert "已记录" in last_text(staff)
    with db.read() as s:
        visit = s.scalar(select(FollowUp))
    assert visit.note == "已电话联系王阿姨，约好周六重新上门" and visit.done_by == w.staff_id
    chat.command(staff, "visits")
    assert "没有待回访" in last_text(staff)


def test_a_resident_cannot_open_the_follow_up_list(db, catalogue):
    w = f.build_world(db, catalogue)
    chat, resident = Chat(db, catalogue), person(db, w.resident_id, "王秀英")
    chat.command(resident, "visits")
    assert "只有本社区的工作人员" in last_text(resident)


def test_an_old_record_button_for_a_visit_already_done_is_refused(db, catalogue):
    w = f.build_world(db, catalogue)
    wish = f.completed(w)
    with db.write() as s:
        tasks.rate_wish(s, actor_id=w.resident_id, wish_id=wish.id, score=2)
    chat, staff = Chat(db, catalogue), person(db, w.staff_id, "张社工")
    chat.command(staff, "visits")
    chat.press(staff, "记录回访")
    chat.text(staff, "已上门看过，问题解决了")
    [refusal] = chat.press(staff, "记录回访")  # the list's button, pressed again
    assert isinstance(refusal, Answer) and refusal.alert and "已经记录过了" in refusal.text
    chat.text(staff, "再写一句")  # no form is open, so this is not taken as a note
    with db.read() as s:
        assert s.scalar(select(FollowUp)).note == "已上门看过，问题解决了"
