"""Two sweeps at once, as two processes would run them, send each reminder once."""

import threading
import time

from sqlalchemy import func, select

from models import Outbox, SentReminder
from services.db import Database
from services.sweeps import ledger
from services.sweeps.sweep import run_sweep
from tests.factories import at_once, build_world, completed, new_admin, submit
from tests.sweeps.helpers import POLICY, T0, H, clock, settled


def _world(db, catalogue):
    with clock(T0):
        w = build_world(db, catalogue)
        with db.write() as s:
            new_admin(s)
        for _ in range(3):
            submit(w)
        completed(w)
    settled(db)
    return w


def _count(db, *where):
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(Outbox).where(*where))


def test_two_processes_sweeping_at_once_send_each_reminder_once(db, catalogue):
    _world(db, catalogue)
    # A second process: its own engine and connections. Each sweep runs in a thread of its own,
    # both released at once, so the two sweeps' transactions interleave.
    other = Database(db.url)
    try:
        moment = T0 + 25 * H
        with clock(moment):
            reports = at_once(
                lambda: run_sweep(db, policy=POLICY, catalogue=catalogue, now=moment),
                lambda: run_sweep(other, policy=POLICY, catalogue=catalogue, now=moment),
                return_exceptions=False,
            )
    finally:
        other.dispose()
    assert sum(r.reminders for r in reports) == 3 + 3 + 1  # staff and admin per wish, the rating
    # One message each for the three wishes: a list to staff, a list to the admin.
    assert _count(db, Outbox.key == "staff.remind_triage_many") == 1
    assert _count(db, Outbox.key == "admin.escalate_triage_many") == 1
    assert _count(db, Outbox.key == "resident.remind_rating") == 1


def test_the_ledger_lets_only_one_of_two_concurrent_transactions_record_a_reminder(db, catalogue):
    w = build_world(db, catalogue)
    wish = submit(w)
    other = Database(db.url)
    first_recorded, second_began = threading.Event(), threading.Event()
    order = []

    def first():
        with db.write() as s:
            recorded = ledger.record(s, [(wish.id, "triage", 1)], now=T0)
            order.append("first recorded")
            first_recorded.set()
            assert second_began.wait(timeout=5), "the second transaction never began"
            time.sleep(0.05)  # the second is now waiting for this transaction
            order.append("first commits")
        return recorded

    def second():
        assert first_recorded.wait(timeout=5), "the first transaction never recorded"
        order.append("second begins")
        second_began.set()
        with other.write() as s:
            return ledger.record(s, [(wish.id, "triage", 1)], now=T0)

    try:
        results = at_once(first, second, return_exceptions=False)
    finally:
        other.dispose()
    assert order == ["first recorded", "second begins", "first commits"]
    assert [len(r) for r in results] == [1, 0]
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(SentReminder)) == 1
