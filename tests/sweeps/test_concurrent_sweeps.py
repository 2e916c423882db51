"""Two sweeps at once, as two processes would run them, send each reminder once."""

import asyncio

from sqlalchemy import func, select

from models import Outbox, SentReminder
from services.db import Database
from services.sweeps import ledger
from services.sweeps.sweep import run_sweep
from tests.factories import build_world, completed, new_admin, submit
from tests.sweeps.helpers import POLICY, T0, H, clock, settled


async def _world(db, catalogue):
    with clock(T0):
        w = await build_world(db, catalogue)
        async with db.write() as s:
            await new_admin(s)
        for _ in range(3):
            await submit(w)
        await completed(w)
    await settled(db)
    return w


async def _count(db, *where):
    async with db.read() as s:
        return await s.scalar(select(func.count()).select_from(Outbox).where(*where))


async def test_two_processes_sweeping_at_once_send_each_reminder_once(db, catalogue):
    await _world(db, catalogue)
    # A second process: its own engine and connections. On SQLite its statements run on
    # aiosqlite's thread, so they suspend and the two sweeps' transactions interleave.
    other = Database(db.url, sqlite_thread=True)
    try:
        moment = T0 + 25 * H
        with clock(moment):
            reports = await asyncio.gather(
                run_sweep(db, policy=POLICY, catalogue=catalogue, now=moment),
                run_sweep(other, policy=POLICY, catalogue=catalogue, now=moment),
            )
    finally:
        await other.dispose()
    assert sum(r.reminders for r in reports) == 3 + 3 + 1  # staff and admin per wish, the rating
    # One message each for the three wishes: a list to staff, a list to the admin.
    assert await _count(db, Outbox.key == "staff.remind_triage_many") == 1
    assert await _count(db, Outbox.key == "admin.escalate_triage_many") == 1
    assert await _count(db, Outbox.key == "resident.remind_rating") == 1


async def test_the_ledger_lets_only_one_of_two_concurrent_transactions_record_a_reminder(db, catalogue):
    w = await build_world(db, catalogue)
    wish = await submit(w)
    other = Database(db.url)
    first_recorded, second_began = asyncio.Event(), asyncio.Event()
    order = []

    async def first():
        async with db.write() as s:
            recorded = await ledger.record(s, [(wish.id, "triage", 1)], now=T0)
            order.append("first recorded")
            first_recorded.set()
            await asyncio.wait_for(second_began.wait(), timeout=5)
            await asyncio.sleep(0.05)  # the second is now waiting for this transaction
            order.append("first commits")
        return recorded

    async def second():
        await asyncio.wait_for(first_recorded.wait(), timeout=5)
        order.append("second begins")
        second_began.set()
        async with other.write() as s:
            return await ledger.record(s, [(wish.id, "triage", 1)], now=T0)

    try:
        results = await asyncio.gather(first(), second())
    finally:
        await other.dispose()
    assert order == ["first recorded", "second begins", "first commits"]
    assert [len(r) for r in results] == [1, 0]
    async with db.read() as s:
        assert await s.scalar(select(func.count()).select_from(SentReminder)) == 1
