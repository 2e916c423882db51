"""What the outbox sender does with each answer Telegram gives to one row."""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from tenacity import wait_exponential

from models import Outbox, OutboxStatus, User
from services import metrics
from services.replies import REPLY_KEY
from services.transport import (
    Delivery,
    Refused,
    RetryAfter,
    Transient,
    TransportError,
    Unreachable,
    error_code,
)
from services.unreachable import mark_unreachable

log = logging.getLogger("services.delivery")

MAX_ATTEMPTS = 8
# A 429 holds its chat for the whole retry_after, but everyone else for this long at most:
# a flood wait for one chat (hours, sometimes) must not stop the other chats, and a real
# bot-wide flood answers 429 on every chat, so each of them is still held in turn.
OVERALL_BACKOFF = 2.0
_backoff = wait_exponential(multiplier=2, min=2, max=600)


@dataclass
class Tally:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    unreachable: int = 0


class Outcomes:
    """Mixin of OutboxSender (its db, pool, deliver, clock, overall, chats and tally): one delivery
    attempt, and the row update its outcome calls for (in a worker thread)."""

    async def _attempt(self, row: Outbox, user: User) -> None:
        run = self.pool.run
        chat = self.chats.bucket(user.id)
        if chat.blocked:  # an earlier row of this chat was told to wait
            await run(
                self._finish,
                row.id,
                not_before=self.clock() + timedelta(seconds=chat.wait_time()),
                attempts=row.attempts,
            )
            return
        delivery = Delivery(
            row.id, user.telegram_id, user.language, row.key, row.params, row.wish_id, row.parts_sent
        )
        try:
            await self.deliver(delivery)
        except RetryAfter as exc:
            metrics.OUTBOX_LIMITED.inc()
            self.overall.block(min(exc.seconds, OVERALL_BACKOFF))
            self.chats.hold(user.id, exc.seconds)
            await run(self._hold_chat, row, user, exc)
        except Unreachable:
            await run(self._mark_unreachable, row, user)
        except Transient as exc:
            attempts = row.attempts + 1
            if attempts >= MAX_ATTEMPTS:
                await run(self._fail, row, exc)
            else:
                wait = _backoff(_RetryState(attempts))
                await run(
                    self._finish,
                    row.id,
                    not_before=self.clock() + timedelta(seconds=wait),
                    last_error=error_code(exc),
                    parts_sent=_parts(row, exc),
                )
                self.tally.retried += 1
        except Refused as exc:  # a message Telegram refuses outright (a 400): don't retry forever
            log.warning("outbox %s refused: %s", row.id, error_code(exc))
            await run(self._fail, row, exc)
        except Exception as exc:  # a bug rendering or sending the row: don't retry forever
            log.exception("outbox %s failed permanently", row.id)
            await run(self._fail, row, exc)
        else:
            values = {"status": OutboxStatus.sent, "sent_at": self.clock(), **forget(row)}
            if not await run(self._finish, row.id, **values):
                # It outlasted its lease, and another sender has the row now: that one finishes it.
                log.warning("outbox %s was sent after its lease lapsed; left to its new holder", row.id)
                return
            self.tally.sent += 1
            metrics.OUTBOX_SENT.inc()

    def _fail(self, row: Outbox, exc: Exception) -> None:
        self._finish(
            row.id,
            status=OutboxStatus.failed,
            last_error=error_code(exc),
            parts_sent=_parts(row, exc),
            **forget(row),
        )
        self.tally.failed += 1
        metrics.OUTBOX_FAILED.inc()

    def _hold_chat(self, row: Outbox, user: User, exc: RetryAfter) -> None:
        """Hold this chat for retry_after in its rows' not_before (the caller holds it in memory)."""
        later = self.clock() + timedelta(seconds=exc.seconds)
        with self.db.write() as s:
            s.execute(
                self._mine(row.id).values(
                    not_before=later,
                    attempts=row.attempts,
                    last_error=error_code(exc),
                    parts_sent=_parts(row, exc),
                )
            )
            # The chat's other rows wait as long, so a restart does not knock on it again.
            s.execute(
                update(Outbox)
                .where(
                    Outbox.user_id == user.id,
                    Outbox.status == OutboxStatus.pending,
                    Outbox.not_before < later,
                    Outbox.id != row.id,
                )
                .values(not_before=later)
            )
        self.tally.retried += 1

    def _mark_unreachable(self, row: Outbox, user: User) -> None:
        """Remember the block, and tell the branch staff when a wish depends on this person."""
        with self.db.write() as s:
            mark_unreachable(s, outbox_id=row.id, user_id=user.id, wish_id=row.wish_id)
            mine = self._mine(row.id)  # whatever happens, the lease is done with
            if values := forget(row):
                s.execute(mine.values(**values))
        self.tally.unreachable += 1
        metrics.OUTBOX_FAILED.inc()

    def _finish(self, row_id: int, **values) -> bool:
        """Update a row this sender leased, if it still holds the lease; False if it lost it."""
        with self.db.write() as s:
            return s.execute(self._mine(row_id).values(**values)).rowcount == 1

    def _hand_back(self) -> None:
        """Give up the leases of rows not sent: due again now, the claim's attempt undone."""
        held: dict[datetime, list[int]] = {}
        while self._leases:
            row_id, lease = self._leases.popitem()
            held.setdefault(lease, []).append(row_id)
        if not held:
            return
        with self.db.write() as s:
            for lease, ids in held.items():
                s.execute(
                    update(Outbox)
                    .where(
                        Outbox.id.in_(ids), Outbox.not_before == lease, Outbox.status == OutboxStatus.pending
                    )
                    .values(not_before=self.clock(), attempts=Outbox.attempts - 1)
                )

    def _mine(self, row_id: int):
        """An UPDATE of the row, on condition that this sender still holds its lease (if it took one)."""
        statement = update(Outbox).where(Outbox.id == row_id)
        lease = self._leases.pop(row_id, None)
        if lease is not None:
            statement = statement.where(Outbox.not_before == lease)
        return statement


def _parts(row: Outbox, exc: Exception) -> int:
    """Parts of the row's message Telegram has after this failure."""
    parts = exc.parts_sent if isinstance(exc, TransportError) else None
    return row.parts_sent if parts is None else parts


def forget(row: Outbox) -> dict:
    """A finished deferred reply keeps no copy of its text (only the outbox needed it)."""
    return {"params": {}} if row.key == REPLY_KEY else {}


@dataclass
class _RetryState:
    """The bit of tenacity's RetryCallState that its wait strategies read."""

    attempt_number: int
