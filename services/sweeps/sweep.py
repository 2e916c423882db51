"""One full sweep over every rule, each wish isolated from the others' failures."""

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from services.catalogue import Catalogue
from services.db import Database
from services.outbox import queue
from services.sweeps import digest, ledger, offers
from services.sweeps.batching import combine
from services.sweeps.context import Sweep
from services.sweeps.leader import leadership
from services.sweeps.policy import SweepPolicy
from services.sweeps.reminders import RULES, Due

log = logging.getLogger(__name__)
CHUNK = 500  # items acted on per transaction


@dataclass
class Report:
    """What one sweep did; `failed` counts rules and items skipped because of an error."""

    led: bool = True
    reminders: int = 0
    expired: int = 0
    auto_offered: int = 0
    closed: int = 0
    digests: int = 0
    failed: int = 0


def run_sweep(db: Database, *, policy: SweepPolicy, catalogue: Catalogue, now: datetime) -> Report:
    """Run every rule once, if this process leads; safe to run twice at once or after a crash."""
    with leadership(db) as leading:
        if not leading:
            return Report(led=False)
        sw, report = Sweep(now=now, policy=policy, catalogue=catalogue), Report()
        expiring = _find(db, sw, report, offers.expiring_offers)
        report.expired = _in_chunks(db, sw, report, expiring, offers.expire_offers)
        waiting = _find(db, sw, report, offers.waiting_for_auto_dispatch)
        report.auto_offered = _in_chunks(db, sw, report, waiting, offers.auto_dispatch, size=20)
        unrated = _find(db, sw, report, offers.unrated_too_long)
        report.closed = _in_chunks(db, sw, report, unrated, offers.close_unrated)
        for rule in RULES:
            due = _find(db, sw, report, rule)
            report.reminders += _in_chunks(db, sw, report, due, _record_and_queue)
        digests = _find(db, sw, report, digest.due_digests)
        report.digests = _in_chunks(db, sw, report, digests, digest.record_digests)
        return report


def _find(db: Database, sw: Sweep, report: Report, rule) -> list:
    """What a rule finds due; a rule that fails is logged and skipped, and the others still run."""
    try:
        with db.read() as s:
            return rule(s, sw)
    except Exception:
        log.exception("sweep rule %s failed", rule.__name__)
        report.failed += 1
        return []


def _in_chunks(db: Database, sw: Sweep, report: Report, items: list, act, *, size: int = CHUNK) -> int:
    """Act on the items a chunk per transaction; a chunk that fails is redone item by item."""
    done = 0
    for i in range(0, len(items), size):
        chunk = items[i : i + size]
        try:
            with db.write() as s:
                done += act(s, sw, chunk)
            continue
        except Exception:
            log.warning("sweep %s: a chunk failed; redoing its %d items one by one", act.__name__, len(chunk))
        for item in chunk:
            try:
                with db.write() as s:
                    done += act(s, sw, [item])
            except Exception:
                log.exception("sweep %s failed for %s", act.__name__, item)
                report.failed += 1
    return done


def _record_and_queue(s: Session, sw: Sweep, due: list[Due]) -> int:
    """Record the reminders; queue the notes of those this sweep recorded first."""
    first = ledger.record(s, [(d.wish_id, d.kind, d.seq) for d in due], now=sw.now)
    fresh = [d for d in due if (d.wish_id, d.kind) in first]
    queue(s, combine([n for d in fresh for n in d.notes]), now=sw.now)
    return len(fresh)
