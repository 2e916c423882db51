"""The outbox sender delivers every notification once, and copes with Telegram's refusals."""

import asyncio
from datetime import timedelta

from sqlalchemy import func, select

from models import Outbox, OutboxStatus, User
from models.types import utcnow
from services import outbox
from services.delivery import OutboxSender
from services.note_keys import NoteKey
from services.transport import Delivery, RetryAfter, Transient, Unreachable
from tests.factories import build_world, submit


class Clock:
    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self):
        return self.now

    def advance(self, **kw) -> None:
        self.now += timedelta(**kw)


class Recorder:
    """A transport that records deliveries and fails on command."""

    def __init__(self) -> None:
        self.sent: list[Delivery] = []
        self.fail_with: list[Exception] = []

    async def __call__(self, item: Delivery) -> None:
        if self.fail_with:
            raise self.fail_with.pop(0)
        self.sent.append(item)


def quiet_world(db, catalogue):
    """A world whose set-up chatter (approvals and so on) was already delivered."""
    w = build_world(db, catalogue)
    with db.write() as s:
        s.execute(Outbox.__table__.update().values(status="sent"))
    return w


def sender(db, transport, clock) -> OutboxSender:
    return OutboxSender(
        db, transport, rate=1000, burst=1000, per_chat_rate=1000, per_chat_burst=1000, clock=clock
    )


def statuses(db) -> list[str]:
    with db.read() as s:
        return list(s.scalars(select(Outbox.status).order_by(Outbox.id)).all())


async def test_every_pending_notification_is_sent_once(db, catalogue):
    w = build_world(db, catalogue)
    submit(w)
    clock, transport = Clock(), Recorder()
    out = sender(db, transport, clock)
    await out.run_once()
    await out.run_once()
    assert [d.key for d in transport.sent].count("staff.new_wish") == 1
    assert set(statuses(db)) == {OutboxStatus.sent}


async def test_a_429_waits_for_retry_after_and_then_delivers(db, catalogue):
    w = quiet_world(db, catalogue)
    submit(w)
    clock, transport = Clock(), Recorder()
    out = sender(db, transport, clock)
    transport.fail_with = [RetryAfter(0.01)]
    await out.run_once()
    assert transport.sent == [] and statuses(db)[-1] == OutboxStatus.pending
    clock.advance(seconds=1)
    await asyncio.sleep(0.02)  # the chat's hold runs on the monotonic clock
    await out.run_once()
    assert [d.key for d in transport.sent] == ["staff.new_wish"]


async def test_a_blocked_user_is_marked_unreachable_and_staff_are_told(db, catalogue):
    w = quiet_world(db, catalogue)
    wish = submit(w)
    with db.write() as s:  # pretend only a note to the resident is pending
        s.execute(Outbox.__table__.update().values(status="sent"))
        s.add(
            Outbox(
                user_id=w.resident_id,
                key="resident.accepted",
                params={"number": wish.number},
                wish_id=wish.id,
            )
        )
    clock, transport = Clock(), Recorder()
    transport.fail_with = [Unreachable("Forbidden: bot was blocked by the user")]
    await sender(db, transport, clock).run_once()
    with db.read() as s:
        resident = s.get(User, w.resident_id)
        alerts = s.scalars(select(Outbox).where(Outbox.key == "staff.unreachable")).all()
    assert resident.unreachable
    assert [(a.user_id, a.params["role"]) for a in alerts] == [(w.staff_id, "resident")]


async def test_network_errors_back_off_and_retry(db, catalogue):
    w = quiet_world(db, catalogue)
    submit(w)
    clock, transport = Clock(), Recorder()
    transport.fail_with = [Transient("connection reset")]
    out = sender(db, transport, clock)
    await out.run_once()
    assert transport.sent == []
    clock.advance(seconds=3)
    await out.run_once()
    assert len(transport.sent) == 1


async def test_a_message_claimed_by_a_crashed_sender_is_sent_after_the_lease(db, catalogue):
    w = quiet_world(db, catalogue)
    submit(w)
    clock, transport = Clock(), Recorder()
    crashed = sender(db, transport, clock)
    with db.read() as s:
        row = s.scalar(select(Outbox).where(Outbox.status == OutboxStatus.pending))
    assert crashed._claim([row]) == {row.id}  # claimed, then the process died before sending
    await sender(db, transport, clock).run_once()
    assert transport.sent == []
    clock.advance(seconds=61)
    await sender(db, transport, clock).run_once()
    assert [d.outbox_id for d in transport.sent] == [row.id]


def test_the_overall_limit_allows_a_short_burst_then_thirty_a_second():
    from services.ratelimit import TokenBucket

    now = [0.0]
    bucket = TokenBucket(rate=30, burst=5, clock=lambda: now[0])
    sent = 0
    while now[0] < 1.0:  # one second, in 1 ms steps
        if bucket.wait_time() == 0:
            bucket.take()
            sent += 1
        now[0] += 0.001
    assert 30 <= sent <= 35


def test_nothing_refills_while_telegram_asked_us_to_wait():
    from services.ratelimit import TokenBucket

    now = [0.0]
    bucket = TokenBucket(rate=30, burst=5, clock=lambda: now[0])
    bucket.block(10)
    now[0] = 10.0
    assert bucket.wait_time() > 0  # the block just ended: no burst saved up during it
    now[0] = 10.1
    assert bucket.wait_time() == 0


class Held:
    """A transport whose sends wait until released, so a send can outlast its lease."""

    def __init__(self) -> None:
        self.started, self.release = asyncio.Event(), asyncio.Event()
        self.sent: list[Delivery] = []

    async def __call__(self, item: Delivery) -> None:
        self.started.set()
        await self.release.wait()
        self.sent.append(item)


async def test_a_send_that_outlasts_its_lease_is_finished_only_by_the_sender_that_holds_the_row_now(
    db, catalogue, monkeypatch
):
    from services import delivery

    w = quiet_world(db, catalogue)
    submit(w)  # one notification, to the branch's staff
    clock = Clock()
    slow, fast = Held(), Recorder()
    first, second = sender(db, slow, clock), sender(db, fast, clock)
    passing = asyncio.create_task(first.run_once())
    await asyncio.wait_for(slow.started.wait(), 5)
    clock.advance(seconds=delivery.LEASE.total_seconds() + 1)  # the first sender's lease lapses

    async def claim_without_sending(rows) -> int:
        return 0

    monkeypatch.setattr(second, "_send_all", claim_without_sending)
    await second.run_once()  # takes the row over, and has not sent it yet
    slow.release.set()
    await asyncio.wait_for(passing, 5)
    assert len(slow.sent) == 1 and first.tally.sent == 0  # sent, but not marked by the one that lost it
    assert statuses(db)[-1] == OutboxStatus.pending  # still the second sender's to finish
    monkeypatch.undo()
    clock.advance(seconds=delivery.LEASE.total_seconds() + 1)
    await second.run_once()
    assert second.tally.sent == 1 and statuses(db)[-1] == OutboxStatus.sent


async def test_a_stopped_sender_finishes_the_send_in_flight_and_hands_back_the_rows_it_had_not_sent(
    db, catalogue
):
    w = quiet_world(db, catalogue)
    with db.write() as s:
        before = s.scalar(select(func.max(Outbox.id)))
        outbox.queue(s, [outbox.Note(uid, NoteKey.member_approved, {}, None) for uid in w.members])
    clock, held = Clock(), Held()
    out = OutboxSender(db, held, rate=1000, burst=1000, in_flight=1, clock=clock)
    stop = asyncio.Event()
    running = asyncio.create_task(out.run_forever(stop))
    await asyncio.wait_for(held.started.wait(), 5)
    stop.set()
    held.release.set()
    await asyncio.wait_for(running, 5)
    with db.read() as s:
        rows = s.scalars(select(Outbox).where(Outbox.id > before).order_by(Outbox.id)).all()
    assert [r.status for r in rows] == [OutboxStatus.sent, OutboxStatus.pending, OutboxStatus.pending]
    assert all(r.not_before <= clock.now and r.attempts == 0 for r in rows[1:])  # due again at once
    assert len(held.sent) == 1
