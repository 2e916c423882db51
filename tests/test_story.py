"""The whole service model, once through, as the people involved see it."""

from sqlalchemy import select

from models import MemberProfile, Outbox, WishStatus
from services import dispatch, tasks
from services.matching import rank_candidates
from services.queries import timeline
from tests.factories import accepted, build_world


def test_a_wish_goes_from_posting_to_rating_and_counts_for_the_member(db, catalogue):
    w = build_world(db, catalogue)
    wish = accepted(w)
    with db.read() as s:
        ranked = rank_candidates(s, actor_id=w.staff_id, wish_id=wish.id, catalogue=catalogue)
    first, second = ranked[0].member_id, ranked[1].member_id
    with db.write() as s:
        offer = dispatch.offer_wish(s, actor_id=w.staff_id, wish_id=wish.id, member_id=first)
    with db.write() as s:
        dispatch.decline_offer(s, actor_id=first, offer_id=offer.id, reason="这周出差")
    with db.write() as s:
        offer = dispatch.offer_wish(s, actor_id=w.staff_id, wish_id=wish.id, member_id=second)
    with db.write() as s:
        dispatch.take_offer(s, actor_id=second, offer_id=offer.id)
        tasks.start_task(s, actor_id=second, wish_id=wish.id)
        tasks.complete_task(s, actor_id=second, wish_id=wish.id, note="已修好", hours=2)
    with db.write() as s:
        done = tasks.rate_wish(s, actor_id=w.resident_id, wish_id=wish.id, score=5, comment="谢谢")
    assert done.status == WishStatus.confirmed
    with db.read() as s:
        profile = s.scalar(select(MemberProfile).where(MemberProfile.user_id == second))
        keys = s.scalars(select(Outbox.key).order_by(Outbox.id)).all()
        events = timeline(s, actor_id=w.resident_id, wish_id=wish.id)
    assert (profile.tasks_confirmed, profile.hours_total, profile.rating_sum) == (1, 2.0, 5)
    assert [e.to_status for e in events] == [
        "submitted",
        "accepted",
        "offered",
        "accepted",
        "offered",
        "assigned",
        "in_progress",
        "completed",
        "confirmed",
    ]
    assert "staff.offer_declined" in keys and "member.rated" in keys
