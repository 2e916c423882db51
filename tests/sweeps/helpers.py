"""A controllable clock and a sweep that reports what it queued."""

from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine
from sqlalchemy import update

from models import Outbox
from services.sweeps.policy import SweepPolicy
from services.sweeps.sweep import run_sweep
from tests.factories import last_ids, new_outbox

BEIJING = ZoneInfo("Asia/Shanghai")
POLICY = SweepPolicy.default()
H = timedelta(hours=1)


def beijing(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment in November 2026, given in Beijing time, as UTC (23 November is a Monday)."""
    return datetime(2026, 11, day, hour, minute, tzinfo=BEIJING).astimezone(UTC)


T0 = beijing(23, 10)  # Monday, 10:00 in Beijing: well clear of quiet hours


@contextmanager
def clock(moment: datetime):
    """Everything inside happens at `moment` (the services read the time themselves)."""
    with time_machine.travel(moment, tick=False):
        yield


def settled(db) -> None:
    """Mark what is queued so far as delivered, so a test sees only what comes next."""
    with db.write() as s:
        s.execute(update(Outbox).values(status="sent"))


def sweep(db, catalogue, moment: datetime, policy: SweepPolicy = POLICY, *, digest: bool = False):
    """Run a full sweep at `moment`; returns its report and the (user, key) rows it queued.

    The daily digest is left out of the rows unless asked for: it has tests of its own.
    """
    since, _ = last_ids(db)
    with clock(moment):
        report = run_sweep(db, policy=policy, catalogue=catalogue, now=moment)
    rows = new_outbox(db, since)
    return report, [r for r in rows if digest or r[1] != "staff.digest"]


def quiet_hours_away_from_now() -> str:
    """A QUIET_HOURS window hours away from the real time, for tests that real time drives."""
    later = (datetime.now(UTC) + timedelta(hours=6)).astimezone(BEIJING)
    return f"{later:%H:00}-{later + timedelta(hours=1):%H:00}"
