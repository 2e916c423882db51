"""Untriaged wishes: staff are reminded at 2 h and 8 h, admins told at 24 h, each once."""

from services.db import Database
from tests.factories import build_world, new_admin, submit
from tests.sweeps.helpers import T0, H, clock, settled, sweep


def _world_with_wish(db, catalogue):
    with clock(T0):
        w = build_world(db, catalogue)
        with db.write() as s:
            admin = new_admin(s)
        wish = submit(w)
    settled(db)
    return w, admin, wish


def test_staff_hear_of_an_untriaged_wish_at_two_and_eight_hours_and_admins_at_a_day(db, catalogue):
    w, admin, _ = _world_with_wish(db, catalogue)
    assert sweep(db, catalogue, T0 + 1.9 * H)[1] == []
    assert sweep(db, catalogue, T0 + 2 * H)[1] == [(w.staff_id, "staff.remind_triage")]
    assert sweep(db, catalogue, T0 + 8 * H)[1] == [(w.staff_id, "staff.remind_triage")]
    assert sweep(db, catalogue, T0 + 24 * H)[1] == [(admin, "admin.escalate_triage")]


def test_a_second_sweep_at_the_same_moment_sends_nothing_new(db, catalogue):
    _world_with_wish(db, catalogue)
    first = sweep(db, catalogue, T0 + 2 * H)[1]
    again = sweep(db, catalogue, T0 + 2 * H)[1]
    assert len(first) == 1 and again == []


def test_after_a_restart_nothing_is_sent_twice_and_nothing_is_missed(db, catalogue):
    w, admin, _ = _world_with_wish(db, catalogue)
    sweep(db, catalogue, T0 + 2 * H)
    restarted = Database(db.url)  # a new process: new engine, same database
    try:
        assert sweep(restarted, catalogue, T0 + 3 * H)[1] == []
        # Down from 3 h to 25 h: one catch-up sweep sends the 8 h reminder once, and the escalation.
        caught_up = sweep(restarted, catalogue, T0 + 25 * H)[1]
    finally:
        restarted.dispose()
    assert sorted(caught_up) == sorted(
        [(w.staff_id, "staff.remind_triage"), (admin, "admin.escalate_triage")]
    )


def test_a_triaged_wish_is_not_reminded(db, catalogue):
    w, _, wish = _world_with_wish(db, catalogue)
    from models import Priority
    from services import wishes

    with clock(T0 + H), db.write() as s:
        wishes.accept_wish(
            s,
            actor_id=w.staff_id,
            wish_id=wish.id,
            category="repairs",
            priority=Priority.normal,
            catalogue=catalogue,
        )
    settled(db)
    assert sweep(db, catalogue, T0 + 24 * H)[1] == []


def test_staff_get_one_message_listing_every_wish_that_falls_due_together(db, catalogue):
    from sqlalchemy import select

    from bot.texts import render_note
    from models import Outbox

    with clock(T0):
        w = build_world(db, catalogue)
        numbers = [submit(w, text=f"心愿{i}").number for i in range(3)]
    settled(db)
    assert sweep(db, catalogue, T0 + 2 * H)[1] == [(w.staff_id, "staff.remind_triage_many")]
    with db.read() as s:
        params = s.scalar(select(Outbox.params).where(Outbox.key == "staff.remind_triage_many"))
    text = render_note("zh", catalogue, "staff.remind_triage_many", params)
    assert all(number in text for number in numbers) and "3 件" in text and "维修疏通" in text
