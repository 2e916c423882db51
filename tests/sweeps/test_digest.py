"""The daily digest: at 08:30, to each branch's staff, with yesterday's figures; never empty, never twice."""

from sqlalchemy import select

from models import Outbox
from services import tasks
from tests.factories import accepted, build_world, completed, submit
from tests.sweeps.helpers import beijing, clock, settled, sweep


def _digests(rows):
    return [row for row in rows if row[1] == "staff.digest"]


def test_staff_get_yesterdays_figures_at_half_past_eight_once(db, catalogue):
    with clock(beijing(23, 23, 30)):  # Monday 23:30 in Beijing: still Monday's wish
        w = build_world(db, catalogue)
        submit(w)
        accepted(w)
        done = completed(w)
        with db.write() as s:
            tasks.rate_wish(s, actor_id=w.resident_id, wish_id=done.id, score=4)
    settled(db)
    assert _digests(sweep(db, catalogue, beijing(24, 8, 29), digest=True)[1]) == []
    rows = sweep(db, catalogue, beijing(24, 8, 30), digest=True)[1]
    assert _digests(rows) == [(w.staff_id, "staff.digest")]
    with db.read() as s:
        params = s.scalar(select(Outbox.params).where(Outbox.key == "staff.digest"))
    assert params == {
        "day": "2026-11-23",
        "new": 3,
        "to_triage": 1,
        "to_assign": 1,
        "overdue": 0,
        "done": 1,
        "rating": 4.0,
    }
    assert _digests(sweep(db, catalogue, beijing(24, 12, 0), digest=True)[1]) == []


def test_a_branch_with_nothing_to_say_gets_no_digest(db, catalogue):
    with clock(beijing(20, 10, 0)):
        build_world(db, catalogue)
    settled(db)
    assert sweep(db, catalogue, beijing(24, 8, 30), digest=True)[1] == []


def test_a_digest_missed_while_the_bot_was_down_goes_out_once_later_that_day(db, catalogue):
    with clock(beijing(23, 10, 0)):
        w = build_world(db, catalogue)
        submit(w)
    settled(db)
    rows = sweep(db, catalogue, beijing(24, 11, 0), digest=True)[1]
    assert _digests(rows) == [(w.staff_id, "staff.digest")]
