"""A low rating or a dispute alerts staff at once and opens a follow-up visit (回访) that staff record."""

import pytest
from sqlalchemy import select

from models import FollowUp, FollowUpReason
from services import tasks, visits
from services.errors import Conflict, InvalidInput, NotAllowed
from tests.factories import build_world, completed, last_ids, new_branch, new_outbox, new_staff


async def _visits(db):
    async with db.read() as s:
        return list((await s.scalars(select(FollowUp).order_by(FollowUp.id))).all())


@pytest.mark.parametrize("score", [1, 2])
async def test_a_low_rating_alerts_staff_and_opens_a_visit(db, catalogue, score):
    w = await build_world(db, catalogue)
    wish = await completed(w)
    since, _ = await last_ids(db)
    async with db.write() as s:
        await tasks.rate_wish(s, actor_id=w.resident_id, wish_id=wish.id, score=score)
    assert (w.staff_id, "staff.low_rating") in await new_outbox(db, since)
    [visit] = await _visits(db)
    assert (visit.wish_id, visit.reason, visit.done_at) == (wish.id, FollowUpReason.low_rating, None)


async def test_a_good_rating_opens_no_visit(db, catalogue):
    w = await build_world(db, catalogue)
    wish = await completed(w)
    async with db.write() as s:
        await tasks.rate_wish(s, actor_id=w.resident_id, wish_id=wish.id, score=3)
    assert await _visits(db) == []


async def test_a_dispute_opens_a_visit_that_staff_record_once(db, catalogue):
    w = await build_world(db, catalogue)
    wish = await completed(w)
    async with db.write() as s:
        await tasks.dispute_wish(s, actor_id=w.resident_id, wish_id=wish.id, note="没修好")
    async with db.read() as s:
        [(visit, listed)] = await visits.open_visits(s, actor_id=w.staff_id)
    assert listed.id == wish.id and visit.reason == FollowUpReason.dispute
    async with db.write() as s:
        with pytest.raises(InvalidInput):
            await visits.record_visit(s, actor_id=w.staff_id, visit_id=visit.id, note="   ")
    async with db.write() as s:
        await visits.record_visit(s, actor_id=w.staff_id, visit_id=visit.id, note="已电话联系，明天重新上门")
    async with db.read() as s:
        assert await visits.open_visits(s, actor_id=w.staff_id) == []
    with pytest.raises(Conflict):
        async with db.write() as s:
            await visits.record_visit(s, actor_id=w.staff_id, visit_id=visit.id, note="再记一次")
    [done] = await _visits(db)
    assert (done.done_by, done.note) == (w.staff_id, "已电话联系，明天重新上门")


async def test_staff_of_another_branch_neither_see_nor_record_a_visit(db, catalogue):
    w = await build_world(db, catalogue)
    wish = await completed(w)
    async with db.write() as s:
        await tasks.rate_wish(s, actor_id=w.resident_id, wish_id=wish.id, score=1)
        await new_branch(s, "B")
        other = await new_staff(s, "B")
    [visit] = await _visits(db)
    async with db.read() as s:
        assert await visits.open_visits(s, actor_id=other) == []
    with pytest.raises(NotAllowed):
        async with db.write() as s:
            await visits.record_visit(s, actor_id=other, visit_id=visit.id, note="越权")
    with pytest.raises(NotAllowed):
        async with db.read() as s:
            await visits.open_visits(s, actor_id=w.resident_id)
