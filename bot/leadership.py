"""One leader among the processes that share a database: it alone runs the scheduler and the sender.

On PostgreSQL, leading is holding a session advisory lock on a connection kept for it. The
server drops the lock the moment that connection goes, so when the leader dies (even by
kill -9, whose socket the kernel closes) another process takes the lock at its next try,
within `RETRY` seconds. The leader checks its connection every `HEARTBEAT` seconds and steps
down if it broke: whoever holds the lock then leads. SQLite has one process, which leads.

The outbox sender runs in the leader alone, so Telegram's limits (30 a second overall, one a
second per chat) hold for all processes together without sharing a limiter: one sender
reaches Telegram's rate with room to spare (bench/broadcast.py), and a limiter shared
through the database would cost every send a round trip.
"""

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from sqlalchemy import text

from services import metrics
from services.db import Database
from services.pool import WorkPool

log = logging.getLogger(__name__)

LEADER_KEY = 0x5A4E_DA4E_1EAD  # names the leader's lock among the server's advisory locks
RETRY = 2.0  # seconds between a follower's tries to take the lead
HEARTBEAT = 2.0  # seconds between the leader's checks of its lock's connection

Term = Callable[[asyncio.Event], Awaitable[None]]  # work for one term; returns once it is told to end


class Leadership:
    def __init__(self, db: Database, *, retry: float = RETRY, heartbeat: float = HEARTBEAT) -> None:
        self.db, self.retry, self.heartbeat = db, retry, heartbeat
        self.pool = WorkPool(1, name="sandan-leader")  # the lock's connection lives in one thread
        self.leading = asyncio.Event()
        self._conn = None

    async def run(self, stop: asyncio.Event, term: Term) -> None:
        """Until `stop`: take the lead when it is free, and run `term` for as long as we hold it."""
        try:
            while not stop.is_set():
                if await self._try_lead():
                    await self._lead(stop, term)
                else:
                    await _sleep(stop, self.retry)
        finally:
            await self.pool.run(self._let_go)
            self.pool.shutdown()

    async def _lead(self, stop: asyncio.Event, term: Term) -> None:
        ended = asyncio.Event()  # the term's own stop: set at shutdown or when the lead is lost
        self.leading.set()
        metrics.LEADER.set(1)
        log.info("this process leads: it runs the scheduler and sends the outbox")
        work = asyncio.create_task(term(ended))
        try:
            while not stop.is_set() and not work.done():
                await _sleep(stop, self.heartbeat)
                if not stop.is_set() and not await self.pool.run(self._still_leading):
                    log.warning("lost the connection that held the lead; stepping down")
                    break
        finally:
            ended.set()
            await asyncio.wait([work])
            self.leading.clear()
            metrics.LEADER.set(0)
        if work.exception() is not None:
            raise work.exception()

    async def _try_lead(self) -> bool:
        try:
            return await self.pool.run(self._take)
        except Exception as exc:  # the database is failing: try again later
            log.warning("could not try for the lead (%s)", type(exc).__name__)
            return False

    def _take(self) -> bool:
        if self.db.is_sqlite:
            return True
        self._let_go()  # a term that ended on its own may have left its connection
        conn = self.db.engine.connect()
        try:
            got = bool(conn.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": LEADER_KEY}))
            conn.commit()
        except Exception:
            conn.close()
            raise
        if not got:
            conn.close()  # it holds no lock: back to the pool
            return False
        self._conn = conn
        return True

    def _still_leading(self) -> bool:
        if self.db.is_sqlite:
            return True
        try:
            self._conn.execute(text("SELECT 1"))
            self._conn.commit()
            return True
        except Exception:
            self._let_go()
            return False

    def _let_go(self) -> None:
        """Drop the lock's connection for good (not back to the pool), which frees the lock."""
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                conn.invalidate()
                conn.close()


async def _sleep(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)
