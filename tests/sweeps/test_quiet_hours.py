"""Quiet hours: nothing reaches residents or members between 21:00 and 08:00; it waits, then goes once."""

from datetime import timedelta

from models import OutboxStatus
from services.delivery import OutboxSender
from services.quiet_hours import QuietHours
from tests.factories import build_world, completed, submit
from tests.sweeps.helpers import BEIJING, POLICY, beijing, clock, settled, sweep
from tests.test_delivery import Clock, Recorder, statuses


def test_quiet_hours_span_midnight_and_count_only_awake_time():
    quiet = QuietHours(BEIJING)
    assert quiet.active(beijing(23, 21, 0)) and quiet.active(beijing(24, 7, 59))
    assert not quiet.active(beijing(23, 20, 59)) and not quiet.active(beijing(24, 8, 0))
    assert quiet.ends_after(beijing(23, 22, 0)) == beijing(24, 8, 0)
    assert quiet.awake_time(beijing(23, 20, 0), beijing(24, 9, 0)) == timedelta(hours=2)


def test_a_rating_reminder_due_at_night_waits_for_the_morning_and_goes_once(db, catalogue):
    finished = beijing(22, 23, 0)  # done late on Sunday night: the 24 h reminder falls due at 23:00
    with clock(finished):
        w = build_world(db, catalogue)
        completed(w)
    settled(db)
    assert sweep(db, catalogue, beijing(23, 23, 0))[1] == []
    assert sweep(db, catalogue, beijing(24, 7, 59))[1] == []
    morning = sweep(db, catalogue, beijing(24, 8, 0))[1]
    assert morning == [(w.resident_id, "resident.remind_rating")]
    assert sweep(db, catalogue, beijing(24, 8, 1))[1] == []


def test_an_escalation_goes_out_at_night_only_when_the_settings_allow_it(db, catalogue):
    from dataclasses import replace

    from tests.factories import new_admin

    submitted = beijing(22, 22, 0)
    with clock(submitted):
        w = build_world(db, catalogue)
        with db.write() as s:
            admin = new_admin(s)
        submit(w)
    settled(db)
    night = beijing(23, 22, 30)  # 24.5 h later, in quiet hours
    assert sweep(db, catalogue, night)[1] == []
    allowed = replace(POLICY, escalate_in_quiet_hours=True)
    assert sweep(db, catalogue, night, allowed)[1] == [(admin, "admin.escalate_triage")]


async def test_the_sender_holds_resident_and_member_messages_at_night_but_not_staff_alerts(db, catalogue):
    with clock(beijing(23, 22, 0)):
        w = build_world(db, catalogue)
        settled(db)
        completed(w)  # the resident is told it is done
        submit(w)  # staff are told at once of a new wish
    now = Clock()
    transport = Recorder()
    sender = OutboxSender(
        db,
        transport,
        rate=1000,
        burst=1000,
        per_chat_rate=1000,
        per_chat_burst=1000,
        clock=now,
        quiet_hours=QuietHours(BEIJING),
    )
    now.now = beijing(23, 22, 5)
    await sender.run_once()
    await sender.run_once()
    at_night = [d.key for d in transport.sent]
    assert "staff.new_wish" in at_night
    assert [k for k in at_night if k.startswith(("resident.", "member."))] == []
    now.now = beijing(24, 8, 0)
    await sender.run_once()
    await sender.run_once()
    assert "resident.completed" in [d.key for d in transport.sent][len(at_night) :]
    delivered = [d.outbox_id for d in transport.sent]
    assert len(delivered) == len(set(delivered))  # each once
    assert set(statuses(db)) == {OutboxStatus.sent}
