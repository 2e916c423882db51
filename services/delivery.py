"""The outbox sender: delivers queued notifications within Telegram's limits.

A row is claimed by pushing its `not_before` forward (a lease), delivered,
and marked sent in its own small transaction, so a crash can duplicate at
most the messages in flight. Rows whose lease lapses are picked up again.
"""

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import false, select, update

from models import Outbox, OutboxStatus, User
from models.types import utcnow
from services import metrics
from services.broadcasts import settle_finished
from services.db import Database
from services.delivery_outcomes import Outcomes, Tally, forget
from services.outbox import NO_TELEGRAM_ID, UNREACHABLE
from services.pool import WorkPool
from services.quiet_hours import QuietHours
from services.ratelimit import ChatLimits, TokenBucket
from services.transport import Deliver

log = logging.getLogger(__name__)

LEASE = timedelta(seconds=60)
MAX_PAUSE = 5.0  # seconds a pass waits for the overall limit before handing rows back
# Sends awaiting Telegram at once: one at a time, a 50 ms round trip alone caps a broadcast
# at 20 a second; 16 keep 30 a second up with round trips of half a second.
IN_FLIGHT = 16


class OutboxSender(Outcomes):
    def __init__(
        self,
        db: Database,
        deliver: Deliver,
        *,
        rate: float = 30,
        burst: float = 5,
        per_chat_rate: float = 1,
        per_chat_burst: float = 3,
        batch: int = 200,
        in_flight: int = IN_FLIGHT,
        clock: Callable[[], datetime] = utcnow,
        quiet_hours: QuietHours | None = None,
        pool: WorkPool | None = None,
        lease: timedelta = LEASE,
    ) -> None:
        self.db, self.deliver, self.batch, self.clock, self.lease = db, deliver, batch, clock, lease
        # Its own threads by default, so a long report in the bot's workers never delays a send.
        self.pool = pool or WorkPool(4, name="sandan-outbox")
        self.quiet_hours = quiet_hours
        self.overall = TokenBucket(rate, burst)
        self.chats = ChatLimits(per_chat_rate, per_chat_burst)
        self.tally = Tally()
        self.in_flight = in_flight
        self._settle = True  # look for finished broadcasts once after a start, then after their rows
        self._nudged = asyncio.Event()
        self.idle = asyncio.Event()  # the last pass, begun after the last nudge, found nothing due
        self.caught_up = False  # the last pass found nothing due, held back or not
        # Each row this sender holds, and until when: its not_before, as the claim set it. Only
        # while not_before still says so is the row ours to finish; another sender that took a
        # row whose lease lapsed mid-send has set a new one.
        self._leases: dict[int, datetime] = {}
        self.stopping = asyncio.Event()  # run_forever's stop: no new sends once it is set

    def _due_query(self, now: datetime):
        """Rows due now, oldest first; during quiet hours only those that may wake people."""
        query = (
            select(Outbox, User)
            .join(User, User.id == Outbox.user_id)
            .where(Outbox.status == OutboxStatus.pending, Outbox.not_before <= now)
            # A broadcast's thousands of rows must not hold up a note about someone's wish.
            .order_by(Outbox.broadcast_id.is_not(None), Outbox.id)
            .limit(self.batch)
        )
        if self.quiet_hours is not None and self.quiet_hours.active(now):
            query = query.where(Outbox.quiet == false())  # the rest wait for the morning
        return query

    def _due(self, busy: list[int]) -> list[tuple[Outbox, User]]:
        """Due rows, leaving out chats that have had their share for now."""
        query = self._due_query(self.clock())
        if busy:
            query = query.where(Outbox.user_id.notin_(busy))
        with self.db.read() as s:
            return [tuple(r) for r in s.execute(query)]

    def _held_back(self, busy: list[int]) -> bool:
        """Whether chats waiting for their share have rows due."""
        with self.db.read() as s:
            return (
                s.execute(self._due_query(self.clock()).where(Outbox.user_id.in_(busy)).limit(1)).first()
                is not None
            )

    def _claim(self, rows: list[Outbox]) -> set[int]:
        """Lease the rows in one statement; returns those no other sender took first."""
        if not rows:
            return set()
        now = self.clock()
        with self.db.write() as s:
            result = s.execute(
                update(Outbox)
                .where(
                    Outbox.id.in_([row.id for row in rows]),
                    Outbox.status == OutboxStatus.pending,
                    Outbox.not_before <= now,  # a leased row's not_before lies ahead
                )
                .values(not_before=now + self.lease, attempts=Outbox.attempts + 1)
                .returning(Outbox.id)
            )
            claimed = set(result.scalars().all())
        self._leases.update(dict.fromkeys(claimed, now + self.lease))
        return claimed

    def _pick(self, due: list[tuple[Outbox, User]]) -> list[tuple[Outbox, User]]:
        """The rows this pass may send: each chat within its share, oldest first."""
        picked, counted = [], {}
        for row, user in due:
            chat = self.chats.bucket(user.id)
            counted[user.id] = counted.get(user.id, 0) + 1
            if chat.wait_time() == 0 and counted[user.id] <= chat.tokens:
                picked.append((row, user))
        return picked

    async def run_once(self) -> int:
        """Deliver what is due now; returns how many rows were handled."""
        run = self.pool.run
        busy = self.chats.busy()
        due = await run(self._due, busy)
        sendable = []
        for row, user in due:
            if user.telegram_id is None or user.unreachable:
                await run(
                    self._finish,
                    row.id,
                    status=OutboxStatus.failed,
                    last_error=UNREACHABLE if user.unreachable else NO_TELEGRAM_ID,
                    **forget(row),
                )
                self.tally.unreachable += bool(user.unreachable)
                metrics.OUTBOX_FAILED.inc()
            else:
                sendable.append((row, user))
        picked = self._pick(sendable)
        claimed = await run(self._claim, [row for row, _ in picked])
        handled = await self._send_all([(row, user) for row, user in picked if row.id in claimed])
        self.chats.prune()
        self._settle |= any(row.broadcast_id is not None for row, _ in due)
        if self._settle:  # cleared only once it worked, so a failure is retried next pass
            await run(self._settle_broadcasts)
            self._settle = False
        self.caught_up = not due and not (busy and await run(self._held_back, busy))
        return handled

    def _settle_broadcasts(self) -> None:
        with self.db.write() as s:
            settle_finished(s, now=self.clock())

    async def _send_all(self, rows: list[tuple[Outbox, User]]) -> int:
        """Send leased rows at the overall limit, `in_flight` at a time, each chat's in order."""
        latest: dict[int, asyncio.Task] = {}  # each chat's last send, which its next one waits for
        slots = asyncio.Semaphore(self.in_flight)  # per pass: a pass that fails takes its slots with it
        sent = 0
        async with asyncio.TaskGroup() as sends:
            for row, user in rows:
                await slots.acquire()
                if self.stopping.is_set():  # shutting down: the rest go back (see run_forever)
                    slots.release()
                    break
                pause = self.overall.wait_time()
                if pause > MAX_PAUSE:  # Telegram asked for a long wait: hand the lease back
                    slots.release()
                    await self.pool.run(
                        self._finish,
                        row.id,
                        not_before=self.clock() + timedelta(seconds=pause),
                        attempts=row.attempts,
                    )
                    continue
                while (pause := self.overall.wait_time()) > 0:  # noqa: ASYNC110 (a time-based limit, not an event)
                    await asyncio.sleep(pause)
                self.overall.take()
                self.chats.bucket(user.id).take()
                latest[user.id] = sends.create_task(self._send(row, user, slots, after=latest.get(user.id)))
                sent += 1
        return sent

    async def _send(
        self, row: Outbox, user: User, slots: asyncio.Semaphore, *, after: asyncio.Task | None
    ) -> None:
        """Deliver one row in its slot, after the chat's previous message however that ended."""
        try:
            if after is not None:
                await asyncio.wait([after])
            await self._attempt(row, user)
        finally:
            slots.release()

    def nudge(self) -> None:
        """New rows may be due: start a pass now rather than after the idle wait."""
        self.idle.clear()
        self._nudged.set()

    async def run_forever(self, stop: asyncio.Event, *, idle: float = 0.5) -> None:
        """Deliver until `stop` is set; a failing pass is logged, never fatal.

        Once stopped, the sends in flight finish and the rows leased but not sent are handed
        back, so another process (or the next start) sends them at once, not after the lease.
        """
        self.stopping = stop
        try:
            await self._deliver_until(stop, idle)
        finally:
            await self.pool.run(self._hand_back)

    async def _deliver_until(self, stop: asyncio.Event, idle: float) -> None:
        while not stop.is_set():
            self._nudged.clear()
            try:
                handled = await self.run_once()
            except Exception:
                log.exception("outbox pass failed")
                handled = 0
            if handled:
                self.idle.clear()
                continue
            if self.caught_up and not self._nudged.is_set():
                self.idle.set()
            await self._wait(stop, idle)

    async def _wait(self, stop: asyncio.Event, seconds: float) -> None:
        """Until a nudge, the stop, or `seconds`."""
        waits = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(self._nudged.wait())]
        await asyncio.wait(waits, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
        for w in waits:
            w.cancel()
