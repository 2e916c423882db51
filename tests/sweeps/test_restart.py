"""After a restart (a new process on the same database) no reminder is sent twice and none is missed."""

from collections import Counter

from services.db import Database
from tests.factories import build_world, completed, offered, posted
from tests.sweeps.helpers import T0, H, clock, settled, sweep


def _every_situation(db, catalogue):
    """A wish offered and unanswered, one on the wall, one done but unrated: all created at T0."""
    with clock(T0):
        w = build_world(db, catalogue)
        offered(w, member_index=0)
        posted(w)
        completed(w, member_index=1)
    settled(db)
    return w


def _expected(w) -> Counter:
    return Counter(
        {
            (w.staff_id, "staff.offer_expired"): 1,
            (w.members[0], "member.offer_expired"): 1,
            (w.staff_id, "staff.remind_wall"): 1,
            (w.resident_id, "resident.remind_rating"): 1,
        }
    )


def test_a_restarted_process_sends_nothing_already_sent(db, catalogue):
    w = _every_situation(db, catalogue)
    before = sweep(db, catalogue, T0 + 24 * H)[1]
    assert Counter(before) == _expected(w)
    restarted = Database(db.url)
    try:
        assert sweep(restarted, catalogue, T0 + 24 * H)[1] == []
        assert sweep(restarted, catalogue, T0 + 25 * H)[1] == []
    finally:
        restarted.dispose()


def test_a_process_that_was_down_through_every_threshold_sends_each_once(db, catalogue):
    w = _every_situation(db, catalogue)
    restarted = Database(db.url)
    try:
        caught_up = sweep(restarted, catalogue, T0 + 30 * H)[1]
        again = sweep(restarted, catalogue, T0 + 30 * H)[1]
    finally:
        restarted.dispose()
    assert Counter(caught_up) == _expected(w) and again == []
