"""services.inserts: a row inserted without a flush is the row a flush would write."""

from datetime import date

from sqlalchemy import inspect, select

from models import Wish
from services.wishes import WishDraft, get_wish, submit_wish
from tests.factories import build_world

TODAY = date.today()


async def test_a_new_wish_is_written_whole_and_is_the_session_s_own(db, catalogue):
    w = await build_world(db, catalogue)
    draft = WishDraft("repairs", "厨房水管漏水", photo_file_ids=("p1", "p2"))
    async with db.write() as s:
        wish = await submit_wish(
            s, actor_id=w.resident_id, draft=draft, catalogue=catalogue, limits=w.limits, today=TODAY
        )
        assert inspect(wish).persistent and not s.dirty
        assert await get_wish(s, wish.id) is wish  # one object per row, as after a flush
    async with db.read() as s:
        row = (await s.execute(select(Wish.__table__).where(Wish.id == wish.id))).one()
    assert row.status == "submitted" and row.priority == "normal" and row.time_window == "asap"
    assert row.photo_file_ids == ["p1", "p2"] and row.resident_id == w.resident_id
    assert row.submitted_at is not None and row.assigned_member_id is None
