"""Workers that take updates from the durable inbox (services.inbox) and handle them.

Any adapter feeds the inbox and gives the workers a `handle` coroutine for one stored
update; the workers decide what runs when. Each worker holds one update at a time and
takes the next in the same transaction that marks the last one done.
"""

import asyncio
import contextlib
import logging
import os
import socket
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta

from services import inbox, metrics
from services.db import Database
from services.pool import WorkPool

log = logging.getLogger(__name__)

WORKERS = 8  # updates handled at once by one process
IDLE_POLL = 1.0  # seconds an idle worker waits before looking again (other processes, lapsed leases)
DB_RETRY = 1.0  # seconds a worker waits after the database failed it

# Handles one stored update; returns the kind of input it was (for the metrics), or None.
Handle = Callable[[inbox.Claimed], Awaitable[str | None]]


def instance_name() -> str:
    """This process among those sharing a database: host, pid and a random tag."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class UpdateWorkers:
    def __init__(
        self,
        db: Database,
        handle: Handle,
        *,
        pool: WorkPool,
        size: int = WORKERS,
        lease: timedelta = inbox.LEASE,
    ) -> None:
        self.db, self.handle, self.pool, self.size = db, handle, pool, size
        self.lease = lease
        self.heartbeat = lease.total_seconds() / 3  # two renewals may fail before a lease lapses
        self.instance = instance_name()
        self._work = asyncio.Semaphore(0)  # one release per update stored, to wake an idle worker
        self._idle_workers = 0
        self.idle = asyncio.Event()  # every worker looked and found nothing to take

    def wake(self, stored: int) -> None:
        """Updates were stored: wake as many idle workers as may have something to take.

        Busy workers look again as soon as they finish, so only idle ones are woken: every
        claim that finds nothing is a write transaction all the same."""
        if stored:
            self.idle.clear()  # before any worker runs: the new updates are not handled yet
        for _ in range(min(stored, self._idle_workers)):
            self._work.release()

    async def run(self, stop: asyncio.Event) -> None:
        """Work until `stop` is set; each worker finishes the update it holds."""
        async with asyncio.TaskGroup() as tasks:
            for n in range(self.size):
                tasks.create_task(self._worker(stop), name=f"update-worker-{n}")
            tasks.create_task(self._heartbeat(stop), name="inbox-heartbeat")
            await stop.wait()
            for _ in range(self.size):  # idle workers see the stop at once
                self._work.release()

    async def _worker(self, stop: asyncio.Event) -> None:
        finished: int | None = None
        while True:
            try:
                claimed = await self.pool.run(
                    inbox.claim_next, self.db, worker=self.instance, finished=finished, lease=self.lease
                )
            except Exception:
                log.exception("taking an update from the inbox failed")
                claimed = None
                await self._sleep(stop, DB_RETRY)
            finished = None
            if claimed is None:
                if stop.is_set():
                    return
                await self._wait_for_work(stop)
                continue
            if claimed.attempts > inbox.MAX_ATTEMPTS:  # it took its worker down each time
                log.error("update %s given up after %s attempts", claimed.update_id, claimed.attempts - 1)
                await self.pool.run(
                    inbox.finish, self.db, update_id=claimed.update_id, worker=self.instance, failed=True
                )
                continue
            started, kind = time.perf_counter(), None
            try:
                kind = await self.handle(claimed)
            except Exception:  # the adapter answers errors itself; this is a bug in it
                log.exception("update %s failed in the adapter", claimed.update_id)
            metrics.UPDATES_PROCESSED.inc()
            metrics.HANDLING_SECONDS.labels(kind or "other").observe(time.perf_counter() - started)
            finished = claimed.update_id
            if stop.is_set():
                await self.pool.run(inbox.finish, self.db, update_id=finished, worker=self.instance)
                return

    async def _wait_for_work(self, stop: asyncio.Event) -> None:
        self._idle_workers += 1
        if self._idle_workers == self.size:
            self.idle.set()
        try:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._work.acquire(), IDLE_POLL)
        finally:
            self._idle_workers -= 1
            self.idle.clear()

    async def _heartbeat(self, stop: asyncio.Event) -> None:
        """Renew this process's leases, so a long report is not taken over by another worker."""
        while not stop.is_set():
            await self._sleep(stop, self.heartbeat)
            if self._idle_workers < self.size:
                try:
                    await self.pool.run(inbox.renew, self.db, worker=self.instance, lease=self.lease)
                except Exception:
                    log.exception("renewing inbox leases failed")

    @staticmethod
    async def _sleep(stop: asyncio.Event, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), seconds)
