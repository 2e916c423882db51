"""One full sweep over every rule, each wish isolated from the others' failures."""

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime

from services.catalogue import Catalogue
from services.db import Database
from services.outbox import queue
from services.sweeps import digest, ledger, offers
from services.sweeps.context import Sweep
from services.sweeps.leader import leadership
from services.sweeps.policy import SweepPolicy
from services.sweeps.reminders import RULES, Due

log = logging.getLogger(__name__)
CHUNK = 500  # reminders recorded and queued per transaction


@dataclass
class Report:
    """What one sweep did; `failed` counts wishes skipped because of an error."""

    led: bool = True
    reminders: int = 0
    expired: int = 0
    auto_offered: int = 0
    closed: int = 0
    digests: int = 0
    failed: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)


async def run_sweep(db: Database, *, policy: SweepPolicy, catalogue: Catalogue, now: datetime) -> Report:
    """Run every rule once, if this process leads; safe to run twice at once or after a crash."""
    async with leadership(db) as leading:
        if not leading:
            return Report(led=False)
        sw, report = Sweep(now=now, policy=policy, catalogue=catalogue), Report()
        report.expired = await _each(db, sw, report, offers.expiring_offers, _expire)
        report.auto_offered = await _each(db, sw, report, offers.waiting_for_auto_dispatch, _auto_offer)
        report.closed = await _each(db, sw, report, offers.unrated_too_long, _close)
        for rule in RULES:
            try:
                async with db.read() as s:
                    due = await rule(s, sw)
            except Exception:
                log.exception("sweep rule %s failed", rule.__name__)
                report.failed += 1
                continue
            await _remind(db, sw, due, report)
        report.digests = await digest.send_digests(db, sw)
        return report


async def _expire(s, sw: Sweep, item) -> None:
    offer_id, wish_id = item
    await offers.expire_offer(s, sw, offer_id=offer_id, wish_id=wish_id)


async def _auto_offer(s, sw: Sweep, wish_id: int) -> None:
    from services.wishes import get_wish

    await offers.auto_offer(s, sw, wish=await get_wish(s, wish_id))


async def _close(s, sw: Sweep, wish_id: int) -> None:
    await offers.close_unrated(s, sw, wish_id=wish_id)


async def _each(
    db: Database, sw: Sweep, report: Report, find: Callable, act: Callable[..., Awaitable]
) -> int:
    """Find the items, then act on each in its own transaction; a failure skips only that item."""
    async with db.read() as s:
        items = await find(s, sw)
    done = 0
    for item in items:
        try:
            async with db.write() as s:
                await act(s, sw, item)
            done += 1
        except Exception:
            log.exception("sweep %s failed for %s", act.__name__, item)
            report.failed += 1
    return done


async def _remind(db: Database, sw: Sweep, due: list[Due], report: Report) -> None:
    """Record and queue reminders a chunk at a time; a chunk that fails is retried wish by wish."""
    for i in range(0, len(due), CHUNK):
        chunk = due[i : i + CHUNK]
        try:
            await _record_and_queue(db, sw, chunk, report)
        except Exception:
            log.warning("reminder chunk failed; retrying its %d reminders one by one", len(chunk))
            for one in chunk:
                try:
                    await _record_and_queue(db, sw, [one], report)
                except Exception:
                    log.exception("reminder %s/%s for wish %s failed", one.kind, one.seq, one.wish_id)
                    report.failed += 1


async def _record_and_queue(db: Database, sw: Sweep, due: list[Due], report: Report) -> None:
    async with db.write() as s:
        first = await ledger.record(s, [(d.wish_id, d.kind, d.seq) for d in due], now=sw.now)
        fresh = [d for d in due if (d.wish_id, d.kind) in first]
        await queue(s, [n for d in fresh for n in d.notes], now=sw.now)
    for d in fresh:
        report.reminders += 1
        report.by_kind[d.kind] = report.by_kind.get(d.kind, 0) + 1
