"""A low rating or a dispute alerts staff at once and opens a follow-up visit (回访) that staff record."""

import pytest
from sqlalchemy import select

from models import FollowUp, FollowUpReason
from services import tasks, visits
from services.errors import Conflict, InvalidInput, NotAllowed
from tests.factories import build_world, completed, last_ids, new_branch, new_outbox, new_staff


def _visits(db):
    with db.read() as s:
        return list(s.scalars(select(FollowUp).order_by(FollowUp.id)).all())


@pytest.mark.parametrize("score", [1, 2])
def test_a_low_rating_alerts_staff_and_opens_a_visit(db, catalogue, score):
    w = build_world(db, catalogue)
    wish = completed(w)
    since, _ = last_ids(db)
    with db.write() as s:
        tasks.rate_wish(s, actor_id=w.resident_id, wish_id=wish.id, score=score)
    assert (w.staff_id, "staff.low_rating") in new_outbox(db, since)
    [visit] = _visits(db)
    assert (visit.wish_id, visit.reason, visit.done_at) == (wish.id, FollowUpReason.low_rating, None)


def test_a_good_rating_opens_no_visit(db, catalogue):
    w = build_world(db, catalogue)
    wish = completed(w)
    with db.write() as s:
        tasks.rate_wish(s, actor_id=w.resident_id, wish_id=wish.id, score=3)
    assert _visits(db) == []


def test_a_dispute_opens_a_visit_that_staff_record_once(db, catalogue):
    w = build_world(db, catalogue)
    wish = completed(w)
    with db.write() as s:
        tasks.dispute_wish(s, actor_id=w.resident_id, wish_id=wish.id, note="没修好")
    with db.read() as s:
        [(visit, listed)] = visits.open_visits(s, actor_id=w.staff_id)
    assert listed.id == wish.id and visit.reason == FollowUpReason.dispute
    with db.write() as s, pytest.raises(InvalidInput):
        visits.record_visit(s, actor_id=w.staff_id, visit_id=visit.id, note="   ")
    with db.write() as s:
        visits.record_visit(s, actor_id=w.staff_id, visit_id=visit.id, note="已电话联系，明天重新上门")
    with db.read() as s:
        assert visits.open_visits(s, actor_id=w.staff_id) == []
    with pytest.raises(Conflict), db.write() as s:
        visits.record_visit(s, actor_id=w.staff_id, visit_id=visit.id, note="再记一次")
    [done] = _visits(db)
    assert (done.done_by, done.note) == (w.staff_id, "已电话联系，明天重新上门")


def test_staff_of_another_branch_neither_see_nor_record_a_visit(db, catalogue):
    w = build_world(db, catalogue)
    wish = completed(w)
    with db.write() as s:
        tasks.rate_wish(s, actor_id=w.resident_id, wish_id=wish.id, score=1)
        new_branch(s, "B")
        other = new_staff(s, "B")
    [visit] = _visits(db)
    with db.read() as s:
        assert visits.open_visits(s, actor_id=other) == []
    with pytest.raises(NotAllowed), db.write() as s:
        visits.record_visit(s, actor_id=other, visit_id=visit.id, note="越权")
    with pytest.raises(NotAllowed), db.read() as s:
        visits.open_visits(s, actor_id=w.resident_id)
