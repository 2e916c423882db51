"""A broadcast reaches every recipient exactly once through the outbox sender, across a crash
and a storm of 429s, and its sender hears the tally once."""

from collections import Counter
from itertools import count

from sqlalchemy import select, update

from models import Audience, Outbox, OutboxStatus, User
from services import transport
from services.broadcasts import create_broadcast, progress, settle_finished
from services.delivery import IN_FLIGHT, OutboxSender
from tests.factories import add_members, submit
from tests.test_delivery import Clock, quiet_world

_telegram_ids = count(500_000)


class Crash(BaseException):
    """The process died: not an error the sender handles, so it unwinds the pass like a kill."""


class Telegram:
    """A transport that keeps what reached each chat; it can crash or answer 429 on cue."""

    def __init__(self, *, crash_at: int | None = None, storm: int = 0) -> None:
        self.received: list[transport.Delivery] = []
        self.calls, self.crash_at, self.storm = 0, crash_at, storm

    async def __call__(self, item: transport.Delivery) -> None:
        self.calls += 1
        if self.storm and self.calls % 4:  # three calls in four refused while the storm lasts
            self.storm -= 1
            raise transport.RetryAfter(0.001)
        self.received.append(item)  # Telegram has it ...
        if self.calls == self.crash_at:
            raise Crash  # ... but the process dies before the outbox records it

    def per_chat(self, key: str = "broadcast.message") -> Counter:
        return Counter(d.telegram_id for d in self.received if d.key == key)


def fast_sender(db, transport, clock, batch: int = 200) -> OutboxSender:
    return OutboxSender(db, transport, rate=10_000, burst=10_000, per_chat_burst=10, batch=batch, clock=clock)


def broadcast_to(db, catalogue, n: int):
    """A world with `n` more members, and an announcement to all of the branch's members queued."""
    w = quiet_world(db, catalogue)
    with db.write() as s:
        add_members(s, w.branch_id, [next(_telegram_ids) for _ in range(n)])
        sent = create_broadcast(
            s, actor_id=w.staff_id, branch_id=w.branch_id, audience=Audience.members, text="周六义诊"
        )
    return w, sent


async def drain(sender: OutboxSender, clock: Clock, passes: int = 100) -> None:
    for _ in range(passes):
        if await sender.run_once() == 0 and await sender.run_once() == 0:
            return
        clock.advance(seconds=1)
    raise AssertionError("the outbox did not drain")


def outcomes(db, broadcast_id: int) -> Counter:
    with db.read() as s:
        query = select(Outbox.status).where(Outbox.broadcast_id == broadcast_id)
        return Counter(s.scalars(query).all())


async def test_a_broadcast_continues_after_a_crash_and_everyone_gets_it_exactly_once(db, catalogue):
    _, sent = broadcast_to(db, catalogue, 150)
    clock, telegram = Clock(), Telegram(crash_at=60)
    crashed = fast_sender(db, telegram, clock, batch=100)
    try:
        await crashed.run_once()
    except* Crash:
        pass
    # The crash cancelled the pass, not the database work its threads had begun: let that end
    # (committed or not) before looking, as it would have ended when the process died.
    crashed.pool.shutdown()
    # Sent but never recorded: the crash fell between Telegram's answer and the outbox update.
    in_flight = {d.telegram_id for d in telegram.received} - recorded_chats(db)
    assert 1 <= len(in_flight) <= IN_FLIGHT
    before_restart = len(telegram.received)
    restarted = fast_sender(db, telegram, clock)
    await restarted.run_once()
    # The rows the crashed pass never leased go at once; its other leases hold for now.
    assert len(telegram.received) == before_restart + 53
    clock.advance(seconds=61)
    await drain(restarted, clock)
    per_chat = telegram.per_chat()
    assert len(per_chat) == sent.recipients == 153
    # Only the messages in flight at the crash may arrive twice; everyone else got exactly one.
    assert {chat: n for chat, n in per_chat.items() if n != 1} == dict.fromkeys(in_flight, 2)
    assert outcomes(db, sent.id) == {OutboxStatus.sent: 153}
    assert tallies(telegram) == [
        {"id": sent.id, "recipients": 153, "sent": 153, "failed": 0, "unreachable": 0}
    ]


async def test_a_broadcast_restarted_midway_reaches_everyone_exactly_once(db, catalogue):
    _, sent = broadcast_to(db, catalogue, 150)
    clock, telegram = Clock(), Telegram()
    first = fast_sender(db, telegram, clock, batch=50)
    await first.run_once()
    await first.run_once()
    assert 0 < len(telegram.received) < sent.recipients  # stopped partway: a restart
    await drain(fast_sender(db, telegram, clock), clock)  # a new process, the same database
    assert set(telegram.per_chat().values()) == {1} and len(telegram.per_chat()) == sent.recipients
    assert outcomes(db, sent.id) == {OutboxStatus.sent: sent.recipients}


def recorded_chats(db) -> set[int]:
    with db.read() as s:
        query = select(User.telegram_id).join(Outbox, Outbox.user_id == User.id)
        return set(s.scalars(query.where(Outbox.status == OutboxStatus.sent)).all())


def tallies(telegram: Telegram) -> list[dict]:
    return [d.params for d in telegram.received if d.key == "staff.broadcast_done"]


async def test_a_429_storm_slows_a_broadcast_but_loses_and_repeats_nothing(db, catalogue):
    _, sent = broadcast_to(db, catalogue, 100)
    clock, telegram = Clock(), Telegram(storm=150)
    sender = fast_sender(db, telegram, clock)
    await drain(sender, clock)
    assert sender.tally.retried == 150
    assert set(telegram.per_chat().values()) == {1} and len(telegram.per_chat()) == 103
    assert outcomes(db, sent.id) == {OutboxStatus.sent: 103}
    assert len(tallies(telegram)) == 1


async def test_blocked_and_failed_recipients_are_counted_apart_in_progress_and_tally(db, catalogue):
    w, sent = broadcast_to(db, catalogue, 3)
    clock, telegram = Clock(), Telegram()
    refusals = iter([transport.Unreachable("blocked"), ValueError("400 chat not found")])

    async def refusing(item: transport.Delivery) -> None:
        if item.key == "broadcast.message" and (refusal := next(refusals, None)):
            raise refusal
        await telegram(item)

    await drain(fast_sender(db, refusing, clock), clock)
    with db.read() as s:
        now = progress(s, actor_id=w.staff_id, broadcast_id=sent.id)
    assert (now.pending, now.sent, now.failed, now.unreachable, now.finished) == (0, 4, 1, 1, True)
    assert now.finished_at is not None
    assert tallies(telegram) == [{"id": sent.id, "recipients": 6, "sent": 4, "failed": 1, "unreachable": 1}]


async def test_a_broadcast_finished_before_a_restart_is_tallied_once_by_the_next_sender(db, catalogue):
    _, sent = broadcast_to(db, catalogue, 5)
    with db.write() as s:  # every row recorded; the process died before it settled
        s.execute(update(Outbox).where(Outbox.broadcast_id == sent.id).values(status="sent"))
    clock, telegram = Clock(), Telegram()
    await drain(fast_sender(db, telegram, clock), clock)
    await drain(fast_sender(db, telegram, clock), clock)  # a second process, or another restart
    with db.write() as s:
        assert settle_finished(s) == []
    assert len(tallies(telegram)) == 1


async def test_a_note_about_a_wish_is_not_held_up_behind_a_broadcast(db, catalogue):
    w, _ = broadcast_to(db, catalogue, 20)
    submit(w)  # queued after the broadcast's 23 rows
    clock, telegram = Clock(), Telegram()
    await fast_sender(db, telegram, clock, batch=5).run_once()
    assert telegram.received[0].key == "staff.new_wish"
