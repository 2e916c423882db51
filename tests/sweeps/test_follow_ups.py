"""Wall postings, overdue tasks and unrated work: the right person is told at the right time, once."""

from sqlalchemy import select

from models import Outbox, Wish, WishEvent, WishStatus
from services import dispatch
from services.db import Database
from tests.factories import assigned, build_world, completed, posted
from tests.sweeps.helpers import T0, H, clock, settled, sweep


def test_staff_hear_of_an_unclaimed_wall_posting_after_a_day_with_suggested_members(db, catalogue):
    with clock(T0):
        w = build_world(db, catalogue)
        posted(w)
    settled(db)
    assert sweep(db, catalogue, T0 + 23 * H)[1] == []
    assert sweep(db, catalogue, T0 + 24 * H)[1] == [(w.staff_id, "staff.remind_wall")]
    with db.read() as s:
        params = s.scalar(select(Outbox.params).where(Outbox.key == "staff.remind_wall"))
    assert params["candidates"] and params["candidates"][0] in {"李建国", "赵红梅", "陈志强"}
    assert sweep(db, catalogue, T0 + 30 * H)[1] == []


def test_an_overdue_task_reminds_the_member_then_a_day_later_staff(db, catalogue):
    with clock(T0):
        w = build_world(db, catalogue)
        assigned(w)  # 尽快 (as soon as possible): 72 h is the limit
    settled(db)
    member = w.members[0]
    assert sweep(db, catalogue, T0 + 71 * H)[1] == []
    assert sweep(db, catalogue, T0 + 72 * H)[1] == [(member, "member.remind_task")]
    assert sweep(db, catalogue, T0 + 95 * H)[1] == []
    restarted = Database(db.url)
    try:
        assert sweep(restarted, catalogue, T0 + 96 * H)[1] == [(w.staff_id, "staff.escalate_task")]
        assert sweep(restarted, catalogue, T0 + 200 * H)[1] == []
    finally:
        restarted.dispose()


def test_a_task_handed_to_another_member_starts_its_reminders_afresh(db, catalogue):
    with clock(T0):
        w = build_world(db, catalogue)
        wish = assigned(w)
    sweep(db, catalogue, T0 + 72 * H)  # the first member is reminded
    later = T0 + 73 * H
    with clock(later):
        with db.write() as s:
            dispatch.release_wish(s, actor_id=w.staff_id, wish_id=wish.id, reason="改派")
            offer = dispatch.offer_wish(s, actor_id=w.staff_id, wish_id=wish.id, member_id=w.members[1])
        with db.write() as s:
            dispatch.take_offer(s, actor_id=w.members[1], offer_id=offer.id)
    settled(db)
    assert sweep(db, catalogue, later + 71 * H)[1] == []
    assert sweep(db, catalogue, later + 72 * H)[1] == [(w.members[1], "member.remind_task")]


def test_unrated_work_asks_the_resident_at_one_and_three_days_then_closes_after_seven(db, catalogue):
    with clock(T0):
        w = build_world(db, catalogue)
        wish = completed(w)
    settled(db)
    ask = [(w.resident_id, "resident.remind_rating")]
    assert sweep(db, catalogue, T0 + 23 * H)[1] == []
    assert sweep(db, catalogue, T0 + 24 * H)[1] == ask
    assert sweep(db, catalogue, T0 + 48 * H)[1] == []
    assert sweep(db, catalogue, T0 + 72 * H)[1] == ask
    report, rows = sweep(db, catalogue, T0 + 7 * 24 * H)
    assert report.closed == 1 and rows == []
    with db.read() as s:
        closed = s.get(Wish, wish.id)
        event = s.scalar(select(WishEvent).where(WishEvent.wish_id == wish.id).order_by(WishEvent.id.desc()))
    assert closed.status == WishStatus.closed and closed.closed_at is not None
    assert (event.actor_id, event.note) == (None, "unrated")
    assert sweep(db, catalogue, T0 + 8 * 24 * H)[0].closed == 0
