"""Wall postings, overdue tasks and unrated work: the right person is told at the right time, once."""

from sqlalchemy import select

from models import Outbox, Wish, WishEvent, WishStatus
from services import dispatch
from services.db import Database
from tests.factories import assigned, build_world, completed, posted
from tests.sweeps.helpers import T0, H, clock, settled, sweep


async def test_staff_hear_of_an_unclaimed_wall_posting_after_a_day_with_suggested_members(db, catalogue):
    with clock(T0):
        w = await build_world(db, catalogue)
        await posted(w)
    await settled(db)
    assert (await sweep(db, catalogue, T0 + 23 * H))[1] == []
    assert (await sweep(db, catalogue, T0 + 24 * H))[1] == [(w.staff_id, "staff.remind_wall")]
    async with db.read() as s:
        params = await s.scalar(select(Outbox.params).where(Outbox.key == "staff.remind_wall"))
    assert params["candidates"] and params["candidates"][0] in {"李建国", "赵红梅", "陈志强"}
    assert (await sweep(db, catalogue, T0 + 30 * H))[1] == []


async def test_an_overdue_task_reminds_the_member_then_a_day_later_staff(db, catalogue):
    with clock(T0):
        w = await build_world(db, catalogue)
        await assigned(w)  # 尽快 (as soon as possible): 72 h is the limit
    await settled(db)
    member = w.members[0]
    assert (await sweep(db, catalogue, T0 + 71 * H))[1] == []
    assert (await sweep(db, catalogue, T0 + 72 * H))[1] == [(member, "member.remind_task")]
    assert (await sweep(db, catalogue, T0 + 95 * H))[1] == []
    restarted = Database(db.url)
    try:
        assert (await sweep(restarted, catalogue, T0 + 96 * H))[1] == [(w.staff_id, "staff.escalate_task")]
        assert (await sweep(restarted, catalogue, T0 + 200 * H))[1] == []
    finally:
        await restarted.dispose()


async def test_a_task_handed_to_another_member_starts_its_reminders_afresh(db, catalogue):
    with clock(T0):
        w = await build_world(db, catalogue)
        wish = await assigned(w)
    await sweep(db, catalogue, T0 + 72 * H)  # the first member is reminded
    later = T0 + 73 * H
    with clock(later):
        async with db.write() as s:
            await dispatch.release_wish(s, actor_id=w.staff_id, wish_id=wish.id, reason="改派")
            offer = await dispatch.offer_wish(s, actor_id=w.staff_id, wish_id=wish.id, member_id=w.members[1])
        async with db.write() as s:
            await dispatch.take_offer(s, actor_id=w.members[1], offer_id=offer.id)
    await settled(db)
    assert (await sweep(db, catalogue, later + 71 * H))[1] == []
    assert (await sweep(db, catalogue, later + 72 * H))[1] == [(w.members[1], "member.remind_task")]


async def test_unrated_work_asks_the_resident_at_one_and_three_days_then_closes_after_seven(db, catalogue):
    with clock(T0):
        w = await build_world(db, catalogue)
        wish = await completed(w)
    await settled(db)
    ask = [(w.resident_id, "resident.remind_rating")]
    assert (await sweep(db, catalogue, T0 + 23 * H))[1] == []
    assert (await sweep(db, catalogue, T0 + 24 * H))[1] == ask
    assert (await sweep(db, catalogue, T0 + 48 * H))[1] == []
    assert (await sweep(db, catalogue, T0 + 72 * H))[1] == ask
    report, rows = await sweep(db, catalogue, T0 + 7 * 24 * H)
    assert report.closed == 1 and rows == []
    async with db.read() as s:
        closed = await s.get(Wish, wish.id)
        event = await s.scalar(
            select(WishEvent).where(WishEvent.wish_id == wish.id).order_by(WishEvent.id.desc())
        )
    assert closed.status == WishStatus.closed and closed.closed_at is not None
    assert (event.actor_id, event.note) == (None, "unrated")
    assert (await sweep(db, catalogue, T0 + 8 * 24 * H))[0].closed == 0
