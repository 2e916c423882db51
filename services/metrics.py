"""What a running process counts, for Prometheus (prometheus-client).

The edges count as they go: the poller what it stored and dropped, the workers what they
handled and how long each kind of input took, the sender what Telegram accepted, refused
or asked to wait for, the scheduler how long a sweep took and whether this process leads.
What lives in the database (the inbox's backlog and lag, the outbox's pending rows) is read
when scraped, so every instance reports the same shared figures.
"""

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import func, select

from models import InboxUpdate, Outbox, OutboxStatus
from models.enums import InboxStatus
from services.db import Database

REGISTRY = CollectorRegistry()  # this process's own, so tests and tools can build their own apps

UPDATES_RECEIVED = Counter("sandan_updates_received", "Updates stored in the inbox", registry=REGISTRY)
UPDATES_DROPPED = Counter(
    "sandan_updates_dropped", "Updates dropped for a sender's full backlog", registry=REGISTRY
)
UPDATES_PROCESSED = Counter("sandan_updates_processed", "Updates handled by this process", registry=REGISTRY)
HANDLING_SECONDS = Histogram(
    "sandan_update_handling_seconds",
    "From taking an update to its replies being sent, by kind of input",
    ["kind"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
    registry=REGISTRY,
)
OUTBOX_SENT = Counter("sandan_outbox_sent", "Notifications Telegram accepted", registry=REGISTRY)
OUTBOX_FAILED = Counter("sandan_outbox_failed", "Notifications given up on", registry=REGISTRY)
OUTBOX_LIMITED = Counter("sandan_telegram_429", "Times Telegram asked us to wait (429)", registry=REGISTRY)
SWEEP_SECONDS = Histogram(
    "sandan_sweep_seconds",
    "Duration of one scheduled sweep",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
    registry=REGISTRY,
)
LEADER = Gauge("sandan_leader", "1 while this process runs the scheduler", registry=REGISTRY)

_OPEN = (InboxStatus.pending, InboxStatus.working)
READY_API_AGE = 60.0  # seconds since the Bot API last answered, beyond which we are not ready


@dataclass
class ApiContact:
    """When the Bot API last answered this process: at connecting, then at every long poll, or
    in webhook mode to a getMe now and then (bot/ptb/connect.keep_in_touch)."""

    at: float | None = field(default=None)

    def answered(self) -> None:
        self.at = time.monotonic()

    def recent(self, within: float = READY_API_AGE) -> bool:
        return self.at is not None and time.monotonic() - self.at <= within


class SharedFigures:
    """The inbox's and the outbox's figures, read from the database at each scrape."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def collect(self):
        with self.db.read() as s:
            open_count, oldest = s.execute(
                select(func.count(), func.min(InboxUpdate.received_at)).where(InboxUpdate.status.in_(_OPEN))
            ).one()
            pending = s.scalar(select(func.count()).where(Outbox.status == OutboxStatus.pending))
        lag = (datetime.now(UTC) - oldest).total_seconds() if oldest else 0.0  # UTCDateTime: aware
        yield GaugeMetricFamily("sandan_inbox_open", "Updates stored and not yet handled", value=open_count)
        yield GaugeMetricFamily(
            "sandan_inbox_lag_seconds", "Age of the oldest update not yet handled", value=max(lag, 0.0)
        )
        yield GaugeMetricFamily("sandan_outbox_pending", "Notifications waiting to be sent", value=pending)


_watched: list[SharedFigures] = []


def watch_database(db: Database) -> None:
    """Report `db`'s shared figures from now on (one database per process: the last one given)."""
    while _watched:
        REGISTRY.unregister(_watched.pop())
    _watched.append(SharedFigures(db))
    REGISTRY.register(_watched[0])


def exposition() -> bytes:
    """Every figure in Prometheus's text format (reads the database: call it from a thread)."""
    return generate_latest(REGISTRY)
