"""Untriaged wishes: staff are reminded at 2 h and 8 h, admins told at 24 h, each once."""

from services.db import Database
from tests.factories import build_world, new_admin, submit
from tests.sweeps.helpers import T0, H, clock, settled, sweep


async def _world_with_wish(db, catalogue):
    with clock(T0):
        w = await build_world(db, catalogue)
        async with db.write() as s:
            admin = await new_admin(s)
        wish = await submit(w)
    await settled(db)
    return w, admin, wish


async def test_staff_hear_of_an_untriaged_wish_at_two_and_eight_hours_and_admins_at_a_day(db, catalogue):
    w, admin, _ = await _world_with_wish(db, catalogue)
    assert (await sweep(db, catalogue, T0 + 1.9 * H))[1] == []
    assert (await sweep(db, catalogue, T0 + 2 * H))[1] == [(w.staff_id, "staff.remind_triage")]
    assert (await sweep(db, catalogue, T0 + 8 * H))[1] == [(w.staff_id, "staff.remind_triage")]
    assert (await sweep(db, catalogue, T0 + 24 * H))[1] == [(admin, "admin.escalate_triage")]


async def test_a_second_sweep_at_the_same_moment_sends_nothing_new(db, catalogue):
    await _world_with_wish(db, catalogue)
    first = (await sweep(db, catalogue, T0 + 2 * H))[1]
    again = (await sweep(db, catalogue, T0 + 2 * H))[1]
    assert len(first) == 1 and again == []


async def test_after_a_restart_nothing_is_sent_twice_and_nothing_is_missed(db, catalogue):
    w, admin, _ = await _world_with_wish(db, catalogue)
    await sweep(db, catalogue, T0 + 2 * H)
    restarted = Database(db.url)  # a new process: new engine, same database
    try:
        assert (await sweep(restarted, catalogue, T0 + 3 * H))[1] == []
        # Down from 3 h to 25 h: one catch-up sweep sends the 8 h reminder once, and the escalation.
        caught_up = (await sweep(restarted, catalogue, T0 + 25 * H))[1]
    finally:
        await restarted.dispose()
    assert sorted(caught_up) == sorted(
        [(w.staff_id, "staff.remind_triage"), (admin, "admin.escalate_triage")]
    )


async def test_a_triaged_wish_is_not_reminded(db, catalogue):
    w, _, wish = await _world_with_wish(db, catalogue)
    from models import Priority
    from services import wishes

    with clock(T0 + H):
        async with db.write() as s:
            await wishes.accept_wish(
                s,
                actor_id=w.staff_id,
                wish_id=wish.id,
                category="repairs",
                priority=Priority.normal,
                catalogue=catalogue,
            )
    await settled(db)
    assert (await sweep(db, catalogue, T0 + 24 * H))[1] == []


async def test_staff_get_one_message_listing_every_wish_that_falls_due_together(db, catalogue):
    from sqlalchemy import select

    from bot.texts import render_note
    from models import Outbox

    with clock(T0):
        w = await build_world(db, catalogue)
        numbers = [(await submit(w, text=f"心愿{i}")).number for i in range(3)]
    await settled(db)
    assert (await sweep(db, catalogue, T0 + 2 * H))[1] == [(w.staff_id, "staff.remind_triage_many")]
    async with db.read() as s:
        params = await s.scalar(select(Outbox.params).where(Outbox.key == "staff.remind_triage_many"))
    text = render_note("zh", catalogue, "staff.remind_triage_many", params)
    assert all(number in text for number in numbers) and "3 件" in text and "维修疏通" in text
