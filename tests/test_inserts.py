"""services.inserts: a row inserted without a flush is the row a flush would write."""

from datetime import date

from sqlalchemy import inspect, select

from models import Offer, Wish
from services.dispatch import offer_wish
from services.wishes import WishDraft, get_wish, submit_wish
from tests.factories import accepted, build_world

TODAY = date.today()


def test_a_new_wish_is_written_whole_and_is_the_session_s_own(db, catalogue):
    w = build_world(db, catalogue)
    draft = WishDraft("repairs", "厨房水管漏水", photo_file_ids=("p1", "p2"))
    with db.write() as s:
        wish = submit_wish(
            s, actor_id=w.resident_id, draft=draft, catalogue=catalogue, limits=w.limits, today=TODAY
        )
        state = inspect(wish)
        assert state.persistent and not state.unloaded and not s.dirty  # nothing left to load
        assert get_wish(s, wish.id) is wish  # one object per row, as after a flush
    with db.read() as s:
        row = s.execute(select(Wish.__table__).where(Wish.id == wish.id)).one()
    assert row.status == "submitted" and row.priority == "normal" and row.time_window == "asap"
    assert row.photo_file_ids == ["p1", "p2"] and row.resident_id == w.resident_id
    assert row.submitted_at is not None and row.assigned_member_id is None


def test_a_new_offer_is_written_whole(db, catalogue):
    w = build_world(db, catalogue)
    wish = accepted(w)
    with db.write() as s:
        offer = offer_wish(s, actor_id=w.staff_id, wish_id=wish.id, member_id=w.members[0])
        state = inspect(offer)
        assert state.persistent and not state.unloaded and not s.dirty
    with db.read() as s:
        row = s.execute(select(Offer.__table__).where(Offer.id == offer.id)).one()
    assert (row.wish_id, row.kind, row.member_id, row.status) == (wish.id, "direct", w.members[0], "open")
    assert row.offered_by == w.staff_id and row.answered_at is None
